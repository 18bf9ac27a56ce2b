"""Embedding N short texts: ours (default settings) against the anchors.

The double charges a fixed latency per request plus a cost per input, so a client that
batches well and keeps several requests in flight wins, and one that sends small
sequential batches loses. The double's per-request input limit is lifted for this suite
so that an anchor sending one oversize request can still be timed; the most inputs any
request carried is reported per client, against the real limit (Fireworks: 2048), and a
client above it is flagged (the real API would refuse that request).

Interleaved repetitions; each client first makes one untimed pass so the double's
response cache is warm, except llama-index's (1,000 ten-input requests cost the double
little to compute, and a pass costs it ~50 s of latency).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.adapters import API_KEY
from benchmarks.server import DoubleServer
from benchmarks.settings import Settings
from benchmarks.timing import frozen_heap, median, rotated

__all__ = ["EMBED_MODEL", "FIREWORKS_INPUT_LIMIT", "run", "texts"]

EMBED_MODEL = "nomic-ai/nomic-embed-text-v1.5"
FIREWORKS_INPUT_LIMIT = 2048


def texts(n: int) -> list[str]:
    """``n`` distinct short texts (6-10 words)."""
    topics = ("rivers", "compilers", "bread", "glaciers", "jazz", "orbits", "tea", "ledgers")
    return [
        f"note {i} about {topics[i % len(topics)]} and item {i % 97} in batch {i // 50}"
        for i in range(n)
    ]


@dataclass(frozen=True)
class EmbedSpec:
    name: str
    kind: str
    family: str
    warm: bool
    factory: Callable[[str], Callable[[list[str]], list[list[float]]]]


def _ours_lc(url: str) -> Callable[[list[str]], list[list[float]]]:
    from langchain_fw import FireworksEmbeddings

    return FireworksEmbeddings(model=EMBED_MODEL, api_key=API_KEY, base_url=url).embed_documents


def _ours_li(url: str) -> Callable[[list[str]], list[list[float]]]:
    from llamaindex_fw import FireworksEmbedding

    return FireworksEmbedding(
        model_name=EMBED_MODEL, api_key=API_KEY, base_url=url
    ).get_text_embedding_batch


def _anchor_lc(url: str) -> Callable[[list[str]], list[list[float]]]:
    import openai
    from langchain_fireworks import FireworksEmbeddings

    emb = FireworksEmbeddings(model=EMBED_MODEL, api_key=API_KEY)
    # It hard-codes the public base URL in its validator; the same client, re-pointed.
    emb.client = openai.OpenAI(api_key=API_KEY, base_url=url)
    return emb.embed_documents


def _anchor_li(url: str) -> Callable[[list[str]], list[list[float]]]:
    from llama_index.embeddings.fireworks import FireworksEmbedding

    return FireworksEmbedding(
        model_name=EMBED_MODEL, api_key=API_KEY, api_base=url
    ).get_text_embedding_batch


SPECS = (
    EmbedSpec("langchain_fw.FireworksEmbeddings", "ours", "langchain", True, _ours_lc),
    EmbedSpec("llamaindex_fw.FireworksEmbedding", "ours", "llamaindex", True, _ours_li),
    EmbedSpec("langchain_fireworks.FireworksEmbeddings", "anchor", "langchain", True, _anchor_lc),
    EmbedSpec(
        "llama_index.embeddings.fireworks.FireworksEmbedding",
        "anchor",
        "llamaindex",
        False,
        _anchor_li,
    ),
)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:200] if lines else ''}"


def _measure(
    server: Any,
    settings: Settings,
    data: list[str],
    fns: dict[str, Any],
    rows: dict[str, dict[str, Any]],
) -> None:
    names = list(fns)
    for rep in range(settings.embed_reps):
        for name in rotated(names, rep):
            gc.collect()
            t0 = time.perf_counter()
            out = fns[name](data)
            dt = time.perf_counter() - t0
            st = server.stats()
            row = rows[name]
            row["seconds"].append(dt)
            row["requests"] = st["embed_requests"]
            row["max_inputs_per_request"] = st["embed_max_inputs"]
            row["vectors"] = len(out)


def run(server: DoubleServer, settings: Settings) -> dict[str, Any]:
    """Measure; returns the suite's JSON section (seconds per run of N texts)."""
    data = texts(settings.embed_texts)
    fns: dict[str, Callable[[list[str]], list[list[float]]]] = {}
    rows: dict[str, dict[str, Any]] = {}
    only = settings.only_adapters
    for spec in SPECS:
        if only and not any(o.lower() in spec.name.lower() for o in only):
            continue
        row = rows[spec.name] = {
            "name": spec.name,
            "kind": spec.kind,
            "family": spec.family,
            "available": False,
            "reason": "",
            "seconds": [],
            "requests": None,
            "max_inputs_per_request": None,
        }
        try:
            fn = spec.factory(server.fireworks_url)
            server.stats()
            probe = data if spec.warm else data[:20]
            out = fn(probe)
            if len(out) != len(probe):
                raise RuntimeError(f"got {len(out)} vectors")
        except Exception as exc:  # reported, not fatal
            row["reason"] = _first_line(exc)
            continue
        server.stats()
        row["available"] = True
        fns[spec.name] = fn

    with frozen_heap():  # the clients are built and imported: see frozen_heap
        _measure(server, settings, data, fns, rows)
    for row in rows.values():
        if row["seconds"]:
            row["median_seconds"] = median(row["seconds"])
            row["within_input_limit"] = (
                row["max_inputs_per_request"] or 0
            ) <= FIREWORKS_INPUT_LIMIT
    return {
        "unit": "seconds per run",
        "texts": settings.embed_texts,
        "reps": settings.embed_reps,
        "latency_per_request": settings.embed_latency,
        "latency_per_input": settings.embed_per_input,
        "model": EMBED_MODEL,
        "input_limit": FIREWORKS_INPUT_LIMIT,
        "rows": list(rows.values()),
    }
