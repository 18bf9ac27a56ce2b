"""Fireworks / Firmware LLM behaviour against the wire double's transport (no cassettes)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.callbacks import CBEventType
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from llama_index.core.types import PydanticProgramMode
from pydantic import BaseModel

from fw_core.errors import BadRequestError, StreamError
from fw_core.testing import Fault, WireDouble, patch_transports
from llamaindex_fw import Fireworks, Firmware


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


TOOLS = [FunctionTool.from_defaults(add), FunctionTool.from_defaults(multiply)]


class City(BaseModel):
    """A city and its country."""

    name: str
    country: str
    population: int


def user(text: str) -> list[ChatMessage]:
    return [ChatMessage(role="user", content=text)]


@pytest.fixture
def fw(clients: dict[str, Any]) -> Fireworks:
    return Fireworks(model="kimi-k2-instruct-0905", api_key="test-key", **clients)


@pytest.fixture
def fm(clients: dict[str, Any]) -> Firmware:
    return Firmware(model="openai/gpt-4o-mini", api_key="test-key", **clients)


# -- chat and complete, four ways -------------------------------------------------------


def test_chat_returns_text_usage_and_raw(fw: Fireworks, double: WireDouble) -> None:
    r = fw.chat(user("Tell me about the Louvre museum"))
    assert "louvre" in (r.message.content or "").lower()
    assert r.additional_kwargs["total_tokens"] > 0
    assert r.additional_kwargs["finish_reason"] == "stop"
    assert r.raw.choices[0].message.content == r.message.content
    assert double.requests[-1].json["model"] == "accounts/fireworks/models/kimi-k2-instruct-0905"


async def test_achat_uses_the_async_client_only(double: WireDouble) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("the sync client must not be used on the async path")

    llm = Firmware(
        model="openai/gpt-4o",
        api_key="test-key",
        http_client=httpx.Client(transport=httpx.MockTransport(refuse)),
        async_http_client=httpx.AsyncClient(transport=double.async_transport()),
    )
    r = await llm.achat(user("Tell me about tulips"))
    assert "tulips" in (r.message.content or "").lower()


def test_stream_chat_yields_deltas_that_add_up(fw: Fireworks) -> None:
    responses = list(fw.stream_chat(user("Describe the harbour of Marseille")))
    assert len(responses) > 2
    text = "".join(r.delta or "" for r in responses)
    assert text == responses[-1].message.content
    assert "marseille" in text.lower()
    assert responses[-1].additional_kwargs["total_tokens"] > 0


async def test_astream_chat_yields_deltas_that_add_up(fm: Firmware) -> None:
    gen = await fm.astream_chat(user("Describe the canals of Amsterdam"))
    responses = [r async for r in gen]
    assert "".join(r.delta or "" for r in responses) == responses[-1].message.content
    assert "amsterdam" in responses[-1].message.content.lower()


def test_complete_and_stream_complete(fw: Fireworks) -> None:
    done = fw.complete("Summarise the history of Lisbon")
    assert "lisbon" in done.text.lower()
    parts = list(fw.stream_complete("Summarise the history of Lisbon"))
    assert "".join(p.delta or "" for p in parts) == parts[-1].text == done.text


async def test_acomplete_and_astream_complete(fm: Firmware) -> None:
    done = await fm.acomplete("Summarise the history of Porto")
    parts = [p async for p in await fm.astream_complete("Summarise the history of Porto")]
    assert parts[-1].text == done.text and "porto" in done.text.lower()


def test_one_client_is_created_and_reused() -> None:
    double = WireDouble()
    with patch_transports(double):
        llm = Fireworks(model="glm-4p5", api_key="test-key")
        llm.chat(user("hello there"))
        first = llm._client()
        http = first.http_client
        llm.chat(user("hello again"))
        list(llm.stream_chat(user("and a stream")))
        assert llm._client() is first and first.http_client is http
        llm.close()


# -- options on the wire ----------------------------------------------------------------


def test_options_are_sent_as_documented(clients: dict[str, Any], double: WireDouble) -> None:
    llm = Fireworks(
        model="qwen3-235b-a22b",
        api_key="test-key",
        temperature=0.3,
        max_tokens=300,
        reasoning_effort="low",
        additional_kwargs={"top_k": 40, "prompt_cache_key": "s1"},
        **clients,
    )
    llm.chat(user("hi"), seed=7)
    body = double.requests[-1].json
    assert body["temperature"] == 0.3 and body["max_tokens"] == 300
    assert body["reasoning_effort"] == "low"
    assert body["top_k"] == 40 and body["prompt_cache_key"] == "s1" and body["seed"] == 7


def test_unset_options_are_not_sent(fw: Fireworks, double: WireDouble) -> None:
    fw.chat(user("hi"))
    assert set(double.requests[-1].json) == {"model", "messages"}


def test_firmware_options_and_tools_executed(clients: dict[str, Any], double: WireDouble) -> None:
    llm = Firmware(
        model="anthropic/claude-sonnet-4-5-20250929",
        api_key="test-key",
        mcp_servers=["dedalus-labs/brave-search"],
        thinking={"type": "enabled", "budget_tokens": 2048},
        generation_config={"candidateCount": 1},
        safety_settings=[{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
        **clients,
    )
    r = llm.chat(user("Latest news on MCP?"))
    body = double.requests[-1].json
    assert body["mcp_servers"] == ["dedalus-labs/brave-search"]
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert body["generation_config"] == {"candidateCount": 1}
    assert body["safety_settings"][0]["threshold"] == "BLOCK_NONE"
    executed = r.additional_kwargs["tools_executed"]
    assert executed and r.raw.tools_executed == executed
    assert isinstance(r.message.blocks[0], ThinkingBlock)  # thinking was asked for
    streamed = list(llm.stream_chat(user("Latest news on MCP?")))
    assert streamed[-1].additional_kwargs["tools_executed"] == executed


def test_api_errors_surface_typed(fw: Fireworks, double: WireDouble) -> None:
    double.inject(Fault.status(400, message="bad things"))
    with pytest.raises(BadRequestError, match="bad things"):
        fw.chat(user("hi"))
    double.inject(Fault.cut_stream(after=2), path="/chat/completions")
    with pytest.raises(StreamError):
        list(fw.stream_chat(user("a longer answer please about rivers")))


# -- reasoning --------------------------------------------------------------------------


def test_reasoning_becomes_thinking_and_goes_back_in_the_tool_loop(
    clients: dict[str, Any], double: WireDouble
) -> None:
    llm = Fireworks(model="gpt-oss-120b", api_key="test-key", reasoning_effort="medium", **clients)
    first = llm.chat_with_tools(TOOLS, user_msg="Use add on 2 and 3")
    thinking = first.message.blocks[0]
    assert isinstance(thinking, ThinkingBlock) and thinking.content
    assert first.message.additional_kwargs["reasoning_content"] == thinking.content
    call = llm.get_tool_calls_from_response(first)[0]
    history = [
        ChatMessage(role="user", content="Use add on 2 and 3"),
        first.message,
        ChatMessage(
            role="tool",
            content=str(add(**call.tool_kwargs)),
            additional_kwargs={"tool_call_id": call.tool_id},
        ),
    ]
    llm.chat_with_tools(TOOLS, chat_history=history)
    sent = double.requests[-1].json["messages"][1]
    assert sent["reasoning_content"] == thinking.content
    assert sent["tool_calls"][0]["id"] == call.tool_id


def test_streamed_reasoning_gives_thinking_deltas(clients: dict[str, Any]) -> None:
    llm = Firmware(
        model="deepseek/deepseek-reasoner", api_key="test-key", reasoning_effort="high", **clients
    )
    responses = list(llm.stream_chat(user("Why is the sky blue?")))
    thinking = "".join(r.additional_kwargs.get("thinking_delta", "") for r in responses)
    assert thinking
    final = responses[-1].message
    assert final.blocks[0] == ThinkingBlock(content=thinking)
    assert thinking not in (final.content or "")


def test_inline_think_models_are_split(clients: dict[str, Any]) -> None:
    llm = Fireworks(model="deepseek-r1-0528", api_key="test-key", **clients)
    r = llm.chat(user("What is two plus two?"))
    assert "<think>" not in (r.message.content or "")
    assert r.message.additional_kwargs.get("reasoning_content")
    streamed = list(llm.stream_chat(user("What is two plus two?")))
    assert "<think>" not in streamed[-1].message.content
    assert streamed[-1].message.content == r.message.content


# -- tools ------------------------------------------------------------------------------


def test_prepare_chat_with_tools_maps_every_option(fw: Fireworks) -> None:
    history = [ChatMessage(role="system", content="Be exact.")]
    kw = fw._prepare_chat_with_tools(
        TOOLS,
        user_msg="go",
        chat_history=history,
        tool_required=True,
        allow_parallel_tool_calls=True,
    )
    assert kw["tool_choice"] == "required" and kw["parallel_tool_calls"] is True
    assert [t["function"]["name"] for t in kw["tools"]] == ["add", "multiply"]
    assert len(kw["messages"]) == 2 and len(history) == 1  # caller's list untouched
    kw = fw._prepare_chat_with_tools(TOOLS, user_msg="go", tool_choice="multiply", strict=True)
    assert kw["tool_choice"] == {"type": "function", "function": {"name": "multiply"}}
    assert kw["parallel_tool_calls"] is False
    fn = kw["tools"][0]["function"]
    assert fn["strict"] is True and fn["parameters"]["additionalProperties"] is False
    assert "strict" not in fw._prepare_chat_with_tools(TOOLS, user_msg="go")["tools"][0]["function"]


def test_parallel_tool_calls_come_back_separately(fw: Fireworks, double: WireDouble) -> None:
    r = fw.chat_with_tools(
        TOOLS, user_msg="Use add and multiply on 6 and 7", allow_parallel_tool_calls=True
    )
    calls = fw.get_tool_calls_from_response(r)
    assert [c.tool_name for c in calls] == ["add", "multiply"]
    assert all(set(c.tool_kwargs) == {"a", "b"} for c in calls)
    assert len({c.tool_id for c in calls}) == 2
    assert double.requests[-1].json["parallel_tool_calls"] is True


def test_single_call_kept_when_parallel_calls_not_allowed(fw: Fireworks) -> None:
    message = ChatMessage(
        role="assistant",
        blocks=[
            TextBlock(text=""),
            ToolCallBlock(tool_call_id="1", tool_name="add", tool_kwargs={"a": 1, "b": 2}),
            ToolCallBlock(tool_call_id="2", tool_name="multiply", tool_kwargs={"a": 1, "b": 2}),
        ],
    )
    r = fw._validate_chat_with_tools_response(ChatResponse(message=message), TOOLS)
    assert [c.tool_name for c in fw.get_tool_calls_from_response(r)] == ["add"]


def test_no_tool_call_is_an_error_only_when_asked(fw: Fireworks) -> None:
    r = fw.chat(user("Just say hello"))
    with pytest.raises(ValueError, match="tool call"):
        fw.get_tool_calls_from_response(r)
    assert fw.get_tool_calls_from_response(r, error_on_no_tool_call=False) == []


def test_predict_and_call_runs_the_tool(fm: Firmware) -> None:
    out = fm.predict_and_call(TOOLS, user_msg="Use multiply on 6 and 7")
    assert out.sources[0].tool_name == "multiply"
    kwargs = out.sources[0].raw_input["kwargs"]
    assert out.response == str(kwargs["a"] * kwargs["b"])


# -- structured output ------------------------------------------------------------------

PROMPT = PromptTemplate("Extract the city from: {text}")


def test_structured_predict_uses_json_schema(fw: Fireworks, double: WireDouble) -> None:
    city = fw.structured_predict(City, PROMPT, text="Lyon, France, 500000 people")
    assert isinstance(city, City)
    rf = double.requests[-1].json["response_format"]
    assert rf["type"] == "json_schema" and rf["json_schema"]["name"] == "City"
    assert rf["json_schema"]["schema"]["required"] == ["name", "country", "population"]
    assert "tools" not in double.requests[-1].json


async def test_astructured_predict_with_strict(clients: dict[str, Any], double: WireDouble) -> None:
    llm = Firmware(model="openai/gpt-5-mini", api_key="test-key", strict=True, **clients)
    city = await llm.astructured_predict(City, PROMPT, text="Kyoto, Japan")
    assert isinstance(city, City)
    assert double.requests[-1].json["response_format"]["json_schema"]["strict"] is True


def test_stream_structured_predict_ends_with_the_full_object(
    fw: Fireworks, double: WireDouble
) -> None:
    parts = list(fw.stream_structured_predict(City, PROMPT, text="Oslo, Norway"))
    assert isinstance(parts[-1], City)
    assert double.requests[-1].json["stream"] is True
    assert double.requests[-1].json["response_format"]["type"] == "json_schema"


async def test_astream_structured_predict(fm: Firmware) -> None:
    parts = [p async for p in await fm.astream_structured_predict(City, PROMPT, text="Rome")]
    assert isinstance(parts[-1], City)


def test_function_mode_structured_output_forces_a_tool_call(
    clients: dict[str, Any], double: WireDouble
) -> None:
    llm = Fireworks(
        model="glm-4p5",
        api_key="test-key",
        pydantic_program_mode=PydanticProgramMode.FUNCTION,
        **clients,
    )
    city = llm.structured_predict(City, PROMPT, text="Bern, Switzerland")
    assert isinstance(city, City)
    body = double.requests[-1].json
    assert body["tool_choice"] == "required" and "response_format" not in body


# -- instrumentation --------------------------------------------------------------------


def test_chat_fires_events_and_callbacks(clients: dict[str, Any], events: Any, debug: Any) -> None:
    manager, handler = debug
    llm = Fireworks(model="glm-4p5", api_key="test-key", callback_manager=manager, **clients)
    llm.chat(user("hello"))
    list(llm.stream_chat(user("hello stream")))
    llm.complete("hello complete")
    names = events.names()
    assert names.count("LLMChatStartEvent") == 2 and names.count("LLMChatEndEvent") == 2
    assert "LLMChatInProgressEvent" in names
    assert names.count("LLMCompletionStartEvent") == 1
    assert names.count("LLMCompletionEndEvent") == 1
    pairs = handler.get_event_pairs(CBEventType.LLM)
    assert len(pairs) == 3 and all(len(p) == 2 for p in pairs)


def test_structured_predict_fires_its_events(fw: Fireworks, events: Any) -> None:
    fw.structured_predict(City, PROMPT, text="Graz, Austria")
    names = events.names()
    assert names.index("LLMStructuredPredictStartEvent") < names.index("LLMChatStartEvent")
    assert names[-1] == "LLMStructuredPredictEndEvent"


def test_streamed_structured_predict_fires_core_s_events_in_order(
    fw: Fireworks, events: Any
) -> None:
    # our public override fires what core's own stream_structured_predict fires
    parts = list(fw.stream_structured_predict(City, PROMPT, text="Oslo, Norway"))
    names = [n for n in events.names() if n.startswith("LLMStructuredPredict")]
    assert names[0] == "LLMStructuredPredictStartEvent"
    assert names[-1] == "LLMStructuredPredictEndEvent"
    assert names.count("LLMStructuredPredictInProgressEvent") == len(parts) > 0


async def test_async_streamed_structured_predict_fires_core_s_events(
    fm: Firmware, events: Any
) -> None:
    parts = [p async for p in await fm.astream_structured_predict(City, PROMPT, text="Rome")]
    names = [n for n in events.names() if n.startswith("LLMStructuredPredict")]
    assert names[0] == "LLMStructuredPredictStartEvent" and names[-1].endswith("EndEvent")
    assert names.count("LLMStructuredPredictInProgressEvent") == len(parts) > 0


@pytest.mark.parametrize("streamed", [False, True])
def test_structured_predict_sends_the_system_prompt_first(
    clients: dict[str, Any], double: WireDouble, streamed: bool
) -> None:
    llm = Fireworks(model="glm-4p5", api_key="test-key", system_prompt="Answer in JSON.", **clients)
    if streamed:
        list(llm.stream_structured_predict(City, PROMPT, text="Lyon"))
    else:
        llm.structured_predict(City, PROMPT, text="Lyon")
    messages = double.requests[-1].json["messages"]
    assert messages[0] == {"role": "system", "content": "Answer in JSON."}
    assert messages[1]["role"] == "user"


def test_the_structured_output_mixin_uses_no_private_core_hooks() -> None:
    # issue 23: no unguarded private names of llama-index-core; the four public methods are
    # overridden instead of core's _structured_stream_call / _structured_astream_call
    import inspect

    from llamaindex_fw import _structured

    source = inspect.getsource(_structured)
    for private in ("_structured_stream_call", "_structured_astream_call", "_extend_messages"):
        assert f"def {private}" not in source and f".{private}(" not in source


def test_structured_output_tolerates_a_fenced_json_answer() -> None:
    answer = '```json\n{"name": "Lyon", "country": "France", "population": 500000}\n```'

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "id": "x",
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": answer},
                    }
                ],
            },
        )

    llm = Firmware(
        model="google/gemini-2.5-flash",
        api_key="test-key",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    city = llm.structured_predict(City, PROMPT, text="Lyon")
    assert city == City(name="Lyon", country="France", population=500000)


def _tool_loop_history(llm: Any) -> list[ChatMessage]:
    first = llm.chat_with_tools(TOOLS, user_msg="Use add on 2 and 3")
    assert first.message.additional_kwargs.get("reasoning_content")
    call = llm.get_tool_calls_from_response(first)[0]
    return [
        ChatMessage(role="user", content="Use add on 2 and 3"),
        first.message,
        ChatMessage(role="tool", content="5", additional_kwargs={"tool_call_id": call.tool_id}),
    ]


@pytest.mark.parametrize("replay", [False, True])
def test_firmware_replays_reasoning_only_when_asked(
    replay: bool, clients: dict[str, Any], double: WireDouble
) -> None:
    kwargs = {"replay_reasoning": True} if replay else {}
    llm = Firmware(
        model="deepseek/deepseek-reasoner",
        api_key="test-key",
        reasoning_effort="low",
        **kwargs,
        **clients,
    )
    llm.chat_with_tools(TOOLS, chat_history=_tool_loop_history(llm))
    assert ("reasoning_content" in double.requests[-1].json["messages"][1]) is replay


def test_fireworks_perf_metrics_are_surfaced() -> None:
    metrics = {"server-time-to-first-token": 0.05, "prompt-tokens": 9}
    message = {"role": "assistant", "content": "Hi"}

    def handler(request: httpx.Request) -> httpx.Response:
        if b'"stream":true' in request.content:
            frames = [
                {"id": "s", "choices": [{"index": 0, "delta": message}]},
                {
                    "id": "s",
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                    "perf_metrics": metrics,
                },
            ]
            body = (
                b"".join(b"data: " + httpx.Response(200, json=f).content + b"\n\n" for f in frames)
                + b"data: [DONE]\n\n"
            )
            return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
        return httpx.Response(
            200,
            json={
                "id": "x",
                "perf_metrics": metrics,
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            },
        )

    llm = Fireworks(
        model="glm-4p5",
        api_key="test-key",
        additional_kwargs={"perf_metrics_in_response": True},
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    assert llm.chat(user("hi")).additional_kwargs["perf_metrics"] == metrics
    assert list(llm.stream_chat(user("hi")))[-1].additional_kwargs["perf_metrics"] == metrics


class Address(BaseModel):
    street: str
    city: City


class ShipArgs(BaseModel):
    address: Address


def ship(address: Any) -> str:
    """Ship to an address."""
    return "ok"


def test_strict_closes_every_object_in_tools_and_schemas(
    clients: dict[str, Any], double: WireDouble
) -> None:
    llm = Fireworks(model="glm-4p5", api_key="test-key", strict=True, **clients)
    tool = FunctionTool.from_defaults(ship, fn_schema=ShipArgs)
    params = llm._prepare_chat_with_tools([tool], user_msg="go")["tools"][0]["function"][
        "parameters"
    ]
    llm.structured_predict(Address, PROMPT, text="Main street, Lyon")
    schema = double.requests[-1].json["response_format"]["json_schema"]["schema"]
    for tree in (params, schema):
        objects = [tree, *tree.get("$defs", {}).values()]
        assert all(o["additionalProperties"] is False for o in objects)
        assert "City" in tree["$defs"]
