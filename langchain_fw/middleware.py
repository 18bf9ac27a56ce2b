"""Agent middleware: Fireworks prompt-cache session affinity keyed on the run's thread id.

Fireworks caches prompt prefixes per replica; on serverless a request lands on any replica
unless it carries an affinity key, so an agent's growing conversation misses the cache it
warmed a turn ago. :class:`FireworksPromptCachingMiddleware` sends the documented
``x-session-affinity`` header (docs/wire.md §1.19) on every model call of a LangGraph
thread, its value the SHA-256 hex of ``config["configurable"]["thread_id"]``: one thread,
one replica; two threads, two keys. It also writes the cached share of each answer's
prompt into ``response_metadata["prompt_cache"]``.

What langchain-fireworks' middleware of the same name does (langchain-ai/langchain#38823,
https://reference.langchain.com/python/langchain-fireworks/middleware) is the baseline:
thread-id hash, the caller's own affinity wins, nothing without a thread id. This one
adds the measured cache share per answer and refuses nothing it cannot place.

Needs ``langchain`` (the agent framework, ``pip install langchain``) besides
langchain-core.

Example:
    >>> from langchain_fw.middleware import FireworksPromptCachingMiddleware
    >>> FireworksPromptCachingMiddleware().name
    'FireworksPromptCachingMiddleware'
    >>> # agent = create_agent(ChatFireworks(model="kimi-k3"), tools,
    >>> #                      middleware=[FireworksPromptCachingMiddleware()])
    >>> # agent.invoke(inputs, {"configurable": {"thread_id": "user-42"}})
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal

try:
    from langchain.agents.middleware.types import AgentMiddleware, ModelRequest
except ImportError as exc:  # pragma: no cover - the dependency is present in tests
    raise ImportError(
        "langchain_fw.middleware needs the langchain agent framework: pip install langchain"
    ) from exc
from langchain_core.messages import AIMessage

from fw_core.errors import ConfigurationError
from fw_core.kit.affinity import SESSION_AFFINITY_HEADER, affinity_key, cached_share, has_header
from langchain_fw.chat_models import ChatFireworks

__all__ = ["FireworksPromptCachingMiddleware", "cached_token_share", "thread_id_of"]

Unsupported = Literal["ignore", "warn", "raise"]


def thread_id_of(request: ModelRequest[Any]) -> str | None:
    """The run's ``configurable.thread_id``, else the runtime's, else None."""
    try:
        from langgraph.config import get_config

        configurable = get_config().get("configurable") or {}
        thread = configurable.get("thread_id")
    except (ImportError, RuntimeError):  # outside a graph run: no config
        thread = None
    if thread is None:
        info = getattr(getattr(request, "runtime", None), "execution_info", None)
        thread = getattr(info, "thread_id", None)
    return None if thread is None else str(thread)


def cached_token_share(message: AIMessage) -> float | None:
    """The fraction of ``message``'s prompt read from the prompt cache (None if unknown).

    From ``usage_metadata``: ``input_token_details["cache_read"] / input_tokens``.

    >>> msg = AIMessage("", usage_metadata={"input_tokens": 400, "output_tokens": 5,
    ...     "total_tokens": 405, "input_token_details": {"cache_read": 300}})
    >>> cached_token_share(msg)
    0.75
    """
    usage = message.usage_metadata
    if not usage:
        return None
    details: Mapping[str, Any] = usage.get("input_token_details") or {}
    return cached_share(
        prompt_tokens=usage.get("input_tokens"), cached_tokens=details.get("cache_read")
    )


def _caller_affinity(model: ChatFireworks, settings: Mapping[str, Any]) -> bool:
    """Whether the caller already chose an affinity (header, prompt_cache_key or user)."""
    if has_header(
        SESSION_AFFINITY_HEADER,
        model.default_headers,
        model.extra_headers,
        settings.get("extra_headers"),
    ):
        return True
    return any(
        settings.get(name) is not None or getattr(model, name, None) is not None
        for name in ("prompt_cache_key", "user")
    )


class FireworksPromptCachingMiddleware(AgentMiddleware):
    """Send ``x-session-affinity`` (hash of the thread id) on a Fireworks agent's model calls.

    Args:
        unsupported_model_behavior: for a model that is not :class:`ChatFireworks`
            (``ChatFirmware``, another provider): ``"ignore"`` (default: the call goes
            as it is), ``"warn"``, or ``"raise"`` (ConfigurationError).
        report_share: write ``{"affinity_key", "cached_tokens", "prompt_tokens",
            "cached_share"}`` into each answer's ``response_metadata["prompt_cache"]``.

    The caller's own affinity wins: an ``x-session-affinity`` header (``default_headers``,
    ``extra_headers``, or per call), or a ``prompt_cache_key`` / ``user`` on the model or
    in the request's settings, and no header is added. A run without a thread id gets none.
    """

    def __init__(
        self, *, unsupported_model_behavior: Unsupported = "ignore", report_share: bool = True
    ) -> None:
        super().__init__()
        if unsupported_model_behavior not in ("ignore", "warn", "raise"):
            raise ConfigurationError(
                "unsupported_model_behavior must be 'ignore', 'warn' or 'raise', got "
                f"{unsupported_model_behavior!r}"
            )
        self.unsupported_model_behavior = unsupported_model_behavior
        self.report_share = report_share

    def _keyed(self, request: ModelRequest[Any]) -> tuple[ModelRequest[Any], str | None]:
        model = request.model
        if not isinstance(model, ChatFireworks):
            message = (
                f"{type(self).__name__} routes Fireworks' prompt cache; "
                f"{type(model).__name__} is not a ChatFireworks"
            )
            if self.unsupported_model_behavior == "raise":
                raise ConfigurationError(message)
            if self.unsupported_model_behavior == "warn":
                warnings.warn(message, stacklevel=3)
            return request, None
        thread = thread_id_of(request)
        settings = dict(request.model_settings)
        if thread is None or _caller_affinity(model, settings):
            return request, None
        key = affinity_key(thread)
        headers = dict(settings.get("extra_headers") or {})
        headers[SESSION_AFFINITY_HEADER] = key
        settings["extra_headers"] = headers
        return request.override(model_settings=settings), key

    def _report(self, response: Any, key: str | None) -> Any:
        if not self.report_share:
            return response
        messages = getattr(response, "result", None)
        if messages is None:
            messages = [response]
        for message in messages:
            if isinstance(message, AIMessage) and message.usage_metadata:
                usage = message.usage_metadata
                details: Mapping[str, Any] = usage.get("input_token_details") or {}
                message.response_metadata["prompt_cache"] = {
                    "affinity_key": key,
                    "cached_tokens": details.get("cache_read"),
                    "prompt_tokens": usage.get("input_tokens"),
                    "cached_share": cached_token_share(message),
                }
        return response

    def wrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], Any],
    ) -> Any:
        """Add the thread's affinity header, call the model, report the cached share."""
        keyed, key = self._keyed(request)
        return self._report(handler(keyed), key)

    async def awrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], Awaitable[Any]],
    ) -> Any:
        """Async twin of :meth:`wrap_model_call`."""
        keyed, key = self._keyed(request)
        return self._report(await handler(keyed), key)
