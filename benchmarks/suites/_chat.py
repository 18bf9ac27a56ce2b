"""Building and warming the chat adapters a suite measures, and the per-row record."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from benchmarks.adapters import CHAT_SPECS, ChatAdapter, ChatSpec, Endpoints, build
from benchmarks.server import DoubleServer
from benchmarks.timing import median, paired_overhead, quantiles

__all__ = [
    "Row",
    "aprobe_reuse",
    "baseline_for",
    "build_rows",
    "check_async",
    "endpoints",
    "probe_reuse",
    "run_async",
    "summarise",
]


@dataclass
class Row:
    """One client in one suite: availability, then what was measured."""

    spec: ChatSpec
    adapter: ChatAdapter | None
    reason: str = ""
    async_reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.spec.name

    def header(self) -> dict[str, Any]:
        return {
            "name": self.spec.name,
            "kind": self.spec.kind,
            "family": self.spec.family,
            "provider": self.spec.provider,
            "available": self.adapter is not None,
            "reason": self.reason,
        }


def endpoints(server: DoubleServer) -> Endpoints:
    return Endpoints(server.fireworks_url, server.firmware_url)


def _selected(spec: ChatSpec, only: tuple[str, ...]) -> bool:
    if spec.kind == "baseline":
        return True
    return not only or any(o.lower() in spec.name.lower() for o in only)


def build_rows(
    server: DoubleServer, max_tokens: int, floor_chunks: int, only: tuple[str, ...], check: str
) -> list[Row]:
    """Build every selected adapter and try ``check`` ("call" or "stream") once, sync.

    An adapter that cannot be built, or fails its first call, is kept as a row marked
    unavailable with the reason; the async form is checked later, separately.
    """
    rows = []
    for spec in CHAT_SPECS:
        if not _selected(spec, only):
            continue
        adapter, why = build(spec, endpoints(server), max_tokens, floor_chunks)
        if adapter is not None:
            try:
                getattr(adapter, check)()
            except Exception as exc:  # a client that fails here is reported, not fatal
                adapter, why = None, f"{check} failed: {type(exc).__name__}: {_first(exc)}"
        rows.append(Row(spec, adapter, why))
    return rows


async def check_async(rows: list[Row], method: str) -> None:
    """Mark rows whose async form fails (their sync figures still stand)."""
    for row in rows:
        if row.adapter is None:
            continue
        try:
            await getattr(row.adapter, method)()
        except Exception as exc:
            row.async_reason = f"{method} failed: {type(exc).__name__}: {_first(exc)}"


def _first(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else ""


def baseline_for(row: Row, rows: list[Row]) -> Row | None:
    """The raw-httpx row that talks to the same provider (None for floors)."""
    if row.spec.provider == "none":
        return None
    for other in rows:
        if other.spec.kind == "baseline" and other.spec.provider == row.spec.provider:
            return other if other.adapter is not None else None
    return None


def summarise(samples: list[float], base: list[float] | None, scale: float = 1.0) -> dict[str, Any]:
    """Median, quartiles and paired overhead over the baseline (all seconds x ``scale``)."""
    if not samples:
        return {}
    p25, p75 = quantiles(samples)
    out: dict[str, Any] = {
        "median": median(samples) * scale,
        "p25": p25 * scale,
        "p75": p75 * scale,
        "n": len(samples),
    }
    if base:
        out["overhead"] = paired_overhead(samples, base) * scale
    return out


def probe_reuse(server: DoubleServer, fn: Any, n: int) -> float:
    """New connections the double accepts per call over ``n`` back-to-back calls of ``fn``.

    One call first (so a connection is open), then ``n`` calls with no pause: a client that
    keeps its connection alive scores 0. Interleaved timing loops are not used for this,
    because their pauses can exceed the client's keep-alive expiry (httpx: 5 s).
    """
    fn()
    before = server.stats()["connections"]
    for _ in range(n):
        fn()
    return (server.stats()["connections"] - before) / n


async def aprobe_reuse(server: DoubleServer, fn: Any, n: int) -> float:
    """Async twin of :func:`probe_reuse`."""
    await fn()
    before = server.stats()["connections"]
    for _ in range(n):
        await fn()
    return (server.stats()["connections"] - before) / n


def run_async(coro: Any) -> Any:
    return asyncio.run(coro)
