"""fw_core.endpoints.batch against the wire double: round trip, resume, failures, bad input."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from fw_core import FIREWORKS
from fw_core.endpoints.batch import (
    BatchInputError,
    BatchJobError,
    BatchProgress,
    BatchRowError,
    BatchRunner,
    BatchState,
    api,
)
from fw_core.endpoints.batch.checks import model_refusal, prepare
from fw_core.endpoints.batch.lines import DatasetNotReadyError
from fw_core.endpoints.batch.runner import DEFAULT_DATASET_TIMEOUT
from fw_core.endpoints.models import ModelInfo
from fw_core.errors import (
    APITimeoutError,
    BadRequestError,
    ConfigurationError,
    InternalServerError,
    ModelNotFoundError,
    NotFoundError,
)
from fw_core.http.client import AsyncClient, Client
from fw_core.testing import Fault, WireDouble, catalog

ACCOUNT = "test-account"
#: a current serverless chat model of the double's catalog (whichever rows it holds)
CURRENT = next(
    f"accounts/fireworks/models/{mid}"
    for mid, *_rest, kind in catalog.FIREWORKS_MODELS
    if kind == "HF_BASE_MODEL" and mid not in catalog.NOT_SERVERLESS and "rerank" not in mid
)
MODEL = CURRENT


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
    assert BatchState.load(state_path).parts[0].cancelled
    double.batch.hold(False)
    with pytest.raises(BatchJobError) as info:
        runner.collect(state)
    assert info.value.state == "JOB_STATE_DELETING_CLEANING_UP"
    asyncio.run(runner.acancel(state))  # cancelling again is harmless


def _cancelled_run(double: WireDouble, state_path: Path, run_id: str) -> BatchRunner:
    """A run whose job was created, then cancelled; the API has since deleted it (404)."""
    double.batch.hold()
    runner = _runner(double, state_path=state_path, run_id=run_id)
    runner.submit(_bodies(2))
    runner.cancel()
    double.batch.hold(False)
    job = f"fwb-{run_id}-0"
    api.get_job(_client(double), ACCOUNT, job)  # DELETING_CLEANING_UP, shown once...
    with pytest.raises(NotFoundError):
        api.get_job(_client(double), ACCOUNT, job)  # ...then gone, as the real API does
    return runner


@pytest.mark.parametrize("how", ["resume", "run", "aresume"])
def test_resume_after_cancel_reports_cancelled_and_submits_nothing(
    tmp_path: Path, how: str
) -> None:
    """issue 20: the real API deletes a cancelled job and answers 404; a resume used to read
    that as "never created" and submit the job again."""
    double = WireDouble()
    state_path = tmp_path / "c.json"
    _cancelled_run(double, state_path, "cx")
    creates = double.count("/batchInferenceJobs")
    again = _runner(double, state_path=state_path)  # a new process, the same state file
    with pytest.raises(BatchJobError) as info:
        if how == "resume":
            again.resume()
        elif how == "run":
            again.run(_bodies(2))
        else:
            asyncio.run(again.aresume())
    assert info.value.state == "JOB_STATE_DELETED"
    assert info.value.job_name == f"accounts/{ACCOUNT}/batchInferenceJobs/fwb-cx-0"
    assert "resubmit=True" in str(info.value)
    assert double.count("/batchInferenceJobs") == creates and double.count(":upload") == 1


def test_a_job_deleted_elsewhere_is_not_resubmitted_either(tmp_path: Path) -> None:
    """Deleted by another tool (firectl, the console): the state file only knows it existed."""
    double = WireDouble()
    double.batch.hold()
    state_path = tmp_path / "d.json"
    runner = _runner(double, state_path=state_path, run_id="dx")
    runner.submit(_bodies(1))
    assert BatchState.load(state_path).parts[0].created
    api.cancel_job(_client(double), ACCOUNT, "fwb-dx-0")
    double.batch.hold(False)
    api.get_job(_client(double), ACCOUNT, "fwb-dx-0")  # the last sight of it
    with pytest.raises(BatchJobError, match="cancelled"):
        _runner(double, state_path=state_path).resume()
    assert len(double.batch.jobs) == 0


def test_resubmit_after_cancel_is_explicit_and_uses_new_ids(tmp_path: Path) -> None:
    double = WireDouble()
    state_path = tmp_path / "r.json"
    _cancelled_run(double, state_path, "rx")
    results = _runner(double, state_path=state_path).resume(resubmit=True)
    assert all(r.ok for r in results)
    state = BatchState.load(state_path)
    assert [(p.job_id, p.output_dataset_id) for p in state.parts] == [
        ("fwb-rx-0-r1", "fwb-rx-out0-r1")
    ]
    assert state.parts[0].created and not state.parts[0].cancelled
    assert double.count(":upload") == 1  # the input dataset is reused


def test_expired_job_returns_the_rows_it_finished() -> None:
    double = WireDouble()
    double.batch.hold()
    runner = _runner(double, run_id="exp")
    state = runner.submit(_bodies(4))
    double.batch.advance("fwb-exp-0", to="JOB_STATE_RUNNING")
    double.batch._step(double.batch._find_job("fwb-exp-0"), force=True)  # half the rows
    double.batch._find_job("fwb-exp-0").state = "JOB_STATE_EXPIRED"
    results = runner.collect(state)
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


def test_a_model_missing_from_its_catalog_is_refused_before_upload() -> None:
    """Evidence: the model's own account catalog does not list it (the catalog's 404)."""
    double = WireDouble()
    gone = "accounts/fireworks/models/not-in-the-catalog"
    with pytest.raises(ModelNotFoundError) as info:
        _runner(double, model=gone).run(_bodies(1))
    assert info.value.model == gone and repr(gone) in str(info.value)
    assert _uploads(double) == 0 and double.count("/batchInferenceJobs") == 0
    with pytest.raises(ModelNotFoundError):
        asyncio.run(_runner(double, model=gone).arun(_bodies(1)))
    assert _uploads(double) == 0


def test_an_explicit_no_is_refused_and_an_unstated_flag_is_not() -> None:
    def info(flag: bool | None, raw: dict[str, Any] | None = None) -> ModelInfo:
        return ModelInfo(
            id="accounts/fireworks/models/m",
            provider="fireworks",
            supports_batch=flag,
            raw=raw or {},
        )

    model = "accounts/fireworks/models/m"
    assert model_refusal(model, info(True)) is None
    refused = model_refusal(model, info(False))
    assert isinstance(refused, BatchInputError) and "cannot run as a batch job" in str(refused)
    # absent (the real Model resource has no batch field): no evidence, no refusal
    assert model_refusal(model, info(None)) is None
    assert model_refusal(model, info(None, {"batchInferenceSupported": "yes"})) is None
    # a deployment or router has no catalog entry to look at: submitted
    assert model_refusal("accounts/acme/deployments/d1", None) is None
    assert model_refusal("accounts/fireworks/routers/glm-5p1-fast", None) is None


def test_a_current_serverless_model_is_submitted_on_a_real_shaped_entry() -> None:
    """issue 20, Done when: BatchRunner(model=<current serverless model>) submits against a
    catalog entry shaped like the real Model resource (no batch flag)."""
    double = WireDouble()
    entry = next(e for e in catalog.catalog_page(200, None)[0] if e["name"] == CURRENT)
    assert entry["supportsServerless"] is True and not any("batch" in k.lower() for k in entry)
    results = _runner(double, model=CURRENT, run_id="now").run(_bodies(2))
    assert all(r.ok for r in results)
    created = next(r for r in double.requests if r.path.endswith("/batchInferenceJobs"))
    assert created.json["model"] == CURRENT


@pytest.mark.parametrize(
    "model",
    ["accounts/fireworks/models/qwen3-embedding-8b", "accounts/acme/deployments/d1"],
)
def test_a_job_that_cannot_run_fails_with_the_server_message_and_job_name(model: str) -> None:
    """Nothing in the catalog says an embedding model or a deployment cannot batch, so the
    job is submitted; the server fails it, and that is the error (docs/wire.md §7.9)."""
    double = WireDouble()
    with pytest.raises(BatchJobError) as info:
        _runner(double, model=model, run_id="cant").run(_bodies(1))
    err = info.value
    assert err.state == "JOB_STATE_FAILED" and err.code == "FAILED_PRECONDITION"
    assert err.job_name == f"accounts/{ACCOUNT}/batchInferenceJobs/fwb-cant-0"
    assert f"Model {model} does not support batch inference" in str(err)
    with pytest.raises(BatchJobError, match="does not support batch inference"):
        asyncio.run(_runner(double, model=model, run_id="cant2").arun(_bodies(1)))


def test_a_refused_job_creation_names_the_job() -> None:
    double = WireDouble()
    double.inject(Fault.status(400, message="model is not valid"), path="/batchInferenceJobs")
    with pytest.raises(BadRequestError) as info:
        _runner(double, run_id="nojob").run(_bodies(1))
    assert info.value.job_name == f"accounts/{ACCOUNT}/batchInferenceJobs/fwb-nojob-0"  # type: ignore[attr-defined]
    assert "fwb-nojob-0 was not created" in "".join(info.value.__notes__)


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


class _FakeTime:
    """A clock that moves only when the runner sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def _timed(runner: BatchRunner) -> _FakeTime:
    fake = _FakeTime()
    runner._clock, runner._sleep, runner._asleep = fake.clock, fake.sleep, fake.asleep
    return fake


def test_a_slow_dataset_is_waited_for_with_progress(caplog: pytest.LogCaptureFixture) -> None:
    double = WireDouble()
    double.batch.slow_datasets(3)  # UPLOADING for three polls
    runner = _runner(double, run_id="slow", poll_interval=1)
    _timed(runner)
    with caplog.at_level("INFO", logger="fw_core.endpoints.batch"):
        results = runner.run(_bodies(2))
    assert all(r.ok for r in results)
    waits = [r.getMessage() for r in caplog.records if "waiting for READY" in r.getMessage()]
    assert len(waits) == 2 and all("fwb-slow-in0 is UPLOADING" in w for w in waits)
    gets = [r for r in double.requests if r.path.endswith("/datasets/fwb-slow-in0")]
    job = next(i for i, r in enumerate(double.requests) if r.path.endswith("/batchInferenceJobs"))
    assert all(double.requests.index(g) < job for g in gets)  # the job came after READY


@pytest.mark.parametrize("use_async", [False, True])
def test_a_dataset_never_ready_raises_and_creates_no_job(tmp_path: Path, use_async: bool) -> None:
    """issue 20: the wait used to give up after about 60 s and create the job anyway."""
    double = WireDouble()
    double.batch.slow_datasets(None)  # never READY
    state_path = tmp_path / "s.json"
    runner = _runner(  # poll_interval=0 (as offline notebooks use): still paced
        double, run_id="never", poll_interval=0, dataset_timeout=30, state_path=state_path
    )
    fake = _timed(runner)
    with pytest.raises(DatasetNotReadyError) as info:
        if use_async:
            asyncio.run(runner.arun(_bodies(2)))
        else:
            runner.run(_bodies(2))
    err = info.value
    assert (err.dataset_id, err.state) == ("fwb-never-in0", "UPLOADING") and err.waited >= 30
    assert isinstance(err, APITimeoutError) and "no job was created" in str(err)
    assert fake.now < 40  # gave up at the bound, not later
    assert fake.sleeps and set(fake.sleeps) == {0.5}  # paced, not a busy loop
    assert double.count("/batchInferenceJobs") == 0 and double.batch.jobs == {}
    # once the dataset is ready, the same state file carries on
    double.batch.slow_datasets(0)
    again = _runner(double, state_path=state_path, poll_interval=1)
    _timed(again)
    assert all(r.ok for r in again.run(_bodies(2)))


def test_dataset_timeout_is_checked() -> None:
    with pytest.raises(ConfigurationError, match="dataset_timeout"):
        _runner(WireDouble(), dataset_timeout=-1)
    assert DEFAULT_DATASET_TIMEOUT == _runner(WireDouble()).dataset_timeout == 600
