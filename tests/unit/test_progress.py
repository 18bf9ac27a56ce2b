"""fw_core.kit.progress and the progress hook of fw_core.endpoints.embeddings.

The bar is tqdm's when tqdm imports and silence when it does not; the embeddings
functions report inputs done as each batch completes, sync (threads) and async (tasks).
"""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from fw_core import FIREWORKS
from fw_core.endpoints.batch import BatchProgress
from fw_core.endpoints.batch.lines import JobProgress
from fw_core.endpoints.embeddings import EmbeddingsRequest, aembed, embed
from fw_core.http.client import AsyncClient, Client
from fw_core.kit.progress import ProgressBar, batch_job_progress, load_tqdm
from fw_core.testing import WireDouble
from tests._progress import fake_tqdm, without_tqdm

MODEL = "accounts/fireworks/models/nomic-embed-text-v1.5"


def _texts(n: int) -> list[str]:
    return [f"text number {i}" for i in range(n)]


def test_bar_reaches_the_total_and_closes(monkeypatch: pytest.MonkeyPatch) -> None:
    bars = fake_tqdm(monkeypatch)
    with ProgressBar(True, total=10, desc="Embedding", unit="input") as bar:
        bar.update_to(4)
        bar.update_to(3)  # a late, lower report does not move it back
        bar.advance(6)
    assert len(bars) == 1
    assert bars[0].total == 10 and bars[0].n == 10 and bars[0].updates == [4, 6]
    assert bars[0].kwargs["unit"] == "input" and bars[0].closed


def test_no_bar_unless_asked_or_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    bars = fake_tqdm(monkeypatch)
    with ProgressBar(False, total=5) as bar:
        bar.advance(5)
    with ProgressBar(True, total=5):
        pass  # nothing reported: nothing drawn
    assert bars == []


def test_without_tqdm_it_is_silent(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    without_tqdm(monkeypatch)
    assert load_tqdm() is None
    seen: list[tuple[int, int]] = []
    with ProgressBar(True, total=3, callback=lambda d, t: seen.append((d, t))) as bar:
        bar.advance(1)
        bar.advance(2)
    assert seen == [(1, 3), (3, 3)]
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_concurrent_advances_are_all_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    bars = fake_tqdm(monkeypatch)
    with ProgressBar(True, total=8 * 500) as bar:
        threads = [
            threading.Thread(target=lambda: [bar.advance(1) for _ in range(500)]) for _ in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert bar.done == 4000 and bars[0].n == 4000


def _req(**kwargs: int) -> EmbeddingsRequest:
    return EmbeddingsRequest(model=MODEL, batch_size=64, max_concurrency=4, **kwargs)


def test_embed_reports_each_batch_from_its_threads() -> None:
    double = WireDouble()
    client = Client(FIREWORKS, api_key="k", http_client=httpx.Client(transport=double.transport()))
    seen: list[tuple[int, int]] = []
    result = embed(client, _texts(300), _req(), on_progress=lambda d, t: seen.append((d, t)))
    assert result.requests == 5 and len(result.vectors) == 300
    assert [t for _, t in seen] == [300] * 5
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)  # cumulative, never backwards
    assert seen[-1] == (300, 300)


async def test_aembed_reports_each_batch() -> None:
    double = WireDouble()
    client = AsyncClient(
        FIREWORKS, api_key="k", http_client=httpx.AsyncClient(transport=double.async_transport())
    )
    seen: list[int] = []
    result = await aembed(client, _texts(300), _req(), on_progress=lambda d, t: seen.append(d))
    assert result.requests == 5
    assert len(seen) == 5 and seen[-1] == 300 and seen == sorted(seen)


def _report(processed: int) -> BatchProgress:
    return BatchProgress((), JobProgress(total=4, processed=processed))


def test_batch_job_progress_moves_the_bar_and_calls_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bars = fake_tqdm(monkeypatch)
    seen: list[BatchProgress] = []
    with batch_job_progress(True, 4, seen.append) as report:
        for processed in (0, 1, 1, 4):
            report(_report(processed))
    assert len(seen) == 4
    assert bars[0].total == 4 and bars[0].n == 4 and bars[0].kwargs["unit"] == "request"
    assert bars[0].closed


def test_progress_bar_survives_asyncio_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    bars = fake_tqdm(monkeypatch)

    async def main() -> None:
        with ProgressBar(True, total=20) as bar:

            async def step() -> None:
                await asyncio.sleep(0)
                bar.advance(1)

            await asyncio.gather(*(step() for _ in range(20)))

    asyncio.run(main())
    assert bars[0].n == 20
