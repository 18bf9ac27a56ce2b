"""Pure converters: LangChain messages <-> wire dicts, completions and chunks -> messages."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from fw_core.kit.stream_delta import StreamTracker
from fw_core.testing.validation import MESSAGE_KEYS
from fw_core.wire import ChatCompletion, ChatCompletionChunk, Usage
from langchain_fw._messages import (
    completion_to_result,
    content_to_wire,
    message_to_wire,
    stream_final_generation,
    stream_generation,
    usage_to_metadata,
)

META = {"model_provider": "fireworks"}


def test_roles_and_plain_content() -> None:
    assert message_to_wire(SystemMessage("be brief")) == {"role": "system", "content": "be brief"}
    assert message_to_wire(HumanMessage("hi", name="ann")) == {
        "role": "user",
        "content": "hi",
        "name": "ann",
    }
    assert message_to_wire(ChatMessage(role="developer", content="x")) == {
        "role": "system",
        "content": "x",
    }
    with pytest.raises(ValueError, match="ToolMessage"):
        message_to_wire(FunctionMessage(name="f", content="x"))


def test_assistant_tool_calls_and_tool_results() -> None:
    ai = AIMessage("", tool_calls=[{"name": "add", "args": {"a": 1}, "id": "c1"}])
    wire = message_to_wire(ai)
    assert wire == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1}'}}
        ],
    }
    tool = ToolMessage('{"r": 3}', tool_call_id="c1", name="add", status="error")
    assert message_to_wire(tool) == {"role": "tool", "tool_call_id": "c1", "content": '{"r": 3}'}


def test_history_from_other_providers_keeps_only_accepted_keys() -> None:
    """Regression: OpenAI/Anthropic leftovers made the strict API answer 400."""
    ai = AIMessage(
        content=[
            {"type": "text", "text": "Hello", "annotations": [{"type": "url_citation"}]},
            {"type": "thinking", "thinking": "hmm", "signature": "sig"},
            {"type": "reasoning", "reasoning": "why"},
            {"type": "tool_use", "id": "t1", "name": "f", "input": {}},
        ],
        additional_kwargs={
            "refusal": None,
            "audio": {"id": "a"},
            "function_call": {"name": "f"},
            "reasoning_content": "earlier thoughts",
        },
        tool_calls=[{"name": "f", "args": {}, "id": "t1"}],
    )
    ai.tool_calls[0]["index"] = 0  # type: ignore[typeddict-unknown-key]
    wire = message_to_wire(ai)
    assert set(wire) <= MESSAGE_KEYS
    assert wire["content"] == "Hello"
    assert wire["reasoning_content"] == "earlier thoughts"
    assert set(wire["tool_calls"][0]) == {"id", "type", "function"}
    assert "name" not in message_to_wire(ToolMessage("x", tool_call_id="t1", name="f"))


def test_reasoning_replay_can_be_switched_off_and_read_from_blocks() -> None:
    ai = AIMessage([{"type": "reasoning", "reasoning": "r1"}, {"type": "text", "text": "a"}])
    assert message_to_wire(ai)["reasoning_content"] == "r1"
    assert "reasoning_content" not in message_to_wire(ai, replay_reasoning=False)


def test_multimodal_parts() -> None:
    parts = content_to_wire(
        [
            "look:",
            {"type": "image_url", "image_url": {"url": "https://x/a.png", "detail": "low"}},
            {"type": "image", "base64": "AAAA", "mime_type": "image/png"},
            {"type": "image", "url": "https://x/b.png"},
            {
                "type": "image",
                "source": {"type": "base64", "media_type": "image/jpeg", "data": "BB"},
            },
            {"type": "file", "base64": "CC", "mime_type": "application/pdf", "filename": "d.pdf"},
            {"type": "text", "text": "done", "cache_control": {"type": "ephemeral"}},
        ]
    )
    assert parts == [
        {"type": "text", "text": "look:"},
        {"type": "image_url", "image_url": {"url": "https://x/a.png", "detail": "low"}},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
        {"type": "image_url", "image_url": {"url": "https://x/b.png"}},
        {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,BB"}},
        {
            "type": "file",
            "file": {"file_data": "data:application/pdf;base64,CC", "filename": "d.pdf"},
        },
        {"type": "text", "text": "done"},
    ]
    assert (
        content_to_wire(
            [
                {"type": "file", "source_type": "text", "text": "notes"},
                {"type": "text-plain", "text": " more", "mime_type": "text/plain"},
            ]
        )
        == "notes more"
    )
    with pytest.raises(ValueError, match="unsupported content block"):
        content_to_wire([{"type": "hologram"}])


def test_usage_details() -> None:
    usage = Usage.model_validate(
        {
            "prompt_tokens": 10,
            "completion_tokens": 7,
            "total_tokens": 17,
            "prompt_tokens_details": {"cached_tokens": 4},
            "completion_tokens_details": {"reasoning_tokens": 5},
        }
    )
    assert usage_to_metadata(usage) == {
        "input_tokens": 10,
        "output_tokens": 7,
        "total_tokens": 17,
        "input_token_details": {"cache_read": 4},
        "output_token_details": {"reasoning": 5},
    }
    # Fireworks may omit completion_tokens/total: the total is still right.
    assert usage_to_metadata(Usage(prompt_tokens=3))["total_tokens"] == 3


def _completion(message: dict, **extra: object) -> ChatCompletion:
    return ChatCompletion.model_validate(
        {
            "id": "cmpl-1",
            "model": "served-model",
            "system_fingerprint": "fp",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 2, "completion_tokens": 3, "total_tokens": 5},
            **extra,
        }
    )


def test_completion_to_result_metadata_reasoning_and_bad_arguments() -> None:
    result = completion_to_result(
        _completion(
            {
                "role": "assistant",
                "content": "<think>plan</think>\n\nAnswer",
                "tool_calls": [
                    {
                        "id": "a",
                        "type": "function",
                        "function": {"name": "f", "arguments": '{"x": 1}'},
                    },
                    {
                        "id": "b",
                        "type": "function",
                        "function": {"name": "g", "arguments": '{"x": '},
                    },
                ],
            }
        ),
        base_metadata=META,
        requested_model="requested",
    )
    msg = result.generations[0].message
    assert isinstance(msg, AIMessage)
    assert msg.content == "Answer"
    assert msg.additional_kwargs["reasoning_content"] == "plan"
    assert msg.content_blocks[0] == {"type": "reasoning", "reasoning": "plan"}
    assert msg.tool_calls == [{"type": "tool_call", "id": "a", "name": "f", "args": {"x": 1}}]
    assert msg.invalid_tool_calls[0]["id"] == "b"
    assert msg.response_metadata == {
        "model_provider": "fireworks",
        "id": "cmpl-1",
        "model_name": "served-model",
        "finish_reason": "stop",
        "system_fingerprint": "fp",
    }
    assert msg.usage_metadata == {"input_tokens": 2, "output_tokens": 3, "total_tokens": 5}


def _chunk(
    delta: dict | None = None, finish: str | None = None, **top: object
) -> ChatCompletionChunk:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    return ChatCompletionChunk.model_validate({"id": "s1", "model": "m", "choices": choices, **top})


def _tracker(extras: tuple[str, ...] = ()) -> StreamTracker:
    return StreamTracker(extras=extras, split_think=True)  # as ChatFireworks._stream


def _run(tracker: StreamTracker, chunks: list[ChatCompletionChunk]) -> list[AIMessageChunk]:
    out = [
        g.message
        for c in chunks
        if (g := stream_generation(tracker.feed(c), META, tracker.id or None)) is not None
    ]
    final = stream_final_generation(
        tracker, tracker.finish(), base_metadata=META, include_usage=True
    )
    out.append(final.message)
    return out  # type: ignore[return-value]


def test_stream_parallel_calls_with_colliding_indexes() -> None:
    """A server that numbers every call 0 but gives each its own id: two calls, not one."""
    state = _tracker()

    def opening(call_id: str, name: str) -> ChatCompletionChunk:
        return _chunk(
            {
                "tool_calls": [
                    {"index": 0, "id": call_id, "function": {"name": name, "arguments": ""}}
                ]
            }
        )

    msgs = _run(
        state,
        [
            opening("c1", "a"),
            _chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"x": 1}'}}]}),
            opening("c2", "b"),
            _chunk(
                {"tool_calls": [{"index": 0, "function": {"arguments": '{"y": 2}'}}]}, "tool_calls"
            ),
        ],
    )
    full = msgs[0]
    for m in msgs[1:]:
        full = full + m
    assert [(c["id"], c["name"], c["args"]) for c in full.tool_calls] == [
        ("c1", "a", {"x": 1}),
        ("c2", "b", {"y": 2}),
    ]


def test_stream_think_tags_cut_across_chunks() -> None:
    state = _tracker()
    pieces = ["<thi", "nk>abc</th", "ink>\n\nAns", "wer"]
    msgs = _run(state, [_chunk({"content": p}) for p in pieces] + [_chunk({}, "stop")])
    full = msgs[0]
    for m in msgs[1:]:
        full = full + m
    assert full.content == "Answer"
    assert full.additional_kwargs["reasoning_content"] == "abc"


def test_stream_final_chunk_carries_usage_and_extras() -> None:
    state = _tracker(extras=("tools_executed",))
    msgs = _run(
        state,
        [
            _chunk({"content": "hi"}),
            _chunk({}, "stop", tools_executed=["search"]),
            _chunk(None, usage={"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}),
        ],
    )
    assert [m.usage_metadata for m in msgs[:-1]] == [None]
    last = msgs[-1]
    assert last.chunk_position == "last"
    assert last.usage_metadata == {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2}
    assert last.response_metadata["tools_executed"] == ["search"]
    assert last.response_metadata["finish_reason"] == "stop"
    assert json.dumps(last.response_metadata)  # plain data, serialisable
