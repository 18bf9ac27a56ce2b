"""Fireworks conformance: every endpoint we call, through our public classes.

Assertions are about shape and behaviour (types, fields present, a tool called with its
arguments), never about wording: they hold for the wire double and for the real API.
Model ids come from the model table (:data:`fw_core.model_table.DEFAULTS`), which says
they are served and where that comes from; :func:`test_model_table_against_catalog`
checks every table id against the live catalog.
"""

from __future__ import annotations

import base64
import os
import struct
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.documents.base import Blob
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import BaseModel

from fw_core import FIREWORKS, Client
from fw_core.endpoints.batch import BatchRunner
from fw_core.endpoints.models import find_model
from fw_core.model_table import DEFAULTS, statuses
from fw_core.testing import WireDouble
from fw_core.testing.catalog import FIREWORKS_MODELS
from langchain_fw import (
    ChatFireworks,
    Fireworks,
    FireworksAudioParser,
    FireworksEmbeddings,
    FireworksImageGeneration,
    FireworksRerank,
)
from llamaindex_fw import FireworksEmbedding
from tests.conftest import ROOT
from tests.live.conftest import LiveKit
from tests.live.table_check import judge

CHAT = DEFAULTS["chat"]  # kimi-k3: chat, tools, vision; reasoning off with effort "none"
REASONING = DEFAULTS["chat"]
VISION = DEFAULTS["vision"]
COMPLETION = DEFAULTS["small"]  # gpt-oss-120b
EMBED = DEFAULTS["embedding"]  # qwen3-embedding-8b
RERANK = DEFAULTS["rerank"]
AUDIO = DEFAULTS["audio"]  # whisper-v3-turbo
IMAGE = DEFAULTS["image"]
BATCH = DEFAULTS["small"]
ASK = "Reply with one short word."
#: Real speech, 3.4 s (tests/data/speech/README.md: how it was made, licence CC0).
SPEECH = ROOT / "tests" / "data" / "speech" / "quick_brown_fox_16k.wav"


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
    """The chat model, thinking off unless a check asks for it (short answers in few tokens)."""
    base = {"model": CHAT, "temperature": 0, "reasoning_effort": "none"}
    return ChatFireworks(**{**base, **kit.kwargs("fireworks"), **kw})


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
    # The capture layer saw the request under its label (the drift report is built from it).
    assert "fw_chat_plain" in {ex.label for ex in live_kit.rec.exchanges}


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


def test_embeddings(live_kit: LiveKit) -> None:
    live_kit.begin("fw_embeddings")
    lc = FireworksEmbeddings(model=EMBED, **live_kit.kwargs("fireworks"))
    vectors = lc.embed_documents(["a short text", "to embed"])
    assert len(vectors) == 2 and len(vectors[0]) == len(vectors[1]) > 0
    li = FireworksEmbedding(model_name=EMBED, **live_kit.kwargs("fireworks"))
    assert len(li.get_query_embedding("a short text")) == len(vectors[0])


def test_rerank(live_kit: LiveKit) -> None:
    from langchain_core.documents import Document

    live_kit.begin("fw_rerank")
    docs = [Document(page_content=t) for t in ("Paris is in France.", "Cats purr.", "Rome.")]
    out = FireworksRerank(model=RERANK, top_n=2, **live_kit.kwargs("fireworks")).compress_documents(
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


def test_audio_transcription(live_kit: LiveKit) -> None:
    """Real speech in, text out: Whisper's voice filter drops silence, not a sentence."""
    live_kit.begin("fw_audio")
    parser = FireworksAudioParser(model=AUDIO, **live_kit.kwargs("fireworks"))
    docs = list(parser.lazy_parse(Blob.from_path(SPEECH)))
    assert docs and all(isinstance(d.page_content, str) for d in docs)
    text = " ".join(d.page_content for d in docs).lower()
    assert text.strip(), "speech came back as no text"
    if live_kit.modes["fireworks"] == "live":  # the double answers with its own sample text
        heard = {w for w in ("quick", "brown", "fox", "lazy", "dog") if w in text}
        assert len(heard) >= 2, f"the known sentence was not transcribed: {text!r}"


def test_image_generation(live_kit: LiveKit, tmp_path: Path) -> None:
    live_kit.begin("fw_image")
    kw = live_kit.kwargs("fireworks")
    tool = FireworksImageGeneration(model=IMAGE, output_dir=tmp_path, **kw)
    result = tool.invoke({"prompt": "a red square", "seed": 1})
    assert result
    written = [p for p in tmp_path.iterdir() if p.suffix in (".png", ".jpg", ".jpeg", ".webp")]
    assert written and written[0].stat().st_size > 0


def test_model_table_against_catalog(live_kit: LiveKit) -> None:
    """Every Fireworks id in the model table against its catalog entry (docs/live_check.md).

    Live: each id, its ``supportsServerless`` judged by :func:`tests.live.table_check.judge`;
    every verdict goes into the drift report, and a ``served`` id the catalog does not
    serve fails the check. Against the double: the ids its sample catalog lists (it has no
    entry for the others, which says nothing about the real service).
    """
    live_kit.begin("fw_table_catalog")
    client = Client(FIREWORKS, **live_kit.kwargs("fireworks"))
    in_double = {row[0] for row in FIREWORKS_MODELS}
    live = live_kit.modes["fireworks"] == "live"
    records = [r for r in statuses("fireworks") if r.status != "router"]
    records = [r for r in records if live or r.short in in_double]
    assert records
    for record in records:
        info = find_model(client, record.id)
        live_kit.table.append(judge(record, None if info is None else info.raw))
    served_drift = [v for v in live_kit.table if v.table == "served" and v.drift]
    assert not served_drift, "table ids the catalog does not serve: " + ", ".join(
        f"{v.id} ({v.drift})" for v in served_drift
    )


def test_batch_two_rows(live_kit: LiveKit) -> None:
    """Two chat rows through one batch job (BatchRunner), answers in input order.

    Live only with ``FW_LIVE_BATCH=1`` and ``FIREWORKS_ACCOUNT_ID`` (a real job can wait
    in the queue for a long time; ``FW_LIVE_BATCH_TIMEOUT`` seconds, default 1800);
    against the double it always runs.
    """
    live = live_kit.modes["fireworks"] == "live"
    if live and os.environ.get("FW_LIVE_BATCH") != "1":
        pytest.skip("batch check is opt-in live: set FW_LIVE_BATCH=1 (docs/live_check.md)")
    account = os.environ.get("FIREWORKS_ACCOUNT_ID", "") if live else "live-kit"
    if not account:
        pytest.skip("FW_LIVE_BATCH=1 needs FIREWORKS_ACCOUNT_ID (batch jobs are per account)")
    live_kit.begin("fw_batch")
    kw: dict[str, Any] = live_kit.kwargs("fireworks")
    if not live:  # a batch job is a conversation with state: one double for all its requests
        kw["http_client"] = httpx.Client(transport=WireDouble().transport())
    client = Client(FIREWORKS, **kw)
    runner = BatchRunner(
        client,
        model=BATCH,
        account_id=account,
        inference_parameters={"maxTokens": 16},
        poll_interval=10.0 if live else 0.0,
        timeout=float(os.environ.get("FW_LIVE_BATCH_TIMEOUT", "1800")),
    )
    rows = [{"messages": [{"role": "user", "content": q}]} for q in ("Say yes.", "Say no.")]
    results = runner.run(rows)
    assert len(results) == 2
    for result in results:
        assert result.ok, result
        assert result.response is not None and result.response.completion.choices
