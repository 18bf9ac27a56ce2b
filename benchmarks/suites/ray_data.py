"""Ray Data: N texts embedded on a local 2-CPU Ray instance vs one process.

The recipe of docs/scaling.md: ``ds.map_batches(EmbedTexts, compute=ActorPoolStrategy(
size=2))``, each actor building one ``FireworksEmbeddings`` in ``__init__``; against the
same double (same latency settings as the embeddings suite) the single-process time is
``FireworksEmbeddings().embed_documents(texts)`` with its default concurrency. Both send
their requests to one server process, so this measures what Ray's extra processes buy
(and cost) for an I/O-bound job on this machine, not a cluster's scaling.

Reported: Ray's start-up (``ray.init``), the first run, then interleaved repetitions of
both (median seconds) and the ratio single / Ray (above 1: Ray is faster). Ray Data
starts a fresh actor pool for every execution, so each Ray run pays for starting its
actors (a Python process importing LangChain each); the actors' own span (first batch
begun to last batch done, wall clock) is reported too, with its ratio. Runs standalone too::

    python -m benchmarks.suites.ray_data [--texts 10000] [--reps 3]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.adapters import API_KEY
from benchmarks.server import DoubleServer, ServerOptions
from benchmarks.settings import FULL, Settings
from benchmarks.suites.embeddings import EMBED_MODEL, texts
from benchmarks.timing import median

__all__ = ["EmbedTexts", "run"]

ROOT = Path(__file__).resolve().parents[2]
RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0"}
RAY_CPUS = 2
BLOCK = 1000  # texts per Ray batch: 10 batches for 10,000 texts, 5 per actor


class EmbedTexts:
    """A Ray Data callable class: one ``FireworksEmbeddings`` per actor."""

    def __init__(self, base_url: str) -> None:
        from langchain_fw import FireworksEmbeddings

        self.embeddings = FireworksEmbeddings(model=EMBED_MODEL, api_key=API_KEY, base_url=base_url)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        start = time.time()  # wall clock: comparable across the processes of one machine
        vectors = self.embeddings.embed_documents(batch["text"].tolist())
        # One row per batch: how many vectors, and when the actor worked on them.
        return {"n": [len(vectors)], "start": [start], "end": [time.time()]}


def _start_ray() -> Any:
    import ray

    os.environ.update(RAY_ENV)
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    ray.init(
        num_cpus=RAY_CPUS,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
        logging_level="WARNING",
        runtime_env={"env_vars": {**RAY_ENV, "PYTHONPATH": path}},
    )
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.print_on_execution_start = False
    return ray


def run(server: DoubleServer, settings: Settings) -> dict[str, Any]:
    """Measure; returns the suite's JSON section."""
    out: dict[str, Any] = {
        "texts": settings.embed_texts,
        "reps": settings.embed_reps,
        "cpus": RAY_CPUS,
        "actors": RAY_CPUS,
        "ray_batch_size": BLOCK,
        "latency_per_request": settings.embed_latency,
        "latency_per_input": settings.embed_per_input,
        "model": EMBED_MODEL,
    }
    try:
        import ray
        import ray.data
    except ImportError as exc:
        out["available"] = False
        out["reason"] = f"ray[data] not installed (the `scale` group): {exc}"
        return out
    from langchain_fw import FireworksEmbeddings

    url = server.fireworks_url
    data = texts(settings.embed_texts)
    single = FireworksEmbeddings(model=EMBED_MODEL, api_key=API_KEY, base_url=url)
    single.embed_documents(data)  # warms the double's cache and the client, as for Ray below

    t0 = time.perf_counter()
    ray = _start_ray()
    out["ray_startup_seconds"] = round(time.perf_counter() - t0, 2)
    try:
        ds = ray.data.from_items([{"text": t} for t in data], override_num_blocks=RAY_CPUS * 5)
        ds = ds.materialize()  # the input lives in the object store before any timing

        spans: list[float] = []

        def with_ray() -> None:
            rows = ds.map_batches(
                EmbedTexts,
                fn_constructor_kwargs={"base_url": url},
                compute=ray.data.ActorPoolStrategy(size=RAY_CPUS),
                batch_size=BLOCK,
            ).take_all()
            n = sum(int(r["n"]) for r in rows)
            if n != len(data):
                raise RuntimeError(f"Ray returned {n} vectors for {len(data)} texts")
            spans.append(max(r["end"] for r in rows) - min(r["start"] for r in rows))

        t0 = time.perf_counter()
        with_ray()
        out["ray_first_run_seconds"] = round(time.perf_counter() - t0, 2)
        single_s: list[float] = []
        ray_s: list[float] = []
        requests: dict[str, int] = {}
        spans.clear()
        for rep in range(settings.embed_reps):
            order = ("single", "ray") if rep % 2 == 0 else ("ray", "single")
            for mode in order:
                server.stats()
                t0 = time.perf_counter()
                if mode == "single":
                    if len(single.embed_documents(data)) != len(data):
                        raise RuntimeError("short result")
                    single_s.append(time.perf_counter() - t0)
                else:
                    with_ray()
                    ray_s.append(time.perf_counter() - t0)
                requests[mode] = server.stats()["embed_requests"]
        out["requests_per_run"] = requests
    finally:
        ray.shutdown()
    out["available"] = True
    out["single_seconds"] = [round(s, 3) for s in single_s]
    out["ray_seconds"] = [round(s, 3) for s in ray_s]
    out["single_median_seconds"] = round(median(single_s), 3)
    out["ray_median_seconds"] = round(median(ray_s), 3)
    out["ratio_single_over_ray"] = round(median(single_s) / median(ray_s), 2)
    out["ray_actor_span_median_seconds"] = round(median(spans), 3)
    out["ratio_single_over_ray_span"] = round(median(single_s) / median(spans), 2)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.suites.ray_data", description=__doc__)
    p.add_argument("--texts", type=int, default=FULL.embed_texts)
    p.add_argument("--reps", type=int, default=FULL.embed_reps)
    args = p.parse_args(argv)
    settings = replace(FULL, embed_texts=args.texts, embed_reps=args.reps)
    opts = ServerOptions(
        latency=settings.embed_latency,
        per_input_latency=settings.embed_per_input,
        lift_embedding_limit=True,
    )
    with DoubleServer(opts) as srv:
        print(json.dumps(run(srv, settings), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
