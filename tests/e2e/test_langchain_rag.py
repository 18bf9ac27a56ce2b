"""A LangChain RAG pipeline on our classes, replayed from cassettes.

``InMemoryVectorStore`` filled with our embeddings -> a retriever wrapped in
``ContextualCompressionRetriever`` with our reranker -> ``prompt | Chat* | StrOutputParser``.
The question is about a made-up fact that only one document holds, so an answer naming it
shows the retrieved text reached the model, and the reranker must put that document first.

Record with ``FW_RECORD=double pytest <this file> --record-mode=once`` (or live with keys).
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_classic.retrievers import ContextualCompressionRetriever
from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnablePassthrough
from langchain_core.vectorstores import InMemoryVectorStore

from langchain_fw.chat_models import ChatFireworks, ChatFirmware
from langchain_fw.embeddings import FireworksEmbeddings, FirmwareEmbeddings
from langchain_fw.rerank import FireworksRerank, FirmwareRerank

pytestmark = pytest.mark.vcr

CORPUS = [
    ("freedonia-capital.md", "Zorbaville is the capital of Freedonia and its largest city."),
    ("freedonia-food.md", "The national dish of Freedonia is a stew of lentils and smoked fish."),
    ("freedonia-trade.md", "Freedonia exports tin, wool and hand-made clocks."),
    ("sylvania.md", "Sylvania, the neighbour of Freedonia, is known for its mountains."),
    ("bananas.md", "Bananas are rich in potassium and grow in tropical climates."),
    ("tides.md", "Tides are caused by the gravitational pull of the moon."),
    ("rag.md", "Retrieval-augmented generation feeds retrieved passages to a language model."),
]
QUESTION = "What is the capital of Freedonia?"
ANSWER = "zorbaville"  # only in freedonia-capital.md, never in the question

PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "Answer the question using only the context you are given."),
        ("human", "Context:\n{context}\n\nQuestion: {question}"),
    ]
)

STACKS = {
    "fireworks": (
        FireworksEmbeddings,
        FireworksRerank,
        ChatFireworks,
        "accounts/fireworks/models/kimi-k2-instruct-0905",
    ),
    "firmware": (FirmwareEmbeddings, FirmwareRerank, ChatFirmware, "openai/gpt-4o"),
}


def _format(docs: list[Document]) -> str:
    return "\n\n".join(d.page_content for d in docs)


def _pipeline(provider: str) -> Runnable[str, dict[str, Any]]:
    emb_cls, rerank_cls, chat_cls, chat_model = STACKS[provider]
    store = InMemoryVectorStore(embedding=emb_cls())
    store.add_documents(
        [Document(page_content=text, metadata={"source": src}) for src, text in CORPUS],
        ids=[src for src, _ in CORPUS],
    )
    retriever = ContextualCompressionRetriever(
        base_compressor=rerank_cls(top_n=2),
        base_retriever=store.as_retriever(search_kwargs={"k": 4}),
    )
    answer = (
        {"context": lambda x: _format(x["docs"]), "question": lambda x: x["question"]}
        | PROMPT
        | chat_cls(model=chat_model, temperature=0)
        | StrOutputParser()
    )
    return {"docs": retriever, "question": RunnablePassthrough()} | RunnablePassthrough.assign(
        answer=answer
    )


def _check(out: dict[str, Any], live: bool = False) -> None:
    docs = out["docs"]
    assert len(docs) == 2
    assert docs[0].metadata["source"] == "freedonia-capital.md"
    assert docs[0].metadata["relevance_score"] >= docs[1].metadata["relevance_score"]
    assert isinstance(out["answer"], str) and out["answer"].strip()
    if not live:  # the double's answer echoes the context; a real model's wording varies
        assert ANSWER in out["answer"].lower()


@pytest.mark.parametrize("provider", sorted(STACKS))
def test_rag_answers_from_the_reranked_context(provider: str, cassette_is_live: bool) -> None:
    _check(_pipeline(provider).invoke(QUESTION), cassette_is_live)


@pytest.mark.parametrize("provider", sorted(STACKS))
async def test_async_rag_answers_from_the_reranked_context(
    provider: str, cassette_is_live: bool
) -> None:
    _check(await _pipeline(provider).ainvoke(QUESTION), cassette_is_live)
