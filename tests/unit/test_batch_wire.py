"""fw_core.endpoints.batch.lines and .state: input lines, splitting, job states, output rows,
state file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fw_core.endpoints.batch import (
    BatchInputError,
    BatchRowError,
    BatchState,
    JobProgress,
    PartState,
)
from fw_core.endpoints.batch.lines import (
    build_line,
    job_phase,
    parse_job,
    parse_output_file,
    parse_output_line,
    split_lines,
)
from fw_core.errors import BadRequestError, InternalServerError, ResponseValidationError


def test_build_line_drops_job_level_keys() -> None:
    body = {"model": "m", "stream": True, "stream_options": {}, "messages": [], "max_tokens": 5}
    line = build_line("é-1", body)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == {"custom_id": "é-1", "body": {"messages": [], "max_tokens": 5}}


def test_split_lines_packs_in_order_and_refuses_an_oversized_line() -> None:
    lines = [b"x" * n for n in (3, 3, 3, 5, 1)]
    assert split_lines(lines, max_bytes=6) == [[0, 1], [2], [3, 4]]
    assert split_lines(lines, max_bytes=100) == [[0, 1, 2, 3, 4]]
    with pytest.raises(BatchInputError, match="row 3 is 5 bytes"):
        split_lines(lines, max_bytes=4)


@pytest.mark.parametrize(
    ("state", "phase"),
    [
        ("JOB_STATE_VALIDATING", "running"),
        ("JOB_STATE_PENDING", "running"),
        ("JOB_STATE_WRITING_RESULTS", "running"),
        ("JOB_STATE_COMPLETED", "completed"),
        ("JOB_STATE_FAILED", "failed"),
        ("JOB_STATE_EXPIRED", "expired"),
        ("JOB_STATE_CANCELLED", "cancelled"),
        ("JOB_STATE_DELETING_CLEANING_UP", "cancelled"),
        (None, "running"),
    ],
)
def test_job_phase(state: str | None, phase: str) -> None:
    assert job_phase(state) == phase


def test_parse_job_and_progress() -> None:
    job = parse_job(
        {
            "name": "accounts/a/batchInferenceJobs/j",
            "state": "JOB_STATE_RUNNING",
            "outputDatasetId": "accounts/a/datasets/o",
            "jobProgress": {
                "percent": 100,
                "totalInputRequests": 1,
                "totalProcessedRequests": 3,
                "successfullyProcessedRequests": 3,
                "inputTokens": "126",
            },
        }
    )
    assert (job.job_id, job.phase, job.output_dataset_id) == (
        "j",
        "running",
        "accounts/a/datasets/o",
    )
    # the declared exampleCount echoes into totalInputRequests; processed wins when larger
    assert (job.progress.total, job.progress.processed, job.progress.input_tokens) == (3, 3, 126)
    assert JobProgress.parse(None) == JobProgress()
    summed = job.progress.plus(JobProgress(total=1), expected=10)
    assert (summed.total, summed.percent) == (10, 30)
    with pytest.raises(ResponseValidationError):
        parse_job({"state": "JOB_STATE_RUNNING"})


def test_parse_output_lines_in_every_shape() -> None:
    ok = parse_output_line({"custom_id": "a", "response": {"choices": [], "id": "c"}})
    assert ok.response == {"choices": [], "id": "c"} and ok.error is None
    wrapped = parse_output_line(
        {"custom_id": "b", "response": {"status_code": 200, "body": {"choices": []}}}
    )
    assert wrapped.response == {"choices": []}
    refused = parse_output_line(
        {"custom_id": "c", "response": {"status_code": 400, "body": {"error": {"message": "no"}}}}
    )
    assert isinstance(refused.error, BadRequestError) and refused.error.message == "no"
    assert refused.error.custom_id == "c"  # type: ignore[attr-defined]
    server = parse_output_line({"custom_id": "d", "status_code": 500, "error": {"message": "x"}})
    assert isinstance(server.error, InternalServerError)
    untyped = parse_output_line({"custom_id": "e", "error": "quota"})
    assert isinstance(untyped.error, BatchRowError) and untyped.error.message == "quota"
    empty = parse_output_line({"custom_id": "f"})
    assert isinstance(empty.error, BatchRowError)


def test_parse_output_file_skips_blanks_and_keeps_bad_lines_as_errors() -> None:
    content = b'{"custom_id":"a","response":{"choices":[]}}\n\n{not json\n'
    rows = parse_output_file(content)
    assert [r.custom_id for r in rows] == ["a", None]
    assert isinstance(rows[1].error, BatchRowError)


def test_state_file_round_trip_and_garbage(tmp_path: Path) -> None:
    state = BatchState(
        "acme", "accounts/fireworks/models/m", ["a"], [PartState("j", "i", "o", [0])]
    )
    path = tmp_path / "run.json"
    state.save(path)
    assert BatchState.load(path) == state
    assert list(tmp_path.iterdir()) == [path]  # no temp file left behind
    path.write_text("{}")
    with pytest.raises(BatchInputError, match="not a batch state file"):
        BatchState.load(path)
