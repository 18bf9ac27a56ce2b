"""StreamTracker.result(): merging streamed chunks into one completion."""

from __future__ import annotations

import json
from typing import Any

from fw_core.kit.stream_delta import StreamTracker
from fw_core.wire import ChatCompletionChunk


def merge(raw_chunks: list[dict[str, Any]]) -> Any:
    acc = StreamTracker()
    for raw in raw_chunks:
        acc.feed(ChatCompletionChunk.model_validate(raw))
    return acc


def chunk(
    delta: dict[str, Any] | None = None, *, index: int = 0, finish: str | None = None, **top: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": "s1",
        "model": "m",
        "choices": [{"index": index, "delta": delta or {}, "finish_reason": finish}],
    }
    out.update(top)
    return out


def tc(
    index: int, *, id: str | None = None, name: str | None = None, args: str | None = None
) -> dict[str, Any]:
    call: dict[str, Any] = {"index": index}
    if id:
        call["id"] = id
        call["type"] = "function"
    fn: dict[str, Any] = {}
    if name:
        fn["name"] = name
    if args is not None:
        fn["arguments"] = args
    if fn:
        call["function"] = fn
    return call


def test_plain_text_and_metadata() -> None:
    acc = merge(
        [
            chunk({"role": "assistant"}, created=111, system_fingerprint="fp"),
            chunk({"content": "Hel"}),
            chunk({"content": "lo"}, finish="stop"),
        ]
    )
    r = acc.result()
    assert r.id == "s1" and r.model == "m" and r.created == 111
    assert r.system_fingerprint == "fp"
    msg = r.choices[0].message
    assert (msg.role, msg.content, msg.tool_calls) == ("assistant", "Hello", None)
    assert r.choices[0].finish_reason == "stop"
    assert acc.finished


def test_two_parallel_tool_calls_interleaved_with_arguments_split_mid_token() -> None:
    args_a = json.dumps({"location": "Paris", "unit": "celsius"})
    args_b = json.dumps({"query": "weather \u2028 news", "n": 10})
    acc = merge(
        [
            chunk(
                {
                    "role": "assistant",
                    "tool_calls": [tc(0, id="call_a", name="get_weather", args="")],
                }
            ),
            chunk({"tool_calls": [tc(1, id="call_b", name="search", args=args_b[:7])]}),
            chunk({"tool_calls": [tc(0, args=args_a[:5])]}),  # cut inside '"location"'
            chunk({"tool_calls": [tc(1, args=args_b[7:20])]}),
            chunk({"tool_calls": [tc(0, args=args_a[5:])]}),
            chunk({"tool_calls": [tc(1, args=args_b[20:])]}, finish="tool_calls"),
        ]
    )
    r = acc.result()
    calls = r.choices[0].message.tool_calls
    assert [(c.id, c.function.name) for c in calls] == [
        ("call_a", "get_weather"),
        ("call_b", "search"),
    ]
    assert json.loads(calls[0].function.arguments) == {"location": "Paris", "unit": "celsius"}
    assert json.loads(calls[1].function.arguments) == {"query": "weather \u2028 news", "n": 10}
    assert all(c.type == "function" for c in calls)
    assert r.choices[0].message.content is None  # tool-only answers have no text
    assert r.choices[0].finish_reason == "tool_calls"


def test_every_call_has_index_zero_but_distinct_ids() -> None:
    # A server quirk: each call restarts at index 0, with its own id; continuation
    # fragments carry no id and must stay with the call they continue.
    acc = merge(
        [
            chunk({"tool_calls": [tc(0, id="call_1", name="add", args="")]}),
            chunk({"tool_calls": [tc(0, args='{"a": 1, ')]}),
            chunk({"tool_calls": [tc(0, args='"b": 2}')]}),
            chunk({"tool_calls": [tc(0, id="call_2", name="mul", args="")]}),
            chunk({"tool_calls": [tc(0, args='{"a": 3, ')]}),
            chunk({"tool_calls": [tc(0, args='"b": 4}')]}, finish="tool_calls"),
        ]
    )
    calls = acc.result().choices[0].message.tool_calls
    assert [(c.id, c.function.name, json.loads(c.function.arguments)) for c in calls] == [
        ("call_1", "add", {"a": 1, "b": 2}),
        ("call_2", "mul", {"a": 3, "b": 4}),
    ]


def test_index_zero_quirk_with_whole_calls_in_one_fragment() -> None:
    acc = merge(
        [
            chunk({"tool_calls": [tc(0, id="a", name="f", args="{}")]}),
            chunk({"tool_calls": [tc(0, id="b", name="g", args='{"x": 1}')]}, finish="tool_calls"),
        ]
    )
    calls = acc.result().choices[0].message.tool_calls
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        ("a", "f", "{}"),
        ("b", "g", '{"x": 1}'),
    ]


def test_tool_arguments_sent_as_an_object_become_json_text() -> None:
    acc = merge(
        [
            chunk(
                {
                    "tool_calls": [
                        {"index": 0, "id": "c", "function": {"name": "f", "arguments": {"k": "v"}}}
                    ]
                },
                finish="tool_calls",
            )
        ]
    )
    args = acc.result().choices[0].message.tool_calls[0].function.arguments
    assert json.loads(args) == {"k": "v"}


def test_usage_only_on_last_chunk_with_null_elsewhere() -> None:
    usage = {"prompt_tokens": 46, "completion_tokens": 20, "total_tokens": 66}
    acc = merge(
        [
            chunk({"role": "assistant"}, usage=None),
            chunk({"content": "x"}, usage=None),
            chunk({}, finish="length", usage=usage),
        ]
    )
    r = acc.result()
    assert (r.usage.prompt_tokens, r.usage.completion_tokens, r.usage.total_tokens) == (46, 20, 66)
    assert r.choices[0].finish_reason == "length"


def test_usage_on_trailing_chunk_with_empty_choices() -> None:
    acc = merge(
        [
            chunk({"content": "Paris."}, finish="stop"),
            {
                "id": "s1",
                "choices": [],
                "usage": {
                    "prompt_tokens": 18,
                    "completion_tokens": 3,
                    "total_tokens": 21,
                    "prompt_tokens_details": {"cached_tokens": 16},
                    "completion_tokens_details": {"reasoning_tokens": 2},
                },
            },
        ]
    )
    r = acc.result()
    assert len(r.choices) == 1
    assert r.usage.total_tokens == 21
    assert r.usage.cached_tokens == 16 and r.usage.reasoning_tokens == 2


def test_no_usage_at_all() -> None:
    r = merge([chunk({"content": "x"}, finish="stop")]).result()
    assert r.usage is None


def test_later_usage_replaces_earlier() -> None:
    r = merge(
        [
            chunk({"content": "x"}, finish="stop", usage={"prompt_tokens": 1, "total_tokens": 1}),
            {
                "id": "s1",
                "choices": [],
                "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
            },
        ]
    ).result()
    assert r.usage.total_tokens == 7


def test_reasoning_deltas_under_both_names() -> None:
    r = merge(
        [
            chunk({"reasoning_content": "Think "}),
            chunk({"reasoning": "harder."}),
            chunk({"content": "42"}, finish="stop"),
        ]
    ).result()
    msg = r.choices[0].message
    assert msg.reasoning_content == "Think harder."
    assert msg.content == "42"


def test_structured_reasoning_is_ignored_not_fatal() -> None:
    r = merge([chunk({"reasoning": {"summary": []}, "content": "ok"}, finish="stop")]).result()
    assert r.choices[0].message.reasoning_content is None
    assert r.choices[0].message.content == "ok"


def test_refusal() -> None:
    r = merge([chunk({"refusal": "I can't "}), chunk({"refusal": "help."}, finish="stop")]).result()
    assert r.choices[0].message.refusal == "I can't help."
    assert r.choices[0].message.content == ""


def test_n_greater_than_one_choices_kept_apart() -> None:
    acc = merge(
        [
            chunk({"content": "A"}, index=1),
            chunk({"content": "B"}, index=0),
            chunk({"content": "a"}, index=1, finish="stop"),
        ]
    )
    assert not acc.finished  # choice 0 has no finish_reason yet
    acc.feed(ChatCompletionChunk.model_validate(chunk({"content": "b"}, index=0, finish="length")))
    r = acc.result()
    assert [(c.index, c.message.content, c.finish_reason) for c in r.choices] == [
        (0, "Bb", "length"),
        (1, "Aa", "stop"),
    ]
    assert acc.finished


def test_top_level_extras_kept() -> None:
    r = merge(
        [
            chunk({"content": "x"}),
            chunk({}, finish="stop", tools_executed=["brave_web_search"], perf_metrics={"t": 1}),
        ]
    ).result()
    assert r.model_extra["tools_executed"] == ["brave_web_search"]
    assert r.model_extra["perf_metrics"] == {"t": 1}


def test_logprobs_merged_across_chunks() -> None:
    lp = lambda tok: {"content": [{"token": tok, "logprob": -0.1}]}  # noqa: E731
    r = merge(
        [
            {"id": "s", "choices": [{"index": 0, "delta": {"content": "a"}, "logprobs": lp("a")}]},
            {
                "id": "s",
                "choices": [
                    {
                        "index": 0,
                        "delta": {"content": "b"},
                        "logprobs": lp("b"),
                        "finish_reason": "stop",
                    }
                ],
            },
        ]
    ).result()
    assert [t["token"] for t in r.choices[0].logprobs["content"]] == ["a", "b"]
    # logprobs of another shape are kept as the list of parts
    r = merge(
        [
            {
                "id": "s",
                "choices": [
                    {
                        "index": 0,
                        "delta": {},
                        "logprobs": {"tokens": ["x"]},
                        "finish_reason": "stop",
                    }
                ],
            }
        ]
    ).result()
    assert r.choices[0].logprobs == [{"tokens": ["x"]}]


def test_empty_accumulator() -> None:
    acc = StreamTracker()
    assert not acc.finished
    assert acc.result().choices == []


def test_first_id_kept_and_last_model_wins() -> None:
    r = merge(
        [
            {"id": "first", "model": "m1", "choices": [{"index": 0, "delta": {"content": "a"}}]},
            {
                "id": "second",
                "model": "m2",
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            },
        ]
    ).result()
    assert (r.id, r.model) == ("first", "m2")


def test_first_non_empty_id_and_name_are_kept() -> None:
    # Some servers repeat the name (or send an empty one) on every fragment: it must
    # neither be concatenated nor replaced (docs/wire.md §3.5: keep the first non-empty).
    acc = merge(
        [
            chunk(
                {"tool_calls": [{"index": 0, "id": "", "function": {"name": "", "arguments": ""}}]}
            ),
            chunk({"tool_calls": [tc(0, id="call_x", name="get_weather", args='{"a"')]}),
            chunk(
                {
                    "tool_calls": [
                        {"index": 0, "function": {"name": "get_weather", "arguments": ": 1}"}}
                    ]
                }
            ),
            chunk(
                {"tool_calls": [{"index": 0, "function": {"name": "other", "arguments": ""}}]},
                finish="tool_calls",
            ),
        ]
    )
    (call,) = acc.result().choices[0].message.tool_calls
    assert (call.id, call.function.name, call.function.arguments) == (
        "call_x",
        "get_weather",
        '{"a": 1}',
    )
