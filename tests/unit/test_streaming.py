"""ChunkReader completeness rules, and chat streams end to end over a byte-level transport."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from fw_core import FIREWORKS, FIRMWARE
from fw_core.endpoints import chat
from fw_core.errors import ResponseValidationError, StreamError
from fw_core.http.sse import ServerSentEvent
from fw_core.http.streaming import ChunkReader
from fw_core.kit.stream_delta import StreamTracker
from fw_core.wire import ChatCompletionChunk

from ._core_support import (
    AsyncRecorder,
    Body,
    Recorder,
    json_response,
    make_async_client,
    make_client,
    pieces,
    sse,
    sse_response,
)

BODY = {"model": "accounts/fireworks/models/m", "messages": [{"role": "user", "content": "x"}]}


def c(content: str | None = None, finish: str | None = None, index: int = 0) -> dict[str, Any]:
    delta = {} if content is None else {"content": content}
    return {"id": "s", "choices": [{"index": index, "delta": delta, "finish_reason": finish}]}


def ev(data: Any, event: str | None = None) -> ServerSentEvent:
    return ServerSentEvent(data=data if isinstance(data, str) else json.dumps(data), event=event)


def reader() -> ChunkReader[ChatCompletionChunk]:
    return ChunkReader(ChatCompletionChunk, request_id="rid", status_code=200)


# ---------------------------------------------------------------------------------------
# ChunkReader


def test_zero_chunks_is_a_stream_error_even_with_done() -> None:
    r = reader()
    assert r.feed(ev("[DONE]")) is None
    with pytest.raises(StreamError, match="without sending any chunk") as info:
        r.finish()
    assert info.value.request_id == "rid"
    with pytest.raises(StreamError):
        reader().finish()


def test_no_finish_reason_and_no_done_is_a_stream_error() -> None:
    r = reader()
    r.feed(ev(c("Hel")))
    r.feed(ev(c("lo")))
    with pytest.raises(StreamError, match="before the answer was complete"):
        r.finish()


def test_finish_reason_without_done_is_complete() -> None:
    r = reader()
    r.feed(ev(c("Hi")))
    r.feed(ev(c(None, "stop")))
    r.finish()


def test_done_without_finish_reason_is_complete() -> None:
    r = reader()
    r.feed(ev(c("Hi")))
    r.feed(ev("[DONE]"))
    assert r.done
    r.finish()


def test_one_of_two_choices_unfinished_without_done_is_an_error() -> None:
    r = reader()
    r.feed(ev(c("a", index=0)))
    r.feed(ev(c("b", index=1)))
    r.feed(ev(c(None, "stop", index=0)))
    with pytest.raises(StreamError, match=r"\[1\] unfinished"):
        r.finish()


def test_event_error_frame_raises_with_code_and_message() -> None:
    r = reader()
    r.feed(ev(c("partial")))
    frame = {
        "error": {"message": "overloaded", "code": "SERVICE_UNAVAILABLE"},
        "request_id": "frame-rid",
    }
    with pytest.raises(StreamError) as info:
        r.feed(ev(frame, event="error"))
    err = info.value
    assert err.code == "SERVICE_UNAVAILABLE"
    assert "overloaded" in err.message
    assert err.request_id == "frame-rid"
    assert err.status_code == 200


def test_error_frame_with_non_json_text() -> None:
    with pytest.raises(StreamError, match="upstream died"):
        reader().feed(ev("upstream died", event="error"))


def test_error_envelope_as_a_plain_data_frame() -> None:
    r = reader()
    with pytest.raises(StreamError) as info:
        r.feed(ev({"error": {"message": "Internal error", "type": "server_error"}}))
    assert info.value.code == "server_error"
    assert info.value.request_id == "rid"


def test_null_error_field_is_not_an_error() -> None:
    r = reader()
    chunk = r.feed(ev({"id": "s", "usage": {"prompt_tokens": 1, "total_tokens": 3}, "error": None}))
    assert chunk is not None and chunk.usage.total_tokens == 3


def test_chunk_whose_text_mentions_error_is_not_an_error() -> None:
    r = reader()
    chunk = r.feed(ev(c('the word "error" appears here')))
    assert chunk is not None
    assert chunk.choices[0].delta.content == 'the word "error" appears here'


def test_malformed_json_is_a_stream_error() -> None:
    with pytest.raises(StreamError, match="malformed JSON") as info:
        reader().feed(ev('{"id": "s", "choices": [{"index": 0, "delta": {"con'))
    assert info.value.body.startswith('{"id"')
    with pytest.raises(StreamError, match="malformed JSON"):
        reader().feed(ev('{"error": truncated'))


def test_wrong_shape_chunk_is_a_response_validation_error() -> None:
    with pytest.raises(ResponseValidationError) as info:
        reader().feed(ev({"id": "s", "choices": "not a list"}))
    assert not isinstance(info.value, StreamError)
    with pytest.raises(ResponseValidationError):
        reader().feed(
            ev({"id": "s", "choices": [{"index": 0, "delta": {"tool_calls": [{"index": "zero"}]}}]})
        )


def test_pings_and_empty_frames_are_skipped() -> None:
    r = reader()
    assert r.feed(ev("", event=None)) is None
    assert r.feed(ev("{}", event="ping")) is None
    assert r.feed(ev("x", event="keepalive")) is None
    assert r.chunks == 0


# ---------------------------------------------------------------------------------------
# over the client


def run_stream(body: bytes | Body) -> Any:
    client, _ = make_client(Recorder([sse_response(body)]))
    acc = StreamTracker()
    for chunk in chat.stream(client, BODY):
        acc.feed(chunk)
    return acc.result()


@pytest.mark.parametrize("size", [1, 3, 64, 10_000])
def test_stream_result_is_independent_of_chunking(size: int) -> None:
    raw = sse(
        c("Hel"),
        c("lo \u2028 there"),
        c(None, "stop"),
        {"id": "s", "choices": [], "usage": {"prompt_tokens": 2, "total_tokens": 5}},
    )
    r = run_stream(Body(pieces(raw, size)))
    assert r.choices[0].message.content == "Hello \u2028 there"
    assert r.usage.total_tokens == 5


def test_stream_stops_reading_at_done() -> None:
    raw = sse(c("a", "stop")) + b"data: this is not json\n\n"
    assert run_stream(raw).choices[0].message.content == "a"


def test_truncated_stream_raises_instead_of_returning_a_partial_answer() -> None:
    with pytest.raises(StreamError, match="before the answer was complete"):
        run_stream(sse(c("Hel"), c("lo"), done=False))


def test_empty_stream_raises() -> None:
    with pytest.raises(StreamError, match="without sending any chunk"):
        run_stream(b"")


def test_error_event_mid_stream_raises() -> None:
    raw = sse(c("Hel"), done=False) + b'event: error\ndata: {"error": {"message": "boom"}}\n\n'
    with pytest.raises(StreamError, match="boom"):
        run_stream(raw)


def test_stream_sends_stream_flags_and_exposes_headers() -> None:
    headers = {
        "x-request-id": "r-9",
        "fireworks-server-time-to-first-token": "0.1",
        "server": "nginx",
    }
    rec = Recorder([sse_response(sse(c("x", "stop")), headers)])
    client, _ = make_client(rec)
    s = chat.stream(client, {**BODY, "stream_options": {"include_usage": False, "other": 1}})
    assert s.headers == {} and s.request_id is None  # nothing sent yet
    list(s)
    sent = json.loads(rec.requests[0].content)
    assert sent["stream"] is True
    assert sent["stream_options"] == {"include_usage": False, "other": 1}  # caller's choice kept
    assert rec.requests[0].headers["accept"] == "text/event-stream"
    assert s.request_id == "r-9" and s.attempts == 1
    assert s.headers == {"x-request-id": "r-9", "fireworks-server-time-to-first-token": "0.1"}


def test_stream_asks_for_usage_by_default() -> None:
    rec = Recorder([sse_response(sse(c("x", "stop")))])
    client, _ = make_client(rec)
    list(chat.stream(client, BODY))
    assert json.loads(rec.requests[0].content)["stream_options"] == {"include_usage": True}


async def test_async_stream_truncated_and_whole() -> None:
    client, _ = make_async_client(AsyncRecorder([sse_response(sse(c("a"), done=False))]))
    with pytest.raises(StreamError):
        async for _ in chat.astream(client, BODY):
            pass
    client, _ = make_async_client(AsyncRecorder([sse_response(sse(c("a"), c("b", "stop")))]))
    acc = StreamTracker()
    s = chat.astream(client, BODY)
    async for chunk in s:
        acc.feed(chunk)
    assert acc.result().choices[0].message.content == "ab"
    assert s.attempts == 1


# ---------------------------------------------------------------------------------------
# chat.create, including internal streaming above the non-streaming limit


def completion(content: str = "hi") -> dict[str, Any]:
    return {
        "id": "c",
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def test_create_non_streaming_strips_stream_flags() -> None:
    rec = Recorder(
        [
            json_response(
                completion(), headers={"x-request-id": "q", "x-ratelimit-remaining-requests": "5"}
            )
        ]
    )
    client, _ = make_client(rec)
    resp = chat.create(client, {**BODY, "stream": True, "stream_options": {}, "max_tokens": 100})
    sent = json.loads(rec.requests[0].content)
    assert "stream" not in sent and "stream_options" not in sent
    assert resp.completion.choices[0].message.content == "hi"
    assert resp.request_id == "q"
    assert resp.headers == {"x-request-id": "q", "x-ratelimit-remaining-requests": "5"}


@pytest.mark.parametrize("field", ["max_tokens", "max_completion_tokens"])
def test_create_streams_internally_above_fireworks_limit(field: str) -> None:
    limit = FIREWORKS.max_nonstream_tokens
    assert limit is not None
    rec = Recorder(
        [
            sse_response(
                sse(
                    c("long "),
                    c("answer", "stop"),
                    {"id": "s", "choices": [], "usage": {"total_tokens": 9}},
                )
            )
        ]
    )
    client, _ = make_client(rec)
    resp = chat.create(client, {**BODY, field: limit + 1})
    sent = json.loads(rec.requests[0].content)
    assert sent["stream"] is True and sent["stream_options"]["include_usage"] is True
    assert resp.completion.choices[0].message.content == "long answer"
    assert resp.completion.usage.total_tokens == 9


def test_create_at_the_limit_does_not_stream() -> None:
    rec = Recorder([json_response(completion())])
    client, _ = make_client(rec)
    resp = chat.create(client, {**BODY, "max_tokens": FIREWORKS.max_nonstream_tokens})
    assert resp.completion.choices
    assert "stream" not in json.loads(rec.requests[0].content)


def test_firmware_never_streams_internally() -> None:
    rec = Recorder([json_response(completion())])
    client, _ = make_client(rec, provider=FIRMWARE)
    resp = chat.create(
        client, {"model": "openai/gpt-4o", "messages": BODY["messages"], "max_tokens": 100_000}
    )
    assert resp.completion.choices
    assert "stream" not in json.loads(rec.requests[0].content)


async def test_acreate_both_paths() -> None:
    rec = AsyncRecorder([json_response(completion("plain"))])
    client, _ = make_async_client(rec)
    resp = await chat.acreate(client, BODY)
    assert resp.completion.choices[0].message.content == "plain"
    assert "stream" not in json.loads(rec.requests[0].content)
    rec = AsyncRecorder([sse_response(sse(c("streamed", "stop")))])
    client, _ = make_async_client(rec)
    resp = await chat.acreate(client, {**BODY, "max_tokens": 10_000})
    assert resp.completion.choices[0].message.content == "streamed"
    assert json.loads(rec.requests[0].content)["stream"] is True


def test_create_rejects_a_200_with_the_wrong_shape() -> None:
    client, _ = make_client(
        Recorder([json_response({"id": "c", "choices": "nope"}, headers={"x-request-id": "bad"})])
    )
    with pytest.raises(ResponseValidationError) as info:
        chat.create(client, BODY)
    assert info.value.request_id == "bad" and info.value.status_code == 200
    assert "choices" in str(info.value)


@pytest.mark.parametrize(
    "body",
    [
        {"messages": [{"role": "user", "content": "x"}]},
        {"model": "m", "messages": []},
        {"model": "m"},
    ],
)
def test_chat_body_checked_before_any_request(body: dict[str, Any]) -> None:
    from fw_core.errors import ConfigurationError

    rec = Recorder([json_response(completion())])
    client, _ = make_client(rec)
    with pytest.raises(ConfigurationError):
        chat.create(client, body)
    with pytest.raises(ConfigurationError):
        chat.stream(client, body)
    assert rec.calls == 0


# ---------------------------------------------------------------------------------------
# wire models


def test_parse_model_from_a_dict_and_its_error() -> None:
    from fw_core.wire import ChatCompletion, parse_model

    ok = parse_model(ChatCompletion, {"choices": [{"message": {"content": "x"}}]})
    assert ok.choices[0].message.content == "x" and ok.choices[0].index == 0
    with pytest.raises(ResponseValidationError, match="at choices") as info:
        parse_model(ChatCompletion, {"choices": [{"message": 3}]}, request_id="r")
    assert info.value.request_id == "r"
    assert json.loads(info.value.body) == {"choices": [{"message": 3}]}


def test_usage_nulls_count_as_zero_and_choices_null_as_empty() -> None:
    chunk = ChatCompletionChunk.model_validate(
        {
            "id": "s",
            "choices": None,
            "usage": {"prompt_tokens": 5, "completion_tokens": None, "total_tokens": 5},
        }
    )
    assert chunk.choices == []
    assert chunk.usage.completion_tokens == 0
    assert chunk.usage.cached_tokens is None and chunk.usage.reasoning_tokens is None


async def test_async_consumer_stopping_early_releases_the_connection() -> None:
    raw = sse(*[c("a") for _ in range(20)], c(None, "stop"))
    body = Body(pieces(raw, 30))
    client, _ = make_async_client(AsyncRecorder([sse_response(body)]))
    async for _chunk in chat.astream(client, BODY):
        break
    # The abandoned async generator is closed by the event loop's finaliser, which
    # closes the response; give it a few turns of the loop.
    for _ in range(10):
        if body.closed:
            break
        await asyncio.sleep(0)
    assert body.closed
    assert body.handed_out < len(body.pieces)


# ---------------------------------------------------------------------------------------
# after [DONE]: the answer is whole


def test_connection_reset_after_done_does_not_spoil_a_whole_answer() -> None:
    raw = sse(c("Hel"), c("lo", "stop"))
    body = Body(pieces(raw, 16), break_after=len(pieces(raw, 16)))  # reset at the very end
    assert run_stream(body).choices[0].message.content == "Hello"


def test_connection_reset_after_done_without_chunks_is_still_an_error() -> None:
    body = Body([b"data: [DONE]\n\n"], break_after=1)
    with pytest.raises(StreamError, match="without sending any chunk"):
        run_stream(body)


def test_reset_before_done_is_still_a_stream_error() -> None:
    raw = sse(c("Hel"), c("lo", "stop"), done=False)
    body = Body([raw], break_after=1)
    with pytest.raises(StreamError, match="broke mid-way"):
        run_stream(body)


def test_body_after_done_is_read_to_its_end_but_not_parsed() -> None:
    from fw_core.http.streaming import MAX_EVENTS_AFTER_DONE

    tail = b"data: not json\n\n" * 3
    body = Body([sse(c("a", "stop")), tail])
    assert run_stream(body).choices[0].message.content == "a"
    assert body.handed_out == 2  # drained, so the connection can go back to the pool
    # an endless tail is not drained forever
    endless = Body([sse(c("a", "stop"))] + [b"data: x\n\n"] * (MAX_EVENTS_AFTER_DONE + 50))
    assert run_stream(endless).choices[0].message.content == "a"
    assert endless.handed_out <= MAX_EVENTS_AFTER_DONE + 2


async def test_async_reset_after_done_and_endless_tail() -> None:
    from fw_core.http.streaming import MAX_EVENTS_AFTER_DONE

    raw = sse(c("x", "stop"))
    client, _ = make_async_client(AsyncRecorder([sse_response(Body([raw], break_after=1))]))
    got = [ch async for ch in chat.astream(client, BODY)]
    assert [ch.choices[0].delta.content for ch in got] == ["x"]
    endless = Body([raw] + [b"data: y\n\n"] * (MAX_EVENTS_AFTER_DONE + 50))
    client, _ = make_async_client(AsyncRecorder([sse_response(endless)]))
    assert len([ch async for ch in chat.astream(client, BODY)]) == 1
    assert endless.handed_out <= MAX_EVENTS_AFTER_DONE + 2
    client, _ = make_async_client(AsyncRecorder([sse_response(Body([raw[:-30]], break_after=1))]))
    with pytest.raises(StreamError):
        async for _ in chat.astream(client, BODY):
            pass
