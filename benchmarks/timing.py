"""Interleaved repetitions and the statistics reported from them.

Shared machines are noisy, so no client is measured in one long block: each repetition
runs every client's batch once, in an order rotated per repetition, and the figures are
medians over repetitions. Overheads are *paired*: in each repetition a client's time minus
the baseline's time from the same repetition, then the median of those differences.

>>> median([3.0, 1.0, 2.0])
2.0
>>> paired_overhead([1.5, 1.6, 1.4], [1.0, 1.2, 1.0])
0.4
>>> rotated(["a", "b", "c"], 1)
['b', 'c', 'a']
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

__all__ = [
    "ainterleave",
    "frozen_heap",
    "interleave",
    "median",
    "paired_overhead",
    "quantiles",
    "rotated",
]


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def quantiles(values: Sequence[float]) -> tuple[float, float]:
    """(25th, 75th) percentile; both the single value when there is one."""
    if len(values) < 2:
        v = values[0] if values else float("nan")
        return v, v
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[2]


def paired_overhead(values: Sequence[float], baseline: Sequence[float]) -> float:
    """Median of per-repetition differences ``values[i] - baseline[i]``."""
    diffs = [v - b for v, b in zip(values, baseline, strict=False)]
    return round(median(diffs), 12)


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Collect once, then keep what is alive now out of the collector's sight until exit.

    Every timed batch starts with ``gc.collect()`` so no client pays for another's
    garbage. With every client and framework imported, a full collection walks ~300,000
    long-lived objects (~0.2 s); ``gc.freeze()`` leaves those to one side, so the
    per-batch collections walk only what the measured calls allocated (the quick mode
    spent ~20 of its 60 s in them). Garbage made after the freeze is still collected.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def rotated(names: Sequence[str], k: int) -> list[str]:
    k %= max(len(names), 1)
    return [*names[k:], *names[:k]]


def interleave(
    fns: dict[str, Callable[[], Any]],
    reps: int,
    batch: int,
    between: Callable[[str], None] | None = None,
) -> dict[str, list[float]]:
    """Per-call seconds for each function, one value per repetition (batch mean).

    ``between(name)`` runs after each batch, outside the timed region (e.g. to read the
    double's connection counter).
    """
    out: dict[str, list[float]] = {name: [] for name in fns}
    names = list(fns)
    for rep in range(reps):
        for name in rotated(names, rep):
            fn = fns[name]
            gc.collect()
            t0 = time.perf_counter()
            for _ in range(batch):
                fn()
            out[name].append((time.perf_counter() - t0) / batch)
            if between is not None:
                between(name)
    return out


async def ainterleave(
    fns: dict[str, Callable[[], Awaitable[Any]]],
    reps: int,
    batch: int,
    between: Callable[[str], None] | None = None,
) -> dict[str, list[float]]:
    """Async twin of :func:`interleave` (calls awaited one after another)."""
    out: dict[str, list[float]] = {name: [] for name in fns}
    names = list(fns)
    for rep in range(reps):
        for name in rotated(names, rep):
            fn = fns[name]
            gc.collect()
            t0 = time.perf_counter()
            for _ in range(batch):
                await fn()
            out[name].append((time.perf_counter() - t0) / batch)
            if between is not None:
                between(name)
            await asyncio.sleep(0)
    return out
