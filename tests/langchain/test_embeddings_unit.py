"""FireworksEmbeddings / FirmwareEmbeddings: standard unit suite plus the properties users
rely on (batching, order, concurrency, errors, prefixes, empty and oversize input), tested
against httpx.MockTransport handlers that control timing and failures."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import ContextOverflowError, ModelRateLimitError
from langchain_core.load import dumpd
from langchain_tests.unit_tests import EmbeddingsUnitTests

from fw_core import errors as fe
from fw_core.endpoints.embeddings import plan_batches
from langchain_fw.embeddings import FireworksEmbeddings, FirmwareEmbeddings, prepare_texts

NOMIC = "nomic-ai/nomic-embed-text-v1.5"


# --------------------------------------------------------------------------- standard suites


class TestFireworksEmbeddingsStandard(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[FireworksEmbeddings]:
        return FireworksEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": NOMIC, "dimensions": 256}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"FIREWORKS_API_KEY": "env-key-fireworks", "FIREWORKS_BASE_URL": "https://fw.test/v1"},
            {"model": NOMIC},
            {"api_key": "env-key-fireworks", "base_url": "https://fw.test/v1", "model": NOMIC},
        )


class TestFirmwareEmbeddingsStandard(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[FirmwareEmbeddings]:
        return FirmwareEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "text-embedding-3-small", "dimensions": 512}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"FIRMWARE_API_KEY": "env-key-firmware", "FIRMWARE_API_BASE": "https://fm.test/api/v1"},
            {"model": "voyage-4"},
            {
                "api_key": "env-key-firmware",
                "base_url": "https://fm.test/api/v1",
                "model": "voyage-4",
            },
        )


# --------------------------------------------------------------------------- fake API


def _vector_for(text: str) -> list[float]:
    """A vector that identifies its text: [number in the text, length of the text]."""
    digits = "".join(c for c in text if c.isdigit())
    return [float(digits or -1), float(len(text))]


def _reply(body: dict[str, Any], *, reverse: bool = True) -> httpx.Response:
    items = [
        {"index": i, "object": "embedding", "embedding": _vector_for(t)}
        for i, t in enumerate(body["input"])
    ]
    if reverse:  # the API may list items in any order; `index` is what counts
        items.reverse()
    n = len(body["input"])
    return httpx.Response(
        200,
        json={
            "object": "list",
            "model": body["model"],
            "data": items,
            "usage": {"prompt_tokens": n, "total_tokens": n},
        },
    )


class FakeAPI:
    """Records request bodies; answers embeddings; optional delay and failure per batch."""

    def __init__(self, delay: Any = None, fail: Any = None) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.delay = delay or (lambda body: 0.0)
        self.fail = fail or (lambda body, attempt: None)
        self.attempts: dict[str, int] = {}
        self._lock = threading.Lock()

    def _enter(self, request: httpx.Request) -> tuple[dict[str, Any], httpx.Response | None]:
        body = json.loads(request.content)
        with self._lock:
            self.bodies.append(body)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            key = body["input"][0]
            self.attempts[key] = self.attempts.get(key, 0) + 1
            attempt = self.attempts[key]
        return body, self.fail(body, attempt)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def handler(self, request: httpx.Request) -> httpx.Response:
        body, failure = self._enter(request)
        try:
            time.sleep(self.delay(body))
            return failure or _reply(body)
        finally:
            self._leave()

    async def ahandler(self, request: httpx.Request) -> httpx.Response:
        body, failure = self._enter(request)
        try:
            await asyncio.sleep(self.delay(body))
            return failure or _reply(body)
        finally:
            self._leave()

    def sync_client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handler))

    def async_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.ahandler))


def _no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"unexpected request {request.method} {request.url}")


def _make(cls: type, api: FakeAPI, **kwargs: Any) -> Any:
    emb = cls(http_client=api.sync_client(), http_async_client=api.async_client(), **kwargs)
    emb._client()._sleep = lambda s: None
    emb._aclient()._asleep = _no_sleep
    return emb


async def _no_sleep(seconds: float) -> None:
    return None


def _texts(n: int) -> list[str]:
    return [f"text {i}" for i in range(n)]


def _numbers(vectors: list[list[float]]) -> list[int]:
    return [int(v[0]) for v in vectors]


# --------------------------------------------------------------------------- prefixes


def test_nomic_prefixes_are_added_for_documents_and_queries() -> None:
    api = FakeAPI()
    emb = _make(FireworksEmbeddings, api, model=NOMIC)
    emb.embed_documents(["alpha", "search_query: already prefixed"])
    emb.embed_query("beta")
    inputs = [b["input"] for b in api.bodies]
    assert inputs[0] == ["search_document: alpha", "search_query: already prefixed"]
    assert inputs[-1] == ["search_query: beta"]


def test_prefixes_can_be_overridden_or_turned_off() -> None:
    api = FakeAPI()
    emb = _make(FireworksEmbeddings, api, model=NOMIC, document_prefix="", query_prefix="Q: ")
    emb.embed_documents(["alpha"])
    emb.embed_query("beta")
    assert [b["input"] for b in api.bodies] == [["alpha"], ["Q: beta"]]


def test_non_nomic_models_get_no_prefix() -> None:
    api = FakeAPI()
    emb = _make(FirmwareEmbeddings, api, model="text-embedding-3-small", dimensions=64)
    emb.embed_query("beta")
    assert api.bodies == [
        {
            "model": "text-embedding-3-small",
            "input": ["beta"],
            "dimensions": 64,
            "encoding_format": "base64",  # Firmware's default, docs/wire.md §2.6
        }
    ]


async def test_async_prefixes_match_sync() -> None:
    api = FakeAPI()
    emb = _make(FireworksEmbeddings, api, model=NOMIC)
    await emb.aembed_documents(["alpha"])
    await emb.aembed_query("beta")
    assert [b["input"] for b in api.bodies] == [["search_document: alpha"], ["search_query: beta"]]


# --------------------------------------------------------------------------- empty input


def test_empty_list_returns_empty_without_a_request() -> None:
    emb = FireworksEmbeddings(http_client=httpx.Client(transport=httpx.MockTransport(_no_network)))
    assert emb.embed_documents([]) == []


async def test_async_empty_list_returns_empty_without_a_request() -> None:
    transport = httpx.MockTransport(_no_network)
    emb = FirmwareEmbeddings(http_async_client=httpx.AsyncClient(transport=transport))
    assert await emb.aembed_documents([]) == []


def test_empty_string_gets_a_vector_of_the_right_length() -> None:
    api = FakeAPI()
    emb = _make(FirmwareEmbeddings, api)
    vectors = emb.embed_documents(["a 1", "", "c 3"])
    assert len(vectors) == 3 and all(len(v) == 2 for v in vectors)
    assert all(t != "" for b in api.bodies for t in b["input"])  # the API rejects ""
    assert emb.embed_query("") == _vector_for(" ")


def test_empty_string_with_nomic_is_sent_as_the_bare_prefix() -> None:
    assert prepare_texts([""], model=NOMIC, kind="query", prefix=None, max_chars=None) == [
        "search_query: "
    ]
    assert prepare_texts([""], model=NOMIC, kind="query", prefix="", max_chars=None) == [" "]


def test_a_single_string_instead_of_a_list_is_refused() -> None:
    emb = FireworksEmbeddings(http_client=httpx.Client(transport=httpx.MockTransport(_no_network)))
    with pytest.raises(fe.ConfigurationError, match="single string"):
        emb.embed_documents("not a list")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- oversize input


def test_oversize_text_fails_before_sending_with_a_clear_error() -> None:
    emb = FireworksEmbeddings(http_client=httpx.Client(transport=httpx.MockTransport(_no_network)))
    assert emb.max_input_chars == 8192 * 10
    huge = "word " * 20_000
    with pytest.raises(fe.ContextLengthExceededError) as info:
        emb.embed_documents(["fine", huge])
    assert isinstance(info.value, ContextOverflowError)
    assert "text 1" in str(info.value) and "8192 tokens" in str(info.value)


async def test_async_oversize_text_fails_before_sending() -> None:
    transport = httpx.MockTransport(_no_network)
    emb = FirmwareEmbeddings(
        http_async_client=httpx.AsyncClient(transport=transport), max_input_chars=100
    )
    with pytest.raises(ContextOverflowError, match="text 0"):
        await emb.aembed_query("x" * 101)


def test_length_check_can_be_disabled_or_is_off_for_unknown_models() -> None:
    api = FakeAPI()
    emb = _make(FireworksEmbeddings, api, max_input_chars=None)
    assert len(emb.embed_documents(["w " * 50_000])) == 1
    assert FireworksEmbeddings(model="accounts/me/models/custom-embedder").max_input_chars is None


# --------------------------------------------------------------------------- batching


@pytest.mark.parametrize(
    ("cls", "n", "kwargs", "expected_requests", "largest"),
    [
        (FirmwareEmbeddings, 1000, {"batch_size": 100}, 10, 100),
        (FirmwareEmbeddings, 5000, {}, 8, 625),  # 5 needed for the limit, 8 to share the work
        (FirmwareEmbeddings, 5000, {"max_concurrency": 1}, 5, 1000),
        (FireworksEmbeddings, 5000, {"max_concurrency": 1}, 3, 1667),  # even split
        (FireworksEmbeddings, 1000, {"max_concurrency": 4}, 4, 250),
    ],
)
def test_requests_respect_the_per_request_limit(
    cls: type, n: int, kwargs: dict[str, Any], expected_requests: int, largest: int
) -> None:
    api = FakeAPI()
    emb = _make(cls, api, **kwargs)
    vectors = emb.embed_documents(_texts(n))
    sizes = [len(b["input"]) for b in api.bodies]
    assert len(api.bodies) == expected_requests
    assert max(sizes) == largest <= emb.fw_provider.embedding_batch_limit
    assert sum(sizes) == n
    assert _numbers(vectors) == list(range(n))


def _slow_first_batches(body: dict[str, Any]) -> float:
    first = int(body["input"][0].split()[-1])
    return 0.12 if first < 100 else 0.0  # the first batches finish last


def test_order_is_kept_when_batches_finish_out_of_order() -> None:
    api = FakeAPI(delay=_slow_first_batches)
    emb = _make(FirmwareEmbeddings, api, batch_size=50, max_concurrency=8)
    vectors = emb.embed_documents(_texts(400))
    assert len(api.bodies) == 8 and api.max_in_flight > 1
    assert _numbers(vectors) == list(range(400))


async def test_async_order_is_kept_when_batches_finish_out_of_order() -> None:
    api = FakeAPI(delay=_slow_first_batches)
    emb = _make(FireworksEmbeddings, api, batch_size=50, max_concurrency=8)
    vectors = await emb.aembed_documents(_texts(400))
    assert len(api.bodies) == 8 and api.max_in_flight > 1
    assert _numbers(vectors) == list(range(400))


@pytest.mark.parametrize("limit", [1, 3])
def test_concurrency_is_bounded(limit: int) -> None:
    api = FakeAPI(delay=lambda body: 0.02)
    emb = _make(FirmwareEmbeddings, api, batch_size=10, max_concurrency=limit)
    emb.embed_documents(_texts(120))
    assert len(api.bodies) == 12
    assert api.max_in_flight == limit


@pytest.mark.parametrize("limit", [1, 3])
async def test_async_concurrency_is_bounded(limit: int) -> None:
    api = FakeAPI(delay=lambda body: 0.02)
    emb = _make(FirmwareEmbeddings, api, batch_size=10, max_concurrency=limit)
    await emb.aembed_documents(_texts(120))
    assert len(api.bodies) == 12
    assert api.max_in_flight == limit


def test_plan_matches_what_is_sent() -> None:
    api = FakeAPI()
    emb = _make(FireworksEmbeddings, api, batch_size=7, max_concurrency=2)
    emb.embed_documents(_texts(30))
    sent = sorted(int(b["input"][0].split()[-1]) for b in api.bodies)
    assert sent == [s for s, _ in plan_batches(30, limit=7, max_concurrency=2)]


# --------------------------------------------------------------------------- errors, retries


def _rate_limited(body: dict[str, Any], attempt: int) -> httpx.Response | None:
    if body["input"][0] == "text 50":
        return httpx.Response(429, json={"error": {"message": "slow down", "code": "RATE"}})
    return None


def test_failed_batch_raises_a_typed_error_naming_the_batch() -> None:
    api = FakeAPI(fail=_rate_limited)
    emb = _make(FirmwareEmbeddings, api, batch_size=50, max_concurrency=2, max_retries=1)
    with pytest.raises(fe.RateLimitError) as info:
        emb.embed_documents(_texts(200))
    err = info.value
    assert isinstance(err, ModelRateLimitError)
    assert err.status_code == 429 and err.batch == 1  # type: ignore[attr-defined]
    assert any("inputs 50..99" in note for note in err.__notes__)
    assert api.attempts["text 50"] == 2  # retried once per batch, then gave up


async def test_async_failed_batch_raises_a_typed_error_naming_the_batch() -> None:
    api = FakeAPI(fail=_rate_limited)
    emb = _make(
        FireworksEmbeddings,
        api,
        model="accounts/fireworks/models/qwen3-embedding-8b",
        batch_size=50,
        max_concurrency=4,
        max_retries=0,
    )
    with pytest.raises(ModelRateLimitError) as info:
        await emb.aembed_documents(_texts(200))
    assert isinstance(info.value, fe.RateLimitError)
    assert info.value.batch == 1  # type: ignore[attr-defined]


def _flaky_once(body: dict[str, Any], attempt: int) -> httpx.Response | None:
    if body["input"][0] == "text 100" and attempt == 1:
        return httpx.Response(503, json={"error": {"message": "overloaded"}})
    return None


def test_a_batch_that_fails_once_is_retried_alone() -> None:
    api = FakeAPI(fail=_flaky_once)
    emb = _make(FirmwareEmbeddings, api, batch_size=50, max_concurrency=4)
    vectors = emb.embed_documents(_texts(200))
    assert _numbers(vectors) == list(range(200))
    assert api.attempts == {"text 0": 1, "text 50": 1, "text 100": 2, "text 150": 1}


async def test_async_a_batch_that_fails_once_is_retried_alone() -> None:
    api = FakeAPI(fail=_flaky_once)
    emb = _make(FirmwareEmbeddings, api, batch_size=50, max_concurrency=4)
    vectors = await emb.aembed_documents(_texts(200))
    assert _numbers(vectors) == list(range(200))
    assert api.attempts["text 100"] == 2


def test_a_short_response_is_an_error_not_a_short_list() -> None:
    def short(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        body["input"] = body["input"][:-1]
        return _reply(body)

    emb = FirmwareEmbeddings(
        http_client=httpx.Client(transport=httpx.MockTransport(short)), max_concurrency=1
    )
    with pytest.raises(fe.ResponseValidationError, match="asked for 3"):
        emb.embed_documents(["a", "b", "c"])


# --------------------------------------------------------------------------- configuration


def test_defaults_follow_the_provider() -> None:
    fw, fm = FireworksEmbeddings(), FirmwareEmbeddings()
    assert fw.model == NOMIC and fm.model == "text-embedding-3-small"
    assert fw.batch_size is None and fw.max_concurrency == 8


@pytest.mark.parametrize(
    ("cls", "kwargs", "match"),
    [
        (FirmwareEmbeddings, {"model": "voyage-4", "dimensions": 256}, "dimensions"),
        (FireworksEmbeddings, {"dimensions": 0}, "dimensions"),
        (FireworksEmbeddings, {"batch_size": 4096}, "batch_size"),
        (FirmwareEmbeddings, {"batch_size": 1001}, "batch_size"),
        (FireworksEmbeddings, {"max_concurrency": 0}, "max_concurrency"),
        (FirmwareEmbeddings, {"model": "firmware/voyage-4"}, "prefix"),
        (FireworksEmbeddings, {"api_key": " "}, "key"),
    ],
)
def test_bad_options_fail_at_construction(cls: type, kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(fe.ConfigurationError, match=match):
        cls(**kwargs)


def test_missing_key_fails_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIREWORKS_API_KEY", raising=False)
    monkeypatch.delenv("FIREWORKS_AI_API_KEY", raising=False)
    with pytest.raises(fe.ConfigurationError, match="FIREWORKS_API_KEY"):
        FireworksEmbeddings()


def test_key_never_shows_in_repr_dump_or_dumpd() -> None:
    secret = "very-secret-value-123"
    for emb in (FireworksEmbeddings(api_key=secret), FirmwareEmbeddings(firmware_api_key=secret)):
        assert emb.api_key.get_secret_value() == secret
        assert secret not in repr(emb)
        assert secret not in str(emb.model_dump())
        assert secret not in json.dumps(dumpd(emb), default=str)


def test_one_client_is_created_lazily_and_reused() -> None:
    api = FakeAPI()
    emb = FireworksEmbeddings(http_client=api.sync_client())
    assert emb._fw_clients.sync is None  # nothing created at construction
    emb.embed_query("a")
    first = emb._fw_clients.sync
    emb.embed_documents(["b", "c"])
    assert emb._fw_clients.sync is first and first is not None


async def test_async_calls_use_the_async_client_only() -> None:
    api = FakeAPI()
    emb = FireworksEmbeddings(
        http_client=httpx.Client(transport=httpx.MockTransport(_no_network)),
        http_async_client=api.async_client(),
    )
    assert await emb.aembed_query("q 7") == _vector_for("search_query: q 7")
    assert emb._fw_clients.sync is None
