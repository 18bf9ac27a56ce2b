"""StreamTracker: the one stream rule, as pure functions over chunk sequences."""

from __future__ import annotations

import json
from typing import Any

from fw_core.kit.stream_delta import StreamDelta, StreamTracker, merge_logprobs
from fw_core.wire import ChatCompletionChunk


def _chunk(
    delta: dict[str, Any] | None = None,
    *,
    index: int = 0,
    finish: str | None = None,
    **top: Any,
) -> ChatCompletionChunk:
    raw: dict[str, Any] = {"id": "s1", "model": "m", "choices": []}
    if delta is not None or finish is not None:
        raw["choices"] = [{"index": index, "delta": delta or {}, "finish_reason": finish}]
    raw.update(top)
    return ChatCompletionChunk.model_validate(raw)


def _tc(
    index: int, *, id: str | None = None, name: str | None = None, args: str | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {"index": index}
    if id is not None:
        out["id"], out["type"] = id, "function"
    fn: dict[str, Any] = {}
    if name is not None:
        fn["name"] = name
    if args is not None:
        fn["arguments"] = args
    if fn:
        out["function"] = fn
    return out


def _feed(tracker: StreamTracker, chunks: list[ChatCompletionChunk]) -> list[StreamDelta]:
    return [tracker.feed(c) for c in chunks]


def _fragments(deltas: list[StreamDelta]) -> list[tuple[int, str | None, str | None, str | None]]:
    return [(f.index, f.id, f.name, f.arguments) for d in deltas for f in d.tool_calls]


def _calls(tracker: StreamTracker) -> list[tuple[str | None, str | None, str]]:
    msg = tracker.result().choices[0].message
    return [(c.id, c.function.name, c.function.arguments or "") for c in msg.tool_calls or ()]


def test_tool_call_split_over_many_chunks() -> None:
    args = json.dumps({"location": "Paris", "unit": "celsius", "days": 3})
    pieces = [args[i : i + 4] for i in range(0, len(args), 4)]
    chunks = [_chunk({"role": "assistant", "tool_calls": [_tc(0, id="c1", name="w", args="")]})]
    chunks += [_chunk({"tool_calls": [_tc(0, args=p)]}) for p in pieces]
    chunks.append(_chunk({}, finish="tool_calls"))
    t = StreamTracker()
    deltas = _feed(t, chunks)
    frags = _fragments(deltas)
    assert {f[0] for f in frags} == {0}
    assert frags[0] == (0, "c1", "w", "")
    assert "".join(f[3] or "" for f in frags) == args
    assert _calls(t) == [("c1", "w", args)]
    assert deltas[-1].finish_reason == "tool_calls" and t.finished
    assert t.result().choices[0].message.content is None  # tool-only: no text


def test_new_id_on_a_reused_index_starts_a_new_call() -> None:
    t = StreamTracker()
    deltas = _feed(
        t,
        [
            _chunk({"tool_calls": [_tc(0, id="a", name="f", args='{"x": ')]}),
            _chunk({"tool_calls": [_tc(0, args="1}")]}),
            _chunk({"tool_calls": [_tc(0, id="b", name="g", args='{"y": ')]}),
            _chunk({"tool_calls": [_tc(0, args="2}")]}),  # continues b, not a
            _chunk({"tool_calls": [_tc(0, id="b", args="")]}, finish="tool_calls"),  # same id
        ],
    )
    assert [f[0] for f in _fragments(deltas)] == [0, 0, 1, 1, 1]
    assert _calls(t) == [("a", "f", '{"x": 1}'), ("b", "g", '{"y": 2}')]


def test_parallel_calls_interleaved_keep_their_own_arguments() -> None:
    t = StreamTracker()
    deltas = _feed(
        t,
        [
            _chunk({"tool_calls": [_tc(0, id="c0", name="add", args="")]}),
            _chunk({"tool_calls": [_tc(1, id="c1", name="mul", args='{"a": ')]}),
            _chunk({"tool_calls": [_tc(0, args='{"a": 2, ')]}),
            _chunk({"tool_calls": [_tc(1, args='4, "b": 5}')]}),
            _chunk({"tool_calls": [_tc(0, args='"b": 3}')]}, finish="tool_calls"),
        ],
    )
    assert [f[0] for f in _fragments(deltas)] == [0, 1, 0, 1, 0]
    assert _calls(t) == [("c0", "add", '{"a": 2, "b": 3}'), ("c1", "mul", '{"a": 4, "b": 5}')]


def test_two_fragments_in_one_chunk_and_indexes_numbered_by_opening() -> None:
    # Wire indexes 3 and 7 (a server that does not count from 0) become 0 and 1.
    t = StreamTracker()
    (d,) = _feed(
        t,
        [_chunk({"tool_calls": [_tc(3, id="p", name="f", args="{}"), _tc(7, id="q", name="g")]})],
    )
    assert _fragments([d]) == [(0, "p", "f", "{}"), (1, "q", "g", None)]
    assert _calls(t) == [("p", "f", "{}"), ("q", "g", "")]


def test_first_non_empty_id_and_name_are_kept_and_reported_once() -> None:
    t = StreamTracker()
    deltas = _feed(
        t,
        [
            _chunk({"tool_calls": [_tc(0, id="", name="", args="")]}),
            _chunk({"tool_calls": [_tc(0, id="call_x", name="get", args='{"a"')]}),
            _chunk({"tool_calls": [_tc(0, name="get", args=": 1}")]}),
            _chunk({"tool_calls": [_tc(0, name="other", args="")]}),
        ],
    )
    # The fragment that gave the call its id / name reports them; a repeat (or a later
    # different name without a new id) is not reported again (docs/wire.md §8).
    assert _fragments(deltas) == [
        (0, None, None, ""),
        (0, "call_x", "get", '{"a"'),
        (0, None, None, ": 1}"),
        (0, None, None, ""),
    ]
    assert _calls(t) == [("call_x", "get", '{"a": 1}')]


def test_think_split_across_chunk_boundaries() -> None:
    t = StreamTracker(split_think=True)
    deltas = _feed(
        t,
        [_chunk({"content": p}) for p in ["<thi", "nk>sum 2", " and 2</th", "ink>\n\nFo", "ur."]],
    )
    assert [(d.reasoning, d.text) for d in deltas] == [
        ("", ""),
        ("sum 2", ""),
        (" and 2", ""),
        ("", "Fo"),
        ("", "ur."),
    ]
    closing = t.finish()
    assert (closing.text, closing.reasoning, closing.chunk) == ("", "", None)
    msg = t.result().choices[0].message
    assert (msg.reasoning_content, msg.content) == ("sum 2 and 2", "Four.")


def test_think_held_back_until_finish() -> None:
    t = StreamTracker(split_think=True)
    (d,) = _feed(t, [_chunk({"content": "<think>unfinished</thi"})])
    assert (d.reasoning, d.text) == ("unfinished", "")
    closing = t.finish()
    assert (closing.has_choice, closing.reasoning, closing.text) == (True, "</thi", "")
    assert t.choice() is not None and t.choice().reasoning_text() == "unfinished</thi"  # type: ignore[union-attr]


def test_without_split_think_content_is_kept_as_sent() -> None:
    t = StreamTracker()
    deltas = _feed(t, [_chunk({"content": "<think>a</think>"}), _chunk({"content": "B"})])
    assert [(d.reasoning, d.text) for d in deltas] == [("", "<think>a</think>"), ("", "B")]
    assert t.finish().has_choice is False
    assert t.result().choices[0].message.content == "<think>a</think>B"


def test_reasoning_field_and_inline_think_in_one_chunk() -> None:
    t = StreamTracker(split_think=True)
    (d,) = _feed(t, [_chunk({"reasoning_content": "r1 ", "content": "<think>r2</think>ok"})])
    assert (d.reasoning, d.text) == ("r1 r2", "ok")


def test_usage_in_a_final_chunk_with_empty_choices() -> None:
    t = StreamTracker()
    usage = {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}
    deltas = _feed(t, [_chunk({"content": "Paris."}, finish="stop"), _chunk(None, usage=usage)])
    assert [d.has_choice for d in deltas] == [True, False]
    assert deltas[0].usage is None
    assert deltas[1].usage is not None and deltas[1].usage.total_tokens == 13
    assert (deltas[1].text, deltas[1].tool_calls, deltas[1].finish_reason) == ("", (), None)
    r = t.result()
    assert r.usage is not None and r.usage.total_tokens == 13
    assert (r.choices[0].message.content, r.choices[0].finish_reason) == ("Paris.", "stop")


def test_n_greater_than_one_choices_merge_apart_and_only_the_followed_one_is_reported() -> None:
    t = StreamTracker()
    deltas = _feed(
        t,
        [
            _chunk({"content": "A"}, index=1),
            _chunk({"content": "B"}, index=0),
            _chunk({"content": "a"}, index=1, finish="stop"),
        ],
    )
    assert [(d.has_choice, d.text) for d in deltas] == [(False, ""), (True, "B"), (False, "")]
    assert not t.finished
    t.feed(_chunk({"content": "b"}, index=0, finish="length"))
    r = t.result()
    assert [(c.index, c.message.content, c.finish_reason) for c in r.choices] == [
        (0, "Bb", "length"),
        (1, "Aa", "stop"),
    ]
    assert t.finished
    follower = StreamTracker(follow=1)
    assert follower.feed(_chunk({"content": "A"}, index=1)).text == "A"


def test_extras_named_are_kept_in_the_asked_order_last_non_null_wins() -> None:
    t = StreamTracker(extras=("tools_executed", "perf_metrics"))
    _feed(
        t,
        [
            _chunk({"content": "x"}, perf_metrics={"t": 1}, other="no"),
            _chunk({}, finish="stop", tools_executed=["search"], perf_metrics=None),
            _chunk(None, perf_metrics={"t": 2}),
        ],
    )
    assert list(t.extra_fields().items()) == [
        ("tools_executed", ["search"]),
        ("perf_metrics", {"t": 2}),
    ]
    every = StreamTracker()
    every.feed(_chunk({"content": "x"}, perf_metrics={"t": 1}, other="yes", gone=None))
    assert every.extra_fields() == {"perf_metrics": {"t": 1}, "other": "yes"}
    assert every.result().model_extra == {"perf_metrics": {"t": 1}, "other": "yes"}


def test_id_model_and_metadata() -> None:
    t = StreamTracker()
    _feed(
        t,
        [
            ChatCompletionChunk.model_validate(
                {"id": "", "model": "", "choices": [{"delta": {"role": "assistant"}}]}
            ),
            _chunk({"content": "a"}, id="first", model="m1", created=5, system_fingerprint="f"),
            _chunk({}, finish="stop", id="second", model="m2", created=6),
        ],
    )
    assert (t.id, t.model, t.created, t.system_fingerprint) == ("first", "m2", 5, "f")


def test_logprobs_per_chunk_and_merged() -> None:
    lp = lambda tok: {"content": [{"token": tok, "logprob": -0.1}]}  # noqa: E731
    t = StreamTracker()
    raw = [
        {"id": "s", "choices": [{"index": 0, "delta": {"content": "a"}, "logprobs": lp("a")}]},
        {"id": "s", "choices": [{"index": 0, "delta": {"content": "b"}, "logprobs": lp("b")}]},
    ]
    deltas = _feed(t, [ChatCompletionChunk.model_validate(r) for r in raw])
    assert deltas[0].logprobs == lp("a")
    choice = t.choice()
    assert choice is not None
    assert [x["token"] for x in choice.merged_logprobs()["content"]] == ["a", "b"]
    assert merge_logprobs([]) is None
    assert merge_logprobs([{"tokens": ["x"]}]) == [{"tokens": ["x"]}]


def test_refusal_delta_and_merge() -> None:
    t = StreamTracker()
    deltas = _feed(t, [_chunk({"refusal": "I can't "}), _chunk({"refusal": "help."})])
    assert [d.refusal for d in deltas] == ["I can't ", "help."]
    assert t.result().choices[0].message.refusal == "I can't help."


def test_joined_text_asked_after_every_chunk_stays_right() -> None:
    # The adapters ask for the text so far after each chunk; pieces collapse as they go.
    t = StreamTracker()
    seen = []
    for i in range(50):
        t.feed(_chunk({"content": f"{i},", "tool_calls": [_tc(0, id="c", args=f"{i}")]}))
        choice = t.choice()
        assert choice is not None
        seen.append((choice.text(), choice.calls[0].arguments()))
        assert len(choice.content) == 1 and len(choice.calls[0].args) == 1
    assert seen[-1][0] == "".join(f"{i}," for i in range(50))
    assert seen[-1][1] == "".join(str(i) for i in range(50))
    assert t.result().choices[0].message.content == seen[-1][0]


def test_no_chunks() -> None:
    t = StreamTracker(split_think=True)
    assert t.choice() is None and not t.finished
    closing = t.finish()
    assert (closing.has_choice, closing.text, closing.reasoning) == (False, "", "")
    assert t.result().choices == []
