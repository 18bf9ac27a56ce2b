"""FireworksRerank / FirmwareRerank over HTTP, replayed from cassettes: plain reranking,
and inside LangChain's ContextualCompressionRetriever over an InMemoryVectorStore built
with our embeddings.

Record with ``FW_RECORD=double pytest <this file> --record-mode=once`` (or live with keys).
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_classic.retrievers import ContextualCompressionRetriever
from langchain_core.documents import Document
from langchain_core.vectorstores import InMemoryVectorStore

from langchain_fw.embeddings import FireworksEmbeddings, FirmwareEmbeddings
from langchain_fw.rerank import FireworksRerank, FirmwareRerank

pytestmark = pytest.mark.vcr

CORPUS = [
    Document(
        page_content="Lyon is a city in France known for its food.", metadata={"source": "lyon.txt"}
    ),
    Document(
        page_content="Paris is the capital of France and its largest city.",
        metadata={"source": "paris.txt"},
    ),
    Document(page_content="Berlin is the capital of Germany.", metadata={"source": "berlin.txt"}),
    Document(page_content="Bananas are rich in potassium.", metadata={"source": "banana.txt"}),
    Document(
        page_content="France is a country in western Europe.", metadata={"source": "france.txt"}
    ),
]
QUESTION = "What is the capital city of France?"

PAIRS = [
    (FireworksEmbeddings, FireworksRerank, {}),
    (FirmwareEmbeddings, FirmwareRerank, {}),
    (FirmwareEmbeddings, FirmwareRerank, {"model": "rerank-2.5-lite", "return_documents": True}),
]
IDS = ["fireworks", "firmware", "firmware-lite-with-text"]


def _retriever(emb_cls: type, rerank_cls: type, kwargs: dict[str, Any]) -> Any:
    store = InMemoryVectorStore(embedding=emb_cls(max_concurrency=1))
    store.add_documents(
        [Document(page_content=d.page_content, metadata=d.metadata) for d in CORPUS],
        ids=[f"doc-{i}" for i in range(len(CORPUS))],
    )
    return ContextualCompressionRetriever(
        base_compressor=rerank_cls(top_n=2, **kwargs),
        base_retriever=store.as_retriever(search_kwargs={"k": 4}),
    )


def _check(docs: list[Document]) -> None:
    assert len(docs) == 2
    assert docs[0].metadata["source"] == "paris.txt"
    scores = [d.metadata["relevance_score"] for d in docs]
    assert scores == sorted(scores, reverse=True) and 0 < scores[1] <= scores[0] <= 1
    assert all(d.metadata["source"].endswith(".txt") for d in docs)  # original metadata kept


@pytest.mark.parametrize(("emb_cls", "rerank_cls", "kwargs"), PAIRS, ids=IDS)
def test_compression_retriever_puts_the_answer_first(
    emb_cls: type, rerank_cls: type, kwargs: dict[str, Any]
) -> None:
    _check(_retriever(emb_cls, rerank_cls, kwargs).invoke(QUESTION))


@pytest.mark.parametrize(("emb_cls", "rerank_cls", "kwargs"), PAIRS, ids=IDS)
async def test_async_compression_retriever_puts_the_answer_first(
    emb_cls: type, rerank_cls: type, kwargs: dict[str, Any]
) -> None:
    _check(await _retriever(emb_cls, rerank_cls, kwargs).ainvoke(QUESTION))


@pytest.mark.parametrize("cls", [FireworksRerank, FirmwareRerank])
def test_plain_rerank_of_texts(cls: type) -> None:
    texts = [d.page_content for d in CORPUS]
    results = cls(top_n=3).rerank(QUESTION, texts)
    assert len(results) == 3 and results[0].index == 1
    assert [r.document for r in results] == [texts[r.index] for r in results]
    assert results[0].relevance_score >= results[1].relevance_score >= results[2].relevance_score
