"""End to end: a VectorStoreIndex over our embeddings, queried with our LLM and reranker.

Replayed from cassettes (recorded against the wire double, see cassettes/MANIFEST). The
double's chat answer quotes key words of the prompt, so an answer that contains a fact
only the retrieved documents hold shows the retrieved, reranked context reached the LLM.
Everything is passed explicitly: nothing falls back to LlamaIndex's OpenAI defaults.
"""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core import Document, VectorStoreIndex

from llamaindex_fw import (
    Fireworks,
    FireworksEmbedding,
    FireworksRerank,
    Firmware,
    FirmwareEmbedding,
    FirmwareRerank,
)

pytestmark = pytest.mark.vcr

DOCS = [
    "The Eiffel Tower stands in Paris and was completed in 1889.",
    "Bananas are a yellow fruit rich in potassium.",
    "The Great Wall of China crosses many provinces.",
    "Paris is the capital of France and home of the Louvre museum.",
    "Python is a programming language created by Guido van Rossum.",
]


def build_index(embed_model: Any) -> VectorStoreIndex:
    return VectorStoreIndex.from_documents(
        [Document(text=t) for t in DOCS], embed_model=embed_model
    )


def test_query_engine_answers_from_reranked_context(cassette_is_live: bool) -> None:
    index = build_index(FireworksEmbedding())
    engine = index.as_query_engine(
        llm=Fireworks(model="kimi-k2-instruct-0905"),
        similarity_top_k=4,
        node_postprocessors=[FireworksRerank(top_n=2)],
    )
    response = engine.query("When was the Eiffel Tower in Paris completed?")
    assert str(response).strip()
    if not cassette_is_live:  # the double echoes the context; a real model words it its way
        assert "1889" in str(response)
    assert len(response.source_nodes) == 2
    assert "Eiffel" in response.source_nodes[0].node.get_content()
    scores = [n.score for n in response.source_nodes]
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]


def test_streaming_query_engine(cassette_is_live: bool) -> None:
    index = build_index(FireworksEmbedding())
    engine = index.as_query_engine(
        llm=Fireworks(model="kimi-k2-instruct-0905"),
        streaming=True,
        similarity_top_k=3,
        node_postprocessors=[FireworksRerank(top_n=1)],
    )
    response = engine.query("Which fruit is yellow?")
    tokens = list(response.response_gen)
    assert len(tokens) > 1
    answer = "".join(tokens)
    assert answer.strip()
    if not cassette_is_live:
        assert "potassium" in answer.lower()
    assert "Bananas" in response.source_nodes[0].node.get_content()


async def test_async_query_engine_on_firmware(cassette_is_live: bool) -> None:
    index = build_index(FirmwareEmbedding())
    engine = index.as_query_engine(
        llm=Firmware(model="openai/gpt-4o-mini"),
        similarity_top_k=4,
        node_postprocessors=[FirmwareRerank(top_n=2)],
    )
    response = await engine.aquery("Who created the Python programming language?")
    assert str(response).strip()
    if not cassette_is_live:
        assert "guido" in str(response).lower()
    assert "Python" in response.source_nodes[0].node.get_content()
