"""LlamaIndex Fireworks / Firmware: refresh_model_info(), list_models(), Firmware get_quota(),
replayed from cassettes (``cassettes/llamaindex/test_catalog/``).

Record with ``FW_RECORD=double pytest <this file> --record-mode=once`` (or live with keys).
"""

from __future__ import annotations

from typing import Any

import pytest

from fw_core.endpoints.models import ModelInfo as ListedModel
from fw_core.model_table import lookup
from fw_core.testing import WireDouble
from fw_core.testing.catalog import quota_generation
from llamaindex_fw import Fireworks, Firmware


@pytest.fixture(autouse=True)
def _default_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIREWORKS_ACCOUNT_ID", raising=False)


def test_llamaindex_construction_and_metadata_make_no_request(
    clients: dict[str, Any], double: WireDouble
) -> None:
    for llm in (
        Fireworks(model="qwen2p5-vl-32b-instruct", api_key="test-key", **clients),
        Firmware(model="openai/gpt-4o", api_key="test-key", **clients),
    ):
        meta = llm.metadata
        assert meta.context_window > 0 and llm.model_info is not None
    assert double.requests == []


@pytest.mark.vcr
def test_llamaindex_fireworks_refresh_updates_metadata() -> None:
    llm = Fireworks(model="qwen2p5-vl-32b-instruct")
    table = lookup("fireworks", llm.wire_model)
    assert table is not None and table.supports_tools
    assert llm.metadata.is_function_calling_model  # the table, before asking the API
    listed = llm.refresh_model_info()
    assert isinstance(listed, ListedModel)
    assert listed.id == "accounts/fireworks/models/qwen2p5-vl-32b-instruct"
    assert listed.supports_tools is False and listed.context_length is not None
    meta = llm.metadata
    assert meta.is_function_calling_model is False  # the catalog's word wins over the table
    assert meta.context_window == listed.context_length
    merged = llm.model_info  # the listing, with what it leaves out taken from the table
    assert merged is not None and merged.source == "models endpoint"
    assert merged.reasoning == table.reasoning and merged.supports_image_input is True


@pytest.mark.vcr
async def test_llamaindex_firmware_async_refresh() -> None:
    llm = Firmware(model="xai/grok-4-fast-reasoning")
    listed = await llm.arefresh_model_info()
    assert listed is not None and listed.id == "xai/grok-4-fast-reasoning"
    assert listed.context_length is not None
    assert llm.metadata.context_window == listed.context_length
    # Firmware's /models does not state tool support: the table's answer is kept
    assert listed.supports_tools is None
    assert (
        llm.metadata.is_function_calling_model is lookup("firmware", llm.wire_model).supports_tools
    )  # type: ignore[union-attr]


@pytest.mark.vcr
def test_llamaindex_model_missing_from_the_catalog_changes_nothing() -> None:
    llm = Fireworks(model="llama-v3p1-405b-instruct")
    before = llm.metadata
    assert llm.refresh_model_info() is None
    after = llm.metadata
    assert (after.context_window, after.is_function_calling_model) == (
        before.context_window,
        before.is_function_calling_model,
    )


def test_llamaindex_deployment_refresh_sends_nothing(
    clients: dict[str, Any], double: WireDouble
) -> None:
    llm = Fireworks(
        model="accounts/me/deployments/abc123", api_key="test-key", context_window=8000, **clients
    )
    assert llm.refresh_model_info() is None
    assert double.requests == []


def test_llamaindex_explicit_context_window_still_wins(clients: dict[str, Any]) -> None:
    llm = Fireworks(
        model="kimi-k2-instruct-0905", api_key="test-key", context_window=4096, **clients
    )
    listed = llm.refresh_model_info()
    assert listed is not None and listed.context_length != 4096
    assert llm.metadata.context_window == 4096


@pytest.mark.vcr
def test_llamaindex_list_models_on_both_apis() -> None:
    fireworks = Fireworks(model="glm-4p5").list_models(
        supports_tools=True, min_context_length=150_000
    )
    assert fireworks and all(
        m.supports_tools is True and (m.context_length or 0) >= 150_000 for m in fireworks
    )
    firmware = Firmware(model="openai/gpt-4o").list_models()
    assert "anthropic/claude-opus-4-5" in {m.id for m in firmware}


@pytest.mark.vcr
async def test_llamaindex_async_list_models() -> None:
    got = await Fireworks(model="glm-4p5").alist_models(kind="EMBEDDING_MODEL")
    assert got and all(m.kind == "EMBEDDING_MODEL" for m in got)


@pytest.mark.vcr
async def test_llamaindex_firmware_quota() -> None:
    llm = Firmware(model="openai/gpt-4o")
    with quota_generation("window+weekly"):
        q = llm.get_quota()
        aq = await llm.aget_quota()
    assert q == aq and q.generation == "window+weekly"
    assert q.window_used is not None and 0 <= q.window_used <= 1
    assert not hasattr(Fireworks(model="glm-4p5"), "get_quota")
