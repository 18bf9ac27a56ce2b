"""``show_progress`` on the LlamaIndex embeddings and batch runner (tqdm if installed).

``get_text_embedding_batch(texts, show_progress=True)`` (LlamaIndex's own argument) and
its async twin draw one bar counting inputs, moved as each request completes. Without
tqdm nothing is printed and nothing fails.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage

from fw_core.testing import WireDouble
from llamaindex_fw import Fireworks, FireworksEmbedding, FirmwareEmbedding, arun_batch, run_batch
from tests._progress import fake_tqdm, without_tqdm


def _emb(cls: type, double: WireDouble, **kwargs: Any) -> Any:
    return cls(
        api_key="test-key",
        http_client=httpx.Client(transport=double.transport()),
        async_http_client=httpx.AsyncClient(transport=double.async_transport()),
        **kwargs,
    )


def _texts(n: int) -> list[str]:
    return [f"passage {i} about topic{i % 7}" for i in range(n)]


@pytest.mark.parametrize("cls", [FireworksEmbedding, FirmwareEmbedding])
def test_batch_bar_counts_inputs_per_request(cls: type, monkeypatch: pytest.MonkeyPatch) -> None:
    bars = fake_tqdm(monkeypatch)
    emb = _emb(cls, WireDouble(), embed_batch_size=40)
    assert len(emb.get_text_embedding_batch(_texts(130), show_progress=True)) == 130
    (bar,) = bars  # ours only: LlamaIndex's own per-text bar is not drawn as well
    assert bar.total == 130 and bar.n == 130 and bar.updates == [40, 40, 40, 10]
    assert bar.kwargs["unit"] == "input" and bar.closed


def test_sync_batch_spread_over_workers_moves_per_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bars = fake_tqdm(monkeypatch)
    emb = _emb(FireworksEmbedding, WireDouble(), num_workers=4)  # one 2048 batch, 4 requests
    assert len(emb.get_text_embedding_batch(_texts(400), show_progress=True)) == 400
    assert bars[0].n == 400 and len(bars[0].updates) == 4


async def test_async_batch_bar_counts_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    bars = fake_tqdm(monkeypatch)
    emb = _emb(FireworksEmbedding, WireDouble(), embed_batch_size=25, num_workers=3)
    out = await emb.aget_text_embedding_batch(_texts(110), show_progress=True)
    assert len(out) == 110
    (bar,) = bars
    assert bar.total == 110 and bar.n == 110 and sorted(bar.updates) == [10, 25, 25, 25, 25]


def test_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    bars = fake_tqdm(monkeypatch)
    emb = _emb(FireworksEmbedding, WireDouble(), embed_batch_size=10)
    emb.get_text_embedding_batch(_texts(30))
    emb.get_query_embedding("q")
    assert bars == []


async def test_without_tqdm_nothing_is_printed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    without_tqdm(monkeypatch)
    emb = _emb(FireworksEmbedding, WireDouble(), embed_batch_size=10, num_workers=2)
    assert len(emb.get_text_embedding_batch(_texts(25), show_progress=True)) == 25
    assert len(await emb.aget_text_embedding_batch(_texts(25), show_progress=True)) == 25
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def _llm(double: WireDouble) -> Fireworks:
    return Fireworks(
        model="llama-v3p1-8b-instruct",
        api_key="test-key",
        max_retries=0,
        http_client=httpx.Client(transport=double.transport()),
        async_http_client=httpx.AsyncClient(transport=double.async_transport()),
    )


CHATS = [[ChatMessage(role="user", content=q)] for q in ("France?", "Peru?", "Chile?")]


def test_run_batch_bar_counts_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    bars = fake_tqdm(monkeypatch)
    out = run_batch(
        _llm(WireDouble()), CHATS, account_id="acme", poll_interval=0, show_progress=True
    )
    assert len(out) == 3
    (bar,) = bars
    assert bar.total == 3 and bar.n == 3 and bar.kwargs["unit"] == "request" and bar.closed


async def test_arun_batch_without_tqdm_is_silent(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    without_tqdm(monkeypatch)
    out = await arun_batch(
        _llm(WireDouble()), CHATS, account_id="acme", poll_interval=0, show_progress=True
    )
    assert len(out) == 3
    assert capsys.readouterr().err == ""
