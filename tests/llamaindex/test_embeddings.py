"""FireworksEmbedding / FirmwareEmbedding: batching, concurrency, prefixes, dimensions."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from llama_index.core.callbacks import CBEventType

from fw_core.testing import WireDouble
from llamaindex_fw import FireworksEmbedding, FirmwareEmbedding


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na = sum(x * x for x in a) ** 0.5
    nb = sum(y * y for y in b) ** 0.5
    return dot / (na * nb)


def test_query_and_documents_get_nomic_prefixes(
    clients: dict[str, Any], double: WireDouble
) -> None:
    emb = FireworksEmbedding(api_key="test-key", **clients)
    emb.get_query_embedding("where do cats sleep")
    emb.get_text_embedding_batch(["cats sleep on sofas", "dogs bark"])
    inputs = [r.json["input"] for r in double.requests]
    assert inputs == [
        ["search_query: where do cats sleep"],
        ["search_document: cats sleep on sofas", "search_document: dogs bark"],
    ]


def test_prefixes_can_be_set_or_disabled(clients: dict[str, Any], double: WireDouble) -> None:
    emb = FireworksEmbedding(
        api_key="test-key", query_prefix="", text_prefix="clustering: ", **clients
    )
    emb.get_query_embedding("q")
    emb.get_text_embedding("d")
    assert [r.json["input"] for r in double.requests] == [["q"], ["clustering: d"]]


def test_other_models_get_no_prefix_and_dimensions_are_sent(
    clients: dict[str, Any], double: WireDouble
) -> None:
    emb = FirmwareEmbedding(
        model_name="text-embedding-3-large", dimensions=64, api_key="test-key", **clients
    )
    vec = emb.get_query_embedding("plain text")
    assert len(vec) == 64
    assert double.requests[-1].json == {
        "model": "text-embedding-3-large",
        "input": ["plain text"],
        "dimensions": 64,
        "encoding_format": "base64",  # Firmware's default here, docs/wire.md §2.6
    }


def test_similar_texts_are_close(clients: dict[str, Any]) -> None:
    emb = FirmwareEmbedding(api_key="test-key", **clients)
    cat, kitten, tax = emb.get_text_embedding_batch(
        ["the cat sleeps on the warm sofa", "a cat sleeps on a sofa", "quarterly tax filing"]
    )
    assert _cosine(cat, kitten) > _cosine(cat, tax)


def test_batches_follow_embed_batch_size_and_keep_order(
    clients: dict[str, Any], double: WireDouble
) -> None:
    emb = FireworksEmbedding(api_key="test-key", embed_batch_size=3, **clients)
    texts = [f"text number {i}" for i in range(7)]
    vectors = emb.get_text_embedding_batch(texts)
    assert [len(r.json["input"]) for r in double.requests] == [3, 3, 1]
    single = [emb.get_text_embedding(t) for t in texts]
    assert vectors == single


async def test_async_batches_run_concurrently_but_bounded(double: WireDouble) -> None:
    inner = double.async_transport()
    in_flight = 0
    peak = 0

    class Counting(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.02)
            try:
                return await inner.handle_async_request(request)
            finally:
                in_flight -= 1

    emb = FirmwareEmbedding(
        api_key="test-key",
        embed_batch_size=2,
        num_workers=3,
        async_http_client=httpx.AsyncClient(transport=Counting()),
    )
    texts = [f"document {i}" for i in range(12)]
    vectors = await emb.aget_text_embedding_batch(texts)
    assert len(vectors) == 12 and double.count("/embeddings") == 6
    assert peak == 3
    order = [r.json["input"] for r in double.requests]
    assert sorted(t for batch in order for t in batch) == sorted(texts)
    assert vectors[5] == await emb.aget_text_embedding("document 5")


async def test_async_query_embedding(clients: dict[str, Any], double: WireDouble) -> None:
    emb = FireworksEmbedding(api_key="test-key", **clients)
    vec = await emb.aget_query_embedding("where is the cat")
    assert vec == emb.get_query_embedding("where is the cat")


def test_empty_batch_sends_nothing(clients: dict[str, Any], double: WireDouble) -> None:
    emb = FireworksEmbedding(api_key="test-key", **clients)
    assert emb.get_text_embedding_batch([]) == []
    assert double.requests == []


def test_embedding_fires_events_and_callbacks(
    clients: dict[str, Any], events: Any, debug: Any
) -> None:
    manager, handler = debug
    emb = FirmwareEmbedding(api_key="test-key", callback_manager=manager, **clients)
    emb.get_text_embedding_batch(["a b", "c d"])
    assert "EmbeddingStartEvent" in events.names() and "EmbeddingEndEvent" in events.names()
    assert len(handler.get_event_pairs(CBEventType.EMBEDDING)) == 1


def test_bad_dimensions_are_refused_at_construction() -> None:
    with pytest.raises(ValueError):
        FireworksEmbedding(api_key="test-key", dimensions=0)
