"""Every provider rule is enforced the same way by both frameworks.

The rules live once, in the provider spec (:mod:`fw_core.providers`,
:mod:`fw_core.kit.chat_options`): Firmware's thinking budget, which embedding models take
``dimensions``, the type of Fireworks' ``context_length_exceeded_behavior`` (its values are
the server's: docs/architecture.md §2, tolerant reader). A bad configured
option is refused at construction with :class:`~fw_core.errors.ConfigurationError`; a bad
option passed per call is refused before any request (the wire double sees nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage

from fw_core import errors as fe
from fw_core.testing import WireDouble
from langchain_fw import ChatFireworks, ChatFirmware, FirmwareEmbeddings
from llamaindex_fw import Fireworks, Firmware, FirmwareEmbedding

FM_MODEL = "anthropic/claude-sonnet-4-5-20250929"
FW_MODEL = "kimi-k2-instruct-0905"
BAD_BUDGET = {"type": "enabled", "budget_tokens": 10}
GOOD_BUDGET = {"type": "enabled", "budget_tokens": 2048}


def _lc(double: WireDouble) -> dict[str, Any]:
    return {
        "api_key": "test-key",
        "http_client": httpx.Client(transport=double.transport()),
        "http_async_client": httpx.AsyncClient(transport=double.async_transport()),
    }


def _li(double: WireDouble) -> dict[str, Any]:
    return {
        "api_key": "test-key",
        "http_client": httpx.Client(transport=double.transport()),
        "async_http_client": httpx.AsyncClient(transport=double.async_transport()),
    }


# (id, constructor, words the message must contain)
_CONSTRUCTION: list[tuple[str, Callable[[WireDouble], object], str]] = [
    (
        "lc-thinking-budget",
        lambda d: ChatFirmware(model=FM_MODEL, thinking=BAD_BUDGET, **_lc(d)),
        "budget_tokens must be at least 1024",
    ),
    (
        "li-thinking-budget",
        lambda d: Firmware(model=FM_MODEL, thinking=BAD_BUDGET, **_li(d)),
        "budget_tokens must be at least 1024",
    ),
    (
        "lc-thinking-above-max-tokens",
        lambda d: ChatFirmware(model=FM_MODEL, thinking=GOOD_BUDGET, max_tokens=1024, **_lc(d)),
        "smaller than max_tokens",
    ),
    (
        "li-thinking-above-max-tokens",
        lambda d: Firmware(model=FM_MODEL, thinking=GOOD_BUDGET, max_tokens=1024, **_li(d)),
        "smaller than max_tokens",
    ),
    (
        "lc-dimensions-model",
        lambda d: FirmwareEmbeddings(model="voyage-4", dimensions=256, **_lc(d)),
        "does not take 'dimensions'",
    ),
    (
        "li-dimensions-model",
        lambda d: FirmwareEmbedding(model_name="voyage-4", dimensions=256, **_li(d)),
        "does not take 'dimensions'",
    ),
    (
        "lc-n",
        lambda d: ChatFireworks(model=FW_MODEL, n=0, **_lc(d)),
        "n must be an integer >= 1",
    ),
]


@pytest.mark.parametrize(("make", "words"), [pytest.param(m, w, id=i) for i, m, w in _CONSTRUCTION])
def test_bad_options_are_refused_at_construction(
    make: Callable[[WireDouble], object], words: str
) -> None:
    double = WireDouble()
    with pytest.raises(fe.ConfigurationError, match=words):
        make(double)
    assert double.requests == []


def test_valid_options_are_accepted_by_both() -> None:
    double = WireDouble()
    ChatFirmware(model=FM_MODEL, thinking=GOOD_BUDGET, max_tokens=4096, **_lc(double))
    Firmware(model=FM_MODEL, thinking=GOOD_BUDGET, max_tokens=4096, **_li(double))
    ChatFirmware(model=FM_MODEL, thinking={"type": "disabled"}, **_lc(double))
    Firmware(model=FM_MODEL, thinking={"type": "disabled"}, **_li(double))
    FirmwareEmbeddings(model="text-embedding-3-small", dimensions=64, **_lc(double))
    FirmwareEmbedding(model_name="text-embedding-3-small", dimensions=64, **_li(double))
    assert double.requests == []


_USER = [ChatMessage(role="user", content="hi")]

# (id, the call, words the message must contain): the class itself is configured well
_PER_CALL: list[tuple[str, Callable[[WireDouble], Any], str]] = [
    (
        "lc-invoke-thinking",
        lambda d: ChatFirmware(model=FM_MODEL, **_lc(d)).invoke("hi", thinking=BAD_BUDGET),
        "at least 1024",
    ),
    (
        "lc-stream-thinking",
        lambda d: list(ChatFirmware(model=FM_MODEL, **_lc(d)).stream("hi", thinking=BAD_BUDGET)),
        "at least 1024",
    ),
    (
        "lc-invoke-max-tokens-below-budget",
        lambda d: ChatFirmware(model=FM_MODEL, thinking=GOOD_BUDGET, **_lc(d)).invoke(
            "hi", max_tokens=1024
        ),
        "smaller than max_tokens",
    ),
    (
        "lc-invoke-fireworks-option",
        lambda d: ChatFireworks(model=FW_MODEL, **_lc(d)).invoke(
            "hi", context_length_exceeded_behavior=1
        ),
        "context_length_exceeded_behavior must be a string",
    ),
    (
        "li-chat-thinking",
        lambda d: Firmware(model=FM_MODEL, **_li(d)).chat(_USER, thinking=BAD_BUDGET),
        "at least 1024",
    ),
    (
        "li-stream-chat-thinking",
        lambda d: list(Firmware(model=FM_MODEL, **_li(d)).stream_chat(_USER, thinking=BAD_BUDGET)),
        "at least 1024",
    ),
    (
        "li-complete-max-tokens-below-budget",
        lambda d: Firmware(model=FM_MODEL, thinking=GOOD_BUDGET, **_li(d)).complete(
            "hi", max_tokens=1024
        ),
        "smaller than max_tokens",
    ),
    (
        "li-additional-kwargs",  # extra body fields are checked with the request body
        lambda d: Fireworks(
            model=FW_MODEL, additional_kwargs={"context_length_exceeded_behavior": 0}, **_li(d)
        ).chat(_USER),
        "context_length_exceeded_behavior must be a string",
    ),
    (
        "li-chat-fireworks-option",
        lambda d: Fireworks(model=FW_MODEL, **_li(d)).chat(
            _USER, context_length_exceeded_behavior=["truncate"]
        ),
        "context_length_exceeded_behavior must be a string",
    ),
]


@pytest.mark.parametrize(("call", "words"), [pytest.param(c, w, id=i) for i, c, w in _PER_CALL])
def test_bad_per_call_options_are_refused_before_any_request(
    call: Callable[[WireDouble], Any], words: str
) -> None:
    double = WireDouble()
    with pytest.raises(fe.ConfigurationError, match=words):
        call(double)
    assert double.requests == []


async def test_async_calls_refuse_before_any_request() -> None:
    double = WireDouble()
    with pytest.raises(fe.ConfigurationError, match="at least 1024"):
        await ChatFirmware(model=FM_MODEL, **_lc(double)).ainvoke("hi", thinking=BAD_BUDGET)
    with pytest.raises(fe.ConfigurationError, match="at least 1024"):
        await Firmware(model=FM_MODEL, **_li(double)).achat(_USER, thinking=BAD_BUDGET)
    assert double.requests == []


def test_response_extras_come_from_the_spec() -> None:
    double = WireDouble()
    lc = ChatFirmware(model=FM_MODEL, mcp_servers=["dedalus-labs/brave-search"], **_lc(double))
    li = Firmware(model=FM_MODEL, mcp_servers=["dedalus-labs/brave-search"], **_li(double))
    lc_meta = lc.invoke("Latest news on MCP?").response_metadata
    li_meta = li.chat([ChatMessage(role="user", content="Latest news on MCP?")]).additional_kwargs
    assert lc_meta["tools_executed"] and lc_meta["tools_executed"] == li_meta["tools_executed"]
