"""FireworksEmbeddings / FirmwareEmbeddings end to end over HTTP, replayed from cassettes:
the langchain-tests integration suite plus the behaviour a vector store relies on.

Record with ``FW_RECORD=double pytest <this file> --record-mode=once`` (or live with keys).
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests

from langchain_fw.embeddings import FireworksEmbeddings, FirmwareEmbeddings

NOMIC = "nomic-ai/nomic-embed-text-v1.5"

pytestmark = pytest.mark.vcr


class TestFireworksEmbeddingsIntegration(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[FireworksEmbeddings]:
        return FireworksEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": NOMIC}


class TestFirmwareEmbeddingsIntegration(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[FirmwareEmbeddings]:
        return FirmwareEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "text-embedding-3-small"}


class TestVoyageOnFirmwareIntegration(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[FirmwareEmbeddings]:
        return FirmwareEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "voyage-4"}


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


DOCS = [
    "The Eiffel Tower is a wrought-iron lattice tower in Paris.",
    "Photosynthesis converts light energy into chemical energy in plants.",
    "The stock market fell sharply on Tuesday.",
]


@pytest.mark.parametrize(
    ("cls", "kwargs"),
    [
        (FireworksEmbeddings, {"dimensions": 256}),
        (FirmwareEmbeddings, {"model": "text-embedding-3-large", "dimensions": 512}),
    ],
    ids=["fireworks-nomic-256", "firmware-3-large-512"],
)
def test_dimensions_truncate_the_vectors(cls: type, kwargs: dict[str, Any]) -> None:
    emb = cls(**kwargs)
    docs = emb.embed_documents(DOCS)
    assert [len(v) for v in docs] == [kwargs["dimensions"]] * len(DOCS)
    assert len(emb.embed_query("tower in Paris")) == kwargs["dimensions"]


@pytest.mark.parametrize("cls", [FireworksEmbeddings, FirmwareEmbeddings])
async def test_a_query_lands_nearest_its_document(cls: type) -> None:
    emb = cls()
    docs = await emb.aembed_documents(DOCS)
    query = await emb.aembed_query("How do plants turn light into chemical energy?")
    scores = [_cosine(query, d) for d in docs]
    assert max(range(len(DOCS)), key=scores.__getitem__) == 1


@pytest.mark.parametrize("cls", [FireworksEmbeddings, FirmwareEmbeddings])
def test_blank_chunks_do_not_break_an_ingestion(cls: type) -> None:
    emb = cls(max_concurrency=1)
    vectors = emb.embed_documents(["first chunk", "", "third chunk"])
    assert len(vectors) == 3
    assert len({len(v) for v in vectors}) == 1
