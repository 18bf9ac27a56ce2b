"""Every real recorded response in tests/data/real_captures replayed through fw_core's HTTP paths.

The captures (provenance: tests/data/real_captures/README.md) are loaded with
yaml.safe_load and served byte for byte by an httpx.MockTransport, so they go through
Client.request / Client.stream, the SSE decoder, the chunk reader and the accumulator
exactly as live traffic would.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from fw_core.endpoints import chat
from fw_core.errors import ModelNotFoundError, NotFoundError, PreconditionFailedError
from fw_core.kit.stream_delta import StreamTracker
from fw_core.testing.cassettes import SECRET_PATTERN
from fw_core.wire import ChatCompletionChunk
from tests._captures import REAL_CAPTURES, capture_files, load_capture

from ._core_support import AsyncRecorder, Body, Recorder, make_async_client, make_client, pieces

NONSTREAM = "fw_chat_llama33_70b_nonstream_via_hfrouter_20250211.yaml"
STREAM = "fw_chat_llama33_70b_stream_via_hfrouter_20250211.yaml"
E404 = "fw_error_404_model_not_found_PARTIAL.yaml"
E412 = "fw_error_412_account_suspended_workflows_PARTIAL.yaml"
GLM_TOOL_CHUNK = "fw_stream_glm5p2_tool_chunk_PARTIAL.yaml"


def capture_headers(resp: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for name, values in (resp.get("headers") or {}).items():
        if name.lower() in ("transfer-encoding", "content-length", "content-encoding"):
            continue  # framing of the original connection, not of this replay
        for value in values:
            out.append((name, value))
    return out


def replay(name: str, chunk_size: int | None = None) -> tuple[httpx.Response, dict[str, Any]]:
    interaction = load_capture(name)
    resp = interaction["response"]
    body = resp["body"]["string"].encode("utf-8")
    stream = Body(pieces(body, chunk_size) if chunk_size else [body])
    return httpx.Response(
        resp["status"]["code"], headers=capture_headers(resp), stream=stream
    ), interaction


def request_body(interaction: dict[str, Any]) -> dict[str, Any]:
    return json.loads(interaction["request"]["body"])


def test_every_capture_is_covered_here() -> None:
    assert capture_files() == sorted([NONSTREAM, STREAM, E404, E412, GLM_TOOL_CHUNK])


# The captures were recorded by other projects with their own keys (Hugging Face's router
# took an ``hf_`` token): none of it may have survived the conversion.
_HF_TOKEN = re.compile(r"hf_[A-Za-z0-9]{20,}")
_CREDENTIAL_HEADERS = {"authorization", "x-api-key", "api-key", "cookie", "proxy-authorization"}


@pytest.mark.parametrize("name", capture_files())
def test_capture_carries_no_secret(name: str) -> None:
    text = (REAL_CAPTURES / name).read_text(encoding="utf-8")
    assert SECRET_PATTERN.search(text) is None, f"{name} contains a key-shaped string"
    assert _HF_TOKEN.search(text) is None, f"{name} contains a Hugging Face token"
    interaction = load_capture(name)
    sent = {k.lower() for k in interaction["request"].get("headers") or {}}
    assert not sent & _CREDENTIAL_HEADERS, name
    received = {k.lower() for k in interaction["response"].get("headers") or {}}
    assert "set-cookie" not in received, name


def test_nonstream_capture_through_chat_create() -> None:
    response, interaction = replay(NONSTREAM)
    client, _ = make_client(Recorder([response]))
    body = request_body(interaction)
    result = chat.create(client, body)
    completion = result.completion
    raw = json.loads(interaction["response"]["body"]["string"])

    assert completion.id == "3412739f-c13e-4a6a-ba4f-fcf3e696d683"
    assert completion.model == "accounts/fireworks/models/llama-v3p3-70b-instruct"
    choice = completion.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    assert choice.message.content == raw["choices"][0]["message"]["content"]
    assert choice.message.content.startswith("**Deep Learning Overview**\n")
    assert choice.message.content.endswith("regularization techniques to prevent this.")
    usage = completion.usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (46, 488, 534)

    assert result.request_id == "3412739f-c13e-4a6a-ba4f-fcf3e696d683"
    assert result.attempts == 1
    h = result.headers
    assert h["x-request-id"] == result.request_id
    assert h["fireworks-prompt-tokens"] == "46"
    assert h["fireworks-server-processing-time"] == "2.542"
    assert h["x-ratelimit-remaining-tokens-prompt"] == "59954"
    assert h["x-ratelimit-over-limit"] == "no"
    assert json.loads(h["fireworks-sampling-options"])["max_tokens"] == 2048
    # only request id, fireworks-* and rate-limit headers are surfaced
    assert all(k == "x-request-id" or k.startswith(("fireworks-", "x-ratelimit-")) for k in h)
    assert "server" not in h and "cf-ray" not in h and "content-type" not in h
    assert len([k for k in h if k.startswith("fireworks-")]) == 5
    assert len([k for k in h if k.startswith("x-ratelimit-")]) == 7


def expected_stream_text(interaction: dict[str, Any]) -> str:
    text = interaction["response"]["body"]["string"]
    parts = []
    for block in text.split("\n\n"):
        block = block.strip()
        if block.startswith("data: {"):
            delta = json.loads(block[len("data: ") :])["choices"][0]["delta"]
            parts.append(delta.get("content") or "")
    return "".join(parts)


@pytest.mark.parametrize("chunk_size", [None, 1, 7, 100])
def test_stream_capture_through_chat_stream_and_accumulator(chunk_size: int | None) -> None:
    response, interaction = replay(STREAM, chunk_size)
    client, _ = make_client(Recorder([response]))
    s = chat.stream(client, request_body(interaction))
    acc = StreamTracker()
    n = 0
    for chunk in s:
        acc.feed(chunk)
        n += 1
    result = acc.result()
    assert n == 5
    assert result.id == "5b09d00a-f63c-40fa-9ef5-7a5ec40210ef"
    content = result.choices[0].message.content
    assert content == expected_stream_text(interaction)
    assert content.startswith("**Deep Learning: An Introduction**\n")
    assert content.endswith("Deep learning is a subset of machine learning that utilizes")
    assert result.choices[0].finish_reason == "length"
    assert result.choices[0].message.role == "assistant"
    usage = result.usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (46, 20, 66)
    assert s.request_id == "5b09d00a-f63c-40fa-9ef5-7a5ec40210ef"
    assert s.headers["fireworks-server-time-to-first-token"] == "0.141"
    assert s.headers["x-ratelimit-remaining-tokens-generated"] == "5469"
    assert "fireworks-server-processing-time" not in s.headers
    assert "via" not in s.headers


async def test_stream_capture_async() -> None:
    response, interaction = replay(STREAM, 13)
    client, _ = make_async_client(AsyncRecorder([response]))
    acc = StreamTracker()
    async for chunk in chat.astream(client, request_body(interaction)):
        acc.feed(chunk)
    assert acc.result().choices[0].message.content == expected_stream_text(interaction)
    assert acc.result().usage.total_tokens == 66


def test_stream_capture_through_internal_streaming_of_create() -> None:
    response, interaction = replay(STREAM, 50)
    rec = Recorder([response])
    client, _ = make_client(rec)
    body = {**request_body(interaction), "max_tokens": 8000}
    result = chat.create(client, body)
    assert json.loads(rec.requests[0].content)["stream"] is True
    assert result.completion.choices[0].finish_reason == "length"
    assert result.completion.usage.completion_tokens == 20
    assert result.request_id == "5b09d00a-f63c-40fa-9ef5-7a5ec40210ef"


def test_404_capture_is_model_not_found_naming_the_model() -> None:
    response, _ = replay(E404)
    rec = Recorder([response])
    client, sleeps = make_client(rec)
    with pytest.raises(ModelNotFoundError) as info:
        chat.create(
            client,
            {
                "model": "accounts/fireworks/models/nope",
                "messages": [{"role": "user", "content": "x"}],
            },
        )
    err = info.value
    assert err.status_code == 404
    assert err.param == "model"
    assert err.code == "NOT_FOUND"
    assert isinstance(err, NotFoundError)
    assert err.server_message == "Model not found, inaccessible, and/or not deployed"
    assert err.model == "accounts/fireworks/models/nope"
    assert "'accounts/fireworks/models/nope'" in err.message and "list_models()" in err.message
    assert rec.calls == 1 and sleeps == []  # a 404 is never retried


def test_412_capture_is_precondition_failed_with_body_request_id() -> None:
    response, _ = replay(E412)
    rec = Recorder([response])
    client, _ = make_client(rec)
    with pytest.raises(PreconditionFailedError) as info:
        client.request(
            "POST",
            "/workflows/accounts/fireworks/models/flux-1-schnell-fp8/text_to_image",
            json_body={"prompt": "x"},
        )
    err = info.value
    assert err.request_id == "11650e2f-ff1b-4aac-9719-98006adf7349"
    assert err.code == "PRECONDITION_FAILED"
    assert err.message.startswith("Account pollinations is suspended")
    assert "request_id=11650e2f-ff1b-4aac-9719-98006adf7349" in str(err)
    assert rec.calls == 1


async def test_error_captures_async() -> None:
    response, _ = replay(E404)
    client, _ = make_async_client(AsyncRecorder([response]))
    with pytest.raises(NotFoundError):
        await client.request("POST", "/chat/completions", json_body={})
    response, _ = replay(E412)
    client, _ = make_async_client(AsyncRecorder([response]))
    with pytest.raises(PreconditionFailedError):
        async with client.stream("POST", "/chat/completions", json_body={}):
            pass


def test_glm_tool_chunk_repeated_is_one_call_named_once() -> None:
    """The raw glm-5p2 chunk SillyTavern PR 5948 quotes
    (https://github.com/SillyTavern/SillyTavern/pull/5948): Fireworks sends it again, with
    the same id, type and name, for every fragment of the call. Served four times (the
    report's merged id is four ids long), then a finish chunk and ``[DONE]`` of our own."""
    interaction = load_capture(GLM_TOOL_CHUNK)
    captured = interaction["response"]["body"]["string"].encode("utf-8")
    raw = json.loads(captured.decode().removeprefix("data: "))
    finish = dict(raw, choices=[{"index": 0, "delta": {}, "finish_reason": "tool_calls"}])
    body = captured * 4 + b"data: " + json.dumps(finish).encode() + b"\n\ndata: [DONE]\n\n"
    response = httpx.Response(200, stream=Body(pieces(body, 29)))
    client, _ = make_client(Recorder([response]))
    tracker = StreamTracker()
    deltas = [
        tracker.feed(c)
        for c in chat.stream(
            client,
            {
                "model": raw["model"],
                "messages": [{"role": "user", "content": "call the debug tool"}],
            },
        )
    ]
    (call,) = tracker.result().choices[0].message.tool_calls or ()
    assert (call.id, call.type, call.function.name) == (
        "chatcmpl-tool-aa62",
        "function",
        "debug_tool",
    )
    assert call.function.arguments == ""
    fragments = [f for d in deltas for f in d.tool_calls]
    assert len(fragments) == 4
    assert [(f.id, f.name) for f in fragments] == [("chatcmpl-tool-aa62", "debug_tool")] + [
        (None, None)
    ] * 3
    # The fields Fireworks adds are kept, not refused: ``raw_output`` on the choice and a
    # top-level ``name`` on the tool call.
    chunk = ChatCompletionChunk.model_validate(raw)
    assert chunk.choices[0].model_extra == {"raw_output": None}
    assert chunk.choices[0].delta.tool_calls[0].model_extra == {"name": None}
