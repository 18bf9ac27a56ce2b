"""Every fault kind of the wire double surfaces as the right fw_core error.

Through the in-process transport for every kind, and through the loopback server for
representative ones (retry counts, reset, cut stream, slow first byte), so both ways of
delivering a fault behave like a misbehaving network or API.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fw_core import (
    FIREWORKS,
    FIRMWARE,
    APIConnectionError,
    APITimeoutError,
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    Client,
    ContextLengthExceededError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitError,
    ResponseValidationError,
    StreamError,
    UnprocessableEntityError,
    UnsupportedParameterError,
)
from fw_core.endpoints import chat
from fw_core.testing import Fault, WireDouble, serve

_TLS = ssl.create_default_context()  # built once: a new one per client is slow
BODY = {
    "model": "accounts/fireworks/models/deepseek-v3p1",
    "messages": [{"role": "user", "content": "Tell me about rivers"}],
}
STREAM = {**BODY, "stream": True, "stream_options": {"include_usage": True}}


def _client(double: WireDouble, **kwargs: Any) -> Client:
    client = Client(
        FIREWORKS,
        api_key="test-key",
        http_client=httpx.Client(transport=double.transport()),
        **kwargs,
    )
    client._sleep = lambda _s: None
    return client


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        (Fault.status(400), BadRequestError, "Invalid request"),
        (Fault.status(401, envelope="string"), AuthenticationError, "API key"),
        (Fault.status(403, envelope="openai"), PermissionDeniedError, "Permission denied"),
        (Fault.status(404, envelope="bare"), NotFoundError, "Model not found"),
        (Fault.status(412), PreconditionFailedError, "suspended"),
        (
            Fault.status(422, envelope="fastapi", message="field required", param="messages"),
            UnprocessableEntityError,
            "field required",
        ),
        (Fault.status(429, envelope="anthropic"), RateLimitError, "rate limit"),
        (Fault.status(503), InternalServerError, "Overloaded"),
        (Fault.html(502), InternalServerError, "502 Bad Gateway"),
        (Fault.context_length(), ContextLengthExceededError, "maximum context length"),
        (Fault.extra_inputs("foo"), UnsupportedParameterError, "Extra inputs are not permitted"),
    ],
)
def test_status_faults_map_to_typed_errors(
    fault: Fault, error: type[Exception], message: str
) -> None:
    double = WireDouble()
    double.inject(fault, times=5)
    with pytest.raises(error) as info:
        chat.create(_client(double), BODY)
    assert message.lower() in str(info.value).lower()
    assert info.value.status_code == fault.status_code  # type: ignore[attr-defined]
    assert info.value.request_id  # type: ignore[attr-defined]


def test_request_id_reaches_the_error() -> None:
    double = WireDouble()
    double.inject(Fault.status(400, headers={"x-request-id": "req-123"}))
    with pytest.raises(BadRequestError) as info:
        chat.create(_client(double), BODY)
    assert info.value.request_id == "req-123"


def test_429_is_retried_with_retry_after_then_succeeds() -> None:
    double = WireDouble()
    double.inject(Fault.status(429, headers={"retry-after": "1"}), times=2)
    client = _client(double)
    delays: list[float] = []
    client._sleep = delays.append
    resp = chat.create(client, BODY)
    assert resp.attempts == 3 and double.count("/chat/completions") == 3
    assert delays == [1.0, 1.0]


def test_retry_after_ms_is_honoured() -> None:
    double = WireDouble()
    double.inject(Fault.status(503, headers={"retry-after-ms": "250"}))
    client = _client(double)
    delays: list[float] = []
    client._sleep = delays.append
    chat.create(client, BODY)
    assert delays == [0.25]


def test_faults_can_target_one_path() -> None:
    double = WireDouble()
    double.inject(Fault.status(500), times=3, path="/embeddings")
    assert chat.create(_client(double), BODY).attempts == 1
    assert double.count() == 1


def test_400_is_not_retried() -> None:
    double = WireDouble()
    double.inject(Fault.status(400), times=3)
    with pytest.raises(BadRequestError):
        chat.create(_client(double), BODY)
    assert double.count() == 1


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.reset(), APIConnectionError),
        (Fault.connect_error(), APIConnectionError),
        (Fault.timeout(0.05), APITimeoutError),
    ],
)
def test_connection_faults_are_retried_then_raised(fault: Fault, error: type[Exception]) -> None:
    double = WireDouble()
    double.inject(fault, times=3)
    with pytest.raises(error):
        chat.create(_client(double, max_retries=2), BODY)
    assert double.count() == 3


def test_slow_first_byte_beyond_the_read_timeout_times_out() -> None:
    double = WireDouble()
    double.inject(Fault.slow_first_byte(5.0), times=2)
    with pytest.raises(APITimeoutError):
        chat.create(_client(double, timeout=0.05, max_retries=1), BODY)
    double.inject(Fault.slow_first_byte(0.01))
    assert chat.create(_client(double, timeout=2.0), BODY).completion.choices


def test_slow_body_beyond_the_read_timeout_breaks_the_stream() -> None:
    double = WireDouble()
    double.inject(Fault.slow_body(5.0))
    with pytest.raises((StreamError, APITimeoutError)):
        list(chat.stream(_client(double, timeout=0.05, max_retries=0), STREAM))


def _partial(client: Client, body: dict[str, Any]) -> tuple[list[Any], Exception | None]:
    got: list[Any] = []
    try:
        for chunk in chat.stream(client, body):
            got.append(chunk)
    except Exception as exc:
        return got, exc
    return got, None


def test_cut_stream_raises_after_the_chunks_it_delivered() -> None:
    double = WireDouble()
    double.inject(Fault.cut_stream(after=3))
    got, exc = _partial(_client(double), STREAM)
    assert isinstance(exc, StreamError)
    assert len(got) == 3
    assert double.count() == 1  # never retried once bytes were handed out


def test_cut_nonstream_body_is_a_connection_error_and_retried() -> None:
    double = WireDouble()
    double.inject(Fault.cut_stream())
    resp = chat.create(_client(double), BODY)
    assert resp.attempts == 2


def test_error_event_mid_stream() -> None:
    double = WireDouble()
    double.inject(Fault.error_event(after=2, message="model crashed"))
    got, exc = _partial(_client(double), STREAM)
    assert isinstance(exc, StreamError) and "model crashed" in str(exc)
    assert len(got) == 2


def test_malformed_json_frame() -> None:
    double = WireDouble()
    double.inject(Fault.malformed_json(after=1))
    got, exc = _partial(_client(double), STREAM)
    assert isinstance(exc, StreamError) and len(got) == 1


def test_wrong_shape_is_a_validation_error_plain_and_streamed() -> None:
    double = WireDouble()
    double.inject(Fault.wrong_shape(), times=2)
    with pytest.raises(ResponseValidationError):
        chat.create(_client(double), BODY)
    with pytest.raises(ResponseValidationError):
        list(chat.stream(_client(double), STREAM))


@pytest.mark.parametrize("done", [True, False])
def test_empty_stream(done: bool) -> None:
    double = WireDouble()
    double.inject(Fault.empty_stream(done=done))
    client = Client(FIRMWARE, api_key="k", http_client=httpx.Client(transport=double.transport()))
    with pytest.raises(StreamError, match="empty"):
        list(chat.stream(client, {**STREAM, "model": "openai/gpt-4o"}))


async def test_async_transport_plays_faults() -> None:
    double = WireDouble()
    double.inject(Fault.status(429, headers={"retry-after": "0"}))
    client = AsyncClient(
        FIREWORKS, api_key="k", http_client=httpx.AsyncClient(transport=double.async_transport())
    )

    async def no_sleep(_s: float) -> None:
        return None

    client._asleep = no_sleep
    resp = await chat.acreate(client, BODY)
    assert resp.attempts == 2
    double.inject(Fault.cut_stream(after=2))
    got = []
    with pytest.raises(StreamError):
        async for chunk in chat.astream(client, STREAM):
            got.append(chunk)
    assert len(got) == 2
    await client.aclose()


# ---------------------------------------------------------------------------- server


@pytest.fixture
def served() -> Iterator[tuple[WireDouble, str]]:
    double = WireDouble()
    with serve(double) as base_url:
        yield double, base_url


def _server_client(base_url: str, **kwargs: Any) -> Client:
    client = Client(
        FIREWORKS,
        api_key="k",
        base_url=f"{base_url}/inference/v1",
        http_client=httpx.Client(verify=_TLS),
        **kwargs,
    )
    client._sleep = lambda _s: None
    return client


def test_server_429_retry_count(served: tuple[WireDouble, str]) -> None:
    double, base_url = served
    double.inject(Fault.status(429, headers={"retry-after": "0"}), times=2)
    with _server_client(base_url) as client:
        assert chat.create(client, BODY).attempts == 3
    assert double.count("/chat/completions") == 3


def test_server_reset_is_a_connection_error(served: tuple[WireDouble, str]) -> None:
    double, base_url = served
    double.inject(Fault.reset(), times=3)
    with _server_client(base_url, max_retries=2) as client, pytest.raises(APIConnectionError):
        chat.create(client, BODY)
    assert double.count() == 3


def test_server_cut_stream(served: tuple[WireDouble, str]) -> None:
    double, base_url = served
    double.inject(Fault.cut_stream(after=2))
    with _server_client(base_url) as client:
        got, exc = _partial(client, STREAM)
    assert isinstance(exc, StreamError) and len(got) == 2


def test_server_slow_first_byte_times_out(served: tuple[WireDouble, str]) -> None:
    double, base_url = served
    double.inject(Fault.slow_first_byte(2.0))
    with (
        _server_client(base_url, timeout=0.2, max_retries=0) as client,
        pytest.raises(APITimeoutError),
    ):
        chat.create(client, BODY)


def test_server_error_event_and_status_envelope(served: tuple[WireDouble, str]) -> None:
    double, base_url = served
    double.inject(Fault.error_event(after=1))
    double.inject(Fault.status(404, envelope="bare"))
    with _server_client(base_url) as client:
        got, exc = _partial(client, STREAM)
        assert isinstance(exc, StreamError) and len(got) == 1
        with pytest.raises(NotFoundError, match="Model not found"):
            chat.create(client, BODY)
