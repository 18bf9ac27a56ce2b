"""``ChatFireworks(use_responses_api=True)`` against the wire double (docs/wire.md §1.18).

What a ChatOpenAI user relies on in Responses mode: content is a list of blocks (text with
the item id, reasoning), ``response_metadata["id"]`` continues the conversation through
``previous_response_id=`` (or ``use_previous_response_id=True``), a stream adds up to the
invoked message, bound tools round-trip through ``function_call`` / ``function_call_output``
items, ``with_structured_output`` goes as ``text.format``, MCP items pass through.
Mapping learned from langchain-openai (https://github.com/langchain-ai/langchain,
``libs/partners/openai/langchain_openai/chat_models/base.py``,
``_construct_responses_api_payload``).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from fw_core import errors as fe
from fw_core.testing import Fault, WireDouble
from langchain_fw.chat_models import ChatFireworks

FW = "accounts/fireworks/models/llama-v3p3-70b-instruct"
THINKER = "accounts/fireworks/models/qwen3-235b-a22b"


@pytest.fixture
def double() -> WireDouble:
    return WireDouble()


def _on(double: WireDouble, **kw: Any) -> ChatFireworks:
    kw.setdefault("model", FW)
    kw.setdefault("use_responses_api", True)
    return ChatFireworks(
        http_client=httpx.Client(transport=double.transport()),
        http_async_client=httpx.AsyncClient(transport=double.async_transport()),
        max_retries=0,
        **kw,
    )


@tool
def get_weather(city: str) -> str:
    """Current weather in a city."""
    return f"sunny in {city}"


def _sent(double: WireDouble) -> dict[str, Any]:
    rec = double.requests[-1]
    assert rec.path == "/inference/v1/responses"
    assert isinstance(rec.json, dict)
    return rec.json


def test_invoke_returns_content_blocks_id_and_usage(double: WireDouble) -> None:
    msg = _on(double, max_tokens=200).invoke("Name the capital of France.")
    assert isinstance(msg.content, list)
    [block] = msg.content
    assert isinstance(block, dict) and block["type"] == "text" and "France" in block["text"]
    assert block["id"].startswith("msg_")
    assert msg.text == block["text"]
    assert msg.id == msg.response_metadata["id"] and msg.id.startswith("resp_")
    assert msg.response_metadata["model_provider"] == "fireworks"
    assert msg.usage_metadata is not None and msg.usage_metadata["input_tokens"] > 0
    sent = _sent(double)
    assert sent["max_output_tokens"] == 200 and "max_tokens" not in sent
    assert sent["input"] == [{"role": "user", "content": "Name the capital of France."}]


def test_reasoning_is_a_content_block_and_the_option_is_sent(double: WireDouble) -> None:
    llm = _on(double, model=THINKER, reasoning={"effort": "low", "summary": "auto"})
    msg = llm.invoke("Why is the sky blue?")
    kinds = [b["type"] for b in msg.content if isinstance(b, dict)]
    assert kinds == ["reasoning", "text"]
    assert msg.content[0]["reasoning"]  # type: ignore[index]
    assert _sent(double)["reasoning"] == {"effort": "low", "summary": "auto"}


def test_reasoning_effort_field_maps_to_reasoning(double: WireDouble) -> None:
    _on(double, model=THINKER, reasoning_effort="high").invoke("Hi")
    sent = _sent(double)
    assert sent["reasoning"] == {"effort": "high"} and "reasoning_effort" not in sent


def test_previous_response_id_per_call_continues_the_conversation(double: WireDouble) -> None:
    llm = _on(double)
    first = llm.invoke("My name is Ada Lovelace.")
    second = llm.invoke(
        "What did I say my name was?", previous_response_id=first.response_metadata["id"]
    )
    sent = _sent(double)
    assert sent["previous_response_id"] == first.id
    assert sent["input"] == [{"role": "user", "content": "What did I say my name was?"}]
    assert second.response_metadata["previous_response_id"] == first.id


def test_previous_response_id_alone_switches_a_chat_model_to_responses(
    double: WireDouble,
) -> None:
    first = _on(double).invoke("Remember the word tangerine.")
    chat = _on(double, use_responses_api=False)
    chat.invoke("Which word?", previous_response_id=first.id)
    assert _sent(double)["previous_response_id"] == first.id


def test_use_previous_response_id_sends_only_the_new_messages(double: WireDouble) -> None:
    llm = _on(double, use_previous_response_id=True)
    history: list[Any] = [HumanMessage("Remember the word tangerine.")]
    history.append(llm.invoke(history))
    history.append(HumanMessage("Which word did I ask you to remember?"))
    llm.invoke(history)
    sent = _sent(double)
    assert sent["previous_response_id"] == history[1].id
    assert sent["input"] == [{"role": "user", "content": "Which word did I ask you to remember?"}]


def test_responses_options_without_the_mode_are_refused() -> None:
    with pytest.raises(ValueError, match="use_responses_api=True"):
        ChatFireworks(model=FW, api_key="k", store=False)
    with pytest.raises(ValueError, match="store=False"):
        ChatFireworks(
            model=FW,
            api_key="k",
            use_responses_api=True,
            use_previous_response_id=True,
            store=False,
        )
    with pytest.raises(ValueError, match="max_tool_calls"):
        ChatFireworks(model=FW, api_key="k", use_responses_api=True, max_tool_calls=-1)


def test_store_and_max_tool_calls_are_sent(double: WireDouble) -> None:
    llm = _on(double, store=False, max_tool_calls=1).bind_tools([get_weather])
    msg = llm.invoke("Use get_weather for Paris and Rome")
    sent = _sent(double)
    assert sent["store"] is False and sent["max_tool_calls"] == 1
    assert len(msg.tool_calls) == 1
    with pytest.raises(fe.NotFoundError):
        _on(double).invoke("and?", previous_response_id=msg.id)


def test_stream_adds_up_to_the_invoked_message(double: WireDouble) -> None:
    llm = _on(double)
    invoked = llm.invoke("Describe the sea in one sentence.")
    chunks = list(llm.stream("Describe the sea in one sentence."))
    assert len(chunks) > 2 and all(isinstance(c, AIMessageChunk) for c in chunks)
    assert chunks[-1].chunk_position == "last"
    full = chunks[0]
    for c in chunks[1:]:
        full = full + c
    assert full.text == invoked.text
    assert full.id == invoked.id
    assert full.response_metadata["id"] == invoked.response_metadata["id"]
    assert full.usage_metadata == invoked.usage_metadata
    [block] = full.content
    assert isinstance(block, dict) and block["type"] == "text" and block["id"].startswith("msg_")


def test_tool_calls_round_trip(double: WireDouble) -> None:
    llm = _on(double).bind_tools([get_weather])
    question = HumanMessage("Use get_weather for Paris")
    ai = llm.invoke([question])
    [call] = ai.tool_calls
    assert call["name"] == "get_weather" and call["args"]["city"]
    result = get_weather.invoke(call)
    assert isinstance(result, ToolMessage)
    answer = llm.invoke([question, ai, result])
    sent = _sent(double)
    assert sent["tools"][0]["type"] == "function" and sent["tools"][0]["name"] == "get_weather"
    assert sent["input"][1] == {
        "type": "function_call",
        "call_id": call["id"],
        "name": "get_weather",
        "arguments": json.dumps(call["args"]),
    }
    assert sent["input"][2] == {
        "type": "function_call_output",
        "call_id": call["id"],
        "output": result.content,
    }
    assert not answer.tool_calls and "sunny" in answer.text


def test_streamed_tool_calls_match_invoked(double: WireDouble) -> None:
    llm = _on(double).bind_tools([get_weather], tool_choice="get_weather")
    invoked = llm.invoke("Weather in Oslo?")
    full: Any = None
    for c in llm.stream("Weather in Oslo?"):
        full = c if full is None else full + c
    assert full.tool_calls == invoked.tool_calls
    assert _sent(double)["tool_choice"] == {"type": "function", "name": "get_weather"}


class Person(BaseModel):
    name: str
    age: int


def test_structured_output_goes_as_text_format(double: WireDouble) -> None:
    llm = _on(double).with_structured_output(Person)
    person = llm.invoke("Anna is 31 years old.")
    assert isinstance(person, Person)
    fmt = _sent(double)["text"]["format"]
    assert fmt["type"] == "json_schema" and fmt["name"] == "Person"
    assert fmt["schema"]["properties"].keys() == {"name", "age"}


def test_mcp_items_pass_through_as_blocks(double: WireDouble) -> None:
    mcp = {"type": "mcp", "server_label": "gitmcp", "server_url": "https://gitmcp.io/docs"}
    llm = _on(double).bind_tools([mcp])
    msg = llm.invoke("What is reward-kit?")
    kinds = [b["type"] for b in msg.content if isinstance(b, dict)]
    assert kinds == ["mcp_call", "text"]
    assert _sent(double)["tools"] == [mcp]
    streamed: Any = None
    for c in llm.stream("What is reward-kit?"):
        streamed = c if streamed is None else streamed + c
    assert [b["type"] for b in streamed.content] == ["mcp_call", "text"]


def test_async_invoke_and_stream(double: WireDouble) -> None:
    llm = _on(double)

    async def run() -> tuple[AIMessage, Any]:
        invoked = await llm.ainvoke("Name three rivers.")
        full: Any = None
        async for c in llm.astream("Name three rivers."):
            full = c if full is None else full + c
        return invoked, full

    invoked, full = asyncio.run(run())
    assert full.text == invoked.text and full.id == invoked.id


def test_a_cut_stream_raises(double: WireDouble) -> None:
    double.inject(Fault.cut_stream(after=4), path="/responses")
    with pytest.raises(fe.StreamError):
        list(_on(double).stream("Describe the sea."))


def test_extra_headers_reach_the_responses_request_on_every_path(double: WireDouble) -> None:
    """Per-call and constructor ``extra_headers`` are sent in Responses mode too, and stay out
    of the body (invoke, stream, ainvoke, astream)."""
    llm = _on(double, extra_headers={"x-session-affinity": "field"})
    llm.invoke("Hi")
    assert double.requests[-1].headers.get("x-session-affinity") == "field"
    list(llm.stream("Hi", extra_headers={"x-session-affinity": "call"}))
    assert double.requests[-1].headers.get("x-session-affinity") == "call"
    asyncio.run(llm.ainvoke("Hi", extra_headers={"x-prompt-cache-isolation-key": "t1"}))
    sent = double.requests[-1]
    assert sent.headers.get("x-prompt-cache-isolation-key") == "t1"
    assert sent.headers.get("x-session-affinity") == "field"

    async def drain() -> None:
        async for _ in llm.astream("Hi", extra_headers={"x-session-affinity": "a"}):
            pass

    asyncio.run(drain())
    assert double.requests[-1].headers.get("x-session-affinity") == "a"
    assert all("extra_headers" not in (r.json or {}) for r in double.requests)
