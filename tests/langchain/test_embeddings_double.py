"""FireworksEmbeddings / FirmwareEmbeddings against the wire double's transports: request
counts within the real per-request limits, order under out-of-order completion, retries
and failures per batch, and the inputs the real APIs refuse."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain_core.exceptions import ModelAPIError

from fw_core import errors as fe
from fw_core.testing import Fault, WireDouble
from langchain_fw.embeddings import FireworksEmbeddings, FirmwareEmbeddings


async def _no_sleep(seconds: float) -> None:
    return None


def _make(cls: type, double: WireDouble, **kwargs: Any) -> Any:
    emb = cls(
        http_client=httpx.Client(transport=double.transport()),
        http_async_client=httpx.AsyncClient(transport=double.async_transport()),
        **kwargs,
    )
    emb._client()._sleep = lambda s: None
    emb._aclient()._asleep = _no_sleep
    return emb


def _texts(n: int) -> list[str]:
    return [f"passage {i} about topic{i % 17} and item{i}" for i in range(n)]


def _sizes(double: WireDouble) -> list[int]:
    return [len(r.json["input"]) for r in double.requests if r.path.endswith("/embeddings")]


@pytest.mark.parametrize(
    ("cls", "n", "kwargs", "requests"),
    [
        (FirmwareEmbeddings, 1000, {"batch_size": 100}, 10),
        (FirmwareEmbeddings, 1000, {}, 8),
        (FirmwareEmbeddings, 2500, {"max_concurrency": 1}, 3),
        (FireworksEmbeddings, 2500, {"max_concurrency": 1}, 2),
        (FireworksEmbeddings, 3000, {}, 8),
    ],
)
def test_request_count_and_sizes_fit_the_api(
    cls: type, n: int, kwargs: dict[str, Any], requests: int
) -> None:
    double = WireDouble()
    vectors = _make(cls, double, dimensions=64, **kwargs).embed_documents(_texts(n))
    sizes = _sizes(double)
    assert len(vectors) == n and len(sizes) == requests and sum(sizes) == n
    assert max(sizes) <= cls.fw_provider.embedding_batch_limit  # the double enforces it too


def _reference(cls: type, texts: list[str]) -> list[list[float]]:
    """The texts embedded in one request, nothing concurrent: the vectors in input order."""
    emb = _make(cls, WireDouble(), dimensions=64, max_concurrency=1)
    return emb.embed_documents(texts)


@pytest.mark.parametrize("cls", [FireworksEmbeddings, FirmwareEmbeddings])
async def test_async_order_is_kept_when_the_first_batch_finishes_last(cls: type) -> None:
    texts = _texts(120)
    double = WireDouble()
    double.inject(Fault.slow_first_byte(0.3), times=1, path="/embeddings")
    emb = _make(cls, double, dimensions=64, batch_size=30, max_concurrency=4)
    vectors = await emb.aembed_documents(texts)
    assert vectors == _reference(cls, texts)


def test_sync_order_is_kept_when_the_first_batch_finishes_last() -> None:
    texts = _texts(120)
    double = WireDouble()
    double.inject(Fault.slow_first_byte(0.3), times=1, path="/embeddings")
    emb = _make(FirmwareEmbeddings, double, dimensions=64, batch_size=30, max_concurrency=4)
    assert emb.embed_documents(texts) == _reference(FirmwareEmbeddings, texts)


@pytest.mark.parametrize("use_async", [False, True])
async def test_a_rate_limited_batch_is_retried_and_the_result_is_whole(use_async: bool) -> None:
    texts = _texts(400)
    double = WireDouble()
    double.inject(Fault.status(429, headers={"retry-after": "0"}), times=1, path="/embeddings")
    emb = _make(FirmwareEmbeddings, double, dimensions=64, batch_size=100, max_concurrency=4)
    vectors = await emb.aembed_documents(texts) if use_async else emb.embed_documents(texts)
    assert len(vectors) == 400
    assert double.count("/embeddings") == 5  # four batches, one of them twice
    assert vectors == _reference(FirmwareEmbeddings, texts)


@pytest.mark.parametrize("use_async", [False, True])
async def test_a_batch_that_keeps_failing_raises_and_stops(use_async: bool) -> None:
    double = WireDouble()
    double.inject(Fault.status(503), times=3, path="/embeddings")
    emb = _make(FireworksEmbeddings, double, batch_size=100, max_concurrency=1, max_retries=2)
    with pytest.raises(fe.InternalServerError) as info:
        if use_async:
            await emb.aembed_documents(_texts(300))
        else:
            emb.embed_documents(_texts(300))
    assert isinstance(info.value, ModelAPIError)
    assert info.value.batch == 0  # type: ignore[attr-defined]
    assert info.value.status_code == 503
    assert double.count("/embeddings") == 3  # three attempts at batch 0, nothing after


@pytest.mark.parametrize("cls", [FireworksEmbeddings, FirmwareEmbeddings])
def test_empty_strings_are_accepted_by_the_api_shape(cls: type) -> None:
    double = WireDouble()
    emb = _make(cls, double, max_concurrency=1)
    vectors = emb.embed_documents(["", "some text", ""])
    assert len(vectors) == 3 and len({len(v) for v in vectors}) == 1
    assert "" not in double.requests[0].json["input"]


def test_the_double_refuses_what_we_never_send() -> None:
    """Guard for the two tests above: the double does reject "" like the real API."""
    double = WireDouble()
    http = httpx.Client(transport=double.transport())
    response = http.post(
        "https://app.firmware.ai/api/v1/embeddings",
        json={"model": "text-embedding-3-small", "input": ["a", ""]},
        headers={"Authorization": "Bearer test"},
    )
    assert response.status_code == 400


def test_the_10k_benchmark_script_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import embed_10k

    assert embed_10k.main(["--texts", "300", "--rounds", "1", "--in-process"]) == 0
    out = capsys.readouterr().out
    assert "300 texts, FireworksEmbeddings" in out
    assert "sequential     median" in out and ", 1 requests," in out  # 300 fit in one request
    # 300 texts spread over ceil(300 / MIN_SPLIT_BATCH) = 5 concurrent requests
    assert "async default  median" in out and ", 5 requests," in out
