"""Retry policy (pure functions) and the client retry loops, sync and async."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from fw_core.endpoints import chat
from fw_core.errors import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    InternalServerError,
    RateLimitError,
    StreamError,
)
from fw_core.http.retry import (
    DEFAULT_MAX_DELAY,
    DEFAULT_MAX_RETRY_AFTER,
    backoff,
    parse_retry_after,
    should_retry,
)
from fw_core.kit.stream_delta import StreamTracker

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

OK = {"id": "c1", "choices": [{"index": 0, "message": {"content": "hi"}, "finish_reason": "stop"}]}
BODY = {"model": "accounts/fireworks/models/m", "messages": [{"role": "user", "content": "x"}]}
CHUNKS = sse(
    {"id": "s", "choices": [{"index": 0, "delta": {"content": "Hel"}}]},
    {"id": "s", "choices": [{"index": 0, "delta": {"content": "lo"}, "finish_reason": "stop"}]},
)

# ---------------------------------------------------------------------------------------
# pure policy


@pytest.mark.parametrize(
    ("status", "retried"),
    [
        (408, True),
        (409, True),
        (429, True),
        (500, True),
        (502, True),
        (503, True),
        (504, True),
        (599, True),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (412, False),
        (422, False),
    ],
)
def test_status_table(status: int, retried: bool) -> None:
    assert should_retry(status) is retried
    assert should_retry(status, {}) is retried


def test_x_should_retry_overrides_the_status_both_ways() -> None:
    assert should_retry(400, {"x-should-retry": "true"}) is True
    assert should_retry(503, {"x-should-retry": "false"}) is False
    assert should_retry(503, {"X-Should-Retry": " FALSE "}) is False  # any case, trimmed
    assert should_retry(503, httpx.Headers({"X-Should-Retry": "false"})) is False
    # a value that is neither true nor false leaves the status table in charge
    assert should_retry(503, {"x-should-retry": "maybe"}) is True
    assert should_retry(400, {"x-should-retry": "maybe"}) is False


def test_retry_after_ms_wins_over_retry_after() -> None:
    assert parse_retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert parse_retry_after({"Retry-After-Ms": "250"}) == 0.25


def test_retry_after_seconds() -> None:
    assert parse_retry_after({"retry-after": "3"}) == 3.0
    assert parse_retry_after({"Retry-After": " 0.5 "}) == 0.5
    assert parse_retry_after(httpx.Headers({"Retry-After": "7"})) == 7.0


def test_retry_after_http_date_uses_the_given_clock() -> None:
    now = 1_760_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=now) == pytest.approx(30.0)
    past = email.utils.formatdate(now - 100, usegmt=True)
    assert parse_retry_after({"retry-after": past}, now=now) == 0.0


@pytest.mark.parametrize(
    "headers",
    [
        None,
        {},
        {"retry-after": "-5"},
        {"retry-after": "soon"},
        {"retry-after": "nan"},
        {"retry-after-ms": "-100"},
        {"retry-after-ms": "abc"},
        {"retry-after-ms": "nan"},
    ],
)
def test_missing_negative_or_garbage_hints_are_ignored(headers: dict[str, str] | None) -> None:
    assert parse_retry_after(headers) is None


def test_out_of_range_http_date_is_ignored_not_raised() -> None:
    assert parse_retry_after({"retry-after": "Mon, 01 Jan 99999 00:00:00 GMT"}, now=0) is None
    assert backoff(0, {"retry-after": "Mon, 01 Jan 99999 00:00:00 GMT"}, rng=lambda: 0.0) == 0.5


def test_out_of_range_http_date_in_the_loop_still_retries() -> None:
    hint = {"retry-after": "Mon, 01 Jan 99999 00:00:00 GMT"}
    rec = Recorder([rate_limited(hint), json_response(OK)])
    client, sleeps = make_client(rec)
    assert client.request("GET", "/models").attempts == 2
    assert len(sleeps) == 1 and 0.375 <= sleeps[0] <= 0.5


def test_bad_retry_after_ms_falls_back_to_retry_after() -> None:
    assert parse_retry_after({"retry-after-ms": "x", "retry-after": "4"}) == 4.0
    assert parse_retry_after({"retry-after-ms": "-1", "retry-after": "4"}) == 4.0


def test_backoff_honours_hints_up_to_the_cap() -> None:
    assert backoff(0, {"retry-after": "3"}) == 3.0
    assert backoff(5, {"retry-after-ms": "20"}) == 0.02
    assert backoff(0, {"retry-after": "3600"}) == DEFAULT_MAX_RETRY_AFTER
    assert backoff(0, {"retry-after": "3600"}, max_retry_after=10) == 10
    # garbage hints fall back to exponential backoff
    assert backoff(1, {"retry-after": "-3"}, rng=lambda: 0.0) == 1.0


def test_backoff_is_exponential_and_capped() -> None:
    delays = [backoff(a, rng=lambda: 0.0) for a in range(8)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0]
    assert backoff(50, rng=lambda: 0.0) == DEFAULT_MAX_DELAY
    assert backoff(0, initial=0.1, max_delay=0.15, rng=lambda: 0.0) == 0.1
    assert backoff(3, initial=0.1, max_delay=0.15, rng=lambda: 0.0) == 0.15


def test_jitter_bounds() -> None:
    for attempt in range(6):
        top = min(0.5 * 2**attempt, DEFAULT_MAX_DELAY)
        assert backoff(attempt, rng=lambda: 0.0) == top
        low = backoff(attempt, rng=lambda: 0.999999)
        assert top * 0.75 <= low < top
        assert low == pytest.approx(top * 0.75, rel=1e-5)
    # the real RNG stays inside the bounds
    for _ in range(200):
        assert 0.375 <= backoff(0) <= 0.5


# ---------------------------------------------------------------------------------------
# client loop, sync


def rate_limited(headers: dict[str, str] | None = None) -> httpx.Response:
    return json_response({"error": {"message": "slow down"}}, 429, headers)


@pytest.mark.parametrize("max_retries", [0, 2])
def test_429_storm_makes_exactly_max_retries_plus_one_attempts(max_retries: int) -> None:
    # Rate limiting off: every 429 spends the fault budget (the limiter's own rule, that an
    # announced 429 is waited out instead, is tested below and in test_ratelimit.py).
    rec = Recorder(lambda r, n: rate_limited({"retry-after-ms": str(100 * (n + 1))}))
    client, sleeps = make_client(rec, max_retries=max_retries, rate_limit=False)
    with pytest.raises(RateLimitError) as info:
        client.request("POST", "/chat/completions", json_body=BODY)
    assert rec.calls == max_retries + 1
    assert sleeps == [0.1 * (n + 1) for n in range(max_retries)]
    assert info.value.status_code == 429
    assert info.value.message == "slow down"


@pytest.mark.parametrize("max_retries", [0, 2])
def test_announced_429_storm_is_waited_out_then_spends_the_fault_budget(
    max_retries: int,
) -> None:
    """Rate limiting on (the default): 429s with retry-after are waited out without
    spending max_retries, until rate_limit_max_wait is used up; then they are faults."""
    rec = Recorder(lambda r, n: rate_limited({"retry-after": "1"}))
    client, sleeps = make_client(rec, max_retries=max_retries, rate_limit_max_wait=5)
    with pytest.raises(RateLimitError) as info:
        client.request("POST", "/chat/completions", json_body=BODY)
    assert rec.calls == 1 + 5 + max_retries
    assert sleeps == [1.0] * (5 + max_retries)
    assert info.value.status_code == 429


def test_delays_follow_each_header_kind() -> None:
    rec = Recorder(
        [
            rate_limited({"retry-after": "2"}),
            json_response({}, 503, {"retry-after-ms": "750"}),
            json_response(OK),
        ]
    )
    client, sleeps = make_client(rec, max_retries=3)
    resp = client.request("POST", "/chat/completions", json_body=BODY)
    assert resp.json()["id"] == "c1"
    assert resp.attempts == 3
    assert sleeps == [2.0, 0.75]


def test_without_hints_the_loop_uses_exponential_backoff() -> None:
    rec = Recorder(lambda r, n: json_response({}, 500))
    client, sleeps = make_client(rec, max_retries=3)
    with pytest.raises(InternalServerError):
        client.request("GET", "/models")
    assert len(sleeps) == 3
    for attempt, delay in enumerate(sleeps):
        top = 0.5 * 2**attempt
        assert top * 0.75 <= delay <= top


def test_4xx_is_not_retried_and_x_should_retry_is_obeyed() -> None:
    rec = Recorder([json_response({"error": "bad"}, 400)])
    client, sleeps = make_client(rec)
    with pytest.raises(BadRequestError):
        client.request("POST", "/chat/completions", json_body=BODY)
    assert (rec.calls, sleeps) == (1, [])

    rec = Recorder([json_response({}, 503, {"x-should-retry": "false"})])
    client, sleeps = make_client(rec)
    with pytest.raises(InternalServerError):
        client.request("POST", "/chat/completions", json_body=BODY)
    assert rec.calls == 1

    rec = Recorder([json_response({}, 400, {"x-should-retry": "true"}), json_response(OK)])
    client, sleeps = make_client(rec)
    assert client.request("POST", "/chat/completions", json_body=BODY).attempts == 2


@pytest.mark.parametrize(
    ("exc", "mapped"),
    [
        (httpx.ConnectError, APIConnectionError),
        (httpx.ReadTimeout, APITimeoutError),
        (httpx.ConnectTimeout, APITimeoutError),
        (httpx.RemoteProtocolError, APIConnectionError),
    ],
)
def test_transport_errors_are_retried_then_mapped(exc: type[Exception], mapped: type) -> None:
    rec = Recorder([exc])
    client, sleeps = make_client(rec, max_retries=2)
    with pytest.raises(mapped) as info:
        client.request("POST", "/chat/completions", json_body=BODY)
    assert rec.calls == 3
    assert len(sleeps) == 2
    assert isinstance(info.value.__cause__, exc)
    assert info.value.status_code is None
    assert "/chat/completions" in str(info.value)


def test_timeout_error_is_also_a_connection_error() -> None:
    client, _ = make_client(Recorder([httpx.ReadTimeout]), max_retries=0)
    with pytest.raises(APIConnectionError):
        client.request("GET", "/models")


def test_transport_error_then_success() -> None:
    rec = Recorder([httpx.ConnectError("refused"), json_response(OK)])
    client, sleeps = make_client(rec)
    assert client.request("POST", "/chat/completions", json_body=BODY).attempts == 2
    assert len(sleeps) == 1


class CannotOverwriteExistingCassetteException(Exception):
    """Stands in for vcrpy's exception on a cassette miss."""


@pytest.mark.parametrize("exc", [ValueError("no"), CannotOverwriteExistingCassetteException()])
def test_non_transport_exceptions_propagate_unchanged_and_are_never_retried(
    exc: Exception,
) -> None:
    rec = Recorder([exc])
    client, sleeps = make_client(rec, max_retries=5)
    with pytest.raises(type(exc)) as info:
        client.request("POST", "/chat/completions", json_body=BODY)
    assert info.value is exc
    assert (rec.calls, sleeps) == (1, [])


def test_reset_while_reading_a_non_streamed_body_is_retried() -> None:
    first = Body([b'{"id": "c1", "cho'], break_after=1)
    rec = Recorder([httpx.Response(200, stream=first), json_response(OK)])
    client, sleeps = make_client(rec)
    resp = client.request("POST", "/chat/completions", json_body=BODY)
    assert resp.json() == OK
    assert rec.calls == 2 and len(sleeps) == 1
    assert first.closed


def test_no_retry_after_the_first_streamed_byte() -> None:
    body = Body(pieces(CHUNKS, 20), break_after=3)
    rec = Recorder([sse_response(body), sse_response(CHUNKS)])
    client, sleeps = make_client(rec, max_retries=3)
    got = []
    with pytest.raises(StreamError) as info:
        for chunk in chat.stream(client, BODY):
            got.append(chunk)
    assert rec.calls == 1 and sleeps == []
    assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)
    assert body.closed


def test_stream_that_fails_before_its_first_byte_is_retried() -> None:
    rec = Recorder([rate_limited({"retry-after": "1"}), sse_response(CHUNKS)])
    client, sleeps = make_client(rec)
    s = chat.stream(client, BODY)
    acc = StreamTracker()
    for chunk in s:
        acc.feed(chunk)
    assert acc.result().choices[0].message.content == "Hello"
    assert s.attempts == 2 and sleeps == [1.0]


def test_error_responses_are_closed_before_retrying() -> None:
    bodies = [Body([b'{"error": "busy"}']) for _ in range(3)]
    rec = Recorder(lambda r, n: httpx.Response(503, stream=bodies[n]))
    client, _ = make_client(rec, max_retries=2)
    with pytest.raises(InternalServerError) as info:
        client.request("GET", "/models")
    assert all(b.closed for b in bodies)
    assert info.value.message == "busy"


def test_error_body_that_breaks_while_read_still_maps_the_status() -> None:
    # On a stream the error body is read by fw_core: a reset there keeps the status.
    body = Body([b'{"err'], break_after=1)
    client, _ = make_client(Recorder([httpx.Response(401, stream=body)]))
    from fw_core.errors import AuthenticationError

    with pytest.raises(AuthenticationError), client.stream("POST", "/chat/completions"):
        pass
    assert body.closed


def test_stream_closed_when_the_consumer_stops_early() -> None:
    body = Body(pieces(CHUNKS, 10))
    client, _ = make_client(Recorder([sse_response(body)]))
    with client.stream("POST", "/chat/completions", json_body=BODY) as events:
        for _event in events:
            break
    assert body.closed
    assert events.response.is_closed
    assert body.handed_out < len(body.pieces)

    body2 = Body(pieces(CHUNKS, 10))
    client, _ = make_client(Recorder([sse_response(body2)]))
    for _chunk in chat.stream(client, BODY):
        break  # dropping the generator closes it (CPython refcounting)
    assert body2.closed


# ---------------------------------------------------------------------------------------
# client loop, async


@pytest.mark.parametrize("max_retries", [0, 2])
async def test_async_429_storm(max_retries: int) -> None:
    rec = AsyncRecorder(lambda r, n: rate_limited({"retry-after": str(n + 1)}))
    client, sleeps = make_async_client(rec, max_retries=max_retries, rate_limit=False)
    with pytest.raises(RateLimitError):
        await client.request("POST", "/chat/completions", json_body=BODY)
    assert rec.calls == max_retries + 1
    assert sleeps == [float(n + 1) for n in range(max_retries)]


@pytest.mark.parametrize(
    ("exc", "mapped"),
    [(httpx.ConnectError, APIConnectionError), (httpx.ReadTimeout, APITimeoutError)],
)
async def test_async_transport_errors(exc: type[Exception], mapped: type) -> None:
    rec = AsyncRecorder([exc])
    client, sleeps = make_async_client(rec, max_retries=2)
    with pytest.raises(mapped):
        await client.request("GET", "/models")
    assert rec.calls == 3 and len(sleeps) == 2


async def test_async_transport_error_then_success_and_4xx_not_retried() -> None:
    rec = AsyncRecorder([httpx.ConnectError("x"), json_response(OK)])
    client, _ = make_async_client(rec)
    assert (await client.request("GET", "/x")).attempts == 2
    rec = AsyncRecorder([json_response({"error": "no"}, 404)])
    client, sleeps = make_async_client(rec)
    from fw_core.errors import NotFoundError

    with pytest.raises(NotFoundError):
        await client.request("GET", "/x")
    assert (rec.calls, sleeps) == (1, [])


@pytest.mark.parametrize("exc", [ValueError("no"), CannotOverwriteExistingCassetteException()])
async def test_async_non_transport_exceptions_propagate(exc: Exception) -> None:
    rec = AsyncRecorder([exc])
    client, sleeps = make_async_client(rec, max_retries=5)
    with pytest.raises(type(exc)) as info:
        await client.request("GET", "/models")
    assert info.value is exc
    assert (rec.calls, sleeps) == (1, [])


async def test_async_reset_while_reading_body_is_retried() -> None:
    first = Body([b'{"id"'], break_after=1)
    rec = AsyncRecorder([httpx.Response(200, stream=first), json_response(OK)])
    client, sleeps = make_async_client(rec)
    assert (await client.request("GET", "/x")).json() == OK
    assert rec.calls == 2 and len(sleeps) == 1 and first.closed


async def test_async_no_retry_after_first_streamed_byte() -> None:
    body = Body(pieces(CHUNKS, 20), break_after=2)
    rec = AsyncRecorder([sse_response(body), sse_response(CHUNKS)])
    client, sleeps = make_async_client(rec, max_retries=3)
    with pytest.raises(StreamError):
        async for _ in chat.astream(client, BODY):
            pass
    assert rec.calls == 1 and sleeps == [] and body.closed


async def test_async_stream_retried_before_first_byte() -> None:
    rec = AsyncRecorder([json_response({}, 502), sse_response(CHUNKS)])
    client, sleeps = make_async_client(rec)
    s = chat.astream(client, BODY)
    acc = StreamTracker()
    async for chunk in s:
        acc.feed(chunk)
    assert acc.result().choices[0].message.content == "Hello"
    assert s.attempts == 2 and len(sleeps) == 1


async def test_async_connections_released() -> None:
    bodies = [Body([b"{}"]) for _ in range(2)]
    rec = AsyncRecorder(lambda r, n: httpx.Response(500, stream=bodies[n]))
    client, _ = make_async_client(rec, max_retries=1)
    with pytest.raises(InternalServerError):
        await client.request("GET", "/models")
    assert all(b.closed for b in bodies)

    body = Body(pieces(CHUNKS, 10))
    client, _ = make_async_client(AsyncRecorder([sse_response(body)]))
    async with client.stream("POST", "/chat/completions", json_body=BODY) as events:
        async for _event in events:
            break
    assert body.closed and events.response.is_closed

    broken = Body([b"{"], break_after=1)
    client, _ = make_async_client(AsyncRecorder([httpx.Response(400, stream=broken)]))
    with pytest.raises(BadRequestError):
        async with client.stream("POST", "/chat/completions"):
            pass
    assert broken.closed
