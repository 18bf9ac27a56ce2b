"""ChatFireworks / ChatFirmware: list_models() and ChatFirmware.get_quota(), replayed from
cassettes.

Record with ``FW_RECORD=double pytest <this file> --record-mode=once`` (or live with keys).
Against the double, each quota test asks for the body generation it is about with
``fw_core.testing.catalog.quota_generation`` (a no-op on replay and live).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import httpx
import pytest
from langchain_core.exceptions import ModelAuthenticationError

from fw_core.endpoints.models import ModelInfo
from fw_core.endpoints.quota import FirmwareQuota
from fw_core.errors import AuthenticationError, ConfigurationError
from fw_core.testing import WireDouble
from fw_core.testing.catalog import quota_generation
from langchain_fw import ChatFireworks, ChatFirmware


@pytest.fixture(autouse=True)
def _default_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIREWORKS_ACCOUNT_ID", raising=False)


@pytest.mark.vcr
def test_fireworks_lists_its_serverless_catalog() -> None:
    chat = ChatFireworks(model="glm-4p5")
    every = chat.list_models()
    assert every and all(isinstance(m, ModelInfo) for m in every)
    assert all(m.id.startswith("accounts/fireworks/models/") for m in every)
    assert all(m.provider == "fireworks" and m.owned_by == "fireworks" for m in every)
    glm = next(m for m in every if m.id.endswith("/glm-4p5"))
    assert glm.context_length is not None and glm.context_length > 0
    assert glm.supports_tools is not None  # the catalog states it


@pytest.mark.vcr
def test_fireworks_filters_reach_the_answer() -> None:
    chat = ChatFireworks(model="glm-4p5")
    vision = chat.list_models(supports_image_input=True, min_context_length=100_000)
    assert vision
    assert all(
        m.supports_image_input is True and (m.context_length or 0) >= 100_000 for m in vision
    )
    embedders = chat.list_models(kind="EMBEDDING_MODEL")
    assert embedders and all(m.kind == "EMBEDDING_MODEL" for m in embedders)


@pytest.mark.vcr
async def test_fireworks_async_list_models() -> None:
    chat = ChatFireworks(model="glm-4p5")
    tools = await chat.alist_models(supports_tools=True)
    assert tools and all(m.supports_tools is True for m in tools)


@pytest.mark.vcr
def test_firmware_lists_its_models_and_unknown_capabilities_stay_unknown() -> None:
    chat = ChatFirmware(model="openai/gpt-4o")
    every = chat.list_models()
    assert "openai/gpt-4o" in {m.id for m in every}
    assert all(m.provider == "firmware" for m in every)
    big = chat.list_models(min_context_length=1_000_000)
    assert big and all((m.context_length or 0) >= 1_000_000 for m in big)
    # Firmware's /models states no tool support: a tools filter keeps only stated values
    stated = [m for m in every if m.supports_tools is True]
    assert chat.list_models(supports_tools=True) == stated


@pytest.mark.vcr
@pytest.mark.parametrize(
    ("generation", "kind"),
    [
        ("credits", "credits"),
        ("window", "window"),
        ("window-idle", "window"),
        ("window+weekly", "window+weekly"),
        ("window+weekly-percent", "window+weekly"),
    ],
)
def test_firmware_quota_in_each_generation(generation: str, kind: str) -> None:
    chat = ChatFirmware(model="openai/gpt-4o")
    with quota_generation(generation):
        q = chat.get_quota()
    assert isinstance(q, FirmwareQuota) and q.generation == kind
    if kind == "credits":
        assert q.credits is not None and q.credits >= 0
        assert isinstance(q.period_ends_at, dt.datetime)
        assert q.window_used is None
    else:
        assert q.credits is None
        assert q.window_used is not None and 0 <= q.window_used <= 1
        assert q.window_resets_at is None or q.window_resets_at.tzinfo is not None
    if kind == "window+weekly":
        assert q.weekly_used is not None and 0 <= q.weekly_used <= 1
        assert q.window_resets_remaining is not None


@pytest.mark.vcr
async def test_firmware_async_quota() -> None:
    q = await ChatFirmware(model="openai/gpt-4o").aget_quota()
    assert q.raw  # the body as received is kept


def test_a_bad_key_is_a_langchain_authentication_error() -> None:
    double = WireDouble(api_keys={"the-right-key"})
    chat = ChatFirmware(
        model="openai/gpt-4o",
        api_key="a-wrong-key",
        http_client=httpx.Client(transport=double.transport()),
    )
    with pytest.raises(ModelAuthenticationError) as info:
        chat.get_quota()
    assert isinstance(info.value, AuthenticationError) and info.value.status_code == 401


def test_one_client_is_reused_and_bad_filters_fail_before_sending() -> None:
    double = WireDouble()
    chat = ChatFireworks(model="glm-4p5", http_client=httpx.Client(transport=double.transport()))
    chat.list_models()
    client = chat._client()
    chat.list_models(kind="HF_BASE_MODEL")
    assert chat._client() is client and len(double.requests) == 2
    with pytest.raises(ConfigurationError):
        chat.list_models(min_context_length=-1)
    with pytest.raises(ConfigurationError):
        ChatFirmware(model="openai/gpt-4o").list_models(account_id="fireworks")
    assert len(double.requests) == 2


def test_quota_is_only_on_firmware() -> None:
    assert not hasattr(ChatFireworks(model="glm-4p5"), "get_quota")
    assert callable(ChatFirmware(model="openai/gpt-4o").get_quota)


def test_the_chat_classes_load_without_the_catalog_and_quota_modules() -> None:
    # list_models / get_quota import fw_core's models / quota modules on first use.
    code = (
        "import sys; from langchain_fw import ChatFireworks, ChatFirmware; "
        "print(' '.join(m for m in sys.modules if m.startswith('fw_core.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    loaded = set(out.stdout.split())
    assert "fw_core.endpoints.chat" in loaded
    assert not {"fw_core.endpoints.models", "fw_core.endpoints.quota"} & loaded
