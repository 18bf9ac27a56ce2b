"""``FwRateLimiter``: LlamaIndex's ``rate_limiter=`` hook over fw_core's shared limiter.

Our own LlamaIndex classes need nothing: every fw_core call already waits for the shared,
self-tuning limiter of its (base URL, key, model) (docs/rate_limits.md). llama-index-core
(0.14.x) asks an LLM's or an embedding model's ``rate_limiter`` for a slot before each
call; this class hands it the same limiter, so that another integration calling Fireworks
(``llama-index-llms-fireworks``, ``OpenAILike`` pointed at Fireworks) paces with ours on the
same key and model, or paces at a limit you give it. ``num_tokens`` is not used: token
limits are paced from what the server announces (docs/rate_limits.md "Token limits").

Example:
    >>> from llamaindex_fw import FwRateLimiter
    >>> limiter = FwRateLimiter(model="gpt-oss-120b", api_key="example-key",
    ...                         requests_per_minute=600, burst=1)
    >>> limiter.acquire()  # the first slot: no wait
    >>> limiter.take(blocking=False)  # the next one is 0.1 s away at 600 per minute
    False
"""

from __future__ import annotations

from llama_index.core.rate_limiter import BaseRateLimiter

from fw_core.ratelimit.hook import SharedSlots

__all__ = ["FwRateLimiter"]


class FwRateLimiter(SharedSlots, BaseRateLimiter):
    """A LlamaIndex rate limiter sharing fw_core's limiter for one key and model.

    Args: as :class:`fw_core.ratelimit.hook.SharedSlots` (``model``, ``api_key``,
    ``base_url``, ``provider``, ``requests_per_minute``, ``burst``).

    Used on one of our classes as well, it does not make that call take two slots.
    """

    def acquire(self, num_tokens: int = 0) -> None:
        """Wait for a slot (``num_tokens`` is not used)."""
        self.take()

    async def async_acquire(self, num_tokens: int = 0) -> None:
        """Async twin of :meth:`acquire`."""
        await self.atake()
