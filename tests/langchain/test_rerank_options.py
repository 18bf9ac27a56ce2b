"""FireworksRerank / FirmwareRerank options of issue 22 on the wire double: ``task``
(Fireworks' field, Firmware's query prefix), ``return_documents``, dict documents ranked by
``document_field`` with the caller's dicts in the results (docs/wire.md §1.12, §2.6)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain_core.documents import Document

from fw_core import errors as fe
from fw_core.testing import WireDouble
from langchain_fw.rerank import FireworksRerank, FirmwareRerank

TASK = "Given a question about geography, retrieve passages that answer it"
ROWS = [
    {"sku": 1, "body": "Bananas are a yellow fruit."},
    {"sku": 2, "body": "Paris is the capital of France."},
    {"sku": 3, "body": "Lyon is a city in France."},
]


def _make(cls: type[Any], double: WireDouble, **kwargs: Any) -> Any:
    return cls(
        api_key="test-key",
        http_client=httpx.Client(transport=double.transport()),
        http_async_client=httpx.AsyncClient(transport=double.async_transport()),
        **kwargs,
    )


def test_fireworks_task_is_sent_with_every_compression() -> None:
    double = WireDouble()
    rr = _make(FireworksRerank, double, task=TASK, top_n=1)
    docs = [Document(page_content=r["body"]) for r in ROWS]
    best = rr.compress_documents(docs, "capital of France")
    assert best[0].page_content == ROWS[1]["body"]
    body = double.requests[-1].json
    assert body["task"] == TASK and body["query"] == "capital of France"


def test_firmware_task_goes_in_front_of_the_query() -> None:
    double = WireDouble()
    rr = _make(FirmwareRerank, double, task=TASK, top_n=1)
    rr.rerank("capital of France", [r["body"] for r in ROWS])
    body = double.requests[-1].json
    assert "task" not in body
    assert body["query"].startswith(TASK) and body["query"].endswith("capital of France")


@pytest.mark.parametrize("cls", [FireworksRerank, FirmwareRerank])
async def test_dict_documents_come_back_as_the_callers_dicts(cls: type[Any]) -> None:
    double = WireDouble()
    rr = _make(cls, double, document_field="body", top_n=2, return_documents=False)
    for ranked in (
        rr.rerank("capital of France", ROWS),
        await rr.arerank("capital of France", ROWS),
    ):
        assert [r.item["sku"] for r in ranked] == [2, 3]
        assert ranked[0].item is ROWS[1]
        assert ranked[0].document == ROWS[1]["body"]
    sent = double.requests[-1].json
    assert sent["documents"] == [r["body"] for r in ROWS]
    assert sent["return_documents"] is False


def test_a_dict_without_the_field_is_refused_before_any_request() -> None:
    double = WireDouble()
    rr = _make(FireworksRerank, double)  # document_field="text"
    with pytest.raises(fe.ConfigurationError, match="'text'"):
        rr.rerank("q", ROWS)
    assert double.requests == []


@pytest.mark.parametrize("bad", [{"task": ""}, {"task": 7}, {"document_field": ""}])
def test_bad_options_fail_at_construction(bad: dict[str, Any]) -> None:
    # pydantic's ValidationError (a wrong type) and ConfigurationError are both ValueErrors
    with pytest.raises(ValueError, match=r"task|document_field"):
        FireworksRerank(api_key="test-key", **bad)
