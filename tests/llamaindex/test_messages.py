"""Message conversion both ways: text, images, tool calls and results, thinking blocks."""

from __future__ import annotations

import base64

import pytest
from llama_index.core.base.llms.types import (
    AudioBlock,
    ChatMessage,
    ImageBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from fw_core.wire import ChatMessage as WireMessage
from fw_core.wire import Usage
from llamaindex_fw._messages import (
    from_wire_message,
    to_wire_message,
    to_wire_messages,
    usage_to_kwargs,
)

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_plain_text_messages_become_strings() -> None:
    out = to_wire_messages(
        [
            ChatMessage(role="system", content="Be brief."),
            ChatMessage(role="user", content="Capital of France?"),
            ChatMessage(role="assistant", content="Paris."),
        ]
    )
    assert out == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Capital of France?"},
        {"role": "assistant", "content": "Paris."},
    ]


def test_developer_role_is_sent_as_system_and_chatbot_as_assistant() -> None:
    assert to_wire_message(ChatMessage(role="developer", content="x"))["role"] == "system"
    assert to_wire_message(ChatMessage(role="chatbot", content="x"))["role"] == "assistant"


def test_image_url_and_bytes_become_image_url_parts() -> None:
    msg = ChatMessage(
        role="user",
        blocks=[
            TextBlock(text="What is in these?"),
            ImageBlock(url="https://example.com/cat.png", detail="low"),
            ImageBlock(image=PNG),
        ],
    )
    wire = to_wire_message(msg)
    assert wire["content"][0] == {"type": "text", "text": "What is in these?"}
    assert wire["content"][1] == {
        "type": "image_url",
        "image_url": {"url": "https://example.com/cat.png", "detail": "low"},
    }
    data_url = wire["content"][2]["image_url"]["url"]
    assert data_url.startswith("data:image/png;base64,")
    assert base64.b64decode(data_url.split(",", 1)[1]) == PNG


def test_image_parts_keep_url_type_and_bytes_exactly() -> None:
    msg = ChatMessage(
        role="user",
        blocks=[
            TextBlock(text="Describe"),
            ImageBlock(url="https://example.com/a.jpg"),
            ImageBlock(image=PNG, image_mimetype="image/png"),
        ],
    )
    png_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert to_wire_message(msg) == {
        "role": "user",
        "content": [
            {"type": "text", "text": "Describe"},
            {"type": "image_url", "image_url": {"url": "https://example.com/a.jpg"}},
            {"type": "image_url", "image_url": {"url": png_url}},
        ],
    }


def test_assistant_tool_calls_and_thinking_go_out_and_come_back() -> None:
    msg = ChatMessage(
        role="assistant",
        blocks=[
            ThinkingBlock(content="I need the weather first."),
            ToolCallBlock(
                tool_call_id="call_1", tool_name="get_weather", tool_kwargs={"city": "Paris"}
            ),
            ToolCallBlock(tool_call_id="call_2", tool_name="get_time", tool_kwargs='{"tz": "CET"}'),
        ],
    )
    wire = to_wire_message(msg)
    assert wire == {
        "role": "assistant",
        "content": None,
        "reasoning_content": "I need the weather first.",
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            },
            {
                "id": "call_2",
                "type": "function",
                "function": {"name": "get_time", "arguments": '{"tz": "CET"}'},
            },
        ],
    }
    back = from_wire_message(WireMessage.model_validate(wire))  # as a response carries it
    calls = [b for b in back.blocks if isinstance(b, ToolCallBlock)]
    assert [(c.tool_call_id, c.tool_name, c.tool_kwargs) for c in calls] == [
        ("call_1", "get_weather", {"city": "Paris"}),
        ("call_2", "get_time", {"tz": "CET"}),
    ]
    assert back.additional_kwargs["reasoning_content"] == "I need the weather first."
    assert to_wire_message(back) == wire


def test_reasoning_in_additional_kwargs_is_replayed() -> None:
    msg = ChatMessage(
        role="assistant", content="Done.", additional_kwargs={"reasoning_content": "checked twice"}
    )
    assert to_wire_message(msg)["reasoning_content"] == "checked twice"


def test_thinking_is_never_sent_on_user_messages() -> None:
    msg = ChatMessage(role="user", blocks=[ThinkingBlock(content="x"), TextBlock(text="hi")])
    assert to_wire_message(msg) == {"role": "user", "content": "hi"}


def test_tool_result_carries_its_call_id() -> None:
    msg = ChatMessage(
        role="tool", content='{"temp_c": 18}', additional_kwargs={"tool_call_id": "call_1"}
    )
    assert to_wire_message(msg) == {
        "role": "tool",
        "content": '{"temp_c": 18}',
        "tool_call_id": "call_1",
    }


def test_tool_result_without_call_id_is_refused_before_sending() -> None:
    with pytest.raises(ValueError, match="tool_call_id"):
        to_wire_message(ChatMessage(role="tool", content="5"))


def test_legacy_tool_calls_in_additional_kwargs_are_sent() -> None:
    msg = ChatMessage(
        role="assistant",
        content="",
        additional_kwargs={
            "tool_calls": [
                {"id": "c9", "type": "function", "function": {"name": "f", "arguments": {"x": 1}}}
            ]
        },
    )
    wire = to_wire_message(msg)
    assert wire["content"] is None
    assert wire["tool_calls"] == [
        {"id": "c9", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}
    ]


def test_audio_outside_a_user_message_is_refused_with_a_clear_error() -> None:
    msg = ChatMessage(role="assistant", blocks=[AudioBlock(audio=b"RIFF0000", format="wav")])
    with pytest.raises(ValueError, match="AudioBlock"):
        to_wire_message(msg)


def test_response_with_reasoning_field_becomes_thinking_block() -> None:
    msg = from_wire_message(WireMessage(content="Paris.", reasoning_content="The capital..."))
    assert isinstance(msg.blocks[0], ThinkingBlock)
    assert msg.blocks[0].content == "The capital..."
    assert msg.content == "Paris."
    assert msg.additional_kwargs["reasoning_content"] == "The capital..."


def test_inline_think_is_split_from_the_answer() -> None:
    msg = from_wire_message(WireMessage(content="<think>\n2+2=4\n</think>\n\nFour."))
    assert msg.content == "Four."
    assert msg.blocks[0] == ThinkingBlock(content="2+2=4")


def test_response_tool_calls_become_blocks_with_parsed_arguments() -> None:
    wire = WireMessage.model_validate(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "a",
                    "type": "function",
                    "function": {"name": "add", "arguments": '{"a": 1}'},
                },
                {
                    "id": "b",
                    "type": "function",
                    "function": {"name": "mul", "arguments": "not json"},
                },
            ],
        }
    )
    msg = from_wire_message(wire)
    calls = [b for b in msg.blocks if isinstance(b, ToolCallBlock)]
    assert [(c.tool_call_id, c.tool_name, c.tool_kwargs) for c in calls] == [
        ("a", "add", {"a": 1}),
        ("b", "mul", "not json"),
    ]
    assert msg.content is None


def test_usage_reports_cached_and_reasoning_tokens() -> None:
    usage = Usage.model_validate(
        {
            "prompt_tokens": 10,
            "completion_tokens": 5,
            "total_tokens": 15,
            "prompt_tokens_details": {"cached_tokens": 8},
            "completion_tokens_details": {"reasoning_tokens": 3},
        }
    )
    assert usage_to_kwargs(usage) == {
        "prompt_tokens": 10,
        "completion_tokens": 5,
        "total_tokens": 15,
        "cached_tokens": 8,
        "reasoning_tokens": 3,
    }
    assert usage_to_kwargs(None) == {}
