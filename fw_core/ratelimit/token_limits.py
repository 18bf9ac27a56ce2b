"""Token limits: read what the server announces, and pace a request's tokens under them.

Fireworks limits serverless traffic by tokens as well as requests (docs/wire.md §1.16):
total prompt tokens, uncached prompt tokens and generated tokens. Its rate-limit page
says the current effective limits are in ``x-ratelimit-limit-tokens-prompt``,
``x-ratelimit-limit-tokens-cache-adjusted-prompt`` and
``x-ratelimit-limit-tokens-generated``, "described in tokens per second", while
enforcement counts tokens per minute (https://docs.fireworks.ai/serverless/rate-limits);
an older version of the page called the same headers per-minute limits
(https://docs.fireworks.ai/guides/quotas_usage/rate-limits). Third-party client code
also reads ``x-ratelimit-remaining-tokens-prompt`` and ``-generated``, which no Fireworks
page found names (unverified): they are used when present.

What this module does with them (the limiter calls it; docs/rate_limits.md "Token
limits"):

* a limit is read as tokens per second (the current page). Read as per second, a
  per-minute value would pace 60 times too loosely, never too tightly: the safe side of
  the two readings;
* the budget of a kind of token holds a minute of the limit (enforcement is per minute)
  and refills at :data:`~fw_core.ratelimit.limiter.DEFAULT_HEADROOM` of it; a ``remaining``
  count, when sent, resets it to what the server has left;
* a request is charged before it is sent: its prompt tokens as :mod:`fw_core.kit.tokens`
  estimates them (an over-count by design), and its ``max_tokens`` as generated tokens
  (an upper bound; 0 when not set). While the budget has room for the body's byte
  length, that cruder bound is charged instead and nothing is estimated (the estimate
  costs about 2 ms per 10 KB of text); a ``remaining`` count corrects the budget. The
  cache-adjusted (uncached) prompt limit is not paced: which prompt tokens the server
  will find cached cannot be known before sending.

The parsing and the arithmetic are pure functions, tested with plain values.

>>> read_token_limits({b"x-ratelimit-limit-tokens-prompt": b"60000",
...                    b"x-ratelimit-remaining-tokens-prompt": b"3599000"})
TokenLimits(prompt=60000.0, prompt_remaining=3599000.0, generated=None, generated_remaining=None)
>>> request_tokens(b'{"messages": [{"role": "user", "content": "Hello, world!"}],'
...                b' "max_tokens": 16}')
(25, 16)
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fw_core.kit.tokens import estimate_message_tokens, estimate_text_tokens

__all__ = [
    "TOKEN_HEADERS",
    "WINDOW",
    "TokenLimits",
    "TokenPacer",
    "header_number",
    "read_token_limits",
    "request_tokens",
    "token_wait",
]

#: Seconds of tokens a budget holds: enforcement counts tokens per minute.
WINDOW = 60.0

_PROMPT = b"x-ratelimit-limit-tokens-prompt"
_PROMPT_LEFT = b"x-ratelimit-remaining-tokens-prompt"
_GENERATED = b"x-ratelimit-limit-tokens-generated"
_GENERATED_LEFT = b"x-ratelimit-remaining-tokens-generated"
#: The header names read here (lower case, bytes, as fw_core.ratelimit.limiter scans them).
TOKEN_HEADERS = frozenset({_PROMPT, _PROMPT_LEFT, _GENERATED, _GENERATED_LEFT})


@dataclass(frozen=True, slots=True)
class TokenLimits:
    """Token limits one answer announced: per second, and what is left (None: not said)."""

    prompt: float | None = None
    prompt_remaining: float | None = None
    generated: float | None = None
    generated_remaining: float | None = None


def header_number(raw: bytes | None) -> float | None:
    """A rate-limit header's value as a finite number >= 0 (its first item), else None.

    >>> header_number(b"600"), header_number(b"12.5, 1;w=60"), header_number(b"-1")
    (600.0, 12.5, None)
    """
    if raw is None:
        return None
    try:
        value = float(raw.split(b",")[0])
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def read_token_limits(found: Mapping[bytes, bytes]) -> TokenLimits | None:
    """The token limits among headers already picked out by lower-case byte name.

    A limit of 0 or one that does not parse is no limit (the tolerant reading: the
    server's words are not refused, just not acted on).

    >>> read_token_limits({b"x-ratelimit-limit-tokens-generated": b"600"})
    TokenLimits(prompt=None, prompt_remaining=None, generated=600.0, generated_remaining=None)
    >>> read_token_limits({b"x-ratelimit-limit-tokens-prompt": b"soon"}) is None
    True
    """
    prompt = header_number(found.get(_PROMPT)) or None
    generated = header_number(found.get(_GENERATED)) or None
    if prompt is None and generated is None:
        return None
    return TokenLimits(
        prompt,
        header_number(found.get(_PROMPT_LEFT)) if prompt else None,
        generated,
        header_number(found.get(_GENERATED_LEFT)) if generated else None,
    )


def _count(body: Mapping[str, Any]) -> int:
    messages = body.get("messages")
    if isinstance(messages, list):
        wire = [m for m in messages if isinstance(m, Mapping)]
        tools = body.get("tools")
        tools = [t for t in tools if isinstance(t, Mapping)] if isinstance(tools, list) else None
        return estimate_message_tokens(wire, tools=tools)
    total = 0
    for field in ("prompt", "input"):
        value = body.get(field)
        texts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        total += sum(estimate_text_tokens(t) for t in texts if isinstance(t, str))
    return total


def request_tokens(content: bytes | None, *, precise: bool = True) -> tuple[int, int]:
    """``(prompt tokens, generated tokens)`` to charge for a JSON request body.

    Prompt: the estimate of :mod:`fw_core.kit.tokens` for ``messages`` (chat), ``prompt``
    (completions) or ``input`` (embeddings, rerank queries); with ``precise=False`` the
    body's length in bytes instead, a bound above that estimate that costs nothing to
    compute (the estimate takes about 2 ms for 10 KB of text). Generated: ``max_tokens``
    (or ``max_completion_tokens``), 0 when not set. Not JSON (audio uploads): ``(0, 0)``.

    >>> request_tokens(b'{"input": ["Hello, world!", "Hello, world!"]}')
    (18, 0)
    >>> request_tokens(b'{"input": ["Hello, world!", "Hello, world!"]}', precise=False)
    (45, 0)
    >>> request_tokens(b"--boundary"), request_tokens(None)
    ((0, 0), (0, 0))
    """
    if not content or not content.lstrip().startswith(b"{"):
        return 0, 0
    try:
        body = json.loads(content)
    except ValueError:
        return 0, 0
    if not isinstance(body, dict):
        return 0, 0
    out = body.get("max_tokens", body.get("max_completion_tokens"))
    generated = out if isinstance(out, int) and not isinstance(out, bool) and out > 0 else 0
    return (_count(body) if precise else len(content)), generated


def token_wait(
    tat: float, now: float, cost: float, rate: float, window: float
) -> tuple[float, float]:
    """A budget of ``rate * window`` tokens refilling at ``rate``: charge ``cost``.

    ``tat`` is when the budget would be full again (GCRA with a variable cost). Returns
    ``(new tat, seconds to wait before sending)``.

    >>> token_wait(0.0, 0.0, 500.0, 100.0, 10.0)  # 1,000 tokens held: half of them
    (5.0, 0.0)
    >>> token_wait(5.0, 0.0, 800.0, 100.0, 10.0)  # 300 too many: wait 3 s
    (13.0, 3.0)
    """
    new_tat = max(tat, now) + cost / rate
    return new_tat, max(new_tat - window - now, 0.0)


class TokenPacer:
    """The token budgets of one limiter (prompt, generated), at ``headroom`` of the limit.

    Args:
        headroom: share of the announced limit to pace at.
        clock: monotonic seconds (tests pass a fake).

    Example:
        >>> now = [0.0]
        >>> pacer = TokenPacer(0.5, clock=lambda: now[0])
        >>> pacer.learn(TokenLimits(prompt=100.0))  # 6,000 held, refilled at 50 tokens/s
        >>> pacer.reserve(6000, 0), pacer.reserve(100, 0)
        (0.0, 2.0)
    """

    def __init__(self, headroom: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._headroom = headroom
        self._clock = clock
        self._lock = threading.Lock()
        self._rate: dict[str, float] = {}  # kind -> tokens per second paced at
        self._tat: dict[str, float] = {}

    def learn(self, limits: TokenLimits) -> None:
        """Take an answer's token limits (and what is left of them)."""
        with self._lock:
            now = self._clock()
            for kind, limit, left in (
                ("prompt", limits.prompt, limits.prompt_remaining),
                ("generated", limits.generated, limits.generated_remaining),
            ):
                if limit is None:
                    continue
                rate = self._rate[kind] = limit * self._headroom
                if left is not None:  # the server's count: full in (capacity - left) / rate
                    self._tat[kind] = now + max(limit * WINDOW - left, 0.0) / rate

    def reserve_body(self, content: bytes | None) -> float:
        """Charge a request body (:func:`request_tokens`); seconds to wait before sending.

        While the budgets have room for the body's byte length, that bound is charged and
        nothing is estimated; only a request that might have to wait is estimated.
        """
        bound, generated = request_tokens(content, precise=False)
        if self.reserve(bound, generated, commit=False) == 0.0:
            return self.reserve(bound, generated)
        return self.reserve(request_tokens(content)[0], generated)

    def reserve(self, prompt: int, generated: int, *, commit: bool = True) -> float:
        """Charge one request; seconds to wait before sending it (0: at once).
        ``commit=False`` only looks."""
        wait = 0.0
        with self._lock:
            now = self._clock()
            for kind, cost in (("prompt", prompt), ("generated", generated)):
                rate = self._rate.get(kind)
                if rate is None or cost <= 0:
                    continue
                # The server's budget holds a minute of its limit; refilled at headroom
                # x the limit, that is WINDOW / headroom seconds of our rate.
                window = WINDOW / self._headroom
                tat, kind_wait = token_wait(self._tat.get(kind, now), now, cost, rate, window)
                if commit:
                    self._tat[kind] = tat
                wait = max(wait, kind_wait)
        return wait
