"""Rate limits end to end: our classes' batch paths against the double's limit mode.

The double answers over its limit with 429 + ``retry-after`` and announces the limit on
every answer (``WireDouble(rpm=, burst=)``); fw_core's shared limiter
(docs/rate_limits.md) must get every batch through with nothing lost, pacing so that few
requests are refused, without spending the fault budget on announced 429s. These tests
wait for real (the ``sleeps`` fixture below replaces the recording one of conftest), at
1,200 requests per minute (20/s) with small batches, so each takes a second or two.
Every test uses its own key: limiters are shared per (base URL, key, model).
"""

from __future__ import annotations

import asyncio
import pickle
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from fw_core import FIREWORKS, AsyncClient, Client, ratelimit
from fw_core import errors as fe
from fw_core.testing import Fault, WireDouble

RPM, BURST = 1200, 5
CHAT_MODEL = "llama-v3p1-8b-instruct"
CHAT_MODEL_ID = FIREWORKS.normalize_model(CHAT_MODEL)
EMBED_MODEL = "nomic-ai/nomic-embed-text-v1.5"
BODY = {"model": CHAT_MODEL_ID, "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture(autouse=True)
def sleeps() -> list[float]:
    """Real sleeps here (overrides the recording fixture of conftest)."""
    return []


@pytest.fixture
def key(request: pytest.FixtureRequest) -> str:
    return f"key-{request.node.name}"


class Limited:
    """A limited double, its transports, and when each request reached it."""

    def __init__(self, rpm: float | None = RPM, burst: int | None = BURST) -> None:
        self.double = WireDouble(rpm=rpm, burst=burst)
        self.times: list[float] = []
        handle = self.double.handle

        def timed(*args: Any) -> Any:
            self.times.append(time.monotonic())
            return handle(*args)

        self.double.handle = timed  # type: ignore[method-assign]
        self.http = httpx.Client(transport=self.double.transport())
        self.ahttp = httpx.AsyncClient(transport=self.double.async_transport())

    @property
    def refused(self) -> int:
        assert self.double.limit is not None
        return self.double.limit.rejected

    def check_paced(self, first_wave: int) -> None:
        """Few refusals beyond the first wave (sent before anything was known), and the
        admitted requests never beyond what the double's bucket allows."""
        limit = self.double.limit
        assert limit is not None
        assert self.refused <= first_wave, (self.refused, limit.admitted)
        elapsed = self.times[-1] - self.times[0]
        assert limit.admitted <= BURST + elapsed * RPM / 60 + 1


@pytest.fixture
def limited() -> Iterator[Limited]:
    lim = Limited()
    yield lim
    lim.http.close()


def _chat(lim: Limited, key: str, **kw: Any) -> Any:
    from langchain_fw import ChatFireworks

    return ChatFireworks(
        model=CHAT_MODEL, api_key=key, http_client=lim.http, http_async_client=lim.ahttp, **kw
    )


# ---------------------------------------------------------------------------- LangChain


def test_chat_batch_loses_nothing(limited: Limited, key: str) -> None:
    llm = _chat(limited, key, max_retries=0)  # announced 429s do not spend the budget
    prompts = [f"question {i}" for i in range(30)]
    out = llm.batch(prompts, config={"max_concurrency": 32})
    assert len(out) == 30 and all(m.content for m in out)
    limited.check_paced(first_wave=30)


async def test_chat_abatch_loses_nothing(limited: Limited, key: str) -> None:
    llm = _chat(limited, key, max_retries=0)
    out = await llm.abatch([f"question {i}" for i in range(30)], config={"max_concurrency": 32})
    assert len(out) == 30 and all(m.content for m in out)
    limited.check_paced(first_wave=30)
    # learned now: a second batch goes through without a single refusal
    before = limited.refused
    await llm.abatch([f"again {i}" for i in range(20)], config={"max_concurrency": 32})
    assert limited.refused == before


async def test_embeddings_over_many_batches(limited: Limited, key: str) -> None:
    from langchain_fw import FireworksEmbeddings

    emb = FireworksEmbeddings(
        model=EMBED_MODEL,
        api_key=key,
        http_client=limited.http,
        http_async_client=limited.ahttp,
        batch_size=10,
        max_concurrency=8,
        max_retries=0,
    )
    texts = [f"text number {i}" for i in range(200)]
    assert len(emb.embed_documents(texts)) == 200
    assert len(await emb.aembed_documents(texts[:100])) == 100
    assert limited.double.count("/embeddings") - limited.refused == 30
    limited.check_paced(first_wave=8)


def test_rerank_many_calls(limited: Limited, key: str) -> None:
    from langchain_core.documents import Document

    from langchain_fw import FireworksRerank

    rr = FireworksRerank(api_key=key, http_client=limited.http, max_retries=0, top_n=2)
    docs = [Document(page_content=t) for t in ("green tea", "black coffee", "oolong tea")]
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda i: rr.compress_documents(docs, f"tea {i}"), range(30)))
    assert all(len(r) == 2 for r in results)
    limited.check_paced(first_wave=16)


# ---------------------------------------------------------------------------- LlamaIndex


async def test_llamaindex_llm_concurrent_calls(limited: Limited, key: str) -> None:
    from llama_index.core.llms import ChatMessage

    from llamaindex_fw import Fireworks

    llm = Fireworks(
        model=CHAT_MODEL,
        api_key=key,
        http_client=limited.http,
        async_http_client=limited.ahttp,
        max_retries=0,
    )
    sem = asyncio.Semaphore(32)

    async def one(i: int) -> str:
        async with sem:
            return str((await llm.achat([ChatMessage(role="user", content=f"q {i}")])).message)

    answers = await asyncio.gather(*(one(i) for i in range(20)))
    with ThreadPoolExecutor(8) as pool:
        answers += list(pool.map(lambda i: llm.complete(f"c {i}").text, range(10)))
    assert len(answers) == 30 and all(answers)
    limited.check_paced(first_wave=32)


async def test_llamaindex_embedding_batches(limited: Limited, key: str) -> None:
    from llamaindex_fw import FireworksEmbedding

    emb = FireworksEmbedding(
        model_name=EMBED_MODEL,
        api_key=key,
        http_client=limited.http,
        async_http_client=limited.ahttp,
        embed_batch_size=10,
        num_workers=8,
        max_retries=0,
    )
    texts = [f"text number {i}" for i in range(150)]
    assert len(emb.get_text_embedding_batch(texts)) == 150
    assert len(await emb.aget_text_embedding_batch(texts[:100])) == 100
    limited.check_paced(first_wave=8)


# ---------------------------------------------------------------------------- fw_core


def test_announced_429_does_not_spend_max_retries(key: str) -> None:
    double = WireDouble()
    double.inject(Fault.status(429, headers={"retry-after-ms": "30"}), times=3)
    with Client(
        FIREWORKS,
        api_key=key,
        max_retries=0,
        http_client=httpx.Client(transport=double.transport()),
    ) as client:
        response = client.request("POST", "/chat/completions", json_body=BODY)
    assert response.attempts == 4 and len(double.requests) == 4
    # a bare 429 (no hint, no limit) is still a fault
    double.inject(Fault.status(429), times=1)
    with (
        Client(
            FIREWORKS,
            api_key=key,
            max_retries=0,
            http_client=httpx.Client(transport=double.transport()),
        ) as client,
        pytest.raises(fe.RateLimitError),
    ):
        client.request("POST", "/chat/completions", json_body=BODY)


def test_wait_budget_bounds_a_server_that_never_lets_up(key: str) -> None:
    double = WireDouble()
    double.inject(Fault.status(429, headers={"retry-after-ms": "10"}), times=100)
    http = httpx.Client(transport=double.transport())
    client = Client(FIREWORKS, api_key=key, max_retries=1, rate_limit_max_wait=1, http_client=http)
    started = time.monotonic()
    with pytest.raises(fe.RateLimitError):
        client.request("POST", "/chat/completions", json_body=BODY)
    # a 10 ms hint is waited as ratelimit.MIN_RETRY_WAIT (0.25 s): 4 waits fill the 1 s
    # budget, then 1 fault retry
    assert len(double.requests) == 1 + 4 + 1
    assert time.monotonic() - started < 2.0


# ------------------------------------------------------------ no hammering (issue 21, D3)


def _most_in_one_second(times: list[float]) -> int:
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


def test_retry_after_zero_is_not_a_burst(key: str) -> None:
    """Measured before: max_retries=1 and a server that keeps answering 429 with
    ``retry-after: 0`` got 302 requests in 0.36 s. "0" is no usable hint: the 429 is a
    fault like a bare one, and spends max_retries after an exponential backoff."""
    lim = Limited(rpm=None, burst=None)
    lim.double.inject(Fault.status(429, headers={"retry-after": "0"}), times=1000)
    client = Client(FIREWORKS, api_key=key, max_retries=1, http_client=lim.http)
    with pytest.raises(fe.RateLimitError):
        client.request("POST", "/chat/completions", json_body=BODY)
    assert len(lim.times) == 2
    assert lim.times[1] - lim.times[0] >= 0.5 * 0.75  # backoff, minus at most 25 % jitter


@pytest.mark.parametrize("hint", ["0", "soon", None])
def test_a_limited_call_without_a_usable_hint_backs_off_within_its_budget(
    key: str, hint: str | None
) -> None:
    """Measured before: with a limit already learned, a server answering 429 with
    ``retry-after: 0`` held one call for about four minutes, sending all the while. Now
    each such 429 is waited out with exponential backoff: never more than a few requests
    a second, and RateLimitError once ``rate_limit_max_wait`` (4 s here) is spent."""
    lim = Limited()  # announces RPM on every answer
    client = Client(
        FIREWORKS, api_key=key, max_retries=1, rate_limit_max_wait=4, http_client=lim.http
    )
    client.request("POST", "/chat/completions", json_body=BODY)  # learns the limit
    headers = {} if hint is None else {"retry-after": hint}
    lim.double.inject(Fault.status(429, headers=headers), times=1000)
    lim.times.clear()
    started = time.monotonic()
    with pytest.raises(fe.RateLimitError):
        client.request("POST", "/chat/completions", json_body=BODY)
    elapsed = time.monotonic() - started
    assert elapsed <= 4 + 0.5 + 0.5  # the budget, then one fault retry's backoff
    assert 3 <= len(lim.times) <= 7, lim.times  # backed off: 0.5, 1, 2 (jittered), ...
    assert _most_in_one_second(lim.times) <= 3


async def test_async_limited_call_backs_off_within_its_budget(key: str) -> None:
    lim = Limited()
    client = AsyncClient(
        FIREWORKS, api_key=key, max_retries=0, rate_limit_max_wait=2, http_client=lim.ahttp
    )
    await client.request("POST", "/chat/completions", json_body=BODY)
    lim.double.inject(Fault.status(429, headers={"retry-after": "0"}), times=1000)
    lim.times.clear()
    started = time.monotonic()
    with pytest.raises(fe.RateLimitError):
        await client.request("POST", "/chat/completions", json_body=BODY)
    assert time.monotonic() - started <= 2.5
    assert 2 <= len(lim.times) <= 4 and _most_in_one_second(lim.times) <= 2


def test_switched_off_is_the_old_behaviour(key: str) -> None:
    double = WireDouble(rpm=RPM, burst=2)
    double.inject(Fault.status(429, headers={"retry-after-ms": "10"}), times=3)
    http = httpx.Client(transport=double.transport())
    client = Client(FIREWORKS, api_key=key, max_retries=0, rate_limit=False, http_client=http)
    with pytest.raises(fe.RateLimitError):
        client.request("POST", "/chat/completions", json_body=BODY)
    assert len(double.requests) == 1
    assert not any(k[1] == ratelimit.key_id(key) for k in ratelimit.limiters())
    # and nothing paces it: a burst over the limit is refused, not spread out
    double.clear_faults()
    codes = []
    for _ in range(6):
        try:
            codes.append(client.request("POST", "/chat/completions", json_body=BODY).status_code)
        except fe.RateLimitError:
            codes.append(429)
    assert codes.count(429) >= 3


async def test_shared_between_objects_and_between_sync_and_async(key: str) -> None:
    """A 429's pause, met by one object's sync call, holds back another object's async
    call on the same key and model."""
    lim = Limited(rpm=None, burst=None)
    lim.double.inject(Fault.status(429, headers={"retry-after-ms": "600"}), times=1)
    sync_client = Client(FIREWORKS, api_key=key, http_client=lim.http)
    async_client = AsyncClient(FIREWORKS, api_key=key, http_client=lim.ahttp)
    started = threading.Event()

    def first() -> None:
        started.set()
        sync_client.request("POST", "/chat/completions", json_body=BODY)

    worker = threading.Thread(target=first)
    worker.start()
    started.wait()
    await asyncio.sleep(0.1)  # the sync call has met its 429 by now
    await async_client.request("POST", "/chat/completions", json_body=BODY)
    worker.join()
    t429, *later = lim.times
    assert len(later) == 2 and min(later) - t429 >= 0.55
    assert sync_client._limiter(BODY) is async_client._limiter(BODY)
    other_model = {**BODY, "model": FIREWORKS.normalize_model("qwen3-8b")}
    assert sync_client._limiter(other_model) is not sync_client._limiter(BODY)


def test_the_key_never_shows(limited: Limited) -> None:
    secret = "fw_canary_SECRET_ratelimit_0123456789"
    llm = _chat(limited, secret)
    llm.invoke("hi")
    seen = repr(ratelimit.limiters()) + str(list(ratelimit.limiters()))
    assert secret not in seen and secret[-12:] not in seen


# ---------------------------------------------------------------------------- FwRateLimiter


def test_fw_rate_limiter_paces_any_langchain_model(key: str) -> None:
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from langchain_fw import FwRateLimiter

    limiter = FwRateLimiter(model=CHAT_MODEL, api_key=key, requests_per_minute=600, burst=1)
    fake = FakeListChatModel(responses=["ok"] * 6, rate_limiter=limiter)
    start = time.monotonic()
    for _ in range(5):
        fake.invoke("hi")
    assert time.monotonic() - start >= 4 * 60 / 600 / 1.0 * 0.95


def test_fw_rate_limiter_on_our_model_takes_one_slot_per_call(key: str) -> None:
    from langchain_fw import FwRateLimiter

    lim = Limited(rpm=None, burst=None)
    limiter = FwRateLimiter(model=CHAT_MODEL, api_key=key, requests_per_minute=1200, burst=1)
    llm = _chat(lim, key, rate_limiter=limiter)
    start = time.monotonic()
    for i in range(10):
        llm.invoke(f"q {i}")
    elapsed = time.monotonic() - start
    interval = 60 / 1200 / ratelimit.DEFAULT_HEADROOM
    assert 9 * interval * 0.9 <= elapsed < 15 * interval  # two slots a call would be 18


async def test_fw_rate_limiter_async_and_non_blocking(key: str) -> None:
    from langchain_fw import FwRateLimiter

    limiter = FwRateLimiter(model=CHAT_MODEL, api_key=key, requests_per_minute=60, burst=1)
    assert await limiter.aacquire()
    assert not await limiter.aacquire(blocking=False)
    assert not limiter.acquire(blocking=False)
    import pickle

    copy = pickle.loads(pickle.dumps(limiter))
    assert copy.limiter is limiter.limiter and key not in repr(copy)


def test_llamaindex_fw_rate_limiter_paces_any_llamaindex_model(key: str) -> None:
    """llama-index-core asks an LLM's ``rate_limiter`` for a slot before each call: ours
    hands out fw_core's shared slots, so another integration on the key paces with ours."""
    from llama_index.core.llms import MockLLM

    from llamaindex_fw import FwRateLimiter

    limiter = FwRateLimiter(model=CHAT_MODEL, api_key=key, requests_per_minute=600, burst=1)
    mock = MockLLM()  # its __init__ takes no rate_limiter; the field is the base class's
    mock.rate_limiter = limiter
    start = time.monotonic()
    for _ in range(5):
        mock.complete("hi")
    assert time.monotonic() - start >= 4 * 60 / 600 * 0.95


def test_llamaindex_fw_rate_limiter_on_our_model_takes_one_slot_per_call(key: str) -> None:
    from llama_index.core.llms import ChatMessage

    from llamaindex_fw import Fireworks, FwRateLimiter

    lim = Limited(rpm=None, burst=None)
    limiter = FwRateLimiter(model=CHAT_MODEL, api_key=key, requests_per_minute=1200, burst=1)
    llm = Fireworks(model=CHAT_MODEL, api_key=key, http_client=lim.http, rate_limiter=limiter)
    start = time.monotonic()
    for i in range(10):
        llm.chat([ChatMessage(role="user", content=f"q {i}")])
    elapsed = time.monotonic() - start
    interval = 60 / 1200 / ratelimit.DEFAULT_HEADROOM
    assert 9 * interval * 0.9 <= elapsed < 15 * interval  # two slots a call would be 18
    assert len(lim.times) == 10


async def test_llamaindex_fw_rate_limiter_async(key: str) -> None:
    from llamaindex_fw import FwRateLimiter

    limiter = FwRateLimiter(model=CHAT_MODEL, api_key=key, requests_per_minute=60, burst=1)
    await limiter.async_acquire()
    assert not await limiter.atake(blocking=False)  # the next slot is a second away
    copy = pickle.loads(pickle.dumps(limiter))
    assert copy.limiter is limiter.limiter and key not in repr(copy)


# ------------------------------------------------------------- fast recovery (issue 21, D4)


async def test_a_batch_right_after_a_storm_runs_at_the_learned_limit(key: str) -> None:
    """Measured before: after a 429 storm had cut the rate to its floor, and with answers
    that carry no rate-limit headers, a 600-call batch took 505 s instead of about 2 s:
    every slot was handed out at the storm's rate and the rate won back 2 % per success.
    Here 6,000 rpm was learned (95 requests/s at the headroom), a storm cut it to 5 %;
    200 calls at 4.75/s would take 42 s. They now take about RECOVERY plus 2 s."""
    double = WireDouble()  # answers without rate-limit headers
    client = AsyncClient(
        FIREWORKS, api_key=key, http_client=httpx.AsyncClient(transport=double.async_transport())
    )
    limiter = client._limiter(BODY)
    assert limiter is not None
    _, t = limiter.acquire()
    limiter.observe(
        200, {"x-ratelimit-limit-requests": "6000", "x-ratelimit-remaining-requests": "99"}, t
    )
    ceiling = limiter.snapshot().rate
    assert ceiling == pytest.approx(95.0)
    for _ in range(20):  # the storm: 429s without a usable hint, one cut each
        _, t = limiter.acquire(skip_pause=True, commit=False)
        limiter.observe(429, {"retry-after": "0"}, t)
    assert limiter.snapshot().rate == pytest.approx(ceiling * 0.05, rel=0.01)
    started = time.monotonic()
    await asyncio.wait_for(
        asyncio.gather(
            *(client.request("POST", "/chat/completions", json_body=BODY) for _ in range(200))
        ),
        20,
    )
    elapsed = time.monotonic() - started
    assert len(double.requests) == 200
    assert elapsed < ratelimit.RECOVERY + 200 / ceiling + 3.0, elapsed
    assert limiter.snapshot().rate == pytest.approx(ceiling)
