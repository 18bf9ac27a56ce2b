"""Fireworks conformance: every endpoint we call, through our public classes.

Assertions are about shape and behaviour (types, fields present, a tool called with its
arguments), never about wording: they hold for the wire double and for the real API.
"""

from __future__ import annotations

import base64
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from langchain_core.documents.base import Blob
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import BaseModel

from langchain_fw import (
    ChatFireworks,
    Fireworks,
    FireworksAudioParser,
    FireworksEmbeddings,
    FireworksImageGeneration,
    FireworksRerank,
)
from llamaindex_fw import FireworksEmbedding
from tests.audio_fixtures import write_wav
from tests.live.conftest import LiveKit

CHAT = "kimi-k2-instruct-0905"
REASONING = "gpt-oss-120b"
VISION = "qwen2p5-vl-32b-instruct"
COMPLETION = "llama-v3p1-8b-instruct"
EMBED = "nomic-ai/nomic-embed-text-v1.5"
ASK = "Reply with one short word."


def _png(size: int = 8) -> str:
    """A tiny solid red PNG as a data URL (built here, no file)."""
    row = b"\x00" + b"\xff\x00\x00" * size
    raw = zlib.compress(row * size)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _chat(kit: LiveKit, **kw: Any) -> ChatFireworks:
    return ChatFireworks(**{"model": CHAT, "temperature": 0, **kit.kwargs("fireworks"), **kw})


def _usage_ok(msg: AIMessage) -> None:
    assert msg.usage_metadata is not None
    assert msg.usage_metadata["input_tokens"] > 0
    assert msg.usage_metadata["output_tokens"] >= 0


def test_chat_plain(live_kit: LiveKit) -> None:
    live_kit.begin("fw_chat_plain")
    msg = _chat(live_kit, max_tokens=16).invoke(ASK)
    assert isinstance(msg.content, str) and msg.content.strip()
    assert msg.response_metadata.get("finish_reason") in ("stop", "length")
    _usage_ok(msg)


def test_chat_stream(live_kit: LiveKit) -> None:
    live_kit.begin("fw_chat_stream")
    chunks = list(_chat(live_kit, max_tokens=16).stream(ASK))
    assert chunks
    text = "".join(c.content for c in chunks if isinstance(c.content, str))
    assert text.strip()


class GetWeather(BaseModel):
    """Get the current weather for a city."""

    city: str


def test_chat_tools(live_kit: LiveKit) -> None:
    live_kit.begin("fw_chat_tools")
    llm = _chat(live_kit, max_tokens=64).bind_tools([GetWeather], tool_choice="required")
    msg = llm.invoke("What is the weather in Paris? Use the tool.")
    assert msg.tool_calls, "a tool call was required"
    call = msg.tool_calls[0]
    assert call["name"] == "GetWeather"
    assert isinstance(call["args"].get("city"), str)
    assert call["id"]


class Person(BaseModel):
    name: str
    age: int


def test_chat_structured_output(live_kit: LiveKit) -> None:
    live_kit.begin("fw_chat_structured")
    out = _chat(live_kit, max_tokens=64).with_structured_output(Person, method="json_schema")
    person = out.invoke("Ada is 36 years old.")
    assert isinstance(person, Person)
    assert isinstance(person.age, int)


def test_chat_reasoning(live_kit: LiveKit) -> None:
    live_kit.begin("fw_chat_reasoning")
    llm = _chat(live_kit, model=REASONING, reasoning_effort="low", max_tokens=256)
    msg = llm.invoke("What is 2 + 3?")
    reasoning = msg.additional_kwargs.get("reasoning_content")
    assert isinstance(reasoning, str) and reasoning.strip()
    assert isinstance(msg.content, str)


def test_chat_vision(live_kit: LiveKit) -> None:
    live_kit.begin("fw_chat_vision")
    question = HumanMessage(
        content=[
            {"type": "text", "text": "What colour is this image?"},
            {"type": "image_url", "image_url": {"url": _png()}},
        ]
    )
    msg = _chat(live_kit, model=VISION, max_tokens=32).invoke([question])
    assert isinstance(msg.content, str) and msg.content.strip()
    _usage_ok(msg)


def test_completions(live_kit: LiveKit) -> None:
    live_kit.begin("fw_completions")
    llm = Fireworks(model=COMPLETION, max_tokens=8, temperature=0, **live_kit.kwargs("fireworks"))
    result = llm.generate(["The capital of France is"])
    text = result.generations[0][0].text
    assert isinstance(text, str) and text


def test_embeddings_with_dimensions(live_kit: LiveKit) -> None:
    live_kit.begin("fw_embeddings")
    lc = FireworksEmbeddings(model=EMBED, dimensions=64, **live_kit.kwargs("fireworks"))
    vectors = lc.embed_documents(["a short text", "to embed"])
    assert len(vectors) == 2 and all(len(v) == 64 for v in vectors)
    li = FireworksEmbedding(model_name=EMBED, dimensions=64, **live_kit.kwargs("fireworks"))
    assert len(li.get_query_embedding("a short text")) == 64


def test_rerank(live_kit: LiveKit) -> None:
    from langchain_core.documents import Document

    live_kit.begin("fw_rerank")
    docs = [Document(page_content=t) for t in ("Paris is in France.", "Cats purr.", "Rome.")]
    out = FireworksRerank(top_n=2, **live_kit.kwargs("fireworks")).compress_documents(
        docs, "Where is Paris?"
    )
    assert len(out) == 2
    scores = [d.metadata["relevance_score"] for d in out]
    assert all(isinstance(s, float) for s in scores) and scores == sorted(scores, reverse=True)


def test_model_catalog(live_kit: LiveKit) -> None:
    live_kit.begin("fw_catalog")
    models = _chat(live_kit).list_models()
    assert models
    assert all(m.id and m.provider == "fireworks" for m in models)


def test_audio_transcription(live_kit: LiveKit, tmp_path: Path) -> None:
    live_kit.begin("fw_audio")
    wav = write_wav(tmp_path / "tone.wav", seconds=2.0)
    parser = FireworksAudioParser(**live_kit.kwargs("fireworks"))
    docs = list(parser.lazy_parse(Blob.from_path(wav)))
    assert docs and all(isinstance(d.page_content, str) for d in docs)


def test_image_generation(live_kit: LiveKit, tmp_path: Path) -> None:
    live_kit.begin("fw_image")
    tool = FireworksImageGeneration(output_dir=tmp_path, **live_kit.kwargs("fireworks"))
    result = tool.invoke({"prompt": "a red square", "seed": 1})
    assert result
    written = [p for p in tmp_path.iterdir() if p.suffix in (".png", ".jpg", ".jpeg", ".webp")]
    assert written and written[0].stat().st_size > 0


@pytest.mark.parametrize("name", ["fw_chat_plain"])
def test_every_request_was_captured(live_kit: LiveKit, name: str) -> None:
    labels = {ex.label for ex in live_kit.rec.exchanges}
    assert name in labels
