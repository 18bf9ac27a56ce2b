"""``FwRateLimiter``: LangChain's ``rate_limiter=`` hook over fw_core's shared limiter.

Our own LangChain classes need nothing: every fw_core call already waits for the shared,
self-tuning limiter of its (base URL, key, model) (docs/rate_limits.md). This class hands
the same limiter to any LangChain chat model through the standard ``rate_limiter=``
field, so that another integration calling Fireworks (``langchain_fireworks``,
``ChatOpenAI`` pointed at Fireworks) paces with ours on the same key and model, or paces
at a limit you give it. It only reserves: other integrations do not report their
answers, so it learns from the answers our classes receive, and from
``requests_per_minute``.

Example:
    >>> from langchain_fw import FwRateLimiter
    >>> limiter = FwRateLimiter(model="gpt-oss-120b", api_key="example-key",
    ...                         requests_per_minute=600, burst=1)
    >>> limiter.acquire(), limiter.acquire(blocking=False)
    (True, False)
"""

from __future__ import annotations

from langchain_core.rate_limiters import BaseRateLimiter

from fw_core.ratelimit.hook import SharedSlots

__all__ = ["FwRateLimiter"]


class FwRateLimiter(SharedSlots, BaseRateLimiter):
    """A LangChain rate limiter sharing fw_core's limiter for one key and model.

    Args: as :class:`fw_core.ratelimit.hook.SharedSlots` (``model``, ``api_key``,
    ``base_url``, ``provider``, ``requests_per_minute``, ``burst``).

    Used on one of our classes as well, it does not make that call take two slots.
    """

    def acquire(self, *, blocking: bool = True) -> bool:
        """Take a slot, waiting for it unless ``blocking`` is False (then: whether one was free)."""
        return self.take(blocking=blocking)

    async def aacquire(self, *, blocking: bool = True) -> bool:
        """Async twin of :meth:`acquire`."""
        return await self.atake(blocking=blocking)
