"""fw_core.batch against the wire double: the round trip, resume, failures, cancel, bad input."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from fw_core import FIREWORKS
from fw_core.batch import (
    BatchInputError,
    BatchJobError,
    BatchProgress,
    BatchRowError,
    BatchRunner,
    BatchState,
    api,
)
from fw_core.batch.plan import model_refusal, prepare
from fw_core.client import AsyncClient, Client
from fw_core.errors import (
    APITimeoutError,
    BadRequestError,
    ConfigurationError,
    InternalServerError,
    NotFoundError,
)
from fw_core.models import ModelInfo
from fw_core.testing import WireDouble

MODEL = "accounts/fireworks/models/llama-v3p1-8b-instruct"
ACCOUNT = "test-account"


def _bodies(n: int) -> list[dict[str, Any]]:
    return [
        {"messages": [{"role": "user", "content": f"What is {i} plus {i}?"}], "max_tokens": 20}
        for i in range(n)
    ]


def _client(double: WireDouble) -> Client:
    return Client(
        FIREWORKS,
        api_key="test-key",
        max_retries=0,
        http_client=httpx.Client(transport=double.transport()),
    )


def _aclient(double: WireDouble) -> AsyncClient:
    return AsyncClient(
        FIREWORKS,
        api_key="test-key",
        max_retries=0,
        http_client=httpx.AsyncClient(transport=double.async_transport()),
    )


def _runner(double: WireDouble, **kwargs: Any) -> BatchRunner:
    kwargs.setdefault("model", MODEL)
    kwargs.setdefault("account_id", ACCOUNT)
    kwargs.setdefault("poll_interval", 0)
    return BatchRunner(_client(double), async_client=_aclient(double), **kwargs)


def _uploads(double: WireDouble) -> int:
    return double.count(":upload") + sum(1 for r in double.requests if r.path.endswith("/datasets"))


def test_round_trip_in_input_order_with_progress_and_usage() -> None:
    double = WireDouble()
    seen: list[BatchProgress] = []
    runner = _runner(double, on_progress=seen.append, run_id="rt")
    bodies = _bodies(5)
    results = runner.run(bodies, ids=[f"q{i}" for i in (4, 2, 0, 3, 1)])
    assert [r.custom_id for r in results] == ["q4", "q2", "q0", "q3", "q1"]
    assert [r.index for r in results] == list(range(5))
    for body, result in zip(bodies, results, strict=True):
        assert result.ok
        direct = double._batch_chat({**body, "model": MODEL}, "x")[1]
        assert (
            result.unwrap().completion.choices[0].message.content
            == (direct["choices"][0]["message"]["content"])
        )
        usage = result.unwrap().completion.usage
        assert usage is not None and usage.prompt_tokens > 0
    states = [p.states[0] for p in seen]
    assert states[0] == "JOB_STATE_PENDING" and states[-1] == "JOB_STATE_COMPLETED"
    assert "JOB_STATE_RUNNING" in states
    assert [p.progress.percent for p in seen] == sorted(p.progress.percent for p in seen)
    assert seen[-1].progress.processed == 5 and seen[-1].progress.total == 5
    # the wire: dataset created with exampleCount, one multipart upload, a job with ids
    create = next(r for r in double.requests if r.path.endswith("/datasets"))
    assert create.json == {
        "datasetId": "fwb-rt-in0",
        "dataset": {"userUploaded": {}, "exampleCount": "5"},
    }
    job = next(r for r in double.requests if r.path.endswith("/batchInferenceJobs"))
    assert "batchInferenceJobId=fwb-rt-0" in job.url
    assert job.json["outputDatasetId"] == f"accounts/{ACCOUNT}/datasets/fwb-rt-out0"
    assert (
        "model"
        not in json.loads(
            double.batch.datasets[(ACCOUNT, "fwb-rt-in0")].files["fwb-rt-in0.jsonl"].splitlines()[0]
        )["body"]
    )
    # the signed URLs are fetched without the API key
    fetches = [r for r in double.requests if "storage.googleapis.com" in r.url]
    assert fetches and all("authorization" not in r.headers for r in fetches)


def test_async_round_trip() -> None:
    double = WireDouble()
    runner = _runner(double)
    results = asyncio.run(runner.arun(_bodies(3)))
    assert [r.custom_id for r in results] == ["row-0", "row-1", "row-2"]
    assert all(r.ok for r in results)


def test_split_at_the_file_limit_runs_several_jobs() -> None:
    double = WireDouble()
    bodies = _bodies(6)
    one_line = len(json.dumps({"custom_id": "row-0", "body": bodies[0]}, separators=(",", ":")))
    runner = _runner(double, max_file_bytes=2 * one_line + 10, run_id="split")
    results = runner.run(bodies)
    assert len(double.batch.jobs) == 3
    assert [r.custom_id for r in results] == [f"row-{i}" for i in range(6)] and all(
        r.ok for r in results
    )


def test_per_row_failures_are_typed_and_in_place() -> None:
    double = WireDouble()
    double.batch.fail_row("row-1", 500, "GPU fell over")
    bodies = _bodies(3)
    bodies[2]["top_p"] = 7  # passes the client's checks; the chat endpoint answers 400
    results = _runner(double).run(bodies)
    assert results[0].ok
    assert isinstance(results[1].error, InternalServerError)
    assert results[1].error.message == "GPU fell over"
    assert results[1].error.custom_id == "row-1"  # type: ignore[attr-defined]
    with pytest.raises(InternalServerError):
        results[1].unwrap()
    assert isinstance(results[2].error, BadRequestError)


def test_resume_after_a_crash_picks_up_the_same_job(tmp_path: Path) -> None:
    double = WireDouble()
    state_path = tmp_path / "batch.json"
    runner = _runner(double, state_path=state_path, run_id="crash", timeout=0.001)
    runner._clock = iter(range(0, 1000, 10)).__next__
    with pytest.raises(APITimeoutError):
        runner.run(_bodies(4))  # "crashes" while the job runs
    state = BatchState.load(state_path)
    assert [p.job_id for p in state.parts] == ["fwb-crash-0"]
    jobs_before = len(double.batch.jobs)
    # a new process: the same call with the same state file resumes, submits nothing new
    again = _runner(double, state_path=state_path)
    results = again.run(_bodies(4))
    assert len(double.batch.jobs) == jobs_before and double.count(":upload") == 1
    assert all(r.ok for r in results)
    # and without the inputs at all
    assert [r.custom_id for r in _runner(double).resume(state_path)] == [
        "row-0",
        "row-1",
        "row-2",
        "row-3",
    ]


def test_resume_when_the_crash_came_before_the_upload(tmp_path: Path) -> None:
    double = WireDouble()
    state_path = tmp_path / "batch.json"
    runner = _runner(double, state_path=state_path, run_id="early")
    state = runner._plan(prepare(_bodies(2), None, model=MODEL))
    state.save(state_path)  # the state was written, then the process died
    with pytest.raises(BatchInputError, match="resume with the same requests"):
        runner.resume()
    results = runner.resume(bodies=_bodies(2))
    assert all(r.ok for r in results) and double.count(":upload") == 1


def test_job_failure_raises_with_the_server_message() -> None:
    double = WireDouble()
    bad = _bodies(2)
    bad[1]["messages"][0]["role"] = "bananas"
    runner = _runner(double, check_model=False)
    with pytest.raises(BatchJobError, match="invalid role bananas") as info:
        # the chat check lets unknown roles through; the dataset validation does not
        runner.run(bad)
    assert info.value.state == "JOB_STATE_FAILED"


def test_cancel_stops_the_job(tmp_path: Path) -> None:
    double = WireDouble()
    double.batch.hold()
    state_path = tmp_path / "b.json"
    runner = _runner(double, state_path=state_path)
    state = runner.submit(_bodies(2))
    runner.cancel()
    assert double.requests[-1].method == "DELETE"
    double.batch.hold(False)
    with pytest.raises(BatchJobError) as info:
        runner.wait(state)
    assert info.value.state == "JOB_STATE_DELETING_CLEANING_UP"
    asyncio.run(runner.acancel(state))  # cancelling again is harmless


def test_expired_job_returns_the_rows_it_finished() -> None:
    double = WireDouble()
    double.batch.hold()
    runner = _runner(double, run_id="exp")
    state = runner.submit(_bodies(4))
    double.batch.advance("fwb-exp-0", to="JOB_STATE_RUNNING")
    double.batch._step(double.batch._find_job("fwb-exp-0"), force=True)  # half the rows
    double.batch._find_job("fwb-exp-0").state = "JOB_STATE_EXPIRED"
    results = runner.wait(state)
    assert [r.ok for r in results] == [True, True, False, False]
    assert isinstance(results[3].error, BatchRowError) and "EXPIRED" in str(results[3].error)


@pytest.mark.parametrize(
    ("bodies", "ids", "message"),
    [
        ([], None, "at least one request"),
        (_bodies(2), ["a", "a"], "appears more than once"),
        (_bodies(2), ["a"], "one id per request"),
        (_bodies(1), [""], "non-empty string"),
        ([{"messages": []}], None, "at least one message"),
        (
            [
                {
                    "model": "accounts/fireworks/models/other",
                    "messages": [{"role": "user", "content": "x"}],
                }
            ],
            None,
            "one model",
        ),
    ],
)
def test_bad_input_is_refused_before_any_upload(
    bodies: list[dict[str, Any]], ids: list[str] | None, message: str
) -> None:
    double = WireDouble()
    with pytest.raises(BatchInputError, match=message):
        _runner(double).run(bodies, ids=ids)
    assert double.requests == []


def test_a_row_over_the_file_limit_is_refused_before_any_upload() -> None:
    double = WireDouble()
    bodies = _bodies(2)
    bodies[1]["messages"][0]["content"] = "long " * 100
    with pytest.raises(BatchInputError, match="over the 200-byte file limit"):
        _runner(double, max_file_bytes=200).run(bodies)
    assert double.requests == []


@pytest.mark.parametrize(
    ("model", "why"),
    [
        ("accounts/fireworks/models/qwen3-embedding-8b", "says it is not supported"),
        ("accounts/fireworks/models/qwen2p5-vl-32b-instruct", "does not say it is"),
        ("accounts/fireworks/models/not-in-the-catalog", "no catalog entry"),
        ("accounts/acme/deployments/d1", "no catalog entry"),
    ],
)
def test_a_model_without_batch_support_is_refused_before_upload(model: str, why: str) -> None:
    double = WireDouble()
    with pytest.raises(BatchInputError, match=why):
        _runner(double, model=model).run(_bodies(1))
    assert _uploads(double) == 0 and double.count("/batchInferenceJobs") == 0
    with pytest.raises(BatchInputError, match=why):
        asyncio.run(_runner(double, model=model).arun(_bodies(1)))
    assert _uploads(double) == 0


def test_the_model_check_reads_model_info_supports_batch() -> None:
    def info(flag: bool | None, raw: dict[str, Any] | None = None) -> ModelInfo:
        return ModelInfo(
            id="accounts/fireworks/models/m",
            provider="fireworks",
            supports_batch=flag,
            raw=raw or {},
        )

    assert model_refusal("m", info(True)) is None
    refused = model_refusal("m", info(False))
    assert refused is not None and "says it is not supported" in str(refused)
    # the parsed field decides, not a raw key the parser did not turn into it
    unstated = model_refusal("m", info(None, {"batchInferenceSupported": "yes"}))
    assert unstated is not None and "does not say it is" in str(unstated)


def test_an_unsupported_model_would_sit_pending_in_the_double() -> None:
    double = WireDouble()
    runner = _runner(
        double,
        model="accounts/fireworks/models/qwen3-embedding-8b",
        check_model=False,
        timeout=0.001,
        run_id="stuck",
    )
    runner._clock = iter(range(0, 1000, 10)).__next__
    with pytest.raises(APITimeoutError):
        runner.run(_bodies(1))
    assert double.batch.job("fwb-stuck-0")["state"] == "JOB_STATE_PENDING"


def test_configuration_errors() -> None:
    double = WireDouble()
    with pytest.raises(ConfigurationError, match="own account"):
        BatchRunner(_client(double), model=MODEL, account_id="fireworks")
    with pytest.raises(ConfigurationError, match="needs a client"):
        BatchRunner(model=MODEL, account_id=ACCOUNT)
    with pytest.raises(ConfigurationError, match="run_id"):
        _runner(double, run_id="Bad Tag").run(_bodies(1))


def test_api_list_get_and_missing_resources() -> None:
    double = WireDouble()
    client = _client(double)
    _runner(double, run_id="ls").run(_bodies(1))
    jobs = api.list_jobs(client, ACCOUNT)
    assert [j.job_id for j in jobs] == ["fwb-ls-0"] and jobs[0].phase == "completed"
    assert api.get_job(client, ACCOUNT, "fwb-ls-0").progress.succeeded == 1
    with pytest.raises(NotFoundError):
        api.get_job(client, ACCOUNT, "nope")
    with pytest.raises(NotFoundError):
        api.download_output(client, ACCOUNT, "nope")
    assert [j.job_id for j in asyncio.run(api.alist_jobs(_aclient(double), ACCOUNT))] == [
        "fwb-ls-0"
    ]
