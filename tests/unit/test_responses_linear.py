"""A Responses stream folds in linear time (docs/wire.md §1.18; the chat path's rule in
fw_core/kit/stream_delta.py).

What a user relies on: streaming a long answer costs the same per event at its end as at
its start, and reading the response so far between events loses nothing. Not timed: the
memory :meth:`ResponseAccumulator.add` allocates per event is traced (tracemalloc), and it
must not grow with the text already streamed (appending each delta to the whole text so
far allocates a copy of it per event).
"""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest

from fw_core.endpoints import responses as rs

PIECE = "word "

#: delta event type -> the item it grows
KINDS: dict[str, dict[str, Any]] = {
    "response.output_text.delta": {"type": "message", "role": "assistant", "content": []},
    "response.function_call_arguments.delta": {
        "type": "function_call",
        "call_id": "call_1",
        "name": "f",
        "arguments": "",
    },
    "response.reasoning_summary_text.delta": {"type": "reasoning", "summary": []},
    "response.reasoning_text.delta": {"type": "reasoning", "summary": []},
}


def _events(kind: str, deltas: int) -> list[rs.ResponseEvent]:
    raw: list[dict[str, Any]] = [
        {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress"}},
        {"type": "response.output_item.added", "output_index": 0, "item": dict(KINDS[kind])},
    ]
    raw += [{"type": kind, "output_index": 0, "content_index": 0, "delta": PIECE}] * deltas
    return [rs.ResponseEvent.model_validate(r) for r in raw]


def _bytes_per_add(events: list[rs.ResponseEvent]) -> float:
    """Mean of the most memory each ``add`` allocated beyond what was held before it."""
    acc = rs.ResponseAccumulator()
    total = 0
    tracing = tracemalloc.is_tracing()  # another tracer (PYTHONTRACEMALLOC) is left running
    if not tracing:
        tracemalloc.start()
    try:
        for event in events:
            before, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            acc.add(event)
            total += tracemalloc.get_traced_memory()[1] - before
    finally:
        if not tracing:
            tracemalloc.stop()
    return total / len(events)


def _text(response: rs.Response, kind: str) -> str:
    if kind == "response.output_text.delta":
        return response.output_text
    if kind == "response.function_call_arguments.delta":
        return "".join(c.arguments or "" for c in response.function_calls)
    return response.reasoning_text


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_memory_per_event_does_not_grow_with_the_text(kind: str) -> None:
    short, long = _bytes_per_add(_events(kind, 200)), _bytes_per_add(_events(kind, 2000))
    # a copy of the text per event would be ~500 bytes per event at 200 deltas and
    # ~5,000 at 2,000; pieces kept in a list cost the same at both lengths
    assert long < short * 1.5 + 64, (short, long)
    assert long < len(PIECE) * 200  # far below the text so far at the end (10,000 bytes)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_reading_between_events_keeps_every_piece(kind: str) -> None:
    acc = rs.ResponseAccumulator()
    seen: list[str] = []
    for event in _events(kind, 50):
        acc.add(event)
        seen.append(_text(acc.partial(), kind))
        acc.items()  # a second read between events joins nothing twice
    assert seen[-1] == PIECE * 50
    assert seen[2:] == [PIECE * n for n in range(1, 51)]
    assert acc.response_id == "resp_1"
