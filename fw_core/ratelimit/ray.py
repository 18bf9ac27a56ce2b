"""One rate limiter for every worker of a Ray job: a named actor all of them consult.

Each process learns an account's limit from the answers it gets (fw_core.ratelimit.limiter) and
estimates its share of it from the server's ``remaining`` counts
(fw_core.ratelimit.share); counts of one process over a fraction of a second are small,
so that estimate is noisy and some 429s remain. A Ray job can do better: its workers
already share an engine, so they can share the limiter itself. :func:`start` creates a
named actor holding ordinary :class:`~fw_core.ratelimit.limiter.RateLimiter` objects, one per
(base URL, key id, model); :func:`use` makes every limiter of the calling process a
:class:`RayLimiter`, which forwards ``acquire`` and ``observe`` to that actor. The
actor then sees every request of the job and every answer, and paces them as one
client: it hands out slots; it does not sleep (each worker sleeps its own wait).

Ray is imported when these functions run, never by ``import fw_core``: it is the
optional ``scale`` dependency group. Costs: one actor round trip per request to reserve a
slot (about a millisecond on one machine; async callers await it, so their event loop runs
on), and a one-way message per answer (a 429 waits for the actor's pause). Token limits
(fw_core.ratelimit.token_limits) are paced in each process, from the answers it gets: the actor
paces requests only. Only the rate-limit
headers travel; never the key (the registry key holds :func:`fw_core.ratelimit.registry.key_id`).

Usage, in the driver and in each worker (a Ray actor's ``__init__``, before it builds a
model; or set ``FW_RATELIMIT_SHARED=ray`` in the job's ``runtime_env``)::

    from fw_core import ray_limiter
    ray_limiter.start()          # driver: once per job (get-or-create)
    ray_limiter.use()            # worker: this process's limiters are the actor's
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Mapping
from typing import Any

from fw_core import ratelimit
from fw_core.ratelimit.limiter import LimiterState, RateLimiter

__all__ = ["DEFAULT_NAME", "NAMESPACE", "LimiterActor", "RayLimiter", "start", "stop", "use"]

#: The actor's default name, and the Ray namespace it is registered in (so that workers
#: of any namespace find it).
DEFAULT_NAME = "fw-ratelimit"
NAMESPACE = "fw_core"

Key = tuple[str, str, str]
_STARTED: dict[str, Any] = {}  # name -> the handle that keeps the actor alive


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:  # the optional `scale` group
        raise ImportError(
            "fw_core.ratelimit.ray needs ray: install the `scale` group "
            "(pip install 'ray[data]', or --group scale)"
        ) from exc
    return ray


class LimiterActor:
    """The actor's class: the job's limiters, one per (base URL, key id, model).

    Plain Python (tested without Ray); :func:`start` runs it as a Ray actor.
    """

    def __init__(self) -> None:
        self._limiters: dict[Key, RateLimiter] = {}

    def _get(self, key: Key) -> RateLimiter:
        limiter = self._limiters.get(key)
        if limiter is None:
            limiter = self._limiters[key] = RateLimiter()
        return limiter

    def acquire(
        self, key: Key, skip_pause: bool, commit: bool, horizon: float | None
    ) -> tuple[float, int]:
        return self._get(key).acquire(skip_pause=skip_pause, commit=commit, horizon=horizon)

    def ticket(self, key: Key) -> int:
        """A ticket without a slot (for a call a framework limiter already paid for)."""
        limiter = self._get(key)
        return next(limiter._tickets)

    def observe(self, key: Key, status: int, headers: dict[str, str], ticket: int) -> float | None:
        return self._get(key).observe(status, headers, ticket)

    def snapshot(self, key: Key) -> LimiterState:
        return self._get(key).snapshot()

    def set_limit(self, key: Key, requests_per_minute: float, burst: int | None) -> None:
        self._get(key).set_limit(requests_per_minute, burst=burst)

    def forget(self, key: Key) -> None:
        self._get(key).forget()


class RayLimiter(RateLimiter):
    """A process's stand-in for one limiter of the job's actor (see the module docstring).

    Same interface as :class:`~fw_core.ratelimit.limiter.RateLimiter`, so fw_core's clients and
    ``langchain_fw.FwRateLimiter`` use it unchanged.
    """

    def __init__(self, name: str, key: Key) -> None:
        super().__init__()
        self._name = name
        self._key = key
        self._handle: Any = None
        self._handle_lock = threading.Lock()
        # one lock per event loop (an asyncio.Lock belongs to one loop): see aacquire
        self._alocks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._told = False  # has this process reported an answer with limit headers yet

    def _actor(self) -> Any:
        handle = self._handle
        if handle is None:
            with self._handle_lock:
                if self._handle is None:
                    self._handle = _ray().get_actor(self._name, namespace=NAMESPACE)
                handle = self._handle
        return handle

    remote = True  # async callers await aacquire / aobserve: the loop is never blocked

    def _call(self, method: str, *args: Any) -> Any:
        return _ray().get(getattr(self._actor(), method).remote(self._key, *args))

    async def _acall(self, method: str, *args: Any) -> Any:
        # an ObjectRef is awaitable: the event loop runs on during the round trip
        return await getattr(self._actor(), method).remote(self._key, *args)

    def acquire(
        self, *, skip_pause: bool = False, commit: bool = True, horizon: float | None = None
    ) -> tuple[float, int]:
        if ratelimit.take_prepaid(self):
            return 0.0, int(self._call("ticket"))
        wait, ticket = self._call("acquire", skip_pause, commit, horizon)
        return float(wait), int(ticket)

    async def aacquire(
        self, *, skip_pause: bool = False, commit: bool = True, horizon: float | None = None
    ) -> tuple[float, int]:
        if ratelimit.take_prepaid(self):
            return 0.0, int(await self._acall("ticket"))
        # A loop's acquires reach the actor one at a time, as the sync path's do: measured
        # with four Ray workers, concurrent awaits let 0-4.4 % of requests draw 429s where
        # one at a time gave 0-0.4 % (benchmarks/RESULTS.md). The loop runs on meanwhile.
        loop = asyncio.get_running_loop()
        lock = self._alocks.get(loop)
        if lock is None:
            lock = self._alocks.setdefault(loop, asyncio.Lock())
        async with lock:
            wait, ticket = await self._acall("acquire", skip_pause, commit, horizon)
        return float(wait), int(ticket)

    def _outgoing(self, status: int, headers: Mapping[str, str]) -> tuple[dict[str, str], bool]:
        """The limit headers to send the actor, and whether to wait for its answer: for
        a 429 (the caller needs the pause) and for the first answer with limit headers
        (the actor learns the limit before this process asks for its next slot; a slot
        handed out before that is not paced). Token budgets stay in this process."""
        wanted = ratelimit.wanted_headers(headers)
        seen = ratelimit.read_headers(wanted) if wanted else None
        if seen is not None and seen.tokens is not None:
            self._learn_tokens(seen.tokens)
        reply = status == 429 or bool(wanted and not self._told)
        self._told = self._told or bool(wanted)
        return wanted, reply

    def observe(self, status: int, headers: Mapping[str, str], ticket: int) -> float | None:
        wanted, reply = self._outgoing(status, headers)
        if reply:
            pause = self._call("observe", status, wanted, ticket)
            return None if pause is None else float(pause)
        # One-way: Ray runs one caller's calls to an actor in the order they were made.
        self._actor().observe.remote(self._key, status, wanted, ticket)
        return None

    async def aobserve(self, status: int, headers: Mapping[str, str], ticket: int) -> float | None:
        wanted, reply = self._outgoing(status, headers)
        if reply:
            pause = await self._acall("observe", status, wanted, ticket)
            return None if pause is None else float(pause)
        self._actor().observe.remote(self._key, status, wanted, ticket)
        return None

    def snapshot(self) -> LimiterState:
        state: LimiterState = self._call("snapshot")
        return state

    def set_limit(self, requests_per_minute: float, *, burst: int | None = None) -> None:
        if not requests_per_minute > 0:
            raise ValueError("requests_per_minute must be > 0")
        self._call("set_limit", float(requests_per_minute), burst)

    def forget(self) -> None:
        self._call("forget")


def start(name: str = DEFAULT_NAME) -> str:
    """Create the job's limiter actor, or find the one already running; returns its name.

    Call it in the driver after ``ray.init``. The actor takes no CPU of the job's and
    lives until :func:`stop` or the job's end.
    """
    ray = _ray()
    actor = ray.remote(num_cpus=0)(LimiterActor)
    handle = actor.options(name=name, namespace=NAMESPACE, get_if_exists=True).remote()
    ray.get(handle.__ray_ready__.remote())
    # A named actor lives while its creator holds a handle (it is not detached: it must
    # not outlive the job), so the driver keeps one.
    _STARTED[name] = handle
    return name


def stop(name: str = DEFAULT_NAME) -> None:
    """End the job's limiter actor (if running)."""
    ray = _ray()
    _STARTED.pop(name, None)
    try:
        handle = ray.get_actor(name, namespace=NAMESPACE)
    except ValueError:
        return
    ray.kill(handle)


def use(name: str = DEFAULT_NAME) -> None:
    """Make this process's limiters the actor's (before building models; see
    :func:`fw_core.ratelimit.registry.use_shared`)."""
    _ray()  # fail here, clearly, when ray is missing
    ratelimit.use_shared(lambda url, kid, model: RayLimiter(name, (url, kid, model)))
