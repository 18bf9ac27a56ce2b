"""FireworksRerank / FirmwareRerank: scores, top_n, events, real async, empty input."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from llama_index.core.callbacks import CBEventType
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from fw_core.testing import WireDouble
from llamaindex_fw import FireworksRerank, FirmwareRerank

TEXTS = [
    "Bananas are a yellow fruit rich in potassium.",
    "Paris is the capital of France.",
    "The Seine flows through Paris, the French capital.",
    "Python is a programming language.",
]


def nodes() -> list[NodeWithScore]:
    return [
        NodeWithScore(node=TextNode(text=t, id_=f"n{i}"), score=0.5 - i / 10)
        for i, t in enumerate(TEXTS)
    ]


@pytest.mark.parametrize("cls", [FireworksRerank, FirmwareRerank])
def test_best_nodes_first_with_api_scores(
    cls: type[Any], clients: dict[str, Any], double: WireDouble
) -> None:
    rr = cls(top_n=2, api_key="test-key", **clients)
    out = rr.postprocess_nodes(nodes(), query_str="What is the capital of France?")
    assert [n.node.node_id for n in out] == ["n1", "n2"]
    assert out[0].score is not None and out[0].score > out[1].score  # type: ignore[operator]
    assert out[0].score != 0.4  # the API's score, not the retriever's
    body = double.requests[-1].json
    assert body["documents"] == TEXTS and body["top_n"] == 2
    assert body["model"] == cls(api_key="k").model


def test_keep_retrieval_score(clients: dict[str, Any]) -> None:
    rr = FireworksRerank(top_n=1, keep_retrieval_score=True, api_key="test-key", **clients)
    out = rr.postprocess_nodes(nodes(), query_str="capital of France")
    assert out[0].node.metadata["retrieval_score"] == pytest.approx(0.4)


def test_empty_input_makes_no_request(clients: dict[str, Any], double: WireDouble) -> None:
    rr = FirmwareRerank(api_key="test-key", **clients)
    assert rr.postprocess_nodes([], query_str="anything") == []
    assert double.requests == []


def test_query_is_required(clients: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="query"):
        FireworksRerank(api_key="test-key", **clients).postprocess_nodes(nodes())


async def test_async_path_is_async_and_matches_sync(double: WireDouble) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("the async path must not use the sync client")

    rr = FirmwareRerank(
        top_n=3,
        api_key="test-key",
        http_client=httpx.Client(transport=httpx.MockTransport(refuse)),
        async_http_client=httpx.AsyncClient(transport=double.async_transport()),
    )
    out = await rr.apostprocess_nodes(nodes(), query_bundle=QueryBundle("French capital"))
    assert len(out) == 3 and out[0].node.node_id in ("n1", "n2")
    assert await rr.apostprocess_nodes([], query_str="x") == []
    assert double.count("/rerank") == 1


def test_rerank_fires_events_and_callbacks(
    clients: dict[str, Any], events: Any, debug: Any
) -> None:
    manager, handler = debug
    rr = FireworksRerank(top_n=2, api_key="test-key", callback_manager=manager, **clients)
    out = rr.postprocess_nodes(nodes(), query_str="capital of France")
    start = next(e for e in events.events if type(e).__name__ == "ReRankStartEvent")
    end = next(e for e in events.events if type(e).__name__ == "ReRankEndEvent")
    assert start.top_n == 2 and start.model_name == rr.model and len(start.nodes) == 4
    assert [n.node.node_id for n in end.nodes] == [n.node.node_id for n in out]
    pairs = handler.get_event_pairs(CBEventType.RERANKING)
    assert len(pairs) == 1 and len(pairs[0]) == 2
