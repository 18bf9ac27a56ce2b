"""Focused micro-benchmark and profiler of our chat classes' per-call and per-chunk overhead.

``python -m benchmarks`` measures against a loopback server, which is the honest end-to-end
figure but noisy on a shared machine. This tool isolates what *our* code adds: every client
talks to the same in-process httpx transport that replays one canned answer (a recorded
wire-double response, or a stream of N recorded SSE frames, one frame per body part), so
the only thing that differs between raw httpx and a client is the client itself.

Method as in the harness: interleaved repetitions (order rotated), medians, and overhead
paired per repetition (client - raw httpx in the same repetition). Floors (a LangChain and
a LlamaIndex model with no I/O) show the framework's own cost.

Usage::

    .venv-bench/bin/python -m benchmarks.profile_call                  # per-call + per-chunk
    .venv-bench/bin/python -m benchmarks.profile_call --only call --reps 21 --batch 200
    .venv-bench/bin/python -m benchmarks.profile_call --profile lc --mode sync   # cProfile
    .venv-bench/bin/python -m benchmarks.profile_call --profile li --mode astream

Clients: ``raw`` (httpx), ``core`` (fw_core.chat alone), ``lc`` (langchain_fw.ChatFireworks),
``li`` (llamaindex_fw.Fireworks), ``lc-floor``, ``li-floor``, and the anchors ``lc-anchor``
(langchain-fireworks) and ``li-anchor`` (llama-index-llms-fireworks) given httpx clients on
the same transport.
Every loop is bounded; nothing listens on a socket.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import json
import pstats
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx

from benchmarks.adapters import API_KEY, FIREWORKS_MODEL, PROMPT
from benchmarks.timing import frozen_heap, median, paired_overhead, rotated

BASE = "https://api.fireworks.ai/inference/v1"
URL = BASE + "/chat/completions"
MAX_TOKENS = 32


# ----------------------------------------------------------------------------- canned answers


class _Canned:
    """One recorded non-streaming answer and one recorded stream (frames as parts)."""

    def __init__(self, chunks: int) -> None:
        from fw_core.testing import WireDouble

        double = WireDouble(stream_chunks=chunks)
        body = {
            "model": FIREWORKS_MODEL,
            "messages": [{"role": "user", "content": PROMPT}],
            "max_tokens": MAX_TOKENS,
        }
        with httpx.Client(transport=double.transport()) as http:
            r = http.post(URL, json=body, headers={"Authorization": f"Bearer {API_KEY}"})
            self.status = r.status_code
            self.headers = list(r.headers.raw)
            self.content = r.content
            # As the harness's streaming suite: max_tokens high enough for every chunk.
            sbody = {
                **body,
                "max_tokens": 4096,
                "stream": True,
                "stream_options": {"include_usage": True},
            }
            with http.stream(
                "POST", URL, json=sbody, headers={"Authorization": f"Bearer {API_KEY}"}
            ) as s:
                self.sheaders = list(s.headers.raw)
                self.parts = list(s.iter_raw())
        self.chunks = chunks


class _Parts(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, parts: list[bytes]) -> None:
        self._parts = parts

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._parts)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self._parts:
            yield part


def _answer(canned: _Canned, request: httpx.Request, content: bytes) -> httpx.Response:
    if b'"stream":true' in content or b'"stream": true' in content:
        return httpx.Response(
            200, headers=canned.sheaders, stream=_Parts(canned.parts), request=request
        )
    return httpx.Response(
        canned.status, headers=canned.headers, content=canned.content, request=request
    )


class CannedTransport(httpx.BaseTransport):
    def __init__(self, canned: _Canned) -> None:
        self.canned = canned

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return _answer(self.canned, request, request.read())


class AsyncCannedTransport(httpx.AsyncBaseTransport):
    def __init__(self, canned: _Canned) -> None:
        self.canned = canned

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return _answer(self.canned, request, await request.aread())


# ----------------------------------------------------------------------------- clients


class Bench:
    """call / acall / stream / astream for one client; stream ops return content chunks."""

    call: Callable[[], Any]
    acall: Callable[[], Any]
    stream: Callable[[], int]
    astream: Callable[[], Any]


def _raw(canned: _Canned) -> Bench:
    http = httpx.Client(transport=CannedTransport(canned))
    ahttp = httpx.AsyncClient(transport=AsyncCannedTransport(canned))
    headers = {"Authorization": f"Bearer {API_KEY}"}
    body = {
        "model": FIREWORKS_MODEL,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": MAX_TOKENS,
    }
    sbody = {**body, "stream": True}

    def content(line: str) -> str | None:
        if not line.startswith("data: ") or line == "data: [DONE]":
            return None
        choices = json.loads(line[6:]).get("choices") or [{}]
        return choices[0].get("delta", {}).get("content")

    b = Bench()

    def call() -> str:
        r = http.post(URL, json=body, headers=headers)
        r.raise_for_status()
        return r.json()["choices"][0]["message"]["content"]

    async def acall() -> str:
        r = await ahttp.post(URL, json=body, headers=headers)
        r.raise_for_status()
        return r.json()["choices"][0]["message"]["content"]

    def stream() -> int:
        n = 0
        with http.stream("POST", URL, json=sbody, headers=headers) as r:
            r.raise_for_status()
            for line in r.iter_lines():
                if content(line):
                    n += 1
        return n

    async def astream() -> int:
        n = 0
        async with ahttp.stream("POST", URL, json=sbody, headers=headers) as r:
            r.raise_for_status()
            async for line in r.aiter_lines():
                if content(line):
                    n += 1
        return n

    b.call, b.acall, b.stream, b.astream = call, acall, stream, astream
    return b


def _lc_bench(model: Any) -> Bench:
    from langchain_core.messages import HumanMessage

    messages = [HumanMessage(content=PROMPT)]
    b = Bench()

    def stream() -> int:
        return sum(1 for c in model.stream(messages) if c.content)

    async def astream() -> int:
        n = 0
        async for c in model.astream(messages):
            if c.content:
                n += 1
        return n

    b.call = lambda: model.invoke(messages)
    b.acall = lambda: model.ainvoke(messages)
    b.stream, b.astream = stream, astream
    return b


def _li_bench(llm: Any) -> Bench:
    from llama_index.core.llms import ChatMessage

    messages = [ChatMessage(role="user", content=PROMPT)]
    b = Bench()

    def stream() -> int:
        return sum(1 for r in llm.stream_chat(messages) if r.delta)

    async def astream() -> int:
        n = 0
        async for r in await llm.astream_chat(messages):
            if r.delta:
                n += 1
        return n

    b.call = lambda: llm.chat(messages)
    b.acall = lambda: llm.achat(messages)
    b.stream, b.astream = stream, astream
    return b


def _core(canned: _Canned) -> Bench:
    """fw_core alone (``chat.create`` / ``chat.stream``): what the shared core adds."""
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
    body = {
        "model": FIREWORKS_MODEL,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": MAX_TOKENS,
    }
    b = Bench()

    def call() -> Any:
        return chat.create(client, body).completion.choices[0].message.content

    async def acall() -> Any:
        return (await chat.acreate(aclient, body)).completion.choices[0].message.content

    def stream() -> int:
        return sum(1 for c in chat.stream(client, body) if c.choices and c.choices[0].delta.content)

    async def astream() -> int:
        n = 0
        async for c in chat.astream(aclient, body):
            if c.choices and c.choices[0].delta.content:
                n += 1
        return n

    b.call, b.acall, b.stream, b.astream = call, acall, stream, astream
    return b


def _lc(canned: _Canned) -> Bench:
    from langchain_fw import ChatFireworks

    return _lc_bench(
        ChatFireworks(
            model=FIREWORKS_MODEL,
            api_key=API_KEY,
            base_url=BASE,
            max_tokens=MAX_TOKENS,
            http_client=httpx.Client(transport=CannedTransport(canned)),
            http_async_client=httpx.AsyncClient(transport=AsyncCannedTransport(canned)),
        )
    )


def _li(canned: _Canned) -> Bench:
    from llamaindex_fw import Fireworks

    return _li_bench(
        Fireworks(
            model=FIREWORKS_MODEL,
            api_key=API_KEY,
            base_url=BASE,
            max_tokens=MAX_TOKENS,
            http_client=httpx.Client(transport=CannedTransport(canned)),
            async_http_client=httpx.AsyncClient(transport=AsyncCannedTransport(canned)),
        )
    )


def _lc_floor(canned: _Canned) -> Bench:
    from benchmarks.floors import langchain_floor

    return _lc_bench(langchain_floor(canned.chunks))


def _li_floor(canned: _Canned) -> Bench:
    from benchmarks.floors import llamaindex_floor

    llm = llamaindex_floor(canned.chunks)
    b = _li_bench(llm)
    # CustomLLM has no native async: its achat is a thread-free wrapper of chat, fine.
    return b


def _lc_anchor(canned: _Canned) -> Bench:
    """langchain-fireworks on the same transport (its SDK given our httpx clients; note
    that its async SDK otherwise runs on aiohttp, so its async figure here is not the one
    the harness measures)."""
    from fireworks import AsyncFireworks
    from fireworks import Fireworks as FireworksSDK
    from langchain_fireworks import ChatFireworks as AnchorChat

    sdk = FireworksSDK(
        api_key=API_KEY,
        base_url="https://api.fireworks.ai/inference",
        max_retries=0,
        http_client=httpx.Client(transport=CannedTransport(canned)),
    )
    asdk = AsyncFireworks(
        api_key=API_KEY,
        base_url="https://api.fireworks.ai/inference",
        max_retries=0,
        http_client=httpx.AsyncClient(transport=AsyncCannedTransport(canned)),
    )
    return _lc_bench(
        AnchorChat(
            model=FIREWORKS_MODEL,
            api_key=API_KEY,
            max_tokens=MAX_TOKENS,
            client=sdk.chat.completions,
            async_client=asdk.chat.completions,
        )
    )


def _li_anchor(canned: _Canned) -> Bench:
    """llama-index-llms-fireworks on the same transport (httpx clients set after init)."""
    from llama_index.llms.fireworks import Fireworks as AnchorLLM

    llm = AnchorLLM(model=FIREWORKS_MODEL, api_key=API_KEY, api_base=BASE, max_tokens=MAX_TOKENS)
    llm._http_client = httpx.Client(transport=CannedTransport(canned))
    llm._async_http_client = httpx.AsyncClient(transport=AsyncCannedTransport(canned))
    return _li_bench(llm)


CLIENTS: dict[str, Callable[[_Canned], Bench]] = {
    "raw": _raw,
    "core": _core,
    "lc": _lc,
    "li": _li,
    "lc-floor": _lc_floor,
    "li-floor": _li_floor,
    "lc-anchor": _lc_anchor,
    "li-anchor": _li_anchor,
}


# ----------------------------------------------------------------------------- measuring

#: ``wall`` is what a user waits; ``cpu`` (this process's CPU time) is what our code costs
#: and does not count the time other processes on a shared machine take the core away.
#: With the in-process transport nothing waits on I/O, so the two agree on a quiet machine.
CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}


def interleave(
    fns: dict[str, Callable[[], Any]], reps: int, batch: int, clock: Callable[[], float]
) -> dict[str, list[float]]:
    """benchmarks.timing.interleave with a choice of clock: seconds per call per rep."""
    out: dict[str, list[float]] = {name: [] for name in fns}
    for rep in range(reps):
        for name in rotated(list(fns), rep):
            fn = fns[name]
            gc.collect()
            t0 = clock()
            for _ in range(batch):
                fn()
            out[name].append((clock() - t0) / batch)
    return out


async def ainterleave(
    fns: dict[str, Callable[[], Any]], reps: int, batch: int, clock: Callable[[], float]
) -> dict[str, list[float]]:
    """Async twin of :func:`interleave` (calls awaited one after another)."""
    out: dict[str, list[float]] = {name: [] for name in fns}
    for rep in range(reps):
        for name in rotated(list(fns), rep):
            fn = fns[name]
            gc.collect()
            t0 = clock()
            for _ in range(batch):
                await fn()
            out[name].append((clock() - t0) / batch)
            await asyncio.sleep(0)
    return out


def _stream_fn(fn: Callable[[], int], chunks: int) -> Callable[[], None]:
    def run() -> None:
        n = fn()
        if n < chunks * 0.9:
            raise RuntimeError(f"expected ~{chunks} content chunks, got {n}")

    return run


def _astream_fn(fn: Callable[[], Any], chunks: int) -> Callable[[], Any]:
    async def run() -> None:
        n = await fn()
        if n < chunks * 0.9:
            raise RuntimeError(f"expected ~{chunks} content chunks, got {n}")

    return run


def _table(title: str, samples: dict[str, list[float]], scale: float, unit: str) -> None:
    base = samples.get("raw")
    print(f"\n{title}")
    print(f"  {'client':<10} {'median':>10} {'overhead':>10}   ({unit}; reps={len(base or [])})")
    for name, vals in samples.items():
        over = ""
        if base is not None and name != "raw" and not name.endswith("floor"):
            over = f"{paired_overhead(vals, base) * scale:10.1f}"
        print(f"  {name:<10} {median(vals) * scale:10.1f} {over:>10}")


def measure(
    clients: list[str],
    only: set[str],
    reps: int,
    batch: int,
    chunks: int,
    stream_reps: int,
    clock: Callable[[], float] = time.perf_counter,
) -> None:
    canned = _Canned(chunks)
    benches = {name: CLIENTS[name](canned) for name in clients}
    for b in benches.values():  # warm up: first calls build clients, caches, schemas
        for _ in range(3):
            b.call()
    with frozen_heap():  # as the harness: per-batch collections skip the imported world
        _measure(benches, only, reps, batch, chunks, stream_reps, clock)


def _measure(
    benches: dict[str, Bench],
    only: set[str],
    reps: int,
    batch: int,
    chunks: int,
    stream_reps: int,
    clock: Callable[[], float],
) -> None:
    if "call" in only:
        s = interleave({n: b.call for n, b in benches.items()}, reps, batch, clock)
        _table("per call, sync", s, 1e6, "us")
    if "stream" in only:
        s = interleave(
            {n: _stream_fn(b.stream, chunks) for n, b in benches.items()}, stream_reps, 1, clock
        )
        _table("per chunk, sync stream", s, 1e6 / chunks, "us/chunk")

    async def go() -> None:
        for b in benches.values():
            for _ in range(3):
                await b.acall()
        if "call" in only:
            s = await ainterleave({n: b.acall for n, b in benches.items()}, reps, batch, clock)
            _table("per call, async", s, 1e6, "us")
        if "stream" in only:
            s = await ainterleave(
                {n: _astream_fn(b.astream, chunks) for n, b in benches.items()},
                stream_reps,
                1,
                clock,
            )
            _table("per chunk, async stream", s, 1e6 / chunks, "us/chunk")

    asyncio.run(go())


def profile(
    name: str, mode: str, n: int, chunks: int, top: int, sort: str, callers: str = ""
) -> None:
    canned = _Canned(chunks)
    b = CLIENTS[name](canned)
    prof = cProfile.Profile()
    if mode in ("sync", "stream"):
        fn = b.call if mode == "sync" else b.stream
        for _ in range(3):
            fn()
        prof.enable()
        for _ in range(n):
            fn()
        prof.disable()
    else:
        afn = b.acall if mode == "async" else b.astream

        async def go() -> None:
            for _ in range(3):
                await afn()
            prof.enable()
            for _ in range(n):
                await afn()
            prof.disable()

        asyncio.run(go())
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).strip_dirs().sort_stats(sort)
    if callers:
        stats.print_callers(callers)
    else:
        stats.print_stats(top)
    print(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.profile_call",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--clients", default="raw,lc,li,lc-floor,li-floor")
    p.add_argument("--only", default="call,stream", help="call and/or stream")
    p.add_argument("--reps", type=int, default=15)
    p.add_argument("--batch", type=int, default=100, help="calls per client per repetition")
    p.add_argument("--chunks", type=int, default=1000, help="content chunks per stream")
    p.add_argument("--stream-reps", type=int, default=9)
    p.add_argument(
        "--clock",
        default="wall",
        choices=sorted(CLOCKS),
        help="wall time, or this process's CPU time (robust to other load)",
    )
    p.add_argument("--profile", default="", help="cProfile this client instead of timing")
    p.add_argument("--mode", default="sync", choices=("sync", "async", "stream", "astream"))
    p.add_argument("--n", type=int, default=500, help="calls (or streams) to profile")
    p.add_argument("--top", type=int, default=40)
    p.add_argument("--sort", default="tottime")
    p.add_argument(
        "--callers", default="", help="with --profile: who calls functions matching this regex"
    )
    args = p.parse_args(argv)
    if args.profile:
        profile(args.profile, args.mode, args.n, args.chunks, args.top, args.sort, args.callers)
        return 0
    clients = [c.strip() for c in args.clients.split(",") if c.strip()]
    unknown = set(clients) - set(CLIENTS)
    if unknown:
        p.error(f"unknown clients {sorted(unknown)}; choose from {sorted(CLIENTS)}")
    print(
        f"clock: {args.clock}; in-process canned transport; overhead = client - raw httpx, "
        "paired per rep"
    )
    measure(
        clients,
        {s.strip() for s in args.only.split(",")},
        args.reps,
        args.batch,
        args.chunks,
        args.stream_reps,
        CLOCKS[args.clock],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
