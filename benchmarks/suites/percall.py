"""Per-call overhead of a small non-streaming chat call, sync and async.

Each repetition runs every client's batch of calls in turn (order rotated); a client's
overhead is the median over repetitions of (its per-call time - raw httpx's per-call
time in the same repetition). The floors do no I/O: their figure is their whole time.
Connection reuse is probed separately: new connections the double accepts over a run of
back-to-back calls (0 per call when the client keeps its connection alive).
"""

from __future__ import annotations

from typing import Any

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
from benchmarks.timing import ainterleave, frozen_heap, interleave

__all__ = ["run"]

MAX_TOKENS = 32


def _mode(
    rows: list[Row], samples: dict[str, list[float]], reuse: dict[str, float], key: str
) -> None:
    for row in rows:
        if row.name not in samples:
            continue
        base = baseline_for(row, rows)
        base_samples = samples.get(base.name) if base is not None and base is not row else None
        stats = summarise(samples[row.name], base_samples)
        stats["new_connections_per_call"] = reuse.get(row.name)
        row.data[key] = stats


def run(server: DoubleServer, settings: Settings) -> dict[str, Any]:
    """Measure; returns the suite's JSON section (seconds per call)."""
    rows = build_rows(server, MAX_TOKENS, settings.stream_chunks, settings.only_adapters, "call")
    with frozen_heap():  # the clients are built and imported: see frozen_heap
        return _measure(server, settings, rows)


def _measure(server: DoubleServer, settings: Settings, rows: list[Row]) -> dict[str, Any]:
    live = [r for r in rows if r.adapter is not None]
    n_probe = settings.call_batch
    sync = interleave(
        {r.name: r.adapter.call for r in live},  # type: ignore[union-attr]
        settings.call_reps,
        settings.call_batch,
    )
    reuse = {
        r.name: probe_reuse(server, r.adapter.call, n_probe)  # type: ignore[union-attr]
        for r in live
    }
    _mode(rows, sync, reuse, "sync")

    async def go() -> tuple[dict[str, list[float]], dict[str, float]]:
        await check_async(live, "acall")  # also warms the loop-bound clients
        ok = [r for r in live if not r.async_reason]
        samples = await ainterleave(
            {r.name: r.adapter.acall for r in ok},  # type: ignore
            settings.call_reps,
            settings.call_batch,
        )
        areuse = {
            r.name: await aprobe_reuse(server, r.adapter.acall, n_probe)  # type: ignore
            for r in ok
        }
        for r in live:  # on this loop, or an unclosed session is reported later
            await r.adapter.aclose()  # type: ignore[union-attr]
        return samples, areuse

    asamples, areuse = run_async(go())
    _mode(rows, asamples, areuse, "async")
    for r in live:
        r.adapter.close()  # type: ignore[union-attr]
    return {
        "unit": "seconds per call",
        "calls_per_batch": settings.call_batch,
        "reps": settings.call_reps,
        "max_tokens": MAX_TOKENS,
        "rows": [{**r.header(), "async_reason": r.async_reason, **r.data} for r in rows],
    }
