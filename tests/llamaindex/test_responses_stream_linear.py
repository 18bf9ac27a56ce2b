"""``FireworksResponses`` streams: the message so far per event, in work that does not grow
with the answer (docs/wire.md §1.18; the chat path's rule in llamaindex_fw/_stream.py).

What a user relies on: every streamed ``ChatResponse`` carries the whole message so far
(text, thinking, tool calls, server-executed items), exactly the message the same partial
response converts to, and a long stream costs the same per event at its end as at its
start. Not timed: the test counts whole-response validations and the characters handed to
the JSON parser per event, for 200 and 2,000 deltas.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage, ToolCallBlock

from fw_core import FIREWORKS, Client
from fw_core.endpoints import responses as rs
from fw_core.testing import WireDouble
from llamaindex_fw import FireworksResponses
from llamaindex_fw._responses_stream import PartialMessage
from llamaindex_fw.responses import response_to_message

MODEL = "llama-v3p3-70b-instruct"
PIECE = "word "
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}
MCP = {"type": "mcp", "server_label": "gitmcp", "server_url": "https://gitmcp.io/docs"}


def _assert_each_event_matches(events: list[rs.ResponseEvent]) -> None:
    acc, built = rs.ResponseAccumulator(), PartialMessage()
    for n, event in enumerate(events):
        acc.add(event)
        if acc.final is not None:
            break
        got = built.message(acc.items())
        want = response_to_message(acc.partial())
        assert got.model_dump() == want.model_dump(), (n, event.type)


@pytest.mark.parametrize(
    "body",
    [
        {"input": "Describe the sea in a sentence."},
        {"input": "Use get_weather for Rome", "tools": [WEATHER]},
        {
            "input": "Use get_weather for Rome and Paris",
            "tools": [WEATHER, MCP],
            "reasoning": {"effort": "low", "summary": "auto"},
        },
    ],
    ids=["text", "tool", "reasoning-mcp-tool"],
)
def test_each_streamed_message_is_the_partial_response_converted(body: dict[str, Any]) -> None:
    double = WireDouble(stream_chunks=12)
    with Client(
        FIREWORKS, api_key="test-key", http_client=httpx.Client(transport=double.transport())
    ) as client:
        events = list(rs.stream(client, {"model": MODEL, **body}))
    assert sum(e.type.endswith(".delta") for e in events) > 1
    _assert_each_event_matches(events)


def test_odd_streams_convert_the_same() -> None:
    """Deltas without indexes, several parts, ``null`` / blank / non-object / dict
    arguments, raw reasoning text, a server item sent twice."""
    raw: list[dict[str, Any]] = [
        {"type": "response.created", "response": {"id": "resp_x"}},
        {"type": "response.output_text.delta", "delta": "no index "},
        {
            "type": "response.output_text.delta",
            "output_index": 0,
            "content_index": 1,
            "delta": "p1",
        },
        {
            "type": "response.output_item.added",
            "output_index": 1,
            "item": {"type": "function_call"},
        },
        {"type": "response.function_call_arguments.delta", "output_index": 1, "delta": " nu"},
        {"type": "response.function_call_arguments.delta", "output_index": 1, "delta": "ll "},
        {"type": "response.function_call_arguments.delta", "output_index": 1, "delta": "x"},
        {
            "type": "response.output_item.added",
            "output_index": 2,
            "item": {"type": "function_call", "id": "fc_2", "arguments": {"a": 1}},
        },
        {"type": "response.output_item.added", "output_index": 3, "item": {"type": "mcp_call"}},
        {
            "type": "response.output_item.done",
            "output_index": 3,
            "item": {"type": "mcp_call", "output": "done", "arguments": {"q": 1}},
        },
        {"type": "response.output_item.added", "output_index": 4, "item": {"type": "reasoning"}},
        {"type": "response.reasoning_text.delta", "output_index": 4, "delta": "hm"},
        {"type": "response.reasoning_summary_text.delta", "output_index": 4, "delta": "sum"},
        {"type": "response.function_call_arguments.delta", "output_index": 5, "delta": "[1]"},
        {"type": "response.function_call_arguments.delta", "output_index": 6, "delta": "{}"},
    ]
    _assert_each_event_matches([rs.ResponseEvent.model_validate(r) for r in raw])


def _sse(deltas: int) -> tuple[bytes, int, str]:
    """A canned stream: a call whose arguments come in ``deltas`` pieces, then a message
    of ``deltas`` pieces. Returns the SSE bytes, the event count and the text."""
    args = json.dumps({"text": PIECE * deltas})
    text = PIECE * deltas
    call = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "say"}
    message = {"type": "message", "id": "msg_1", "role": "assistant"}
    done_message = {**message, "content": [{"type": "output_text", "text": text}]}
    final = {"id": "resp_1", "status": "completed", "output": [{**call, "arguments": args}]}
    final["output"].append(done_message)
    arg_pieces = [args[:10], *([PIECE] * deltas), args[-2:]]
    assert "".join(arg_pieces) == args
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress"}},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {**call, "arguments": ""},
        },
    ]
    events += [
        {"type": "response.function_call_arguments.delta", "output_index": 0, "delta": p}
        for p in arg_pieces
    ]
    events += [
        {"type": "response.output_item.done", "output_index": 0, "item": final["output"][0]},
        {
            "type": "response.output_item.added",
            "output_index": 1,
            "item": {**message, "content": []},
        },
    ]
    events += [
        {
            "type": "response.output_text.delta",
            "output_index": 1,
            "content_index": 0,
            "delta": PIECE,
        }
    ] * deltas
    events += [
        {"type": "response.output_item.done", "output_index": 1, "item": done_message},
        {"type": "response.completed", "response": final},
    ]
    body = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
    return body.encode(), len(events), text


def _work_per_event(deltas: int, monkeypatch: pytest.MonkeyPatch) -> tuple[int, float]:
    """Whole-response validations, and characters given to ``json.loads`` per event, in
    one ``stream_chat``."""
    body, count, text = _sse(deltas)
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, content=body, headers={"content-type": "text/event-stream"}
        )
    )
    llm = FireworksResponses(
        model=MODEL,
        api_key="test-key",
        max_retries=0,
        http_client=httpx.Client(transport=transport),
    )
    validations: list[int] = []
    parsed: list[int] = []
    validate, loads = rs.Response.model_validate.__func__, json.loads  # type: ignore[attr-defined]

    def counting_validate(cls: type[rs.Response], obj: Any, **kw: Any) -> rs.Response:
        validations.append(1)
        return validate(cls, obj, **kw)

    def counting_loads(s: Any, **kw: Any) -> Any:
        parsed.append(len(s))
        return loads(s, **kw)

    with monkeypatch.context() as patch:
        patch.setattr(rs.Response, "model_validate", classmethod(counting_validate))
        patch.setattr(json, "loads", counting_loads)
        responses = list(llm.stream_chat([ChatMessage(role="user", content="Say words.")]))
    last = responses[-1]
    assert last.message.content == text
    [call] = [b for b in last.message.blocks if isinstance(b, ToolCallBlock)]
    assert call.tool_kwargs == {"text": text}
    # every event but created / added yields the message so far
    assert len(responses) == count - 3
    assert [r.message.content for r in responses[-deltas - 2 : -2]] == [
        PIECE * n for n in range(1, deltas + 1)
    ]
    return len(validations), sum(parsed) / count


def test_work_per_event_does_not_grow_with_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    short_validations, short_parsed = _work_per_event(200, monkeypatch)
    long_validations, long_parsed = _work_per_event(2000, monkeypatch)
    # the terminal response is validated (by the stream and by the LLM's accumulator);
    # the events before it are not, each
    assert long_validations == short_validations <= 2
    # the arguments are parsed a few times in all, not once per event as they grow
    assert long_parsed < short_parsed * 1.5, (short_parsed, long_parsed)
