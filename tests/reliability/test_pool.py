"""Connection pool state over real sockets (the wire double's loopback server).

The matrix counts response bodies on in-process transports; here a few representative
faults go over TCP to the loopback server through the httpx client fw_core creates
itself (nothing injected), and afterwards the pool must hold no active connection and
no queued request. The same client must then serve a normal call: a fault never leaves
a broken connection in the pool for the next caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fw_core import FIREWORKS, FIRMWARE, AsyncClient, Client, ProviderSpec
from fw_core import errors as fe
from fw_core.endpoints import chat as fw_chat
from fw_core.kit.stream_delta import StreamTracker
from fw_core.testing import Fault, WireDouble
from fw_core.testing.server import serve
from tests.reliability._faults import AFTER_TOOL_CALL
from tests.reliability._surfaces import FAKE_KEY, QUESTION, WEATHER_TOOL

_PATHS = {"fireworks": "/inference/v1", "firmware": "/api/v1"}
_TIMEOUT = 0.25  # client read timeout for the slow-first-byte case; a real wait over TCP

# (id, fault, times, call style, expected error)
_CASES: list[tuple[str, Any, int, str, type[fe.FwError]]] = [
    ("503-exhaust", lambda: Fault.status(503), 3, "call", fe.InternalServerError),
    ("reset-exhaust", Fault.reset, 3, "call", fe.APIConnectionError),
    ("cut-body-exhaust", lambda: Fault.cut_stream(1), 3, "call", fe.APIConnectionError),
    ("slow-first-byte", lambda: Fault.slow_first_byte(5.0), 3, "call", fe.APITimeoutError),
    (
        "stream-cut-after-tool-call",
        lambda: Fault.cut_stream(AFTER_TOOL_CALL),
        1,
        "stream",
        fe.StreamError,
    ),
    ("stream-error-event", lambda: Fault.error_event(after=2), 1, "stream", fe.StreamError),
    ("stream-malformed-json", lambda: Fault.malformed_json(after=1), 1, "stream", fe.StreamError),
    ("stream-429-exhaust", lambda: Fault.status(429), 3, "stream", fe.RateLimitError),
]


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[WireDouble, str]]:
    double = WireDouble()
    with serve(double, max_lifetime=120) as base_url:
        yield double, base_url


def _body(provider: ProviderSpec) -> dict[str, Any]:
    model = "llama-v3p1-8b-instruct" if provider is FIREWORKS else "openai/gpt-5.2"
    return {
        "model": provider.normalize_model(model),
        "messages": [{"role": "user", "content": QUESTION}],
        "tools": [WEATHER_TOOL],
        "tool_choice": "required",
    }


def _busy(http: httpx.Client | httpx.AsyncClient) -> list[str]:
    """Connections in use or requests waiting, as readable strings (empty when at rest)."""
    transport = http._transport  # fw_core.http.slots: one single-connection pool per slot
    out = [f"{transport.in_use} slots lent"] if transport.in_use else []  # type: ignore[union-attr]
    for pool in (t._pool for t in transport.transports):  # type: ignore[union-attr]
        out += [repr(c) for c in pool.connections if not (c.is_idle() or c.is_closed())]
        out += [f"queued request {r!r}" for r in pool._requests]
    return out


def _sync_call(client: Client, body: dict[str, Any], style: str) -> Any:
    if style == "call":
        return fw_chat.create(client, body).completion
    acc = StreamTracker()
    for chunk in fw_chat.stream(client, body):
        acc.feed(chunk)
    return acc.result()


async def _async_call(client: AsyncClient, body: dict[str, Any], style: str) -> Any:
    if style == "call":
        return (await fw_chat.acreate(client, body)).completion
    acc = StreamTracker()
    async for chunk in fw_chat.astream(client, body):
        acc.feed(chunk)
    return acc.result()


def _params() -> list[Any]:
    return [
        pytest.param(provider, case, id=f"{provider.name}-{case[0]}")
        for provider in (FIREWORKS, FIRMWARE)
        for case in _CASES
    ]


@pytest.mark.parametrize(("provider", "case"), _params())
def test_sync_pool_at_rest(
    server: tuple[WireDouble, str], provider: ProviderSpec, case: Any, sleeps: list[float]
) -> None:
    double, base = server
    _, make, times, style, error = case
    double.reset()
    with Client(
        provider, api_key=FAKE_KEY, base_url=base + _PATHS[provider.name], timeout=_TIMEOUT
    ) as client:
        double.inject(make(), times=times, path="/chat/completions")
        with pytest.raises(error):
            _sync_call(client, _body(provider), style)
        assert len(double.requests) == times
        assert _busy(client.http_client) == []
        result = _sync_call(client, _body(provider), style)
        assert result.choices[0].message.tool_calls[0].function.name == "get_weather"
        assert _busy(client.http_client) == []


@pytest.mark.parametrize(("provider", "case"), _params())
async def test_async_pool_at_rest(
    server: tuple[WireDouble, str], provider: ProviderSpec, case: Any, sleeps: list[float]
) -> None:
    double, base = server
    _, make, times, style, error = case
    double.reset()
    async with AsyncClient(
        provider, api_key=FAKE_KEY, base_url=base + _PATHS[provider.name], timeout=_TIMEOUT
    ) as client:
        double.inject(make(), times=times, path="/chat/completions")
        with pytest.raises(error):
            await _async_call(client, _body(provider), style)
        assert len(double.requests) == times
        assert _busy(client.http_client) == []
        result = await _async_call(client, _body(provider), style)
        assert result.choices[0].message.tool_calls[0].function.name == "get_weather"
        assert _busy(client.http_client) == []


def test_caller_leaving_a_stream_early_releases_the_connection(
    server: tuple[WireDouble, str],
) -> None:
    double, base = server
    double.reset()
    with Client(FIREWORKS, api_key=FAKE_KEY, base_url=base + "/inference/v1") as client:
        for chunk in fw_chat.stream(client, _body(FIREWORKS)):
            assert chunk.choices  # the first chunk, then the caller walks away
            break
        assert _busy(client.http_client) == []
        assert fw_chat.create(client, _body(FIREWORKS)).completion.choices


async def test_cancelled_stream_releases_the_connection(server: tuple[WireDouble, str]) -> None:
    double, base = server
    double.reset()
    async with AsyncClient(FIRMWARE, api_key=FAKE_KEY, base_url=base + "/api/v1") as client:
        double.inject(Fault.slow_body(30.0), path="/chat/completions")
        task = asyncio.ensure_future(_async_call(client, _body(FIRMWARE), "stream"))
        deadline = asyncio.get_running_loop().time() + 10.0
        while not double.requests and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.001)
        assert double.requests, "the request never reached the server"
        await asyncio.sleep(0.05)  # headers on their way; body stalled
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert _busy(client.http_client) == []
        result = await _async_call(client, _body(FIRMWARE), "stream")
        assert result.choices[0].finish_reason == "tool_calls"
        assert _busy(client.http_client) == []


def test_connections_are_reused_across_calls(server: tuple[WireDouble, str]) -> None:
    double, base = server
    double.reset()
    with Client(FIRMWARE, api_key=FAKE_KEY, base_url=base + "/api/v1") as client:
        for _ in range(5):
            fw_chat.create(client, _body(FIRMWARE))
        assert double.connections == 1


def _framework_chat(name: str, base: str) -> Any:
    import langchain_fw
    import llamaindex_fw

    urls = {"Fireworks": base + "/inference/v1", "Firmware": base + "/api/v1"}
    models = {"Fireworks": "llama-v3p1-8b-instruct", "Firmware": "openai/gpt-5.2"}
    framework, provider = name.split(".")
    if framework == "langchain":
        cls = getattr(langchain_fw, f"Chat{provider}")
    else:
        cls = getattr(llamaindex_fw, provider)
    return cls(model=models[provider], api_key=FAKE_KEY, base_url=urls[provider])


async def _framework_astream(name: str, obj: Any) -> list[Any]:
    if name.startswith("langchain"):
        bound = obj.bind_tools([WEATHER_TOOL], tool_choice="any")
        return [c async for c in bound.astream(QUESTION)]
    from llama_index.core.tools import FunctionTool

    def get_weather(city: str) -> str:
        """Current weather for a city."""
        return city

    tool = FunctionTool.from_defaults(fn=get_weather)
    gen = await obj.astream_chat_with_tools([tool], user_msg=QUESTION, tool_required=True)
    return [r async for r in gen]


@pytest.mark.parametrize("case", [c for c in _CASES if c[3] == "stream"], ids=lambda c: c[0])
@pytest.mark.parametrize(
    "name",
    ["langchain.Fireworks", "langchain.Firmware", "llamaindex.Fireworks", "llamaindex.Firmware"],
)
async def test_framework_streams_leave_the_pool_at_rest(
    server: tuple[WireDouble, str], name: str, case: Any, sleeps: Any
) -> None:
    double, base = server
    _, make, times, _, error = case
    double.reset()
    obj = _framework_chat(name, base)
    try:
        double.inject(make(), times=times, path="/chat/completions")
        with pytest.raises(error):
            await _framework_astream(name, obj)
        assert len(double.requests) == times
        (client,) = sleeps.clients  # the one fw_core client the object built
        assert _busy(client.http_client) == []
        assert await _framework_astream(name, obj)
        assert _busy(client.http_client) == []
    finally:
        await obj.aclose()
