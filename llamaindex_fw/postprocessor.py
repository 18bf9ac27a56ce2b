"""``FireworksRerank`` and ``FirmwareRerank``: LlamaIndex node postprocessors on fw_core.

Nodes are sent as documents (their text with embed-mode metadata, as core's rerankers do),
the API's relevance score lands in ``NodeWithScore.score``, and the best ``top_n`` come
back best first. Both rerank response shapes are read by :mod:`fw_core.endpoints.rerank`. The async
path is truly async (fw_core's AsyncClient), not a thread. Each call fires
``ReRankStartEvent``/``ReRankEndEvent`` and a ``CBEventType.RERANKING`` callback event.

``task=`` steers the ranking with an instruction (Fireworks' ``task`` field; on Firmware
written in front of the query, docs/wire.md §1.12, §2.6). :meth:`FwRerank.rerank` ranks
texts or dicts (by ``document_field``) without nodes, as the LangChain class does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import llama_index.core.instrumentation as instrument
from llama_index.core.bridge.pydantic import Field
from llama_index.core.callbacks import CBEventType, EventPayload
from llama_index.core.instrumentation.events.rerank import ReRankEndEvent, ReRankStartEvent
from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.schema import MetadataMode, NodeWithScore, QueryBundle

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
from fw_core.kit.connection import ConnectionMixin
from fw_core.providers import FIREWORKS, FIRMWARE, ProviderSpec

__all__ = ["FireworksRerank", "FirmwareRerank", "FwRerank"]

dispatcher = instrument.get_dispatcher(__name__)


class FwRerank(ConnectionMixin, BaseNodePostprocessor):
    """Shared implementation of the two rerank postprocessors; use those."""

    model: str = Field(default="", description="Rerank model; default the provider's.")
    top_n: int = Field(default=3, description="How many nodes to keep (>= 1).")
    keep_retrieval_score: bool = Field(
        default=False, description="Keep the retriever's score in metadata['retrieval_score']."
    )
    task: str | None = Field(
        default=None,
        description="An instruction for the ranking (Fireworks: the task field; Firmware: "
        "written in front of the query).",
    )
    return_documents: bool = Field(
        default=False,
        description="Ask the API to echo the texts. Results are matched to the input by "
        "index, so the default False saves the bytes.",
    )
    document_field: str = Field(
        default=DEFAULT_DOCUMENT_FIELD, description="The key rerank() reads."
    )

    def __init__(self, **data: Any) -> None:
        provider = self.fw_provider
        data["model"] = data.get("model") or provider.default_rerank_model
        provider.normalize_model(data["model"])  # ConfigurationError before any request
        check_rerank_options(data)
        super().__init__(**data)

    def _request(self) -> RerankRequest:
        return RerankRequest(
            model=self.fw_provider.normalize_model(self.model),
            top_n=self.top_n,
            return_documents=self.return_documents,
            task=self.task,
        )

    def rerank(
        self, query: str, documents: Sequence[str | Mapping[str, Any]]
    ) -> list[RerankResult]:
        """Rank texts, or dicts by their ``document_field``, for ``query`` (no nodes).

        Returns:
            Up to ``top_n`` results, best first, each with ``index``,
            ``relevance_score``, ``document`` (the text) and ``item`` (the input as
            passed). An empty list sends nothing.
        """
        return rank_items(self._client(), query, documents, self._request(), self.document_field)

    async def arerank(
        self, query: str, documents: Sequence[str | Mapping[str, Any]]
    ) -> list[RerankResult]:
        """Async :meth:`rerank` on the async HTTP client."""
        return await arank_items(
            self._aclient(), query, documents, self._request(), self.document_field
        )

    def _start(self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None) -> str:
        dispatcher.event(
            ReRankStartEvent(
                query=query_bundle, nodes=nodes, top_n=self.top_n, model_name=self.model
            )
        )
        if query_bundle is None:
            raise ValueError("reranking needs a query (pass query_str or query_bundle)")
        return query_bundle.query_str

    def _payload(self, nodes: list[NodeWithScore], query: str) -> dict[str, Any]:
        return {
            EventPayload.NODES: nodes,
            EventPayload.MODEL_NAME: self.model,
            EventPayload.QUERY_STR: query,
            EventPayload.TOP_K: self.top_n,
        }

    @staticmethod
    def _documents(nodes: list[NodeWithScore]) -> list[str]:
        return [n.node.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]

    def _ranked(self, nodes: list[NodeWithScore], resp: RerankResponse) -> list[NodeWithScore]:
        out: list[NodeWithScore] = []
        for result in resp.results[: self.top_n]:
            original = nodes[result.index]
            node = original.node
            if self.keep_retrieval_score:
                node.metadata["retrieval_score"] = original.score
            out.append(NodeWithScore(node=node, score=result.relevance_score))
        return out

    def _postprocess_nodes(
        self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None
    ) -> list[NodeWithScore]:
        query = self._start(nodes, query_bundle)
        if not nodes:
            dispatcher.event(ReRankEndEvent(nodes=[]))
            return []
        with self.callback_manager.event(
            CBEventType.RERANKING, payload=self._payload(nodes, query)
        ) as event:
            resp = rerank(self._client(), query, self._documents(nodes), self._request())
            ranked = self._ranked(nodes, resp)
            event.on_end(payload={EventPayload.NODES: ranked})
        dispatcher.event(ReRankEndEvent(nodes=ranked))
        return ranked

    async def _apostprocess_nodes(
        self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None
    ) -> list[NodeWithScore]:
        query = self._start(nodes, query_bundle)
        if not nodes:
            dispatcher.event(ReRankEndEvent(nodes=[]))
            return []
        with self.callback_manager.event(
            CBEventType.RERANKING, payload=self._payload(nodes, query)
        ) as event:
            resp = await arerank(self._aclient(), query, self._documents(nodes), self._request())
            ranked = self._ranked(nodes, resp)
            event.on_end(payload={EventPayload.NODES: ranked})
        dispatcher.event(ReRankEndEvent(nodes=ranked))
        return ranked


class FireworksRerank(FwRerank):
    """Fireworks rerank (``fireworks/qwen3-reranker-8b`` by default) as a node postprocessor.

    Args:
        top_n: nodes to keep (default 3).
        model: rerank model id.
        task: an instruction for the ranking (sent as Fireworks' ``task`` field).
        return_documents: ask the API to echo the texts (default False).
        document_field: the key :meth:`rerank` reads from dict documents.
        keep_retrieval_score: copy the retriever's score to ``metadata["retrieval_score"]``.
        api_key: default ``FIREWORKS_API_KEY``.

    Example:
        >>> import httpx
        >>> from fw_core.testing import WireDouble
        >>> from llama_index.core.schema import NodeWithScore, TextNode
        >>> from llamaindex_fw import FireworksRerank
        >>> double = WireDouble()
        >>> rr = FireworksRerank(
        ...     top_n=1, api_key="fw-example",
        ...     http_client=httpx.Client(transport=double.transport()),
        ... )
        >>> nodes = [NodeWithScore(node=TextNode(text=t)) for t in
        ...          ["Paris is the capital of France", "Bananas are yellow"]]
        >>> rr.postprocess_nodes(nodes, query_str="capital of France")[0].node.text
        'Paris is the capital of France'
    """

    fw_provider: ClassVar[ProviderSpec] = FIREWORKS

    @classmethod
    def class_name(cls) -> str:
        return "llamaindex_fw.FireworksRerank"


class FirmwareRerank(FwRerank):
    """Firmware rerank (``rerank-2.5`` by default) as a node postprocessor.

    Arguments as :class:`FireworksRerank`; ``api_key`` defaults to ``FIRMWARE_API_KEY``.
    Without nodes, :meth:`~FwRerank.rerank` ranks texts or dicts (by ``document_field``)
    and hands back each item as passed.

    Example:
        >>> import httpx
        >>> from fw_core.testing import WireDouble
        >>> from llamaindex_fw import FirmwareRerank
        >>> rr = FirmwareRerank(
        ...     top_n=1, api_key="fm-example",
        ...     http_client=httpx.Client(transport=WireDouble().transport()),
        ... )
        >>> docs = [{"text": "Bananas are yellow", "id": "b"},
        ...         {"text": "Paris is the capital of France", "id": "p"}]
        >>> [(r.item["id"], r.document) for r in rr.rerank("capital of France", docs)]
        [('p', 'Paris is the capital of France')]
    """

    fw_provider: ClassVar[ProviderSpec] = FIRMWARE

    @classmethod
    def class_name(cls) -> str:
        return "llamaindex_fw.FirmwareRerank"
