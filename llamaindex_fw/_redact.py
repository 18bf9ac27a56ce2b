"""Per-call credential headers kept out of LlamaIndex instrumentation.

LlamaIndex core records a call's arguments as they were given: span handlers get the bound
arguments of every instrumented method, ``LLMChatStartEvent`` / ``LLMCompletionStartEvent``
carry the call's ``**kwargs`` as ``additional_kwargs``, and so does the ``CBEventType.LLM``
callback payload (``EventPayload.ADDITIONAL_KWARGS``). Tracing tools hook all three, so a
credential passed per call (``llm.chat(messages, extra_headers={"Authorization": ...})``)
would be recorded by each of them.

:func:`guard_call_credentials` wraps an LLM class's public methods *outside* core's wrappers
(``dispatcher.span`` and the ``llm_*_callback`` decorators): before any of them sees the call,
each credential header's value (``fw_core.kit.connection.CREDENTIAL_HEADERS``) in
``extra_headers`` (also inside ``llm_kwargs`` of the structured-predict methods) is replaced by
a ``pydantic.SecretStr``, which prints and dumps as ``'**********'``. The request reads the
value back (``fw_core.kit.affinity.check_extra_headers``). The caller's dict is not changed.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from fw_core.kit.connection import hide_credential_headers

__all__ = ["GUARDED_METHODS", "guard_call_credentials", "hide_call_credentials"]

#: The public LLM methods that take per-call keyword arguments core instruments.
GUARDED_METHODS = (
    "chat",
    "achat",
    "stream_chat",
    "astream_chat",
    "complete",
    "acomplete",
    "stream_complete",
    "astream_complete",
    "chat_with_tools",
    "achat_with_tools",
    "stream_chat_with_tools",
    "astream_chat_with_tools",
    "predict_and_call",
    "apredict_and_call",
    "structured_predict",
    "astructured_predict",
    "stream_structured_predict",
    "astream_structured_predict",
)

_GUARD_MARK = "__fw_credentials_guarded__"


def hide_call_credentials(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` with credential header values hidden (a new dict when anything changed).

    >>> hide_call_credentials({"extra_headers": {"X-Api-Key": "k"}, "seed": 1})
    {'extra_headers': {'X-Api-Key': SecretStr('**********')}, 'seed': 1}
    """
    out = kwargs
    headers = kwargs.get("extra_headers")
    if isinstance(headers, Mapping):
        out = {**kwargs, "extra_headers": hide_credential_headers(headers)}
    llm_kwargs = kwargs.get("llm_kwargs")
    if isinstance(llm_kwargs, Mapping) and isinstance(llm_kwargs.get("extra_headers"), Mapping):
        out = {**out, "llm_kwargs": hide_call_credentials(dict(llm_kwargs))}
    return out


def _guard(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` behind :func:`hide_call_credentials`, of the same kind (sync, async, agen)."""
    wrapper: Callable[..., Any]
    if inspect.isasyncgenfunction(method):

        @functools.wraps(method)
        async def agen_wrapper(self: Any, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            async for item in method(self, *args, **hide_call_credentials(kwargs)):
                yield item

        wrapper = agen_wrapper
    elif inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def async_wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            return await method(self, *args, **hide_call_credentials(kwargs))

        wrapper = async_wrapper
    else:

        @functools.wraps(method)
        def sync_wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            return method(self, *args, **hide_call_credentials(kwargs))

        wrapper = sync_wrapper
    setattr(wrapper, _GUARD_MARK, method)
    return wrapper


def guard_call_credentials(cls: type, *, own_only: bool = False) -> None:
    """Put :data:`GUARDED_METHODS` of ``cls`` behind the credential guard, in place.

    ``own_only``: only methods ``cls`` defines itself (for a subclass that overrides one;
    the inherited ones are guarded already).
    """
    for name in GUARDED_METHODS:
        if own_only and name not in vars(cls):
            continue
        method = vars(cls).get(name) if own_only else getattr(cls, name, None)
        if method is None or vars(method).get(_GUARD_MARK) is not None:
            continue
        setattr(cls, name, _guard(method))
