"""Stream quirks seen in real Fireworks traffic, replayed from the bytes the reports quote.

The bodies are rebuilt in ``tests/_reported.py`` from the raw chunks quoted in public bug
reports (each builder names its source); here they go through the SSE decoder, the chunk
reader and the :class:`~fw_core.kit.stream_delta.StreamTracker` exactly as a live stream
would (docs/wire.md §8).
"""

from __future__ import annotations

import json

import httpx
import pytest

from fw_core.endpoints import chat
from fw_core.kit.stream_delta import StreamTracker
from fw_core.kit.tool_args import ToolArgumentsError, parse_tool_arguments
from fw_core.testing import WireDouble
from fw_core.wire import ChatCompletionChunk
from tests._reported import (
    GLM_ARGS,
    KIMI_ARGS,
    WEATHER_ARGS,
    glm_repeated_tool_fields,
    kimi_repeated_name,
    tool_args_null,
    weather_repeated_id,
)

from ._core_support import Body, Recorder, make_client, pieces


def _tracked(body: bytes, chunk_size: int = 37) -> tuple[StreamTracker, list]:
    """Stream ``body`` (cut into odd-sized network pieces) through chat.stream."""
    response = httpx.Response(
        200, headers={"content-type": "text/event-stream"}, stream=Body(pieces(body, chunk_size))
    )
    client, _ = make_client(Recorder([response]))
    tracker = StreamTracker()
    deltas = [
        tracker.feed(c)
        for c in chat.stream(
            client, {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
        )
    ]
    deltas.append(tracker.finish())
    return tracker, deltas


@pytest.mark.parametrize(
    ("body", "call_id", "name", "args"),
    [
        (glm_repeated_tool_fields(), "chatcmpl-tool-aa62", "debug_tool", GLM_ARGS),
        (weather_repeated_id(), "call_sp6sdwt7GS7X4QZO1T7npswg", "get_weather", WEATHER_ARGS),
        (kimi_repeated_name(), "functions.search_files:99", "search_files", KIMI_ARGS),
    ],
    ids=["sillytavern-5948-glm", "litellm-8988-id", "hermes-8089-kimi"],
)
def test_repeated_id_and_name_are_one_call_reported_once(
    body: bytes, call_id: str, name: str, args: str
) -> None:
    """SillyTavern PR 5948, litellm issue 8988, hermes-agent issue 8089: a repeated id and
    name on an open index are the same call, not more text."""
    tracker, deltas = _tracked(body)
    (call,) = tracker.result().choices[0].message.tool_calls or ()
    assert (call.id, call.type, call.function.name) == (call_id, "function", name)
    assert json.loads(call.function.arguments or "") == json.loads(args)
    fragments = [f for d in deltas for f in d.tool_calls]
    assert len(fragments) >= 4
    # Concatenating the fragments field by field (what LangChain's chunk merge does)
    # gives the call: the id and name come on one fragment only.
    assert "".join(f.id or "" for f in fragments) == call_id
    assert "".join(f.name or "" for f in fragments) == name
    assert "".join(f.arguments or "" for f in fragments) == args
    assert {f.index for f in fragments} == {0}


def test_a_different_id_on_the_same_index_still_opens_a_new_call() -> None:
    # Two glm-shaped calls on wire index 0, each repeating its own id and name.
    frames = []
    for call_id, name, args in [("t1", "a", ["{}", ""]), ("t2", "b", ['{"x"', ": 1}"])]:
        for piece in args:
            call = {
                "index": 0,
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": piece},
            }
            frames.append({"id": "s", "choices": [{"index": 0, "delta": {"tool_calls": [call]}}]})
    frames.append(
        {"id": "s", "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}
    )
    body = b"".join(b"data: " + json.dumps(f).encode() + b"\n\n" for f in frames)
    tracker, deltas = _tracked(body + b"data: [DONE]\n\n")
    calls = tracker.result().choices[0].message.tool_calls or []
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        ("t1", "a", "{}"),
        ("t2", "b", '{"x": 1}'),
    ]
    named = [(f.index, f.id, f.name) for d in deltas for f in d.tool_calls if f.name]
    assert named == [(0, "t1", "a"), (1, "t2", "b")]


@pytest.mark.parametrize("arguments", ["null", "", " null ", "   "])
@pytest.mark.parametrize("cut", [1, 2, 4])
def test_null_or_empty_arguments_are_no_arguments(arguments: str, cut: int) -> None:
    """A no-argument tool answered ``"null"`` / ``""`` (reports in tests/_reported.py)."""
    tracker, deltas = _tracked(tool_args_null(arguments, pieces=cut), chunk_size=11)
    (call,) = tracker.result().choices[0].message.tool_calls or ()
    assert call.function.name == "get_time"
    assert call.function.arguments == arguments  # the merged answer keeps what was sent
    assert parse_tool_arguments(call.function.arguments) == {}
    # Fragments leave the ``null`` out, so their concatenation is no arguments at all.
    assert "".join(f.arguments or "" for d in deltas for f in d.tool_calls).strip() == ""


@pytest.mark.parametrize(
    ("pieces_sent", "passed_on"),
    [
        (["nu", "ll"], ""),  # held, then it is null: no arguments
        (["n", '{"a": 1}'], 'n{"a": 1}'),  # held, then not: everything passed on at once
        (["nu"], "nu"),  # ends while it could still be null: released by finish()
        (['{"a"', ": null}"], '{"a": null}'),  # a null inside an object is not held
    ],
)
def test_null_hold_back_passes_on_everything_else(pieces_sent: list[str], passed_on: str) -> None:
    t = StreamTracker()
    out = []
    for i, piece in enumerate(pieces_sent):
        call = {"index": 0, "function": {"arguments": piece}}
        if i == 0:
            call |= {"id": "c", "type": "function", "function": {"name": "f", "arguments": piece}}
        chunk = ChatCompletionChunk.model_validate(
            {"id": "s", "choices": [{"index": 0, "delta": {"tool_calls": [call]}}]}
        )
        out += t.feed(chunk).tool_calls
    closing = t.finish()
    out += closing.tool_calls
    assert "".join(f.arguments or "" for f in out) == passed_on
    assert t.result().choices[0].message.tool_calls[0].function.arguments == "".join(pieces_sent)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, {}),
        ("", {}),
        ("  \n", {}),
        ("null", {}),
        (" null\n", {}),
        ("{}", {}),
        ('{"city": "Oslo"}', {"city": "Oslo"}),
    ],
)
def test_parse_tool_arguments_valid(text: str | None, expected: dict) -> None:
    assert parse_tool_arguments(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[1]", "not a JSON object"),
        ('"x"', "not a JSON object"),
        ("0", "not a JSON object"),
        ('{"a": ', "not valid JSON"),
        ("nul", "not valid JSON"),
    ],
)
def test_parse_tool_arguments_refuses_what_no_tool_can_take(text: str, reason: str) -> None:
    with pytest.raises(ToolArgumentsError, match=reason):
        parse_tool_arguments(text)


@pytest.mark.parametrize("choices", ["absent", "empty", "null"])
def test_usage_only_chunk_with_no_choices_is_read(choices: str) -> None:
    """Fireworks ends some streams with a usage-only chunk whose ``choices`` is empty or
    absent: https://github.com/Portkey-AI/gateway/issues/1627 (a gateway crashed on it),
    https://github.com/pixeltable/pixeltable/pull/1234 (an IndexError on ``choices[0]``)."""
    head = {"id": "chatcmpl-u", "object": "chat.completion.chunk", "model": "m"}
    usage = {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}
    last: dict = {**head, "usage": usage}
    if choices != "absent":
        last["choices"] = [] if choices == "empty" else None
    frames = [
        {**head, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi"}}]},
        {**head, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "usage": None},
        last,
    ]
    body = b"".join(b"data: " + json.dumps(f).encode() + b"\n\n" for f in frames)
    tracker, deltas = _tracked(body + b"data: [DONE]\n\n")
    result = tracker.result()
    assert result.choices[0].message.content == "Hi"
    assert result.choices[0].finish_reason == "stop"
    assert result.usage is not None and result.usage.total_tokens == 15
    assert deltas[-2].usage is not None and not deltas[-2].has_choice


def test_the_double_can_stream_the_repeating_pattern() -> None:
    body = {
        "model": "accounts/fireworks/models/glm-5p2",
        "stream": True,
        "messages": [{"role": "user", "content": "Use f for 'Oslo'."}],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "f",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                },
            }
        ],
    }
    for repeat in (False, True):
        double = WireDouble(repeat_tool_fields=repeat)
        http = httpx.Client(transport=double.transport())
        r = http.post(
            "https://api.fireworks.ai/inference/v1/chat/completions",
            headers={"Authorization": "Bearer test"},
            json=body,
        )
        frames = [
            json.loads(line[len("data: ") :])
            for line in r.text.split("\n")
            if line.startswith("data: {")
        ]
        calls = [
            tc for f in frames for c in f["choices"] for tc in c["delta"].get("tool_calls", [])
        ]
        assert len(calls) >= 3
        named = [tc for tc in calls if (tc.get("function") or {}).get("name")]
        assert len(named) == (len(calls) if repeat else 1)
        assert {tc.get("id") for tc in named} == {calls[0]["id"]}
        tracker, _ = _tracked(r.content)
        (call,) = tracker.result().choices[0].message.tool_calls or ()
        assert (call.function.name, json.loads(call.function.arguments or "")) == (
            "f",
            {"city": "Oslo"},
        )
