"""The double's limit mode: requests per minute and a burst, per key and model.

Fireworks limits requests per account and per model (docs/wire.md §1.16). With a
:class:`RequestLimit` the double keeps one token bucket per (bearer token, model): it
holds ``burst`` requests and refills at ``rpm / 60`` per second. Every answer carries
``x-ratelimit-limit-requests`` (the RPM), ``x-ratelimit-remaining-requests`` (whole
requests left in the bucket) and ``x-ratelimit-over-limit: no``, as the real captures do;
a request that finds the bucket empty is answered 429 in the provider's error envelope
with ``retry-after`` (whole seconds, rounded up) and ``retry-after-ms`` (exact), and
costs nothing. ``x-ratelimit-reset-requests`` is not sent: wire.md lists it as
unverified.

>>> now = [0.0]
>>> limit = RequestLimit(rpm=60, burst=2, clock=lambda: now[0])
>>> [limit.admit("key", "m").allowed for _ in range(3)]
[True, True, False]
>>> limit.admit("key", "m").headers[-2:]
[('retry-after', '1'), ('retry-after-ms', '1000')]
>>> now[0] = 1.0
>>> limit.admit("key", "m").headers[:2]
[('x-ratelimit-limit-requests', '60'), ('x-ratelimit-remaining-requests', '0')]
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Admission", "RequestLimit", "refill"]


def refill(tokens: float, elapsed: float, per_second: float, burst: float) -> float:
    """Tokens in a bucket after ``elapsed`` seconds of refilling, at most ``burst``.

    >>> refill(0.0, 0.5, 10.0, 20.0), refill(19.5, 1.0, 10.0, 20.0)
    (5.0, 20.0)
    """
    return min(burst, tokens + max(elapsed, 0.0) * per_second)


@dataclass(frozen=True)
class Admission:
    """One request's fate: let through (with these headers) or answered 429.

    Example:
        >>> Admission(True, [("x-ratelimit-remaining-requests", "4")]).retry_after
        0.0
    """

    allowed: bool
    headers: list[tuple[str, str]]
    retry_after: float = 0.0


class RequestLimit:
    """Token buckets per (key, model): ``rpm`` requests per minute, ``burst`` at once.

    Args:
        rpm: requests per minute each (key, model) may make.
        burst: requests a full bucket holds; default one second's worth (at least 1).
        clock: monotonic seconds (tests pass a fake).

    Example:
        >>> RequestLimit(rpm=600).burst
        10
    """

    def __init__(
        self,
        rpm: float,
        burst: int | None = None,
        *,
        prompt_tps: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not rpm > 0:
            raise ValueError(f"rpm must be > 0, got {rpm!r}")
        if prompt_tps is not None and not prompt_tps > 0:
            raise ValueError(f"prompt_tps must be > 0, got {prompt_tps!r}")
        # Token mode: prompt tokens per second, a minute's worth held (docs/wire.md §1.16:
        # the limit headers are "described in tokens per second", enforcement per minute).
        self.prompt_tps = prompt_tps
        self._token_buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self.rpm = float(rpm)
        self.burst = max(int(burst if burst is not None else math.ceil(rpm / 60.0)), 1)
        if burst is not None and burst < 1:
            raise ValueError(f"burst must be >= 1, got {burst!r}")
        self._per_second = self.rpm / 60.0
        self._clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # -> (tokens, at)
        self._lock = threading.Lock()
        self.admitted = 0
        self.rejected = 0

    def _limit_text(self) -> str:
        return str(int(self.rpm)) if self.rpm == int(self.rpm) else str(self.rpm)

    def admit(self, key: str, model: str, prompt_tokens: int = 0) -> Admission:
        """Take one request (and, in token mode, its ``prompt_tokens``) for (key, model),
        or say how long until there is room."""
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.get((key, model), (float(self.burst), now))
            tokens = refill(tokens, now - at, self._per_second, self.burst)
            prompt_left, token_wait = self._prompt_room(key, model, now, prompt_tokens)
            allowed = tokens >= 1.0 and token_wait == 0.0
            if allowed:
                tokens -= 1.0
                prompt_left -= prompt_tokens
                self.admitted += 1
            else:
                self.rejected += 1
            self._buckets[(key, model)] = (tokens, now)
            if self.prompt_tps is not None:
                self._token_buckets[(key, model)] = (prompt_left, now)
        headers = [
            ("x-ratelimit-limit-requests", self._limit_text()),
            ("x-ratelimit-remaining-requests", str(int(tokens))),
            ("x-ratelimit-over-limit", "no"),
        ]
        if self.prompt_tps is not None:
            headers += [
                ("x-ratelimit-limit-tokens-prompt", f"{self.prompt_tps:g}"),
                ("x-ratelimit-remaining-tokens-prompt", str(int(prompt_left))),
            ]
        if allowed:
            return Admission(True, headers)
        wait = max((1.0 - tokens) / self._per_second, token_wait)
        headers += [
            ("retry-after", str(max(math.ceil(wait), 1))),
            ("retry-after-ms", str(max(math.ceil(wait * 1000), 1))),
        ]
        return Admission(False, headers, wait)

    def _prompt_room(self, key: str, model: str, now: float, cost: int) -> tuple[float, float]:
        """Token mode: prompt tokens left for (key, model), and seconds until ``cost``
        fits (0: it fits now). Without token mode: ``(0, 0)``."""
        tps = self.prompt_tps
        if tps is None:
            return 0.0, 0.0
        full = tps * 60.0
        left, at = self._token_buckets.get((key, model), (full, now))
        left = refill(left, now - at, tps, full)
        return left, 0.0 if left >= cost else (cost - left) / tps

    def reset(self) -> None:
        """Full buckets and zero counters."""
        with self._lock:
            self._buckets.clear()
            self._token_buckets.clear()
            self.admitted = self.rejected = 0
