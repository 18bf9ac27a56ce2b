"""``show_progress`` on the LangChain embeddings and batch runner (tqdm if installed).

A stand-in tqdm (tests/_progress.py) records the bar: its total is the number of inputs
(or batch requests), it moves once per completed request and ends at the total, sync and
async. Without tqdm the same calls print nothing and raise nothing.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fw_core.testing import WireDouble
from langchain_fw import ChatFireworks, arun_batch, run_batch
from langchain_fw.embeddings import FireworksEmbeddings, FirmwareEmbeddings
from tests._progress import fake_tqdm, without_tqdm


def _emb(cls: type, double: WireDouble, **kwargs: Any) -> Any:
    return cls(
        api_key="test-key",
        http_client=httpx.Client(transport=double.transport()),
        http_async_client=httpx.AsyncClient(transport=double.async_transport()),
        **kwargs,
    )


def _texts(n: int) -> list[str]:
    return [f"passage {i} about topic{i % 7}" for i in range(n)]


@pytest.mark.parametrize("cls", [FireworksEmbeddings, FirmwareEmbeddings])
def test_embed_documents_bar_counts_inputs_per_request(
    cls: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    bars = fake_tqdm(monkeypatch)
    emb = _emb(cls, WireDouble(), show_progress=True, batch_size=50, max_concurrency=3)
    vectors = emb.embed_documents(_texts(230))
    assert len(vectors) == 230
    (bar,) = bars
    assert bar.total == 230 and bar.n == 230 and bar.closed
    assert bar.updates == [46] * 5  # one move per request (230 split evenly)


async def test_aembed_documents_bar_counts_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    bars = fake_tqdm(monkeypatch)
    emb = _emb(FireworksEmbeddings, WireDouble(), show_progress=True, batch_size=40)
    assert len(await emb.aembed_documents(_texts(100))) == 100
    (bar,) = bars
    assert bar.total == 100 and bar.n == 100 and len(bar.updates) == 3 and bar.closed


def test_off_by_default_and_never_for_a_query(monkeypatch: pytest.MonkeyPatch) -> None:
    bars = fake_tqdm(monkeypatch)
    double = WireDouble()
    _emb(FireworksEmbeddings, double).embed_documents(_texts(5))
    _emb(FireworksEmbeddings, double, show_progress=True).embed_query("q")
    assert bars == []


async def test_without_tqdm_nothing_is_printed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    without_tqdm(monkeypatch)
    emb = _emb(FireworksEmbeddings, WireDouble(), show_progress=True, batch_size=10)
    assert len(emb.embed_documents(_texts(25))) == 25
    assert len(await emb.aembed_documents(_texts(25))) == 25
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def _llm(double: WireDouble) -> ChatFireworks:
    return ChatFireworks(
        model="llama-v3p1-8b-instruct",
        api_key="test-key",
        max_retries=0,
        http_client=httpx.Client(transport=double.transport()),
        http_async_client=httpx.AsyncClient(transport=double.async_transport()),
    )


PROMPTS = ["Capital of France?", "Capital of Peru?", "Name a colour."]


def test_run_batch_bar_counts_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    bars = fake_tqdm(monkeypatch)
    seen: list[Any] = []
    out = run_batch(
        _llm(WireDouble()),
        PROMPTS,
        account_id="acme",
        poll_interval=0,
        show_progress=True,
        on_progress=seen.append,
    )
    assert len(out) == 3 and seen  # the caller's callback still gets every poll
    (bar,) = bars
    assert bar.total == 3 and bar.n == 3 and bar.kwargs["unit"] == "request" and bar.closed


async def test_arun_batch_bar_counts_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    bars = fake_tqdm(monkeypatch)
    out = await arun_batch(
        _llm(WireDouble()), PROMPTS, account_id="acme", poll_interval=0, show_progress=True
    )
    assert len(out) == 3
    assert bars[0].total == 3 and bars[0].n == 3 and bars[0].closed


def test_run_batch_without_tqdm_is_silent(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    without_tqdm(monkeypatch)
    out = run_batch(
        _llm(WireDouble()), PROMPTS, account_id="acme", poll_interval=0, show_progress=True
    )
    assert len(out) == 3
    assert capsys.readouterr().err == ""
