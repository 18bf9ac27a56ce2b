"""Firmware has no Responses API: asking for it is a clear error before any request.

Firmware's API reference documents chat completions, embeddings, rerank, messages and quota
(docs/wire.md §2.1, §2.6; https://docs.firmware.ai/api-reference/embeddings and its sibling
pages), and third-party clients reach it through ``/chat/completions`` only
(https://mastra.ai/models/v0/providers/firmware). Before this check
``ChatFirmware(use_responses_api=True)`` was accepted and silently ignored (pydantic drops
unknown arguments), so a user got chat completions while believing otherwise.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage

from fw_core.errors import ConfigurationError
from fw_core.model_table import DEFAULTS
from fw_core.testing import WireDouble
from langchain_fw import ChatFirmware
from llamaindex_fw import Firmware

MODEL = DEFAULTS["firmware_chat"]


def _wired(double: WireDouble) -> dict[str, Any]:
    return {"api_key": "test-key", "http_client": httpx.Client(transport=double.transport())}


@pytest.mark.parametrize("switch", ["use_responses_api", "use_previous_response_id"])
def test_langchain_firmware_refuses_the_responses_switch_at_construction(switch: str) -> None:
    with pytest.raises(ConfigurationError, match="Firmware has no Responses API") as info:
        ChatFirmware(model=MODEL, api_key="test-key", **{switch: True})
    assert switch in str(info.value) and "use_responses_api=True" in str(info.value)


@pytest.mark.parametrize("switch", ["use_responses_api", "track_previous_responses"])
def test_llamaindex_firmware_refuses_the_responses_switch_at_construction(switch: str) -> None:
    with pytest.raises(ConfigurationError, match="Firmware has no Responses API"):
        Firmware(model=MODEL, api_key="test-key", **{switch: True})


def test_switches_set_off_are_accepted_and_chat_still_works() -> None:
    double = WireDouble()
    lc = ChatFirmware(model=MODEL, use_responses_api=False, **_wired(double))
    li = Firmware(model=MODEL, use_responses_api=False, **_wired(double))
    assert lc.invoke("hi").content
    assert li.chat([ChatMessage(role="user", content="hi")]).message.content
    assert [r.path for r in double.requests] == ["/api/v1/chat/completions"] * 2


def test_a_per_call_previous_response_id_is_refused_before_sending() -> None:
    double = WireDouble()
    lc = ChatFirmware(model=MODEL, **_wired(double))
    li = Firmware(model=MODEL, **_wired(double))
    with pytest.raises(ConfigurationError, match="previous_response_id"):
        lc.invoke("hi", previous_response_id="resp_1")
    with pytest.raises(ConfigurationError, match="previous_response_id"):
        li.chat([ChatMessage(role="user", content="hi")], previous_response_id="resp_1")
    assert double.requests == []


def test_llamaindex_firmware_refuses_session_id_instead_of_dropping_it() -> None:
    """``session_id`` is Fireworks' affinity header; Firmware documents none (wire.md §2)."""
    double = WireDouble()
    with pytest.raises(ConfigurationError, match="session_id is a Fireworks option"):
        Firmware(model=MODEL, session_id="user-42", **_wired(double))
    llm = Firmware(model=MODEL, **_wired(double))
    with pytest.raises(ConfigurationError, match="prompt_cache_key"):
        llm.chat([ChatMessage(role="user", content="hi")], session_id="user-42")
    assert double.requests == []
