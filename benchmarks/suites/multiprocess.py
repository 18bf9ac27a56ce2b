"""Several processes, one account limit: N workers share a key against the limited double.

Issue 21: four worker processes (as Ray actors or Spark executors are), each sending 60
chat calls against one account limit of 20 requests per second. The double runs in its own
process in limit mode (``mp_rps * 60`` requests per minute, burst ``mp_burst``; its bucket
is per key and model, so every worker on the one key draws on the same bucket, as on the
real account). Each worker builds ``langchain_fw.ChatFireworks`` on that key and runs
``abatch`` of ``mp_calls`` prompts with ``max_concurrency=mp_concurrency``; the workers
start together (a wall-clock start time, after their imports are done).

Modes:

* ``processes``: ``multiprocessing`` with the ``spawn`` start method, each worker with its
  own per-process limiter (no shared store): only the server's answers bring them
  together (docs/rate_limits.md "Several processes");
* ``ray``: a local Ray instance (``ray.init(num_cpus=2)``, shut down after), ``mp_workers``
  actors, each plugged into one shared limiter actor (``fw_core.ratelimit.ray``).

Reported per mode: requests, 429 share, calls lost, and throughput as a share of the
fastest run the limit allows (``burst`` at once, then ``mp_rps`` per second: ideal time
``(admitted - burst) / mp_rps``). Targets (issue 21): 0 lost; 429s <= 10 % without the
shared limiter, <= 2 % with it; throughput >= 90 % of the limit. Standalone::

    python -m benchmarks.suites.multiprocess [--modes processes,ray] [--calls 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.adapters import FIREWORKS_MODEL
from benchmarks.server import DoubleServer, ServerOptions

__all__ = ["MODES", "checks", "render", "run", "run_mode"]

ROOT = Path(__file__).resolve().parents[2]
MODES = ("processes", "ray")
KEY = "bench-account-key"  # one key: one account, one bucket on the double
RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0"}
LATENCY = 0.02  # the double's answer time (s): small, so the limit is what paces
START_LEAD = 1.0  # seconds between handing out the start time and the start


def _model(url: str) -> Any:
    """The worker's chat model (built before the start: imports take seconds)."""
    from langchain_fw import ChatFireworks

    return ChatFireworks(model=FIREWORKS_MODEL, api_key=KEY, base_url=url, max_tokens=16)


def _work(llm: Any, calls: int, concurrency: int, go_at: float) -> dict[str, Any]:
    """One worker: wait for the common start, then ``abatch`` ``calls`` prompts."""
    prompts = [f"Give one fact about item {i} (worker {os.getpid()})." for i in range(calls)]

    async def batch() -> list[Any]:
        return await llm.abatch(
            prompts, config={"max_concurrency": concurrency}, return_exceptions=True
        )

    time.sleep(max(go_at - time.time(), 0.0))
    trace: list[tuple[float, float, float, int]] = []
    done = threading.Event()
    if os.environ.get("FW_BENCH_TRACE"):  # diagnostics: the limiter's rate and share
        threading.Thread(target=_sample, args=(go_at, trace, done), daemon=True).start()
    out = asyncio.run(batch())
    done.set()
    lost = [r for r in out if isinstance(r, BaseException)]
    return {
        "calls": len(out),
        "lost": len(lost),
        "errors": sorted({type(e).__name__ for e in lost}),
        "first_error": str(lost[0])[:300] if lost else "",
        "end": time.time(),
        **({"trace": trace} if trace else {}),
    }


def _sample(go_at: float, trace: list[tuple[float, float, float, int]], done: Any) -> None:
    from fw_core import ratelimit

    while not done.wait(0.25):
        for limiter in ratelimit.limiters().values():
            s = limiter.snapshot()
            refused = len(getattr(limiter, "_refused", ()))  # 429s so far (diagnostics)
            trace.append((round(time.time() - go_at, 2), round(s.rate or 0.0, 2), s.share, refused))


def _process_main(args: tuple[str, int, int], ready: Any, go: Any, out: Any) -> None:
    url, calls, concurrency = args
    llm = _model(url)
    ready.put(os.getpid())
    go_at = go.get()
    out.put(_work(llm, calls, concurrency, go_at))


def _run_processes(url: str, workers: int, calls: int, concurrency: int) -> list[dict[str, Any]]:
    ctx = multiprocessing.get_context("spawn")
    ready, go, out = ctx.Queue(), ctx.Queue(), ctx.Queue()
    procs = [
        ctx.Process(target=_process_main, args=((url, calls, concurrency), ready, go, out))
        for _ in range(workers)
    ]
    for p in procs:
        p.start()
    try:
        for _ in procs:
            ready.get(timeout=120)
        go_at = time.time() + START_LEAD
        for _ in procs:
            go.put(go_at)
        rows = [out.get(timeout=300) for _ in procs]
    finally:
        for p in procs:
            p.join(30)
            if p.is_alive():
                p.kill()
    for r in rows:
        r["start"] = go_at
    return rows


def _run_ray(url: str, workers: int, calls: int, concurrency: int) -> list[dict[str, Any]]:
    import ray

    from fw_core.ratelimit import ray as ray_limiter

    os.environ.update(RAY_ENV)
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
        logging_level="WARNING",
        runtime_env={"env_vars": {**RAY_ENV, "PYTHONPATH": path}},
    )
    try:
        name = ray_limiter.start(name="bench-multiprocess-limiter")

        @ray.remote(num_cpus=0.25)
        class Worker:
            def __init__(self) -> None:
                ray_limiter.use(name)  # this worker's clients pace on the shared limiter
                self.llm = _model(url)

            def ready(self) -> int:
                return os.getpid()

            def work(self, go_at: float) -> dict[str, Any]:
                return _work(self.llm, calls, concurrency, go_at)

        actors = [Worker.remote() for _ in range(workers)]  # type: ignore[attr-defined]
        ray.get([a.ready.remote() for a in actors], timeout=180)
        go_at = time.time() + START_LEAD
        rows: list[dict[str, Any]] = ray.get([a.work.remote(go_at) for a in actors], timeout=300)
    finally:
        ray.shutdown()
    for r in rows:
        r["start"] = go_at
    return rows


def run_mode(
    mode: str,
    *,
    workers: int = 4,
    calls: int = 60,
    rps: float = 20.0,
    burst: int = 20,
    concurrency: int = 5,
) -> dict[str, Any]:
    """One measured run of ``mode`` against a fresh limited double; a JSON row."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    row: dict[str, Any] = {
        "mode": mode,
        "workers": workers,
        "calls_per_worker": calls,
        "rps": rps,
        "burst": burst,
        "concurrency": concurrency,
        "available": False,
        "reason": "",
    }
    opts = ServerOptions(latency=LATENCY, rpm=rps * 60.0, burst=burst, max_seconds=900.0)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with DoubleServer(opts) as srv:
        srv.stats()
        try:
            runner = _run_processes if mode == "processes" else _run_ray
            rows = runner(srv.fireworks_url, workers, calls, concurrency)
        except ImportError as exc:  # ray not installed: reported, not fatal
            row["reason"] = f"{type(exc).__name__}: {exc}"
            return row
        st = srv.stats()
    admitted, rejected = st.get("admitted", 0), st.get("rejected", 0)
    elapsed = max(r["end"] for r in rows) - rows[0]["start"]
    ideal = max(admitted - burst, 0) / rps
    row.update(
        available=True,
        seconds=elapsed,
        calls=sum(r["calls"] for r in rows),
        lost=sum(r["lost"] for r in rows),
        errors=sorted({e for r in rows for e in r["errors"]}),
        first_error=next((r["first_error"] for r in rows if r["first_error"]), ""),
        requests=admitted + rejected,
        admitted=admitted,
        rejected=rejected,
        share_429=rejected / max(admitted + rejected, 1),
        throughput_share=ideal / elapsed if elapsed > 0 else 0.0,
        load_before=load_before,
        load_after=" ".join(f"{x:.2f}" for x in os.getloadavg()),
        worker_seconds=[round(r["end"] - r["start"], 2) for r in rows],
    )
    if any("trace" in r for r in rows):
        row["traces"] = [r.get("trace", []) for r in rows]
    return row


def run(settings: Any, modes: tuple[str, ...] = MODES, reps: int = 3) -> dict[str, Any]:
    """The suite's JSON section: ``reps`` rows per mode, interleaved."""
    kw = {
        "workers": getattr(settings, "mp_workers", 4),
        "calls": getattr(settings, "mp_calls", 60),
        "rps": getattr(settings, "mp_rps", 20.0),
        "burst": getattr(settings, "mp_burst", 20),
        "concurrency": getattr(settings, "mp_concurrency", 5),
    }
    reps = getattr(settings, "mp_reps", reps)
    return {**kw, "rows": [run_mode(m, **kw) for _ in range(reps) for m in modes]}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.suites.multiprocess")
    p.add_argument("--modes", default=",".join(MODES))
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--calls", type=int, default=60)
    p.add_argument("--rps", type=float, default=20.0)
    p.add_argument("--burst", type=int, default=20)
    p.add_argument("--concurrency", type=int, default=5)
    p.add_argument("--reps", type=int, default=1)
    p.add_argument("--json", default="", help="also write the rows to this file")
    args = p.parse_args(argv)
    rows = []
    for _ in range(args.reps):
        for mode in args.modes.split(","):
            row = run_mode(
                mode.strip(),
                workers=args.workers,
                calls=args.calls,
                rps=args.rps,
                burst=args.burst,
                concurrency=args.concurrency,
            )
            rows.append(row)
            print(json.dumps(row), flush=True)
    if args.json:  # the suite's JSON section (what benchmarks.report renders)
        section = {
            "workers": args.workers,
            "calls": args.calls,
            "rps": args.rps,
            "burst": args.burst,
            "concurrency": args.concurrency,
            "rows": rows,
        }
        Path(args.json).write_text(json.dumps(section, indent=2) + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()


# ------------------------------------------------------------------------------ report

#: Issue 21's targets per mode: most 429s allowed (share of all requests); and for both,
#: nothing lost and throughput at least 90 % of the limit.
MAX_429 = {"processes": 0.10, "ray": 0.02}
MIN_THROUGHPUT = 0.90


def checks(section: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    """``(target, measured, verdict)`` per mode, over its repetitions (the worst one)."""
    if not section or not section.get("rows"):
        return [("several processes, one account limit", "n/a", "not measured")]
    out = []
    for mode in MODES:
        rows = [r for r in section["rows"] if r["mode"] == mode and r.get("available")]
        who = "processes" if mode == "processes" else "Ray actors on one limiter actor"
        label = f"{section['workers']} {who} x {section['calls']} calls, one account limit"
        if not rows:
            out.append((label, "n/a", "not measured"))
            continue
        lost = max(r["lost"] for r in rows)
        worst = max(rows, key=lambda r: r["share_429"])
        slowest = min(rows, key=lambda r: r["throughput_share"])
        out += [
            (f"{label}: 0 lost", f"{lost} lost", "met" if lost == 0 else "missed"),
            (
                f"{label}: 429s <= {MAX_429[mode]:.0%}",
                f"{worst['share_429']:.1%} ({worst['rejected']} of {worst['requests']}), worst "
                f"of {len(rows)}",
                "met" if worst["share_429"] <= MAX_429[mode] else "missed",
            ),
            (
                f"{label}: throughput >= {MIN_THROUGHPUT:.0%} of the limit",
                f"{slowest['throughput_share']:.1%}, lowest of {len(rows)}",
                "met" if slowest["throughput_share"] >= MIN_THROUGHPUT else "missed",
            ),
        ]
    return out


def render(section: dict[str, Any]) -> list[str]:
    """The RESULTS.md section: targets, then one row per run."""
    lines = [
        f"### Several processes, one account limit ({section['rps']:g} requests/s, burst "
        f"{section['burst']})",
        "",
        f"{section['workers']} workers on one key, each `abatch` of {section['calls']} chat "
        f"calls ({section['concurrency']} in flight), started together against the double "
        "(one bucket per key: the account's). `processes`: spawned processes, each with its "
        "own limiter (the share read from `remaining`); `ray`: a local Ray instance "
        "(`num_cpus=2`), the workers as actors consulting one limiter actor "
        "(`fw_core.ratelimit.ray`). Throughput: the fastest run the limit allows (burst, "
        "then the limit) over the measured time.",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        *[f"| {t} | {m} | **{v}** |" for t, m, v in checks(section)],
        "",
        "| mode | seconds | requests | 429 share | throughput | lost | load before / after |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in section["rows"]:
        if not r.get("available"):
            lines.append(f"| {r['mode']} | not available: {r.get('reason', '')} | | | | | |")
            continue
        lines.append(
            f"| {r['mode']} | {r['seconds']:.1f} | {r['requests']} | {r['share_429']:.1%} | "
            f"{r['throughput_share']:.1%} | {r['lost']} | {r['load_before']} / "
            f"{r['load_after']} |"
        )
    return lines
