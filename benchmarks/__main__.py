"""``python -m benchmarks``: run the suites against the wire double, write JSON + Markdown.

Usage::

    python -m benchmarks                 # full run (~25 min), updates benchmarks/RESULTS.md
    python -m benchmarks --quick         # ~2 min, smaller sizes; prints, saves JSON
    python -m benchmarks --only ratelimit  # bulk work at 600 RPM (~15 min; quick: ~2 min)
    python -m benchmarks --only percall,streaming --adapters langchain_fw,raw
    python -m benchmarks --reps 9        # more interleaved repetitions everywhere

Suites: imports, percall, streaming, memory, embeddings, burst, ray (Ray Data; needs the
``scale`` group), multiprocess (4 workers on one account limit, with and without the Ray
limiter; ~2 min), ratelimit (each client's bulk
embeddings and chat at a 600-RPM limit: at least 2,000 requests per client at 10 per
second, so ~15 min for eight clients; scaled down in --quick). The double runs as a loopback
server in a child process (127.0.0.1 only, self-stopping). Results go to
``benchmarks/results/<UTC timestamp>[-quick].json``; a full run (or ``--write-md``)
regenerates ``benchmarks/RESULTS.md`` from that JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.report import render
from benchmarks.server import DoubleServer, ServerOptions
from benchmarks.settings import FULL, QUICK, Settings, override
from benchmarks.targets import evaluate

SUITES = (
    "imports",
    "percall",
    "streaming",
    "memory",
    "embeddings",
    "burst",
    "ratelimit",
    "ray",
    "multiprocess",
)
HERE = Path(__file__).resolve().parent
PACKAGES = (
    "httpx",
    "pydantic",
    "langchain-core",
    "llama-index-core",
    "openai",
    "fireworks-ai",
    "langchain-fireworks",
    "langchain-openai",
    "llama-index-llms-fireworks",
    "llama-index-llms-openai",
    "llama-index-embeddings-fireworks",
    "psutil",
    "ray",
)


def _machine() -> dict[str, Any]:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = 0.0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_before": _load(),
    }


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _packages() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _commit() -> str:
    try:
        return (
            subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"],
                cwd=HERE.parent,
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout.strip()
            or "?"
        )
    except OSError:
        return "?"


def _suite(name: str, fn: Any, *args: Any) -> dict[str, Any]:
    t0 = time.perf_counter()
    print(f"[bench] {name} ...", file=sys.stderr, flush=True)
    try:
        out = fn(*args)
    except Exception as exc:  # a broken suite is reported, the others still run
        traceback.print_exc()
        out = {"error": f"{type(exc).__name__}: {exc}"}
    out["wall_seconds"] = round(time.perf_counter() - t0, 2)
    print(f"[bench] {name} done in {out['wall_seconds']:.1f} s", file=sys.stderr, flush=True)
    return out


def run(settings: Settings, suites: list[str]) -> dict[str, Any]:
    """Run the selected suites; returns the whole results document."""
    from benchmarks.suites import (
        burst,
        embeddings,
        imports,
        memory,
        percall,
        ratelimit,
        ray_data,
        streaming,
    )

    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m benchmarks " + " ".join(sys.argv[1:]),
        "quick": settings.quick,
        "machine": _machine(),
        "packages": _packages(),
        "commit": _commit(),
        "settings": settings.__dict__,
        "suites": {},
        "server": "?",
        "notes": [],
    }
    res = results["suites"]
    if "imports" in suites:
        res["imports"] = _suite("imports", imports.run, settings)
    chat = [s for s in ("percall", "streaming", "memory") if s in suites]
    if chat:
        with DoubleServer(ServerOptions(stream_chunks=settings.stream_chunks)) as srv:
            results["server"] = srv.server
            for name in chat:
                mod = {"percall": percall, "streaming": streaming, "memory": memory}[name]
                res[name] = _suite(name, mod.run, srv, settings)
    if "embeddings" in suites:
        opts = ServerOptions(
            latency=settings.embed_latency,
            per_input_latency=settings.embed_per_input,
            lift_embedding_limit=True,
        )
        with DoubleServer(opts) as srv:
            results["server"] = srv.server
            res["embeddings"] = _suite("embeddings", embeddings.run, srv, settings)
    if "burst" in suites:
        with DoubleServer(ServerOptions(latency=burst.LATENCY)) as srv:
            results["server"] = srv.server
            res["burst"] = _suite("burst", burst.run, srv, settings)
    if "ratelimit" in suites:
        res["ratelimit"] = _suite("ratelimit", ratelimit.run, settings)
        results["server"] = res["ratelimit"].get("server", results["server"])
    if "multiprocess" in suites:  # several processes on one account limit (issue 21)
        from benchmarks.suites import multiprocess

        res["multiprocess"] = _suite("multiprocess", multiprocess.run, settings)
    if "ray" in suites:
        opts = ServerOptions(
            latency=settings.embed_latency,
            per_input_latency=settings.embed_per_input,
            lift_embedding_limit=True,
        )
        with DoubleServer(opts) as srv:
            results["server"] = srv.server
            res["ray"] = _suite("ray", ray_data.run, srv, settings)
    results["machine"]["load_after"] = _load()
    results["targets"] = [c.as_dict() for c in evaluate(results)]
    return results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--quick", action="store_true", help="small sizes; under 60 s")
    p.add_argument("--only", default="", help=f"comma-separated suites of {SUITES}")
    p.add_argument(
        "--adapters", default="", help="comma-separated substrings of client names to keep"
    )
    p.add_argument("--reps", type=int, default=0, help="override every repetition count")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override one size from benchmarks/settings.py, e.g. mem_calls=2000",
    )
    p.add_argument(
        "--write-md",
        action="store_true",
        help="regenerate RESULTS.md even for a quick or partial run",
    )
    p.add_argument("--no-save", action="store_true", help="print only; write no files")
    p.add_argument(
        "--provisional", default="", help="label RESULTS.md as provisional, with this reason"
    )
    args = p.parse_args(argv)

    settings = QUICK if args.quick else FULL
    if args.reps > 0:
        settings = settings.with_reps(args.reps)
    if args.set:
        settings = override(settings, args.set)
    if args.adapters:
        settings = replace(
            settings, only_adapters=tuple(a.strip() for a in args.adapters.split(",") if a.strip())
        )
    suites = [s.strip() for s in args.only.split(",") if s.strip()] or list(SUITES)
    unknown = set(suites) - set(SUITES)
    if unknown:
        p.error(f"unknown suites: {sorted(unknown)}")

    t0 = time.perf_counter()
    results = run(settings, suites)
    results["wall_seconds"] = round(time.perf_counter() - t0, 1)
    if args.provisional:
        results["provisional"] = args.provisional
    text = render(results)
    print(text)
    if not args.no_save:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        out = HERE / "results" / f"{stamp}{'-quick' if settings.quick else ''}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(results, indent=1, default=str))
        print(f"[bench] wrote {out.relative_to(HERE.parent)}", file=sys.stderr)
        full = (
            not settings.quick and set(suites) == set(SUITES) and not args.adapters and not args.set
        )
        if full or args.write_md:
            (HERE / "RESULTS.md").write_text(text)
            print("[bench] wrote benchmarks/RESULTS.md", file=sys.stderr)
    print(f"[bench] total {results['wall_seconds']:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
