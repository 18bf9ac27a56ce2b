"""Adaptive client-side rate limiting: one limiter per (base URL, key, model) per process.

Fireworks announces a request limit on every answer (``x-ratelimit-limit-requests``, in
requests per minute, and ``x-ratelimit-remaining-requests``; docs/wire.md §1.16) and
answers 429 when a key goes over it, possibly with ``retry-after(-ms)``. Each fw_core call
used to decide alone; a batch of 200 calls then spent its retries on 429s and lost most
of its work. A :class:`RateLimiter` is what all calls to one (base URL, key, model) share,
sync and async, from every class and every event loop in the process:

* Before anything is learned it never slows a caller down: no limit is invented.
* Once a limit is announced it paces requests (a GCRA / virtual-scheduling token bucket)
  at :data:`DEFAULT_HEADROOM` of it, with a burst no larger than the server showed it has
  (its largest ``remaining`` + 1). Each answer's ``remaining``, less the requests sent
  since, resets the bucket to what the server has left: a server with room to spare is
  not slowed down, one near its limit gets exactly what it can take.
* AIMD on the rate: a 429 (or ``x-ratelimit-over-limit: yes``) cuts it by
  :data:`~.pacing.DECREASE` (once per congestion episode: answers to requests sent before the cut
  do not cut again); every success adds :data:`INCREASE` of the ceiling back, up to the
  announced limit times the headroom, and whatever the successes, the rate climbs back
  to that ceiling within :data:`~.pacing.RECOVERY` seconds of the latest cut (:func:`recovered`).
  A caller that passes ``horizon`` is not handed a slot further ahead than that: it
  asks again later, at the rate then in force, so a batch queued right after a storm
  is not held at the storm's rate.
* A 429 that says how long to wait (``retry-after-ms`` / ``retry-after``, else one
  request's worth of the announced limit) pauses every caller of the limiter until then.

The limiter does no I/O and never sleeps: :meth:`RateLimiter.acquire` reserves a slot and
returns how long to wait before using it; the caller sleeps (``time.sleep`` or
``asyncio.sleep``). State sits under a :class:`threading.Lock` held for microseconds, so
one limiter serves threads and any number of event loops. The registry keys limiters by
a one-way hash of the API key (:func:`key_id`, the same in every process), never the key.

The arithmetic is in small pure functions (:mod:`fw_core.ratelimit.pacing`), tested with
plain values; the registry of limiters is :mod:`fw_core.ratelimit.registry`.

>>> lim = RateLimiter(clock=lambda: 100.0)
>>> lim.acquire()[0]  # nothing learned yet: no wait
0.0
>>> lim.observe(200, {"x-ratelimit-limit-requests": "600",
...                   "x-ratelimit-remaining-requests": "0"}, 1)
>>> lim.snapshot().limit_rpm, round(lim.snapshot().rate, 2)
(600.0, 9.5)
>>> round(lim.acquire()[0], 3)  # the server said none are left: wait one interval
0.105
"""

from __future__ import annotations

import bisect
import contextvars
import itertools
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from fw_core.http.retry import DEFAULT_MAX_RETRY_AFTER
from fw_core.ratelimit.pacing import (
    decreased,
    increased,
    read_headers,
    recovered,
    reserve,
    tat_for_remaining,
)
from fw_core.ratelimit.share import AccountShare
from fw_core.ratelimit.token_limits import TokenLimits, TokenPacer

__all__ = [
    "DEFAULT_HEADROOM",
    "DEFAULT_MAX_WAIT",
    "INCREASE",
    "MIN_RATE_SHARE",
    "MIN_RETRY_WAIT",
    "LimiterState",
    "RateLimiter",
    "prepay",
    "take_prepaid",
]

#: Pace at this share of the announced limit (clocks, network jitter and other clients
#: of the same key make exactly 100 % a stream of 429s).
DEFAULT_HEADROOM = 0.95
#: Additive increase per successful answer, as a share of the ceiling.
INCREASE = 0.02
#: The rate never drops below this share of the ceiling.
MIN_RATE_SHARE = 0.05
#: Per request: most seconds spent waiting out 429s the server announced, before the
#: 429 counts as a fault again (``max_retries``).
DEFAULT_MAX_WAIT = 300.0
#: A request waits at least this long before retrying a 429, whatever wait the server
#: hinted: at most four tries a second per call. A 429 with no usable hint (absent, 0,
#: unparseable) backs off exponentially instead (fw_core.http.client, docs/rate_limits.md).
MIN_RETRY_WAIT = 0.25


_REFUSED_KEPT = 512


# A slot already reserved by a framework-level limiter (langchain_fw.FwRateLimiter) for
# the call running in this context: the fw_core client then does not reserve a second.
_PREPAID: contextvars.ContextVar[RateLimiter | None] = contextvars.ContextVar(
    "fw_core_rate_limit_prepaid", default=None
)


def prepay(limiter: RateLimiter | None) -> None:
    """Say that the call about to run in this context already holds a slot of ``limiter``.

    For framework-level limiters (``langchain_fw.FwRateLimiter``) that reserve before the
    model call: the fw_core client making that call then takes no second slot. None
    takes back a slot no call used.
    """
    _PREPAID.set(limiter)


def take_prepaid(limiter: RateLimiter) -> bool:
    """Whether this context holds a slot :func:`prepay` gave for ``limiter``; takes it.

    >>> lim = RateLimiter()
    >>> prepay(lim); take_prepaid(lim), take_prepaid(lim)
    (True, False)
    """
    if _PREPAID.get() is limiter:
        _PREPAID.set(None)
        return True
    return False


@dataclass(frozen=True, slots=True)
class LimiterState:
    """A read-only view of a limiter, for logs and tests.

    ``limit_rpm``: the last announced limit (None: none yet); ``rate``: requests per
    second it paces at (None: not pacing); ``burst``: requests it lets through at once;
    ``paused_for``: seconds until a 429's pause ends (0 when none); ``share``: the part
    of the account's limit this process paces at (below 1 when the server's ``remaining``
    shows other clients on the key, fw_core.ratelimit.share).
    """

    limit_rpm: float | None
    rate: float | None
    burst: int
    paused_for: float
    share: float = 1.0


class RateLimiter:
    """The shared limit state of one (base URL, key, model). See the module docstring.

    Args:
        headroom: pace at this share of the announced limit.
        clock: monotonic seconds (tests pass a fake).

    Example:
        >>> now = [0.0]
        >>> lim = RateLimiter(clock=lambda: now[0])
        >>> lim.observe(429, {"retry-after": "2"}, 1)  # every caller now waits 2 s
        2.0
        >>> lim.acquire()[0], lim.acquire(skip_pause=True)[0]
        (2.0, 0.0)
    """

    def __init__(
        self,
        *,
        headroom: float = DEFAULT_HEADROOM,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < headroom <= 1:
            raise ValueError(f"headroom must be in (0, 1], got {headroom!r}")
        self._headroom = headroom
        self._clock = clock
        self._lock = threading.Lock()
        self._tickets = itertools.count(1)
        self._forget()

    def _forget(self) -> None:
        self._active = False  # read without the lock: the fast path while nothing is known
        self._limit_rpm: float | None = None
        self._ceiling: float | None = None  # requests per second
        self._rate: float | None = None
        self._burst = 1
        self._tat = 0.0
        # The burst tolerance ``_tat`` was computed with. ``_tat - _tat_tau`` (the earliest
        # next slot) is what carries over when the rate or burst changes (_rebased).
        self._tat_tau = 0.0
        self._paused_until = 0.0
        self._resume = -math.inf  # the latest pause's end: no burst right after it
        self._cut_after = 0  # answers to tickets up to this one do not cut the rate again
        self._cut_at = 0.0  # when the rate was last cut, and to what (time-based recovery)
        self._cut_rate: float | None = None
        self._issued = 0  # the latest ticket handed out
        self._last_slot = 0.0  # the latest send time handed out
        self._refused: list[int] = []  # recent tickets answered 429 (sorted): never counted
        self._pinned: float | None = None  # set_limit: requests per minute never exceeded
        self._pinned_burst = False
        # Our share of the account's limit, from its ``remaining`` counts (other processes
        # on the key; fw_core.ratelimit.share), and our answers admitted so far.
        self._account = AccountShare(clock=self._clock)
        self._share = 1.0
        self._admitted = 0
        # Token budgets, once the server announces a token limit (read without the lock:
        # None keeps token counting off the path of every request until then).
        self.tokens: TokenPacer | None = None

    def forget(self) -> None:
        """Drop everything learned (tests; a key whose limits changed)."""
        with self._lock:
            self._forget()

    def set_limit(self, requests_per_minute: float, *, burst: int | None = None) -> None:
        """Pace at most at this limit, whatever the server announces or has left.

        Useful before the first answer (a known account limit), for a server that sends
        no headers, or to stay below what the server allows (another process shares the
        key). Answers still slow it down (a lower announced limit, 429s, a low
        ``remaining``), never speed it past this. ``burst`` fixes the burst too.

        >>> lim = RateLimiter(clock=lambda: 0.0)
        >>> lim.set_limit(120, burst=1)
        >>> [round(lim.acquire()[0], 3) for _ in range(3)]
        [0.0, 0.526, 1.053]
        """
        if not requests_per_minute > 0:
            raise ValueError("requests_per_minute must be > 0")
        with self._lock:
            self._pinned = float(requests_per_minute)
            self._rate = None  # start from the new ceiling
            self._learn_limit(self._limit_rpm or self._pinned)
            if burst is not None:
                self._burst = max(int(burst), 1)
                self._pinned_burst = True

    def snapshot(self) -> LimiterState:
        """The current state, read under the lock."""
        with self._lock:
            now = self._clock()
            return LimiterState(
                self._limit_rpm,
                self._rate_at(now),
                self._burst,
                max(self._paused_until - self._clock(), 0.0),
                self._share,
            )

    def __repr__(self) -> str:
        s = self.snapshot()
        return (
            f"RateLimiter(limit_rpm={s.limit_rpm}, rate={s.rate}, burst={s.burst}, "
            f"paused_for={s.paused_for:.2f})"
        )

    # ------------------------------------------------------------------ calls

    #: True for a limiter whose state lives in another process (fw_core.ratelimit.ray):
    #: async callers then use :meth:`aacquire` / :meth:`aobserve`, which do not block the
    #: event loop on the round trip. This one does no I/O, so they call the sync methods.
    remote: ClassVar[bool] = False

    async def aacquire(
        self, *, skip_pause: bool = False, commit: bool = True, horizon: float | None = None
    ) -> tuple[float, int]:
        """:meth:`acquire` for async callers of a :attr:`remote` limiter."""
        return self.acquire(skip_pause=skip_pause, commit=commit, horizon=horizon)

    async def aobserve(self, status: int, headers: Mapping[str, str], ticket: int) -> float | None:
        """:meth:`observe` for async callers of a :attr:`remote` limiter."""
        return self.observe(status, headers, ticket)

    def acquire(
        self, *, skip_pause: bool = False, commit: bool = True, horizon: float | None = None
    ) -> tuple[float, int]:
        """Reserve a slot: ``(seconds to wait before sending, ticket)``.

        Pass the ticket back to :meth:`observe` with the answer. ``skip_pause``: the
        caller already slept the pause its own 429 announced. ``commit=False`` only
        looks: nothing is reserved when the wait is not zero (a non-blocking try).
        ``horizon``: reserve nothing more than this many seconds of pacing ahead; the
        answer is then ``(seconds to wait before asking again, 0)``, so a caller queued
        at a low rate is served at the rate in force when it asks again (the rate
        recovers meanwhile, :data:`~.pacing.RECOVERY`).
        """
        ticket = next(self._tickets)
        if take_prepaid(self):
            return 0.0, ticket
        if not self._active:
            self._issued = ticket  # unlocked: a racing thread may leave it a step behind
            return 0.0, ticket
        with self._lock:
            now = self._clock()
            start = now if skip_pause else max(now, self._paused_until)
            if self._rate is None:
                self._issued = max(self._issued, ticket)
                return start - now, ticket
            rate = self._rate = self._rate_at(now) or self._rate
            interval = 1.0 / rate
            tau = (self._burst - 1) * interval
            # No burst right after a pause: the first slot at its end, then one interval
            # each (at the rate in force now, see _pause).
            tat = max(self._rebased(tau), self._resume + tau)
            tat, wait = reserve(tat, start, interval, tau)
            # Never ahead of a slot already handed out: requests leave in ticket order,
            # which is what counting "sent since" by tickets in observe() relies on.
            at = max(start + wait, self._last_slot)
            if horizon is not None and commit and at - start > horizon:
                return start - now + horizon, 0  # ask again then; nothing reserved
            self._issued = max(self._issued, ticket)
            if commit or at <= now:
                self._tat, self._tat_tau, self._last_slot = tat, tau, at
            return at - now, ticket

    def observe(self, status: int, headers: Mapping[str, str], ticket: int) -> float | None:
        """Learn from one answer. For a 429 with a wait hint (``retry-after`` or an
        announced limit): the seconds every caller now pauses; else None.
        """
        seen = read_headers(headers)
        if seen is None:
            if status == 429:
                self._cut(ticket)
            elif status < 300 and self._rate is not None:
                with self._lock:
                    self._grow(self._clock())
            return None
        if seen.tokens is not None:
            self._learn_tokens(seen.tokens)
        with self._lock:
            now = self._clock()
            self._rate = self._rate_at(now)
            if seen.limit_rpm is not None:
                self._learn_limit(seen.limit_rpm)
            if status == 429:
                bisect.insort(self._refused, ticket)
                del self._refused[:-_REFUSED_KEPT]
            if seen.remaining is not None and self._rate is not None:
                if not self._pinned_burst:
                    self._burst = max(self._burst, self._burst_from(seen.remaining))
                self._learn_share(status, seen.remaining, now)
                since = self._issued - ticket  # less those the server refused (uncounted)
                since -= len(self._refused) - bisect.bisect_right(self._refused, ticket)
                interval = 1.0 / self._rate
                tau = (self._burst - 1) * interval
                # What the account has left is shared too: ours is our share of it.
                left = int(seen.remaining * self._share)
                tat = tat_for_remaining(now, interval, self._burst, left, since)
                if self._pinned is not None:
                    tat = max(self._rebased(tau), tat)
                self._tat, self._tat_tau = tat, tau
            pause: float | None = None
            if status == 429:
                pause = seen.retry_after or None  # "retry after 0" is no hint at all
                if pause is None and self._limit_rpm is not None:
                    pause = 60.0 / self._limit_rpm  # one request's worth of the limit
                if pause is not None:
                    pause = min(pause, DEFAULT_MAX_RETRY_AFTER)
                    self._pause(now + pause)
            if status == 429 or seen.over_limit:
                self._cut_locked(ticket)
            elif status < 300:
                self._grow(now)
            return pause

    def reserve_tokens(self, content: bytes | None) -> float:
        """Charge a request body's tokens to the token budgets the server announced;
        seconds to wait before sending it (0 while no token limit is known).

        Callers check :attr:`tokens` first (None: no token limit), so that nothing is
        counted before the server announces one (fw_core.ratelimit.token_limits).
        """
        pacer = self.tokens
        if pacer is None:
            return 0.0
        return pacer.reserve_body(content)

    # ------------------------------------------------------------------ internals

    def _learn_tokens(self, limits: TokenLimits) -> None:
        pacer = self.tokens
        if pacer is None:
            with self._lock:
                pacer = self.tokens
                if pacer is None:
                    pacer = self.tokens = TokenPacer(self._headroom, clock=self._clock)
        pacer.learn(limits)

    def _learn_limit(self, limit_rpm: float) -> None:
        self._active = True
        self._limit_rpm = limit_rpm
        if self._pinned is not None:
            limit_rpm = min(limit_rpm, self._pinned)
        ceiling = limit_rpm / 60.0 * self._headroom * self._share
        self._ceiling = ceiling
        self._rate = ceiling if self._rate is None else min(self._rate, ceiling)

    def _learn_share(self, status: int, remaining: int, now: float) -> None:
        """Follow our share of the account's limit (fw_core.ratelimit.share): the ceiling,
        the rate and the rate a cut recovers from scale with it, both ways."""
        if status != 429:
            self._admitted += 1
        if self._limit_rpm is None:
            return
        share = self._account.update(
            remaining=remaining, admitted=self._admitted, rate=self._limit_rpm / 60.0, now=now
        )
        if share == self._share:
            return
        scale, self._share = share / self._share, share
        rate, cut_rate = self._rate, self._cut_rate
        self._learn_limit(self._limit_rpm)
        ceiling = self._ceiling
        if rate is not None and ceiling is not None:
            self._rate = min(rate * scale, ceiling)
        if cut_rate is not None and ceiling is not None:
            self._cut_rate = min(cut_rate * scale, ceiling)

    def _burst_from(self, remaining: int) -> int:
        return max(int((remaining + 1) * self._headroom), 1)

    def _pause(self, until: float) -> None:
        self._active = True
        self._paused_until = max(self._paused_until, until)
        # No burst right after it: acquire() keeps tat at least one burst past this, at
        # the interval in force when it reserves (not now: the rate may recover).
        self._resume = max(self._resume, until)

    def _cut(self, ticket: int) -> None:
        if self._rate is not None:
            with self._lock:
                self._cut_locked(ticket)

    def _rebased(self, tau: float) -> float:
        """``_tat`` for burst tolerance ``tau``: the same earliest next slot. Without this,
        a tat set at a storm's low rate (a long tolerance) would hold every later slot
        back by the difference once the rate recovers."""
        return self._tat - self._tat_tau + tau

    def _rate_at(self, when: float) -> float | None:
        """The rate in force at ``when``: the AIMD rate, or the time-based recovery
        from the latest cut when that is further along."""
        rate, ceiling, cut_rate = self._rate, self._ceiling, self._cut_rate
        if rate is None or ceiling is None or cut_rate is None or rate >= ceiling:
            return rate
        return max(rate, recovered(cut_rate, ceiling, when - self._cut_at))

    def _cut_locked(self, ticket: int) -> None:
        rate, ceiling = self._rate, self._ceiling
        if rate is None or ceiling is None or ticket <= self._cut_after:
            return
        now = self._clock()
        rate = self._rate_at(now) or rate
        self._rate = decreased(rate, floor=ceiling * MIN_RATE_SHARE)
        self._cut_at, self._cut_rate = now, self._rate
        # Every ticket handed out so far was sent at the old rate: their 429s are the
        # same episode.
        self._cut_after = self._issued

    def _grow(self, now: float) -> None:
        rate, ceiling = self._rate, self._ceiling
        if rate is not None and ceiling is not None and rate < ceiling:
            rate = self._rate_at(now) or rate
            self._rate = increased(rate, step=ceiling * INCREASE, ceiling=ceiling)
