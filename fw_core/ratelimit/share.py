"""Our share of an account's request limit, read from the server's ``remaining`` count.

Fireworks limits requests per account and model (docs/wire.md §1.16). Every answer says
how many requests the account has left (``x-ratelimit-remaining-requests``), whoever sent
them: N worker processes on one key all see the one count. A process that paces at the
whole account's limit then sends N times what the account can take (issue 21: four
processes, 35 % of all requests answered 429).

Between two moments the server's bucket refills by ``rate * seconds`` and loses every
request it admitted, ours and other clients' alike::

    admitted by everyone = remaining_then - remaining_now + rate * seconds

Our own admitted requests over the same span are counted here, so their ratio is our
share of what the account was given. While the account is under pressure a process paces
at that share of the limit: the shares of processes that all pace this way add up to the
whole limit, whatever their number. Rules, each from what the header means:

* The count needs no minimum time. ``remaining`` is the server's own count at each
  admission, so the drop between two answers is exact however close together they are;
  only the refill term uses our clock. A span ends as soon as the account admitted
  :data:`MIN_TOTAL` requests in it (or after :data:`MAX_SPAN`): the first wave of
  answers, a few milliseconds long, already gives an estimate, instead of every process
  pacing at the whole limit until :data:`MIN_SPAN` has passed.
* The bucket has room only when ``remaining`` is at the most it has ever shown (the
  bucket's size as far as we know) and not 0, and not draining. Only then may its refill
  have been capped (the formula above would count refill nobody took as admitted), and
  nobody is being held back: the share grows by :data:`GROW` per second, additively.
  Below that level the formula holds, whatever fraction of the bucket is left: a
  process that joined late, when the bucket was nearly empty, never saw its size, and a
  fraction of what it saw is no sign of room.
* :data:`DRIFT` is added to every share measured under pressure (the same for every
  process, so shares that started unequal drift towards equal); a share of
  :data:`ALONE` or more counts as "alone" (1.0), so a single process is not slowed down
  by rounding and timing noise.

Measured (benchmarks/suites/multiprocess.py, four spawned processes x 60 chat calls at
20 requests/s; 2026-12-07, six runs each, interleaved, load average 1.6-4.4): 429s fell
from 33 % to 12-16 % of all requests (mean 14 %) with the first two rules as they were
before (a quarter full counted as room, and a span lasted at least :data:`MIN_SPAN`),
and to 10-12 % (mean 11.5 %) with them as above; throughput 87-94 % of the limit, 0
lost (benchmarks/results/multiprocess-share-rules-20261207.json).
The counts of one process in a fraction of a second are small, so its estimate stays
noisy. For a share that is exact, let the processes consult one limiter
(:mod:`fw_core.ratelimit.ray`).

The arithmetic is pure (:func:`share_of`); :class:`AccountShare` keeps the span. It does
no I/O; the limiter calls it under its own lock, on answers only (never on acquire).

>>> now = [0.0]
>>> est = AccountShare(clock=lambda: now[0])
>>> est.update(remaining=19, admitted=1, rate=20.0)  # the first answer opens a span
1.0
>>> now[0] = 0.5  # 0.5 s on: 19 -> 1 left and 10 refilled: 28 admitted, 7 of them ours
>>> est.update(remaining=1, admitted=8, rate=20.0)  # 0.25, plus DRIFT
0.27
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = [
    "ALONE",
    "DRIFT",
    "GROW",
    "MAX_SPAN",
    "MIN_SHARE",
    "MIN_SPAN",
    "MIN_TOTAL",
    "AccountShare",
    "share_of",
]

#: A span under pressure ends once the account admitted at least :data:`MIN_TOTAL`
#: requests in it (else it goes on, up to :data:`MAX_SPAN` seconds); a span with room
#: ends once it is at least :data:`MIN_SPAN` seconds long.
MIN_SPAN = 0.2
MIN_TOTAL = 10.0
MAX_SPAN = 2.0
#: A share at or above this is taken as the whole limit (one client, give or take noise).
ALONE = 0.93
#: Added to a share measured under pressure: the same for every process, so shares that
#: started unequal (the first estimates are noisy) drift towards equal.
DRIFT = 0.02
#: The share never goes below this (a client that sent nothing in a span keeps its share).
MIN_SHARE = 0.05
#: Growth of the share per second of a span that ends with the account's bucket at the
#: most it has shown (additive, so that clients that started unequal converge to equal
#: shares).
GROW = 0.25


def share_of(ours: float, remaining_then: float, remaining_now: float, refill: float) -> float:
    """Our share of the requests the account had admitted over one span, in (0, 1].

    ``ours``: our requests admitted in the span; ``refill``: what the server's bucket
    regained in it (rate x seconds). More of ours than the account's total (rounding,
    timing) is the whole share.

    >>> share_of(5, 0, 0, 20.0)  # the bucket stayed empty: 20 admitted, 5 of them ours
    0.25
    >>> share_of(10, 12, 2, 0.0), share_of(3, 10, 10, 0.0)
    (1.0, 1.0)
    """
    total = remaining_then - remaining_now + refill
    if total <= ours:
        return 1.0
    return max(ours / total, MIN_SHARE)


class AccountShare:
    """The span being measured and the share last estimated (see the module docstring).

    Not thread-safe by itself: :class:`fw_core.ratelimit.limiter.RateLimiter` calls it under its
    lock.

    Args:
        clock: monotonic seconds (tests pass a fake).
    """

    __slots__ = ("_at", "_clock", "_full", "_ours", "_remaining", "share")

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.share = 1.0
        self._at: float | None = None  # the span's start, and the counts then
        self._remaining = 0.0
        self._ours = 0
        self._full = 1.0  # the most the server ever said was left, plus one: its bucket

    def update(
        self, *, remaining: float, admitted: int, rate: float, now: float | None = None
    ) -> float:
        """Take one answer's ``remaining``; returns the share now in force.

        ``admitted``: our requests the server admitted so far (a running count);
        ``rate``: the announced limit in requests per second; ``now``: the clock's
        reading, when the caller has just taken it.
        """
        now = self._clock() if now is None else now
        self._full = max(self._full, remaining + 1.0)
        if self._at is None:
            self._at, self._remaining, self._ours = now, remaining, admitted
            return self.share
        span = now - self._at
        if remaining >= max(self._full - 1.0, 1.0) and remaining >= self._remaining:
            # the bucket at its fullest and not draining: nobody is held back, take more
            if span < MIN_SPAN:
                return self.share
            self.share = min(self.share + GROW * span, 1.0)
        else:
            refill = rate * span
            if self._remaining - remaining + refill < MIN_TOTAL and span < MAX_SPAN:
                return self.share  # too few admitted yet for a fair count
            ours = admitted - self._ours
            if ours > 0:
                est = share_of(ours, self._remaining, remaining, refill)
                self.share = 1.0 if est >= ALONE else min(est + DRIFT, 1.0)
        self._at, self._remaining, self._ours = now, remaining, admitted
        return self.share
