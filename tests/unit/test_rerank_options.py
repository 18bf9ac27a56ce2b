"""Rerank options of issue 22 in fw_core, against the wire double: ``task`` (Fireworks'
field; written into the query for Firmware), ``return_documents``, and dict documents
ranked by a chosen field (docs/wire.md §1.12, §2.6)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fw_core.endpoints.rerank import (
    RerankRequest,
    attach_items,
    document_texts,
    query_with_task,
    rerank,
)
from fw_core.errors import BadRequestError, ConfigurationError
from fw_core.http.client import Client
from fw_core.providers import FIREWORKS, FIRMWARE, ProviderSpec
from fw_core.testing import WireDouble

TASK = "Given a web search query, retrieve relevant passages that answer the query"
DOCS = ["Bananas are yellow.", "Paris is the capital of France.", "Lyon is in France."]


def _client(double: WireDouble, provider: ProviderSpec) -> Client:
    return Client(
        provider=provider,
        api_key="test-key",
        http_client=httpx.Client(transport=double.transport()),
    )


def test_the_client_decides_how_the_task_travels() -> None:
    """A request object is provider-neutral: the same one sent through each client."""
    req = RerankRequest("m", task=TASK)
    fw, fm = WireDouble(), WireDouble()
    rerank(
        _client(fw, FIREWORKS), "q", DOCS, RerankRequest("fireworks/qwen3-reranker-8b", task=TASK)
    )
    rerank(_client(fm, FIRMWARE), "q", DOCS, RerankRequest("rerank-2.5", task=TASK))
    assert fw.requests[-1].json["task"] == TASK and fw.requests[-1].json["query"] == "q"
    assert "task" not in fm.requests[-1].json
    assert fm.requests[-1].json["query"] == query_with_task(TASK, "q")
    assert req.body("q", DOCS)["task"] == TASK  # body() alone defaults to Fireworks' form


def test_fireworks_sends_task_as_its_own_field() -> None:
    double = WireDouble()
    req = RerankRequest("fireworks/qwen3-reranker-8b", task=TASK)
    resp = rerank(_client(double, FIREWORKS), "capital of France", DOCS, req)
    body = double.requests[-1].json
    assert body["task"] == TASK and body["query"] == "capital of France"
    assert resp.results[0].index == 1


def test_firmware_gets_the_task_in_front_of_the_query() -> None:
    double = WireDouble()
    req = RerankRequest("rerank-2.5", task=TASK)
    resp = rerank(_client(double, FIRMWARE), "capital of France", DOCS, req)
    body = double.requests[-1].json
    assert "task" not in body  # Firmware's reference names no such field
    assert body["query"] == query_with_task(TASK, "capital of France")
    assert body["query"].startswith(TASK) and body["query"].endswith("capital of France")
    assert resp.results[0].index == 1


def test_the_double_refuses_task_on_firmware_like_any_unknown_field() -> None:
    """Why Firmware gets the task in the query: a ``task`` field is not in its schema."""
    double = WireDouble()
    req = RerankRequest("rerank-2.5", extra_body={"task": TASK})
    with pytest.raises(BadRequestError, match="task"):
        rerank(_client(double, FIRMWARE), "q", DOCS, req)


@pytest.mark.parametrize(
    ("spec", "model"),
    [(FIREWORKS, "fireworks/qwen3-reranker-8b"), (FIRMWARE, "rerank-2.5")],
    ids=["fireworks", "firmware"],
)
@pytest.mark.parametrize("echo", [True, False])
def test_return_documents_is_sent_and_decides_the_echo(
    spec: ProviderSpec, model: str, echo: bool
) -> None:
    double = WireDouble()
    req = RerankRequest(model, return_documents=echo)
    resp = rerank(_client(double, spec), "capital of France", DOCS, req)
    assert double.requests[-1].json["return_documents"] is echo
    assert (resp.results[0].document == DOCS[1]) is echo
    assert (resp.results[0].document is None) is not echo


@pytest.mark.parametrize("task", ["", "   ", 3])
def test_a_bad_task_is_refused_before_any_request(task: Any) -> None:
    double = WireDouble()
    req = RerankRequest("fireworks/qwen3-reranker-8b", task=task)
    with pytest.raises(ConfigurationError, match="task"):
        rerank(_client(double, FIREWORKS), "q", DOCS, req)
    assert double.requests == []


def test_dict_documents_send_the_chosen_field_and_map_back() -> None:
    rows = [
        {"id": "a", "body": "Bananas are yellow."},
        {"id": "b", "body": "Paris is the capital of France."},
    ]
    texts = document_texts(rows, "body")
    assert texts == [r["body"] for r in rows]
    double = WireDouble()
    req = RerankRequest("fireworks/qwen3-reranker-8b", return_documents=False)
    resp = rerank(_client(double, FIREWORKS), "capital of France", texts, req)
    assert double.requests[-1].json["documents"] == texts
    ranked = attach_items(resp.results, rows, texts)
    assert ranked[0].item is rows[1]  # the caller's own dict
    assert ranked[0].document == rows[1]["body"]  # filled from the input (no echo asked)


@pytest.mark.parametrize(
    "docs",
    [[{"text": 1}], [{"title": "x"}], [3], "one string"],
    ids=["not-a-string", "missing-field", "not-a-document", "bare-string"],
)
def test_unusable_documents_are_configuration_errors(docs: Any) -> None:
    with pytest.raises(ConfigurationError):
        document_texts(docs)
