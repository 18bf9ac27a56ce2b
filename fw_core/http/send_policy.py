"""What one request's send loop does next: the decisions, with no I/O.

:class:`fw_core.http.client.Client` and :class:`fw_core.http.client.AsyncClient` each run a thin
loop that only does I/O (ask the rate limiter, send, sleep, read and close a body); every
choice in between is a method of one :class:`SendPlan` per request, so the sync and async
clients cannot drift apart and each rule is tested with plain values
(tests/unit/test_send_policy.py). The retry rules themselves are :mod:`fw_core.http.retry`;
this module adds the bookkeeping that spans attempts (docs/architecture.md §2 "Clients"):

- pacing: the rate limiter hands out no slot more than :data:`PACE_HORIZON` seconds
  ahead; the call sleeps and asks again, at most :data:`PACE_ASKS` times before it takes
  whatever slot it is given (docs/rate_limits.md);
- transport failures and retryable statuses spend ``max_retries``, with
  :func:`fw_core.http.retry.backoff` between attempts;
- a 429 the limiter knows a wait for is waited out without spending ``max_retries``,
  while the request's time on rate limits stays within ``rate_limit_max_wait``.

>>> plan = SendPlan(retries=1, max_wait=30.0)
>>> plan.after_status(503, {}, None)[0] is Step.RETRY
True
>>> plan.after_status(503, {}, None)  # the one retry is spent
(<Step.RAISE: 3>, -1.0)
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from fw_core.errors import ConfigurationError
from fw_core.http import retry as retry_policy
from fw_core.ratelimit.limiter import MIN_RETRY_WAIT

__all__ = ["PACE_ASKS", "PACE_HORIZON", "SendPlan", "Step", "check_max_wait", "check_retries"]

#: The rate limiter hands a call no slot more than this many seconds ahead: the call
#: sleeps and asks again, at the rate then in force (fw_core.ratelimit.limiter, RECOVERY), at
#: most PACE_ASKS times before it takes whatever slot it is given.
PACE_HORIZON = 1.0
PACE_ASKS = 120


def check_retries(max_retries: object) -> None:
    """Refuse a ``max_retries`` that is not an integer >= 0 (ConfigurationError)."""
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigurationError(f"max_retries must be an integer >= 0, got {max_retries!r}")


def check_max_wait(seconds: object) -> float:
    """``rate_limit_max_wait`` as float seconds >= 0, else a ConfigurationError."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds >= 0:
        raise ConfigurationError(f"rate_limit_max_wait must be seconds >= 0, got {seconds!r}")
    return float(seconds)


class Step(enum.Enum):
    """What the loop does with a non-2xx answer."""

    WAIT = 1  # an announced 429: sleep, then send again without spending a retry
    RETRY = 2  # sleep, then send again; one of max_retries spent
    RAISE = 3  # give up: raise the typed error for this answer


class SendPlan:
    """One request's state across attempts, and the choice at each point of its loop.

    The loop reads ``paused`` (ask the limiter to skip a pause this request already
    waited out), ``ticket`` (the limiter's slot, reported back with the answer),
    ``sent`` (attempts that reached the transport) and, for its log lines,
    ``attempt`` (retries spent) and ``waited`` (seconds spent on rate limits).
    """

    __slots__ = (
        "asks",
        "attempt",
        "max_wait",
        "paused",
        "refused",
        "retries",
        "sent",
        "ticket",
        "waited",
    )

    def __init__(self, retries: int, max_wait: float) -> None:
        self.retries = retries  # retries allowed after the first attempt
        self.max_wait = max_wait  # rate_limit_max_wait
        self.attempt = 0  # retries spent
        self.sent = 0  # attempts handed to the transport
        self.refused = 0  # announced 429s waited out
        self.waited = 0.0  # seconds on rate limits: 429 waits, pacing after the first
        self.paused = False  # the last answer was waited out: skip the limiter's pause
        self.ticket = 0
        self.asks = 0  # asks of the limiter for the coming attempt

    # -- pacing ----------------------------------------------------------------------

    def horizon(self) -> float | None:
        """The horizon for this ask of the limiter (None once PACE_ASKS are used up).

        >>> plan = SendPlan(0, 0.0)
        >>> [plan.horizon() for _ in range(PACE_ASKS)][-2:]
        [1.0, None]
        """
        self.asks += 1
        return PACE_HORIZON if self.asks < PACE_ASKS else None

    def granted(self, wait: float, ticket: int) -> bool:
        """After the limiter answered ``(wait, ticket)`` and the loop slept ``wait``
        (when positive): whether to send now (True) or ask again (False).

        A ticket, or no wait at all, is a slot. Pacing after this request's first
        waited-out 429 counts towards ``rate_limit_max_wait``.

        >>> plan = SendPlan(0, 0.0)
        >>> plan.granted(0.5, 0), plan.granted(0.5, 7), plan.ticket
        (False, True, 7)
        """
        if wait > 0:
            if self.refused:
                self.waited += wait
            if not ticket:
                return False
        self.ticket = ticket
        self.paused = False
        self.asks = 0
        return True

    # -- answers ---------------------------------------------------------------------

    def after_transport_error(self) -> float:
        """Seconds to wait before retrying a failed send, or -1.0: raise it.

        >>> plan = SendPlan(1, 0.0)
        >>> 0 < plan.after_transport_error() <= 0.5, plan.after_transport_error()
        (True, -1.0)
        """
        if self.attempt >= self.retries:
            return -1.0
        delay = retry_policy.backoff(self.attempt, None)
        self.attempt += 1
        return delay

    def after_status(
        self, status: int, headers: Mapping[str, str], pause: float | None
    ) -> tuple[Step, float]:
        """The step for a non-2xx answer and the seconds to sleep before it.

        ``pause`` is what the rate limiter said about this answer (a wait it knows for
        an announced 429, else None). Such a 429 is waited out while the request's time
        on rate limits stays within ``max_wait`` (:meth:`_wait_out`); otherwise a
        retryable status spends a retry; anything else, or no retry left, is RAISE.
        """
        delay = self._wait_out(pause, status, headers)
        if delay >= 0:
            self.waited += delay
            self.paused = True
            self.refused += 1
            return Step.WAIT, delay
        if self.attempt < self.retries and retry_policy.should_retry(status, headers):
            delay = retry_policy.backoff(self.attempt, headers)
            self.attempt += 1
            return Step.RETRY, delay
        return Step.RAISE, -1.0

    def _wait_out(self, pause: float | None, status: int, headers: Mapping[str, str]) -> float:
        """Seconds to wait before retrying this announced 429, or -1: a fault after all.

        A 429 the limiter knows a wait for (``pause``: the server's hint, else one
        request's worth of the announced limit) is retried without spending a retry
        while the time spent on rate limits (``waited``) stays within ``max_wait``;
        ``x-should-retry: false`` still wins. A usable hint is honoured (never under
        :data:`~fw_core.ratelimit.limiter.MIN_RETRY_WAIT`); without one (absent, 0, unparseable)
        the wait backs off exponentially with jitter over this request's ``refused``
        429s, so a server stuck on 429 is not hammered (docs/rate_limits.md "No
        hammering").
        """
        if pause is None or not retry_policy.should_retry(status, headers):
            return -1.0
        if retry_policy.parse_retry_after(headers):
            delay = max(pause, MIN_RETRY_WAIT)
        else:
            delay = retry_policy.backoff(self.refused, None)
        return delay if self.waited + delay <= self.max_wait else -1.0
