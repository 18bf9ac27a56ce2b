"""Pure pieces of the Fireworks Batch API: input lines, splitting, job states, output rows.

Nothing here does I/O. The shapes are in ``docs/wire.md`` §7 with their sources; in
short:

* an input line is ``{"custom_id": "<unique>", "body": {<chat request without model>}}``;
* a job's ``state`` is a ``JOB_STATE_*`` enum name; ``jobProgress`` counts requests and
  tokens;
* the output dataset holds ``BIJOutputSet.jsonl`` (``{"custom_id", "response":
  <chat.completion>}`` per line, in no particular order) and ``error-data`` (failed rows;
  its line shape is undocumented, so :func:`parse_output_line` reads every plausible one).

>>> line = build_line("q1", {"model": "m", "messages": [{"role": "user", "content": "hi"}]})
>>> line
b'{"custom_id":"q1","body":{"messages":[{"role":"user","content":"hi"}]}}\\n'
>>> job_phase("JOB_STATE_RUNNING"), job_phase("JOB_STATE_EXPIRED"), job_phase("NEW_STATE")
('running', 'expired', 'running')
>>> split_lines([b"a" * 4, b"b" * 4, b"c" * 4], max_bytes=8)
[[0, 1], [2]]
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from fw_core.errors import (
    APIError,
    APITimeoutError,
    ConfigurationError,
    FwError,
    make_status_error,
)

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "ERRORS_FILE",
    "RESULTS_FILE",
    "BatchInputError",
    "BatchJobError",
    "BatchRowError",
    "DatasetNotReadyError",
    "JobInfo",
    "JobProgress",
    "OutputRow",
    "Phase",
    "build_line",
    "job_phase",
    "parse_job",
    "parse_output_file",
    "parse_output_line",
    "split_lines",
]

#: Bytes per uploaded file. The one-request ``:upload`` endpoint takes files "up to 150Mb"
#: (API reference, Upload Dataset Files); the batch guide's dataset limit (500 MB, later
#: 1 GB) is higher, so the upload endpoint's limit is the one that binds.
DEFAULT_MAX_FILE_BYTES = 150 * 1000 * 1000
#: The output dataset's file names (seen live by third parties; the docs only say
#: "a results file" and "an error file").
RESULTS_FILE = "BIJOutputSet.jsonl"
ERRORS_FILE = "error-data"

#: What a job state means to a caller.
Phase = Literal["running", "completed", "failed", "expired", "cancelled"]

_TERMINAL: dict[str, Phase] = {
    "JOB_STATE_COMPLETED": "completed",
    "JOB_STATE_FAILED": "failed",
    "JOB_STATE_EXPIRED": "expired",
    "JOB_STATE_EARLY_STOPPED": "expired",
    "JOB_STATE_CANCELLED": "cancelled",
    "JOB_STATE_CANCELLING": "cancelled",
    "JOB_STATE_DELETING": "cancelled",
    "JOB_STATE_DELETING_CLEANING_UP": "cancelled",
    "JOB_STATE_DELETED": "cancelled",
    "JOB_STATE_ARCHIVED": "cancelled",
}


class BatchInputError(ConfigurationError):
    """The batch input is unusable (empty, duplicate ids, too large, a model whose catalog
    entry says it cannot run as a batch job).

    Raised before anything is uploaded.
    """


class BatchJobError(APIError):
    """The job ended FAILED, EXPIRED or CANCELLED (``state`` and ``job_name`` say which)."""

    def __init__(self, message: str, *, state: str, job_name: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.state = state
        self.job_name = job_name


class DatasetNotReadyError(APITimeoutError):
    """An uploaded input dataset did not become ``READY`` within the runner's
    ``dataset_timeout``; no job was created for it (``dataset_id``, ``state``, ``waited``).

    Resuming the run (same ``state_path``) waits for the same dataset again.
    """

    def __init__(self, message: str, *, dataset_id: str, state: str, waited: float) -> None:
        super().__init__(message)
        self.dataset_id = dataset_id
        self.state = state
        self.waited = waited


class BatchRowError(APIError):
    """One row failed (or has no result) without an HTTP status to type it by."""


def job_phase(state: str | None) -> Phase:
    """``"running"`` for every non-terminal state (including ones added later), else the
    terminal phase: completed, failed, expired (EXPIRED, EARLY_STOPPED) or cancelled."""
    return _TERMINAL.get(state or "", "running")


def _int(value: Any) -> int:
    """proto int32/int64 arrive as numbers or digit strings; anything else counts 0."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return 0


@dataclass(frozen=True, slots=True)
class JobProgress:
    """``jobProgress`` of one job, or the sum over several (see :meth:`plus`).

    ``total`` prefers the larger of ``totalInputRequests`` and the processed count: the
    server echoes the dataset's declared ``exampleCount`` into the first (seen live).

    Example:
        >>> p = JobProgress.parse({"percent": 50, "totalInputRequests": "4",
        ...                        "totalProcessedRequests": 2, "failedRequests": 1})
        >>> p.total, p.processed, p.failed, p.percent
        (4, 2, 1, 50)
    """

    percent: int = 0
    total: int = 0
    processed: int = 0
    succeeded: int = 0
    failed: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0

    @classmethod
    def parse(cls, raw: Any) -> JobProgress:
        if not isinstance(raw, Mapping):
            return cls()
        processed = _int(raw.get("totalProcessedRequests"))
        return cls(
            percent=_int(raw.get("percent")),
            total=max(_int(raw.get("totalInputRequests")), processed),
            processed=processed,
            succeeded=_int(raw.get("successfullyProcessedRequests")),
            failed=_int(raw.get("failedRequests")),
            input_tokens=_int(raw.get("inputTokens")),
            output_tokens=_int(raw.get("outputTokens")),
            cached_input_tokens=_int(raw.get("cachedInputTokenCount")),
        )

    def plus(self, other: JobProgress, expected: int = 0) -> JobProgress:
        """The sum of two progress reports; ``percent`` recomputed from the counts."""
        total = max(self.total + other.total, expected)
        processed = self.processed + other.processed
        return JobProgress(
            percent=min(100, processed * 100 // total) if total else 0,
            total=total,
            processed=processed,
            succeeded=self.succeeded + other.succeeded,
            failed=self.failed + other.failed,
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cached_input_tokens=self.cached_input_tokens + other.cached_input_tokens,
        )


@dataclass(frozen=True, slots=True)
class JobInfo:
    """A ``batchInferenceJob`` resource, the fields a runner needs plus ``raw``.

    Example:
        >>> job = parse_job({"name": "accounts/a/batchInferenceJobs/j1",
        ...                  "state": "JOB_STATE_FAILED",
        ...                  "status": {"code": "INVALID_ARGUMENT", "message": "bad role"}})
        >>> job.job_id, job.phase, job.status_message
        ('j1', 'failed', 'bad role')
    """

    name: str
    state: str
    phase: Phase
    model: str | None = None
    input_dataset_id: str | None = None
    output_dataset_id: str | None = None
    status_code: str | None = None
    status_message: str | None = None
    progress: JobProgress = field(default_factory=JobProgress)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def job_id(self) -> str:
        return self.name.rsplit("/", 1)[-1]


def parse_job(raw: Any) -> JobInfo:
    """A :class:`JobInfo` from a job resource; a body without ``name`` is not one."""
    from fw_core.errors import ResponseValidationError

    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
        raise ResponseValidationError(f"not a batch inference job: {raw!r:.200}")
    raw_state = raw.get("state")
    state = raw_state if isinstance(raw_state, str) else "JOB_STATE_UNSPECIFIED"
    raw_status = raw.get("status")
    status: Mapping[str, Any] = raw_status if isinstance(raw_status, Mapping) else {}
    return JobInfo(
        name=raw["name"],
        state=state,
        phase=job_phase(state),
        model=raw.get("model") or None,
        input_dataset_id=raw.get("inputDatasetId") or None,
        output_dataset_id=raw.get("outputDatasetId") or None,
        status_code=status.get("code") or None,
        status_message=status.get("message") or None,
        progress=JobProgress.parse(raw.get("jobProgress")),
        raw=dict(raw),
    )


# -- input ----------------------------------------------------------------------------------

_DROPPED_BODY_KEYS = ("model", "stream", "stream_options")


def build_line(custom_id: str, body: Mapping[str, Any]) -> bytes:
    """One JSONL input line. ``model`` (set on the job), ``stream`` and ``stream_options``
    are left out of the body."""
    clean = {k: v for k, v in body.items() if k not in _DROPPED_BODY_KEYS}
    data = json.dumps(
        {"custom_id": custom_id, "body": clean}, ensure_ascii=False, separators=(",", ":")
    )
    return data.encode("utf-8") + b"\n"


def split_lines(lines: Sequence[bytes], *, max_bytes: int) -> list[list[int]]:
    """Indexes of ``lines`` grouped into files of at most ``max_bytes`` each, in order.

    Raises BatchInputError when one line alone is larger than ``max_bytes``.
    """
    if max_bytes < 1:
        raise BatchInputError(f"max_file_bytes must be >= 1, got {max_bytes}")
    groups: list[list[int]] = []
    size = 0
    for i, line in enumerate(lines):
        n = len(line)
        if n > max_bytes:
            raise BatchInputError(
                f"row {i} is {n} bytes as a JSONL line, over the {max_bytes}-byte file limit; "
                "no split can carry it"
            )
        if not groups or size + n > max_bytes:
            groups.append([])
            size = 0
        groups[-1].append(i)
        size += n
    return groups


# -- output ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutputRow:
    """One parsed output line: a chat completion dict, or an error."""

    custom_id: str | None
    response: dict[str, Any] | None = None
    error: FwError | None = None


def _row_error(custom_id: str | None, status: Any, error: Any) -> FwError:
    body = json.dumps({"error": error} if not isinstance(error, Mapping) else error)
    status_code = status if isinstance(status, int) and not isinstance(status, bool) else None
    if status_code is None and isinstance(error, Mapping):
        inner = error.get("error") if isinstance(error.get("error"), Mapping) else error
        for key in ("status_code", "status", "code"):
            value = inner.get(key) if isinstance(inner, Mapping) else None
            if isinstance(value, int) and not isinstance(value, bool) and 400 <= value < 600:
                status_code = value
                break
    err: FwError
    if status_code is not None and status_code >= 400:
        err = make_status_error(status_code, body)
    else:
        from fw_core.errors import parse_error_body

        info = parse_error_body(body)
        err = BatchRowError(info.message, code=info.code, body=body)
    setattr(err, "custom_id", custom_id)  # noqa: B010 - what the row was, for callers
    if custom_id is not None:
        err.add_note(f"batch row custom_id={custom_id!r}")
    return err


def parse_output_line(raw: Any) -> OutputRow:
    """One output or error-file line, in any of the shapes it may take.

    * ``{"custom_id", "response": <chat.completion>}`` (results file, seen live);
    * ``{"custom_id", "response": {"status_code", "body"}}`` (OpenAI's batch shape);
    * ``{"custom_id", "error": ..., "status_code"?}`` (error file; undocumented).

    >>> row = parse_output_line({"custom_id": "a", "error": {"message": "no", "code": 400}})
    >>> row.custom_id, type(row.error).__name__, row.error.message
    ('a', 'BadRequestError', 'no')
    """
    if not isinstance(raw, Mapping):
        return OutputRow(None, error=BatchRowError(f"output line is not an object: {raw!r:.80}"))
    cid = raw.get("custom_id") if isinstance(raw.get("custom_id"), str) else None
    response = raw.get("response")
    if isinstance(response, Mapping) and "choices" in response:
        return OutputRow(cid, response=dict(response))
    if isinstance(response, Mapping) and "status_code" in response:
        status, body = response.get("status_code"), response.get("body")
        if isinstance(status, int) and status < 300 and isinstance(body, Mapping):
            return OutputRow(cid, response=dict(body))
        return OutputRow(cid, error=_row_error(cid, status, body))
    if "error" in raw and raw.get("error") is not None:
        return OutputRow(cid, error=_row_error(cid, raw.get("status_code"), raw["error"]))
    return OutputRow(cid, error=_row_error(cid, None, {"message": "output line has no result"}))


def parse_output_file(content: bytes) -> list[OutputRow]:
    """Every non-blank line of an output file; a line that is not JSON becomes an error row."""
    rows: list[OutputRow] = []
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except ValueError:
            rows.append(OutputRow(None, error=BatchRowError(f"output line {number} is not JSON")))
            continue
        rows.append(parse_output_line(raw))
    return rows
