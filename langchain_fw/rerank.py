"""LangChain rerankers (document compressors) for Fireworks AI and Firmware.ai.

:class:`FireworksRerank` and :class:`FirmwareRerank` are ``BaseDocumentCompressor``s: put
one in a ``ContextualCompressionRetriever`` (or call :meth:`~_FwRerank.compress_documents`
yourself) and the retrieved documents come back best first, cut to ``top_n``, each a copy
with its score in ``metadata["relevance_score"]`` and its original metadata kept.

The two APIs answer in different shapes (Fireworks ``data[].document`` as a string,
Firmware ``results[].document.text``, and Firmware omits the text unless asked);
:mod:`fw_core.endpoints.rerank` maps both to one result type. This layer matches results to the
input by index, so it works whether or not the API sends the text back.

``task=`` steers the ranking with an instruction (Fireworks' ``task`` field; on Firmware
written in front of the query, docs/wire.md §1.12, §2.6). :meth:`~_FwRerank.rerank` also
takes dicts: the text sent is each dict's ``document_field`` (default ``"text"``) and
each result's ``item`` is the dict itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from langchain_core.callbacks import Callbacks
from langchain_core.documents import BaseDocumentCompressor, Document
from pydantic import model_validator

from fw_core import errors as fe
from fw_core.endpoints.rerank import (
    DEFAULT_DOCUMENT_FIELD,
    RerankRequest,
    RerankResponse,
    RerankResult,
    arank_items,
    arerank,
    check_rerank_options,
    rank_items,
    rerank,
)
from fw_core.providers import FIREWORKS, FIRMWARE, ProviderSpec
from langchain_fw._base import FwClientMixin
from langchain_fw._errors import map_error

__all__ = [
    "RELEVANCE_SCORE_KEY",
    "FireworksRerank",
    "FirmwareRerank",
    "RerankResult",
    "scored_documents",
]

#: The metadata key that carries a reranked document's score (LangChain's convention).
RELEVANCE_SCORE_KEY = "relevance_score"


def scored_documents(
    documents: Sequence[Document], results: Sequence[RerankResult], top_n: int | None
) -> list[Document]:
    """Copies of the ranked documents, best first, each with its score in metadata.

    The input documents are not modified; their metadata and id are kept.

    >>> docs = [Document(page_content="a", metadata={"src": 1}), Document(page_content="b")]
    >>> out = scored_documents(docs, [RerankResult(1, 0.9), RerankResult(0, 0.2)], top_n=1)
    >>> [(d.page_content, d.metadata) for d in out]
    [('b', {'relevance_score': 0.9})]
    """
    ranked = sorted(results, key=lambda r: (-r.relevance_score, r.index))
    if top_n is not None:
        ranked = ranked[:top_n]
    out = []
    for r in ranked:
        doc = documents[r.index]
        out.append(
            Document(
                page_content=doc.page_content,
                metadata={**doc.metadata, RELEVANCE_SCORE_KEY: r.relevance_score},
                id=doc.id,
            )
        )
    return out


class _FwRerank(FwClientMixin, BaseDocumentCompressor):
    """Shared implementation; use :class:`FireworksRerank` or :class:`FirmwareRerank`."""

    model: str = ""
    """Rerank model id; empty means the provider's default."""
    top_n: int | None = 3
    """How many documents to keep, best first; None keeps them all (reordered)."""
    return_documents: bool | None = None
    """Ask the API to echo the texts; None sends nothing (the API's default). Results always
    carry the text either way, taken from the input when the API leaves it out."""
    task: str | None = None
    """An instruction for the ranking, e.g. "Given a web search query, retrieve relevant
    passages that answer the query". Fireworks: the ``task`` field; Firmware: written in
    front of the query (its reference has no such field). None sends none."""
    document_field: str = DEFAULT_DOCUMENT_FIELD
    """The key whose text is ranked when :meth:`rerank` gets dicts."""
    fw_extra_field: ClassVar[str | None] = "extra_body"
    extra_body: dict[str, Any] | None = None
    """Extra JSON fields sent with every request."""

    @model_validator(mode="before")
    @classmethod
    def _check_rerank_options(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            check_rerank_options(data)  # as given, by the rule LlamaIndex uses too
        return data

    @model_validator(mode="after")
    def _normalize_model(self) -> Any:
        provider = self.fw_provider
        model = provider.normalize_model(self.model or provider.default_rerank_model)
        object.__setattr__(self, "model", model)
        return self

    def _request(self) -> RerankRequest:
        return RerankRequest(
            model=self.model,
            top_n=self.top_n,
            return_documents=self.return_documents,
            extra_body=self.extra_body,
            task=self.task,
        )

    def _call(self, query: str, texts: Sequence[str]) -> RerankResponse:
        try:
            return rerank(self._client(), query, texts, self._request())
        except fe.FwError as exc:
            raise map_error(exc) from exc

    async def _acall(self, query: str, texts: Sequence[str]) -> RerankResponse:
        try:
            return await arerank(self._aclient(), query, texts, self._request())
        except fe.FwError as exc:
            raise map_error(exc) from exc

    def rerank(
        self, query: str, documents: Sequence[str | Mapping[str, Any]]
    ) -> list[RerankResult]:
        """Rank texts, or dicts by their ``document_field``, for ``query``.

        Returns:
            Up to ``top_n`` results, best first: ``index`` into ``documents``,
            ``relevance_score``, ``document`` (the text) and ``item`` (the input as
            passed, e.g. the dict). An empty list sends nothing.
        """
        try:
            return rank_items(
                self._client(), query, documents, self._request(), self.document_field
            )
        except fe.FwError as exc:
            raise map_error(exc) from exc

    async def arerank(
        self, query: str, documents: Sequence[str | Mapping[str, Any]]
    ) -> list[RerankResult]:
        """Async :meth:`rerank` on the async HTTP client."""
        try:
            return await arank_items(
                self._aclient(), query, documents, self._request(), self.document_field
            )
        except fe.FwError as exc:
            raise map_error(exc) from exc

    def compress_documents(
        self,
        documents: Sequence[Document],
        query: str,
        callbacks: Callbacks | None = None,
    ) -> Sequence[Document]:
        """Rerank ``documents`` for ``query``: the best ``top_n``, scored, best first."""
        if not documents:
            return []
        response = self._call(query, [d.page_content for d in documents])
        return scored_documents(documents, response.results, self.top_n)

    async def acompress_documents(
        self,
        documents: Sequence[Document],
        query: str,
        callbacks: Callbacks | None = None,
    ) -> Sequence[Document]:
        """Async :meth:`compress_documents` on the async HTTP client (no thread pool)."""
        if not documents:
            return []
        response = await self._acall(query, [d.page_content for d in documents])
        return scored_documents(documents, response.results, self.top_n)


class FireworksRerank(_FwRerank):
    """Fireworks AI reranker (``POST /rerank``) as a LangChain document compressor.

    The key comes from ``api_key`` or ``FIREWORKS_API_KEY``; the default model is
    ``fireworks/qwen3-reranker-8b``. Keeps the best ``top_n`` (default 3) documents.

    Example:
        >>> from langchain_core.documents import Document
        >>> from langchain_fw import FireworksRerank
        >>> reranker = FireworksRerank(api_key="example-key", top_n=2)
        >>> reranker.model
        'fireworks/qwen3-reranker-8b'
        >>> reranker.compress_documents([], "what is RAG?")
        []
        >>> docs = [Document(page_content="RAG combines retrieval and generation")]
        >>> best = reranker.compress_documents(docs, "what is RAG?")  # doctest: +SKIP
        >>> best[0].metadata["relevance_score"]  # doctest: +SKIP
        0.97
    """

    fw_provider: ClassVar[ProviderSpec] = FIREWORKS
    fw_aliases: ClassVar[Mapping[str, str]] = {
        "fireworks_api_key": "api_key",
        "fireworks_api_base": "base_url",
    }


class FirmwareRerank(_FwRerank):
    """Firmware.ai reranker (``POST /rerank``) as a LangChain document compressor.

    The key comes from ``api_key`` or ``FIRMWARE_API_KEY``; the default model is
    ``rerank-2.5`` (``rerank-2.5-lite`` is also served). Keeps the best ``top_n``
    (default 3) documents.

    Example:
        >>> from langchain_fw import FirmwareRerank
        >>> reranker = FirmwareRerank(api_key="example-key", model="rerank-2.5-lite")
        >>> reranker.rerank("capital of France?", [])
        []
        >>> reranker.rerank("capital of France?", ["Paris is.", "Berlin is."])  # doctest: +SKIP
        [RerankResult(index=0, relevance_score=0.98, document='Paris is.'), ...]
    """

    fw_provider: ClassVar[ProviderSpec] = FIRMWARE
    fw_aliases: ClassVar[Mapping[str, str]] = {"firmware_api_key": "api_key"}
