"""Calls that fail, are cancelled or are abandoned give their connection back.

Over real loopback sockets (the wire double's server), for fw_core's Client /
AsyncClient, LangChain ChatFireworks and LlamaIndex Fireworks, sync and async, plain
and streaming:

* a call answered 503 (or 429 with a short ``retry-after-ms``) on every attempt fails
  typed after its retries;
* an async call cancelled while it waits for the answer (``asyncio.wait_for``);
* a stream abandoned after its first chunk (the generator dropped, then collected).

Afterwards no request holds a connection slot (``in_use == 0``), no httpcore pool has a
request in it or a connection that is neither idle nor closed, and closing the objects
then collecting garbage raises no ResourceWarning (an unclosed socket or transport).
This is what lets a long-running agent fail thousands of calls without running out of
connections or file descriptors (the soak, tests/reliability/test_soak.py, checks it
statistically; these cells check each path on its own).
"""

from __future__ import annotations

import asyncio
import gc
import time
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fw_core import FIREWORKS, AsyncClient, Client
from fw_core import errors as fe
from fw_core.http.slots import AsyncSlotTransport, SlotTransport
from fw_core.model_table import DEFAULTS
from fw_core.testing import Fault, WireDouble
from fw_core.testing.server import serve
from tests.reliability._faults import MAX_RETRIES
from tests.reliability._surfaces import FAKE_KEY
from tests.reliability.conftest import SleepLog

MODEL = DEFAULTS["small"]  # a served model from the model table
BODY = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 8}
STREAM_BODY = {**BODY, "stream": True}
SURFACES = ("fw_core", "langchain", "llamaindex")
FAULTS = {
    "503": (lambda: Fault.status(503), fe.InternalServerError),
    "429": (lambda: Fault.status(429, headers={"retry-after-ms": "20"}), fe.RateLimitError),
}


@pytest.fixture
def server() -> Iterator[tuple[WireDouble, str]]:
    double = WireDouble()
    with serve(double, max_lifetime=120) as base:
        yield double, base


def _build(surface: str, base: str) -> Any:
    url = base + "/inference/v1"
    # rate_limit_max_wait bounds the 429s waited out before the call fails typed.
    common: dict[str, Any] = {"api_key": FAKE_KEY, "max_retries": MAX_RETRIES}
    common["rate_limit_max_wait"] = 0.1
    if surface == "fw_core":
        return _Core(url, common)
    if surface == "langchain":
        from langchain_fw import ChatFireworks

        common.update(model=MODEL, base_url=url, max_tokens=8)
        return ChatFireworks(**common)
    from llamaindex_fw import Fireworks

    return Fireworks(model=MODEL, base_url=url, max_tokens=8, **common)


class _Core:
    """fw_core's two clients behind the call styles the framework classes offer."""

    def __init__(self, url: str, kwargs: dict[str, Any]) -> None:
        self.sync = Client(FIREWORKS, base_url=url, **kwargs)
        self.async_ = AsyncClient(FIREWORKS, base_url=url, **kwargs)

    def close(self) -> None:
        self.sync.close()

    async def aclose(self) -> None:
        await self.async_.aclose()


def _sync_call(surface: str, obj: Any, stream: bool) -> Iterator[Any]:
    """The call as an iterator of what it yields (one item for a plain call)."""
    if surface == "fw_core":
        if stream:
            with obj.sync.stream("POST", "/chat/completions", json_body=STREAM_BODY) as events:
                yield from events
        else:
            yield obj.sync.request("POST", "/chat/completions", json_body=BODY)
    elif surface == "langchain":
        yield from obj.stream("hi") if stream else [obj.invoke("hi")]
    else:
        from llama_index.core.llms import ChatMessage

        messages = [ChatMessage(role="user", content="hi")]
        yield from obj.stream_chat(messages) if stream else [obj.chat(messages)]


async def _async_call(surface: str, obj: Any, stream: bool) -> Any:
    """The async call as an async iterator of what it yields."""
    if surface == "fw_core":
        if stream:
            path, body = "/chat/completions", STREAM_BODY
            async with obj.async_.stream("POST", path, json_body=body) as events:
                async for event in events:
                    yield event
        else:
            yield await obj.async_.request("POST", "/chat/completions", json_body=BODY)
    elif surface == "langchain":
        if stream:
            async for chunk in obj.astream("hi"):
                yield chunk
        else:
            yield await obj.ainvoke("hi")
    else:
        from llama_index.core.llms import ChatMessage

        messages = [ChatMessage(role="user", content="hi")]
        if stream:
            async for chunk in await obj.astream_chat(messages):
                yield chunk
        else:
            yield await obj.achat(messages)


async def _drain(surface: str, obj: Any, stream: bool) -> list[Any]:
    return [item async for item in _async_call(surface, obj, stream)]


def _assert_at_rest(sleeps: SleepLog) -> None:
    """No request holds a slot; no pool has a queued request or a busy connection."""
    assert sleeps.clients, "no fw_core client was built"
    for client in sleeps.clients:
        http: httpx.Client | httpx.AsyncClient | None = None
        if isinstance(client, Client):
            http = client._http
        elif isinstance(client, AsyncClient):
            http = client._bound.client
        transport = None if http is None else http._transport
        if not isinstance(transport, SlotTransport | AsyncSlotTransport):
            continue  # not used (or closed) in this test
        assert transport.in_use == 0, f"{transport.in_use} slot(s) still lent"
        for t in transport.transports:
            assert not t._pool._requests, "a request is still in an httpcore pool"
            assert all(c.is_idle() or c.is_closed() for c in t._pool.connections)


def _unclosed(caught: list[warnings.WarningMessage]) -> list[str]:
    return [
        str(w.message)
        for w in caught
        if issubclass(w.category, ResourceWarning) or "nclosed" in str(w.message)
    ]


@pytest.fixture
def no_resource_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Record warnings from a clean start (earlier tests' garbage collected first)."""
    gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("surface", SURFACES)
def test_sync_failure_releases(
    surface: str,
    stream: bool,
    fault: str,
    server: tuple[WireDouble, str],
    sleeps: SleepLog,
    no_resource_warnings: list[warnings.WarningMessage],
) -> None:
    double, base = server
    make, error = FAULTS[fault]
    double.inject(make(), times=1000)
    obj = _build(surface, base)
    for _ in range(3):  # repeated: a leak per call would pile up
        with pytest.raises(error):
            list(_sync_call(surface, obj, stream))
    assert len(double.requests) >= 3 * (MAX_RETRIES + 1)
    _assert_at_rest(sleeps)
    obj.close()
    del obj
    gc.collect()
    assert _unclosed(no_resource_warnings) == []


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("surface", SURFACES)
async def test_async_failure_releases(
    surface: str,
    stream: bool,
    fault: str,
    server: tuple[WireDouble, str],
    sleeps: SleepLog,
    no_resource_warnings: list[warnings.WarningMessage],
) -> None:
    double, base = server
    make, error = FAULTS[fault]
    double.inject(make(), times=1000)
    obj = _build(surface, base)
    for _ in range(3):
        with pytest.raises(error):
            await _drain(surface, obj, stream)
    assert len(double.requests) >= 3 * (MAX_RETRIES + 1)
    _assert_at_rest(sleeps)
    await obj.aclose()
    del obj
    gc.collect()
    assert _unclosed(no_resource_warnings) == []


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("surface", SURFACES)
async def test_cancelled_call_releases(
    surface: str,
    stream: bool,
    server: tuple[WireDouble, str],
    sleeps: SleepLog,
    no_resource_warnings: list[warnings.WarningMessage],
) -> None:
    double, base = server
    double.inject(Fault.slow_first_byte(30.0), times=1)
    obj = _build(surface, base)
    call = asyncio.create_task(_drain(surface, obj, stream))
    # cancel once the server holds the request (a fixed delay is too short on a loaded
    # machine, where the call may not have reached the server yet)
    deadline = time.monotonic() + 20.0
    while not double.requests and time.monotonic() < deadline and not call.done():
        await asyncio.sleep(0.01)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert len(double.requests) == 1
    _assert_at_rest(sleeps)
    # The same object works afterwards, on the connections it has.
    assert await _drain(surface, obj, stream)
    _assert_at_rest(sleeps)
    await obj.aclose()
    del obj
    gc.collect()
    assert _unclosed(no_resource_warnings) == []


@pytest.mark.parametrize("surface", SURFACES)
def test_abandoned_sync_stream_releases(
    surface: str,
    server: tuple[WireDouble, str],
    sleeps: SleepLog,
    no_resource_warnings: list[warnings.WarningMessage],
) -> None:
    _, base = server
    obj = _build(surface, base)
    for _ in range(3):
        chunks = _sync_call(surface, obj, True)
        assert next(chunks) is not None
        del chunks  # not exhausted: dropped mid-way
        gc.collect()
    _assert_at_rest(sleeps)
    obj.close()
    del obj
    gc.collect()
    assert _unclosed(no_resource_warnings) == []


@pytest.mark.parametrize("surface", SURFACES)
async def test_abandoned_async_stream_releases(
    surface: str,
    server: tuple[WireDouble, str],
    sleeps: SleepLog,
    no_resource_warnings: list[warnings.WarningMessage],
) -> None:
    _, base = server
    obj = _build(surface, base)
    for _ in range(3):
        chunks = _async_call(surface, obj, True)
        assert await chunks.__anext__() is not None
        del chunks  # not exhausted: dropped mid-way; asyncio finalizes it (aclose)
        gc.collect()
        for _ in range(20):
            await asyncio.sleep(0)
    _assert_at_rest(sleeps)
    await obj.aclose()
    del obj
    gc.collect()
    assert _unclosed(no_resource_warnings) == []


@pytest.mark.parametrize("surface", SURFACES)
def test_aclose_after_the_loop_ended(surface: str, server: tuple[WireDouble, str]) -> None:
    """Calls in one ``asyncio.run``, ``aclose`` in the next: closing does not fail.

    The connections belong to the first loop, which has closed; ``aclose`` used to
    raise "Event loop is closed" from the first of them, so the object could not be
    closed at all. The object still works on the new loop afterwards.

    The first loop's connection can no longer be closed by anyone: it is collected here,
    where its ResourceWarning is expected, not in a later test.
    """
    _, base = server
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        obj = _build(surface, base)
        assert asyncio.run(_drain(surface, obj, False))
        asyncio.run(obj.aclose())  # raised RuntimeError before
        gc.collect()
        leaked = len(_unclosed(caught))
        assert leaked <= 2  # the first loop's connection (its transport and socket)

        async def again(llm: Any) -> list[Any]:
            try:
                return await _drain(surface, llm, False)
            finally:
                await llm.aclose()  # on the loop that made the call: closes it all

        assert asyncio.run(again(obj))
        del obj
        gc.collect()
    assert len(_unclosed(caught)) == leaked, _unclosed(caught)[leaked:]
