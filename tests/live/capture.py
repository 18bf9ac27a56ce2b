"""Capture every API exchange of the live check, and answer it live or from the double.

:func:`capture` patches httpx's two base transports (the same hook as
:func:`fw_core.testing.patch_transports`, so every client our classes build is covered).
A request to an API host goes to the real API when its provider is ``live`` and to a fresh
:class:`~fw_core.testing.WireDouble` when it is ``double``; either way the exchange is
recorded (request bytes, status, headers, raw body) under the current label, and the
response is handed on unchanged. :func:`double_answer` replays a recorded request against
a fresh double, for the drift report.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from fw_core.testing import AsyncDoubleTransport, DoubleTransport, WireDouble, is_api_host
from fw_core.testing.double import route

__all__ = ["Exchange", "Recorder", "capture", "double_answer"]


@dataclass
class Exchange:
    """One request and its answer. Request headers are kept only to replay it to the double."""

    label: str
    provider: str
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: bytes
    status: int
    headers: dict[str, str]
    body: bytes  # decoded (content-encoding removed)

    @property
    def path(self) -> str:
        return httpx.URL(self.url).path


@dataclass
class Recorder:
    """Which provider runs live, and the exchanges seen so far."""

    modes: Mapping[str, str]  # provider -> "live" | "double"
    label: str = ""
    exchanges: list[Exchange] = field(default_factory=list)

    def provider_of(self, url: httpx.URL) -> str:
        return route(url.host, url.path).provider


def _decoded(status: int, headers: httpx.Headers, raw: bytes) -> bytes:
    return httpx.Response(status, headers=headers, content=raw).content


def _record(
    rec: Recorder, request: httpx.Request, provider: str, resp: httpx.Response, raw: bytes
) -> None:
    rec.exchanges.append(
        Exchange(
            rec.label,
            provider,
            request.method,
            str(request.url),
            dict(request.headers.items()),
            request.content,
            resp.status_code,
            dict(resp.headers.items()),
            _decoded(resp.status_code, resp.headers, raw),
        )
    )


@contextmanager
def capture(rec: Recorder) -> Iterator[Recorder]:
    """Route and record API requests while the block runs (see the module docstring)."""
    orig_sync = httpx.HTTPTransport.handle_request
    orig_async = httpx.AsyncHTTPTransport.handle_async_request

    def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        if not is_api_host(request.url.host):
            return orig_sync(self, request)
        provider = rec.provider_of(request.url)
        request.read()
        if rec.modes.get(provider) == "live":
            resp = orig_sync(self, request)
        else:
            resp = DoubleTransport(WireDouble()).handle_request(request)
        raw = b"".join(resp.iter_raw())
        resp.close()
        _record(rec, request, provider, resp, raw)
        return httpx.Response(
            resp.status_code,
            headers=resp.headers,
            stream=httpx.ByteStream(raw),
            request=request,
            extensions=resp.extensions,
        )

    async def handle_async_request(
        self: httpx.AsyncHTTPTransport, request: httpx.Request
    ) -> httpx.Response:
        if not is_api_host(request.url.host):
            return await orig_async(self, request)
        provider = rec.provider_of(request.url)
        await request.aread()
        if rec.modes.get(provider) == "live":
            resp = await orig_async(self, request)
        else:
            resp = await AsyncDoubleTransport(WireDouble()).handle_async_request(request)
        raw = b"".join([part async for part in resp.aiter_raw()])
        await resp.aclose()
        _record(rec, request, provider, resp, raw)
        return httpx.Response(
            resp.status_code,
            headers=resp.headers,
            stream=httpx.ByteStream(raw),
            request=request,
            extensions=resp.extensions,
        )

    httpx.HTTPTransport.handle_request = handle_request  # type: ignore[method-assign]
    httpx.AsyncHTTPTransport.handle_async_request = handle_async_request  # type: ignore[method-assign]
    try:
        yield rec
    finally:
        httpx.HTTPTransport.handle_request = orig_sync  # type: ignore[method-assign]
        httpx.AsyncHTTPTransport.handle_async_request = orig_async  # type: ignore[method-assign]


def double_answer(ex: Exchange) -> tuple[int, dict[str, str], bytes]:
    """What a fresh wire double answers to the recorded request: (status, headers, body)."""
    outcome = WireDouble().handle(ex.method, ex.url, ex.request_headers, ex.request_body)
    headers: dict[str, Any] = {}
    for k, v in outcome.headers:
        headers[k.lower()] = v
    return outcome.status, headers, outcome.body()
