"""Small byte-level doubles for fw_core's unit tests (no wire double, no cassettes).

``Body`` is an httpx byte stream that hands out the pieces it was given and can break
with a transport error after a chosen number of pieces; it records whether httpx closed
it. ``Recorder`` wraps a handler for ``httpx.MockTransport`` and keeps every request.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import httpx

from fw_core import FIREWORKS, FIRMWARE
from fw_core.http.client import AsyncClient, Client
from fw_core.providers import ProviderSpec

KEY = "test-secret-key-0123"


class Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Response body that yields ``pieces`` and optionally breaks after ``break_after`` of them."""

    def __init__(
        self,
        pieces: Iterable[bytes],
        *,
        break_after: int | None = None,
        error: type[httpx.TransportError] = httpx.RemoteProtocolError,
    ) -> None:
        self.pieces = list(pieces)
        self.break_after = break_after
        self.error = error
        self.closed = False
        self.handed_out = 0

    def _fail(self) -> None:
        raise self.error("peer closed connection without sending complete message body")

    def __iter__(self):  # type: ignore[override]
        for i, piece in enumerate(self.pieces):
            if self.break_after is not None and i == self.break_after:
                self._fail()
            self.handed_out += 1
            yield piece
        if self.break_after is not None and self.break_after >= len(self.pieces):
            self._fail()

    async def __aiter__(self):  # type: ignore[override]
        for piece in self:
            yield piece

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def sse(*frames: Any, done: bool = True) -> bytes:
    """An SSE body: each frame (dict -> JSON, str as is) as one ``data:`` event."""
    out = []
    for f in frames:
        data = f if isinstance(f, str) else json.dumps(f)
        out.append(f"data: {data}\n\n")
    if done:
        out.append("data: [DONE]\n\n")
    return "".join(out).encode()


def pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None):
    return httpx.Response(status, json=payload, headers=headers)


def sse_response(body: bytes | Body, headers: dict[str, str] | None = None, size: int = 7):
    stream = body if isinstance(body, Body) else Body(pieces(body, size))
    hdrs = {"content-type": "text/event-stream", **(headers or {})}
    return httpx.Response(200, headers=hdrs, stream=stream)


class Recorder:
    """A MockTransport handler that records requests and answers from ``script``.

    ``script`` is either a callable ``(request, n) -> response`` (``n`` counts calls from 0)
    or a list of responses/exceptions used in order (the last one repeats).
    """

    def __init__(self, script: Callable[[httpx.Request, int], Any] | list[Any]) -> None:
        self.script = script
        self.requests: list[httpx.Request] = []

    @property
    def calls(self) -> int:
        return len(self.requests)

    def _next(self, request: httpx.Request) -> Any:
        n = len(self.requests)
        self.requests.append(request)
        if callable(self.script):
            item = self.script(request, n)
        else:
            item = self.script[min(n, len(self.script) - 1)]
        if isinstance(item, BaseException):
            raise item
        if isinstance(item, type) and issubclass(item, BaseException):
            raise item("scripted failure")
        return item

    def __call__(self, request: httpx.Request) -> httpx.Response:
        return self._next(request)

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


class AsyncRecorder(Recorder):
    async def __call__(self, request: httpx.Request) -> httpx.Response:  # type: ignore[override]
        return self._next(request)


def make_client(
    handler: Callable[[httpx.Request], Any],
    provider: ProviderSpec = FIREWORKS,
    **kwargs: Any,
) -> tuple[Client, list[float]]:
    """A Client on a MockTransport with a recording sleep. Returns (client, sleeps)."""
    http = httpx.Client(transport=httpx.MockTransport(handler))
    kwargs.setdefault("env", {})  # independent of the developer's FIREWORKS_BASE_URL etc.
    client = Client(provider, api_key=KEY, http_client=http, **kwargs)
    sleeps: list[float] = []
    client._sleep = sleeps.append
    return client, sleeps


def make_async_client(
    handler: Callable[[httpx.Request], Any],
    provider: ProviderSpec = FIREWORKS,
    **kwargs: Any,
) -> tuple[AsyncClient, list[float]]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    kwargs.setdefault("env", {})
    client = AsyncClient(provider, api_key=KEY, http_client=http, **kwargs)
    sleeps: list[float] = []

    async def asleep(delay: float) -> None:
        sleeps.append(delay)

    client._asleep = asleep
    return client, sleeps


__all__ = [
    "FIREWORKS",
    "FIRMWARE",
    "KEY",
    "AsyncRecorder",
    "Body",
    "Recorder",
    "json_response",
    "make_async_client",
    "make_client",
    "pieces",
    "sse",
    "sse_response",
]
