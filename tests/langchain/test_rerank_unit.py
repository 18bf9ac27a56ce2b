"""FireworksRerank / FirmwareRerank as LangChain document compressors, against
httpx.MockTransport handlers that answer in each API's documented shape (docs/wire.md §1.12,
§2.6), with and without the document text."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from langchain_core.documents import Document
from langchain_core.exceptions import ModelAuthenticationError
from langchain_core.load import dumpd

from fw_core import errors as fe
from fw_core.endpoints.rerank import RerankResult
from langchain_fw.rerank import FireworksRerank, FirmwareRerank

DOCS = [
    Document(page_content="Berlin is the capital of Germany.", metadata={"src": "de"}, id="d0"),
    Document(page_content="Paris is the capital of France.", metadata={"src": "fr"}, id="d1"),
    Document(page_content="Bananas are yellow.", metadata={"src": "fruit"}, id="d2"),
    Document(page_content="France borders Spain.", metadata={"src": "geo"}, id="d3"),
]
SCORES = {0: 0.31, 1: 0.97, 2: 0.02, 3: 0.55}  # the fake API's opinion, by input index


def _ranked(body: dict[str, Any]) -> list[int]:
    order = sorted(range(len(body["documents"])), key=lambda i: -SCORES[i])
    return order[: body.get("top_n") or len(order)]


def fireworks_api(body: dict[str, Any]) -> dict[str, Any]:
    """Fireworks shape: data[].document is a string, sent unless return_documents is false."""
    with_text = body.get("return_documents", True)
    data = []
    for i in _ranked(body):
        item: dict[str, Any] = {"index": i, "relevance_score": SCORES[i]}
        if with_text:
            item["document"] = body["documents"][i]
        data.append(item)
    return {
        "object": "list",
        "model": body["model"],
        "data": data,
        "usage": {"prompt_tokens": 40, "total_tokens": 40},
    }


def firmware_api(body: dict[str, Any]) -> dict[str, Any]:
    """Firmware (Cohere) shape: results[].document.text, only when return_documents is true."""
    results = []
    for i in _ranked(body):
        item: dict[str, Any] = {"index": i, "relevance_score": SCORES[i]}
        if body.get("return_documents", False):
            item["document"] = {"text": body["documents"][i]}
        results.append(item)
    return {"id": "rerank-1", "results": results, "usage": {"total_tokens": 40}}


class Recorder:
    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        assert request.url.path.endswith("/rerank")
        return httpx.Response(200, json=self.answer(body))

    async def acall(self, request: httpx.Request) -> httpx.Response:
        return self(request)


PROVIDERS = [(FireworksRerank, fireworks_api), (FirmwareRerank, firmware_api)]


def _make(cls: type, answer: Any, **kwargs: Any) -> tuple[Any, Recorder]:
    rec = Recorder(answer)
    reranker = cls(
        http_client=httpx.Client(transport=httpx.MockTransport(rec)),
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(rec.acall)),
        **kwargs,
    )
    return reranker, rec


def _no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"unexpected request {request.method} {request.url}")


def _check_compressed(out: Any, top_n: int) -> None:
    assert [d.id for d in out] == ["d1", "d3", "d0", "d2"][:top_n]
    assert [d.metadata["relevance_score"] for d in out] == [0.97, 0.55, 0.31, 0.02][:top_n]
    by_id = {d.id: d for d in DOCS}
    for d in out:
        original = by_id[d.id]
        assert d.page_content == original.page_content
        assert d.metadata == {**original.metadata, "relevance_score": d.metadata["relevance_score"]}
    assert all("relevance_score" not in d.metadata for d in DOCS)  # inputs untouched


@pytest.mark.parametrize(("cls", "answer"), PROVIDERS)
@pytest.mark.parametrize("return_documents", [None, True, False])
def test_compress_orders_by_score_and_keeps_metadata(
    cls: type, answer: Any, return_documents: bool | None
) -> None:
    reranker, rec = _make(cls, answer, top_n=3, return_documents=return_documents)
    out = reranker.compress_documents(DOCS, "What is the capital of France?")
    _check_compressed(out, 3)
    body = rec.bodies[0]
    assert body["model"] == cls.fw_provider.default_rerank_model
    assert body["top_n"] == 3 and body["query"] == "What is the capital of France?"
    assert body["documents"] == [d.page_content for d in DOCS]
    assert ("return_documents" in body) == (return_documents is not None)


@pytest.mark.parametrize(("cls", "answer"), PROVIDERS)
async def test_async_compress_matches_sync(cls: type, answer: Any) -> None:
    reranker, rec = _make(cls, answer, top_n=None)
    reranker.http_client = httpx.Client(transport=httpx.MockTransport(_no_network))
    out = await reranker.acompress_documents(DOCS, "capital of France")
    _check_compressed(out, 4)
    assert "top_n" not in rec.bodies[0]


@pytest.mark.parametrize(("cls", "answer"), PROVIDERS)
def test_top_n_is_applied_even_if_the_api_returns_more(cls: type, answer: Any) -> None:
    def ignore_top_n(body: dict[str, Any]) -> dict[str, Any]:
        return answer({**body, "top_n": None})

    reranker, _ = _make(cls, ignore_top_n, top_n=2)
    _check_compressed(reranker.compress_documents(DOCS, "q"), 2)


@pytest.mark.parametrize("cls", [FireworksRerank, FirmwareRerank])
async def test_empty_documents_return_empty_without_a_request(cls: type) -> None:
    reranker = cls(
        http_client=httpx.Client(transport=httpx.MockTransport(_no_network)),
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(_no_network)),
    )
    assert reranker.compress_documents([], "q") == []
    assert await reranker.acompress_documents([], "q") == []
    assert reranker.rerank("q", []) == []
    assert await reranker.arerank("q", []) == []


@pytest.mark.parametrize(("cls", "answer"), PROVIDERS)
@pytest.mark.parametrize("return_documents", [None, False])
async def test_plain_rerank_returns_texts_even_when_the_api_omits_them(
    cls: type, answer: Any, return_documents: bool | None
) -> None:
    texts = [d.page_content for d in DOCS]
    reranker, _ = _make(cls, answer, top_n=2, return_documents=return_documents)
    expected = [RerankResult(1, 0.97, texts[1]), RerankResult(3, 0.55, texts[3])]
    assert reranker.rerank("capital of France", texts) == expected
    assert await reranker.arerank("capital of France", texts) == expected


def test_model_and_extra_body_are_sent() -> None:
    reranker, rec = _make(
        FireworksRerank,
        fireworks_api,
        model="qwen3-reranker-8b",
        extra_body={"task": "Retrieve passages that answer the query"},
    )
    reranker.compress_documents(DOCS, "q")
    assert rec.bodies[0]["model"] == "accounts/fireworks/models/qwen3-reranker-8b"
    assert rec.bodies[0]["task"] == "Retrieve passages that answer the query"


@pytest.mark.parametrize("cls", [FireworksRerank, FirmwareRerank])
async def test_api_errors_are_typed_for_both_fw_core_and_langchain(cls: type) -> None:
    def denied(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"message": "bad key"}})

    async def adenied(request: httpx.Request) -> httpx.Response:
        return denied(request)

    reranker = cls(
        http_client=httpx.Client(transport=httpx.MockTransport(denied)),
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(adenied)),
    )
    with pytest.raises(ModelAuthenticationError) as info:
        reranker.compress_documents(DOCS, "q")
    assert isinstance(info.value, fe.AuthenticationError) and info.value.status_code == 401
    with pytest.raises(fe.AuthenticationError):
        await reranker.acompress_documents(DOCS, "q")


def test_a_wrong_shape_is_a_validation_error() -> None:
    reranker, _ = _make(
        FirmwareRerank, lambda body: {"results": [{"index": 9, "relevance_score": 0.1}]}
    )
    with pytest.raises(fe.ResponseValidationError, match="out of range"):
        reranker.compress_documents(DOCS, "q")


@pytest.mark.parametrize(
    ("cls", "kwargs", "match"),
    [
        (FireworksRerank, {"top_n": 0}, "top_n"),
        (FirmwareRerank, {"model": "firmware/rerank-2.5"}, "prefix"),
        (FirmwareRerank, {"api_key": ""}, "key"),
    ],
)
def test_bad_options_fail_at_construction(cls: type, kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(fe.ConfigurationError, match=match):
        cls(**kwargs)


def test_defaults_and_secrets() -> None:
    secret = "very-secret-value-456"
    fw, fm = FireworksRerank(api_key=secret), FirmwareRerank(api_key=secret)
    assert (fw.model, fm.model) == ("fireworks/qwen3-reranker-8b", "rerank-2.5")
    assert fw.top_n == fm.top_n == 3
    for r in (fw, fm):
        assert secret not in repr(r) and secret not in str(r.model_dump())
        assert secret not in json.dumps(dumpd(r), default=str)


def test_one_client_is_created_lazily_and_reused() -> None:
    reranker, _ = _make(FireworksRerank, fireworks_api)
    assert reranker._fw_clients.sync is None
    reranker.compress_documents(DOCS, "q")
    first = reranker._fw_clients.sync
    reranker.rerank("q", ["a", "b", "c", "d"])
    assert reranker._fw_clients.sync is first and first is not None
