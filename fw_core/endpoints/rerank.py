"""Rerank: one result type for both APIs' response shapes.

Fireworks answers ``{"data": [{"index", "relevance_score", "document": "text"}]}``;
Firmware (Cohere style) ``{"results": [{"index", "relevance_score", "document": {"text"}}]}``,
and leaves ``document`` out unless asked. Both become a list of :class:`RerankResult`
sorted by score, best first; ``document`` is None when the API sent no text.

Options beyond the query and the texts (docs/wire.md §1.12, §2.6):

- ``task``: an instruction for the ranking. Fireworks takes it as the ``task`` field;
  Firmware's reference names no such field, and its rerank-2.5 models (Voyage) follow an
  instruction written into the query, so there it goes in front of the query
  (:func:`query_with_task`).
- ``return_documents``: whether the API echoes the texts (Fireworks default true,
  Firmware false); results carry the text either way when the caller keeps the inputs.
- dict documents: :func:`document_texts` picks each dict's ``document_field`` (default
  ``"text"``); the API gets the texts, and each result's ``item`` is the caller's dict.

>>> parse_rerank({"data": [{"index": 1, "relevance_score": 0.2, "document": "b"},
...                        {"index": 0, "relevance_score": 0.9, "document": "a"}]})
[RerankResult(index=0, relevance_score=0.9, document='a'), \
RerankResult(index=1, relevance_score=0.2, document='b')]
>>> parse_rerank({"results": [{"index": 0, "relevance_score": 0.5, "document": {"text": "x"}}]})
[RerankResult(index=0, relevance_score=0.5, document='x')]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from fw_core.errors import ConfigurationError, ResponseValidationError
from fw_core.http.client import APIResponse, AsyncClient, Client, select_headers
from fw_core.providers import ProviderSpec, provider_named
from fw_core.wire import Usage

__all__ = [
    "DEFAULT_DOCUMENT_FIELD",
    "RerankRequest",
    "RerankResponse",
    "RerankResult",
    "arank_items",
    "arerank",
    "attach_items",
    "check_rerank_options",
    "check_task",
    "check_top_n",
    "document_texts",
    "parse_rerank",
    "query_with_task",
    "rank_items",
    "rerank",
]

RERANK_PATH = "/rerank"
#: The key read from a dict document unless another ``document_field`` is named.
DEFAULT_DOCUMENT_FIELD = "text"


@dataclass(frozen=True, slots=True)
class RerankResult:
    """One document's place: its index in the input list, its score, its text if returned."""

    index: int
    relevance_score: float
    document: str | None = None
    #: The input as the caller passed it (the dict, for dict documents); None when unknown.
    item: Any = field(default=None, repr=False, compare=False)


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
    #: An instruction for the ranking (see the module doc); None sends none.
    task: str | None = None

    def body(
        self, query: str, documents: Sequence[str], provider: ProviderSpec | str = "fireworks"
    ) -> dict[str, Any]:
        """The JSON body for ``provider`` (its spec or name; :func:`rerank` passes its
        client's): an API with :attr:`~fw_core.providers.ProviderSpec.rerank_task_field`
        (Fireworks) gets ``task`` as a field, any other has it written into the query."""
        spec = provider_named(provider) if isinstance(provider, str) else provider
        task_field = self.task is not None and spec.rerank_task_field
        if self.task is not None and not task_field:
            query = query_with_task(self.task, query)
        body: dict[str, Any] = {"model": self.model, "query": query, "documents": list(documents)}
        if self.top_n is not None:
            body["top_n"] = min(self.top_n, len(documents))
        if self.return_documents is not None:
            body["return_documents"] = self.return_documents
        if task_field:
            body["task"] = self.task
        if self.extra_body:
            body.update(self.extra_body)
        return body


def query_with_task(task: str, query: str) -> str:
    """The query with the instruction in front, for an API that takes no ``task`` field
    (Firmware's rerank-2.5 reads instructions from the query text, docs/wire.md §2.6).

    >>> query_with_task("Prefer official sources.", "capital of France?")
    'Prefer official sources.\\ncapital of France?'
    """
    return f"{task.strip()}\n{query}"


def document_texts(
    documents: Sequence[Any], document_field: str = DEFAULT_DOCUMENT_FIELD
) -> list[str]:
    """The text sent for each document: a string as it is, a mapping's ``document_field``.

    Raises:
        ConfigurationError: a mapping without that field (or not a string there), or a
            document that is neither a string nor a mapping.

    >>> document_texts(["a", {"text": "b", "id": 7}])
    ['a', 'b']
    >>> document_texts([{"body": "c"}], document_field="body")
    ['c']
    >>> document_texts([{"body": "c"}])
    Traceback (most recent call last):
    ...
    fw_core.errors.ConfigurationError: document 0 has no string 'text' field (keys: ['body'])
    """
    if isinstance(documents, str | bytes):
        raise ConfigurationError("rerank takes a list of documents, not a single string")
    out: list[str] = []
    for i, doc in enumerate(documents):
        if isinstance(doc, str):
            out.append(doc)
        elif isinstance(doc, Mapping):
            value = doc.get(document_field)
            if not isinstance(value, str):
                raise ConfigurationError(
                    f"document {i} has no string {document_field!r} field "
                    f"(keys: {sorted(map(str, doc))})"
                )
            out.append(value)
        else:
            raise ConfigurationError(
                f"document {i} is {type(doc).__name__}; pass strings or dicts with a "
                f"{document_field!r} field"
            )
    return out


def attach_items(
    results: Sequence[RerankResult], documents: Sequence[Any], texts: Sequence[str]
) -> list[RerankResult]:
    """Each result with the caller's input (``item``) and, when the API sent none, the
    text that was sent for it (``document``).

    >>> attach_items([RerankResult(1, 0.9)], [{"text": "a"}, {"text": "b", "id": 2}],
    ...              ["a", "b"])[0].item
    {'text': 'b', 'id': 2}
    """
    return [
        replace(
            r,
            document=r.document if r.document is not None else texts[r.index],
            item=documents[r.index],
        )
        for r in results
    ]


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
    check_top_n(req.top_n)
    check_task(req.task)
    for i, d in enumerate(documents):
        if not isinstance(d, str):
            raise ConfigurationError(f"document {i} is {type(d).__name__}, not str")


def check_top_n(top_n: Any) -> None:
    """A ``top_n`` is an int of at least 1, or None (every result).

    >>> check_top_n(0)
    Traceback (most recent call last):
    fw_core.errors.ConfigurationError: top_n must be an int >= 1 or None, got 0
    """
    if top_n is not None and (isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1):
        raise ConfigurationError(f"top_n must be an int >= 1 or None, got {top_n!r}")


def check_rerank_options(given: Mapping[str, Any]) -> None:
    """The rerank options among a constructor's arguments ``given``, checked as passed (before
    a model coerces ``True`` or ``"3"`` to an int) in both frameworks, so the same bad value
    is the same :class:`~fw_core.errors.ConfigurationError`. Absent ones keep the defaults.

    >>> check_rerank_options({"top_n": 2, "model": "any"})
    >>> check_rerank_options({"document_field": ""})
    Traceback (most recent call last):
    fw_core.errors.ConfigurationError: document_field must be a non-empty key, got ''
    """
    check_top_n(given.get("top_n"))
    check_task(given.get("task"))
    field = given.get("document_field", DEFAULT_DOCUMENT_FIELD)
    if not isinstance(field, str) or not field:
        raise ConfigurationError(f"document_field must be a non-empty key, got {field!r}")


def check_task(task: Any) -> None:
    """A ``task`` is a non-empty string or None (its wording is the caller's and the
    server's; docs/architecture.md#tolerant-reader)."""
    if task is not None and (not isinstance(task, str) or not task.strip()):
        raise ConfigurationError(f"task must be a non-empty string or None, got {task!r}")


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


def _body(
    client: Client | AsyncClient, query: str, documents: Sequence[str], req: RerankRequest
) -> dict[str, Any] | None:
    """The checked request body; None when there are no documents (nothing is sent)."""
    _check(query, documents, req)
    return req.body(query, documents, client.provider) if documents else None


def _answer(resp: APIResponse, n: int) -> RerankResponse:
    return _response(
        resp.json(), n, select_headers(resp.headers), resp.request_id, resp.status_code
    )


def rerank(
    client: Client, query: str, documents: Sequence[str], req: RerankRequest
) -> RerankResponse:
    """Rerank ``documents`` for ``query``. An empty list returns no results and sends nothing."""
    body = _body(client, query, documents, req)
    if body is None:
        return RerankResponse([], req.model)
    return _answer(client.request("POST", RERANK_PATH, json_body=body), len(documents))


async def arerank(
    client: AsyncClient, query: str, documents: Sequence[str], req: RerankRequest
) -> RerankResponse:
    """Async twin of :func:`rerank`."""
    body = _body(client, query, documents, req)
    if body is None:
        return RerankResponse([], req.model)
    return _answer(await client.request("POST", RERANK_PATH, json_body=body), len(documents))


def rank_items(
    client: Client,
    query: str,
    documents: Sequence[str | Mapping[str, Any]],
    req: RerankRequest,
    document_field: str = DEFAULT_DOCUMENT_FIELD,
) -> list[RerankResult]:
    """Rank texts, or dicts by their ``document_field``: up to ``req.top_n`` results, best
    first, each with the caller's ``item`` and the ``document`` text sent for it. The
    adapters' ``rerank(query, documents)`` methods are this."""
    items = list(documents)
    texts = document_texts(items, document_field)
    return attach_items(rerank(client, query, texts, req).results, items, texts)[: req.top_n]


async def arank_items(
    client: AsyncClient,
    query: str,
    documents: Sequence[str | Mapping[str, Any]],
    req: RerankRequest,
    document_field: str = DEFAULT_DOCUMENT_FIELD,
) -> list[RerankResult]:
    """Async twin of :func:`rank_items`."""
    items = list(documents)
    texts = document_texts(items, document_field)
    answer = await arerank(client, query, texts, req)
    return attach_items(answer.results, items, texts)[: req.top_n]
