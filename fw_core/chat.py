"""Chat completions: one call, one stream, and the accumulator that merges a stream.

The framework layers build the request body (messages, tools, options) and hand it here;
everything about sending it, streaming it and merging the pieces lives in this module.

>>> from fw_core.wire import ChatCompletionChunk
>>> acc = ChatStreamAccumulator()
>>> for raw in [
...     {"id": "c1", "choices": [{"index": 0, "delta": {"content": "Hel"}}]},
...     {"id": "c1", "choices": [{"delta": {"content": "lo"}, "finish_reason": "stop"}]},
...     {"id": "c1", "choices": [], "usage": {"prompt_tokens": 3, "total_tokens": 5}},
... ]:
...     acc.add(ChatCompletionChunk.model_validate(raw))
>>> r = acc.result()
>>> r.choices[0].message.content, r.choices[0].finish_reason, r.usage.total_tokens
('Hello', 'stop', 5)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fw_core.chat_options import check_chat_options
from fw_core.client import AsyncClient, Client, ResponseHeaders
from fw_core.errors import ConfigurationError
from fw_core.streaming import StreamMeta, aiter_chunks, iter_chunks
from fw_core.wire import (
    ChatChoice,
    ChatCompletion,
    ChatCompletionChunk,
    ChatMessage,
    FunctionCall,
    ToolCall,
    Usage,
    parse_model,
)

if TYPE_CHECKING:
    from fw_core.providers import ProviderSpec

__all__ = [
    "AsyncChatStream",
    "ChatResponse",
    "ChatStream",
    "ChatStreamAccumulator",
    "acreate",
    "astream",
    "create",
    "stream",
]

logger = logging.getLogger("fw_core")

CHAT_PATH = "/chat/completions"


# ---------------------------------------------------------------------------------------
# accumulation


class _ToolCallState:
    __slots__ = ("args", "id", "name", "type")

    def __init__(self) -> None:
        self.id: str | None = None
        self.type: str | None = None
        self.name: str | None = None
        self.args: list[str] = []


class _ChoiceState:
    __slots__ = (
        "content",
        "finish_reason",
        "logprobs",
        "reasoning",
        "refusal",
        "role",
        "tool_alias",
        "tools",
    )

    def __init__(self) -> None:
        self.role = "assistant"
        self.content: list[str] = []
        self.reasoning: list[str] = []
        self.refusal: list[str] = []
        self.tools: dict[int, _ToolCallState] = {}
        # wire index -> slot in ``tools`` that fragments with this index continue
        self.tool_alias: dict[int, int] = {}
        self.finish_reason: str | None = None
        self.logprobs: list[Any] = []


class ChatStreamAccumulator:
    """Merges streamed chunks into one :class:`~fw_core.wire.ChatCompletion`.

    Per choice index: content and reasoning deltas concatenate; tool-call fragments merge
    by their ``index`` (first non-empty ``id``/``name`` kept, ``arguments`` concatenated), so
    parallel calls interleaved in one stream come out as separate calls. Usage is taken
    from whichever chunk carries it (the finish chunk, or a trailing chunk with empty
    ``choices``); a later usage replaces an earlier one. Pieces are kept in lists and joined
    once, so a long stream costs linear time. Top-level extras (Firmware ``tools_executed``,
    Fireworks ``perf_metrics``) are kept, last value wins.
    """

    def __init__(self) -> None:
        self.id = ""
        self.model = ""
        self.created: int | None = None
        self.system_fingerprint: str | None = None
        self.usage: Usage | None = None
        self.extra: dict[str, Any] = {}
        self._choices: dict[int, _ChoiceState] = {}

    def add(self, chunk: ChatCompletionChunk) -> None:
        if chunk.id and not self.id:
            self.id = chunk.id
        if chunk.model:
            self.model = chunk.model
        if chunk.created is not None and self.created is None:
            self.created = chunk.created
        if chunk.system_fingerprint:
            self.system_fingerprint = chunk.system_fingerprint
        if chunk.usage is not None:
            self.usage = chunk.usage
        if chunk.model_extra:
            for key, value in chunk.model_extra.items():
                if value is not None:
                    self.extra[key] = value
        for choice in chunk.choices:
            state = self._choices.get(choice.index)
            if state is None:
                state = self._choices[choice.index] = _ChoiceState()
            delta = choice.delta
            if delta.role:
                state.role = delta.role
            if delta.content:
                state.content.append(delta.content)
            if delta.reasoning_content:
                state.reasoning.append(delta.reasoning_content)
            if delta.refusal:
                state.refusal.append(delta.refusal)
            if delta.tool_calls:
                for tc in delta.tool_calls:
                    self._merge_tool_call(state, tc.index, tc.id, tc.type, tc.function)
            if choice.finish_reason:
                state.finish_reason = choice.finish_reason
            if choice.logprobs is not None:
                state.logprobs.append(choice.logprobs)

    @staticmethod
    def _merge_tool_call(
        state: _ChoiceState,
        index: int,
        call_id: str | None,
        call_type: str | None,
        function: FunctionCall | None,
    ) -> None:
        wire_index = index
        index = state.tool_alias.get(wire_index, wire_index)
        tc = state.tools.get(index)
        if tc is not None and call_id and tc.id and call_id != tc.id:
            # A server that numbers every call 0 but gives each its own id: a new call.
            # Later fragments with this wire index (and no id) continue the new call.
            index = max(state.tools) + 1
            state.tool_alias[wire_index] = index
            tc = None
        if tc is None:
            tc = state.tools[index] = _ToolCallState()
        if call_id and not tc.id:
            tc.id = call_id
        if call_type and not tc.type:
            tc.type = call_type
        if function is not None:
            if function.name and not tc.name:
                tc.name = function.name
            if function.arguments:
                tc.args.append(function.arguments)

    @property
    def finished(self) -> bool:
        """Every choice seen so far has a finish_reason."""
        return bool(self._choices) and all(c.finish_reason for c in self._choices.values())

    def result(self) -> ChatCompletion:
        """The merged completion (valid at any point; complete once the stream ended)."""
        choices = []
        for index in sorted(self._choices):
            st = self._choices[index]
            tool_calls = [
                ToolCall(
                    id=tc.id,
                    type=tc.type or "function",
                    function=FunctionCall(name=tc.name, arguments="".join(tc.args)),
                )
                for _, tc in sorted(st.tools.items())
            ]
            message = ChatMessage(
                role=st.role,
                content="".join(st.content) if st.content or not tool_calls else None,
                reasoning_content="".join(st.reasoning) if st.reasoning else None,
                tool_calls=tool_calls or None,
                refusal="".join(st.refusal) if st.refusal else None,
            )
            choices.append(
                ChatChoice(
                    index=index,
                    message=message,
                    finish_reason=st.finish_reason,
                    logprobs=_merge_logprobs(st.logprobs),
                )
            )
        return ChatCompletion(
            id=self.id,
            created=self.created,
            model=self.model,
            choices=choices,
            usage=self.usage,
            system_fingerprint=self.system_fingerprint,
            **self.extra,
        )


def _merge_logprobs(parts: list[Any]) -> Any:
    if not parts:
        return None
    if all(isinstance(p, dict) and isinstance(p.get("content"), list) for p in parts):
        return {"content": [item for p in parts for item in p["content"]]}
    return parts


# ---------------------------------------------------------------------------------------
# one call


@dataclass(slots=True)
class ChatResponse:
    """A finished chat call: the completion plus what the HTTP layer knew."""

    completion: ChatCompletion
    headers: Mapping[str, str] = field(default_factory=dict)
    request_id: str | None = None
    attempts: int = 1
    streamed: bool = False  # True when fw_core streamed internally (see create())


def _check_body(provider: ProviderSpec, body: dict[str, Any]) -> None:
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


def create(client: Client, body: dict[str, Any]) -> ChatResponse:
    """POST a non-streaming chat completion and parse it.

    Fireworks refuses non-streaming calls whose ``max_tokens`` exceeds 4096 (WIRE.md §1.15).
    Rather than fail, such a call is streamed internally and merged; the caller gets the
    same :class:`ChatResponse` with ``streamed=True``.
    """
    _check_body(client.provider, body)
    if _needs_internal_stream(client, body):
        logger.debug("max_tokens above the non-streaming limit: streaming internally")
        s = ChatStream(client, body)
        acc = ChatStreamAccumulator()
        for chunk in s:
            acc.add(chunk)
        return ChatResponse(acc.result(), s.headers, s.request_id, s.attempts, streamed=True)
    body = {k: v for k, v in body.items() if k not in ("stream", "stream_options")}
    resp = client.request("POST", CHAT_PATH, json_body=body)
    completion = parse_model(
        ChatCompletion, resp.content, status_code=resp.status_code, request_id=resp.request_id
    )
    return ChatResponse(completion, ResponseHeaders(resp.headers), resp.request_id, resp.attempts)


async def acreate(client: AsyncClient, body: dict[str, Any]) -> ChatResponse:
    """Async twin of :func:`create`."""
    _check_body(client.provider, body)
    if _needs_internal_stream(client, body):
        s = AsyncChatStream(client, body)
        acc = ChatStreamAccumulator()
        async for chunk in s:
            acc.add(chunk)
        return ChatResponse(acc.result(), s.headers, s.request_id, s.attempts, streamed=True)
    body = {k: v for k, v in body.items() if k not in ("stream", "stream_options")}
    resp = await client.request("POST", CHAT_PATH, json_body=body)
    completion = parse_model(
        ChatCompletion, resp.content, status_code=resp.status_code, request_id=resp.request_id
    )
    return ChatResponse(completion, ResponseHeaders(resp.headers), resp.request_id, resp.attempts)


# ---------------------------------------------------------------------------------------
# streams


class _StreamView:
    meta: StreamMeta

    @property
    def headers(self) -> Mapping[str, str]:
        return self.meta.headers

    @property
    def request_id(self) -> str | None:
        return self.meta.request_id

    @property
    def attempts(self) -> int:
        return self.meta.attempts


class ChatStream(_StreamView):
    """Iterate a streamed chat completion chunk by chunk.

    The request is sent when iteration starts (retrying only before the first byte);
    ``headers``/``request_id`` are filled in then. ``stream_options.include_usage`` is sent
    so the usage arrives in-stream. A stream that breaks, carries an error frame, or ends
    incomplete raises :class:`~fw_core.errors.StreamError` from the iterator.
    """

    def __init__(self, client: Client, body: dict[str, Any]) -> None:
        _check_body(client.provider, body)
        self._client = client
        self._body = _stream_body(body)
        self.meta = StreamMeta()

    def __iter__(self) -> Iterator[ChatCompletionChunk]:
        return iter_chunks(self._client, CHAT_PATH, self._body, ChatCompletionChunk, self.meta)


class AsyncChatStream(_StreamView):
    """Async twin of :class:`ChatStream`."""

    def __init__(self, client: AsyncClient, body: dict[str, Any]) -> None:
        _check_body(client.provider, body)
        self._client = client
        self._body = _stream_body(body)
        self.meta = StreamMeta()

    def __aiter__(self) -> AsyncIterator[ChatCompletionChunk]:
        return aiter_chunks(self._client, CHAT_PATH, self._body, ChatCompletionChunk, self.meta)


def stream(client: Client, body: dict[str, Any]) -> ChatStream:
    """Start a streamed chat completion (sent when you start iterating)."""
    return ChatStream(client, body)


def astream(client: AsyncClient, body: dict[str, Any]) -> AsyncChatStream:
    """Async twin of :func:`stream`."""
    return AsyncChatStream(client, body)
