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
