"""Embeddings: batching, order under concurrency, failed batches, decoding, prefixes."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import math
import struct
import threading
from typing import Any

import httpx
import pytest

from fw_core import FIREWORKS, FIRMWARE
from fw_core.endpoints.embeddings import (
    EmbeddingsRequest,
    aembed,
    apply_prefix,
    decode_embedding,
    default_prefix,
    embed,
    plan_batches,
)
from fw_core.errors import (
    ConfigurationError,
    InternalServerError,
    RateLimitError,
    ResponseValidationError,
)

from ._core_support import AsyncRecorder, Recorder, json_response, make_async_client, make_client

NOMIC = "nomic-ai/nomic-embed-text-v1.5"

# ---------------------------------------------------------------------------------------
# plan_batches


def test_plan_batches_edge_cases() -> None:
    assert plan_batches(0, limit=10) == []
    assert plan_batches(-3, limit=10) == []
    assert plan_batches(1, limit=10, max_concurrency=8) == [(0, 1)]
    assert plan_batches(5, limit=10) == [(0, 5)]
    assert plan_batches(3, limit=1) == [(0, 1), (1, 2), (2, 3)]
    # A few texts are one request, whatever the concurrency: requests count against the
    # per-minute limits and a tiny batch gains nothing from running in parallel.
    assert plan_batches(3, limit=2048, max_concurrency=8) == [(0, 3)]
    assert plan_batches(64, limit=2048, max_concurrency=8) == [(0, 64)]
    assert len(plan_batches(130, limit=2048, max_concurrency=8)) == 3
    # A large input still spreads over max_concurrency requests.
    assert len(plan_batches(10_000, limit=2048, max_concurrency=8)) == 8
    assert plan_batches(10, limit=4, max_concurrency=0) == [(0, 4), (4, 8), (8, 10)]
    with pytest.raises(ConfigurationError):
        plan_batches(3, limit=0)


def test_plan_batches_invariants() -> None:
    for n in range(1, 60):
        for limit in range(1, 12):
            for conc in range(1, 6):
                spans = plan_batches(n, limit=limit, max_concurrency=conc)
                # contiguous, in order, covering every input exactly once
                assert spans[0][0] == 0 and spans[-1][1] == n
                assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
                sizes = [e - s for s, e in spans]
                assert all(1 <= size <= limit for size in sizes)
                assert len(spans) >= math.ceil(n / limit)
                # more than one request only when the limit or the concurrency asks for it
                if conc == 1:
                    assert len(spans) == math.ceil(n / limit)


# ---------------------------------------------------------------------------------------
# prefixes and decoding


def test_nomic_prefixes() -> None:
    assert default_prefix(NOMIC, "query") == "search_query: "
    assert default_prefix("Nomic-AI/NOMIC-EMBED-text-v2", "document") == "search_document: "
    assert default_prefix("text-embedding-3-small", "query") == ""
    assert apply_prefix(["a", "b"], model=NOMIC, kind="document") == [
        "search_document: a",
        "search_document: b",
    ]
    # already prefixed texts are left alone, whatever the task
    assert apply_prefix(["clustering: x", "search_query: y", "z"], model=NOMIC, kind="query") == [
        "clustering: x",
        "search_query: y",
        "search_query: z",
    ]
    assert apply_prefix(["a"], model="text-embedding-3-small", kind="query") == ["a"]
    assert apply_prefix(["a"], model="voyage-4", kind="query", prefix="q: ") == ["q: a"]
    assert apply_prefix(["a"], model=NOMIC, kind="query", prefix="") == ["a"]


def b64(values: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()


def test_decode_embedding_lists_and_base64() -> None:
    assert decode_embedding([0.5, -1.0]) == [0.5, -1.0]
    assert decode_embedding(b64([0.5, -1.25, 3.0])) == [0.5, -1.25, 3.0]
    assert decode_embedding("") == []
    with pytest.raises(ResponseValidationError):
        decode_embedding(base64.b64encode(b"\x00\x01\x02").decode())


# ---------------------------------------------------------------------------------------
# embed / aembed


def echo_payload(request: httpx.Request, *, base64_vectors: bool = False) -> dict[str, Any]:
    """Each text "t<k>" embeds to [k, len(batch)]; data returned in reverse order."""
    texts = json.loads(request.content)["input"]
    data = []
    for i, text in enumerate(texts):
        vec = [float(text.removeprefix("search_document: ").lstrip("t")), float(len(texts))]
        data.append(
            {"index": i, "object": "embedding", "embedding": b64(vec) if base64_vectors else vec}
        )
    return {
        "object": "list",
        "model": "served-model",
        "data": data[::-1],
        "usage": {"prompt_tokens": len(texts), "total_tokens": len(texts)},
    }


def texts(n: int) -> list[str]:
    return [f"t{i}" for i in range(n)]


def test_embed_single_batch_sends_body_and_sums_usage() -> None:
    rec = Recorder(lambda r, n: json_response(echo_payload(r)))
    client, _ = make_client(rec)
    req = EmbeddingsRequest(
        NOMIC, dimensions=256, extra_body={"normalize": True}, max_concurrency=1
    )
    result = embed(client, texts(3), req)
    assert [v[0] for v in result.vectors] == [0.0, 1.0, 2.0]
    assert result.requests == 1 and result.model == "served-model"
    assert result.vectors[0][1] == 3.0
    assert (result.usage.prompt_tokens, result.usage.total_tokens) == (3, 3)
    sent = rec.bodies()[0]
    assert sent == {
        "model": NOMIC,
        "input": ["t0", "t1", "t2"],
        "dimensions": 256,
        "normalize": True,
    }
    assert str(rec.requests[0].url).endswith("/embeddings")


def test_embed_base64_vectors() -> None:
    rec = Recorder(lambda r, n: json_response(echo_payload(r, base64_vectors=True)))
    client, _ = make_client(rec)
    result = embed(client, texts(4), EmbeddingsRequest(NOMIC))
    assert [v[0] for v in result.vectors] == [0.0, 1.0, 2.0, 3.0]


def test_embed_nothing_sends_nothing() -> None:
    rec = Recorder(lambda r, n: json_response(echo_payload(r)))
    client, _ = make_client(rec)
    result = embed(client, [], EmbeddingsRequest(NOMIC))
    assert (result.vectors, result.requests, rec.calls) == ([], 0, 0)


def test_sync_order_kept_when_batches_finish_in_reverse() -> None:
    n_batches = 4
    finished = [threading.Event() for _ in range(n_batches)]
    order: list[int] = []
    lock = threading.Lock()

    def handler(request: httpx.Request, n: int) -> httpx.Response:
        first = int(json.loads(request.content)["input"][0].lstrip("t"))
        pos = first // 3
        if pos + 1 < n_batches:  # wait until the batch after this one has finished
            assert finished[pos + 1].wait(5), "batches did not run concurrently"
        with lock:
            order.append(pos)
        response = json_response(echo_payload(request))
        finished[pos].set()
        return response

    client, _ = make_client(Recorder(handler))
    req = EmbeddingsRequest(NOMIC, batch_size=3, max_concurrency=n_batches)
    result = embed(client, texts(12), req)
    assert order == [3, 2, 1, 0]  # really out of order
    assert [v[0] for v in result.vectors] == [float(i) for i in range(12)]
    assert result.requests == 4
    assert result.usage.total_tokens == 12


async def test_async_order_kept_when_batches_finish_in_reverse() -> None:
    order: list[int] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        first = int(json.loads(request.content)["input"][0].lstrip("t"))
        pos = first // 2
        for _ in range((5 - pos) * 5):  # earlier batches take longer
            await asyncio.sleep(0)
        order.append(pos)
        return json_response(echo_payload(request))

    client, _ = make_async_client(handler)
    req = EmbeddingsRequest(NOMIC, batch_size=2, max_concurrency=5)
    result = await aembed(client, texts(10), req)
    assert order == [4, 3, 2, 1, 0]
    assert [v[0] for v in result.vectors] == [float(i) for i in range(10)]
    assert result.requests == 5


async def test_async_concurrency_is_bounded() -> None:
    active = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        for _ in range(3):
            await asyncio.sleep(0)
        active -= 1
        return json_response(echo_payload(request))

    client, _ = make_async_client(handler)
    result = await aembed(
        client, texts(12), EmbeddingsRequest(NOMIC, batch_size=1, max_concurrency=3)
    )
    assert len(result.vectors) == 12 and result.requests == 12
    assert peak == 3


def failing_on_batch(bad_first: int, status: int = 500) -> Any:
    def script(request: httpx.Request, n: int) -> httpx.Response:
        first = int(json.loads(request.content)["input"][0].lstrip("t"))
        if first == bad_first:
            return json_response({"error": {"message": "boom"}}, status)
        return json_response(echo_payload(request))

    return script


@pytest.mark.parametrize("concurrency", [1, 3])
def test_failed_batch_raises_typed_error_naming_the_batch(concurrency: int) -> None:
    client, _ = make_client(Recorder(failing_on_batch(4)), max_retries=0)
    req = EmbeddingsRequest(NOMIC, batch_size=2, max_concurrency=concurrency)
    with pytest.raises(InternalServerError) as info:
        embed(client, texts(6), req)
    err = info.value
    assert err.batch == 2  # type: ignore[attr-defined]
    assert any("batch 3 of 3" in note and "inputs 4..5" in note for note in err.__notes__)


async def test_async_failed_batch_raises_typed_error_naming_the_batch() -> None:
    client, _ = make_async_client(AsyncRecorder(failing_on_batch(2, 429)), max_retries=0)
    with pytest.raises(RateLimitError) as info:
        await aembed(client, texts(6), EmbeddingsRequest(NOMIC, batch_size=2, max_concurrency=3))
    assert info.value.batch == 1  # type: ignore[attr-defined]
    assert any("batch 2 of 3" in note for note in info.value.__notes__)
    # single batch path
    client, _ = make_async_client(AsyncRecorder(failing_on_batch(0)), max_retries=0)
    with pytest.raises(InternalServerError) as info2:
        await aembed(client, texts(2), EmbeddingsRequest(NOMIC))
    assert info2.value.batch == 0  # type: ignore[attr-defined]


def test_non_fw_exception_in_a_worker_propagates_unchanged() -> None:
    class Boom(Exception):
        pass

    def script(request: httpx.Request, n: int) -> httpx.Response:
        if json.loads(request.content)["input"][0] == "t2":
            raise Boom("cassette miss")
        return json_response(echo_payload(request))

    client, _ = make_client(Recorder(script))
    with pytest.raises(Boom):
        embed(client, texts(4), EmbeddingsRequest(NOMIC, batch_size=2, max_concurrency=2))


def test_count_mismatch_and_bad_indexes_are_response_validation_errors() -> None:
    def short(request: httpx.Request, n: int) -> httpx.Response:
        payload = echo_payload(request)
        payload["data"] = payload["data"][:-1]
        return json_response(payload)

    client, _ = make_client(Recorder(short))
    with pytest.raises(ResponseValidationError, match="asked for 3 embeddings"):
        embed(client, texts(3), EmbeddingsRequest(NOMIC, max_concurrency=1))

    def repeated(request: httpx.Request, n: int) -> httpx.Response:
        payload = echo_payload(request)
        for item in payload["data"]:
            item["index"] = 0
        return json_response(payload)

    client, _ = make_client(Recorder(repeated))
    with pytest.raises(ResponseValidationError, match="out of range or repeated"):
        embed(client, texts(2), EmbeddingsRequest(NOMIC, max_concurrency=1))

    client, _ = make_client(Recorder([json_response({"data": "nope"})]))
    with pytest.raises(ResponseValidationError):
        embed(client, texts(1), EmbeddingsRequest(NOMIC))


def test_batch_size_above_provider_limit_is_a_configuration_error() -> None:
    rec = Recorder(lambda r, n: json_response(echo_payload(r)))
    client, _ = make_client(rec)
    limit = FIREWORKS.embedding_batch_limit
    with pytest.raises(ConfigurationError, match=str(limit)):
        embed(client, texts(2), EmbeddingsRequest(NOMIC, batch_size=limit + 1))
    fm, _ = make_client(rec, provider=FIRMWARE)
    with pytest.raises(ConfigurationError):
        embed(fm, texts(2), EmbeddingsRequest("text-embedding-3-small", batch_size=1001))
    assert rec.calls == 0


@pytest.mark.parametrize(
    ("inputs", "req"),
    [
        ("a single string", EmbeddingsRequest(NOMIC)),
        (["ok", 3], EmbeddingsRequest(NOMIC)),
        (["a"], EmbeddingsRequest(NOMIC, dimensions=0)),
        (["a"], EmbeddingsRequest(NOMIC, dimensions=True)),  # type: ignore[arg-type]
        (["a"], EmbeddingsRequest(NOMIC, max_concurrency=0)),
        (["a"], EmbeddingsRequest(NOMIC, batch_size=-1)),
        (["a"], EmbeddingsRequest(NOMIC, batch_size=0)),
    ],
)
async def test_bad_inputs_rejected_before_any_request(inputs: Any, req: EmbeddingsRequest) -> None:
    rec = Recorder(lambda r, n: json_response(echo_payload(r)))
    client, _ = make_client(rec)
    with pytest.raises(ConfigurationError):
        embed(client, inputs, req)
    aclient, _ = make_async_client(AsyncRecorder(lambda r, n: json_response(echo_payload(r))))
    with pytest.raises(ConfigurationError):
        await aembed(aclient, inputs, req)
    assert rec.calls == 0


async def test_aembed_empty_and_single_batch() -> None:
    rec = AsyncRecorder(lambda r, n: json_response(echo_payload(r)))
    client, _ = make_async_client(rec)
    assert (await aembed(client, [], EmbeddingsRequest(NOMIC))).vectors == []
    result = await aembed(client, texts(3), EmbeddingsRequest(NOMIC, max_concurrency=1))
    assert [v[0] for v in result.vectors] == [0.0, 1.0, 2.0] and rec.calls == 1
    assert result.vectors[0][1] == 3.0  # all three texts went in the one request


def test_batches_not_yet_started_are_cancelled_after_a_failure() -> None:
    release = threading.Event()

    def script(request: httpx.Request, n: int) -> httpx.Response:
        text = json.loads(request.content)["input"][0]
        if text == "t0":
            return json_response({"error": {"message": "boom"}}, 500)
        release.wait(1.0)  # keeps both workers busy while the failure is handled
        return json_response(echo_payload(request))

    rec = Recorder(script)
    client, _ = make_client(rec, max_retries=0)
    with pytest.raises(InternalServerError) as info:
        embed(client, texts(8), EmbeddingsRequest(NOMIC, batch_size=1, max_concurrency=2))
    assert info.value.batch == 0  # type: ignore[attr-defined]
    assert rec.calls < 8  # the queued batches were never sent
