"""Where one async chat call's CPU goes, layer by layer: httpx, fw_core, our adapter, the framework.

The burst suite's wall time is about the ideal plus the client's CPU time for all the
calls (each wave's answers are handled one after another on one event loop), so every
microsecond per call shows up ~1,000 times in a 1,000-call burst. This splits one call
into the layers that make it up, each measured by calling that layer directly, through
the in-process canned transport of :mod:`benchmarks.profile_call` (no socket):

* ``raw``: httpx alone (``AsyncClient.post`` + ``json()``);
* ``core``: ``fw_core.endpoints.chat.acreate`` (our client, limiter and parsing) on the same httpx;
* ``lc-adapter``: ``ChatFireworks._agenerate`` (our LangChain layer over ``core``,
  without langchain-core around it); ``lc``: ``ChatFireworks.ainvoke`` (all of it);
* ``li-adapter``: ``Fireworks._achat``; ``li``: ``Fireworks.achat`` (with LlamaIndex's
  instrumentation and callbacks).

So ``core - raw`` is fw_core's cost, ``lc-adapter - core`` ours in LangChain, and
``lc - lc-adapter`` what langchain-core adds around any chat model (likewise for
LlamaIndex). Interleaved repetitions, order rotated, medians of CPU time per call.
Bounded: ``reps x batch`` calls per layer.

Usage::

    python -m benchmarks.layer_costs --reps 15 --batch 200 [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import SecretStr

from benchmarks.adapters import API_KEY, FIREWORKS_MODEL, PROMPT
from benchmarks.profile_call import (
    BASE,
    CLOCKS,
    MAX_TOKENS,
    URL,
    AsyncCannedTransport,
    _Canned,
    ainterleave,
)
from benchmarks.timing import frozen_heap, median

__all__ = ["LAYERS", "main", "run"]

LAYERS = ("raw", "core", "lc-adapter", "lc", "li-adapter", "li")


def _layers(canned: _Canned) -> dict[str, Callable[[], Any]]:
    from langchain_core.messages import BaseMessage, HumanMessage
    from llama_index.core.llms import ChatMessage

    from fw_core import FIREWORKS
    from fw_core.endpoints import chat
    from fw_core.http.client import AsyncClient
    from langchain_fw import ChatFireworks
    from llamaindex_fw import Fireworks

    def http() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=AsyncCannedTransport(canned))

    raw_http = http()
    body = {
        "model": FIREWORKS_MODEL,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": MAX_TOKENS,
    }
    auth = {"Authorization": f"Bearer {API_KEY}"}
    core = AsyncClient(FIREWORKS, api_key=API_KEY, base_url=BASE, http_client=http())
    lc = ChatFireworks(  # type: ignore[call-arg]  # model: a pydantic alias
        model=FIREWORKS_MODEL,
        api_key=SecretStr(API_KEY),
        base_url=BASE,
        max_tokens=MAX_TOKENS,
        http_async_client=http(),
    )
    li = Fireworks(
        model=FIREWORKS_MODEL,
        api_key=SecretStr(API_KEY),
        base_url=BASE,
        max_tokens=MAX_TOKENS,
        http_async_client=http(),
    )
    lc_messages: list[BaseMessage] = [HumanMessage(content=PROMPT)]
    li_messages = [ChatMessage(role="user", content=PROMPT)]

    async def raw() -> Any:
        r = await raw_http.post(URL, json=body, headers=auth)
        r.raise_for_status()
        return r.json()["choices"][0]["message"]["content"]

    async def core_call() -> Any:
        return (await chat.acreate(core, body)).completion.choices[0].message.content

    return {
        "raw": raw,
        "core": core_call,
        "lc-adapter": lambda: lc._agenerate(lc_messages),
        "lc": lambda: lc.ainvoke(lc_messages),
        "li-adapter": lambda: li._achat(li_messages),
        "li": lambda: li.achat(li_messages),
    }


def run(reps: int, batch: int, clock: Callable[[], float]) -> dict[str, float]:
    """Median seconds per call of each layer."""
    canned = _Canned(1)
    fns = _layers(canned)

    async def go() -> dict[str, list[float]]:
        for fn in fns.values():  # warm up: schemas, caches, the limiter's first answer
            for _ in range(3):
                await fn()
        with frozen_heap():
            return await ainterleave(fns, reps, batch, clock)

    samples = asyncio.run(go())
    return {name: median(vals) for name, vals in samples.items()}


def _report(us: dict[str, float]) -> list[str]:
    rows = [
        ("httpx (raw)", us["raw"]),
        ("fw_core over httpx", us["core"] - us["raw"]),
        ("langchain_fw adapter over fw_core", us["lc-adapter"] - us["core"]),
        ("langchain-core around the model", us["lc"] - us["lc-adapter"]),
        ("= ChatFireworks.ainvoke", us["lc"]),
        ("llamaindex_fw adapter over fw_core", us["li-adapter"] - us["core"]),
        ("llama-index-core around the model", us["li"] - us["li-adapter"]),
        ("= Fireworks.achat", us["li"]),
    ]
    return [f"  {name:<38} {value:8.1f} us" for name, value in rows]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.layer_costs", description=__doc__)
    p.add_argument("--reps", type=int, default=15)
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--clock", default="cpu", choices=sorted(CLOCKS))
    p.add_argument("--json", default="")
    args = p.parse_args(argv)
    if not (0 < args.reps <= 200 and 0 < args.batch <= 10_000):
        p.error("reps must be in 1..200 and batch in 1..10000")
    before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    seconds = run(args.reps, args.batch, CLOCKS[args.clock])
    us = {k: v * 1e6 for k, v in seconds.items()}
    after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"per async call, {args.clock} clock, {args.reps} reps x {args.batch} calls (median)")
    print("\n".join(_report(us)))
    print(f"load before / after: {before} / {after}")
    if args.json:
        doc = {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "reps": args.reps,
            "batch": args.batch,
            "clock": args.clock,
            "load": f"{before} / {after}",
            "us_per_call": us,
        }
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
