"""LlamaIndex over stream bodies rebuilt from public reports of real Fireworks traffic.

The SSE bytes come from ``tests/_reported.py`` (each builder names the report it is built
from), served by an ``httpx.MockTransport`` (docs/wire.md §8).
"""

from __future__ import annotations

import json

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage, ToolCallBlock

from llamaindex_fw import Fireworks
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
ASK = [ChatMessage(role="user", content="go")]


def _llm(handler: httpx.MockTransport) -> Fireworks:
    return Fireworks(
        model=MODEL,
        api_key="test-key",
        max_retries=0,
        http_client=httpx.Client(transport=handler),
        async_http_client=httpx.AsyncClient(transport=handler),
    )


def _streaming(body: bytes) -> Fireworks:
    return _llm(
        httpx.MockTransport(
            lambda r: httpx.Response(
                200, headers={"content-type": "text/event-stream"}, content=body
            )
        )
    )


@pytest.mark.parametrize(
    ("body", "call_id", "name", "args"),
    [
        (glm_repeated_tool_fields(), "chatcmpl-tool-aa62", "debug_tool", GLM_ARGS),
        (weather_repeated_id(), "call_sp6sdwt7GS7X4QZO1T7npswg", "get_weather", WEATHER_ARGS),
        (kimi_repeated_name(), "functions.search_files:99", "search_files", KIMI_ARGS),
    ],
    ids=["sillytavern-5948-glm", "litellm-8988-id", "hermes-8089-kimi"],
)
async def test_repeated_id_and_name_stay_one_call(
    body: bytes, call_id: str, name: str, args: str
) -> None:
    """SillyTavern PR 5948, litellm issue 8988, hermes-agent issue 8089 (URLs in
    tests/_reported.py): id and name repeated on every fragment are one call."""
    llm = _streaming(body)
    for responses in (
        list(llm.stream_chat(ASK)),
        [r async for r in await llm.astream_chat(ASK)],
    ):
        selections = llm.get_tool_calls_from_response(responses[-1])
        assert [(s.tool_id, s.tool_name, s.tool_kwargs) for s in selections] == [
            (call_id, name, json.loads(args))
        ]


@pytest.mark.parametrize("arguments", ["null", "", " null"])
def test_no_argument_tool_answered_null_streamed(arguments: str) -> None:
    """A no-argument tool answered ``"null"`` / ``""`` (sources: ``tool_args_null``)."""
    llm = _streaming(tool_args_null(arguments, pieces=2))
    final = list(llm.stream_chat(ASK))[-1]
    (sel,) = llm.get_tool_calls_from_response(final)
    assert (sel.tool_name, sel.tool_kwargs) == ("get_time", {})


@pytest.mark.parametrize("arguments", ["null", "", " null\n"])
def test_no_argument_tool_answered_null_is_a_call_with_no_arguments(arguments: str) -> None:
    payload = {
        "id": "chatcmpl-noargs",
        "object": "chat.completion",
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
    }
    llm = _llm(httpx.MockTransport(lambda r: httpx.Response(200, json=payload)))
    response = llm.chat(ASK)
    (block,) = [b for b in response.message.blocks if isinstance(b, ToolCallBlock)]
    assert (block.tool_call_id, block.tool_name, block.tool_kwargs) == (
        "chatcmpl-tool-0001",
        "get_time",
        {},
    )
    (sel,) = llm.get_tool_calls_from_response(response)
    assert sel.tool_kwargs == {}
