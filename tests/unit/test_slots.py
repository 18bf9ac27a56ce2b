"""A burst of many more calls than connections stays on the pool's connections.

httpcore 1.0's shared pool opens and closes far more connections than its limit under
such a burst (see fw_core.http.slots); these tests count what the loopback server accepted,
so they do not depend on timing. Small numbers keep them quick: 300 calls, 20 slots,
50 ms per answer.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

import fw_core.http.client as fw_client
from fw_core import FIREWORKS, AsyncClient, Client
from fw_core.endpoints import chat
from fw_core.http.slots import AsyncSlotTransport, SlotTransport
from fw_core.testing import WireDouble
from fw_core.testing.server import serve

CALLS = 300
POOL = 20
LATENCY = 0.05
# The moving-queue tests: one connection, QUEUED calls of LATENCY each, a bound of 20 answers.
QUEUE_BOUND = 1.0
QUEUED = 45
BODY: dict[str, Any] = {
    "model": "accounts/fireworks/models/llama-v3p1-8b-instruct",
    "messages": [{"role": "user", "content": "hi"}],
}
PATH = "/inference/v1/chat/completions"
AUTH = {"Authorization": "Bearer k"}


@pytest.fixture
def slow_server() -> Iterator[tuple[WireDouble, str]]:
    double = WireDouble(latency=LATENCY)
    with serve(double, max_lifetime=60) as base_url:
        yield double, base_url


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """fw_core's limits scaled down: it used to keep 20 of 100 connections alive."""
    limits = httpx.Limits(max_connections=POOL, max_keepalive_connections=POOL // 5)
    monkeypatch.setattr(fw_client, "_DEFAULT_LIMITS", limits)


async def test_async_burst_reuses_at_most_pool_size_connections(
    slow_server: tuple[WireDouble, str], small_pool: None
) -> None:
    double, base_url = slow_server
    async with AsyncClient(FIREWORKS, api_key="k", base_url=f"{base_url}/inference/v1") as client:
        results = await asyncio.wait_for(
            asyncio.gather(*(chat.acreate(client, BODY) for _ in range(CALLS))), 30
        )
        transport = client.http_client._transport
    assert all(r.completion.choices for r in results)
    assert len(double.requests) == CALLS
    assert double.connections <= POOL  # was ~CALLS: a new connection per call
    assert isinstance(transport, AsyncSlotTransport)
    assert transport.in_use == 0
    assert len(transport.transports) <= POOL


def test_threaded_burst_reuses_at_most_pool_size_connections(
    slow_server: tuple[WireDouble, str], small_pool: None
) -> None:
    double, base_url = slow_server
    with (
        Client(FIREWORKS, api_key="k", base_url=f"{base_url}/inference/v1") as client,
        ThreadPoolExecutor(3 * POOL) as pool,
    ):
        results = list(pool.map(lambda _: chat.create(client, BODY), range(CALLS), timeout=30))
        transport = client.http_client._transport
    assert all(r.completion.choices for r in results)
    assert len(double.requests) == CALLS
    assert double.connections <= POOL
    assert isinstance(transport, SlotTransport)
    assert transport.in_use == 0


async def test_each_event_loop_gets_its_own_slots(slow_server: tuple[WireDouble, str]) -> None:
    """The async client works from another loop (a thread's asyncio.run), then from this one."""
    _, base_url = slow_server
    client = AsyncClient(FIREWORKS, api_key="k", base_url=f"{base_url}/inference/v1")

    async def burst() -> int:
        done = await asyncio.gather(*(chat.acreate(client, BODY) for _ in range(10)))
        return len(done)

    there: list[int] = []
    thread = threading.Thread(target=lambda: there.append(asyncio.run(burst())))
    thread.start()
    thread.join(30)
    here = await burst()
    assert (there, here) == ([10], 10)
    await client.aclose()


async def test_a_stream_holds_its_slot_until_closed(slow_server: tuple[WireDouble, str]) -> None:
    _, base_url = slow_server
    transport = AsyncSlotTransport(httpx.Limits(max_connections=1))
    timeout = httpx.Timeout(5.0, pool=0.2)
    async with httpx.AsyncClient(transport=transport, timeout=timeout) as http:
        async with http.stream("POST", base_url + PATH, json=BODY, headers=AUTH) as response:
            assert transport.in_use == 1
            with pytest.raises(httpx.PoolTimeout):
                await http.post(base_url + PATH, json=BODY, headers=AUTH)
            await response.aread()
        assert transport.in_use == 0
        second = await http.post(base_url + PATH, json=BODY, headers=AUTH)
    assert second.status_code == 200


def test_sync_slot_waits_out_the_pool_timeout(slow_server: tuple[WireDouble, str]) -> None:
    _, base_url = slow_server
    transport = SlotTransport(httpx.Limits(max_connections=1))
    with httpx.Client(transport=transport, timeout=httpx.Timeout(5.0, pool=0.2)) as http:
        with (
            http.stream("POST", base_url + PATH, json=BODY, headers=AUTH),
            pytest.raises(httpx.PoolTimeout),
        ):
            http.post(base_url + PATH, json=BODY, headers=AUTH)
        assert http.post(base_url + PATH, json=BODY, headers=AUTH).status_code == 200
        assert transport.in_use == 0


async def test_failures_and_cancellations_give_the_slot_back() -> None:
    transport = AsyncSlotTransport(httpx.Limits(max_connections=2))
    async with httpx.AsyncClient(transport=transport, timeout=2.0) as http:
        with pytest.raises(httpx.ConnectError):  # port 9 (discard) on loopback: refused
            await http.get("http://127.0.0.1:9/")
        assert transport.in_use == 0
        with serve(WireDouble(latency=5.0), max_lifetime=30) as base_url:
            calls = [http.post(base_url + PATH, json=BODY, headers=AUTH) for _ in range(5)]
            tasks = [asyncio.ensure_future(call) for call in calls]
            await asyncio.sleep(0.2)
            assert transport.in_use == 2  # three more wait for a slot
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        assert transport.in_use == 0


def test_a_free_slot_for_the_same_origin_is_lent_first() -> None:
    with (
        serve(WireDouble(), max_lifetime=30) as first,
        serve(WireDouble(), max_lifetime=30) as second,
        httpx.Client(transport=SlotTransport(httpx.Limits(max_connections=4))) as http,
    ):
        transport = http._transport
        assert isinstance(transport, SlotTransport)
        with http.stream("GET", first + "/api/v1/models", headers=AUTH):
            http.get(second + "/api/v1/models", headers=AUTH)  # a second slot: the first is lent
        # both free now; the latest is second's. A call to first must take first's slot.
        for _ in range(3):
            http.get(first + "/api/v1/models", headers=AUTH)
            http.get(second + "/api/v1/models", headers=AUTH)
        assert len(transport.transports) == 2
        pools = [t._pool for t in transport.transports]
        assert [len(p.connections) for p in pools] == [1, 1]


def test_the_slots_share_one_verifying_tls_context() -> None:
    transport = SlotTransport(httpx.Limits(max_connections=2))
    made = transport._lend("https://api.fireworks.ai:443")
    assert made._pool._ssl_context is transport.ssl_context
    assert transport.ssl_context.check_hostname is True
    transport.close()


def test_max_connections_is_required() -> None:
    with pytest.raises(ValueError, match="max_connections"):
        SlotTransport(httpx.Limits(max_connections=None))


async def test_a_moving_queue_waits_past_queue_timeout(slow_server: tuple[WireDouble, str]) -> None:
    """queue_timeout bounds a wait in which no slot comes free, not the whole wait: on one
    connection, 45 answers of 50 ms queue the last for ~2.2 s, over twice the bound. The
    bound is 20 answers long, so a loaded machine's slow answer does not trip it."""
    _, base_url = slow_server
    transport = AsyncSlotTransport(httpx.Limits(max_connections=1), queue_timeout=QUEUE_BOUND)
    async with httpx.AsyncClient(transport=transport, timeout=5.0) as http:
        calls = [http.post(base_url + PATH, json=BODY, headers=AUTH) for _ in range(QUEUED)]
        started = asyncio.get_running_loop().time()
        answers = await asyncio.gather(*calls)
        elapsed = asyncio.get_running_loop().time() - started
    assert [a.status_code for a in answers] == [200] * QUEUED
    assert elapsed > 2 * QUEUE_BOUND


def test_a_moving_queue_waits_past_queue_timeout_sync(slow_server: tuple[WireDouble, str]) -> None:
    _, base_url = slow_server
    transport = SlotTransport(httpx.Limits(max_connections=1), queue_timeout=QUEUE_BOUND)
    with (
        httpx.Client(transport=transport, timeout=5.0) as http,
        ThreadPoolExecutor(QUEUED) as pool,
    ):
        answers = list(
            pool.map(lambda _: http.post(base_url + PATH, json=BODY, headers=AUTH), range(QUEUED))
        )
    assert [a.status_code for a in answers] == [200] * QUEUED


@pytest.mark.parametrize("bad", [0, -1.5, True, "5"])
def test_a_bad_queue_timeout_is_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match="queue_timeout"):
        SlotTransport(httpx.Limits(max_connections=1), queue_timeout=bad)
