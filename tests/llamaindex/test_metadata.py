"""LLM metadata: the model table, the override, unknown models, the models endpoint."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from fw_core.model_table import UNKNOWN_CONTEXT_WINDOW, lookup
from fw_core.testing import WireDouble
from llamaindex_fw import Fireworks, Firmware


@pytest.mark.parametrize(
    ("cls", "model", "window"),
    [
        (Fireworks, "kimi-k2-instruct-0905", 262_144),
        (Fireworks, "accounts/fireworks/models/deepseek-v3p1", 163_840),
        (Fireworks, "llama-v3p3-70b-instruct#accounts/me/deployments/d1", 131_072),
        (Firmware, "anthropic/claude-sonnet-4-5-20250929", 200_000),
        (Firmware, "openai/gpt-4o-mini", 128_000),
        (Firmware, "gpt-4o", 128_000),
    ],
)
def test_known_models_report_their_real_context_window(
    cls: type[Any], model: str, window: int
) -> None:
    meta = cls(model=model, api_key="test-key").metadata
    assert meta.context_window == window
    assert meta.is_chat_model
    assert meta.is_function_calling_model
    assert meta.model_name == model


def test_model_known_not_to_call_tools_says_so() -> None:
    assert not Fireworks(model="deepseek-r1", api_key="test-key").metadata.is_function_calling_model


def test_unknown_model_gets_an_explicit_value_and_a_warning_naming_the_override() -> None:
    llm = Fireworks(model="my-own-finetune-xyz", api_key="test-key")
    with pytest.warns(UserWarning, match="context_window"):
        meta = llm.metadata
    assert meta.context_window == UNKNOWN_CONTEXT_WINDOW != 8192
    assert meta.is_function_calling_model  # no allow-list: tools unless known otherwise


def test_context_window_override_wins_without_warning() -> None:
    llm = Firmware(model="openai/brand-new-model", api_key="test-key", context_window=65_536)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert llm.metadata.context_window == 65_536


def test_num_output_follows_max_tokens() -> None:
    assert Fireworks(model="glm-4p5", api_key="k", max_tokens=1000).metadata.num_output == 1000


def test_fireworks_model_info_is_read_from_the_catalog(
    clients: dict[str, Any], double: WireDouble
) -> None:
    llm = Fireworks(model="qwen2p5-vl-32b-instruct", api_key="test-key", **clients)
    assert llm.refresh_model_info() is not None
    info = llm.model_info
    assert info is not None
    assert info.context_length == 128_000
    assert info.supports_image_input
    # the catalog entry says no tools: metadata now follows the endpoint over the table
    assert lookup("fireworks", llm.wire_model).supports_tools  # type: ignore[union-attr]
    assert llm.metadata.is_function_calling_model is False
    request = double.requests[-1]
    assert request.path == "/v1/accounts/fireworks/models"


async def test_firmware_model_info_is_read_from_models_list(clients: dict[str, Any]) -> None:
    llm = Firmware(model="xai/grok-4-fast-reasoning", api_key="test-key", **clients)
    assert await llm.arefresh_model_info() is not None
    info = llm.model_info
    assert info is not None and info.context_length == 2_000_000
    assert llm.metadata.context_window == 2_000_000


def test_model_missing_from_the_endpoint_keeps_the_table(clients: dict[str, Any]) -> None:
    llm = Firmware(model="google/gemini-3-flash-preview", api_key="test-key", **clients)
    assert llm.refresh_model_info() is None
    assert llm.metadata.context_window == 1_048_576


def test_changing_the_model_changes_what_is_sent_and_reported(
    clients: dict[str, Any], double: WireDouble
) -> None:
    llm = Fireworks(model="glm-4p5", api_key="test-key", **clients)
    llm.model = "kimi-k2-instruct-0905"
    assert llm.metadata.context_window == 262_144
    llm.complete("hi")
    assert double.requests[-1].json["model"] == "accounts/fireworks/models/kimi-k2-instruct-0905"


def test_deployments_have_no_catalog_entry_and_make_no_request(
    clients: dict[str, Any], double: WireDouble
) -> None:
    llm = Fireworks(
        model="accounts/me/deployments/abc123", api_key="test-key", context_window=8000, **clients
    )
    assert llm.refresh_model_info() is None
    assert double.requests == []
    assert llm.metadata.context_window == 8000
