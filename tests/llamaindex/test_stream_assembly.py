"""Streamed responses: deltas, accumulated message, thinking deltas, usage, tool calls."""

from __future__ import annotations

import json
from typing import Any

import httpx
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ThinkingBlock,
    ToolCallBlock,
)

from fw_core.kit.stream_delta import StreamTracker
from fw_core.wire import ChatCompletionChunk
from llamaindex_fw import Fireworks
from llamaindex_fw._stream import stream_response


class _Assembler:
    """Tracker + mapping, as FwLLM's stream loop drives them."""

    def __init__(self) -> None:
        self.tracker = StreamTracker(extras=("tools_executed",), split_think=True)

    def feed(self, chunk: ChatCompletionChunk) -> ChatResponse | None:
        return stream_response(self.tracker, self.tracker.feed(chunk))

    def flush(self) -> ChatResponse | None:
        return stream_response(self.tracker, self.tracker.finish())


def _chunk(
    delta: dict[str, Any] | None = None,
    finish: str | None = None,
    usage: dict[str, int] | None = None,
) -> ChatCompletionChunk:
    raw: dict[str, Any] = {"id": "s1", "model": "m", "choices": []}
    if delta is not None or finish is not None:
        raw["choices"] = [{"index": 0, "delta": delta or {}, "finish_reason": finish}]
    if usage is not None:
        raw["usage"] = usage
    return ChatCompletionChunk.model_validate(raw)


def _tc(
    index: int, *, id: str | None = None, name: str | None = None, args: str | None = None
) -> dict[str, Any]:
    fn: dict[str, Any] = {}
    if name is not None:
        fn["name"] = name
    if args is not None:
        fn["arguments"] = args
    out: dict[str, Any] = {"index": index, "function": fn}
    if id is not None:
        out["id"], out["type"] = id, "function"
    return out


def test_interleaved_parallel_tool_calls_keep_their_own_names_and_arguments() -> None:
    asm = _Assembler()
    feed = [
        _chunk({"role": "assistant", "tool_calls": [_tc(0, id="c0", name="add", args="")]}),
        _chunk({"tool_calls": [_tc(1, id="c1", name="multiply", args='{"a": ')]}),
        _chunk({"tool_calls": [_tc(0, args='{"a": 2, ')]}),
        _chunk({"tool_calls": [_tc(1, args='4, "b": 5}')]}),
        _chunk({"tool_calls": [_tc(0, args='"b": 3}')]}, finish="tool_calls"),
    ]
    responses = [r for c in feed if (r := asm.feed(c)) is not None]
    calls = [b for b in responses[-1].message.blocks if isinstance(b, ToolCallBlock)]
    assert [(c.tool_call_id, c.tool_name, json.loads(c.tool_kwargs)) for c in calls] == [
        ("c0", "add", {"a": 2, "b": 3}),
        ("c1", "multiply", {"a": 4, "b": 5}),
    ]
    assert responses[-1].additional_kwargs["finish_reason"] == "tool_calls"


def test_calls_all_numbered_zero_but_with_distinct_ids_stay_separate() -> None:
    asm = _Assembler()
    asm.feed(_chunk({"tool_calls": [_tc(0, id="a", name="f", args='{"x": ')]}))
    asm.feed(_chunk({"tool_calls": [_tc(0, args="1}")]}))
    asm.feed(_chunk({"tool_calls": [_tc(0, id="b", name="g", args='{"y": ')]}))
    last = asm.feed(_chunk({"tool_calls": [_tc(0, args="2}")]}, finish="tool_calls"))
    assert last is not None
    calls = [b for b in last.message.blocks if isinstance(b, ToolCallBlock)]
    assert [(c.tool_name, c.tool_kwargs) for c in calls] == [("f", '{"x": 1}'), ("g", '{"y": 2}')]


def test_deltas_accumulate_and_usage_arrives_on_the_final_response() -> None:
    asm = _Assembler()
    first = asm.feed(_chunk({"role": "assistant"}))
    assert first is None  # nothing to say yet
    r1 = asm.feed(_chunk({"reasoning_content": "Think"}))
    r2 = asm.feed(_chunk({"reasoning_content": "ing."}))
    r3 = asm.feed(_chunk({"content": "Par"}))
    r4 = asm.feed(_chunk({"content": "is."}, finish="stop"))
    r5 = asm.feed(_chunk(usage={"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}))
    assert r1 and r2 and r3 and r4 and r5
    assert [r.additional_kwargs.get("thinking_delta") for r in (r1, r2, r3)] == [
        "Think",
        "ing.",
        None,
    ]
    assert [r.delta for r in (r3, r4, r5)] == ["Par", "is.", ""]
    assert r4.message.content == "Paris."
    assert r5.message.blocks[0] == ThinkingBlock(content="Thinking.")
    assert r5.message.additional_kwargs["reasoning_content"] == "Thinking."
    assert r5.additional_kwargs["total_tokens"] == 13
    assert "total_tokens" not in r4.additional_kwargs


def test_inline_think_tags_split_across_chunks() -> None:
    asm = _Assembler()
    pieces = ["<thi", "nk>sum 2", " and 2</th", "ink>\n\nFo", "ur."]
    out = [asm.feed(_chunk({"content": p})) for p in pieces]
    final = asm.feed(_chunk({}, finish="stop"))
    assert final is not None
    assert final.message.content == "Four."
    assert final.message.additional_kwargs["reasoning_content"] == "sum 2 and 2"
    deltas = "".join(r.delta or "" for r in out if r is not None)
    assert deltas == "Four."


def _sse(*frames: dict[str, Any]) -> bytes:
    return (
        b"".join(b"data: " + json.dumps(f).encode() + b"\n\n" for f in frames) + b"data: [DONE]\n\n"
    )


def test_stream_chat_over_http_assembles_tool_calls_per_index() -> None:
    body = _sse(
        {
            "id": "s",
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "role": "assistant",
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "c0",
                                "type": "function",
                                "function": {"name": "add", "arguments": ""},
                            },
                            {
                                "index": 1,
                                "id": "c1",
                                "type": "function",
                                "function": {"name": "multiply", "arguments": ""},
                            },
                        ],
                    },
                }
            ],
        },
        {
            "id": "s",
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {"index": 1, "function": {"arguments": '{"a": 4, "b": 5}'}},
                            {"index": 0, "function": {"arguments": '{"a": 2, "b": 3}'}},
                        ]
                    },
                }
            ],
        },
        {"id": "s", "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
        {
            "id": "s",
            "choices": [],
            "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
        },
    )
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    llm = Fireworks(
        model="kimi-k2-instruct-0905",
        api_key="test-key",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    responses = list(llm.stream_chat([ChatMessage(role="user", content="add and multiply")]))
    assert seen[0]["stream"] is True
    assert seen[0]["stream_options"] == {"include_usage": True}
    final = responses[-1]
    selections = llm.get_tool_calls_from_response(final)
    assert [(s.tool_id, s.tool_name, s.tool_kwargs) for s in selections] == [
        ("c0", "add", {"a": 2, "b": 3}),
        ("c1", "multiply", {"a": 4, "b": 5}),
    ]
    assert final.additional_kwargs["total_tokens"] == 12


class _TrackedBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.closed = False

    def __iter__(self):  # type: ignore[no-untyped-def]
        for i in range(0, len(self.payload), 40):
            yield self.payload[i : i + 40]

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        for i in range(0, len(self.payload), 40):
            yield self.payload[i : i + 40]

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def _long_stream() -> bytes:
    frames = [
        {"id": "s", "choices": [{"index": 0, "delta": {"content": f"w{i} "}}]} for i in range(50)
    ]
    frames.append({"id": "s", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    return _sse(*frames)


def test_abandoning_a_stream_releases_the_response() -> None:
    body = _TrackedBody(_long_stream())
    transport = httpx.MockTransport(
        lambda r: httpx.Response(200, stream=body, headers={"content-type": "text/event-stream"})
    )
    llm = Fireworks(
        model="glm-4p5", api_key="test-key", http_client=httpx.Client(transport=transport)
    )
    gen = llm.stream_chat([ChatMessage(role="user", content="talk")])
    assert next(gen).delta == "w0 "
    gen.close()
    assert body.closed


async def test_abandoning_an_async_stream_releases_the_response_at_once() -> None:
    # Our generator closes the HTTP stream itself when closed; left to garbage collection
    # the async response would only be released some loop iterations later.
    body = _TrackedBody(_long_stream())
    transport = httpx.MockTransport(
        lambda r: httpx.Response(200, stream=body, headers={"content-type": "text/event-stream"})
    )
    llm = Fireworks(
        model="glm-4p5",
        api_key="test-key",
        async_http_client=httpx.AsyncClient(transport=transport),
    )
    gen = await llm._astream_chat([ChatMessage(role="user", content="talk")])
    first = await gen.__anext__()
    assert first.delta == "w0 "
    await gen.aclose()
    assert body.closed
