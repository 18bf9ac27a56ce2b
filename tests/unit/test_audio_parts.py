"""Audio in chat messages (issue 22, docs/wire.md §1.20): Fireworks gets the ``audio_url``
part its video/audio inputs guide documents (https://docs.fireworks.ai/guides/
video-audio-inputs: ``{"type": "audio_url", "audio_url": {"url": "data:audio/ogg;base64,
..."}}``); Firmware (OpenAI form) gets ``input_audio`` with raw base64 and a format. Same
rule from LangChain content blocks and LlamaIndex ``AudioBlock``s, and the chat request
the wire double receives."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from langchain_core.messages import HumanMessage
from llama_index.core.base.llms.types import AudioBlock, ChatMessage, TextBlock

from fw_core.kit.file_parts import audio_part, from_input_audio
from fw_core.testing import WireDouble
from langchain_fw import ChatFireworks
from langchain_fw._messages import content_to_wire
from llamaindex_fw._messages import to_wire_message

RAW = b"RIFF\x24\x00\x00\x00WAVEfmt "
B64 = base64.b64encode(RAW).decode("ascii")
WAV_URL = f"data:audio/wav;base64,{B64}"


@pytest.mark.parametrize(
    ("kwargs", "fireworks", "firmware"),
    [
        (
            {"data": B64, "mime_type": "audio/wav"},
            {"type": "audio_url", "audio_url": {"url": WAV_URL}},
            {"type": "input_audio", "input_audio": {"data": B64, "format": "wav"}},
        ),
        (
            {"data": B64, "mime_type": "audio/mpeg"},
            {"type": "audio_url", "audio_url": {"url": f"data:audio/mpeg;base64,{B64}"}},
            {"type": "input_audio", "input_audio": {"data": B64, "format": "mp3"}},
        ),
        (
            {"data": WAV_URL},  # a whole data URL: its MIME type is kept
            {"type": "audio_url", "audio_url": {"url": WAV_URL}},
            {"type": "input_audio", "input_audio": {"data": B64, "format": "wav"}},
        ),
        (
            {"url": "https://example.com/a.ogg"},  # input_audio has no URL form
            {"type": "audio_url", "audio_url": {"url": "https://example.com/a.ogg"}},
            {"type": "audio_url", "audio_url": {"url": "https://example.com/a.ogg"}},
        ),
    ],
    ids=["wav", "mp3", "data-url", "url"],
)
def test_audio_part_per_provider(
    kwargs: dict[str, Any], fireworks: dict[str, Any], firmware: dict[str, Any]
) -> None:
    assert audio_part("fireworks", **kwargs) == fireworks
    assert audio_part("firmware", **kwargs) == firmware


def test_openai_input_audio_becomes_audio_url_for_fireworks_only() -> None:
    part = {"data": B64, "format": "wav"}
    assert from_input_audio("fireworks", part) == {
        "type": "audio_url",
        "audio_url": {"url": WAV_URL},
    }
    assert from_input_audio("firmware", part) == {"type": "input_audio", "input_audio": part}


def test_audio_without_data_or_url_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="audio"):
        audio_part("fireworks")
    with pytest.raises(ValueError, match="audio"):
        content_to_wire([{"type": "audio", "mime_type": "audio/wav"}], provider="fireworks")


@pytest.mark.parametrize(
    "block",
    [
        {"type": "audio", "base64": B64, "mime_type": "audio/wav"},
        {"type": "audio", "source_type": "base64", "data": B64, "mime_type": "audio/wav"},
        {"type": "input_audio", "input_audio": {"data": B64, "format": "wav"}},
    ],
    ids=["v1-block", "v0-block", "openai-part"],
)
def test_langchain_audio_blocks(block: dict[str, Any]) -> None:
    content = [{"type": "text", "text": "What is said?"}, block]
    assert content_to_wire(content, provider="fireworks")[1] == {
        "type": "audio_url",
        "audio_url": {"url": WAV_URL},
    }
    assert content_to_wire(content, provider="firmware")[1] == {
        "type": "input_audio",
        "input_audio": {"data": B64, "format": "wav"},
    }


def test_langchain_audio_url_block() -> None:
    block = {"type": "audio", "url": "https://example.com/q.mp3"}
    parts = content_to_wire(["hi", block], provider="fireworks")
    assert parts[1] == {
        "type": "audio_url",
        "audio_url": {"url": "https://example.com/q.mp3"},
    }


@pytest.mark.parametrize(
    ("provider", "expected"),
    [
        ("fireworks", {"type": "audio_url", "audio_url": {"url": WAV_URL}}),
        ("firmware", {"type": "input_audio", "input_audio": {"data": B64, "format": "wav"}}),
    ],
)
def test_llamaindex_audio_block(provider: str, expected: dict[str, Any]) -> None:
    msg = ChatMessage(
        role="user", blocks=[TextBlock(text="Transcribe."), AudioBlock(audio=RAW, format="wav")]
    )
    wire = to_wire_message(msg, provider=provider)
    assert wire["content"] == [{"type": "text", "text": "Transcribe."}, expected]


def test_llamaindex_audio_url_block() -> None:
    msg = ChatMessage(role="user", blocks=[AudioBlock(url="https://example.com/a.mp3")])
    wire = to_wire_message(msg, provider="fireworks")
    assert wire["content"] == [
        {"type": "audio_url", "audio_url": {"url": "https://example.com/a.mp3"}}
    ]


def test_chat_request_carries_the_audio_url_part() -> None:
    """End to end through ChatFireworks: the wire double receives the documented part."""
    double = WireDouble()
    llm = ChatFireworks(
        model="accounts/fireworks/models/qwen3-omni-30b-a3b-instruct",
        api_key="test-key",
        http_client=httpx.Client(transport=double.transport()),
    )
    msg = HumanMessage(
        content=[
            {"type": "text", "text": "What is said?"},
            {"type": "audio", "base64": B64, "mime_type": "audio/wav"},
        ]
    )
    llm.invoke([msg])
    sent = double.requests[-1].json["messages"][0]["content"]
    assert sent[1] == {"type": "audio_url", "audio_url": {"url": WAV_URL}}


@pytest.mark.parametrize(
    "part",
    [
        {"type": "audio_url", "audio_url": {"url": ""}},
        {"type": "audio_url", "audio_url": {"url": "data:image/png;base64,AAAA"}},
    ],
    ids=["empty", "not-audio"],
)
def test_the_double_refuses_a_malformed_audio_url_part(part: dict[str, Any]) -> None:
    double = WireDouble()
    body = {
        "model": "accounts/fireworks/models/qwen3-omni-30b-a3b-instruct",
        "messages": [{"role": "user", "content": [part]}],
    }
    with httpx.Client(transport=double.transport()) as http:
        resp = http.post(
            "https://api.fireworks.ai/inference/v1/chat/completions",
            json=body,
            headers={"Authorization": "Bearer test-key"},
        )
    assert resp.status_code == 400 and "audio" in resp.text
