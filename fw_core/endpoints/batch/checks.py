"""Before and after a batch run: input checks, the model check, matching rows to inputs.

Pure functions (no I/O), used by :class:`~fw_core.endpoints.batch.BatchRunner`.

>>> p = prepare([{"messages": [{"role": "user", "content": "hi"}]}], None, model="m")
>>> p.ids, len(p.groups)
(['row-0'], 1)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fw_core.endpoints import chat as fw_chat
from fw_core.endpoints.batch.lines import (
    DEFAULT_MAX_FILE_BYTES,
    BatchInputError,
    BatchJobError,
    BatchRowError,
    JobInfo,
    JobProgress,
    OutputRow,
    build_line,
    parse_output_file,
    split_lines,
)
from fw_core.endpoints.batch.state import BatchState
from fw_core.endpoints.models import ModelInfo, catalog_name
from fw_core.errors import ConfigurationError, FwError, ModelNotFoundError
from fw_core.providers import FIREWORKS
from fw_core.wire import ChatCompletion

__all__ = [
    "BatchProgress",
    "BatchResult",
    "batch_support",
    "collect_rows",
    "deleted_job",
    "match_results",
    "model_refusal",
    "prepare",
    "raise_if_failed",
    "summed_progress",
]


def batch_support(info: ModelInfo) -> bool | None:
    """An explicit batch flag in the catalog entry: True, False, or None (not stated).

    It is :attr:`ModelInfo.supports_batch <fw_core.endpoints.models.ModelInfo>`, parsed from
    ``batchInferenceSupported`` or ``batch_inference_supported`` (the guide's spelling, as
    ``firectl get model`` prints it). The REST ``Model`` resource has no such field
    (docs/wire.md §7.6), so it is nearly always None, which is not a refusal.

    >>> batch_support(ModelInfo(id="m", provider="fireworks", supports_batch=True))
    True
    """
    return info.supports_batch


@dataclass(frozen=True, slots=True)
class BatchProgress:
    """One poll: every job's latest state and the summed ``jobProgress``."""

    jobs: tuple[JobInfo, ...]
    progress: JobProgress

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(j.state for j in self.jobs)

    @property
    def done(self) -> bool:
        return all(j.phase != "running" for j in self.jobs)


@dataclass(slots=True)
class BatchResult:
    """One input row's outcome: a chat response, or the typed error it ended with."""

    custom_id: str
    index: int
    response: fw_chat.ChatResponse | None = None
    error: FwError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.response is not None

    def unwrap(self) -> fw_chat.ChatResponse:
        """The response, or raise the row's error."""
        if self.error is not None:
            raise self.error
        assert self.response is not None
        return self.response


@dataclass
class _Prepared:
    ids: list[str]
    lines: list[bytes]
    groups: list[list[int]] = field(default_factory=list)


def _check_ids(ids: Sequence[str]) -> None:
    seen: set[str] = set()
    for i, cid in enumerate(ids):
        if not isinstance(cid, str) or not cid:
            raise BatchInputError(f"custom id {i} must be a non-empty string, got {cid!r}")
        if cid in seen:
            raise BatchInputError(f"custom id {cid!r} appears more than once; ids must be unique")
        seen.add(cid)


def prepare(
    bodies: Sequence[Mapping[str, Any]],
    ids: Sequence[str] | None,
    *,
    model: str,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> _Prepared:
    """Validate the input and lay it out in files; raises BatchInputError, uploads nothing."""
    if isinstance(bodies, Mapping) or not isinstance(bodies, Sequence) or not bodies:
        raise BatchInputError("a batch needs at least one request")
    if ids is None:
        width = len(str(len(bodies) - 1))
        ids = [f"row-{i:0{width}d}" for i in range(len(bodies))]
    elif isinstance(ids, str) or len(ids) != len(bodies):
        raise BatchInputError("ids must be a list with one id per request")
    ids = list(ids)
    _check_ids(ids)
    lines = []
    for i, body in enumerate(bodies):
        if not isinstance(body, Mapping):
            raise BatchInputError(f"request {i} is not a dict: {body!r:.80}")
        own = body.get("model")
        if own and own != model:
            raise BatchInputError(
                f"request {i} is for model {own!r}; a batch job runs one model ({model!r})"
            )
        try:
            fw_chat.check_request(FIREWORKS, {**body, "model": model})
        except ConfigurationError as exc:
            raise BatchInputError(f"request {ids[i]!r}: {exc}") from exc
        lines.append(build_line(ids[i], body))
    return _Prepared(ids, lines, split_lines(lines, max_bytes=max_file_bytes))


def model_refusal(
    model: str, info: ModelInfo | None
) -> BatchInputError | ModelNotFoundError | None:
    """Why ``model`` must not be submitted, on evidence only (docs/wire.md §7.6); else None.

    * an ``accounts/<a>/models/<m>`` id missing from account ``a``'s catalog: the catalog's
      "not found", a :class:`~fw_core.errors.ModelNotFoundError` naming the model;
    * an entry that says so explicitly (a batch flag that is ``false``):
      :class:`BatchInputError`.

    A field that is absent is no evidence: the real ``Model`` resource has no batch flag, so
    such a model is submitted and a job that cannot run fails with the server's message. A
    deployment or router id has no catalog entry to look at and is submitted too.

    >>> model_refusal("accounts/fireworks/models/m", ModelInfo(id="m", provider="fireworks"))
    >>> type(model_refusal("accounts/fireworks/models/gone", None)).__name__
    'ModelNotFoundError'
    >>> model_refusal("accounts/acme/deployments/d1", None) is None
    True
    """
    if info is None:
        target = catalog_name(model)
        if target is None:
            return None
        return ModelNotFoundError.naming(
            model,
            f"the catalog of account {target[0]!r} has no entry for it",
            param="model",
        )
    if batch_support(info) is False:
        return BatchInputError(
            f"{model!r} cannot run as a batch job: its catalog entry says so "
            "(batch_inference_supported: false)"
        )
    return None


def deleted_job(account_id: str, job_id: str) -> JobInfo:
    """What a job this run created, and the API now answers 404 for, is: deleted, which is
    how the API cancels (docs/wire.md §7.3). Its phase is ``cancelled``.

    >>> deleted_job("acme", "j1").phase
    'cancelled'
    """
    return JobInfo(
        name=f"accounts/{account_id}/batchInferenceJobs/{job_id}",
        state="JOB_STATE_DELETED",
        phase="cancelled",
        status_message=(
            "the job was cancelled (deleted; the API answers 404 for it); "
            "resume(..., resubmit=True) submits it again"
        ),
    )


def match_results(
    state: BatchState, rows: Mapping[str, OutputRow], jobs: Mapping[str, JobInfo]
) -> list[BatchResult]:
    out = []
    owner = {i: p for p in state.parts for i in p.indexes}
    for index, cid in enumerate(state.custom_ids):
        row = rows.get(cid)
        result = BatchResult(cid, index)
        if row is not None and row.error is not None:
            result.error = row.error
        elif row is not None and row.response is not None:
            try:
                completion = ChatCompletion.model_validate(row.response)
                result.response = fw_chat.ChatResponse(completion, {}, completion.id or None)
            except ValueError as exc:
                result.error = BatchRowError(f"row {cid!r}: unusable completion: {exc}")
        else:
            job = jobs.get(owner[index].job_id)
            where = f" (job ended {job.state})" if job is not None else ""
            missing = BatchRowError(f"the job produced no result for row {cid!r}{where}")
            setattr(missing, "custom_id", cid)  # noqa: B010 - same attribute as wire rows
            result.error = missing
        out.append(result)
    return out


def collect_rows(rows: dict[str, OutputRow], content: bytes) -> None:
    for row in parse_output_file(content):
        if row.custom_id is None:
            continue
        # a success wins over an error line for the same id (e.g. a retried row)
        if row.custom_id not in rows or rows[row.custom_id].response is None:
            rows[row.custom_id] = row


def raise_if_failed(jobs: Sequence[JobInfo]) -> None:
    for job in jobs:
        if job.phase in ("failed", "cancelled"):
            why = f": {job.status_message}" if job.status_message else ""
            raise BatchJobError(
                f"batch job {job.name} ended {job.state}{why}",
                state=job.state,
                job_name=job.name,
                code=job.status_code,
            )


def summed_progress(jobs: Sequence[JobInfo], state: BatchState) -> JobProgress:
    total = JobProgress()
    for job in jobs:
        total = total.plus(job.progress)
    return total.plus(JobProgress(), expected=len(state.custom_ids))
