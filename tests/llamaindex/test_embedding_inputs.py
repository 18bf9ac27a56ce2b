"""LlamaIndex embeddings prepare inputs like the LangChain ones (shared fw_core code)."""

from __future__ import annotations

import httpx
import pytest

from fw_core.errors import ContextLengthExceededError
from fw_core.testing import WireDouble
from llamaindex_fw import FireworksEmbedding, FirmwareEmbedding


@pytest.mark.parametrize("cls", [FireworksEmbedding, FirmwareEmbedding])
def test_a_text_far_beyond_the_model_limit_is_refused_before_sending(cls: type) -> None:
    double = WireDouble()
    emb = cls(http_client=httpx.Client(transport=double.transport()))
    with pytest.raises(ContextLengthExceededError, match="text 1"):
        emb.get_text_embedding_batch(["fine", "word " * 200_000])
    assert double.requests == []


def test_an_empty_text_still_gets_a_vector_of_the_usual_length() -> None:
    double = WireDouble()
    emb = FireworksEmbedding(http_client=httpx.Client(transport=double.transport()))
    vectors = emb.get_text_embedding_batch(["some words", ""])
    assert len(vectors) == 2 and len(vectors[1]) == len(vectors[0])


def test_a_large_sync_batch_is_spread_over_num_workers_requests_in_order() -> None:
    # LlamaIndex calls sync batches one after another; each is split over num_workers
    # concurrent requests (never above the API limit) and reassembled in order.
    double = WireDouble()
    emb = FireworksEmbedding(
        embed_batch_size=1000,
        num_workers=4,
        http_client=httpx.Client(transport=double.transport()),
    )
    texts = [f"text number {i}" for i in range(1000)]
    vectors = emb.get_text_embedding_batch(texts)
    sent = [r.json["input"] for r in double.requests]
    assert len(sent) == 4 and all(len(batch) == 250 for batch in sent)
    # same vectors as one at a time, in input order
    assert vectors[123] == emb.get_text_embedding(texts[123])
