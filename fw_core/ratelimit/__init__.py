"""Client-side rate limiting: one adaptive limiter per (base URL, key, model).

``fw_core.ratelimit`` is the public face; the parts are :mod:`.limiter` (the
:class:`RateLimiter` and its knobs), :mod:`.pacing` (reading the limit headers, the bucket
and rate arithmetic, all pure), :mod:`.registry` (one limiter per key and model in a
process, or a shared one's stand-ins), :mod:`.share` (a process's share of an account
limit), :mod:`.token_limits` (token limits), :mod:`.ray` (one limiter for a Ray job, an
optional dependency, imported on use) and :mod:`.hook` (the frameworks' ``rate_limiter=``
hooks).

>>> from fw_core import ratelimit
>>> limiter = ratelimit.limiter_for("https://api.example", ratelimit.key_id("k"), "m")
>>> limiter.snapshot().limit_rpm is None  # nothing learned yet
True
"""

from __future__ import annotations

from fw_core.ratelimit.limiter import (
    DEFAULT_HEADROOM,
    DEFAULT_MAX_WAIT,
    INCREASE,
    MIN_RATE_SHARE,
    MIN_RETRY_WAIT,
    LimiterState,
    RateLimiter,
    prepay,
    take_prepaid,
)
from fw_core.ratelimit.pacing import (
    DECREASE,
    RECOVERY,
    Announced,
    decreased,
    increased,
    read_headers,
    recovered,
    reserve,
    tat_for_remaining,
    wanted_headers,
)
from fw_core.ratelimit.registry import (
    KEY_ID_PERSON,
    SHARED_ENV,
    SharedFactory,
    key_id,
    limiter_for,
    limiters,
    reset,
    use_shared,
)

__all__ = [
    "DECREASE",
    "DEFAULT_HEADROOM",
    "DEFAULT_MAX_WAIT",
    "INCREASE",
    "KEY_ID_PERSON",
    "MIN_RATE_SHARE",
    "MIN_RETRY_WAIT",
    "RECOVERY",
    "SHARED_ENV",
    "Announced",
    "LimiterState",
    "RateLimiter",
    "SharedFactory",
    "decreased",
    "increased",
    "key_id",
    "limiter_for",
    "limiters",
    "prepay",
    "read_headers",
    "recovered",
    "reserve",
    "reset",
    "take_prepaid",
    "tat_for_remaining",
    "use_shared",
    "wanted_headers",
]
