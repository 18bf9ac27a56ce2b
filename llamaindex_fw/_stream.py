"""Stream deltas -> LlamaIndex ``ChatResponse`` objects.

:class:`fw_core.kit.stream_delta.StreamTracker` follows the stream (tool-call merge, inline
``<think>`` splitting, usage, extras); this module only maps what it reports to the
response LlamaIndex expects: the delta text, the message so far (the tracker joins its
pieces once per response, so a long answer stays linear) and ``additional_kwargs``
(``thinking_delta``, finish reason, usage of the chunk that carried it, response extras,
request id/headers). Only choice 0 is followed (LlamaIndex chat has one answer).

>>> from fw_core.kit.stream_delta import StreamTracker
>>> from fw_core.wire import ChatCompletionChunk
>>> t = StreamTracker(split_think=True)
>>> for raw in [{"choices": [{"delta": {"content": "Hel"}}]},
...             {"choices": [{"delta": {"content": "lo"}, "finish_reason": "stop"}]}]:
...     r = stream_response(t, t.feed(ChatCompletionChunk.model_validate(raw)))
>>> r.delta, r.message.content, r.additional_kwargs["finish_reason"]
('lo', 'Hello', 'stop')
"""

from __future__ import annotations

from collections.abc import Mapping
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

from fw_core.kit.stream_delta import ChoiceState, StreamDelta, StreamTracker
from llamaindex_fw._messages import usage_to_kwargs

__all__ = ["stream_message", "stream_response"]


def stream_message(choice: ChoiceState | None) -> ChatMessage:
    """The message assembled so far: thinking, text and tool-call blocks.

    A call that came without an id is named ``call_<index>``.
    """
    if choice is None:
        return ChatMessage(role=MessageRole.ASSISTANT, blocks=[TextBlock(text="")])
    blocks: list[ContentBlock] = []
    additional: dict[str, Any] = {}
    reasoning = choice.reasoning_text()
    if reasoning:
        blocks.append(ThinkingBlock(content=reasoning))
        additional["reasoning_content"] = reasoning
    text = choice.text()
    calls = choice.calls
    if text or not calls:
        blocks.append(TextBlock(text=text))
    for i, call in enumerate(calls):
        blocks.append(
            ToolCallBlock(
                tool_call_id=call.id or f"call_{i}",
                tool_name=call.name or "",
                tool_kwargs=call.arguments(),
            )
        )
    role = choice.role
    return ChatMessage(
        role=MessageRole.ASSISTANT if role == "assistant" else MessageRole(role),
        blocks=blocks,
        additional_kwargs=additional,
    )


def stream_response(
    tracker: StreamTracker, delta: StreamDelta, meta: Mapping[str, Any] | None = None
) -> ChatResponse | None:
    """The response to yield for one delta, or None when it changes nothing.

    A delta changes something when it adds text, thinking or tool-call fragments, carries
    usage, or is a chunk with choices once the answer has its finish reason. ``meta``
    (request id, headers) is merged into every response's ``additional_kwargs``.
    """
    choice = tracker.choice()
    finish_reason = choice.finish_reason if choice is not None else None
    chunk = delta.chunk
    if not (
        delta.text
        or delta.reasoning
        or delta.tool_calls
        or delta.usage is not None
        or (chunk is not None and chunk.choices and finish_reason)
    ):
        return None
    kwargs: dict[str, Any] = usage_to_kwargs(delta.usage)
    if delta.reasoning:
        kwargs["thinking_delta"] = delta.reasoning
    if finish_reason:
        kwargs["finish_reason"] = finish_reason
    if tracker.extras:
        kwargs.update(tracker.extra_fields())
    if meta:
        kwargs.update(meta)
    return ChatResponse(
        message=stream_message(choice),
        delta=delta.text,
        raw=chunk,
        additional_kwargs=kwargs,
    )
