"""Shared fixtures for the reliability suites: no real retry sleeps, counted streams.

Every fw_core client built while a reliability test runs gets its ``_sleep`` /
``_asleep`` hooks (the ones fw_core documents for tests; also the rate limiter's
``_pace`` / ``_apace``) replaced by recorders: retries happen at once, and the test can
read the delays the policy asked for. Patching the
shared base-class constructor reaches the clients that LangChain and LlamaIndex objects
create lazily, without touching their private attributes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fw_core.http.client import _ClientBase


class SleepLog(list[float]):
    """The delays the retry loop asked for, in order; ``clients``: the fw_core clients
    built meanwhile (to inspect their connection pools); ``paced``: the waits the shared
    rate limiter asked for (a 429's pause reaching other callers), not retries."""

    def __init__(self) -> None:
        super().__init__()
        self.clients: list[_ClientBase] = []
        self.paced: list[float] = []


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> SleepLog:
    log = SleepLog()
    original = _ClientBase.__init__

    async def record_async(delay: float) -> None:
        log.append(delay)
        await asyncio.sleep(0)

    async def record_pace(delay: float) -> None:
        log.paced.append(delay)
        await asyncio.sleep(0)

    def patched(self: _ClientBase, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        log.clients.append(self)
        self._sleep = log.append
        self._asleep = record_async
        self._pace = log.paced.append
        self._apace = record_pace

    monkeypatch.setattr(_ClientBase, "__init__", patched)
    return log


class _CountedSync(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, ledger: StreamLedger) -> None:
        self._inner, self._ledger, self._closed = inner, ledger, False
        ledger.opened += 1

    def __iter__(self) -> Iterator[bytes]:
        yield from self._inner

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._ledger.closed += 1
        self._inner.close()


class _CountedAsync(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, ledger: StreamLedger) -> None:
        self._inner, self._ledger, self._closed = inner, ledger, False
        ledger.opened += 1

    async def __aiter__(self) -> Any:
        async for part in self._inner:
            yield part

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            self._ledger.closed += 1
        await self._inner.aclose()


class StreamLedger:
    """Counts response bodies handed to httpx and how many were closed again.

    ``open`` is what an in-process transport can say about "connections left checked
    out": a response body nobody closed keeps its connection from the pool.
    """

    def __init__(self) -> None:
        self.opened = 0
        self.closed = 0
        self.request_ids: list[str | None] = []  # x-request-id of each response, in order

    @property
    def open(self) -> int:
        return self.opened - self.closed


class CountingTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, ledger: StreamLedger) -> None:
        self._inner, self.ledger = inner, ledger

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        self.ledger.request_ids.append(response.headers.get("x-request-id"))
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _CountedSync(response.stream, self.ledger)
        return response

    def close(self) -> None:
        self._inner.close()


class AsyncCountingTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, ledger: StreamLedger) -> None:
        self._inner, self.ledger = inner, ledger

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        self.ledger.request_ids.append(response.headers.get("x-request-id"))
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _CountedAsync(response.stream, self.ledger)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
