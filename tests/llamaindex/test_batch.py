"""llamaindex_fw.run_batch against the wire double: same bodies as chat, ChatResponses back."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage, ChatResponse

from fw_core.endpoints.batch import BatchInputError, BatchJobError
from fw_core.errors import InternalServerError, ModelNotFoundError
from fw_core.testing import WireDouble
from llamaindex_fw import Fireworks, Firmware, arun_batch, cancel_batch, run_batch

ACCOUNT = "test-account"
CHATS = [
    [ChatMessage(role="user", content="What is the capital of France?")],
    [ChatMessage(role="system", content="Be brief."), ChatMessage(role="user", content="Hi")],
]


def _llm(double: WireDouble, **kwargs: Any) -> Fireworks:
    return Fireworks(
        model=kwargs.pop("model", "llama-v3p1-8b-instruct"),
        api_key="test-key",
        max_retries=0,
        http_client=httpx.Client(transport=double.transport()),
        async_http_client=httpx.AsyncClient(transport=double.async_transport()),
        **kwargs,
    )


def test_rows_are_chat_bodies_and_responses_match_chat() -> None:
    double = WireDouble()
    llm = _llm(double, temperature=0.3, max_tokens=40)
    responses = run_batch(llm, CHATS, account_id=ACCOUNT, poll_interval=0)
    assert all(isinstance(r, ChatResponse) for r in responses)
    for chat, response in zip(CHATS, responses, strict=True):
        direct = llm.chat(chat)
        assert isinstance(response, ChatResponse)
        assert response.message.content == direct.message.content
        assert response.additional_kwargs["prompt_tokens"] > 0
    invoked = [r.json for r in double.requests if r.path.endswith("/chat/completions")]
    rows = [
        json.loads(line)["body"]
        for ds in double.batch.datasets.values()
        if ds.dataset_id.startswith("fwb-") and "-in" in ds.dataset_id
        for content in ds.files.values()
        for line in content.splitlines()
    ]
    assert rows == [{k: v for k, v in body.items() if k != "model"} for body in invoked]


def test_failed_rows_async_resume_and_cancel(tmp_path: Path) -> None:
    double = WireDouble()
    double.batch.fail_row("row-1", 500, "boom")
    out = asyncio.run(arun_batch(_llm(double), CHATS, account_id=ACCOUNT, poll_interval=0))
    assert isinstance(out[0], ChatResponse) and isinstance(out[1], InternalServerError)
    path = tmp_path / "s.json"
    double.batch.hold()
    with pytest.raises(Exception, match="still running"):
        run_batch(
            _llm(double),
            CHATS[:1],
            account_id=ACCOUNT,
            poll_interval=0,
            state_path=path,
            timeout=1e-9,
        )
    double.batch.hold(False)
    again = run_batch(_llm(double), CHATS[:1], account_id=ACCOUNT, poll_interval=0, state_path=path)
    assert isinstance(again[0], ChatResponse) and double.count(":upload") == 2
    cancel_batch(_llm(double), path, account_id=ACCOUNT)
    assert double.requests[-1].method == "DELETE"


def test_refusals_before_any_upload() -> None:
    double = WireDouble()
    with pytest.raises(BatchInputError):
        run_batch(_llm(double), [], account_id=ACCOUNT)
    with pytest.raises(BatchInputError, match="more than once"):
        run_batch(_llm(double), CHATS, ids=["a", "a"], account_id=ACCOUNT)
    with pytest.raises(ModelNotFoundError, match="not-in-the-catalog"):
        run_batch(_llm(double, model="not-in-the-catalog"), CHATS, account_id=ACCOUNT)
    with pytest.raises(BatchInputError, match="file limit"):
        run_batch(_llm(double), CHATS, account_id=ACCOUNT, max_file_bytes=20)
    assert not [r for r in double.requests if "/datasets" in r.path]
    with pytest.raises(ValueError, match="list of ChatMessage"):
        run_batch(_llm(double), [ChatMessage(role="user", content="x")], account_id=ACCOUNT)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="Fireworks"):
        run_batch(Firmware(model="openai/gpt-4o", api_key="k"), CHATS, account_id=ACCOUNT)  # type: ignore[arg-type]


def test_a_model_the_catalog_says_nothing_about_is_submitted_and_the_server_decides() -> None:
    """The real Model resource has no batch flag (docs/wire.md §7.6): the job is submitted
    and the server's failure is the answer, with the job name."""
    double = WireDouble()
    with pytest.raises(BatchJobError, match="does not support batch inference") as info:
        run_batch(
            _llm(double, model="qwen3-reranker-8b"),
            CHATS,
            account_id=ACCOUNT,
            poll_interval=0,
            run_id="rr",
        )
    assert info.value.job_name == f"accounts/{ACCOUNT}/batchInferenceJobs/fwb-rr-0"


def test_run_after_cancel_batch_does_not_resubmit_unless_asked(tmp_path: Path) -> None:
    double = WireDouble()
    path = tmp_path / "cancelled.json"
    double.batch.hold()
    with pytest.raises(Exception, match="still running"):
        run_batch(
            _llm(double),
            CHATS,
            account_id=ACCOUNT,
            poll_interval=0,
            state_path=path,
            timeout=1e-9,
            run_id="lix",
        )
    cancel_batch(_llm(double), path, account_id=ACCOUNT)
    double.batch.hold(False)
    creates = double.count("/batchInferenceJobs")
    for _ in range(2):  # the first poll sees it cleaning up, the next one a 404
        with pytest.raises(BatchJobError):
            run_batch(_llm(double), CHATS, account_id=ACCOUNT, poll_interval=0, state_path=path)
    assert double.count("/batchInferenceJobs") == creates
    again = run_batch(
        _llm(double), CHATS, account_id=ACCOUNT, poll_interval=0, state_path=path, resubmit=True
    )
    assert all(isinstance(r, ChatResponse) for r in again)
    assert double.count("/batchInferenceJobs") == creates + 1
