"""Cancelling an async call: the caller gets CancelledError, nothing is left behind.

For every async call style of every surface, the call is cancelled at two moments:
while it waits for the response to start (``waiting``) and after the headers arrived,
while the body is pending (``mid-body``). Then: the task ends with CancelledError (not a
typed API error, not a retry), no request is sent after the cancel, every response body
that was opened is closed again, and no task the call started is still running.

Also: LlamaIndex's own async batching (every batch at once) fails whole and leaves no
task or open body behind when every request fails.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from fw_core import errors as fe
from fw_core.testing import Fault
from tests.reliability._faults import MAX_RETRIES
from tests.reliability._surfaces import FAKE_KEY, SURFACES, TEXTS, Surface, Wiring

_WAIT = 30.0  # seconds the double would stall; the cancel comes long before


def _cells() -> list[Any]:
    return [
        pytest.param(surface, mode, moment, id=f"{surface.name}-{mode}-{moment}")
        for surface in SURFACES
        for mode in surface.modes
        if mode in ("async", "astream")
        for moment in ("waiting", "mid-body")
    ]


async def _until(condition: Any, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + 10.0
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.001)


@pytest.mark.parametrize(("surface", "mode", "moment"), _cells())
async def test_cancel(surface: Surface, mode: str, moment: str, sleeps: list[float]) -> None:
    wiring = Wiring()
    try:
        obj = surface.build(wiring, None)
        fault = Fault.slow_first_byte(_WAIT) if moment == "waiting" else Fault.slow_body(_WAIT)
        wiring.double.inject(fault, times=1, path=surface.path)
        before = asyncio.all_tasks()
        task = asyncio.ensure_future(surface.run(obj, mode, False))
        if moment == "waiting":
            await _until(lambda: len(wiring.double.requests) >= 1, "the request")
        else:
            await _until(lambda: wiring.ledger.opened >= 1, "the response headers")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        for _ in range(5):  # let any cleanup the cancel scheduled run
            await asyncio.sleep(0)
        assert len(wiring.double.requests) == 1, "a request was sent after the cancel"
        assert sleeps == [], "a cancel must not be retried"
        assert wiring.ledger.open == 0, "a response body was left open"
        assert asyncio.all_tasks() - before == set(), "the call left tasks running"
    finally:
        await wiring.aclose()


@pytest.mark.parametrize("provider", ["Fireworks", "Firmware"])
async def test_llamaindex_async_batches_fail_whole(provider: str, sleeps: list[float]) -> None:
    import llamaindex_fw

    wiring = Wiring()
    try:
        cls = getattr(llamaindex_fw, f"{provider}Embedding")
        emb = cls(
            api_key=FAKE_KEY,
            http_client=wiring.http,
            async_http_client=wiring.ahttp,
            embed_batch_size=1,
        )
        wiring.double.inject(Fault.status(503), times=1000, path="/embeddings")
        before = asyncio.all_tasks()
        with pytest.raises(fe.InternalServerError):
            await emb.aget_text_embedding_batch(list(TEXTS))
        for _ in range(50):
            await asyncio.sleep(0)
        sent = len(wiring.double.requests)
        assert MAX_RETRIES + 1 <= sent <= (MAX_RETRIES + 1) * len(TEXTS)
        assert len(sleeps) <= sent - 1
        assert wiring.ledger.open == 0
        assert asyncio.all_tasks() - before == set()
        # The same object works again once the API recovers.
        wiring.double.clear_faults()
        vectors = await emb.aget_text_embedding_batch(list(TEXTS))
        assert len(vectors) == len(TEXTS)
    finally:
        await wiring.aclose()
