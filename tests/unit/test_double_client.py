"""fw_core parses everything the wire double serves, for both providers.

Each test drives fw_core's public functions through ``double.transport()`` and checks
what a user of the double relies on: chat text that echoes the prompt, tool calls built
from the schema and the prompt, JSON valid for a schema, reasoning, limits the real API
enforces, embeddings that compare texts by shared words, both rerank shapes, catalogs.
"""

from __future__ import annotations

import json
import math
from typing import Any

import httpx
import pytest

from fw_core import (
    FIREWORKS,
    FIRMWARE,
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    Client,
    UnsupportedParameterError,
)
from fw_core.endpoints import chat, completions, embeddings, models, rerank
from fw_core.endpoints.embeddings import decode_embedding
from fw_core.kit.stream_delta import StreamTracker
from fw_core.testing import WireDouble

FW_MODEL = "accounts/fireworks/models/deepseek-v3p1"
FM_MODEL = "openai/gpt-4o"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city"],
        },
    },
}
TIME = {
    "type": "function",
    "function": {
        "name": "get_time",
        "parameters": {"type": "object", "properties": {"timezone": {"type": "string"}}},
    },
}


@pytest.fixture
def double() -> WireDouble:
    return WireDouble()


def _client(double: WireDouble, provider: Any = FIREWORKS) -> Client:
    return Client(
        provider, api_key="test-key", http_client=httpx.Client(transport=double.transport())
    )


def _user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def _streamed(client: Client, body: dict[str, Any]) -> Any:
    acc = StreamTracker()
    for chunk in chat.stream(
        client, {**body, "stream": True, "stream_options": {"include_usage": True}}
    ):
        acc.feed(chunk)
    return acc.result()


# ---------------------------------------------------------------------------- chat


@pytest.mark.parametrize(
    ("provider", "model", "served"),
    [
        (FIREWORKS, FW_MODEL, FW_MODEL),
        (FIRMWARE, FM_MODEL, "gpt-4o"),
    ],
)
def test_chat_answer_echoes_the_prompt(
    double: WireDouble, provider: Any, model: str, served: str
) -> None:
    resp = chat.create(
        _client(double, provider),
        {"model": model, "messages": _user("Tell me about Photosynthesis")},
    )
    c = resp.completion
    assert "photosynthesis" in (c.choices[0].message.content or "").lower()
    assert c.model == served
    assert c.choices[0].finish_reason == "stop"
    assert c.usage is not None and c.usage.total_tokens == (
        c.usage.prompt_tokens + c.usage.completion_tokens
    )
    assert resp.request_id == c.id


def test_chat_is_deterministic(double: WireDouble) -> None:
    body = {"model": FW_MODEL, "messages": _user("Same question twice")}
    a = chat.create(_client(double), body).completion
    b = chat.create(_client(WireDouble()), body).completion
    assert a.id == b.id and a.choices[0].message.content == b.choices[0].message.content


@pytest.mark.parametrize("provider", [FIREWORKS, FIRMWARE])
def test_stream_accumulates_to_the_non_stream_answer(double: WireDouble, provider: Any) -> None:
    model = FW_MODEL if provider is FIREWORKS else FM_MODEL
    body = {"model": model, "messages": _user("What is retrieval augmented generation?")}
    client = _client(double, provider)
    whole = chat.create(client, body).completion
    merged = _streamed(client, body)
    assert merged.choices[0].message.content == whole.choices[0].message.content
    assert merged.choices[0].finish_reason == "stop"
    assert merged.usage is not None and merged.usage.completion_tokens == (
        whole.usage.completion_tokens if whole.usage else -1
    )


def test_stream_chunks_knob_gives_n_content_chunks() -> None:
    double = WireDouble(stream_chunks=25)
    chunks = list(
        chat.stream(
            _client(double), {"model": FW_MODEL, "stream": True, "messages": _user("benchmark me")}
        )
    )
    content = [c for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(content) == 25


def test_prompt_cache_reports_cached_tokens_on_a_repeated_prefix(double: WireDouble) -> None:
    client = _client(double)
    system = {"role": "system", "content": "You are a careful assistant. " * 20}
    first = chat.create(client, {"model": FW_MODEL, "messages": [system, *_user("one")]})
    second = chat.create(client, {"model": FW_MODEL, "messages": [system, *_user("two")]})
    assert first.completion.usage and first.completion.usage.cached_tokens == 0
    assert second.completion.usage and second.completion.usage.cached_tokens
    assert 0 < second.completion.usage.cached_tokens < second.completion.usage.prompt_tokens


def test_max_tokens_cuts_the_answer_with_length(double: WireDouble) -> None:
    c = chat.create(
        _client(double),
        {"model": FW_MODEL, "max_tokens": 5, "messages": _user("Explain deep learning in detail")},
    )
    assert c.completion.choices[0].finish_reason == "length"
    assert c.completion.usage and c.completion.usage.completion_tokens == 5


def test_fireworks_refuses_nonstream_max_tokens_above_4096(double: WireDouble) -> None:
    http = httpx.Client(transport=double.transport())
    r = http.post(
        "https://api.fireworks.ai/inference/v1/chat/completions",
        headers={"Authorization": "Bearer k"},
        json={"model": FW_MODEL, "max_tokens": 8000, "messages": _user("hi")},
    )
    assert r.status_code == 400
    assert r.json()["error"] == {
        "message": "Requests with max_tokens > 4096 must have stream=true",
        "param": "max_tokens",
        "code": "BAD_REQUEST",
        "type": "error",
    }
    # fw_core streams internally instead and gets the answer
    resp = chat.create(
        _client(double), {"model": FW_MODEL, "max_tokens": 8000, "messages": _user("hi")}
    )
    assert resp.completion.choices[0].message.content


# ---------------------------------------------------------------------------- tools


def test_forced_tool_call_takes_arguments_from_the_prompt(double: WireDouble) -> None:
    c = chat.create(
        _client(double),
        {
            "model": FW_MODEL,
            "messages": _user("What's the weather in Paris for 3 days?"),
            "tools": [WEATHER, TIME],
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        },
    ).completion
    msg = c.choices[0].message
    assert c.choices[0].finish_reason == "tool_calls"
    assert msg.content is None
    assert msg.tool_calls and len(msg.tool_calls) == 1
    call = msg.tool_calls[0]
    assert call.id and call.id.startswith("call_")
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments or "") == {"city": "Paris", "days": 3}


def test_tools_named_in_the_prompt_are_called_in_parallel(double: WireDouble) -> None:
    body = {
        "model": FM_MODEL,
        "tools": [WEATHER, TIME],
        "messages": _user("Call get_time and get_weather for Tokyo"),
    }
    c = chat.create(_client(double, FIRMWARE), body).completion
    names = [t.function.name for t in c.choices[0].message.tool_calls or []]
    assert names == ["get_time", "get_weather"]
    single = chat.create(_client(double, FIRMWARE), {**body, "parallel_tool_calls": False})
    assert len(single.completion.choices[0].message.tool_calls or []) == 1


def test_tool_choice_none_and_auto_without_a_mention_answer_in_text(double: WireDouble) -> None:
    client = _client(double)
    for choice in ("none", "auto"):
        c = chat.create(
            client,
            {
                "model": FW_MODEL,
                "messages": _user("Hello there"),
                "tools": [WEATHER],
                "tool_choice": choice,
            },
        ).completion
        assert c.choices[0].message.tool_calls is None
        assert c.choices[0].message.content


@pytest.mark.parametrize("choice", ["required", "any"])
def test_required_tool_choice_always_calls_a_tool(double: WireDouble, choice: str) -> None:
    c = chat.create(
        _client(double),
        {
            "model": FW_MODEL,
            "messages": _user("Hello there"),
            "tools": [WEATHER],
            "tool_choice": choice,
        },
    ).completion
    assert [t.function.name for t in c.choices[0].message.tool_calls or []] == ["get_weather"]


def test_streamed_parallel_tool_calls_accumulate_to_the_same_calls(double: WireDouble) -> None:
    body = {
        "model": FW_MODEL,
        "tools": [WEATHER, TIME],
        "messages": _user("Use get_weather for 'Rome' and get_time"),
    }
    client = _client(double)
    whole = chat.create(client, body).completion.choices[0].message.tool_calls or []
    chunks = list(chat.stream(client, {**body, "stream": True}))
    frags = [tc for c in chunks if c.choices for tc in c.choices[0].delta.tool_calls or []]
    assert [f.index for f in frags[:2]] == [0, 1]  # the first fragments of each call interleave
    assert all(f.id and f.function and f.function.name for f in frags[:2])
    assert all(f.id is None for f in frags[2:])
    merged = _streamed(client, body).choices[0].message.tool_calls or []
    assert len(merged) == 2 and all(t.id and t.id.startswith("call_") for t in merged)
    assert [(t.function.name, t.function.arguments) for t in merged] == [
        (t.function.name, t.function.arguments) for t in whole
    ]


def test_tool_results_are_mentioned_in_the_follow_up(double: WireDouble) -> None:
    messages = [
        *_user("weather in Paris?"),
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "18 degrees and sunny"},
    ]
    c = chat.create(
        _client(double), {"model": FW_MODEL, "messages": messages, "tools": [WEATHER]}
    ).completion
    text = c.choices[0].message.content or ""
    assert "get_weather" in text and "18 degrees and sunny" in text
    assert c.choices[0].message.tool_calls is None


def test_scripted_magic_function_is_recorded_as_scripted(double: WireDouble) -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "magic_function",
            "parameters": {"type": "object", "properties": {"input": {"type": "integer"}}},
        },
    }
    c = chat.create(
        _client(double),
        {"model": FW_MODEL, "tools": [tool], "messages": _user("What is magic_function(3)?")},
    )
    call = (c.completion.choices[0].message.tool_calls or [])[0]
    assert json.loads(call.function.arguments or "") == {"input": 3}
    assert double.scripted_hits == ["langchain-tests magic_function"]


# ---------------------------------------------------------------------------- structured


PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "address": {"$ref": "#/$defs/Address"},
        "nickname": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
    "required": ["name", "age"],
    "$defs": {"Address": {"type": "object", "properties": {"city": {"type": "string"}}}},
}


@pytest.mark.parametrize(
    "response_format",
    [
        {"type": "json_schema", "json_schema": {"name": "person", "schema": PERSON}},
        {"type": "json_object", "schema": PERSON},
    ],
)
def test_structured_output_is_valid_for_the_schema(
    double: WireDouble, response_format: dict[str, Any]
) -> None:
    c = chat.create(
        _client(double),
        {
            "model": FW_MODEL,
            "response_format": response_format,
            "messages": _user("Extract: John is 30."),
        },
    ).completion
    value = json.loads(c.choices[0].message.content or "")
    assert value["name"] == "John" and value["age"] == 30
    assert isinstance(value["tags"], list) and isinstance(value["address"]["city"], str)
    assert value["nickname"] is None or isinstance(value["nickname"], str)


def test_json_mode_without_schema_and_grammar(double: WireDouble) -> None:
    client = _client(double, FIRMWARE)
    c = chat.create(
        client,
        {
            "model": FM_MODEL,
            "response_format": {"type": "json_object"},
            "messages": _user("Give JSON"),
        },
    ).completion
    assert isinstance(json.loads(c.choices[0].message.content or ""), dict)
    keyed = chat.create(
        client,
        {
            "model": FM_MODEL,
            "response_format": {"type": "json_object"},
            "messages": _user("A joke about cats as JSON with 'setup' and 'punchline' keys."),
        },
    ).completion
    assert set(json.loads(keyed.choices[0].message.content or "")) == {"setup", "punchline"}
    g = chat.create(
        _client(double),
        {
            "model": FW_MODEL,
            "messages": _user("yes or no?"),
            "response_format": {"type": "grammar", "grammar": 'root ::= "yes" | "no"'},
        },
    )
    assert g.completion.choices[0].message.content == "yes"


# ---------------------------------------------------------------------------- reasoning


def test_reasoning_effort_adds_reasoning_content(double: WireDouble) -> None:
    body = {
        "model": "accounts/fireworks/models/gpt-oss-120b",
        "reasoning_effort": "low",
        "messages": _user("Why is the sky blue?"),
    }
    client = _client(double)
    msg = chat.create(client, body).completion.choices[0].message
    assert msg.reasoning_content and "sky" in msg.reasoning_content
    chunks = list(chat.stream(client, {**body, "stream": True}))
    kinds = [
        "r" if c.choices[0].delta.reasoning_content else "c"
        for c in chunks
        if c.choices and (c.choices[0].delta.reasoning_content or c.choices[0].delta.content)
    ]
    assert kinds[0] == "r" and "c" in kinds
    assert kinds == sorted(kinds, key=lambda k: k == "c")  # all reasoning before content


def test_reasoning_effort_none_turns_thinking_off(double: WireDouble) -> None:
    msg = (
        chat.create(
            _client(double),
            {
                "model": "accounts/fireworks/models/qwen3-235b-a22b",
                "reasoning_effort": "none",
                "messages": _user("hi"),
            },
        )
        .completion.choices[0]
        .message
    )
    assert msg.reasoning_content is None


def test_r1_models_think_inline(double: WireDouble) -> None:
    c = chat.create(
        _client(double),
        {
            "model": "accounts/fireworks/models/deepseek-r1-0528",
            "messages": _user("Why is the sky blue?"),
        },
    ).completion
    content = c.choices[0].message.content or ""
    assert content.startswith("<think>") and "</think>" in content
    assert c.choices[0].message.reasoning_content is None


def test_firmware_reports_reasoning_tokens_and_tools_executed(double: WireDouble) -> None:
    c = chat.create(
        _client(double, FIRMWARE),
        {
            "model": "anthropic/claude-sonnet-4-5-20250929",
            "messages": _user("Latest MCP news?"),
            "thinking": {"type": "enabled", "budget_tokens": 2048},
            "mcp_servers": ["dedalus-labs/brave-search"],
        },
    ).completion
    assert c.model == "claude-sonnet-4-5-20250929"
    assert c.usage and c.usage.reasoning_tokens and c.usage.reasoning_tokens > 0
    assert c.model_extra and c.model_extra["tools_executed"] == ["brave_search"]


# ---------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("provider", "model", "field"),
    [
        (FIREWORKS, FW_MODEL, "mcp_servers"),
        (FIRMWARE, FM_MODEL, "prompt_truncate_len"),
        (FIRMWARE, FM_MODEL, "not_a_field"),
    ],
)
def test_unknown_top_level_fields_are_refused(
    double: WireDouble, provider: Any, model: str, field: str
) -> None:
    with pytest.raises(UnsupportedParameterError) as err:
        chat.create(_client(double, provider), {"model": model, "messages": _user("hi"), field: 1})
    assert field in str(err.value)


def test_documented_fields_are_accepted(double: WireDouble) -> None:
    body = {
        "model": FW_MODEL,
        "messages": _user("hi"),
        "top_k": 40,
        "min_p": 0.1,
        "prompt_cache_key": "s1",
        "context_length_exceeded_behavior": "truncate",
        "user": "u",
        "seed": 1,
        "stop": ["\n\n"],
    }
    assert chat.create(_client(double), body).completion.choices
    fm = {
        "model": FM_MODEL,
        "messages": _user("hi"),
        "generation_config": {},
        "safety_settings": [],
        "store": False,
    }
    assert chat.create(_client(double, FIRMWARE), fm).completion.choices


def test_unknown_message_keys_are_refused(double: WireDouble) -> None:
    with pytest.raises(BadRequestError, match="Extra inputs"):
        chat.create(
            _client(double),
            {
                "model": FW_MODEL,
                "messages": [{"role": "user", "content": "hi", "additional_kwargs": {}}],
            },
        )


def test_missing_model_or_messages_is_a_400(double: WireDouble) -> None:
    http = httpx.Client(transport=double.transport())
    url = "https://api.fireworks.ai/inference/v1/chat/completions"
    for body in ({"messages": _user("hi")}, {"model": FW_MODEL}):
        assert http.post(url, json=body, headers={"Authorization": "Bearer k"}).status_code == 400


@pytest.mark.parametrize(
    ("provider", "body"),
    [
        (
            FIREWORKS,
            {
                "error": {
                    "message": "The API key you provided is invalid.",
                    "param": None,
                    "code": "UNAUTHORIZED",
                    "type": "error",
                }
            },
        ),
        (FIRMWARE, {"error": "Unauthorized"}),
    ],
)
def test_missing_key_is_a_401_in_the_provider_envelope(
    double: WireDouble, provider: Any, body: dict[str, Any]
) -> None:
    base = (
        "https://api.fireworks.ai/inference/v1"
        if provider is FIREWORKS
        else "https://app.firmware.ai/api/v1"
    )
    http = httpx.Client(transport=double.transport())
    for headers in ({}, {"Authorization": "Bearer "}):
        r = http.post(
            f"{base}/chat/completions",
            headers=headers,
            json={"model": "m", "messages": _user("hi")},
        )
        assert r.status_code == 401
        got = r.json()
        got.pop("request_id", None)
        assert got == body
    assert double.requests[-1].headers.get("authorization") in ("", "Bearer")


def test_api_keys_restricts_the_accepted_tokens() -> None:
    double = WireDouble(api_keys=["good-key"])
    ok = Client(
        FIREWORKS, api_key="good-key", http_client=httpx.Client(transport=double.transport())
    )
    bad = Client(
        FIREWORKS, api_key="bad-key", http_client=httpx.Client(transport=double.transport())
    )
    body = {"model": FW_MODEL, "messages": _user("hi")}
    assert chat.create(ok, body).completion.choices
    with pytest.raises(AuthenticationError):
        chat.create(bad, body)


def test_recorded_requests_redact_the_key(double: WireDouble) -> None:
    chat.create(_client(double), {"model": FW_MODEL, "messages": _user("hi")})
    rec = double.requests[0]
    assert rec.method == "POST" and rec.path == "/inference/v1/chat/completions"
    assert rec.json["messages"] == _user("hi")
    assert rec.headers["authorization"] == "Bearer <redacted>"
    assert "test-key" not in repr(rec)


# ---------------------------------------------------------------------------- completions


def test_text_completions_plain_and_streamed(double: WireDouble) -> None:
    client = _client(double)
    body = {
        "model": "accounts/fireworks/models/llama-v3p1-8b-instruct",
        "prompt": "The history of Rome",
    }
    whole = completions.create(client, body).completion
    assert "rome" in whole.choices[0].text.lower()
    chunks = list(completions.CompletionStream(client, {**body, "stream": True}))
    assert len(chunks) > 2
    streamed = "".join(choice.text for ch in chunks for choice in ch.choices)
    assert streamed == whole.choices[0].text


# ---------------------------------------------------------------------------- embeddings


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize(
    ("provider", "model", "dims"),
    [
        (FIREWORKS, "nomic-ai/nomic-embed-text-v1.5", 768),
        (FIRMWARE, "text-embedding-3-small", 1536),
        (FIRMWARE, "text-embedding-3-large", 3072),
        (FIRMWARE, "voyage-4", 1024),
    ],
)
def test_embeddings_have_the_model_size_and_unit_norm(
    double: WireDouble, provider: Any, model: str, dims: int
) -> None:
    r = embeddings.embed(
        _client(double, provider), ["hello world"], embeddings.EmbeddingsRequest(model=model)
    )
    assert len(r.vectors[0]) == dims
    # Firmware vectors travel as float32 (docs/wire.md §2.6): unit norm to float32 precision.
    assert math.isclose(_cos(r.vectors[0], r.vectors[0]), 1.0, rel_tol=1e-6)


@pytest.mark.parametrize("dimensions", [None, 256, 64])
def test_texts_sharing_words_are_closer(double: WireDouble, dimensions: int | None) -> None:
    texts = [
        "search_query: how do solar panels work",
        "search_document: solar panels turn sunlight into power",
        "search_document: a recipe for banana bread",
    ]
    r = embeddings.embed(
        _client(double),
        texts,
        embeddings.EmbeddingsRequest(model="nomic-ai/nomic-embed-text-v1.5", dimensions=dimensions),
    )
    q, good, bad = r.vectors
    assert len(q) == (dimensions or 768)
    assert math.isclose(_cos(q, q), 1.0, rel_tol=1e-9)
    assert _cos(q, good) > _cos(q, bad) + 0.2


def test_nomic_prefixes_do_not_change_the_vector(double: WireDouble) -> None:
    r = embeddings.embed(
        _client(double),
        ["search_query: cats", "search_document: cats"],
        embeddings.EmbeddingsRequest(model="nomic-ai/nomic-embed-text-v1.5"),
    )
    assert r.vectors[0] == r.vectors[1]


def test_base64_embeddings_decode_to_the_float_vector(double: WireDouble) -> None:
    http = httpx.Client(transport=double.transport())
    url = "https://app.firmware.ai/api/v1/embeddings"
    auth = {"Authorization": "Bearer k"}
    plain = http.post(url, headers=auth, json={"model": "voyage-4", "input": "tea"}).json()
    b64 = http.post(
        url, headers=auth, json={"model": "voyage-4", "input": "tea", "encoding_format": "base64"}
    ).json()
    assert isinstance(b64["data"][0]["embedding"], str)
    decoded = decode_embedding(b64["data"][0]["embedding"])
    assert decoded == pytest.approx(plain["data"][0]["embedding"], abs=1e-6)
    assert set(plain) == {"object", "model", "data", "usage"}


@pytest.mark.parametrize(
    ("base", "limit"),
    [
        ("https://api.fireworks.ai/inference/v1", 2048),
        ("https://app.firmware.ai/api/v1", 1000),
    ],
)
def test_embedding_batch_limits_and_empty_strings(
    double: WireDouble, base: str, limit: int
) -> None:
    http = httpx.Client(transport=double.transport())
    auth = {"Authorization": "Bearer k"}
    model = "nomic-ai/nomic-embed-text-v1.5" if "fireworks" in base else "voyage-4"
    url = f"{base}/embeddings"
    small = {"model": model, "dimensions": 32}
    assert http.post(url, headers=auth, json={**small, "input": ["a"] * limit}).status_code == 200
    assert (
        http.post(url, headers=auth, json={**small, "input": ["a"] * (limit + 1)}).status_code
        == 400
    )
    assert (
        http.post(url, headers=auth, json={"model": model, "input": ["a", ""]}).status_code == 400
    )


def test_fw_core_batches_under_the_firmware_limit(double: WireDouble) -> None:
    texts = [f"text number {i}" for i in range(1100)]
    r = embeddings.embed(
        _client(double, FIRMWARE),
        texts,
        embeddings.EmbeddingsRequest(model="text-embedding-3-small", dimensions=32),
    )
    sent = [len(q.json["input"]) for q in double.requests]
    assert sum(sent) == 1100 and max(sent) <= 1000 and r.requests == len(sent)
    assert len(r.vectors) == 1100
    one = embeddings.embed(
        _client(double, FIRMWARE),
        [texts[1050]],
        embeddings.EmbeddingsRequest(model="text-embedding-3-small", dimensions=32),
    )
    assert r.vectors[1050] == one.vectors[0]  # results come back in input order


# ---------------------------------------------------------------------------- rerank


DOCS = ["It is sunny today.", "Machine learning is a subset of AI.", "Learning to cook takes time."]


def test_fireworks_rerank_shape_and_order(double: WireDouble) -> None:
    r = rerank.rerank(
        _client(double),
        "what is machine learning",
        DOCS,
        rerank.RerankRequest(model="fireworks/qwen3-reranker-8b", top_n=2),
    )
    assert [x.index for x in r.results] == [1, 2]
    assert r.results[0].document == DOCS[1]
    assert 0 <= r.results[1].relevance_score < r.results[0].relevance_score <= 1
    assert r.model == "accounts/fireworks/models/qwen3-reranker-8b"
    raw = json.loads(double.requests[-1].content)
    assert raw["documents"] == DOCS


def test_firmware_rerank_shape_and_document_default(double: WireDouble) -> None:
    http = httpx.Client(transport=double.transport())
    url = "https://app.firmware.ai/api/v1/rerank"
    auth = {"Authorization": "Bearer k"}
    body = {
        "model": "rerank-2.5",
        "query": "capital of France",
        "documents": ["Berlin is in Germany.", {"text": "Paris is the capital of France."}],
    }
    plain = http.post(url, headers=auth, json=body).json()
    assert set(plain) == {"id", "results", "usage"} and set(plain["usage"]) == {"total_tokens"}
    assert plain["results"][0]["index"] == 1 and "document" not in plain["results"][0]
    with_docs = http.post(url, headers=auth, json={**body, "return_documents": True}).json()
    assert with_docs["results"][0]["document"] == {"text": "Paris is the capital of France."}
    r = rerank.rerank(
        _client(double, FIRMWARE),
        "capital of France",
        ["Berlin is in Germany.", "Paris is the capital of France."],
        rerank.RerankRequest(model="rerank-2.5", return_documents=True),
    )
    assert [x.index for x in r.results] == [1, 0] and r.results[0].document


def test_fireworks_rerank_refuses_object_documents(double: WireDouble) -> None:
    r = httpx.Client(transport=double.transport()).post(
        "https://api.fireworks.ai/inference/v1/rerank",
        headers={"Authorization": "Bearer k"},
        json={"model": "fireworks/qwen3-reranker-8b", "query": "q", "documents": [{"text": "d"}]},
    )
    assert r.status_code == 400


# ---------------------------------------------------------------------------- models


def test_model_lists_and_catalog_paging(double: WireDouble) -> None:
    fm = models.list_model_entries(_client(double, FIRMWARE))
    assert {"openai/gpt-4o", "voyage-4", "rerank-2.5"} <= {m["id"] for m in fm}
    fw_list = models.list_model_entries(_client(double))
    assert all(m["id"].startswith("accounts/fireworks/models/") for m in fw_list)
    paged = list(models.catalog(_client(double), page_size=4))
    assert len(paged) == len(fw_list) and len({m["name"] for m in paged}) == len(paged)
    assert double.count("/v1/accounts/fireworks/models") == math.ceil(len(paged) / 4)
    first = paged[0]
    assert {"name", "displayName", "contextLength", "supportsTools", "supportsImageInput"} <= set(
        first
    )


def test_audio_transcription(double: WireDouble) -> None:
    http = httpx.Client(transport=double.transport())
    r = http.post(
        "https://audio-prod.api.fireworks.ai/v1/audio/transcriptions",
        headers={"Authorization": "Bearer k"},
        data={"model": "whisper-v3"},
        files={"file": ("meeting.wav", b"RIFF....", "audio/wav")},
    )
    assert r.status_code == 200 and r.json()["text"].strip()
    again = http.post(
        "https://audio-prod.api.fireworks.ai/v1/audio/transcriptions",
        headers={"Authorization": "Bearer k"},
        data={"model": "whisper-v3"},
        files={"file": ("other-name.wav", b"RIFF....", "audio/wav")},
    )
    assert again.json()["text"] == r.json()["text"]  # the transcript follows the bytes


def test_quota_and_unknown_routes(double: WireDouble) -> None:
    http = httpx.Client(transport=double.transport())
    auth = {"Authorization": "Bearer k"}
    q = http.get("https://app.firmware.ai/api/v1/quota", headers=auth).json()
    assert set(q) == {"credits", "reset"}
    assert http.get("https://api.fireworks.ai/inference/v1/nope", headers=auth).status_code == 404
    assert (
        http.post(
            "https://api.firmware.ai/v1/chat/completions",
            headers=auth,
            json={"model": "gpt-4o", "messages": _user("hi")},
        ).status_code
        == 200
    )


# ---------------------------------------------------------------------------- async


async def test_async_transport_chat_and_stream() -> None:
    double = WireDouble()
    client = AsyncClient(
        FIRMWARE, api_key="k", http_client=httpx.AsyncClient(transport=double.async_transport())
    )
    body = {"model": FM_MODEL, "messages": _user("Async greetings")}
    whole = (await chat.acreate(client, body)).completion
    acc = StreamTracker()
    async for chunk in chat.astream(
        client, {**body, "stream": True, "stream_options": {"include_usage": True}}
    ):
        acc.feed(chunk)
    assert acc.result().choices[0].message.content == whole.choices[0].message.content
    await client.aclose()
