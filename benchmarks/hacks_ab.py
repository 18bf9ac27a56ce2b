"""A/B: what each of our speed hacks saves per call, hack on vs off, in one process.

Issue 23 (Deliver 5) keeps a speed hack only if removing it costs more than 10 % of our
per-call or per-chunk overhead. The hacks measured here:

- ``build``: ``fw_core.http.request_build.RequestBuilder._build_fast`` (requests built from
  headers merged once per httpx client instead of ``httpx.Client.build_request`` on every
  call). Off: the same client with ``_build_fast`` answering None, so every request takes
  ``build_request``. Measured on ``core`` (fw_core.endpoints.chat), ``lc`` and ``li``.
- ``sig``: a ``__signature__`` precomputed on ``langchain_fw``'s ``_generate`` /
  ``_agenerate`` (langchain-core calls ``inspect.signature`` on them per call; removed in
  issue 23 on these figures). On: set before each ``on`` batch; off: deleted. ``lc`` only.

Both act once per request, not per chunk: a stream builds one request for all its chunks.

Every client talks to :mod:`benchmarks.profile_call`'s in-process canned transport (no
socket); repetitions interleaved (order rotated), medians, overhead paired per repetition
against raw httpx in the same repetition. Use ``--clock cpu`` on a shared machine.

Usage::

    python -m benchmarks.hacks_ab --clock cpu --reps 15 --batch 100
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
import os
import sys
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
    AsyncCannedTransport,
    CannedTransport,
    _Canned,
    _raw,
)
from benchmarks.timing import frozen_heap, median, paired_overhead, rotated

__all__ = ["main"]

Setup = Callable[[], None]


def _nothing() -> None:
    return None


class Variant:
    """One client in one state: ``setup`` runs before each of its batches."""

    def __init__(self, call: Callable[[], Any], acall: Callable[[], Any], setup: Setup) -> None:
        self.call, self.acall, self.setup = call, acall, setup


def _plain_build(*clients: Any) -> None:
    """Make these fw_core clients build every request with httpx's build_request."""
    for c in clients:
        c._build_fast = lambda *_args: None


def _core(canned: _Canned, fast: bool) -> Variant:
    from fw_core import FIREWORKS
    from fw_core.endpoints import chat
    from fw_core.http.client import AsyncClient, Client

    client = Client(
        FIREWORKS,
        api_key=API_KEY,
        base_url=BASE,
        http_client=httpx.Client(transport=CannedTransport(canned)),
    )
    aclient = AsyncClient(
        FIREWORKS,
        api_key=API_KEY,
        base_url=BASE,
        http_client=httpx.AsyncClient(transport=AsyncCannedTransport(canned)),
    )
    if not fast:
        _plain_build(client, aclient)
    body = {
        "model": FIREWORKS_MODEL,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": MAX_TOKENS,
    }

    def call() -> Any:
        return chat.create(client, body).completion

    async def acall() -> Any:
        return (await chat.acreate(aclient, body)).completion

    return Variant(call, acall, _nothing)


def _http(canned: _Canned) -> dict[str, Any]:
    return {
        "http_client": httpx.Client(transport=CannedTransport(canned)),
        "http_async_client": httpx.AsyncClient(transport=AsyncCannedTransport(canned)),
    }


def _lc_model(canned: _Canned) -> Any:
    from langchain_fw import ChatFireworks

    return ChatFireworks(  # type: ignore[call-arg]  # model: a pydantic alias
        model=FIREWORKS_MODEL,
        api_key=SecretStr(API_KEY),
        base_url=BASE,
        max_tokens=MAX_TOKENS,
        **_http(canned),
    )


def _lc(canned: _Canned, fast: bool) -> Variant:
    from langchain_core.messages import HumanMessage

    model = _lc_model(canned)
    if not fast:
        _plain_build(model._client(), model._aclient())
    messages = [HumanMessage(content=PROMPT)]
    return Variant(lambda: model.invoke(messages), lambda: model.ainvoke(messages), _nothing)


def _li(canned: _Canned, fast: bool) -> Variant:
    from llama_index.core.llms import ChatMessage

    from llamaindex_fw import Fireworks

    llm = Fireworks(
        model=FIREWORKS_MODEL,
        api_key=SecretStr(API_KEY),
        base_url=BASE,
        max_tokens=MAX_TOKENS,
        **_http(canned),
    )
    if not fast:
        _plain_build(llm._client(), llm._aclient())
    messages = [ChatMessage(role="user", content=PROMPT)]
    return Variant(lambda: llm.chat(messages), lambda: llm.achat(messages), _nothing)


def _lc_sig(canned: _Canned, on: bool) -> Variant:
    """ChatFireworks with the precomputed ``__signature__`` present (on) or deleted (off)."""
    from langchain_core.messages import HumanMessage

    from langchain_fw.chat_models import _ChatFwBase

    funcs = [_ChatFwBase.__dict__[name] for name in ("_generate", "_agenerate")]
    sigs = [inspect.signature(f) for f in funcs]

    def setup() -> None:
        for f, sig in zip(funcs, sigs, strict=True):
            if on:
                f.__signature__ = sig
            else:
                f.__dict__.pop("__signature__", None)

    model = _lc_model(canned)
    messages = [HumanMessage(content=PROMPT)]
    return Variant(lambda: model.invoke(messages), lambda: model.ainvoke(messages), setup)


def _variants(canned: _Canned, hacks: list[str]) -> dict[str, Variant]:
    raw = _raw(canned)
    out = {"raw": Variant(raw.call, raw.acall, _nothing)}
    if "build" in hacks:
        for name, make in (("core", _core), ("lc", _lc), ("li", _li)):
            out[f"{name}-build-on"] = make(canned, True)
            out[f"{name}-build-off"] = make(canned, False)
    if "sig" in hacks:
        out["lc-sig-on"] = _lc_sig(canned, True)
        out["lc-sig-off"] = _lc_sig(canned, False)
    return out


def _interleave(
    variants: dict[str, Variant], reps: int, batch: int, clock: Callable[[], float]
) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {name: [] for name in variants}
    for rep in range(reps):
        for name in rotated(list(variants), rep):
            v = variants[name]
            v.setup()
            gc.collect()
            t0 = clock()
            for _ in range(batch):
                v.call()
            out[name].append((clock() - t0) / batch)
    return out


async def _ainterleave(
    variants: dict[str, Variant], reps: int, batch: int, clock: Callable[[], float]
) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {name: [] for name in variants}
    for rep in range(reps):
        for name in rotated(list(variants), rep):
            v = variants[name]
            v.setup()
            gc.collect()
            t0 = clock()
            for _ in range(batch):
                await v.acall()
            out[name].append((clock() - t0) / batch)
            await asyncio.sleep(0)
    return out


def _report(title: str, s: dict[str, list[float]]) -> None:
    base = s["raw"]
    print(f"\n{title} (raw httpx {median(base) * 1e6:.1f} us; reps={len(base)})")
    print(f"  {'client-hack':<16} {'ovh on':>8} {'ovh off':>8} {'saves us':>9} {'% of ovh':>9}")
    for name in s:
        if not name.endswith("-on"):
            continue
        stem = name[: -len("-on")]
        on, off = s[name], s[stem + "-off"]
        ovh_on = paired_overhead(on, base) * 1e6
        ovh_off = paired_overhead(off, base) * 1e6
        saves = median([b - a for a, b in zip(on, off, strict=True)]) * 1e6
        print(f"  {stem:<16} {ovh_on:8.1f} {ovh_off:8.1f} {saves:9.1f} {saves / ovh_on:9.1%}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.hacks_ab", description=__doc__)
    p.add_argument("--hacks", default="build,sig")
    p.add_argument("--reps", type=int, default=15)
    p.add_argument("--batch", type=int, default=100, help="calls per variant per repetition")
    p.add_argument("--clock", default="cpu", choices=sorted(CLOCKS))
    args = p.parse_args(argv)
    hacks = [h.strip() for h in args.hacks.split(",") if h.strip()]
    if set(hacks) - {"build", "sig"}:
        p.error("hacks: build and/or sig")
    if not (0 < args.reps <= 200 and 0 < args.batch <= 10_000):
        p.error("reps must be in 1..200 and batch in 1..10000")
    clock = CLOCKS[args.clock]
    print(f"clock: {args.clock}; load before {os.getloadavg()}; {time.strftime('%H:%M:%S')}")
    variants = _variants(_Canned(1), hacks)
    for v in variants.values():  # warm up: clients, caches, schemas
        v.setup()
        for _ in range(3):
            v.call()
    with frozen_heap():
        _report("per call, sync", _interleave(variants, args.reps, args.batch, clock))

        async def go() -> dict[str, list[float]]:
            for v in variants.values():
                v.setup()
                for _ in range(3):
                    await v.acall()
            return await _ainterleave(variants, args.reps, args.batch, clock)

        _report("per call, async", asyncio.run(go()))
    print(f"\nload after {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
