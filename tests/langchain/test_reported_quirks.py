"""LangChain over stream bodies rebuilt from public reports of real Fireworks traffic.

The SSE bytes come from ``tests/_reported.py`` (each builder names the report it is built
from) and are served by an ``httpx.MockTransport``; chunks are merged with ``+`` as an
agent loop does (docs/wire.md §8).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessageChunk
from langchain_core.tools import tool

from fw_core.testing import WireDouble
from langchain_fw.chat_models import ChatFireworks, ChatFirmware
from tests._reported import (
    GLM_ARGS,
    KIMI_ARGS,
    WEATHER_ARGS,
    glm_repeated_tool_fields,
    kimi_repeated_name,
    tool_args_null,
    weather_repeated_id,
)

MODEL = "accounts/fireworks/models/glm-5p2"


@tool
def get_weather(input_data: dict) -> str:
    """Current weather at a point."""
    return "sunny"


@tool
def get_time() -> str:
    """The time now."""
    return "noon"


def _llm(body: bytes) -> ChatFireworks:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    return ChatFireworks(
        model=MODEL,
        api_key="test-key",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )


def _merged(chunks: Any) -> AIMessageChunk:
    full = None
    for c in chunks:
        full = c if full is None else full + c
    assert isinstance(full, AIMessageChunk)
    return full


def test_repeated_id_and_name_on_every_fragment_merge_to_one_call() -> None:
    """litellm issue 8988 (https://github.com/BerriAI/litellm/issues/8988): Fireworks sent
    the call id (and, as SillyTavern PR 5948 shows, the name) on every fragment; merged
    LangChain chunks used to read ``get_weatherget_weather...``."""
    llm = _llm(weather_repeated_id()).bind_tools([get_weather])
    full = _merged(llm.stream("weather in Dublin?"))
    assert not full.invalid_tool_calls
    (call,) = full.tool_calls
    assert call["name"] == "get_weather"
    assert call["id"] == "call_sp6sdwt7GS7X4QZO1T7npswg"
    assert call["args"] == json.loads(WEATHER_ARGS)
    assert full.response_metadata["finish_reason"] == "tool_calls"


@pytest.mark.parametrize(
    ("body", "call_id", "name", "args"),
    [
        (glm_repeated_tool_fields(), "chatcmpl-tool-aa62", "debug_tool", GLM_ARGS),
        (kimi_repeated_name(), "functions.search_files:99", "search_files", KIMI_ARGS),
    ],
    ids=["sillytavern-5948-glm", "hermes-8089-kimi"],
)
async def test_reported_streams_merge_in_async_too(
    body: bytes, call_id: str, name: str, args: str
) -> None:
    """SillyTavern PR 5948 (https://github.com/SillyTavern/SillyTavern/pull/5948) and
    hermes-agent issue 8089 (https://github.com/NousResearch/hermes-agent/issues/8089)."""
    chunks = [c async for c in _llm(body).astream("go")]
    full = _merged(chunks)
    assert [(c["id"], c["name"], c["args"]) for c in full.tool_calls] == [
        (call_id, name, json.loads(args))
    ]
    # Each chunk on its own names the call at most once (no chunk repeats a name).
    named = [tc["name"] for c in chunks for tc in c.tool_call_chunks if tc["name"]]
    assert named == [name]


@pytest.mark.parametrize("arguments", ["null", "", " null"])
@pytest.mark.parametrize("cut", [1, 2])
def test_no_argument_tool_answered_null_is_a_valid_call_streamed(arguments: str, cut: int) -> None:
    """A no-argument tool answered with arguments ``"null"`` / ``""`` (sources in
    tests/_reported.py ``tool_args_null``) is a call with ``{}``, not an invalid call."""
    llm = _llm(tool_args_null(arguments, pieces=cut)).bind_tools([get_time])
    full = _merged(llm.stream("what time is it?"))
    assert full.invalid_tool_calls == []
    assert [(c["name"], c["args"]) for c in full.tool_calls] == [("get_time", {})]


@pytest.mark.parametrize("arguments", ["null", "", "  "])
def test_no_argument_tool_answered_null_is_a_valid_call(arguments: str) -> None:
    payload = {
        "id": "chatcmpl-noargs",
        "object": "chat.completion",
        "created": 1783459695,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "chatcmpl-tool-0001",
                            "type": "function",
                            "function": {"name": "get_time", "arguments": arguments},
                        }
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
    }
    llm = ChatFireworks(
        model=MODEL,
        api_key="test-key",
        max_retries=0,
        http_client=httpx.Client(
            transport=httpx.MockTransport(lambda r: httpx.Response(200, json=payload))
        ),
    ).bind_tools([get_time])
    msg = llm.invoke("what time is it?")
    assert msg.invalid_tool_calls == []
    assert [(c["id"], c["name"], c["args"]) for c in msg.tool_calls] == [
        ("chatcmpl-tool-0001", "get_time", {})
    ]


def test_arguments_that_are_not_an_object_stay_an_invalid_call() -> None:
    payload = {
        "id": "x",
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "id": "t",
                            "type": "function",
                            "function": {"name": "f", "arguments": "[1]"},
                        }
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ],
    }
    llm = ChatFireworks(
        model=MODEL,
        api_key="test-key",
        max_retries=0,
        http_client=httpx.Client(
            transport=httpx.MockTransport(lambda r: httpx.Response(200, json=payload))
        ),
    )
    msg = llm.invoke("go")
    assert msg.tool_calls == []
    (bad,) = msg.invalid_tool_calls
    assert (bad["name"], bad["args"]) == ("f", "[1]")
    assert "not a JSON object" in (bad["error"] or "")


@tool
def get_time_in(city: str) -> str:
    """Local time in a city."""
    return "noon"


@tool
def get_weather_in(city: str) -> str:
    """Current weather in a city."""
    return "sunny"


@pytest.mark.parametrize("cls", [ChatFireworks, ChatFirmware])
def test_parallel_calls_from_a_double_that_repeats_names_merge_right(cls: type) -> None:
    """The wire double streaming the repeating pattern of docs/wire.md §8, two parallel
    calls, sync and async, merged with ``+`` as an agent loop does."""
    double = WireDouble(repeat_tool_fields=True)
    llm = cls(
        model=MODEL if cls is ChatFireworks else "openai/gpt-4o",
        api_key="test-key",
        max_retries=0,
        http_client=httpx.Client(transport=double.transport()),
    ).bind_tools([get_weather_in, get_time_in])
    chunks = list(llm.stream("Use get_weather_in and get_time_in for 'Paris'."))
    frames = [tc for c in chunks for tc in c.tool_call_chunks]
    assert sum(1 for tc in frames if tc["name"]) == 2  # one name per call, not per fragment
    full = _merged(chunks)
    assert [(c["name"], c["args"]) for c in full.tool_calls] == [
        ("get_weather_in", {"city": "Paris"}),
        ("get_time_in", {"city": "Paris"}),
    ]
    assert len({c["id"] for c in full.tool_calls}) == 2
