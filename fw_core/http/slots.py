"""httpx transports that lend each request a keep-alive connection of its own.

httpx's default transport shares one httpcore connection pool between all requests. In
httpcore 1.0 that pool degrades when many more requests are in flight than it has
connections (a 1,000-call ``asyncio.gather`` on 100 connections takes ~40 s where 5 s
would do):

* every request start and every response close rescans the whole queue against every
  connection, so a queue of 900 costs seconds of CPU per wave;
* an idle connection handed to a queued request still looks idle until that request
  runs, so the next scan hands it to other requests too; they fail, requeue and rescan;
* with ``max_keepalive_connections`` below ``max_connections`` (httpx's default 20 of
  100) it counts all connections as idle ones and closes every connection the moment it
  goes idle, so a busy pool opens one TCP (and TLS) connection per request; with threads
  it can close a connection another thread has just been given.

These transports keep at most ``max_connections`` requests in flight (the rest wait
here, in order, without touching httpcore) and give each one, for as long as its
response is open, a single-connection httpx transport that nobody else uses. A burst
then runs at the server's pace on at most ``max_connections`` reused connections.
``max_keepalive_connections`` is not used: idle connections stay open until
``keepalive_expiry`` (checked on their next use) or until the transport is closed.

Waiting here is not part of any request timeout: a request's connect, read and write
timeouts start when it is sent. The wait is bounded by ``queue_timeout``: the most
seconds a request waits **while no connection comes free**. A queue that moves (a long
``asyncio.gather`` on busy connections) never fails anyone, however long it lasts; a
pool that is stuck (every connection held by a response nobody closes) fails its
waiters with :class:`SlotTimeout` after ``queue_timeout``. Without ``queue_timeout`` the
transport bounds the wait by the request's pool timeout, as httpx's own pool does
(docs/architecture.md §2 "Clients").

Example:
    >>> import httpx
    >>> from fw_core.http.slots import SlotTransport
    >>> transport = SlotTransport(httpx.Limits(max_connections=10))
    >>> with httpx.Client(transport=transport) as http:
    ...     transport.max_connections, transport.in_use
    (10, 0)
"""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Generic, TypeVar

import httpx

__all__ = ["FROM_REQUEST", "AsyncSlotTransport", "SlotTimeout", "SlotTransport"]

_T = TypeVar("_T", httpx.HTTPTransport, httpx.AsyncHTTPTransport)

#: ``queue_timeout`` default of the transports: the request's own pool timeout.
FROM_REQUEST: float = -1.0


class SlotTimeout(httpx.PoolTimeout):
    """No connection came free for ``queue_timeout`` seconds; the request was never sent.

    ``waited``: seconds this request spent in the queue; ``queue_timeout``: the bound.
    """

    def __init__(
        self, message: str, *, request: httpx.Request, waited: float, queue_timeout: float
    ) -> None:
        super().__init__(message, request=request)
        self.waited = waited
        self.queue_timeout = queue_timeout


def _pool_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout", {})
    value = timeout.get("pool") if isinstance(timeout, dict) else None
    return None if value is None else float(value)


def _check_queue_timeout(value: float | None) -> float | None:
    if value is None or value == FROM_REQUEST:
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"queue_timeout must be None or seconds > 0, got {value!r}")
    return float(value)


def _origin(request: httpx.Request) -> str:
    url = request.url
    return f"{url.scheme}://{url.host}:{url.port}"


class _Slots(Generic[_T]):
    """Which single-connection transports are lent and which are free (no I/O here)."""

    def __init__(
        self,
        limits: httpx.Limits,
        ssl_context: ssl.SSLContext | None,
        make: Callable[..., _T],
        queue_timeout: float | None,
    ) -> None:
        if limits.max_connections is None or limits.max_connections < 1:
            raise ValueError("a slot transport needs a positive max_connections")
        self.max_connections: int = limits.max_connections
        self.queue_timeout = _check_queue_timeout(queue_timeout)
        self._moved = time.monotonic()  # when a slot last came free (the queue moved)
        self.ssl_context = ssl_context or httpx.create_ssl_context()
        self._limits = httpx.Limits(
            max_connections=1, max_keepalive_connections=1, keepalive_expiry=limits.keepalive_expiry
        )
        self._make: Callable[..., _T] = make
        self._free: list[tuple[str, _T]] = []  # (origin last used, transport); newest last
        self._all: list[_T] = []
        self._lent = 0
        self._lock = threading.Lock()

    @property
    def in_use(self) -> int:
        """Requests holding a connection now (their responses not yet closed)."""
        return self._lent

    @property
    def transports(self) -> tuple[_T, ...]:
        """The single-connection transports made so far (at most ``max_connections``)."""
        return tuple(self._all)

    def _lend(self, origin: str) -> _T:
        """A free transport, preferring the latest one used for ``origin``; else a new one.

        The caller holds a gate slot, so at most ``max_connections`` are ever made.
        """
        with self._lock:
            self._lent += 1
            free = self._free
            for i in range(len(free) - 1, -1, -1):
                if free[i][0] == origin:
                    return free.pop(i)[1]
            if free:
                return free.pop()[1]
            transport = self._make(verify=self.ssl_context, limits=self._limits)
            self._all.append(transport)
            return transport

    def _give_back(self, origin: str, transport: _T) -> None:
        with self._lock:
            self._lent -= 1
            self._free.append((origin, transport))
        self._moved = time.monotonic()

    def _bound(self, request: httpx.Request) -> float | None:
        """Seconds a queued request may wait with no slot coming free (None: forever)."""
        if self.queue_timeout == FROM_REQUEST:
            return _pool_timeout(request)
        return self.queue_timeout

    def _timed_out(self, request: httpx.Request, since: float, bound: float) -> SlotTimeout:
        waited = time.monotonic() - since
        setting = "pool timeout" if self.queue_timeout == FROM_REQUEST else "queue_timeout"
        return SlotTimeout(
            f"queued {waited:.1f}s in this client for one of its {self.max_connections} "
            f"connections, none came free for {bound:g}s ({setting}); the request was "
            "not sent",
            request=request,
            waited=waited,
            queue_timeout=bound,
        )

    def _forget_all(self) -> list[_T]:
        with self._lock:
            transports, self._all, self._free = self._all, [], []
        return transports


class _Released(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body that gives its slot back when it is closed (once)."""

    def __init__(
        self, inner: httpx.SyncByteStream | httpx.AsyncByteStream, release: Callable[[], None]
    ) -> None:
        self._inner = inner
        self._release: Callable[[], None] | None = release

    def _done(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()

    def __iter__(self) -> Iterator[bytes]:
        assert isinstance(self._inner, httpx.SyncByteStream)
        yield from self._inner

    def close(self) -> None:
        try:
            if isinstance(self._inner, httpx.SyncByteStream):
                self._inner.close()
        finally:
            self._done()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        assert isinstance(self._inner, httpx.AsyncByteStream)
        async for part in self._inner:
            yield part

    async def aclose(self) -> None:
        try:
            if isinstance(self._inner, httpx.AsyncByteStream):
                await self._inner.aclose()
        finally:
            self._done()


class SlotTransport(_Slots[httpx.HTTPTransport], httpx.BaseTransport):
    """Sync transport: at most ``limits.max_connections`` requests, one connection each.

    Thread-safe. A request that waits ``queue_timeout`` seconds for a slot while none
    comes free raises :class:`SlotTimeout` (an ``httpx.PoolTimeout``).

    Args:
        limits: ``max_connections`` (required) and ``keepalive_expiry`` are used.
        ssl_context: TLS settings for every connection; default httpx's (verification on).
        queue_timeout: seconds; None waits as long as it takes; default
            :data:`FROM_REQUEST`, the request's pool timeout.

    Example:
        >>> import httpx
        >>> transport = SlotTransport(httpx.Limits(max_connections=2))
        >>> transport.in_use, len(transport.transports)
        (0, 0)
        >>> transport.close()
    """

    def __init__(
        self,
        limits: httpx.Limits,
        ssl_context: ssl.SSLContext | None = None,
        *,
        queue_timeout: float | None = FROM_REQUEST,
    ) -> None:
        super().__init__(limits, ssl_context, httpx.HTTPTransport, queue_timeout)
        self._gate = threading.Semaphore(self.max_connections)

    def _wait(self, request: httpx.Request) -> None:
        """Queue for a slot; give up only after ``queue_timeout`` with no slot freed."""
        bound = self._bound(request)
        since = time.monotonic()
        deadline = None if bound is None else since + bound
        while not self._gate.acquire(
            timeout=None if deadline is None else max(deadline - time.monotonic(), 0.0)
        ):
            assert bound is not None and deadline is not None
            moved = self._moved
            if moved <= since or moved + bound <= time.monotonic():
                raise self._timed_out(request, since, bound)
            deadline = moved + bound  # the queue moved meanwhile: keep waiting

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self._gate.acquire(blocking=False):
            self._wait(request)
        origin = _origin(request)
        transport = self._lend(origin)

        def release() -> None:
            self._give_back(origin, transport)
            self._gate.release()

        try:
            response = transport.handle_request(request)
        except BaseException:
            release()
            raise
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _Released(response.stream, release)
        return response

    def close(self) -> None:
        for transport in self._forget_all():
            transport.close()


class AsyncSlotTransport(_Slots[httpx.AsyncHTTPTransport], httpx.AsyncBaseTransport):
    """Async twin of :class:`SlotTransport`, for one event loop (like an httpx.AsyncClient).

    Example:
        >>> import httpx
        >>> transport = AsyncSlotTransport(httpx.Limits(max_connections=100))
        >>> transport.max_connections, transport.in_use
        (100, 0)
    """

    def __init__(
        self,
        limits: httpx.Limits,
        ssl_context: ssl.SSLContext | None = None,
        *,
        queue_timeout: float | None = FROM_REQUEST,
    ) -> None:
        super().__init__(limits, ssl_context, httpx.AsyncHTTPTransport, queue_timeout)
        self._gate = asyncio.Semaphore(self.max_connections)

    async def _wait(self, request: httpx.Request) -> None:
        """Queue for a slot, in order; give up only after ``queue_timeout`` with no slot
        freed. When the queue moved, the waiter keeps its place and only its check moves
        on; it never leaves the queue to join it again at the back. A stuck queue ends
        the wait through ``asyncio.Timeout.reschedule`` (Python 3.11,
        https://docs.python.org/3/library/asyncio-task.html#asyncio.Timeout.reschedule)."""
        bound = self._bound(request)
        if bound is None:
            await self._gate.acquire()
            return
        since = time.monotonic()
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(None) as deadline:

                def check() -> None:
                    left = self._moved + bound - time.monotonic()
                    if self._moved > since and left > 0:  # moved: wait on from then
                        expire[0] = loop.call_later(left, check)
                    else:
                        deadline.reschedule(loop.time())  # stuck: give up now

                expire = [loop.call_later(bound, check)]
                try:
                    await self._gate.acquire()
                finally:
                    expire[0].cancel()
        except TimeoutError:
            raise self._timed_out(request, since, bound) from None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._gate.locked():  # wait in order, without touching httpcore
            await self._wait(request)
        else:
            await self._gate.acquire()  # free: returns at once
        origin = _origin(request)
        transport = self._lend(origin)

        def release() -> None:
            self._give_back(origin, transport)
            self._gate.release()

        try:
            response = await transport.handle_async_request(request)
        except BaseException:
            release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Released(response.stream, release)
        return response

    async def aclose(self) -> None:
        for transport in self._forget_all():
            await transport.aclose()
