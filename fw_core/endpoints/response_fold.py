"""Folding a Responses stream (docs/wire.md §1.18): :class:`ResponseAccumulator` turns
the events into the response they describe, in time linear in the stream.

>>> acc = ResponseAccumulator()
>>> for raw in [
...     {"type": "response.output_item.added", "output_index": 0, "item": {
...         "type": "function_call", "call_id": "c1", "name": "f", "arguments": ""}},
...     {"type": "response.function_call_arguments.delta", "output_index": 0, "delta": '{"x"'},
...     {"type": "response.function_call_arguments.delta", "output_index": 0, "delta": ': 1}'},
... ]:
...     acc.add(ResponseEvent.model_validate(raw))
>>> acc.items()[0]["arguments"], acc.final is None
('{"x": 1}', True)
"""

from __future__ import annotations

from typing import Any

from fw_core.endpoints.response_models import Response, ResponseEvent
from fw_core.errors import StreamError
from fw_core.kit.stream_delta import _joined  # the one lazy join of stream pieces

__all__ = ["REASONING_DELTAS", "TERMINAL_EVENTS", "ResponseAccumulator"]

#: The events that stream reasoning: a summary, or the reasoning text itself.
REASONING_DELTAS = ("response.reasoning_summary_text.delta", "response.reasoning_text.delta")

#: The events that end a whole stream, each carrying the final response (§1.18).
TERMINAL_EVENTS = frozenset({"response.completed", "response.incomplete", "response.failed"})


def _item(raw: Any) -> dict[str, Any]:
    return dict(raw) if isinstance(raw, dict) else {}


class _Text:
    """A growing text field of an output item: ``target[key]`` is the pieces, joined."""

    __slots__ = ("key", "pieces", "target")

    def __init__(self, target: dict[str, Any], key: str) -> None:
        self.target = target
        self.key = key
        first = str(target.get(key) or "")
        self.pieces = [first] if first else []

    def flush(self) -> None:
        self.target[self.key] = _joined(self.pieces)


class ResponseAccumulator:
    """Folds stream events into the response they describe.

    The terminal event (``response.completed`` / ``incomplete`` / ``failed``) carries the
    whole response and wins; until then :meth:`partial` rebuilds it from the deltas.
    Deltas are kept as lists of pieces and joined when read (:meth:`items`,
    :meth:`partial`), and a joined list collapses to its one string, so an event costs
    the same however long the answer already is: reading after every event copies the
    growing text once per read, never once per piece.
    """

    __slots__ = ("_items", "_snapshot", "_texts", "final", "terminal")

    def __init__(self) -> None:
        self._snapshot: dict[str, Any] = {}
        self._items: dict[int, dict[str, Any]] = {}
        # output index -> the growing text fields of that item, by (id(dict), key); an
        # entry holds its dict, so the id is not reused while the entry lives
        self._texts: dict[int, dict[tuple[int, str], _Text]] = {}
        self.final: Response | None = None
        self.terminal: str | None = None

    def _slot(self, event: ResponseEvent) -> tuple[int, dict[str, Any]]:
        index = event.get("output_index")
        index = index if isinstance(index, int) else max(self._items, default=-1)
        return index, self._items.setdefault(index, {"type": "message", "content": []})

    def _part(self, event: ResponseEvent, kind: str) -> tuple[int, dict[str, Any]]:
        index, item = self._slot(event)
        parts = item.setdefault("content", None) or []
        item["content"] = parts
        position = event.get("content_index")
        position = position if isinstance(position, int) else max(len(parts) - 1, 0)
        while len(parts) <= position:
            parts.append({"type": kind, "text": ""})
        return index, parts[position]

    def _grow(self, index: int, target: dict[str, Any], key: str, event: ResponseEvent) -> None:
        texts = self._texts.setdefault(index, {})
        text = texts.get((id(target), key))
        if text is None:
            text = texts[(id(target), key)] = _Text(target, key)
        delta = str(event.get("delta") or "")
        if delta:
            text.pieces.append(delta)

    def add(self, event: ResponseEvent) -> None:
        """Merge one event; unknown event types change nothing."""
        kind = event.type
        if kind in TERMINAL_EVENTS or kind in ("response.created", "response.in_progress"):
            snapshot = _item(event.get("response"))
            self._snapshot.update({k: v for k, v in snapshot.items() if k != "output"})
            if kind in TERMINAL_EVENTS:
                self.terminal = kind
                self.final = Response.model_validate(snapshot)
        elif kind in ("response.output_item.added", "response.output_item.done"):
            index = event.get("output_index")
            index = index if isinstance(index, int) else len(self._items)
            self._items[index] = _item(event.get("item"))
            self._texts.pop(index, None)  # the new item carries its text so far
        elif kind == "response.output_text.delta":
            index, part = self._part(event, "output_text")
            self._grow(index, part, "text", event)
        elif kind == "response.function_call_arguments.delta":
            index, item = self._slot(event)
            self._grow(index, item, "arguments", event)
        elif kind in REASONING_DELTAS:
            # a summary, or the raw reasoning text (OpenAI's two event names, §1.18)
            index, item = self._slot(event)
            field = "summary" if kind == REASONING_DELTAS[0] else "content"
            parts = item.get(field) or []
            item[field] = parts
            if not parts:
                parts.append({"type": f"{field}_text" if field == "summary" else "reasoning_text"})
            self._grow(index, parts[-1], "text", event)

    @property
    def response_id(self) -> str:
        """The response id announced so far (``""`` before ``response.created``)."""
        if self.final is not None:
            return self.final.id
        value = self._snapshot.get("id")
        return value if isinstance(value, str) else ""

    def items(self) -> list[dict[str, Any]]:
        """The output items so far, in output order, as the server's dicts with the
        streamed text written in (not validated; :meth:`partial` validates).

        Costs one join per text field that grew since the last call, and nothing per
        field that did not, so calling it after every event keeps a stream linear.
        """
        for texts in self._texts.values():
            for text in texts.values():
                text.flush()
        return [self._items[i] for i in sorted(self._items)]

    def partial(self) -> Response:
        """The response as far as the events went (validates every item: a whole-response
        read, not one to make per event)."""
        if self.final is not None:
            return self.final
        body = dict(self._snapshot)
        body["output"] = self.items()
        return Response.model_validate(body)

    def result(self) -> Response:
        """The finished response; raise :class:`StreamError` when the stream never ended."""
        if self.final is None:
            raise StreamError(
                "the responses stream ended before response.completed (the stream was cut)"
            )
        return self.final
