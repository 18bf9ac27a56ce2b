"""Chat completions: one call and one stream.

The framework layers build the request body (messages, tools, options) and hand it here;
everything about sending it, streaming it and merging the pieces lives in this module.

A stream merges into one completion with :class:`~fw_core.kit.stream_delta.StreamTracker`
(its :meth:`~fw_core.kit.stream_delta.StreamTracker.result`):

>>> from fw_core.wire import ChatCompletionChunk
>>> acc = StreamTracker()
>>> for raw in [
...     {"id": "c1", "choices": [{"index": 0, "delta": {"content": "Hel"}}]},
...     {"id": "c1", "choices": [{"delta": {"content": "lo"}, "finish_reason": "stop"}]},
...     {"id": "c1", "choices": [], "usage": {"prompt_tokens": 3, "total_tokens": 5}},
... ]:
...     _ = acc.feed(ChatCompletionChunk.model_validate(raw))
>>> r = acc.result()
>>> r.choices[0].message.content, r.choices[0].finish_reason, r.usage.total_tokens
('Hello', 'stop', 5)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fw_core.errors import ConfigurationError
from fw_core.http.client import AsyncClient, Client, ResponseHeaders
from fw_core.http.streaming import StreamMeta, aiter_chunks, iter_chunks
from fw_core.kit.chat_options import check_chat_options
from fw_core.kit.stream_delta import StreamTracker
from fw_core.wire import ChatCompletion, ChatCompletionChunk, parse_model

if TYPE_CHECKING:
    from fw_core.providers import ProviderSpec

__all__ = [
    "AsyncChatStream",
    "ChatResponse",
    "ChatStream",
    "acreate",
    "astream",
    "check_request",
    "create",
    "stream",
]

logger = logging.getLogger("fw_core")

CHAT_PATH = "/chat/completions"


# ---------------------------------------------------------------------------------------
# one call


@dataclass(slots=True)
class ChatResponse:
    """A finished chat call: the completion plus what the HTTP layer knew."""

    completion: ChatCompletion
    headers: Mapping[str, str] = field(default_factory=dict)
    request_id: str | None = None
    attempts: int = 1


def check_request(provider: ProviderSpec, body: dict[str, Any]) -> None:
    """Refuse a body the API would refuse, before anything is sent."""
    if not body.get("model"):
        raise ConfigurationError("chat request needs a model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ConfigurationError("chat request needs at least one message")
    check_chat_options(provider, body)


def _needs_internal_stream(client: Client | AsyncClient, body: dict[str, Any]) -> bool:
    limit = client.provider.max_nonstream_tokens
    if limit is None:
        return False
    requested = body.get("max_tokens") or body.get("max_completion_tokens")
    return isinstance(requested, int) and requested > limit


def _stream_body(body: dict[str, Any]) -> dict[str, Any]:
    out = dict(body)
    out["stream"] = True
    opts = dict(out.get("stream_options") or {})
    opts.setdefault("include_usage", True)
    out["stream_options"] = opts
    return out


def create(
    client: Client, body: dict[str, Any], headers: Mapping[str, str] | None = None
) -> ChatResponse:
    """POST a non-streaming chat completion and parse it.

    ``headers`` are this call's own request headers, laid over the client's (its
    ``default_headers`` included; names compare case-insensitively, the call's win):
    ``x-session-affinity`` and the like (docs/wire.md §1.19).

    Fireworks refuses non-streaming calls whose ``max_tokens`` exceeds 4096 (docs/wire.md §1.15).
    Rather than fail, such a call is streamed internally and merged; the caller gets the
    same :class:`ChatResponse`.
    """
    check_request(client.provider, body)
    if _needs_internal_stream(client, body):
        logger.debug("max_tokens above the non-streaming limit: streaming internally")
        s = ChatStream(client, body, headers)
        merged = StreamTracker()  # every extra field kept, content as sent
        for chunk in s:
            merged.feed(chunk)
        return ChatResponse(merged.result(), s.headers, s.request_id, s.attempts)
    body = {k: v for k, v in body.items() if k not in ("stream", "stream_options")}
    resp = client.request("POST", CHAT_PATH, json_body=body, headers=headers)
    completion = parse_model(
        ChatCompletion, resp.content, status_code=resp.status_code, request_id=resp.request_id
    )
    return ChatResponse(completion, ResponseHeaders(resp.headers), resp.request_id, resp.attempts)


async def acreate(
    client: AsyncClient, body: dict[str, Any], headers: Mapping[str, str] | None = None
) -> ChatResponse:
    """Async twin of :func:`create`."""
    check_request(client.provider, body)
    if _needs_internal_stream(client, body):
        s = AsyncChatStream(client, body, headers)
        merged = StreamTracker()
        async for chunk in s:
            merged.feed(chunk)
        return ChatResponse(merged.result(), s.headers, s.request_id, s.attempts)
    body = {k: v for k, v in body.items() if k not in ("stream", "stream_options")}
    resp = await client.request("POST", CHAT_PATH, json_body=body, headers=headers)
    completion = parse_model(
        ChatCompletion, resp.content, status_code=resp.status_code, request_id=resp.request_id
    )
    return ChatResponse(completion, ResponseHeaders(resp.headers), resp.request_id, resp.attempts)


# ---------------------------------------------------------------------------------------
# streams

_C = TypeVar("_C", Client, AsyncClient)


class _StreamView(Generic[_C]):
    """What both stream classes share: the checked body, and what the response said."""

    def __init__(
        self, client: _C, body: dict[str, Any], headers: Mapping[str, str] | None = None
    ) -> None:
        check_request(client.provider, body)
        self._client: _C = client
        self._body = _stream_body(body)
        self._headers = headers
        self.meta = StreamMeta()

    @property
    def headers(self) -> Mapping[str, str]:
        return self.meta.headers

    @property
    def request_id(self) -> str | None:
        return self.meta.request_id

    @property
    def attempts(self) -> int:
        return self.meta.attempts


class ChatStream(_StreamView[Client]):
    """Iterate a streamed chat completion chunk by chunk.

    The request is sent when iteration starts (retrying only before the first byte);
    ``headers``/``request_id`` are filled in then. ``stream_options.include_usage`` is sent
    so the usage arrives in-stream. A stream that breaks, carries an error frame, or ends
    incomplete raises :class:`~fw_core.errors.StreamError` from the iterator. ``headers``
    are the call's own request headers (see :func:`create`).
    """

    def __iter__(self) -> Iterator[ChatCompletionChunk]:
        return iter_chunks(
            self._client, CHAT_PATH, self._body, ChatCompletionChunk, self.meta, self._headers
        )


class AsyncChatStream(_StreamView[AsyncClient]):
    """Async twin of :class:`ChatStream`."""

    def __aiter__(self) -> AsyncIterator[ChatCompletionChunk]:
        return aiter_chunks(
            self._client, CHAT_PATH, self._body, ChatCompletionChunk, self.meta, self._headers
        )


def stream(
    client: Client, body: dict[str, Any], headers: Mapping[str, str] | None = None
) -> ChatStream:
    """Start a streamed chat completion (sent when you start iterating)."""
    return ChatStream(client, body, headers)


def astream(
    client: AsyncClient, body: dict[str, Any], headers: Mapping[str, str] | None = None
) -> AsyncChatStream:
    """Async twin of :func:`stream`."""
    return AsyncChatStream(client, body, headers)
