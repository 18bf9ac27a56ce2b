"""The frameworks' ``rate_limiter=`` hooks over fw_core's shared limiter, written once.

LangChain chat models and LlamaIndex LLMs and embeddings take a ``rate_limiter`` that the
framework asks for a slot before each call. :class:`SharedSlots` is what both adapters'
``FwRateLimiter`` classes are made of: it finds fw_core's limiter for one (base URL, key,
model) (:func:`fw_core.ratelimit.registry.limiter_for`), reserves a slot there and marks it as
paid for the call about to run (:func:`fw_core.ratelimit.limiter.prepay`), so that a call of
ours does not take a second one while a call of another integration on the same key
paces with ours. It only reserves: other integrations do not report their answers, so it
learns from the answers our classes receive and from ``requests_per_minute``.

Example:
    >>> slots = SharedSlots("gpt-oss-120b", api_key="example-key",
    ...                     requests_per_minute=600, burst=1)
    >>> slots.take(), slots.take(blocking=False)
    (True, False)
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fw_core import ratelimit
from fw_core.providers import provider_named

__all__ = ["SharedSlots"]


class SharedSlots:
    """Slots of fw_core's shared limiter for one key and model.

    Args:
        model: the model id as you give it to the model class (Fireworks short ids are
            expanded, as our classes expand them).
        api_key: default from the provider's env vars. Only a one-way hash of it is kept
            (:func:`fw_core.ratelimit.registry.key_id`), the same in every process: a pickled copy
            in a spawned worker shares the limiter of that worker's clients on the key.
        base_url: default from the provider's env vars, else its public URL.
        provider: ``"fireworks"`` (default) or ``"firmware"``.
        requests_per_minute: a limit to pace at before (or without) any announced one.
        burst: requests let through at once with ``requests_per_minute``.
    """

    def __init__(
        self,
        model: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        provider: str = "fireworks",
        requests_per_minute: float | None = None,
        burst: int | None = None,
    ) -> None:
        spec = provider_named(provider)  # ConfigurationError (a ValueError) for another name
        self.provider = provider
        self.model = spec.normalize_model(model)
        self.base_url = spec.resolve_base_url(base_url)
        self._key_id = ratelimit.key_id(spec.resolve_api_key(api_key).get_secret_value())
        self.requests_per_minute = requests_per_minute
        self.burst = burst
        self._limiter = self._lookup()

    def _lookup(self) -> ratelimit.RateLimiter:
        limiter = ratelimit.limiter_for(self.base_url, self._key_id, self.model)
        if self.requests_per_minute is not None:
            limiter.set_limit(self.requests_per_minute, burst=self.burst)
        return limiter

    @property
    def limiter(self) -> ratelimit.RateLimiter:
        """The shared fw_core limiter (``set_limit``, ``snapshot``, ``forget``)."""
        return self._limiter

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.model!r}, base_url={self.base_url!r})"

    def __getstate__(self) -> dict[str, Any]:
        # The limiter (a lock) stays behind; the copy finds its process's own by the key id,
        # which every process derives alike from the key (docs/rate_limits.md).
        return {k: v for k, v in self.__dict__.items() if k != "_limiter"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._limiter = self._lookup()

    def take(self, *, blocking: bool = True) -> bool:
        """Take a slot, waiting for it unless ``blocking`` is False (then: whether one was free)."""
        ratelimit.prepay(None)  # a slot an earlier call here did not use
        wait, _ = self._limiter.acquire(commit=blocking)
        if wait > 0:
            if not blocking:
                return False
            time.sleep(wait)
        ratelimit.prepay(self._limiter)
        return True

    async def atake(self, *, blocking: bool = True) -> bool:
        """Async twin of :meth:`take`."""
        ratelimit.prepay(None)  # a slot an earlier call here did not use
        wait, _ = await self._limiter.aacquire(commit=blocking)
        if wait > 0:
            if not blocking:
                return False
            await asyncio.sleep(wait)
        ratelimit.prepay(self._limiter)
        return True
