"""Rerank: both response shapes into one result type; checks before any request."""

from __future__ import annotations

from typing import Any

import pytest

from fw_core import FIRMWARE
from fw_core.endpoints.rerank import RerankRequest, RerankResult, arerank, parse_rerank, rerank
from fw_core.errors import ConfigurationError, NotFoundError, ResponseValidationError

from ._core_support import AsyncRecorder, Recorder, json_response, make_async_client, make_client

DOCS = ["ML is a subset of AI.", "It is sunny today.", "Deep learning uses neural nets."]


def test_fireworks_shape() -> None:
    payload = {
        "object": "list",
        "data": [
            {"index": 1, "relevance_score": 0.1, "document": DOCS[1]},
            {"index": 0, "relevance_score": 0.97, "document": DOCS[0]},
        ],
    }
    assert parse_rerank(payload) == [
        RerankResult(0, 0.97, DOCS[0]),
        RerankResult(1, 0.1, DOCS[1]),
    ]


def test_firmware_shape_with_document_objects() -> None:
    payload = {
        "id": "rerank-1",
        "results": [
            {"index": 2, "relevance_score": 0.5, "document": {"text": DOCS[2]}},
            {"index": 0, "relevance_score": 0.98, "document": {"text": DOCS[0]}},
        ],
    }
    assert parse_rerank(payload) == [
        RerankResult(0, 0.98, DOCS[0]),
        RerankResult(2, 0.5, DOCS[2]),
    ]


def test_scores_without_documents() -> None:
    payload = {
        "results": [
            {"index": 1, "relevance_score": 0.3},
            {"index": 0, "relevance_score": 0.9, "document": None},
            {"index": 2, "relevance_score": 1, "document": {"id": "no text"}},
        ]
    }
    assert parse_rerank(payload) == [
        RerankResult(2, 1.0, None),
        RerankResult(0, 0.9, None),
        RerankResult(1, 0.3, None),
    ]


def test_ties_keep_input_order() -> None:
    payload = {"data": [{"index": 2, "relevance_score": 0.5}, {"index": 0, "relevance_score": 0.5}]}
    assert [r.index for r in parse_rerank(payload)] == [0, 2]


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"data": "x"},
        {"other": []},
        {"data": ["not an object"]},
        {"data": [{"relevance_score": 0.5}]},
        {"data": [{"index": True, "relevance_score": 0.5}]},
        {"data": [{"index": "0", "relevance_score": 0.5}]},
        {"data": [{"index": 0}]},
        {"data": [{"index": 0, "relevance_score": "high"}]},
        {"data": [{"index": 0, "relevance_score": float("nan")}]},
    ],
)
def test_unusable_shapes_are_response_validation_errors(payload: Any) -> None:
    with pytest.raises(ResponseValidationError):
        parse_rerank(payload)


def test_out_of_range_index() -> None:
    payload = {"data": [{"index": 3, "relevance_score": 0.5}]}
    assert parse_rerank(payload)[0].index == 3  # no bound known
    with pytest.raises(ResponseValidationError, match="out of range"):
        parse_rerank(payload, n_documents=3)
    with pytest.raises(ResponseValidationError):
        parse_rerank({"data": [{"index": -1, "relevance_score": 0.5}]}, n_documents=3)


def test_rerank_request_body_and_response() -> None:
    payload = {
        "object": "list",
        "model": "accounts/fireworks/models/qwen3-reranker-8b",
        "data": [{"index": 0, "relevance_score": 0.97, "document": DOCS[0]}],
        "usage": {"prompt_tokens": 31, "total_tokens": 31},
    }
    rec = Recorder([json_response(payload, headers={"x-request-id": "rr"})])
    client, _ = make_client(rec)
    req = RerankRequest(
        "fireworks/qwen3-reranker-8b",
        top_n=10,
        return_documents=True,
        extra_body={"truncate": True},
    )
    resp = rerank(client, "What is ML?", DOCS, req)
    assert rec.bodies()[0] == {
        "model": "fireworks/qwen3-reranker-8b",
        "query": "What is ML?",
        "documents": DOCS,
        "top_n": 3,  # clamped to the number of documents
        "return_documents": True,
        "truncate": True,
    }
    assert str(rec.requests[0].url).endswith("/rerank")
    assert resp.results == [RerankResult(0, 0.97, DOCS[0])]
    assert resp.model == "accounts/fireworks/models/qwen3-reranker-8b"
    assert resp.usage.total_tokens == 31
    assert resp.id == "rr"  # no body id: the request id stands in
    assert resp.headers == {"x-request-id": "rr"}


def test_rerank_omits_unset_options() -> None:
    rec = Recorder([json_response({"results": [{"index": 0, "relevance_score": 0.2}]})])
    client, _ = make_client(rec, provider=FIRMWARE)
    resp = rerank(client, "q", ["d"], RerankRequest("rerank-2.5"))
    assert rec.bodies()[0] == {"model": "rerank-2.5", "query": "q", "documents": ["d"]}
    assert resp.results == [RerankResult(0, 0.2, None)] and resp.usage is None


def test_rerank_index_beyond_documents_is_rejected() -> None:
    rec = Recorder([json_response({"data": [{"index": 5, "relevance_score": 0.2}]})])
    client, _ = make_client(rec)
    with pytest.raises(ResponseValidationError):
        rerank(client, "q", ["a", "b"], RerankRequest("m"))


async def test_empty_documents_send_no_request() -> None:
    rec = Recorder([json_response({"data": []})])
    client, _ = make_client(rec)
    resp = rerank(client, "q", [], RerankRequest("m"))
    assert resp.results == [] and rec.calls == 0
    arec = AsyncRecorder([json_response({"data": []})])
    aclient, _ = make_async_client(arec)
    assert (await arerank(aclient, "q", [], RerankRequest("m"))).results == []
    assert arec.calls == 0


@pytest.mark.parametrize(
    ("query", "docs", "req"),
    [
        ("", DOCS, RerankRequest("m")),
        ("   ", DOCS, RerankRequest("m")),
        (None, DOCS, RerankRequest("m")),
        ("q", "one string", RerankRequest("m")),
        ("q", ["a", 2], RerankRequest("m")),
        ("q", DOCS, RerankRequest("m", top_n=0)),
        ("q", DOCS, RerankRequest("m", top_n=True)),  # type: ignore[arg-type]
    ],
)
async def test_bad_arguments_are_configuration_errors(
    query: Any, docs: Any, req: RerankRequest
) -> None:
    rec = Recorder([json_response({"data": []})])
    client, _ = make_client(rec)
    with pytest.raises(ConfigurationError):
        rerank(client, query, docs, req)
    aclient, _ = make_async_client(AsyncRecorder([json_response({"data": []})]))
    with pytest.raises(ConfigurationError):
        await arerank(aclient, query, docs, req)
    assert rec.calls == 0


async def test_arerank_and_errors() -> None:
    payload = {
        "id": "rerank-1",
        "model": "rerank-2.5",
        "results": [
            {"index": 1, "relevance_score": 0.8, "document": {"text": "b"}},
            {"index": 0, "relevance_score": 0.1, "document": {"text": "a"}},
        ],
        "usage": {"total_tokens": 40},
    }
    client, _ = make_async_client(AsyncRecorder([json_response(payload)]), provider=FIRMWARE)
    resp = await arerank(client, "q", ["a", "b"], RerankRequest("rerank-2.5", top_n=1))
    assert [r.document for r in resp.results] == ["b", "a"]
    assert resp.id == "rerank-1" and resp.usage.total_tokens == 40
    client, _ = make_async_client(AsyncRecorder([json_response({"error": "no model"}, 404)]))
    with pytest.raises(NotFoundError):
        await arerank(client, "q", ["a"], RerankRequest("m"))
