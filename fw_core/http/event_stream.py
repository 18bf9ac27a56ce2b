"""Open Server-Sent-Events responses: iterate one for events; it closes on exit.

:meth:`fw_core.http.client.Client.stream` and :meth:`fw_core.http.client.AsyncClient.stream` hand
these out (importable from :mod:`fw_core.http.client` as well); the byte-level decoding is
:mod:`fw_core.http.sse`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx

from fw_core.errors import StreamError
from fw_core.http.headers import request_id
from fw_core.http.sse import ServerSentEvent, SSEDecoder

__all__ = ["AsyncEventStream", "EventStream"]


class _OpenStream:
    """What both twins know of the response they read."""

    def __init__(self, response: httpx.Response, attempts: int) -> None:
        self.response = response
        self.headers = response.headers
        self.status_code = response.status_code
        self.request_id = request_id(response.headers)
        self.attempts = attempts

    def _broken(self, exc: Exception) -> StreamError:
        """The error for a stream that broke while reading (nothing is retried then)."""
        return StreamError(
            f"the stream broke mid-way: {type(exc).__name__}: {exc}",
            status_code=self.status_code,
            request_id=self.request_id,
        )


class EventStream(_OpenStream):
    """An open SSE response. Iterate it for events; it closes when exhausted or on exit.

    Errors while reading (reset, timeout, incomplete chunked body) become StreamError:
    once bytes were handed out nothing is retried.
    """

    def __iter__(self) -> Iterator[ServerSentEvent]:
        decoder = SSEDecoder()
        try:
            for chunk in self.response.iter_bytes():
                yield from decoder.decode(chunk)
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise self._broken(exc) from exc
        yield from decoder.flush()

    def close(self) -> None:
        self.response.close()


class AsyncEventStream(_OpenStream):
    """Async twin of :class:`EventStream`."""

    async def __aiter__(self) -> AsyncIterator[ServerSentEvent]:
        decoder = SSEDecoder()
        try:
            async for chunk in self.response.aiter_bytes():
                for event in decoder.decode(chunk):
                    yield event
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise self._broken(exc) from exc
        for event in decoder.flush():
            yield event

    async def aclose(self) -> None:
        await self.response.aclose()
