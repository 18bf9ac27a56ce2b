"""httpx transports that serve a :class:`~fw_core.testing.WireDouble` in-process.

Bodies are real byte iterators, so clients see one chunk per SSE frame; a cut stream
raises ``httpx.RemoteProtocolError`` from inside iteration, a slow first byte beyond the
request's read timeout raises ``httpx.ReadTimeout``, exactly where a socket would.

:func:`patch_transports` routes every httpx request for the real API hosts to a double
(also underneath vcrpy, so cassettes recorded that way carry the real URLs).

Example:
    >>> import httpx
    >>> from fw_core.testing import WireDouble, patch_transports
    >>> with patch_transports(WireDouble()) as double:
    ...     r = httpx.get("https://app.firmware.ai/api/v1/models",
    ...                   headers={"Authorization": "Bearer test"})
    >>> r.status_code, len(double.requests)
    (200, 1)
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx

from fw_core.testing.batch import STORAGE_HOST
from fw_core.testing.kontext import DELIVERY_HOST
from fw_core.testing.outcome import Outcome

if TYPE_CHECKING:
    from fw_core.testing.double import WireDouble

__all__ = [
    "API_HOSTS",
    "AsyncDoubleTransport",
    "DoubleTransport",
    "is_api_host",
    "patch_transports",
]

#: Hosts :func:`patch_transports` sends to the double (plus ``*.direct.fireworks.ai``).
API_HOSTS = frozenset(
    {
        "api.fireworks.ai",
        "app.firmware.ai",
        "api.firmware.ai",
        "audio-prod.api.fireworks.ai",
        "audio-turbo.api.fireworks.ai",
    }
)


def is_api_host(host: str) -> bool:
    """True for the Fireworks / Firmware API hosts (including direct-route hosts)."""
    host = host.lower().rstrip(".")
    return host in API_HOSTS or host.endswith(".direct.fireworks.ai")


def _served(url: httpx.URL) -> bool:
    """An API host, one of the double's signed Batch API output URLs
    (``https://storage.googleapis.com/fireworks-artifacts-<account>/...``) or one of its
    FLUX Kontext sample URLs (:data:`fw_core.testing.kontext.DELIVERY_HOST`)."""
    if is_api_host(url.host) or url.host == DELIVERY_HOST:
        return True
    return url.host == STORAGE_HOST and url.path.startswith("/fireworks-artifacts-")


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout") or {}
    value = timeout.get("read")
    return float(value) if value is not None else None


def _headers(request: httpx.Request) -> dict[str, str]:
    return {k: v for k, v in request.headers.items()}


def _wait_plan(delay: float, limit: float | None) -> tuple[float, bool]:
    """(seconds to sleep, then time out?) for waiting ``delay`` under a read timeout."""
    if limit is not None and delay > limit:
        return limit, True
    return delay, False


def _before_error(outcome: Outcome, request: httpx.Request) -> Exception:
    if outcome.before == "connect":
        return httpx.ConnectError("[Errno 111] Connection refused (wire double)", request=request)
    if outcome.before == "timeout":
        return httpx.ReadTimeout("timed out (wire double)", request=request)
    return httpx.RemoteProtocolError(
        "Server disconnected without sending a response. (wire double)", request=request
    )


def _cut_error(request: httpx.Request) -> Exception:
    return httpx.RemoteProtocolError(
        "peer closed connection without sending complete message body: incomplete chunked "
        "read (wire double)",
        request=request,
    )


class _SyncBody(httpx.SyncByteStream):
    def __init__(self, outcome: Outcome, request: httpx.Request) -> None:
        self.outcome = outcome
        self.request = request

    def __iter__(self) -> Iterator[bytes]:
        o = self.outcome
        if o.body_delay:
            wait, expire = _wait_plan(o.body_delay, _read_timeout(self.request))
            time.sleep(wait)
            if expire:
                raise httpx.ReadTimeout("timed out (wire double)", request=self.request)
        for i, part in enumerate(o.parts):
            if o.cut_after is not None and i >= o.cut_after:
                raise _cut_error(self.request)
            if i and o.part_delay:
                time.sleep(o.part_delay)
            yield part


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(self, outcome: Outcome, request: httpx.Request) -> None:
        self.outcome = outcome
        self.request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        o = self.outcome
        if o.body_delay:
            wait, expire = _wait_plan(o.body_delay, _read_timeout(self.request))
            await asyncio.sleep(wait)
            if expire:
                raise httpx.ReadTimeout("timed out (wire double)", request=self.request)
        for i, part in enumerate(o.parts):
            if o.cut_after is not None and i >= o.cut_after:
                raise _cut_error(self.request)
            if i and o.part_delay:
                await asyncio.sleep(o.part_delay)
            yield part


class DoubleTransport(httpx.BaseTransport):
    """Sync transport: ``httpx.Client(transport=double.transport())``.

    Example:
        >>> import httpx
        >>> from fw_core.testing import WireDouble
        >>> http = httpx.Client(transport=WireDouble().transport())
        >>> http.get("https://api.fireworks.ai/inference/v1/models").status_code
        401
    """

    def __init__(self, double: WireDouble) -> None:
        self.double = double

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        content = request.read()
        outcome = self.double.handle(request.method, str(request.url), _headers(request), content)
        limit = _read_timeout(request)
        if outcome.before is not None:
            wait = outcome.delay if limit is None else min(outcome.delay, limit)
            if outcome.before == "timeout" and wait:
                time.sleep(wait)
            raise _before_error(outcome, request)
        if outcome.delay:
            wait, expire = _wait_plan(outcome.delay, limit)
            time.sleep(wait)
            if expire:
                raise httpx.ReadTimeout("timed out (wire double)", request=request)
        return httpx.Response(
            outcome.status,
            headers=outcome.headers,
            stream=_SyncBody(outcome, request),
            request=request,
        )


class AsyncDoubleTransport(httpx.AsyncBaseTransport):
    """Async transport: ``httpx.AsyncClient(transport=double.async_transport())``.

    Example:
        >>> import asyncio, httpx
        >>> from fw_core.testing import WireDouble
        >>> async def main():
        ...     async with httpx.AsyncClient(transport=WireDouble().async_transport()) as h:
        ...         return (await h.get("https://app.firmware.ai/api/v1/quota")).status_code
        >>> asyncio.run(main())
        401
    """

    def __init__(self, double: WireDouble) -> None:
        self.double = double

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        content = await request.aread()
        outcome = self.double.handle(request.method, str(request.url), _headers(request), content)
        limit = _read_timeout(request)
        if outcome.before is not None:
            wait = outcome.delay if limit is None else min(outcome.delay, limit)
            if outcome.before == "timeout" and wait:
                await asyncio.sleep(wait)
            raise _before_error(outcome, request)
        if outcome.delay:
            wait, expire = _wait_plan(outcome.delay, limit)
            await asyncio.sleep(wait)
            if expire:
                raise httpx.ReadTimeout("timed out (wire double)", request=request)
        return httpx.Response(
            outcome.status,
            headers=outcome.headers,
            stream=_AsyncBody(outcome, request),
            request=request,
        )


_VCR_SYNC = "_HttpxHttpTransport_handle_request"
_VCR_ASYNC = "_HttpxAsyncHttpTransport_handle_async_request"


@contextmanager
def patch_transports(double: WireDouble) -> Iterator[WireDouble]:
    """Send every httpx request for the API hosts to ``double``; others pass through.

    The Batch API's signed output URLs (``storage.googleapis.com/fireworks-artifacts-*``,
    handed out by the double's ``:getDownloadEndpoint``) go to the double too.

    Patches ``httpx.HTTPTransport.handle_request`` and
    ``httpx.AsyncHTTPTransport.handle_async_request``. vcrpy (8.x) wraps the *original*
    transport methods it captured at import, so when ``vcr.patch`` is loaded its captured
    references are pointed at the double too: cassettes then record the double's replies
    under the real URLs. Everything is restored on exit.
    """
    sync_t = DoubleTransport(double)
    async_t = AsyncDoubleTransport(double)
    orig_sync = httpx.HTTPTransport.handle_request
    orig_async = httpx.AsyncHTTPTransport.handle_async_request

    def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        if _served(request.url):
            return sync_t.handle_request(request)
        return orig_sync(self, request)

    async def handle_async_request(
        self: httpx.AsyncHTTPTransport, request: httpx.Request
    ) -> httpx.Response:
        if _served(request.url):
            return await async_t.handle_async_request(request)
        return await orig_async(self, request)

    vcr_patch: Any = sys.modules.get("vcr.patch")
    saved_vcr = None
    if vcr_patch is not None and hasattr(vcr_patch, _VCR_SYNC):
        saved_vcr = (getattr(vcr_patch, _VCR_SYNC), getattr(vcr_patch, _VCR_ASYNC))
        setattr(vcr_patch, _VCR_SYNC, handle_request)
        setattr(vcr_patch, _VCR_ASYNC, handle_async_request)
    httpx.HTTPTransport.handle_request = handle_request  # type: ignore[method-assign]
    httpx.AsyncHTTPTransport.handle_async_request = handle_async_request  # type: ignore[method-assign]
    try:
        yield double
    finally:
        httpx.HTTPTransport.handle_request = orig_sync  # type: ignore[method-assign]
        httpx.AsyncHTTPTransport.handle_async_request = orig_async  # type: ignore[method-assign]
        if saved_vcr is not None:
            setattr(vcr_patch, _VCR_SYNC, saved_vcr[0])
            setattr(vcr_patch, _VCR_ASYNC, saved_vcr[1])
