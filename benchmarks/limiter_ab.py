"""A/B: what the shared rate limiter costs per call, limiter on vs off, in one process.

Issue 21 asks that a call with the limiter on (``rate_limit=True``, the default) cost
within 10 % of the same call with it off. This replays one canned chat answer through an
in-process httpx transport (as :mod:`benchmarks.profile_call`; no socket, much less
noise) whose headers announce a request limit far above what the loop reaches
(``x-ratelimit-limit-requests`` and ``-remaining-requests``, docs/wire.md §1.16), so the
limiter is *active*: every call reserves a slot under its lock and every answer is read
and folded back in, yet no call ever waits. The limiter's cold fast path (nothing learned)
is cheaper still and not what is measured.

Clients, each built twice (``-on`` / ``-off``): ``core`` (``fw_core.endpoints.chat``), ``lc``
(``langchain_fw.ChatFireworks``), ``li`` (``llamaindex_fw.Fireworks``), next to raw httpx.
Interleaved repetitions (order rotated), medians; overhead paired per repetition against
raw httpx. Reported: per-call time on/off and its ratio, and the overhead over raw httpx
on/off. Bounded: ``reps x batch`` calls per client and mode.

``--loopback`` makes the same calls over real sockets to the wire double on 127.0.0.1 in
its own process (limit mode, a limit of 6,000,000 requests a minute that is never
reached), our classes on their default transports: the cost a user sees per call.

Usage::

    python -m benchmarks.limiter_ab                    # sync and async, 15 reps x 200 calls
    python -m benchmarks.limiter_ab --reps 21 --batch 300 --clock cpu --json out.json
    python -m benchmarks.limiter_ab --loopback --reps 9 --batch 100
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
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
    CannedTransport,
    ainterleave,
    interleave,
)
from benchmarks.timing import frozen_heap, median, paired_overhead

__all__ = ["LIMIT_HEADERS", "main", "run"]

#: What every canned answer announces: a limit the loop never gets near (so nothing
#: waits), which still switches every limiter to its paced path.
LIMIT_HEADERS = [
    (b"x-ratelimit-limit-requests", b"6000000"),
    (b"x-ratelimit-remaining-requests", b"99999"),
]


#: The loopback double's limit mode: headers on every answer, a limit never reached.
LOOPBACK_RPM = 6_000_000.0
LOOPBACK_BURST = 100_000


class _Canned:
    """One recorded non-streaming chat answer, with the limit headers added."""

    def __init__(self) -> None:
        from fw_core.testing import WireDouble

        body = {
            "model": FIREWORKS_MODEL,
            "messages": [{"role": "user", "content": PROMPT}],
            "max_tokens": MAX_TOKENS,
        }
        with httpx.Client(transport=WireDouble().transport()) as http:
            r = http.post(URL, json=body, headers={"Authorization": f"Bearer {API_KEY}"})
        self.status = r.status_code
        names = {n for n, _ in LIMIT_HEADERS}
        self.headers = [(n, v) for n, v in r.headers.raw if n.lower() not in names]
        self.headers += LIMIT_HEADERS
        self.content = r.content
        self.chunks = 0
        self.sheaders: list[tuple[bytes, bytes]] = []
        self.parts: list[bytes] = []


@dataclass(frozen=True)
class Target:
    """Where the calls go: the canned in-process transports, or a loopback double.

    ``http`` / ``ahttp`` build the httpx clients to hand our classes; None lets each
    class build its own (our default transports, as a user gets them).
    """

    base: str
    http: Callable[[], httpx.Client] | None
    ahttp: Callable[[], httpx.AsyncClient] | None

    def raw_clients(self) -> tuple[httpx.Client, httpx.AsyncClient]:
        if self.http is not None and self.ahttp is not None:
            return self.http(), self.ahttp()
        return httpx.Client(), httpx.AsyncClient()

    def given(self) -> dict[str, Any]:
        """The http client fields for our classes (empty: their own defaults)."""
        if self.http is None or self.ahttp is None:
            return {}
        return {"http_client": self.http(), "http_async_client": self.ahttp()}


def canned_target() -> Target:
    canned: Any = _Canned()  # the attributes profile_call's transports read
    return Target(
        BASE,
        lambda: httpx.Client(transport=CannedTransport(canned)),
        lambda: httpx.AsyncClient(transport=AsyncCannedTransport(canned)),
    )


Fns = tuple[Callable[[], Any], Callable[[], Any]]


def _raw(target: Target) -> Fns:
    http, ahttp = target.raw_clients()
    url = target.base + "/chat/completions"
    body = {
        "model": FIREWORKS_MODEL,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": MAX_TOKENS,
    }
    headers = {"Authorization": f"Bearer {API_KEY}"}

    def call() -> Any:
        r = http.post(url, json=body, headers=headers)
        r.raise_for_status()
        return r.json()["choices"][0]["message"]["content"]

    async def acall() -> Any:
        r = await ahttp.post(url, json=body, headers=headers)
        r.raise_for_status()
        return r.json()["choices"][0]["message"]["content"]

    return call, acall


def _core(target: Target, on: bool) -> Fns:
    from fw_core import FIREWORKS
    from fw_core.endpoints import chat
    from fw_core.http.client import AsyncClient, Client

    # Each client its own key: the on and off clients never share a limiter.
    key = f"{API_KEY}-core-{on}"
    given = target.given()
    client = Client(
        FIREWORKS,
        api_key=key,
        base_url=target.base,
        rate_limit=on,
        http_client=given.get("http_client"),
    )
    aclient = AsyncClient(
        FIREWORKS,
        api_key=key,
        base_url=target.base,
        rate_limit=on,
        http_client=given.get("http_async_client"),
    )
    body = {
        "model": FIREWORKS_MODEL,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": MAX_TOKENS,
    }

    def call() -> Any:
        return chat.create(client, body).completion.choices[0].message.content

    async def acall() -> Any:
        return (await chat.acreate(aclient, body)).completion.choices[0].message.content

    return call, acall


def _lc(target: Target, on: bool) -> Fns:
    from langchain_core.messages import HumanMessage

    from langchain_fw import ChatFireworks

    model = ChatFireworks(  # type: ignore[call-arg]  # model: a pydantic alias
        model=FIREWORKS_MODEL,
        api_key=SecretStr(f"{API_KEY}-lc-{on}"),
        base_url=target.base,
        max_tokens=MAX_TOKENS,
        rate_limit=on,
        **target.given(),
    )
    messages = [HumanMessage(content=PROMPT)]
    return (lambda: model.invoke(messages)), (lambda: model.ainvoke(messages))


def _li(target: Target, on: bool) -> Fns:
    from llama_index.core.llms import ChatMessage

    from llamaindex_fw import Fireworks

    llm = Fireworks(
        model=FIREWORKS_MODEL,
        api_key=SecretStr(f"{API_KEY}-li-{on}"),
        base_url=target.base,
        max_tokens=MAX_TOKENS,
        rate_limit=on,
        **target.given(),
    )
    messages = [ChatMessage(role="user", content=PROMPT)]
    return (lambda: llm.chat(messages)), (lambda: llm.achat(messages))


BUILDERS: dict[str, Callable[[Target, bool], Fns]] = {
    "core": _core,
    "lc": _lc,
    "li": _li,
}


def _summary(samples: dict[str, list[float]], clients: list[str]) -> dict[str, Any]:
    base = samples["raw"]
    out: dict[str, Any] = {"raw_us": median(base) * 1e6}
    for name in clients:
        on, off = samples[f"{name}-on"], samples[f"{name}-off"]
        out[name] = {
            "on_us": median(on) * 1e6,
            "off_us": median(off) * 1e6,
            "ratio": median(on) / median(off),
            # per rep: on/off from the same repetition, then the median
            "paired_ratio": median([a / b for a, b in zip(on, off, strict=True)]),
            "overhead_on_us": paired_overhead(on, base) * 1e6,
            "overhead_off_us": paired_overhead(off, base) * 1e6,
            "limiter_us": median([a - b for a, b in zip(on, off, strict=True)]) * 1e6,
        }
    return out


def run(
    target: Target, clients: list[str], reps: int, batch: int, clock: Callable[[], float]
) -> dict[str, dict[str, Any]]:
    """Both modes; returns {"sync": summary, "async": summary}."""
    from fw_core import ratelimit

    fns: dict[str, Fns] = {"raw": _raw(target)}
    for name in clients:
        for on in (True, False):
            fns[f"{name}-{'on' if on else 'off'}"] = BUILDERS[name](target, on)
    for call, _ in fns.values():  # warm up: the limiters learn the canned limit here
        for _ in range(3):
            call()
    active = [lim for lim in ratelimit.limiters().values() if lim.snapshot().limit_rpm]
    if not active:
        raise RuntimeError("no limiter learned the canned limit: the A/B would measure nothing")
    out: dict[str, dict[str, Any]] = {}
    with frozen_heap():
        sync = interleave({n: f[0] for n, f in fns.items()}, reps, batch, clock)
        out["sync"] = _summary(sync, clients)

        async def go() -> dict[str, list[float]]:
            for _, acall in fns.values():
                for _ in range(3):
                    await acall()
            return await ainterleave({n: f[1] for n, f in fns.items()}, reps, batch, clock)

        out["async"] = _summary(asyncio.run(go()), clients)
    return out


def _print(result: dict[str, dict[str, Any]], clients: list[str]) -> None:
    for mode, s in result.items():
        print(f"\nper call, {mode} (raw httpx {s['raw_us']:.1f} us)")
        print(
            f"  {'client':<6} {'on us':>8} {'off us':>8} {'on/off':>7} {'paired':>7} "
            f"{'limiter us':>10} {'ovh on':>8} {'ovh off':>8}"
        )
        for name in clients:
            r = s[name]
            print(
                f"  {name:<6} {r['on_us']:8.1f} {r['off_us']:8.1f} {r['ratio']:7.3f} "
                f"{r['paired_ratio']:7.3f} {r['limiter_us']:10.1f} "
                f"{r['overhead_on_us']:8.1f} {r['overhead_off_us']:8.1f}"
            )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.limiter_ab", description=__doc__)
    p.add_argument("--clients", default="core,lc,li")
    p.add_argument("--reps", type=int, default=15)
    p.add_argument("--batch", type=int, default=200, help="calls per client per repetition")
    p.add_argument("--clock", default="wall", choices=sorted(CLOCKS))
    p.add_argument(
        "--loopback",
        action="store_true",
        help="call a wire double on 127.0.0.1 (limit mode, a limit never reached) instead "
        "of the in-process transport; our classes use their default transports",
    )
    p.add_argument("--json", default="", help="also write the figures to this file")
    args = p.parse_args(argv)
    clients = [c.strip() for c in args.clients.split(",") if c.strip()]
    unknown = set(clients) - set(BUILDERS)
    if unknown:
        p.error(f"unknown clients: {sorted(unknown)}")
    if not (0 < args.reps <= 200 and 0 < args.batch <= 10_000):
        p.error("reps must be in 1..200 and batch in 1..10000")
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    if args.loopback:
        from benchmarks.server import DoubleServer, ServerOptions

        opts = ServerOptions(rpm=LOOPBACK_RPM, burst=LOOPBACK_BURST, max_seconds=1800.0)
        with DoubleServer(opts) as srv:
            target = Target(srv.fireworks_url, None, None)
            result = run(target, clients, args.reps, args.batch, CLOCKS[args.clock])
    else:
        result = run(canned_target(), clients, args.reps, args.batch, CLOCKS[args.clock])
    doc = {
        "where": "loopback double" if args.loopback else "in-process canned transport",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "reps": args.reps,
        "batch": args.batch,
        "clock": args.clock,
        "load_before": " ".join(f"{x:.2f}" for x in load_before),
        "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "seconds": round(time.perf_counter() - t0, 1),
        "results": result,
    }
    _print(result, clients)
    print(f"\nload before/after: {doc['load_before']} / {doc['load_after']}", file=sys.stderr)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
