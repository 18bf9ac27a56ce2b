"""A burst of N concurrent async chat calls: 0.5 s server latency, 100 connections.

The issue's target: 1,000 calls within 1.5x of the ideal, ``ceil(N / 100) x 0.5 s`` (5 s),
with raw httpx in the same run. Each repetition builds every client afresh inside a new
event loop (so its first wave opens connections, as a user's first burst does), fires all
N calls at once (``asyncio.gather``, or LangChain's ``abatch``), and records the wall time,
the connections the double accepted during the burst, and the calls that failed. The
double runs in its own process; every burst is bounded by ``BURST_LIMIT`` seconds.

Raw httpx appears four times: with its default limits (100 connections, 20 kept alive),
with ``Limits(max_connections=100)`` (all 100 kept alive), because httpcore's pool behaves
differently, and badly, in each (see ``fw_core.http.slots``); then with the two gates that
keep the pool from seeing more requests than it has connections: ``Limits(100, 100)``
behind an ``asyncio.Semaphore(100)``, the plain alternative, and fw_core's own
``AsyncSlotTransport``. ``fw_core.http.slots`` stays only if it beats the plain gate by more
than 10 % (issue 23).
"""

from __future__ import annotations

import asyncio
import gc
import json
import math
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks.adapters import API_KEY, FIREWORKS_MODEL, PROMPT
from benchmarks.server import DoubleServer
from benchmarks.settings import Settings
from benchmarks.timing import median, rotated

__all__ = ["CONNECTIONS", "LATENCY", "run"]

LATENCY = 0.5
CONNECTIONS = 100
BURST_LIMIT = 300.0
MAX_TOKENS = 16

#: ``await burst(n)`` makes n concurrent calls and returns how many succeeded.
Burst = Callable[[int], Awaitable[int]]
#: ``factory(fireworks_url)`` -> (burst, close), built inside the burst's event loop.
Factory = Callable[[str], tuple[Burst, Callable[[], Awaitable[None]]]]


async def _count(calls: list[Awaitable[Any]]) -> int:
    results = await asyncio.gather(*calls, return_exceptions=True)
    return sum(not isinstance(r, BaseException) for r in results)


def _raw(limits: httpx.Limits, gate: str = "") -> Factory:
    """Raw httpx with ``limits``, alone or behind a gate in front of its pool:
    ``"semaphore"``, an ``asyncio.Semaphore`` of ``max_connections`` (the plain alternative
    to ``fw_core.http.slots``, issue 23), or ``"slots"``, fw_core's ``AsyncSlotTransport``."""

    def factory(url: str) -> tuple[Burst, Callable[[], Awaitable[None]]]:
        from fw_core.http.slots import AsyncSlotTransport

        sem: asyncio.Semaphore | None = None
        if gate == "slots":
            http = httpx.AsyncClient(timeout=60, transport=AsyncSlotTransport(limits))
        else:
            http = httpx.AsyncClient(timeout=60, limits=limits)
            if gate == "semaphore":
                sem = asyncio.Semaphore(limits.max_connections or CONNECTIONS)
        body = {
            "model": FIREWORKS_MODEL,
            "messages": [{"role": "user", "content": PROMPT}],
            "max_tokens": MAX_TOKENS,
        }
        headers = {"Authorization": f"Bearer {API_KEY}"}

        async def post() -> httpx.Response:
            return await http.post(url + "/chat/completions", json=body, headers=headers)

        async def one() -> str:
            if sem is None:
                r = await post()
            else:
                async with sem:
                    r = await post()
            r.raise_for_status()
            return str(r.json()["choices"][0]["message"]["content"])

        async def burst(n: int) -> int:
            return await _count([one() for _ in range(n)])

        return burst, http.aclose

    return factory


#: All connections kept alive: the limits both gates are given.
_KEEP_ALL = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)


def _fw_core(url: str) -> tuple[Burst, Callable[[], Awaitable[None]]]:
    from fw_core import FIREWORKS, AsyncClient
    from fw_core.endpoints import chat

    client = AsyncClient(FIREWORKS, api_key=API_KEY, base_url=url)
    body = {
        "model": FIREWORKS_MODEL,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": MAX_TOKENS,
    }

    async def burst(n: int) -> int:
        return await _count([chat.acreate(client, body) for _ in range(n)])

    return burst, client.aclose


def _floor(url: str) -> tuple[Burst, Callable[[], Awaitable[None]]]:
    """A hand-written HTTP/1.1 client: 100 kept-alive sockets taking calls off one counter.

    No pool, no parsing beyond the status line and Content-Length: what the double and
    this machine allow at best, in the same run.
    """
    parsed = httpx.URL(url)
    host, port = parsed.host, parsed.port or 80
    body = json.dumps(
        {
            "model": FIREWORKS_MODEL,
            "messages": [{"role": "user", "content": PROMPT}],
            "max_tokens": MAX_TOKENS,
        }
    ).encode()
    head = (
        f"POST {parsed.raw_path.decode()}/chat/completions HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Bearer {API_KEY}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()

    async def worker(left: list[int]) -> int:
        reader, writer = await asyncio.open_connection(host, port)
        ok = 0
        try:
            while left[0] > 0:
                left[0] -= 1
                writer.write(head + body)
                status = (await reader.readline()).split(b" ", 2)[1]
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                ok += status == b"200"
        finally:
            writer.close()
        return ok

    async def burst(n: int) -> int:
        left = [n]
        return sum(await asyncio.gather(*(worker(left) for _ in range(min(n, CONNECTIONS)))))

    async def close() -> None:
        return None

    return burst, close


async def _aclose_model(model: Any) -> None:
    close = getattr(model, "aclose", None)
    if close is not None:
        await close()


def _lc(cls_path: str, style: str) -> Factory:
    def factory(url: str) -> tuple[Burst, Callable[[], Awaitable[None]]]:
        from langchain_core.messages import HumanMessage

        module, _, name = cls_path.rpartition(".")
        cls = getattr(__import__(module, fromlist=[name]), name)
        if module == "langchain_fireworks":  # its SDK appends /v1/... to the base it is given
            model = cls(
                model=FIREWORKS_MODEL,
                api_key=API_KEY,
                base_url=url.removesuffix("/v1"),
                max_tokens=MAX_TOKENS,
            )
        else:
            model = cls(model=FIREWORKS_MODEL, api_key=API_KEY, base_url=url, max_tokens=MAX_TOKENS)
        messages = [HumanMessage(content=PROMPT)]

        async def burst(n: int) -> int:
            if style == "abatch":
                out = await model.abatch([messages] * n, return_exceptions=True)
                return sum(not isinstance(r, BaseException) for r in out)
            return await _count([model.ainvoke(messages) for _ in range(n)])

        return burst, lambda: _aclose_model(model)

    return factory


def _li(cls_path: str) -> Factory:
    def factory(url: str) -> tuple[Burst, Callable[[], Awaitable[None]]]:
        from llama_index.core.llms import ChatMessage

        module, _, name = cls_path.rpartition(".")
        cls = getattr(__import__(module, fromlist=[name]), name)
        if module.startswith("llama_index."):
            llm = cls(model=FIREWORKS_MODEL, api_key=API_KEY, api_base=url, max_tokens=MAX_TOKENS)
        else:
            llm = cls(model=FIREWORKS_MODEL, api_key=API_KEY, base_url=url, max_tokens=MAX_TOKENS)
        messages = [ChatMessage(role="user", content=PROMPT)]

        async def burst(n: int) -> int:
            return await _count([llm.achat(messages) for _ in range(n)])

        return burst, lambda: _aclose_model(llm)

    return factory


@dataclass(frozen=True)
class BurstSpec:
    name: str
    kind: str  # floor | baseline | ours | anchor
    factory: Factory


SPECS: tuple[BurstSpec, ...] = (
    BurstSpec("floor: hand-written HTTP/1.1, 100 kept-alive sockets", "floor", _floor),
    BurstSpec("raw httpx (default limits: 100 / 20 kept alive)", "baseline", _raw(httpx.Limits())),
    BurstSpec(
        "raw httpx (Limits(max_connections=100))",
        "baseline",
        _raw(httpx.Limits(max_connections=CONNECTIONS)),
    ),
    BurstSpec(
        "raw httpx (Limits(100, 100)) behind a Semaphore(100)",
        "baseline",
        _raw(_KEEP_ALL, "semaphore"),
    ),
    BurstSpec(
        "raw httpx on fw_core.http.slots.AsyncSlotTransport", "baseline", _raw(_KEEP_ALL, "slots")
    ),
    BurstSpec("fw_core.AsyncClient (gather)", "ours", _fw_core),
    BurstSpec(
        "langchain_fw.ChatFireworks.abatch", "ours", _lc("langchain_fw.ChatFireworks", "abatch")
    ),
    BurstSpec(
        "langchain_fw.ChatFireworks.ainvoke (gather)",
        "ours",
        _lc("langchain_fw.ChatFireworks", "ainvoke"),
    ),
    BurstSpec("llamaindex_fw.Fireworks.achat (gather)", "ours", _li("llamaindex_fw.Fireworks")),
    BurstSpec(
        "langchain_fireworks.ChatFireworks.abatch",
        "anchor",
        _lc("langchain_fireworks.ChatFireworks", "abatch"),
    ),
    BurstSpec(
        "llama_index.llms.fireworks.Fireworks.achat (gather)",
        "anchor",
        _li("llama_index.llms.fireworks.Fireworks"),
    ),
)


def ideal_seconds(calls: int) -> float:
    """Waves of ``CONNECTIONS`` calls, each ``LATENCY`` long."""
    return math.ceil(calls / CONNECTIONS) * LATENCY


async def _one_burst(spec: BurstSpec, url: str, calls: int) -> tuple[float, float, int]:
    """(wall seconds, this process's CPU seconds, calls that succeeded)."""
    burst, close = spec.factory(url)
    try:
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        ok = await asyncio.wait_for(burst(calls), BURST_LIMIT)
        return time.perf_counter() - t0, time.process_time() - c0, ok
    finally:
        await close()


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:200] if lines else ''}"


def run(server: DoubleServer, settings: Settings) -> dict[str, Any]:
    """Measure; returns the suite's JSON section (seconds per burst of N calls)."""
    calls = settings.burst_calls
    only = settings.only_adapters
    rows: list[dict[str, Any]] = []
    for spec in SPECS:
        if (
            spec.kind not in ("floor", "baseline")
            and only
            and not any(o.lower() in spec.name.lower() for o in only)
        ):
            continue
        row: dict[str, Any] = {
            "name": spec.name,
            "kind": spec.kind,
            "available": False,
            "reason": "",
            "seconds": [],
            "cpu_seconds": [],
            "new_connections": [],
            "failed": [],
        }
        rows.append(row)
        try:  # one small untimed burst: the client works (and its imports are done)
            *_, ok = asyncio.run(_one_burst(spec, server.fireworks_url, 2))
            if ok != 2:
                raise RuntimeError(f"{2 - ok} of 2 warm-up calls failed")
            row["available"] = True
        except Exception as exc:  # a client that fails here is reported, not fatal
            row["reason"] = _first_line(exc)
    live = {r["name"]: r for r in rows if r["available"]}
    specs = {s.name: s for s in SPECS}
    load_before = _load()
    for rep in range(settings.burst_reps):
        for name in rotated(list(live), rep):
            row = live[name]
            before = server.stats()["connections"]
            try:
                seconds, cpu, ok = asyncio.run(_one_burst(specs[name], server.fireworks_url, calls))
            except TimeoutError:
                seconds, cpu, ok = BURST_LIMIT, float("nan"), 0
            row["seconds"].append(seconds)
            row["cpu_seconds"].append(cpu)
            row["failed"].append(calls - ok)
            row["new_connections"].append(server.stats()["connections"] - before)
    ideal = ideal_seconds(calls)
    for row in live.values():
        row["median"] = median(row["seconds"])
        row["cpu_median"] = median(row["cpu_seconds"])
        row["ratio_to_ideal"] = row["median"] / ideal
    return {
        "unit": "seconds per burst",
        "calls": calls,
        "latency": LATENCY,
        "connections": CONNECTIONS,
        "ideal_seconds": ideal,
        "reps": settings.burst_reps,
        "load": f"{load_before} / {_load()}",
        "rows": rows,
    }


def _load() -> str:
    """The 1-, 5- and 15-minute load averages, e.g. ``"0.52 0.80 0.91"``."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
