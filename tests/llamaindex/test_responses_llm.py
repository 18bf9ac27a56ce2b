"""``FireworksResponses`` against the wire double (docs/wire.md §1.18).

What an ``OpenAIResponses`` user relies on: chat/complete answer with the response id,
``track_previous_responses`` continues from the last answer sending only the new message,
tools round-trip through ``chat_with_tools`` and tool messages, streams add up to the
final message, structured output goes as ``text.format``, server-executed (MCP) items
land in ``built_in_tool_calls``. Class modelled on llama-index-llms-openai's
``OpenAIResponses`` (https://github.com/run-llama/llama_index,
``llama-index-integrations/llms/llama-index-llms-openai``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage, MessageRole, ToolCallBlock
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from fw_core import ConfigurationError, StreamError
from fw_core.testing import Fault, WireDouble
from llamaindex_fw import FireworksResponses

MODEL = "llama-v3p3-70b-instruct"


def get_weather(city: str) -> str:
    """Current weather in a city."""
    return f"sunny in {city}"


WEATHER = FunctionTool.from_defaults(get_weather)


def _llm(clients: dict[str, Any], **kw: Any) -> FireworksResponses:
    return FireworksResponses(model=MODEL, api_key="test-key", max_retries=0, **clients, **kw)


def _sent(double: WireDouble) -> dict[str, Any]:
    rec = double.requests[-1]
    assert rec.path == "/inference/v1/responses" and isinstance(rec.json, dict)
    return rec.json


def test_chat_answers_with_the_response_id(clients: dict[str, Any], double: WireDouble) -> None:
    r = _llm(clients, max_tokens=100).chat([ChatMessage(role="user", content="Capital of France?")])
    assert "France" in (r.message.content or "")
    assert r.additional_kwargs["response_id"].startswith("resp_")
    assert r.additional_kwargs["total_tokens"] > 0
    assert _sent(double)["max_output_tokens"] == 100


def test_track_previous_responses_sends_only_the_new_message(
    clients: dict[str, Any], double: WireDouble
) -> None:
    llm = _llm(clients, track_previous_responses=True)
    history = [ChatMessage(role="user", content="Remember the word tangerine.")]
    first = llm.chat(history)
    history += [first.message, ChatMessage(role="user", content="Which word?")]
    llm.chat(history)
    sent = _sent(double)
    assert sent["previous_response_id"] == first.additional_kwargs["response_id"]
    assert sent["input"] == [{"role": "user", "content": "Which word?"}]
    llm.reset_previous_response()
    assert llm.previous_response_id is None


def test_store_false_cannot_be_tracked(clients: dict[str, Any]) -> None:
    llm = _llm(clients, track_previous_responses=True, store=False)
    with pytest.raises(ConfigurationError, match="store=False"):
        llm.chat([ChatMessage(role="user", content="hi")])


def test_tools_round_trip(clients: dict[str, Any], double: WireDouble) -> None:
    llm = _llm(clients, max_tool_calls=2)
    first = llm.chat_with_tools([WEATHER], user_msg="Use get_weather for Paris")
    [call] = llm.get_tool_calls_from_response(first)
    assert call.tool_name == "get_weather" and call.tool_kwargs["city"]
    assert _sent(double)["max_tool_calls"] == 2
    output = WEATHER(**call.tool_kwargs)
    history = [
        ChatMessage(role="user", content="Use get_weather for Paris"),
        first.message,
        ChatMessage(
            role=MessageRole.TOOL,
            content=str(output),
            additional_kwargs={"tool_call_id": call.tool_id},
        ),
    ]
    answer = llm.chat_with_tools([WEATHER], chat_history=history)
    sent = _sent(double)
    assert sent["input"][1]["type"] == "function_call"
    assert sent["input"][2] == {
        "type": "function_call_output",
        "call_id": call.tool_id,
        "output": str(output),
    }
    assert not llm.get_tool_calls_from_response(answer, error_on_no_tool_call=False)
    assert "sunny" in (answer.message.content or "")


def test_stream_adds_up_to_the_final_message(clients: dict[str, Any]) -> None:
    llm = _llm(clients)
    msgs = [ChatMessage(role="user", content="Describe the sea in a sentence.")]
    plain = llm.chat(msgs)
    parts = list(llm.stream_chat(msgs))
    assert len(parts) > 2
    assert "".join(p.delta or "" for p in parts) == plain.message.content
    assert parts[-1].message.content == plain.message.content
    assert parts[-1].additional_kwargs["response_id"] == plain.additional_kwargs["response_id"]


def test_streamed_tool_calls(clients: dict[str, Any]) -> None:
    llm = _llm(clients)
    parts = list(llm.stream_chat_with_tools([WEATHER], user_msg="Use get_weather for Rome"))
    blocks = [b for b in parts[-1].message.blocks if isinstance(b, ToolCallBlock)]
    assert [b.tool_name for b in blocks] == ["get_weather"]


def test_async_chat_and_stream(clients: dict[str, Any]) -> None:
    llm = _llm(clients)
    msgs = [ChatMessage(role="user", content="Name three rivers.")]

    async def run() -> tuple[Any, Any]:
        plain = await llm.achat(msgs)
        last = None
        async for part in await llm.astream_chat(msgs):
            last = part
        return plain, last

    plain, last = asyncio.run(run())
    assert last is not None and last.message.content == plain.message.content


class City(BaseModel):
    name: str
    country: str


def test_structured_predict_goes_as_text_format(
    clients: dict[str, Any], double: WireDouble
) -> None:
    from llama_index.core.prompts import PromptTemplate

    city = _llm(clients).structured_predict(City, PromptTemplate("Paris is in France."))
    assert isinstance(city, City)
    fmt = _sent(double)["text"]["format"]
    assert fmt["type"] == "json_schema" and set(fmt["schema"]["properties"]) == {"name", "country"}


def test_built_in_mcp_tools(clients: dict[str, Any], double: WireDouble) -> None:
    mcp = {"type": "mcp", "server_label": "gitmcp", "server_url": "https://gitmcp.io/docs"}
    r = _llm(clients, built_in_tools=[mcp], reasoning={"effort": "low"}, store=False).chat(
        [ChatMessage(role="user", content="What is reward-kit?")]
    )
    [item] = r.message.additional_kwargs["built_in_tool_calls"]
    assert item["type"] == "mcp_call" and item["server_label"] == "gitmcp"
    sent = _sent(double)
    assert sent["tools"] == [mcp] and sent["reasoning"] == {"effort": "low"}
    assert sent["store"] is False and r.raw.store is False


def test_a_cut_stream_raises(clients: dict[str, Any], double: WireDouble) -> None:
    double.inject(Fault.cut_stream(after=4), path="/responses")
    with pytest.raises(StreamError):
        list(_llm(clients).stream_chat([ChatMessage(role="user", content="Describe the sea.")]))


def test_tracking_sends_every_tool_result_of_a_parallel_call(
    clients: dict[str, Any], double: WireDouble
) -> None:
    llm = _llm(clients, track_previous_responses=True)
    question = ChatMessage(role="user", content="Use get_weather for Paris and for Rome")
    first = llm.chat_with_tools([WEATHER], chat_history=[question], allow_parallel_tool_calls=True)
    calls = llm.get_tool_calls_from_response(first, error_on_no_tool_call=False)
    results = [
        ChatMessage(
            role=MessageRole.TOOL,
            content=f"sunny {n}",
            additional_kwargs={"tool_call_id": c.tool_id},
        )
        for n, c in enumerate(calls or [])
    ]
    llm.chat_with_tools([WEATHER], chat_history=[question, first.message, *results])
    sent = _sent(double)
    assert sent["previous_response_id"] == first.additional_kwargs["response_id"]
    assert [i["type"] for i in sent["input"]] == ["function_call_output"] * len(results)
    assert results


def test_extra_headers_reach_the_responses_request_on_every_path(
    clients: dict[str, Any], double: WireDouble
) -> None:
    """``extra_headers`` (field and per call) are sent as headers in Responses mode too, on
    chat, stream_chat, achat and astream_chat, and never land in the body."""
    llm = _llm(clients, extra_headers={"x-session-affinity": "field"})
    ask = [ChatMessage(role=MessageRole.USER, content="Hi")]
    llm.chat(ask)
    assert double.requests[-1].headers.get("x-session-affinity") == "field"
    list(llm.stream_chat(ask, extra_headers={"x-session-affinity": "call"}))
    assert double.requests[-1].headers.get("x-session-affinity") == "call"
    asyncio.run(llm.achat(ask, extra_headers={"x-prompt-cache-isolation-key": "t1"}))
    sent = double.requests[-1]
    assert sent.headers.get("x-prompt-cache-isolation-key") == "t1"
    assert sent.headers.get("x-session-affinity") == "field"

    async def drain() -> None:
        async for _ in await llm.astream_chat(ask, extra_headers={"x-session-affinity": "a"}):
            pass

    asyncio.run(drain())
    assert double.requests[-1].headers.get("x-session-affinity") == "a"
    assert all("extra_headers" not in (r.json or {}) for r in double.requests)
