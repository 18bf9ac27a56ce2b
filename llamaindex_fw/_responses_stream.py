"""The message so far of a streamed Responses answer, per event, in constant work.

:class:`~llamaindex_fw.responses.FireworksResponses` yields a ``ChatResponse`` per delta
whose ``message`` is the answer so far (the contract of LlamaIndex streaming, as in
:func:`llamaindex_fw._stream.stream_message`). Validating the whole response and
converting it per event costs time that grows with the answer (a stream would cost
quadratic time); :class:`PartialMessage` builds the same message straight from the
accumulator's items (:meth:`fw_core.endpoints.responses.ResponseAccumulator.items`, one join per
grown text), and converts each finished piece once: a tool call's arguments are parsed
again only when their text changed and could be a JSON object or ``null``; a
server-executed item is validated once per item the server sent. The message equals
:func:`llamaindex_fw.responses.response_to_message` of the partial response.

>>> from fw_core.endpoints.responses import ResponseAccumulator, ResponseEvent
>>> acc, pm = ResponseAccumulator(), PartialMessage()
>>> for raw in [
...     {"type": "response.output_item.added", "output_index": 0,
...      "item": {"type": "message", "content": []}},
...     {"type": "response.output_text.delta", "output_index": 0, "delta": "Hel"},
...     {"type": "response.output_text.delta", "output_index": 0, "delta": "lo"},
... ]:
...     acc.add(ResponseEvent.model_validate(raw))
>>> pm.message(acc.items()).content
'Hello'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ContentBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from fw_core.endpoints.responses import OutputItem
from fw_core.kit.tool_args import ToolArgumentsError, parse_tool_arguments

__all__ = ["PartialMessage", "arguments_kwargs"]

_TEXT_PARTS = ("output_text", "text")


def arguments_kwargs(raw: str | None) -> dict[str, Any] | str:
    """A call's arguments text as ``tool_kwargs``: the dict, or the raw text when it is
    not one (docs/wire.md §8)."""
    try:
        return parse_tool_arguments(raw)
    except ToolArgumentsError:
        return raw or ""


def _may_parse(text: str) -> bool:
    """Whether ``text`` could parse as a JSON object or ``null`` (or is blank).

    Such text ends, but for trailing whitespace, in ``}`` or ``l``; any other text is
    left unparsed (:func:`arguments_kwargs` would give it back as is), so the arguments
    of a call still streaming are not re-read per event.
    """
    end = len(text) - 1
    while end >= 0 and text[end].isspace():
        end -= 1
    return end < 0 or text[end] in "}l"


def _texts(parts: Any, types: tuple[str, ...] | None) -> str:
    """The ``text`` of the dict parts (of the given types), joined (a lone part's text
    is returned as is, without a copy)."""
    return "".join(
        str(p.get("text") or "")
        for p in parts or ()
        if isinstance(p, dict) and (types is None or p.get("type") in types)
    )


def _reasoning(item: dict[str, Any]) -> str:
    """As :attr:`fw_core.endpoints.responses.OutputItem.reasoning_text`, on the raw item."""
    parts = item.get("summary") or []
    if not parts and item.get("type") == "reasoning":
        parts = item.get("content") or []
    return _texts(parts, None)


def _arguments_text(raw: Any) -> str | None:
    """As :class:`~fw_core.endpoints.responses.OutputItem` reads ``arguments``."""
    if isinstance(raw, dict | list):
        return json.dumps(raw)
    return None if raw is None else str(raw)


class PartialMessage:
    """Builds the message so far from the accumulator's items, event after event.

    Keeps what it converted: parsed arguments per call (kept while the call's arguments
    are the same object: the accumulator's joined text stays one object until it grows)
    and the dump of each server-executed item (kept while the item is the same dict: the
    accumulator replaces the dict when the server sends the item again).
    """

    __slots__ = ("_args", "_built_in")

    def __init__(self) -> None:
        self._args: dict[int, tuple[Any, dict[str, Any] | str]] = {}
        self._built_in: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}

    def _kwargs(self, position: int, raw: Any) -> dict[str, Any] | str:
        cached = self._args.get(position)
        if cached is not None and cached[0] is raw:
            return cached[1]
        text = _arguments_text(raw)
        kwargs = arguments_kwargs(text) if text is None or _may_parse(text) else text
        self._args[position] = (raw, kwargs)
        return kwargs

    def _dump(self, position: int, item: dict[str, Any]) -> dict[str, Any]:
        cached = self._built_in.get(position)
        if cached is not None and cached[0] is item:
            return cached[1]
        dump = OutputItem.model_validate(item).model_dump(exclude_none=True)
        self._built_in[position] = (item, dump)
        return dump

    def message(self, items: Sequence[dict[str, Any]]) -> ChatMessage:
        """The assistant message for ``items`` (as ``response_to_message`` builds it)."""
        blocks: list[ContentBlock] = []
        built_in: list[dict[str, Any]] = []
        reasoning: list[str] = []
        has_answer = False
        for position, item in enumerate(items):
            kind = item.get("type")
            if kind == "reasoning":
                text = _reasoning(item)
                blocks.append(ThinkingBlock(content=text))
                reasoning.append(text)
            elif kind == "message":
                blocks.append(TextBlock(text=_texts(item.get("content"), _TEXT_PARTS)))
                has_answer = True
            elif kind == "function_call":
                blocks.append(
                    ToolCallBlock(
                        tool_call_id=item.get("call_id") or item.get("id") or f"call_{len(blocks)}",
                        tool_name=item.get("name") or "",
                        tool_kwargs=self._kwargs(position, item.get("arguments")),
                    )
                )
                has_answer = True
            else:
                built_in.append(self._dump(position, item))
        if not has_answer:
            blocks.append(TextBlock(text=""))
        additional: dict[str, Any] = {}
        if built_in:
            additional["built_in_tool_calls"] = built_in
        joined = "".join(reasoning)
        if joined:
            additional["reasoning_content"] = joined
        return ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=additional)
