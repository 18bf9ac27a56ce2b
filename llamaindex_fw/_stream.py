"""Streamed chat chunks -> LlamaIndex ``ChatResponse`` objects, in linear time.

Every response a LlamaIndex stream yields carries the message so far; building that from
scratch for each chunk would make a long answer quadratic. :class:`StreamAssembler` keeps
running strings (content, reasoning, per-call arguments) and only wraps them in blocks.

Tool-call fragments merge by their ``index``: the first non-empty id and name are kept and
the ``arguments`` pieces concatenate, so parallel calls interleaved in one stream stay
separate. A fragment that reuses an index with a *different* id starts a new call (some
servers number every call 0); id-less fragments then continue that newest call.
Inline ``<think>`` reasoning in ``content`` is split off with
:class:`fw_core.reasoning.ThinkSplitter`.

>>> from fw_core.wire import ChatCompletionChunk
>>> asm = StreamAssembler()
>>> r = asm.feed(ChatCompletionChunk.model_validate(
...     {"choices": [{"delta": {"content": "Hel"}}]}))
>>> r = asm.feed(ChatCompletionChunk.model_validate(
...     {"choices": [{"delta": {"content": "lo"}, "finish_reason": "stop"}]}))
>>> r.delta, r.message.content
('lo', 'Hello')
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ContentBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from fw_core.reasoning import ThinkSplitter
from fw_core.wire import ChatCompletionChunk, ToolCallDelta, Usage
from llamaindex_fw._messages import usage_to_kwargs

__all__ = ["StreamAssembler"]


class _Call:
    __slots__ = ("args", "id", "name")

    def __init__(self) -> None:
        self.id: str | None = None
        self.name = ""
        self.args = ""


class StreamAssembler:
    """Feed chunks of one streamed chat completion; get a ``ChatResponse`` per useful chunk.

    ``extras`` names top-level response fields copied into ``additional_kwargs`` once seen
    (the provider spec's ``response_extras``: Firmware's ``tools_executed``, Fireworks'
    ``perf_metrics``). Only choice 0 is followed (LlamaIndex chat has one answer).
    :meth:`feed` returns None for a chunk that changes nothing (e.g. a role-only first
    delta); :meth:`flush` returns the text an inline-think splitter held back at the very
    end, if any.
    """

    __slots__ = (
        "_calls",
        "_extras",
        "_latest",
        "_splitter",
        "content",
        "extra",
        "finish_reason",
        "id",
        "meta",
        "model",
        "reasoning",
        "role",
        "usage",
    )

    def __init__(self, extras: tuple[str, ...] = ()) -> None:
        self._extras = extras
        self.content = ""
        self.reasoning = ""
        self.role = MessageRole.ASSISTANT
        self.finish_reason: str | None = None
        self.usage: Usage | None = None
        self.id = ""
        self.model = ""
        self.extra: dict[str, Any] = {}
        self._calls: dict[int, _Call] = {}
        self._latest: dict[int, int] = {}  # wire index -> our index of its newest call
        self._splitter = ThinkSplitter()
        #: request id / headers merged into every response's additional_kwargs (set by the LLM)
        self.meta: dict[str, Any] | None = None

    # -- merging ------------------------------------------------------------------------

    def _merge_call(self, delta: ToolCallDelta) -> None:
        key = self._latest.get(delta.index, delta.index)
        call = self._calls.get(key)
        if call is not None and delta.id and call.id and delta.id != call.id:
            key = max(self._calls) + 1
            call = None
        if call is None:
            call = self._calls[key] = _Call()
            self._latest[delta.index] = key
        if delta.id and not call.id:
            call.id = delta.id
        fn = delta.function
        if fn is not None:
            if fn.name and not call.name:
                call.name = fn.name
            if fn.arguments:
                call.args += fn.arguments

    def feed(self, chunk: ChatCompletionChunk) -> ChatResponse | None:
        """Merge one chunk; the response to yield for it, or None."""
        if chunk.id and not self.id:
            self.id = chunk.id
        if chunk.model:
            self.model = chunk.model
        if chunk.model_extra:
            self.extra.update({k: v for k, v in chunk.model_extra.items() if v is not None})
        text_delta = ""
        thinking_delta = ""
        calls_changed = False
        for choice in chunk.choices:
            if choice.index != 0:
                continue
            delta = choice.delta
            if delta.role:
                self.role = MessageRole(delta.role)
            if delta.reasoning_content:
                thinking_delta += delta.reasoning_content
            if delta.content:
                think, answer = self._splitter.feed(delta.content)
                thinking_delta += think
                text_delta += answer
            if delta.tool_calls:
                for tc in delta.tool_calls:
                    self._merge_call(tc)
                calls_changed = True
            if choice.finish_reason:
                self.finish_reason = choice.finish_reason
        if chunk.usage is not None:
            self.usage = chunk.usage
        self.content += text_delta
        self.reasoning += thinking_delta
        if not (
            text_delta
            or thinking_delta
            or calls_changed
            or chunk.usage is not None
            or (chunk.choices and self.finish_reason)
        ):
            return None
        return self._response(chunk, text_delta, thinking_delta, chunk.usage)

    def flush(self) -> ChatResponse | None:
        """End of stream: a last response for text the think-splitter held back, if any."""
        think, answer = self._splitter.flush()
        if not think and not answer:
            return None
        self.content += answer
        self.reasoning += think
        return self._response(None, answer, think, None)

    # -- output -------------------------------------------------------------------------

    def tool_call_blocks(self) -> list[ToolCallBlock]:
        return [
            ToolCallBlock(tool_call_id=c.id or f"call_{i}", tool_name=c.name, tool_kwargs=c.args)
            for i, c in sorted(self._calls.items())
        ]

    def message(self) -> ChatMessage:
        """The message assembled so far."""
        blocks: list[ContentBlock] = []
        additional: dict[str, Any] = {}
        if self.reasoning:
            blocks.append(ThinkingBlock(content=self.reasoning))
            additional["reasoning_content"] = self.reasoning
        if self.content or not self._calls:
            blocks.append(TextBlock(text=self.content))
        blocks.extend(self.tool_call_blocks())
        return ChatMessage(role=self.role, blocks=blocks, additional_kwargs=additional)

    def _response(
        self,
        raw: ChatCompletionChunk | None,
        text_delta: str,
        thinking_delta: str,
        usage: Usage | None,
    ) -> ChatResponse:
        kwargs: dict[str, Any] = usage_to_kwargs(usage)
        if thinking_delta:
            kwargs["thinking_delta"] = thinking_delta
        if self.finish_reason:
            kwargs["finish_reason"] = self.finish_reason
        for key in self._extras:
            if key in self.extra:
                kwargs[key] = self.extra[key]
        if self.meta:
            kwargs.update(self.meta)
        return ChatResponse(
            message=self.message(),
            delta=text_delta,
            raw=raw,
            additional_kwargs=kwargs,
        )
