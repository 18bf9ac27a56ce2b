"""LlamaIndex ``IngestionPipeline(...).run(num_workers=2)`` with our embedding.

The pipeline ships its transformations to a ``spawn`` process pool by pickling, so the
embedding (used once in this process first, so it holds a live client) arrives in each
worker as a copy that builds its own HTTP client and reaches the wire double's loopback
server through ``base_url``. The vectors match an in-process run.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from llama_index.core.ingestion import IngestionPipeline
from llama_index.core.schema import TextNode

from fw_core.testing import WireDouble
from fw_core.testing.server import serve
from llamaindex_fw import FireworksEmbedding

KEY = "fw-ingest-test-key-0123456789"


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[WireDouble, str]]:
    double = WireDouble()
    with serve(double, max_lifetime=120) as url:
        yield double, url + "/inference/v1"


def _nodes(n: int) -> list[TextNode]:
    return [TextNode(text=f"passage {i} about topic{i % 5}", id_=f"n{i}") for i in range(n)]


def test_pipeline_with_two_worker_processes(served: tuple[WireDouble, str]) -> None:
    double, base_url = served
    emb = FireworksEmbedding(base_url=base_url, api_key=KEY, embed_batch_size=10)
    emb.get_query_embedding("warm up")  # a used object, holding a client, gets pickled
    before = double.count("/embeddings")

    pipeline = IngestionPipeline(transformations=[emb])
    nodes = pipeline.run(nodes=_nodes(40), num_workers=2)

    assert {n.id_ for n in nodes} == {f"n{i}" for i in range(40)} and len(nodes) == 40
    expected = emb.get_text_embedding_batch([n.text for n in _nodes(40)])
    by_id = {n.id_: n.embedding for n in nodes}
    assert [by_id[f"n{i}"] for i in range(40)] == expected
    # Four requests from the two workers (20 nodes each, 10 per request), four for expected.
    assert double.count("/embeddings") - before == 8
