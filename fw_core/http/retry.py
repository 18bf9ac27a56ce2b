"""Retry policy as pure functions: which answers to retry, and how long to wait.

The client loop (``fw_core.http.client``) calls these; they do no I/O and read no clock
except through their arguments, so every rule here is tested with plain values.

Policy (docs/architecture.md §2): retry 408, 409, 429 and every 5xx, plus transport failures
(connect errors, resets, timeouts); never another 4xx. The server may override with
``x-should-retry: true|false``. Wait for ``retry-after-ms``, else ``retry-after``
(seconds or an HTTP date), capped at ``max_retry_after``; otherwise (no hint, or a hint
of 0) exponential backoff with jitter.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping

__all__ = [
    "DEFAULT_INITIAL_DELAY",
    "DEFAULT_MAX_DELAY",
    "DEFAULT_MAX_RETRY_AFTER",
    "RETRYABLE_STATUSES",
    "backoff",
    "parse_retry_after",
    "should_retry",
]

RETRYABLE_STATUSES = frozenset({408, 409, 429})
DEFAULT_INITIAL_DELAY = 0.5
DEFAULT_MAX_DELAY = 8.0
DEFAULT_MAX_RETRY_AFTER = 60.0
_JITTER = 0.25


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None and not hasattr(headers, "get_list"):  # plain dicts: case-insensitive
        lowered = name.lower()
        for key, val in headers.items():
            if key.lower() == lowered:
                return val
    return value


def should_retry(status: int, headers: Mapping[str, str] | None = None) -> bool:
    """Whether an answer with this status (and headers) should be retried.

    >>> should_retry(429), should_retry(503), should_retry(404)
    (True, True, False)
    """
    if headers:
        override = _header(headers, "x-should-retry")
        if override is not None:
            if override.strip().lower() == "true":
                return True
            if override.strip().lower() == "false":
                return False
    return status in RETRYABLE_STATUSES or status >= 500


def parse_retry_after(
    headers: Mapping[str, str] | None, *, now: float | None = None
) -> float | None:
    """Seconds the server asked us to wait, or None if it did not say (or said nonsense).

    ``retry-after-ms`` wins over ``retry-after``; the latter may be seconds or an HTTP date.
    Negative values and unparseable text give None.
    """
    if not headers:
        return None
    ms = _header(headers, "retry-after-ms")
    if ms is not None:
        try:
            value = float(ms) / 1000.0
        except ValueError:
            value = -1.0
        if value >= 0 and value == value:  # excludes NaN
            return value
    raw = _header(headers, "retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        parsed = email.utils.parsedate_tz(raw)
        if parsed is None:
            return None
        try:
            target = email.utils.mktime_tz(parsed)
        except (ValueError, OverflowError):  # a date that parses but is out of range
            return None
        seconds = target - (time.time() if now is None else now)
        return max(seconds, 0.0)
    if seconds < 0 or seconds != seconds:
        return None
    return seconds


def backoff(
    attempt: int,
    headers: Mapping[str, str] | None = None,
    *,
    initial: float = DEFAULT_INITIAL_DELAY,
    max_delay: float = DEFAULT_MAX_DELAY,
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
    rng: Callable[[], float] = random.random,
    now: float | None = None,
) -> float:
    """Seconds to wait before retry number ``attempt`` (0 for the first retry).

    A server hint is honoured up to ``max_retry_after``. Without one (or with a hint of
    0 s, which would make every client retry at once), the delay is
    ``initial * 2**attempt`` capped at ``max_delay``, reduced by up to 25 % jitter so
    that many clients do not retry in lockstep.

    >>> backoff(0, rng=lambda: 0.0), backoff(10, rng=lambda: 0.0)
    (0.5, 8.0)
    >>> backoff(0, {"retry-after": "3"}), backoff(1, {"retry-after": "0"}, rng=lambda: 0.0)
    (3.0, 1.0)
    """
    hinted = parse_retry_after(headers, now=now)
    if hinted:  # a hint of 0 is no hint: retrying at once is how clients hammer a server
        return min(hinted, max_retry_after)
    delay = min(initial * (2.0 ** max(attempt, 0)), max_delay)
    return delay * (1.0 - _JITTER * rng())
