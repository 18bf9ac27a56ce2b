"""Streaming a 1,000-chunk response: per-chunk overhead, time to first token, memory.

Per repetition every client consumes one stream (order rotated). Reported per client:
the median stream time divided by the content chunks it saw (per-chunk cost), the paired
overhead over raw httpx per chunk, the median time to first token, the new connections
the double accepted per stream (0 when the keep-alive connection survives the stream),
and the tracemalloc peak of one extra stream (Python allocations only).
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from benchmarks.adapters import StreamResult
from benchmarks.server import DoubleServer
from benchmarks.settings import Settings
from benchmarks.suites._chat import (
    Row,
    aprobe_reuse,
    baseline_for,
    build_rows,
    check_async,
    probe_reuse,
    run_async,
    summarise,
)
from benchmarks.timing import frozen_heap, median, rotated

__all__ = ["run"]

MAX_TOKENS = 4096
PROBE_STREAMS = 2  # back-to-back streams for the connection-reuse probe (1 in quick mode)


class _Log:
    """Per-client samples for one mode."""

    def __init__(self, names: list[str]) -> None:
        self.total: dict[str, list[float]] = {n: [] for n in names}
        self.ttft: dict[str, list[float]] = {n: [] for n in names}
        self.chunks: dict[str, list[int]] = {n: [] for n in names}

    def add(self, name: str, seconds: float, res: StreamResult) -> None:
        self.total[name].append(seconds)
        self.ttft[name].append(res.ttft)
        self.chunks[name].append(res.chunks)


def _record(rows: list[Row], log: _Log, reuse: dict[str, float], key: str) -> None:
    for row in rows:
        if not log.total.get(row.name):
            continue
        chunks = max(1, int(median(log.chunks[row.name])))
        base = baseline_for(row, rows)
        base_total = log.total.get(base.name) if base is not None and base is not row else None
        per_chunk = summarise(log.total[row.name], base_total, scale=1.0 / chunks)
        row.data[key] = {
            "chunks": chunks,
            "stream_seconds": median(log.total[row.name]),
            "per_chunk": per_chunk,
            "ttft": summarise(log.ttft[row.name], None),
            "new_connections_per_stream": reuse.get(row.name),
        }


def _peak(fn: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def run(server: DoubleServer, settings: Settings) -> dict[str, Any]:
    """Measure; returns the suite's JSON section."""
    rows = build_rows(server, MAX_TOKENS, settings.stream_chunks, settings.only_adapters, "stream")
    with frozen_heap():  # the clients are built and imported: see frozen_heap
        return _measure(server, settings, rows)


def _measure(server: DoubleServer, settings: Settings, rows: list[Row]) -> dict[str, Any]:
    live = [r for r in rows if r.adapter is not None]
    names = [r.name for r in live]
    probes = 1 if settings.quick else PROBE_STREAMS
    by_name = {r.name: r for r in live}

    log = _Log(names)
    for rep in range(settings.stream_reps):
        for name in rotated(names, rep):
            gc.collect()
            t0 = time.perf_counter()
            res = by_name[name].adapter.stream()  # type: ignore[union-attr]
            log.add(name, time.perf_counter() - t0, res)
    reuse = {
        r.name: probe_reuse(server, r.adapter.stream, probes)  # type: ignore
        for r in live
    }
    _record(rows, log, reuse, "sync")

    for r in live:
        r.data["tracemalloc_peak_bytes"] = _peak(r.adapter.stream)  # type: ignore[union-attr]

    async def go() -> tuple[_Log, dict[str, float]]:
        await check_async(live, "astream")
        ok = [r.name for r in live if not r.async_reason]
        alog = _Log(ok)
        for rep in range(settings.stream_reps):
            for name in rotated(ok, rep):
                gc.collect()
                t0 = time.perf_counter()
                res = await by_name[name].adapter.astream()  # type: ignore[union-attr]
                alog.add(name, time.perf_counter() - t0, res)
        areuse = {
            n: await aprobe_reuse(
                server,
                by_name[n].adapter.astream,  # type: ignore
                probes,
            )
            for n in ok
        }
        for r in live:  # on this loop, or an unclosed session is reported later
            await r.adapter.aclose()  # type: ignore[union-attr]
        return alog, areuse

    _record(rows, *run_async(go()), "async")
    for r in live:
        r.adapter.close()  # type: ignore[union-attr]
    return {
        "unit": "seconds",
        "reps": settings.stream_reps,
        "chunks_requested": settings.stream_chunks,
        "rows": [{**r.header(), "async_reason": r.async_reason, **r.data} for r in rows],
    }
