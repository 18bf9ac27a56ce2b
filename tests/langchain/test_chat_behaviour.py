"""ChatFireworks / ChatFirmware behaviour through the wire double or exact SSE bytes.

No cassettes here: these are properties (chunking, usage placement, retries of errors,
what is sent), so the transports are the double's or an ``httpx.MockTransport``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelInvalidRequestError,
    OutputParserException,
)
from langchain_core.load import dumps, load
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from fw_core import errors as fe
from fw_core.testing import Fault, WireDouble
from langchain_fw.chat_models import ChatFireworks, ChatFirmware

FW = "accounts/fireworks/models/kimi-k2-instruct-0905"
FM = "openai/gpt-4o"


@pytest.fixture
def double() -> WireDouble:
    return WireDouble()


def _on(double: WireDouble, cls: type, **kw: Any) -> Any:
    kw.setdefault("model", FW if cls is ChatFireworks else FM)
    return cls(
        http_client=httpx.Client(transport=double.transport()),
        http_async_client=httpx.AsyncClient(transport=double.async_transport()),
        max_retries=0,
        **kw,
    )


def _mock(cls: type, handler: Callable[[httpx.Request], httpx.Response], **kw: Any) -> Any:
    kw.setdefault("model", FW if cls is ChatFireworks else FM)
    return cls(
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        max_retries=0,
        **kw,
    )


def _sse(*frames: dict[str, Any], done: bool = True) -> httpx.Response:
    body = b"".join(b"data: " + json.dumps(f).encode() + b"\n\n" for f in frames)
    if done:
        body += b"data: [DONE]\n\n"
    return httpx.Response(
        200, content=body, headers={"content-type": "text/event-stream", "x-request-id": "req-sse"}
    )


def _frame(delta: dict | None = None, finish: str | None = None, **top: Any) -> dict[str, Any]:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "model": FW,
        "choices": choices,
        **top,
    }


def _collect(chunks: Any) -> Any:
    full = None
    for c in chunks:
        full = c if full is None else full + c
    return full


def _last_body(double: WireDouble) -> dict[str, Any]:
    return double.requests[-1].json


# ---------------------------------------------------------------------------------------
# streams: usage wherever it arrives, tool-call chunks, callbacks

USAGE = {
    "prompt_tokens": 5,
    "completion_tokens": 2,
    "total_tokens": 7,
    "prompt_tokens_details": {"cached_tokens": 1},
}


@pytest.mark.parametrize("placement", ["finish_chunk", "trailing_chunk", "absent"])
def test_stream_usage_wherever_it_arrives(placement: str) -> None:
    frames = [_frame({"role": "assistant"}), _frame({"content": "Hi"})]
    if placement == "finish_chunk":  # the real 2025 captures
        frames.append(_frame({}, "stop", usage=USAGE))
    else:
        frames.append(_frame({}, "stop", usage=None))
    if placement == "trailing_chunk":  # newer models: empty choices + usage
        frames.append(_frame(None, usage=USAGE))
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return _sse(*frames)

    chunks = list(_mock(ChatFireworks, handler).stream("hello"))
    assert seen[0]["stream"] is True
    assert seen[0]["stream_options"] == {"include_usage": True}
    assert "".join(c.text for c in chunks) == "Hi"
    assert chunks[-1].chunk_position == "last"
    assert all(c.usage_metadata is None for c in chunks[:-1])
    full = _collect(chunks)
    if placement == "absent":
        assert full.usage_metadata is None
    else:
        assert full.usage_metadata == {
            "input_tokens": 5,
            "output_tokens": 2,
            "total_tokens": 7,
            "input_token_details": {"cache_read": 1},
        }
    assert full.response_metadata["finish_reason"] == "stop"
    assert full.response_metadata["model_name"] == FW


def test_stream_usage_can_be_turned_off(double: WireDouble) -> None:
    llm = _on(double, ChatFireworks, stream_usage=False)
    full = _collect(llm.stream("hello"))
    assert _last_body(double)["stream_options"] == {"include_usage": False}
    assert full.usage_metadata is None
    full = _collect(llm.stream("hello", stream_usage=True))
    assert full.usage_metadata is not None


@tool
def get_weather(city: str) -> str:
    """Current weather in a city."""
    return f"sunny in {city}"


@tool
def get_time(city: str) -> str:
    """Local time in a city."""
    return f"noon in {city}"


@pytest.mark.parametrize("cls", [ChatFireworks, ChatFirmware])
def test_parallel_tool_calls_stream_and_reassemble(double: WireDouble, cls: type) -> None:
    llm = _on(double, cls).bind_tools([get_weather, get_time])
    prompt = "Use get_weather and get_time for 'Paris'."
    chunks = list(llm.stream(prompt))
    assert any(c.tool_call_chunks for c in chunks)
    full = _collect(chunks)
    assert [(c["name"], c["args"]) for c in full.tool_calls] == [
        ("get_weather", {"city": "Paris"}),
        ("get_time", {"city": "Paris"}),
    ]
    assert all(c["id"] for c in full.tool_calls)
    assert full.response_metadata["finish_reason"] == "tool_calls"
    invoked = llm.invoke(prompt)
    assert [c["name"] for c in invoked.tool_calls] == ["get_weather", "get_time"]


def test_interleaved_tool_call_fragments() -> None:
    frames = [
        _frame(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "c0",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": ""},
                    }
                ]
            }
        ),
        _frame(
            {
                "tool_calls": [
                    {
                        "index": 1,
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "get_time", "arguments": '{"ci'},
                    }
                ]
            }
        ),
        _frame({"tool_calls": [{"index": 0, "function": {"arguments": '{"city": "Oslo"}'}}]}),
        _frame(
            {"tool_calls": [{"index": 1, "function": {"arguments": 'ty": "Rome"}'}}]}, "tool_calls"
        ),
    ]
    llm = _mock(ChatFireworks, lambda r: _sse(*frames)).bind_tools([get_weather, get_time])
    full = _collect(llm.stream("weather and time"))
    assert full.tool_calls == [
        {"name": "get_weather", "args": {"city": "Oslo"}, "id": "c0", "type": "tool_call"},
        {"name": "get_time", "args": {"city": "Rome"}, "id": "c1", "type": "tool_call"},
    ]


class _Tokens(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.ends = 0

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self.ends += 1


@pytest.mark.parametrize("cls", [ChatFireworks, ChatFirmware])
def test_callbacks_fire_per_token_and_at_end(double: WireDouble, cls: type) -> None:
    handler = _Tokens()
    llm = _on(double, cls, streaming=True)
    msg = llm.invoke("Tell me about the sea", config={"callbacks": [handler]})
    assert len([t for t in handler.tokens if t]) > 3
    assert "".join(handler.tokens) == msg.content
    assert handler.ends == 1
    assert msg.usage_metadata is not None


async def test_async_stream_and_invoke(double: WireDouble) -> None:
    llm = _on(double, ChatFirmware)
    full = None
    async for chunk in llm.bind_tools([get_weather, get_time]).astream(
        "Use get_weather and get_time for 'Rome'."
    ):
        full = chunk if full is None else full + chunk
    assert [c["name"] for c in full.tool_calls] == ["get_weather", "get_time"]
    msg = await llm.ainvoke("hello")
    assert msg.content and msg.response_metadata["model_provider"] == "firmware"


# ---------------------------------------------------------------------------------------
# reasoning


def test_inline_think_is_reasoning_in_invoke_and_stream(double: WireDouble) -> None:
    llm = _on(double, ChatFireworks, model="deepseek-r1")
    msg = llm.invoke("What is 2+2?")
    assert "<think>" not in msg.content
    assert msg.additional_kwargs["reasoning_content"]
    assert msg.content_blocks[0]["type"] == "reasoning"
    full = _collect(llm.stream("What is 2+2?"))
    assert "<think>" not in full.content and "</think>" not in full.content
    # streamed reasoning keeps the whitespace around the tags; the text is the same
    assert (
        full.additional_kwargs["reasoning_content"].strip()
        == msg.additional_kwargs["reasoning_content"]
    )


def test_reasoning_is_replayed_in_the_next_tool_turn(double: WireDouble) -> None:
    """Fireworks interleaved thinking: the reasoning goes back with the assistant turn."""
    llm = _on(double, ChatFireworks, model="gpt-oss-120b", reasoning_effort="low")
    tools_llm = llm.bind_tools([get_weather])
    question = HumanMessage("Use get_weather for 'Lima'.")
    first = tools_llm.invoke([question])
    assert first.tool_calls and first.additional_kwargs["reasoning_content"]
    assert _last_body(double)["reasoning_effort"] == "low"
    result = get_weather.invoke(first.tool_calls[0])
    tools_llm.invoke([question, first, result])
    sent = _last_body(double)["messages"][1]
    assert sent["role"] == "assistant"
    assert sent["reasoning_content"] == first.additional_kwargs["reasoning_content"]


@pytest.mark.parametrize(
    ("model", "options"),
    [
        (
            "anthropic/claude-sonnet-4-5-20250929",
            {"max_tokens": 4096, "thinking": {"type": "enabled", "budget_tokens": 2048}},
        ),
        ("deepseek/deepseek-reasoner", {}),
        ("google/gemini-2.5-pro", {"reasoning_effort": "low"}),
    ],
)
def test_firmware_reasoning_exposed_not_replayed(
    double: WireDouble, model: str, options: dict[str, Any]
) -> None:
    llm = _on(double, ChatFirmware, model=model, **options)
    msg = llm.invoke("hi")
    for key, value in options.items():
        assert _last_body(double)[key] == value
    assert msg.additional_kwargs["reasoning_content"]
    assert msg.content_blocks[0]["type"] == "reasoning"
    full = _collect(llm.stream("hi"))
    assert full.additional_kwargs["reasoning_content"]
    llm.invoke([HumanMessage("hi"), msg, HumanMessage("and?")])
    assert "reasoning_content" not in _last_body(double)["messages"][1]


# ---------------------------------------------------------------------------------------
# what is sent


@pytest.mark.parametrize(
    ("choice", "wire"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("required", "required"),
        ("any", "required"),
        (True, "required"),
        ("get_time", {"type": "function", "function": {"name": "get_time"}}),
        (
            {"type": "function", "function": {"name": "get_weather"}},
            {"type": "function", "function": {"name": "get_weather"}},
        ),
    ],
)
def test_tool_choice_forms(double: WireDouble, choice: Any, wire: Any) -> None:
    llm = _on(double, ChatFireworks).bind_tools(
        [get_weather, get_time], tool_choice=choice, parallel_tool_calls=False, strict=True
    )
    msg = llm.invoke("What's up in 'Oslo'?")
    body = _last_body(double)
    assert body["tool_choice"] == wire
    assert body["parallel_tool_calls"] is False
    assert body["tools"][0]["function"]["strict"] is True
    if wire == "none":
        assert not msg.tool_calls
    elif isinstance(wire, dict):
        assert [c["name"] for c in msg.tool_calls] == [wire["function"]["name"]]
    elif wire == "required":
        assert msg.tool_calls


def test_tool_choice_naming_no_bound_tool_is_refused() -> None:
    llm = ChatFireworks(model=FW)
    with pytest.raises(ValueError, match="names no bound tool"):
        llm.bind_tools([get_weather], tool_choice="required_tool")


def test_foreign_history_is_accepted_by_the_strict_api(double: WireDouble) -> None:
    """Regression: a history produced by ChatOpenAI/ChatAnthropic must not earn a 400."""
    history = [
        HumanMessage("Use get_weather for 'Oslo'."),
        AIMessage(
            content=[
                {"type": "text", "text": "Checking.", "annotations": []},
                {"type": "thinking", "thinking": "x", "signature": "s"},
            ],
            additional_kwargs={
                "refusal": None,
                "audio": {"id": "a1"},
                "function_call": {"name": "get_weather", "arguments": "{}"},
            },
            tool_calls=[{"name": "get_weather", "args": {"city": "Oslo"}, "id": "call_1"}],
            response_metadata={"model_name": "gpt-4o", "system_fingerprint": "fp"},
        ),
        ToolMessage("sunny", tool_call_id="call_1", name="get_weather"),
    ]
    for cls in (ChatFireworks, ChatFirmware):
        msg = _on(double, cls).bind_tools([get_weather]).invoke(history)
        assert "sunny" in msg.content


def test_typed_options_and_pass_through(double: WireDouble) -> None:
    llm = _on(
        double,
        ChatFireworks,
        top_k=40,
        min_p=0.1,
        repetition_penalty=1.1,
        presence_penalty=0.5,
        frequency_penalty=0.2,
        logprobs=True,
        top_logprobs=2,
        n=2,
        stop=["END"],
        max_tokens=50,
        seed=7,
        context_length_exceeded_behavior="error",
        prompt_cache_key="s-1",
        model_kwargs={"user": "u-1"},
        extra_body={"perf_metrics_in_response": True},
    )
    result = llm.generate([[HumanMessage("hello there")]])
    body = _last_body(double)
    for key, value in {
        "top_k": 40,
        "min_p": 0.1,
        "repetition_penalty": 1.1,
        "n": 2,
        "stop": ["END"],
        "max_tokens": 50,
        "seed": 7,
        "user": "u-1",
        "context_length_exceeded_behavior": "error",
        "prompt_cache_key": "s-1",
        "perf_metrics_in_response": True,
        "logprobs": True,
        "top_logprobs": 2,
    }.items():
        assert body[key] == value, key
    assert len(result.generations[0]) == 2
    llm.invoke("x", temperature=0.3, top_k=None)
    body = _last_body(double)
    assert body["temperature"] == 0.3 and "top_k" not in body


def test_grammar_mode(double: WireDouble) -> None:
    llm = _on(double, ChatFireworks, grammar='root ::= "yes" | "no"')
    msg = llm.invoke("Is water wet?")
    assert _last_body(double)["response_format"] == {
        "type": "grammar",
        "grammar": 'root ::= "yes" | "no"',
    }
    assert msg.content == "yes"


def test_disabled_params(double: WireDouble) -> None:
    llm = _on(
        double,
        ChatFirmware,
        disabled_params={"parallel_tool_calls": None, "tool_choice": ["required"]},
    )
    llm.bind_tools([get_weather], tool_choice="any", parallel_tool_calls=True).invoke("hi")
    body = _last_body(double)
    assert "parallel_tool_calls" not in body and "tool_choice" not in body
    llm.bind_tools([get_weather], tool_choice="auto").invoke("hi")
    assert _last_body(double)["tool_choice"] == "auto"


def test_firmware_options_and_server_side_tools(double: WireDouble) -> None:
    llm = _on(
        double,
        ChatFirmware,
        model="google/gemini-2.5-flash",
        mcp_servers=["dedalus-labs/brave-search"],
        generation_config={"candidateCount": 1},
        safety_settings=[{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
    )
    msg = llm.invoke("Latest news on MCP?")
    body = _last_body(double)
    assert body["mcp_servers"] == ["dedalus-labs/brave-search"]
    assert body["generation_config"] == {"candidateCount": 1}
    assert body["safety_settings"][0]["threshold"] == "BLOCK_NONE"
    assert msg.response_metadata["tools_executed"] == ["brave_search"]
    full = _collect(llm.stream("Latest news on MCP?"))
    assert full.response_metadata["tools_executed"] == ["brave_search"]


def test_dedalus_extras_surface_in_metadata() -> None:
    payload = {
        "id": "c",
        "model": "gpt-4o",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
        ],
        "tools_executed": ["search"],
        "mcp_tool_results": [
            {"tool_name": "search", "server_name": "s", "arguments": {}, "is_error": False}
        ],
        "mcp_server_errors": {"s2": "down"},
    }
    llm = _mock(ChatFirmware, lambda r: httpx.Response(200, json=payload))
    meta = llm.invoke("x").response_metadata
    assert meta["mcp_tool_results"][0]["tool_name"] == "search"
    assert meta["mcp_server_errors"] == {"s2": "down"}


# ---------------------------------------------------------------------------------------
# metadata


def test_model_override_and_headers(double: WireDouble) -> None:
    llm = _on(double, ChatFireworks, include_response_headers=True)
    msg = llm.invoke("hello", model="llama-v3p1-8b-instruct")
    assert _last_body(double)["model"] == "accounts/fireworks/models/llama-v3p1-8b-instruct"
    meta = msg.response_metadata
    assert meta["model_name"] == "accounts/fireworks/models/llama-v3p1-8b-instruct"
    assert meta["id"] and meta["finish_reason"] == "stop"
    assert meta["headers"]["x-request-id"]
    assert any(k.startswith("fireworks-") for k in meta["headers"])
    full = _collect(llm.stream("hello", model="llama-v3p1-8b-instruct"))
    assert full.response_metadata["model_name"] == meta["model_name"]
    assert "fireworks-server-time-to-first-token" in full.response_metadata["headers"]
    assert "headers" not in _on(double, ChatFireworks).invoke("hello").response_metadata


def test_large_max_tokens_gets_an_answer_not_a_400(double: WireDouble) -> None:
    """docs/wire.md §4.5: the API refuses non-streaming max_tokens > 4096."""
    msg = _on(double, ChatFireworks, max_tokens=8192).invoke("Write a long story")
    assert msg.content and msg.usage_metadata is not None
    assert _last_body(double)["stream"] is True


async def test_large_max_tokens_async(double: WireDouble) -> None:
    msg = await _on(double, ChatFireworks).ainvoke("Write a long story", max_tokens=10000)
    assert msg.content and msg.response_metadata["finish_reason"] == "stop"
    assert _last_body(double)["stream"] is True


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("kimi-k2-instruct-0905", FW),
        ("accounts/acme/models/my-ft", "accounts/acme/models/my-ft"),
        ("accounts/acme/deployments/d1", "accounts/acme/deployments/d1"),
        (
            "llama-v3p1-8b-instruct#accounts/acme/deployments/d2",
            "accounts/fireworks/models/llama-v3p1-8b-instruct#accounts/acme/deployments/d2",
        ),
    ],
)
def test_fireworks_model_forms_and_direct_route(given: str, sent: str) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "id": "c",
                "model": sent,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "ok"},
                        "finish_reason": "stop",
                    }
                ],
            },
        )

    direct = "https://acme-d1.us-arizona-1.direct.fireworks.ai/v1"
    llm = _mock(ChatFireworks, handler, model=given, base_url=direct)
    assert llm.invoke("x").response_metadata["model_name"] == sent
    assert json.loads(seen[0].content)["model"] == sent
    assert str(seen[0].url) == f"{direct}/chat/completions"


def test_identity_and_tracing_params() -> None:
    llm = ChatFirmware(model=FM, temperature=0.2, max_tokens=9, stop="x")
    assert llm._llm_type == "firmware-chat"
    assert llm._identifying_params["model_name"] == FM
    assert llm._get_ls_params() == {
        "ls_provider": "firmware",
        "ls_model_name": FM,
        "ls_model_type": "chat",
        "ls_temperature": 0.2,
        "ls_max_tokens": 9,
        "ls_stop": ["x"],
    }
    assert llm._get_ls_params(model="gpt-4o-mini")["ls_model_name"] == "gpt-4o-mini"
    assert ChatFireworks(model_name="x-1").model_name == "accounts/fireworks/models/x-1"


# ---------------------------------------------------------------------------------------
# structured output


class Person(BaseModel):
    name: str
    age: int


def test_structured_output_methods_send_what_they_say(double: WireDouble) -> None:
    llm = _on(double, ChatFireworks)
    person = llm.with_structured_output(Person, strict=True).invoke("John is 30")
    assert isinstance(person, Person)
    rf = _last_body(double)["response_format"]
    assert rf["type"] == "json_schema" and rf["json_schema"]["strict"] is True
    assert rf["json_schema"]["name"] == "Person"
    assert rf["json_schema"]["schema"]["additionalProperties"] is False
    as_dict = llm.with_structured_output(Person.model_json_schema(), method="function_calling")
    assert set(as_dict.invoke("John is 30")) == {"name", "age"}
    body = _last_body(double)
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Person"}}
    out = llm.with_structured_output(Person.model_json_schema(), method="json_mode").invoke(
        "Return JSON: John is 30"
    )
    assert isinstance(out, dict)
    assert _last_body(double)["response_format"] == {"type": "json_object"}


def test_structured_output_parse_errors_follow_langchain() -> None:
    bad = {
        "id": "c",
        "model": FW,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": '{"name": "J"'},
                "finish_reason": "length",
            }
        ],
    }
    llm = _mock(ChatFireworks, lambda r: httpx.Response(200, json=bad))
    out = llm.with_structured_output(Person, include_raw=True).invoke("x")
    assert out["parsed"] is None
    assert isinstance(out["parsing_error"], OutputParserException)
    assert isinstance(out["raw"], AIMessage)
    with pytest.raises(OutputParserException):
        llm.with_structured_output(Person).invoke("x")


# ---------------------------------------------------------------------------------------
# errors, construction, secrets, clients


def test_firmware_empty_stream_is_an_error(double: WireDouble) -> None:
    """Regression: a stream with zero chunks must not pass for an empty answer."""
    double.inject(Fault.empty_stream())
    with pytest.raises(fe.StreamError) as info:
        list(_on(double, ChatFirmware).stream("hello"))
    assert isinstance(info.value, ModelAPIError)
    double.inject(Fault.empty_stream())
    with pytest.raises(ModelAPIError):
        _on(double, ChatFirmware, streaming=True).invoke("hello")


async def test_errors_carry_both_taxonomies(double: WireDouble) -> None:
    double.inject(Fault.status(401, message="bad key"))
    with pytest.raises(ModelAuthenticationError) as info:
        _on(double, ChatFireworks).invoke("x")
    assert isinstance(info.value, fe.AuthenticationError) and info.value.request_id
    double.inject(Fault.extra_inputs("foo"))
    with pytest.raises(ModelInvalidRequestError) as info2:
        await _on(double, ChatFireworks).ainvoke("x")
    assert isinstance(info2.value, fe.UnsupportedParameterError)
    double.inject(Fault.error_event(after=1))
    with pytest.raises(fe.StreamError):
        async for _ in _on(double, ChatFirmware).astream("x"):
            pass


def test_construction_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(fe.ConfigurationError, match="model"):
        ChatFireworks()
    with pytest.raises(fe.ConfigurationError, match="not a Fireworks model id"):
        ChatFireworks(model="bad/model/with/many")
    with pytest.raises(fe.ConfigurationError, match="vendor prefix"):
        ChatFirmware(model="acme/model-1")
    assert ChatFirmware(model="acme/model-1", validate_model=False).model == "acme/model-1"
    with pytest.raises(fe.ConfigurationError, match="budget_tokens"):
        ChatFirmware(model=FM, thinking={"type": "enabled", "budget_tokens": 10})
    monkeypatch.delenv("FIRMWARE_API_KEY", raising=False)
    with pytest.raises(fe.ConfigurationError, match="FIRMWARE_API_KEY"):
        ChatFirmware(model=FM)
    with pytest.raises(ValueError, match="FIRMWARE_API_KEY"):  # also a ValueError
        ChatFirmware(model=FM)


def test_key_never_serialised(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "not-a-real-key-but-secret"
    llm = ChatFireworks(model=FW, fireworks_api_key=secret)
    for text in (repr(llm), str(llm.model_dump()), dumps(llm), str(llm._identifying_params)):
        assert secret not in text
    monkeypatch.setenv("FIREWORKS_API_KEY", secret)
    loaded = load(
        json.loads(dumps(llm)),
        allowed_objects=[ChatFireworks],
        valid_namespaces=["langchain_fw"],
        secrets_from_env=True,
    )
    assert loaded.api_key.get_secret_value() == secret and loaded.model == FW


def test_one_client_per_model_object(double: WireDouble) -> None:
    llm = _on(double, ChatFireworks)
    llm.invoke("a")
    client = llm._fw_clients.sync
    llm.invoke("b")
    list(llm.stream("c"))
    assert llm._fw_clients.sync is client
    assert client.http_client is llm.http_client


def test_logprobs_in_metadata_for_invoke_and_stream() -> None:
    lp = [{"token": "Hi", "logprob": -0.1, "top_logprobs": []}]

    def handler(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content).get("stream"):
            return _sse(
                _frame({"content": "Hi"})
                | {
                    "choices": [
                        {"index": 0, "delta": {"content": "Hi"}, "logprobs": {"content": lp}}
                    ]
                },
                _frame({"content": "!"})
                | {
                    "choices": [
                        {
                            "index": 0,
                            "delta": {"content": "!"},
                            "finish_reason": "stop",
                            "logprobs": {"content": lp},
                        }
                    ]
                },
            )
        return httpx.Response(
            200,
            json={
                "id": "c",
                "model": FW,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "Hi"},
                        "finish_reason": "stop",
                        "logprobs": {"content": lp},
                    }
                ],
            },
        )

    llm = _mock(ChatFireworks, handler, logprobs=True, top_logprobs=1)
    assert llm.invoke("x").response_metadata["logprobs"] == {"content": lp}
    full = _collect(llm.stream("x"))
    assert full.response_metadata["logprobs"] == {"content": lp + lp}


def test_json_mode_without_a_schema_returns_the_parsed_dict() -> None:
    # As langchain-openai allows: json_mode needs no schema and yields the JSON object.
    import httpx

    from fw_core.testing import WireDouble
    from langchain_fw import ChatFireworks

    double = WireDouble()
    llm = ChatFireworks(
        model="kimi-k2-instruct-0905", http_client=httpx.Client(transport=double.transport())
    )
    out = llm.with_structured_output(method="json_mode").invoke(
        'Reply in JSON with the key "answer".'
    )
    assert isinstance(out, dict)
    assert double.requests[-1].json["response_format"] == {"type": "json_object"}
