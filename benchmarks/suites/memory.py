"""Memory over many calls: RSS growth across N calls and M streams, in a fresh process.

Each client runs in its own child interpreter (``python -m benchmarks.suites.memory``) so
no other client's allocations show in its RSS. After a warm-up the child samples its RSS
ten times across N small calls, then across M streams of the configured chunk count, and
prints JSON. Growth is reported over the whole run and over its second half (a leak keeps
growing; a warming cache does not). The parent also counts the connections the double
accepted during the child's run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Any

from benchmarks.server import DoubleServer
from benchmarks.settings import Settings

__all__ = ["MEMORY_CLIENTS", "run"]

MEMORY_CLIENTS = ("raw httpx", "langchain_fw.ChatFireworks", "llamaindex_fw.Fireworks")
QUICK_CLIENTS = ("raw httpx", "langchain_fw.ChatFireworks")
WARMUP_CALLS = 200


def _rss() -> int:
    try:
        import psutil

        return int(psutil.Process().memory_info().rss)
    except ImportError:  # Linux fallback
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _series(fn: Any, total: int, samples: int = 10) -> list[int]:
    """RSS after each tenth of ``total`` calls of ``fn`` (first value: before)."""
    out = [_rss()]
    step = max(1, total // samples)
    done = 0
    while done < total:
        for _ in range(min(step, total - done)):
            fn()
        done += min(step, total - done)
        out.append(_rss())
    return out


def _growth(series: list[int]) -> dict[str, Any]:
    half = series[len(series) // 2]
    return {
        "rss_start": series[0],
        "rss_end": series[-1],
        "growth": series[-1] - series[0],
        "growth_second_half": series[-1] - half,
        "series": series,
    }


def child(argv: list[str] | None = None) -> None:
    """Child entry point: measure one client and print JSON."""
    from benchmarks.adapters import CHAT_SPECS, Endpoints, build

    p = argparse.ArgumentParser()
    p.add_argument("--adapter", required=True)
    p.add_argument("--fireworks", required=True)
    p.add_argument("--firmware", required=True)
    p.add_argument("--calls", type=int, required=True)
    p.add_argument("--streams", type=int, required=True)
    p.add_argument("--chunks", type=int, required=True)
    a = p.parse_args(argv)
    spec = next(s for s in CHAT_SPECS if s.name == a.adapter)
    urls = Endpoints(a.fireworks, a.firmware)
    caller, why = build(spec, urls, 32, a.chunks)
    streamer, why2 = build(spec, urls, 4096, a.chunks)
    if caller is None or streamer is None:
        print(json.dumps({"available": False, "reason": why or why2}))
        return
    for _ in range(WARMUP_CALLS):
        caller.call()
    calls = _series(caller.call, a.calls)
    streamer.stream()
    streamer.stream()
    streams = _series(streamer.stream, a.streams, samples=min(10, a.streams))
    print(json.dumps({"available": True, "calls": _growth(calls), "streams": _growth(streams)}))


def run(server: DoubleServer, settings: Settings) -> dict[str, Any]:
    """Run each memory client in a child process; returns the suite's JSON section."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    rows = []
    only = settings.only_adapters
    for name in QUICK_CLIENTS if settings.quick else MEMORY_CLIENTS:
        if only and name != "raw httpx" and not any(o.lower() in name.lower() for o in only):
            continue
        before = server.stats()["connections"]
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.suites.memory",
                "--adapter",
                name,
                "--fireworks",
                server.fireworks_url,
                "--firmware",
                server.firmware_url,
                "--calls",
                str(settings.mem_calls),
                "--streams",
                str(settings.mem_streams),
                "--chunks",
                str(settings.stream_chunks),
            ],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        conns = server.stats()["connections"] - before
        try:
            row = json.loads(proc.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            err = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            row = {"available": False, "reason": f"child failed: {err[:200]}"}
        row.update({"name": name, "connections_opened": conns})
        rows.append(row)
    return {
        "calls": settings.mem_calls,
        "warmup_calls": WARMUP_CALLS,
        "streams": settings.mem_streams,
        "chunks_per_stream": settings.stream_chunks,
        "rss_source": "psutil" if _has_psutil() else "/proc/self/statm",
        "rows": rows,
    }


def _has_psutil() -> bool:
    try:
        import psutil  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    child()
