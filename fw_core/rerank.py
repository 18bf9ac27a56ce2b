"""Rerank: one result type for both APIs' response shapes.

Fireworks answers ``{"data": [{"index", "relevance_score", "document": "text"}]}``;
Firmware (Cohere style) ``{"results": [{"index", "relevance_score", "document": {"text"}}]}``,
and leaves ``document`` out unless asked. Both become a list of :class:`RerankResult`
sorted by score, best first; ``document`` is None when the API sent no text.

>>> parse_rerank({"data": [{"index": 1, "relevance_score": 0.2, "document": "b"},
...                        {"index": 0, "relevance_score": 0.9, "document": "a"}]})
[RerankResult(index=0, relevance_score=0.9, document='a'), \
RerankResult(index=1, relevance_score=0.2, document='b')]
>>> parse_rerank({"results": [{"index": 0, "relevance_score": 0.5, "document": {"text": "x"}}]})
[RerankResult(index=0, relevance_score=0.5, document='x')]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fw_core.client import AsyncClient, Client, select_headers
from fw_core.errors import ConfigurationError, ResponseValidationError
from fw_core.wire import Usage

__all__ = [
    "RerankRequest",
    "RerankResponse",
    "RerankResult",
    "arerank",
    "parse_rerank",
    "rerank",
]

RERANK_PATH = "/rerank"


@dataclass(frozen=True, slots=True)
class RerankResult:
    """One document's place: its index in the input list, its score, its text if returned."""

    index: int
    relevance_score: float
    document: str | None = None


@dataclass(slots=True)
class RerankResponse:
    results: list[RerankResult]
    model: str = ""
    usage: Usage | None = None
    id: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class RerankRequest:
    model: str
    top_n: int | None = None
    return_documents: bool | None = None
    extra_body: dict[str, Any] | None = None

    def body(self, query: str, documents: Sequence[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "query": query, "documents": list(documents)}
        if self.top_n is not None:
            body["top_n"] = min(self.top_n, len(documents))
        if self.return_documents is not None:
            body["return_documents"] = self.return_documents
        if self.extra_body:
            body.update(self.extra_body)
        return body


def _text(doc: Any) -> str | None:
    if doc is None:
        return None
    if isinstance(doc, str):
        return doc
    if isinstance(doc, dict) and isinstance(doc.get("text"), str):
        return str(doc["text"])
    return None


def parse_rerank(payload: Any, *, n_documents: int | None = None) -> list[RerankResult]:
    """Read either rerank shape into results sorted by score (best first)."""
    if not isinstance(payload, dict):
        raise ResponseValidationError("rerank response is not a JSON object")
    items = payload.get("data")
    if items is None:
        items = payload.get("results")
    if not isinstance(items, list):
        raise ResponseValidationError("rerank response has neither 'data' nor 'results' list")
    out: list[RerankResult] = []
    for item in items:
        if not isinstance(item, dict):
            raise ResponseValidationError("rerank result is not an object")
        index, score = item.get("index"), item.get("relevance_score")
        if isinstance(index, bool) or not isinstance(index, int):
            raise ResponseValidationError(f"rerank result without an integer index: {item!r}")
        if n_documents is not None and not 0 <= index < n_documents:
            raise ResponseValidationError(f"rerank index {index} out of range")
        if isinstance(score, bool) or not isinstance(score, int | float) or math.isnan(score):
            raise ResponseValidationError(f"rerank result without a numeric score: {item!r}")
        out.append(RerankResult(index, float(score), _text(item.get("document"))))
    out.sort(key=lambda r: (-r.relevance_score, r.index))
    return out


def _check(query: str, documents: Sequence[str], req: RerankRequest) -> None:
    if not isinstance(query, str) or not query.strip():
        raise ConfigurationError("rerank needs a non-empty query")
    if isinstance(documents, str):
        raise ConfigurationError("rerank takes a list of documents, not a single string")
    if req.top_n is not None and (isinstance(req.top_n, bool) or req.top_n < 1):
        raise ConfigurationError(f"top_n must be >= 1, got {req.top_n!r}")
    for i, d in enumerate(documents):
        if not isinstance(d, str):
            raise ConfigurationError(f"document {i} is {type(d).__name__}, not str")


def _response(
    content: Any, n: int, headers: dict[str, str], request_id: str | None, status: int
) -> RerankResponse:
    try:
        results = parse_rerank(content, n_documents=n)
    except ResponseValidationError as exc:  # name the response, like every other APIError
        exc.status_code = exc.status_code or status
        exc.request_id = exc.request_id or request_id
        raise
    usage = content.get("usage")
    return RerankResponse(
        results=results,
        model=str(content.get("model") or ""),
        usage=Usage.model_validate(usage) if isinstance(usage, dict) else None,
        id=content.get("id") or request_id,
        headers=headers,
    )


def rerank(
    client: Client, query: str, documents: Sequence[str], req: RerankRequest
) -> RerankResponse:
    """Rerank ``documents`` for ``query``. An empty list returns no results and sends nothing."""
    _check(query, documents, req)
    if not documents:
        return RerankResponse([], req.model)
    resp = client.request("POST", RERANK_PATH, json_body=req.body(query, documents))
    return _response(
        resp.json(),
        len(documents),
        select_headers(resp.headers),
        resp.request_id,
        resp.status_code,
    )


async def arerank(
    client: AsyncClient, query: str, documents: Sequence[str], req: RerankRequest
) -> RerankResponse:
    """Async twin of :func:`rerank`."""
    _check(query, documents, req)
    if not documents:
        return RerankResponse([], req.model)
    resp = await client.request("POST", RERANK_PATH, json_body=req.body(query, documents))
    return _response(
        resp.json(),
        len(documents),
        select_headers(resp.headers),
        resp.request_id,
        resp.status_code,
    )
