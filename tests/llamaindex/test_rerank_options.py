"""FireworksRerank / FirmwareRerank (LlamaIndex) options of issue 22 on the wire double:
``task``, ``return_documents`` and dict documents by ``document_field``
(docs/wire.md §1.12, §2.6)."""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.schema import NodeWithScore, TextNode

from fw_core.errors import ConfigurationError
from fw_core.testing import WireDouble
from llamaindex_fw import FireworksRerank, FirmwareRerank

TASK = "Given a question about geography, retrieve passages that answer it"
ROWS = [
    {"sku": 1, "body": "Bananas are a yellow fruit."},
    {"sku": 2, "body": "Paris is the capital of France."},
    {"sku": 3, "body": "Lyon is a city in France."},
]


def _nodes() -> list[NodeWithScore]:
    return [NodeWithScore(node=TextNode(text=r["body"], id_=f"n{r['sku']}")) for r in ROWS]


def test_fireworks_task_and_echo_reach_the_wire(
    clients: dict[str, Any], double: WireDouble
) -> None:
    rr = FireworksRerank(top_n=1, task=TASK, return_documents=True, api_key="k", **clients)
    out = rr.postprocess_nodes(_nodes(), query_str="capital of France")
    assert out[0].node.node_id == "n2"
    body = double.requests[-1].json
    assert body["task"] == TASK and body["return_documents"] is True


def test_by_default_the_texts_are_not_echoed(clients: dict[str, Any], double: WireDouble) -> None:
    FireworksRerank(api_key="k", **clients).postprocess_nodes(_nodes(), query_str="France")
    assert double.requests[-1].json["return_documents"] is False
    assert "task" not in double.requests[-1].json


def test_firmware_task_goes_in_front_of_the_query(
    clients: dict[str, Any], double: WireDouble
) -> None:
    rr = FirmwareRerank(top_n=1, task=TASK, api_key="k", **clients)
    out = rr.postprocess_nodes(_nodes(), query_str="capital of France")
    assert out[0].node.node_id == "n2"
    body = double.requests[-1].json
    assert "task" not in body and body["query"].startswith(TASK)


@pytest.mark.parametrize("cls", [FireworksRerank, FirmwareRerank])
async def test_rerank_dicts_by_field(
    cls: type[Any], clients: dict[str, Any], double: WireDouble
) -> None:
    rr = cls(top_n=2, document_field="body", api_key="k", **clients)
    q = "capital of France"
    for ranked in (rr.rerank(q, ROWS), await rr.arerank(q, ROWS)):
        assert [r.item["sku"] for r in ranked] == [2, 3]
        assert ranked[0].document == ROWS[1]["body"]
    assert double.requests[-1].json["documents"] == [r["body"] for r in ROWS]


def test_bad_task_fails_at_construction() -> None:
    with pytest.raises(ConfigurationError, match="task"):
        FireworksRerank(task="  ", api_key="k")
