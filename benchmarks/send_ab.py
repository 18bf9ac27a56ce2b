"""A/B: the send loop over ``fw_core.http.send_policy.SendPlan`` vs the loop it replaced,
in one process.

Issue 23 (Deliver 2) moved every choice of ``Client._send`` / ``AsyncClient._send`` into
one I/O-free :class:`fw_core.http.send_policy.SendPlan`; per-call overhead must stay within
10 % of before. ``old`` is a client whose ``_send`` is the loop as it stood before
(pacing, send, report to the limiter, return a 2xx), kept here only to measure against;
it refuses anything but a 2xx, which this benchmark never gets. ``new`` is the client
as shipped. Both call ``fw_core.endpoints.chat.create`` / ``acreate`` on
:mod:`benchmarks.limiter_ab`'s canned answer, whose headers announce a limit far above
what the loop reaches, so the shared limiter is active (a slot reserved and every answer
folded back in) yet nothing waits. Interleaved repetitions (order rotated), medians,
overhead paired per repetition against raw httpx.

Usage::

    python -m benchmarks.send_ab --clock cpu --reps 21 --batch 200
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx

from benchmarks.adapters import API_KEY, FIREWORKS_MODEL, PROMPT
from benchmarks.limiter_ab import Target, _raw, canned_target
from benchmarks.profile_call import CLOCKS, MAX_TOKENS, ainterleave, interleave
from benchmarks.timing import frozen_heap, median, paired_overhead

__all__ = ["main"]

_HORIZON, _ASKS = 1.0, 120  # the old loop's pacing constants (now send_policy's)


def _old_clients() -> tuple[type, type]:
    """Client / AsyncClient with the pre-SendPlan loop (its success path)."""
    from fw_core.http import send_errors
    from fw_core.http.client import AsyncClient, Client
    from fw_core.http.request_build import body_bytes

    class OldClient(Client):
        def _send(
            self,
            request: httpx.Request,
            *,
            stream: bool,
            max_retries: Any = None,
            limiter: Any = None,
        ) -> tuple[httpx.Response, int]:
            http = self.http_client
            sent = ticket = refused = 0
            waited, paused = 0.0, False
            if limiter is not None and limiter.tokens is not None:
                token_wait = limiter.reserve_tokens(body_bytes(request))
                if token_wait > 0:
                    self._pace(token_wait)
            if limiter is not None:
                wait, ticket = limiter.acquire(skip_pause=paused, horizon=_HORIZON)
                asks = 1
                while wait > 0:
                    self._pace(wait)
                    if refused:
                        waited += wait
                    if ticket:
                        break
                    asks += 1
                    horizon = _HORIZON if asks < _ASKS else None
                    wait, ticket = limiter.acquire(skip_pause=paused, horizon=horizon)
            sent += 1
            try:
                response = http.send(request, stream=stream)
            except httpx.PoolTimeout as exc:
                raise send_errors.queue_error(exc, request) from exc
            if limiter is not None:
                limiter.observe(response.status_code, response.headers, ticket)
            if response.status_code < 300:
                return response, sent
            raise RuntimeError(f"the A/B expects 2xx answers, got {response.status_code}")

    class OldAsyncClient(AsyncClient):
        async def _send(
            self,
            request: httpx.Request,
            *,
            stream: bool,
            max_retries: Any = None,
            limiter: Any = None,
        ) -> tuple[httpx.Response, int]:
            http = self.http_client
            sent = ticket = refused = 0
            waited, paused = 0.0, False
            if limiter is not None and limiter.tokens is not None:
                token_wait = limiter.reserve_tokens(body_bytes(request))
                if token_wait > 0:
                    await self._apace(token_wait)
            if limiter is not None:
                if limiter.remote:
                    wait, ticket = await limiter.aacquire(skip_pause=paused, horizon=_HORIZON)
                else:
                    wait, ticket = limiter.acquire(skip_pause=paused, horizon=_HORIZON)
                asks = 1
                while wait > 0:
                    await self._apace(wait)
                    if refused:
                        waited += wait
                    if ticket:
                        break
                    asks += 1
                    horizon = _HORIZON if asks < _ASKS else None
                    if limiter.remote:
                        wait, ticket = await limiter.aacquire(skip_pause=paused, horizon=horizon)
                    else:
                        wait, ticket = limiter.acquire(skip_pause=paused, horizon=horizon)
            sent += 1
            try:
                response = await http.send(request, stream=stream)
            except httpx.PoolTimeout as exc:
                raise send_errors.queue_error(exc, request) from exc
            if limiter is not None:
                if limiter.remote:
                    await limiter.aobserve(response.status_code, response.headers, ticket)
                else:
                    limiter.observe(response.status_code, response.headers, ticket)
            if response.status_code < 300:
                return response, sent
            raise RuntimeError(f"the A/B expects 2xx answers, got {response.status_code}")

    return OldClient, OldAsyncClient


def _core(target: Target, old: bool) -> tuple[Callable[[], Any], Callable[[], Any]]:
    from fw_core import FIREWORKS
    from fw_core.endpoints import chat
    from fw_core.http.client import AsyncClient, Client

    sync_cls, async_cls = _old_clients() if old else (Client, AsyncClient)
    key = f"{API_KEY}-send-{old}"  # the old and new clients never share a limiter
    http, ahttp = target.raw_clients()
    client = sync_cls(FIREWORKS, api_key=key, base_url=target.base, http_client=http)
    aclient = async_cls(FIREWORKS, api_key=key, base_url=target.base, http_client=ahttp)
    body = {
        "model": FIREWORKS_MODEL,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": MAX_TOKENS,
    }

    def call() -> Any:
        return chat.create(client, body).completion

    async def acall() -> Any:
        return (await chat.acreate(aclient, body)).completion

    return call, acall


def _print(title: str, s: dict[str, list[float]]) -> None:
    base = s["raw"]
    old, new = s["old"], s["new"]
    ovh_old, ovh_new = paired_overhead(old, base) * 1e6, paired_overhead(new, base) * 1e6
    print(f"\n{title} (raw httpx {median(base) * 1e6:.1f} us; reps={len(base)})")
    print(f"  overhead old {ovh_old:.1f} us, new {ovh_new:.1f} us: new/old {ovh_new / ovh_old:.3f}")
    paired = median([n / o for n, o in zip(new, old, strict=True)])
    print(
        f"  per call old {median(old) * 1e6:.1f} us, new {median(new) * 1e6:.1f} us; "
        f"paired new/old {paired:.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.send_ab", description=__doc__)
    p.add_argument("--reps", type=int, default=21)
    p.add_argument("--batch", type=int, default=200, help="calls per variant per repetition")
    p.add_argument("--clock", default="cpu", choices=sorted(CLOCKS))
    args = p.parse_args(argv)
    if not (0 < args.reps <= 200 and 0 < args.batch <= 10_000):
        p.error("reps must be in 1..200 and batch in 1..10000")
    clock = CLOCKS[args.clock]
    print(f"clock: {args.clock}; load before {os.getloadavg()}; {time.strftime('%H:%M:%S')}")
    target = canned_target()
    fns = {"raw": _raw(target), "old": _core(target, True), "new": _core(target, False)}
    for call, _ in fns.values():  # warm up: the limiters learn the canned limit here
        for _ in range(3):
            call()
    with frozen_heap():
        _print(
            "per call, sync",
            interleave({n: f[0] for n, f in fns.items()}, args.reps, args.batch, clock),
        )

        async def go() -> dict[str, list[float]]:
            for _, acall in fns.values():
                for _ in range(3):
                    await acall()
            return await ainterleave(
                {n: f[1] for n, f in fns.items()}, args.reps, args.batch, clock
            )

        _print("per call, async", asyncio.run(go()))
    print(f"\nload after {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
