"""A bounded soak: thousands of async chat calls over real sockets with injected 429/503s.

The callers are the classes an agent loop uses: ChatFireworks, ChatFirmware (LangChain
``ainvoke``) and LlamaIndex Fireworks, Firmware (``achat``), each object reused for all
its calls, each creating and owning its HTTP client (nothing injected).

2,000 calls (``FW_SOAK_CALLS`` to change) at concurrency 64 go to the wire double's
loopback server (client and server share one process and one GIL, so a call costs a few
milliseconds of CPU; 2,000 keeps the whole reliability run within its budget) while about 5 %
of requests are answered 429 (with ``retry-after-ms``) or 503. Every call must either
complete with a whole result or fail with a typed error; the retries must stay within
budget and match what the server received; memory must stay flat; nothing may warn
about an unclosed client; and the pool must be at rest at the end. Retry waits are
recorded, not slept (conftest), so the wall time is the HTTP work itself.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import time
import warnings
from collections import Counter
from typing import Any

import pytest

from fw_core import errors as fe
from fw_core.testing import Fault, WireDouble
from fw_core.testing.server import serve
from tests.reliability._faults import MAX_RETRIES, backoff_bounds
from tests.reliability._surfaces import FAKE_KEY
from tests.reliability.conftest import SleepLog

CALLS = int(os.environ.get("FW_SOAK_CALLS", "2000"))
CONCURRENCY = 64
FAULT_RATE = 0.05
WALL_LIMIT = 120.0  # seconds; a hang fails the test instead of stalling the suite
RSS_GROWTH_LIMIT = 32 * 1024 * 1024  # bytes, between the warm-up mark and the end
WARMUP = CALLS // 5


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _users(base: str) -> list[tuple[str, Any, Any]]:
    """(name, object, one call) for the classes an agent loop would use, all four."""
    from llama_index.core.llms import ChatMessage

    import langchain_fw
    import llamaindex_fw

    urls = {"Fireworks": base + "/inference/v1", "Firmware": base + "/api/v1"}
    models = {"Fireworks": "llama-v3p1-8b-instruct", "Firmware": "openai/gpt-5.2"}
    out: list[tuple[str, Any, Any]] = []
    for p in ("Fireworks", "Firmware"):
        lc = getattr(langchain_fw, f"Chat{p}")(
            model=models[p], api_key=FAKE_KEY, base_url=urls[p], max_tokens=16
        )
        li = getattr(llamaindex_fw, p)(
            model=models[p], api_key=FAKE_KEY, base_url=urls[p], max_tokens=16
        )

        async def lc_call(i: int, llm: Any = lc) -> str:
            message = await llm.ainvoke(f"Soak question number {i}?")
            assert message.response_metadata["finish_reason"] in ("stop", "length")
            return str(message.content)

        async def li_call(i: int, llm: Any = li) -> str:
            response = await llm.achat(
                [ChatMessage(role="user", content=f"Soak question number {i}?")]
            )
            assert response.additional_kwargs["finish_reason"] in ("stop", "length")
            return str(response.message.content)

        out += [(f"langchain.Chat{p}", lc, lc_call), (f"llamaindex.{p}", li, li_call)]
    return out


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc for RSS")
async def test_soak(sleeps: SleepLog) -> None:
    double = WireDouble()
    rng = random.Random(20261123)
    outcomes: Counter[str] = Counter()
    injected = Counter[str]()
    marks: dict[str, int] = {}
    done = 0
    # Finalize what earlier tests left unreachable (a LlamaIndex Memory's aiosqlite
    # connection, the event loop its sync API made) before the window in which every
    # ResourceWarning counts against the soak: in another order they were collected
    # mid-soak and failed it (issue 21, Deliver 8).
    gc.collect()

    with (
        serve(double, max_lifetime=WALL_LIMIT + 30) as base,
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        users = _users(base)
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(i: int) -> None:
            nonlocal done
            _, _, call = users[i % len(users)]
            async with gate:
                if rng.random() < FAULT_RATE:
                    if rng.random() < 0.5:
                        fault = Fault.status(429, headers={"retry-after-ms": "250"})
                        injected["429"] += 1
                    else:
                        fault = Fault.status(503)
                        injected["503"] += 1
                    double.inject(fault, times=1)
                try:
                    text = await call(i)
                except (fe.RateLimitError, fe.InternalServerError) as exc:
                    assert exc.request_id and exc.status_code in (429, 503)
                    outcomes[type(exc).__name__] += 1
                else:
                    assert text
                    outcomes["ok"] += 1
                done += 1
                if done == WARMUP:
                    gc.collect()
                    marks["warm"] = _rss()

        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(CALLS))), WALL_LIMIT)
        elapsed = time.perf_counter() - started
        assert len(sleeps.clients) == len(users)  # one reused fw_core client per object
        for client in sleeps.clients:
            transport = client.http_client._transport  # type: ignore[attr-defined]
            assert transport.in_use == 0
            for pool in (t._pool for t in transport.transports):
                assert not pool._requests
                assert all(c.is_idle() or c.is_closed() for c in pool.connections)
        for _, obj, _ in users:
            await obj.aclose()
        users.clear()  # drop the objects before the final RSS reading
        gc.collect()
        marks["end"] = _rss()

    sent = len(double.requests)
    retries = len(sleeps)
    faults = sum(injected.values())
    report = (
        f"{CALLS} calls in {elapsed:.1f}s ({CALLS / elapsed:.0f}/s), outcomes "
        f"{dict(outcomes)}, injected {dict(injected)}, requests {sent}, retries "
        f"{retries}, connections {double.connections}, RSS "
        f"{marks['warm'] / 2**20:.1f} -> {marks['end'] / 2**20:.1f} MiB"
    )
    print(report)

    assert sum(outcomes.values()) == CALLS, report  # every call completed or failed typed
    assert sent == CALLS + retries, report  # every extra request was a counted retry
    assert retries <= faults, report  # nothing retried that was not faulted
    assert retries <= MAX_RETRIES * CALLS, report
    # A call fails only after 1 + max_retries faulted attempts in a row.
    assert (CALLS - outcomes["ok"]) * (MAX_RETRIES + 1) <= faults, report
    assert faults > CALLS * FAULT_RATE / 2, report  # the storm really happened
    # Each wait is the 429's hint (250 ms) or a backoff step for a retry within budget.
    steps = [backoff_bounds(n) for n in range(MAX_RETRIES)]
    assert all(d == 0.25 or any(lo <= d <= hi for lo, hi in steps) for d in sleeps), report
    assert marks["end"] - marks["warm"] < RSS_GROWTH_LIMIT, report
    unclosed = [str(w.message) for w in caught if _ours(w, base)]
    assert unclosed == [], unclosed


def _ours(warning: warnings.WarningMessage, base: str) -> bool:
    """Whether a warning of the soak window is about something the soak left open.

    Every ResourceWarning and "unclosed" message counts, except a socket or transport
    connected to another server, or an event loop: the soak's connections all reach its own
    server (a socket's repr names the port, a transport's peer says it), and it runs on
    pytest-asyncio's loop. Such warnings come from
    objects an earlier test left behind that the interpreter finalized during the soak
    (seen in random order: an unclosed 127.0.0.1 socket and event loop of another test).
    """
    message = str(warning.message)
    if not (issubclass(warning.category, ResourceWarning) or "nclosed" in message):
        return False
    if "event loop" in message:
        return False
    port = base.rstrip("/").rsplit(":", 1)[1].split("/", 1)[0]
    source = warning.source
    if hasattr(source, "get_extra_info"):  # an asyncio transport: whose connection?
        try:
            peer = source.get_extra_info("peername")
        except Exception:  # a half-torn-down transport: cannot tell, so it counts
            peer = None
        return peer is None or str(peer[1]) == port
    if "socket" in message:
        return f", {port})" in message
    return True
