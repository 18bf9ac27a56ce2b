"""The rate limiter's pure parts: what an answer's headers say, and the pacing arithmetic.

:func:`read_headers` turns a response's headers into :class:`Announced` facts;
:func:`reserve` and :func:`tat_for_remaining` are the GCRA bucket; :func:`decreased`,
:func:`recovered` and :func:`increased` are the AIMD steps on the rate. All take and
return plain values; :class:`fw_core.ratelimit.limiter.RateLimiter` holds the state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fw_core.http.retry import parse_retry_after
from fw_core.ratelimit.token_limits import (
    TOKEN_HEADERS,
    TokenLimits,
    header_number,
    read_token_limits,
)

__all__ = [
    "DECREASE",
    "RECOVERY",
    "Announced",
    "decreased",
    "increased",
    "read_headers",
    "recovered",
    "reserve",
    "tat_for_remaining",
    "wanted_headers",
]

#: Multiplicative decrease of the rate on a 429 or an over-limit answer.
DECREASE = 0.7
#: Seconds after its latest cut in which the rate climbs back, linearly, to the ceiling
#: (while no new 429 cuts it again): a deep cut does not outlast the storm that caused it.
RECOVERY = 5.0

_RETRY_NAMES = (b"retry-after", b"retry-after-ms")
_WANTED = frozenset(
    {
        b"x-ratelimit-limit-requests",
        b"x-ratelimit-remaining-requests",
        b"x-ratelimit-over-limit",
        *_RETRY_NAMES,
        *TOKEN_HEADERS,
    }
)
_YES = (b"yes", b"true", b"1")


@dataclass(frozen=True, slots=True)
class Announced:
    """What one answer's headers say about the request limit (None: not said).

    Example:
        >>> Announced(limit_rpm=60.0, remaining=59).over_limit
        False
    """

    limit_rpm: float | None = None
    remaining: int | None = None
    retry_after: float | None = None
    over_limit: bool = False
    tokens: TokenLimits | None = None  # token limits (fw_core.ratelimit.token_limits)


def read_headers(headers: Mapping[str, str]) -> Announced | None:
    """The limit facts in a response's headers, or None when it carries none.

    Reads ``x-ratelimit-limit-requests`` (requests per minute),
    ``x-ratelimit-remaining-requests``, ``x-ratelimit-over-limit`` and
    ``retry-after-ms`` / ``retry-after`` (docs/wire.md §1.16). An ``httpx.Headers`` is
    scanned by its raw byte names (this runs on every response); other mappings by name.

    >>> read_headers({"X-RateLimit-Limit-Requests": "60", "x-ratelimit-remaining-requests": "59"})
    Announced(limit_rpm=60.0, remaining=59, retry_after=None, over_limit=False, tokens=None)
    >>> read_headers({"retry-after": "2"}).retry_after, read_headers({"server": "x"})
    (2.0, None)
    """
    found: dict[bytes, bytes] = {}
    # httpx.Headers: its public byte pairs (``raw``), which spare decoding every header
    # to text on every response; 20 headers take ~2.4 us (1.7 us more than reading
    # httpx's private ``_list``, measured for issue 21).
    pairs = getattr(headers, "raw", None)
    if isinstance(pairs, list):
        for name, value in pairs:
            low = name.lower()
            if low in _WANTED:
                found[low] = value
    else:
        for name, text in headers.items():
            key = name.lower().encode("latin-1")
            if key in _WANTED:
                found[key] = text.encode("latin-1")
    if not found:
        return None
    limit = header_number(found.get(b"x-ratelimit-limit-requests"))
    remaining = header_number(found.get(b"x-ratelimit-remaining-requests"))
    # Most answers carry no retry hint and say "no" (or nothing) about over-limit: those
    # two are parsed only when present (this runs on every response).
    retry_after = None
    if b"retry-after" in found or b"retry-after-ms" in found:
        retry = {k.decode(): v.decode("latin-1") for k, v in found.items() if k in _RETRY_NAMES}
        retry_after = parse_retry_after(retry)
    said = found.get(b"x-ratelimit-over-limit")
    over = said is not None and said.strip().lower() in _YES
    return Announced(
        limit_rpm=limit if limit else None,
        remaining=None if remaining is None else int(remaining),
        retry_after=retry_after,
        over_limit=over,
        tokens=None if TOKEN_HEADERS.isdisjoint(found) else read_token_limits(found),
    )


def wanted_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Only the headers the limiter reads, as a plain dict (to send to a shared limiter).

    >>> wanted_headers({"Retry-After": "1", "server": "x"})
    {'retry-after': '1'}
    """
    return {k.lower(): v for k, v in headers.items() if k.lower().encode("latin-1") in _WANTED}


def reserve(tat: float, now: float, interval: float, tau: float) -> tuple[float, float]:
    """GCRA virtual scheduling: reserve the next slot; returns ``(new_tat, wait)``.

    ``tat`` is the theoretical arrival time of the next request, ``interval`` the
    seconds per request, ``tau`` the burst tolerance (``(burst - 1) * interval``). The
    request may go at ``max(now, tat - tau)``; the next one's ``tat`` moves on by one
    interval.

    >>> reserve(0.0, 0.0, 0.1, 0.1)  # a burst of 2: the first goes at once
    (0.1, 0.0)
    >>> reserve(0.2, 0.0, 0.1, 0.1)  # two already reserved: wait one interval
    (0.30000000000000004, 0.1)
    """
    base = max(tat, now)
    start = max(now, base - tau)
    return base + interval, start - now


def tat_for_remaining(
    now: float, interval: float, burst: int, remaining: int, sent_since: int = 0
) -> float:
    """The ``tat`` at which the bucket holds as many slots as the server has left.

    The server counted ``remaining`` when the answered request arrived; ``sent_since``
    slots were handed out after that one (most not yet counted there; the others make
    this err on the safe side). More handed out than remained puts ``tat`` further out.

    >>> tat_for_remaining(10.0, 0.1, 20, 20), tat_for_remaining(10.0, 0.1, 20, 0)
    (10.0, 12.0)
    >>> tat_for_remaining(10.0, 0.1, 20, 19, sent_since=4)  # 15 left: 5 used
    10.5
    >>> tat_for_remaining(10.0, 0.1, 20, 0, sent_since=5)  # 5 promised beyond the bucket
    12.5
    """
    left = remaining - max(sent_since, 0)
    return now + max(burst - left, 0) * interval


def decreased(rate: float, *, factor: float = DECREASE, floor: float = 0.0) -> float:
    """Multiplicative decrease, not below ``floor``.

    >>> decreased(10.0), decreased(1.0, floor=0.9)
    (7.0, 0.9)
    """
    return max(rate * factor, floor)


def recovered(cut_rate: float, ceiling: float, elapsed: float, *, over: float = RECOVERY) -> float:
    """The rate ``elapsed`` seconds after a cut to ``cut_rate``: back to ``ceiling``,
    linearly, over ``over`` seconds.

    >>> recovered(1.0, 19.0, 0.0), recovered(1.0, 19.0, 2.5), recovered(1.0, 19.0, 60.0)
    (1.0, 10.0, 19.0)
    """
    if elapsed >= over:
        return ceiling
    if elapsed <= 0:
        return min(cut_rate, ceiling)
    return min(cut_rate + (ceiling - cut_rate) * elapsed / over, ceiling)


def increased(rate: float, *, step: float, ceiling: float) -> float:
    """Additive increase by ``step``, not above ``ceiling``.

    >>> increased(7.0, step=0.2, ceiling=9.5), increased(9.4, step=0.2, ceiling=9.5)
    (7.2, 9.5)
    """
    return min(rate + step, ceiling)
