"""Bulk work against a rate limit: embeddings and chat through ``abatch`` at 600 RPM.

The double runs in its own process in limit mode (``rl_rpm`` requests per minute per key
and model, burst ``rl_burst``; 429 with ``retry-after`` over it). Each client, in turn,
embeds ``rl_embed_inputs`` texts in calls of ``rl_embed_per_call`` (one request each, at
most ``rl_concurrency`` in flight) and makes ``rl_chat_calls`` chat calls through
``abatch(max_concurrency=rl_concurrency)`` (LlamaIndex, which has no batch call:
``asyncio.gather`` of ``achat`` under a semaphore of the same size). Each client uses its
own key, so the server's bucket and our limiter both start cold.

Reported per client and workload:

* **throughput**: requests admitted per second, as a share of the limit. The server lets
  ``burst`` through at once and then ``rpm / 60`` per second, so the fastest possible
  run of N requests takes ``(N - burst) / (rpm / 60)`` seconds; the share is that over
  the measured time (1.0 = as fast as the limit allows);
* **429 share**: requests answered 429 over all requests;
* **failures**: calls that raised (the work lost).

Targets (issue 15): throughput >= 90 %, 429 share <= 2 %, zero failures.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from benchmarks.adapters import FIREWORKS_MODEL
from benchmarks.server import DoubleServer, ServerOptions
from benchmarks.settings import Settings
from benchmarks.suites.embeddings import EMBED_MODEL, texts

__all__ = ["SPECS", "run"]


@dataclass(frozen=True)
class Work:
    """What each client does: embed ``texts`` in calls of ``per_call``; make ``calls``
    chat calls; at most ``concurrency`` in flight."""

    texts: list[str]
    per_call: int
    calls: int
    concurrency: int

    def parts(self) -> list[list[str]]:
        size = self.per_call
        return [self.texts[i : i + size] for i in range(0, len(self.texts), size)]


Runner = Callable[[str, str, Work], Coroutine[Any, Any, list[bool]]]


@dataclass(frozen=True)
class Spec:
    name: str
    kind: str  # ours | anchor
    family: str  # langchain | llamaindex
    workload: str  # embeddings | chat
    runner: Runner


async def _gather(n: int, limit: int, one: Callable[[int], Awaitable[Any]]) -> list[bool]:
    sem = asyncio.Semaphore(limit)

    async def guarded(i: int) -> bool:
        async with sem:
            try:
                await one(i)
            except Exception:  # a lost call: counted, not fatal
                return False
            return True

    return list(await asyncio.gather(*(guarded(i) for i in range(n))))


# ------------------------------------------------------------------------------ embeddings


async def _ours_lc_embed(url: str, key: str, w: Work) -> list[bool]:
    from langchain_fw import FireworksEmbeddings

    # one request per call (no split for concurrency): the shape every client here has
    emb = FireworksEmbeddings(model=EMBED_MODEL, api_key=key, base_url=url, max_concurrency=1)
    parts = w.parts()
    return await _gather(len(parts), w.concurrency, lambda i: emb.aembed_documents(parts[i]))


async def _ours_li_embed(url: str, key: str, w: Work) -> list[bool]:
    from llamaindex_fw import FireworksEmbedding

    emb = FireworksEmbedding(model_name=EMBED_MODEL, api_key=key, base_url=url)
    parts = w.parts()
    return await _gather(
        len(parts), w.concurrency, lambda i: emb.aget_text_embedding_batch(parts[i])
    )


async def _anchor_lc_embed(url: str, key: str, w: Work) -> list[bool]:
    import openai
    from langchain_fireworks import FireworksEmbeddings

    emb = FireworksEmbeddings(model=EMBED_MODEL, api_key=key)
    # It hard-codes the public base URL; the same clients, re-pointed (as embeddings.py).
    emb.client = openai.OpenAI(api_key=key, base_url=url)
    if hasattr(emb, "async_client"):
        emb.async_client = openai.AsyncOpenAI(api_key=key, base_url=url)
    parts = w.parts()
    return await _gather(len(parts), w.concurrency, lambda i: emb.aembed_documents(parts[i]))


async def _anchor_li_embed(url: str, key: str, w: Work) -> list[bool]:
    from llama_index.embeddings.fireworks import FireworksEmbedding

    emb = FireworksEmbedding(
        model_name=EMBED_MODEL, api_key=key, api_base=url, embed_batch_size=w.per_call
    )
    parts = w.parts()
    return await _gather(
        len(parts), w.concurrency, lambda i: emb.aget_text_embedding_batch(parts[i])
    )


# ------------------------------------------------------------------------------ chat


def _prompts(n: int) -> list[str]:
    return [f"Give one fact about item {i}." for i in range(n)]


async def _lc_abatch(llm: Any, n: int, conc: int) -> list[bool]:
    out = await llm.abatch(_prompts(n), config={"max_concurrency": conc}, return_exceptions=True)
    return [not isinstance(r, BaseException) for r in out]


async def _ours_lc_chat(url: str, key: str, w: Work) -> list[bool]:
    from langchain_fw import ChatFireworks

    llm = ChatFireworks(model=FIREWORKS_MODEL, api_key=key, base_url=url, max_tokens=16)
    return await _lc_abatch(llm, w.calls, w.concurrency)


async def _anchor_lc_chat(url: str, key: str, w: Work) -> list[bool]:
    from langchain_fireworks import ChatFireworks

    # Its SDK (fireworks-ai) appends /v1/... to an overridden base (as adapters.py).
    root = url.removesuffix("/v1")
    llm = ChatFireworks(model=FIREWORKS_MODEL, api_key=key, base_url=root, max_tokens=16)
    return await _lc_abatch(llm, w.calls, w.concurrency)


async def _li_gather(llm: Any, n: int, conc: int) -> list[bool]:
    from llama_index.core.llms import ChatMessage

    prompts = _prompts(n)
    return await _gather(
        n, conc, lambda i: llm.achat([ChatMessage(role="user", content=prompts[i])])
    )


async def _ours_li_chat(url: str, key: str, w: Work) -> list[bool]:
    from llamaindex_fw import Fireworks

    llm = Fireworks(model=FIREWORKS_MODEL, api_key=key, base_url=url, max_tokens=16)
    return await _li_gather(llm, w.calls, w.concurrency)


async def _anchor_li_chat(url: str, key: str, w: Work) -> list[bool]:
    from llama_index.llms.fireworks import Fireworks

    llm = Fireworks(model=FIREWORKS_MODEL, api_key=key, api_base=url, max_tokens=16)
    return await _li_gather(llm, w.calls, w.concurrency)


SPECS = (
    Spec("langchain_fw.FireworksEmbeddings", "ours", "langchain", "embeddings", _ours_lc_embed),
    Spec("llamaindex_fw.FireworksEmbedding", "ours", "llamaindex", "embeddings", _ours_li_embed),
    Spec(
        "langchain_fireworks.FireworksEmbeddings",
        "anchor",
        "langchain",
        "embeddings",
        _anchor_lc_embed,
    ),
    Spec(
        "llama_index.embeddings.fireworks.FireworksEmbedding",
        "anchor",
        "llamaindex",
        "embeddings",
        _anchor_li_embed,
    ),
    Spec("langchain_fw.ChatFireworks", "ours", "langchain", "chat", _ours_lc_chat),
    Spec("llamaindex_fw.Fireworks", "ours", "llamaindex", "chat", _ours_li_chat),
    Spec("langchain_fireworks.ChatFireworks", "anchor", "langchain", "chat", _anchor_lc_chat),
    Spec("llama_index.llms.fireworks.Fireworks", "anchor", "llamaindex", "chat", _anchor_li_chat),
)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:200] if lines else ''}"


def _measure(spec: Spec, srv: DoubleServer, settings: Settings, key: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": spec.name,
        "kind": spec.kind,
        "family": spec.family,
        "workload": spec.workload,
        "available": False,
        "reason": "",
    }
    work = Work(
        texts(settings.rl_embed_inputs),
        settings.rl_embed_per_call,
        settings.rl_chat_calls,
        settings.rl_concurrency,
    )
    srv.stats()
    load_before = _load()
    start = time.perf_counter()
    try:
        calls = asyncio.run(spec.runner(srv.fireworks_url, key, work))
    except Exception as exc:  # not installed, or broken: reported, the other rows still run
        row["reason"] = _first_line(exc)
        return row
    elapsed = time.perf_counter() - start
    st = srv.stats()
    admitted, rejected = st.get("admitted", 0), st.get("rejected", 0)
    rate = settings.rl_rpm / 60.0
    ideal = max(admitted - settings.rl_burst, 0) / rate
    row.update(
        available=True,
        seconds=elapsed,
        calls=len(calls),
        failures=calls.count(False),
        requests=admitted + rejected,
        admitted=admitted,
        rejected=rejected,
        share_429=rejected / max(admitted + rejected, 1),
        throughput_rps=admitted / elapsed if elapsed > 0 else 0.0,
        throughput_share=ideal / elapsed if elapsed > 0 else 0.0,
        load=f"{load_before} / {_load()}",
    )
    return row


def _load() -> str:
    """The 1-, 5- and 15-minute load averages, e.g. ``"0.52 0.80 0.91"``."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(settings: Settings) -> dict[str, Any]:
    """Measure every client in turn against one limited double; the suite's JSON section."""
    opts = ServerOptions(rpm=settings.rl_rpm, burst=settings.rl_burst, max_seconds=3600.0)
    rows: list[dict[str, Any]] = []
    only = settings.only_adapters
    with DoubleServer(opts) as srv:
        server = srv.server
        for i, spec in enumerate(SPECS):
            if only and not any(o.lower() in spec.name.lower() for o in only):
                continue
            rows.append(_measure(spec, srv, settings, key=f"bench-rl-{i}"))
    return {
        "rpm": settings.rl_rpm,
        "burst": settings.rl_burst,
        "concurrency": settings.rl_concurrency,
        "embed_inputs": settings.rl_embed_inputs,
        "embed_per_call": settings.rl_embed_per_call,
        "chat_calls": settings.rl_chat_calls,
        "server": server,
        "rows": rows,
    }
