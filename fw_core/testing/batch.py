"""The Batch API control plane in the double: datasets, batch inference jobs, output files.

Serves ``/v1/accounts/{account}/datasets...`` and ``.../batchInferenceJobs...`` (routed
here by :class:`~fw_core.testing.WireDouble`), and the signed output URLs on
``storage.googleapis.com``. Shapes follow ``docs/wire.md`` §7: the reference pages plus
third-party live captures (``exampleCount`` required, ``BIJOutputSet.jsonl`` and
``error-data``, ``DELETE`` as cancel, gRPC-style ``{code, message, details}`` errors).

A job moves ``VALIDATING -> PENDING -> RUNNING -> COMPLETED``, one step per poll (GET of
the job) by default, or one step per ``seconds_per_step`` of wall time, or when a test
calls :meth:`BatchControlPlane.advance`. While RUNNING, each step answers
``rows_per_step`` more rows (default: half the rows), so ``jobProgress`` climbs. Each row
is answered by the same chat endpoint as ``/chat/completions`` (same validation, same
deterministic reply); a row the chat endpoint refuses, or one named in
:meth:`~BatchControlPlane.fail_row`, goes to ``error-data``. A job for a model that cannot
run as a batch job (an embedding or reranker row of the catalog, or a model the catalog
does not list: :func:`~fw_core.testing.catalog.batch_capable`) ends FAILED when it would
start, ``status`` ``{"code": "FAILED_PRECONDITION", "message": "Model <id> does not
support batch inference"}`` (our choice of words: no live capture shows this failure); a
dataset row that is not valid chat input fails the whole job at validation, as seen live.

The ``error-data`` line shape is undocumented; the double writes
``{"custom_id", "status_code", "error": {message, code, ...}}``.

Example:
    >>> import httpx
    >>> from fw_core.testing import WireDouble
    >>> double = WireDouble()
    >>> http = httpx.Client(transport=double.transport(),
    ...                     headers={"Authorization": "Bearer test"})
    >>> base = "https://api.fireworks.ai/v1/accounts/acme"
    >>> http.post(f"{base}/datasets", json={"datasetId": "in-1",
    ...           "dataset": {"userUploaded": {}, "exampleCount": "1"}}).json()["state"]
    'UPLOADING'
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fw_core.testing import catalog, generate
from fw_core.testing.multipart import MultipartError, is_multipart, parse_multipart
from fw_core.testing.outcome import Outcome

__all__ = ["STORAGE_HOST", "BatchControlPlane"]

STORAGE_HOST = "storage.googleapis.com"
_RESULTS, _ERRORS = "BIJOutputSet.jsonl", "error-data"
_STEPS = ("JOB_STATE_VALIDATING", "JOB_STATE_PENDING", "JOB_STATE_RUNNING")
_ROLES = ("system", "user", "assistant", "tool")
_TIME = "2025-01-01T00:00:00Z"
# gRPC code numbers for the {code, message, details} error body
_GRPC = {400: 3, 404: 5, 409: 6, 412: 9}

#: Answers one chat body (model included) with the chat endpoint: (status, JSON body).
ChatFn = Callable[[dict[str, Any], str], tuple[int, Any]]


def _error(status: int, message: str, request_id: str) -> Outcome:
    payload = {"code": _GRPC.get(status, 2), "message": message, "details": []}
    return Outcome.json(status, payload, [("x-request-id", request_id)])


@dataclass
class _Dataset:
    account: str
    dataset_id: str
    example_count: str
    state: str = "UPLOADING"
    files: dict[str, bytes] = field(default_factory=dict)
    polls_to_ready: int | None = 0  # GETs after the upload until READY (None: never)

    @property
    def name(self) -> str:
        return f"accounts/{self.account}/datasets/{self.dataset_id}"

    def resource(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "displayName": "",
            "createTime": _TIME,
            "updateTime": _TIME,
            "state": self.state,
            "status": {"code": "OK", "message": ""},
            "exampleCount": self.example_count,
            "userUploaded": {},
            "format": "FORMAT_UNSPECIFIED",
        }


@dataclass
class _Job:
    account: str
    job_id: str
    model: str
    input_dataset: _Dataset
    output_dataset_id: str
    parameters: dict[str, Any]
    continued_from: str = ""
    display_name: str = ""
    step: int = 0  # index into _STEPS while not terminal
    state: str = "JOB_STATE_VALIDATING"
    status: tuple[str, str] = ("OK", "")
    rows: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    done: int = 0
    results: list[bytes] = field(default_factory=list)
    errors: list[bytes] = field(default_factory=list)
    tokens: list[int] = field(default_factory=lambda: [0, 0, 0])  # in, out, cached
    failed: int = 0
    stepped_at: float = 0.0
    output: _Dataset | None = None
    deleted: bool = False  # DELETE was called; shown once as DELETING_CLEANING_UP, then gone

    @property
    def name(self) -> str:
        return f"accounts/{self.account}/batchInferenceJobs/{self.job_id}"

    def resource(self) -> dict[str, Any]:
        n = len(self.rows)
        progress = None
        if self.state != "JOB_STATE_VALIDATING":
            progress = {
                "percent": self.done * 100 // n if n else 0,
                "epoch": 0,
                "totalInputRequests": n,
                "totalProcessedRequests": self.done,
                "successfullyProcessedRequests": self.done - self.failed,
                "failedRequests": self.failed,
                "outputRows": self.done - self.failed,
                "inputTokens": self.tokens[0],
                "outputTokens": self.tokens[1],
                "cachedInputTokenCount": self.tokens[2],
            }
        return {
            "name": self.name,
            "displayName": self.display_name,
            "createTime": _TIME,
            "updateTime": _TIME,
            "createdBy": "user@example.com",
            "state": self.state,
            "status": {"code": self.status[0], "message": self.status[1]},
            "model": self.model,
            "inputDatasetId": self.input_dataset.name,
            "outputDatasetId": f"accounts/{self.account}/datasets/{self.output_dataset_id}",
            "inferenceParameters": {"extraBody": "{}", **self.parameters},
            "precision": "BF16",
            "jobProgress": progress,
            "continuedFromJobName": self.continued_from,
        }


def _request_body(job: _Job, body: dict[str, Any]) -> dict[str, Any]:
    """The chat body a row runs as: the row's fields win over the job's parameters."""
    out = {k: v for k, v in body.items() if k not in ("stream", "stream_options")}
    p = job.parameters
    for wire, name in (
        ("max_tokens", "maxTokens"),
        ("temperature", "temperature"),
        ("top_p", "topP"),
        ("top_k", "topK"),
        ("n", "n"),
    ):
        if name in p and wire not in out:
            out[wire] = p[name]
    try:
        extra = json.loads(p.get("extraBody") or "{}")
    except ValueError:
        extra = {}
    for key, value in (extra if isinstance(extra, dict) else {}).items():
        out.setdefault(key, value)
    out["model"] = job.model
    return out


def _dataset_rows(ds: _Dataset) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
    """The rows of a dataset, or a validation message like the real one."""
    rows: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for fname, content in sorted(ds.files.items()):
        for number, line in enumerate(content.splitlines(), 1):
            if not line.strip():
                continue
            where = f"{fname}:{number}"
            try:
                raw = json.loads(line)
            except ValueError:
                return [], f"Dataset has a syntax error: invalid JSON on {where}"
            cid, body = raw.get("custom_id"), raw.get("body")
            if not isinstance(cid, str) or not isinstance(body, dict):
                return [], f"Dataset has a syntax error: {where} needs custom_id and body"
            if cid in seen:
                return [], f"Dataset has a syntax error: duplicate custom_id {cid!r} on {where}"
            for i, msg in enumerate(body.get("messages") or [], 1):
                role = msg.get("role") if isinstance(msg, dict) else None
                if role not in _ROLES:
                    return [], (
                        f"Dataset has a syntax error: chat dataset validation failed on "
                        f"{where}: invalid role {role} in message {i}, must be 'system', "
                        "'user', 'assistant' or 'tool'"
                    )
            seen.add(cid)
            rows.append((cid, body))
    return rows, None


class BatchControlPlane:
    """Datasets and batch jobs for the double (one per :class:`WireDouble`).

    Args:
        chat: answers one chat body with the double's chat endpoint.
        seconds_per_step: advance jobs by wall time instead of per poll.
        rows_per_step: rows answered per RUNNING step (default: half of them).

    Test hooks: :meth:`hold` (freeze every job), :meth:`advance`, :meth:`fail_row`,
    :meth:`fail_job`, :meth:`job`, :meth:`slow_datasets`.

    A ``DELETE`` of a job (the API's cancel) answers ``{}``; the next GET shows
    ``JOB_STATE_DELETING_CLEANING_UP`` and every later one answers 404, the job removed,
    as seen live (docs/wire.md §7.3).
    """

    def __init__(
        self,
        chat: ChatFn,
        *,
        seconds_per_step: float | None = None,
        rows_per_step: int | None = None,
    ) -> None:
        self._chat = chat
        self.seconds_per_step = seconds_per_step
        self.rows_per_step = rows_per_step
        self.held = False
        self.datasets: dict[tuple[str, str], _Dataset] = {}
        self.jobs: dict[tuple[str, str], _Job] = {}
        self._row_faults: dict[str, tuple[int, str]] = {}
        self.dataset_polls: int | None = 0
        self._lock = threading.RLock()
        self._clock: Callable[[], float] = time.monotonic

    # -- test hooks ----------------------------------------------------------------------

    def clear(self) -> None:
        with self._lock:
            self.datasets.clear()
            self.jobs.clear()
            self._row_faults.clear()
            self.held = False
            self.dataset_polls = 0

    def slow_datasets(self, polls: int | None) -> None:
        """Keep each uploaded dataset ``UPLOADING`` for ``polls`` GETs (None: for ever)."""
        self.dataset_polls = polls

    def hold(self, held: bool = True) -> None:
        """Freeze (or unfreeze) every job where it is: polls stop advancing them."""
        self.held = held

    def fail_row(self, custom_id: str, status: int = 500, message: str = "") -> None:
        """Make the row with this ``custom_id`` fail (in any job) with ``status``."""
        self._row_faults[custom_id] = (status, message or f"the double failed row {custom_id}")

    def fail_job(self, job_id: str, message: str = "the double failed this job") -> None:
        """End a job FAILED with ``status.message`` = ``message``."""
        with self._lock:
            job = self._find_job(job_id)
            job.state, job.status = "JOB_STATE_FAILED", ("INTERNAL", message)

    def job(self, job_id: str) -> dict[str, Any]:
        """The job resource as a GET would show it (without advancing it)."""
        return self._find_job(job_id).resource()

    def advance(self, job_id: str | None = None, to: str = "JOB_STATE_COMPLETED") -> None:
        """Step a job (or every job) until it reaches ``to`` or a terminal state."""
        with self._lock:
            for job in [self._find_job(job_id)] if job_id else list(self.jobs.values()):
                for _ in range(10_000):
                    if job.state == to or job.state not in _STEPS:
                        break
                    self._step(job, force=True)

    def _find_job(self, job_id: str) -> _Job:
        for (_, jid), job in self.jobs.items():
            if jid == job_id.rsplit("/", 1)[-1]:
                return job
        raise KeyError(job_id)

    # -- the state machine ---------------------------------------------------------------

    def _due(self, job: _Job) -> bool:
        if self.held:
            return False
        if self.seconds_per_step is None:
            return True
        return self._clock() - job.stepped_at >= self.seconds_per_step

    def _step(self, job: _Job, force: bool = False) -> None:
        if job.state not in _STEPS or (not force and not self._due(job)):
            return
        job.stepped_at = self._clock()
        if job.state == "JOB_STATE_VALIDATING":
            rows, problem = _dataset_rows(job.input_dataset)
            if problem:
                job.state, job.status = "JOB_STATE_FAILED", ("INVALID_ARGUMENT", problem)
                return
            job.rows, job.state = rows, "JOB_STATE_PENDING"
        elif job.state == "JOB_STATE_PENDING":
            if not catalog.batch_capable(job.model):  # docs/wire.md §7.9: fails, with why
                message = f"Model {job.model} does not support batch inference"
                job.state, job.status = "JOB_STATE_FAILED", ("FAILED_PRECONDITION", message)
                return
            job.state = "JOB_STATE_RUNNING"
            job.output = _Dataset(job.account, job.output_dataset_id, "0", "READY")
            self.datasets[(job.account, job.output_dataset_id)] = job.output
        else:
            per = self.rows_per_step or max(1, math.ceil(len(job.rows) / 2))
            for cid, body in job.rows[job.done : job.done + per]:
                self._answer(job, cid, body)
                job.done += 1
            if job.done >= len(job.rows):
                job.state = "JOB_STATE_COMPLETED"
        if job.output is not None:
            job.output.files = {_RESULTS: b"".join(job.results), _ERRORS: b"".join(job.errors)}
            job.output.example_count = str(len(job.results))

    def _answer(self, job: _Job, cid: str, body: dict[str, Any]) -> None:
        request = _request_body(job, body)
        fault = self._row_faults.get(cid)
        payload: Any
        if fault is not None:
            status, payload = fault[0], {"error": {"message": fault[1], "code": "INTERNAL"}}
        else:
            status, payload = self._chat(request, generate.hex_digest(job.job_id, cid))
        if status == 200 and isinstance(payload, dict):
            usage = payload.get("usage") or {}
            job.tokens[0] += int(usage.get("prompt_tokens") or 0)
            job.tokens[1] += int(usage.get("completion_tokens") or 0)
            cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
            job.tokens[2] += int(cached)
            line: Any = {"custom_id": cid, "response": payload}
            job.results.append(json.dumps(line, separators=(",", ":")).encode() + b"\n")
            return
        inner = payload.get("error") if isinstance(payload, dict) else None
        error = inner if isinstance(inner, dict) else {"message": str(payload)}
        line = {"custom_id": cid, "status_code": status, "error": error}
        job.errors.append(json.dumps(line, separators=(",", ":")).encode() + b"\n")
        job.failed += 1

    # -- HTTP ------------------------------------------------------------------------------

    def storage(self, path: str) -> Outcome:
        """GET of a signed output URL: ``/fireworks-artifacts-{account}/dataset/{id}/{file}``."""
        parts = path.strip("/").split("/")
        if (
            len(parts) == 4
            and parts[0].startswith("fireworks-artifacts-")
            and parts[1] == "dataset"
        ):
            account = parts[0][len("fireworks-artifacts-") :]
            ds = self.datasets.get((account, parts[2]))
            if ds is not None and parts[3] in ds.files:
                return Outcome(
                    200, [("content-type", "application/octet-stream")], [ds.files[parts[3]]]
                )
        return Outcome(
            404, [("content-type", "application/xml")], [b"<Error><Code>NoSuchKey</Code></Error>"]
        )

    def handle(
        self,
        method: str,
        account: str,
        rest: str,
        body: dict[str, Any],
        content: bytes,
        headers: dict[str, str],
        query: dict[str, list[str]],
        request_id: str,
    ) -> Outcome:
        """One control-plane request; ``rest`` is the path after ``/v1/accounts/{account}/``."""
        with self._lock:
            collection, _, tail = rest.partition("/")
            resource, _, verb = tail.partition(":")
            if collection == "datasets":
                return self._datasets(
                    method, account, resource, verb, body, content, headers, request_id
                )
            if collection == "batchInferenceJobs" and not verb:
                return self._jobs(method, account, resource, body, query, request_id)
            return _error(404, "Not Found", request_id)

    def _datasets(
        self,
        method: str,
        account: str,
        dataset_id: str,
        verb: str,
        body: dict[str, Any],
        content: bytes,
        headers: dict[str, str],
        rid: str,
    ) -> Outcome:
        hdrs = [("x-request-id", rid)]
        if not dataset_id:
            if method != "POST":
                return _error(404, "Not Found", rid)
            new_id = body.get("datasetId")
            raw_spec = body.get("dataset")
            spec: dict[str, Any] = raw_spec if isinstance(raw_spec, dict) else {}
            if not isinstance(new_id, str) or not new_id:
                return _error(400, "dataset_id is required", rid)
            if (account, new_id) in self.datasets:
                return _error(409, f"dataset {new_id} already exists", rid)
            count = spec.get("exampleCount", spec.get("example_count"))
            if "userUploaded" in spec and count in (None, "", "0", 0):
                return _error(400, "example_count is required for uploaded datasets", rid)
            ds = _Dataset(account, new_id, str(count or 0))
            self.datasets[(account, new_id)] = ds
            return Outcome.json(200, ds.resource(), hdrs)
        found = self.datasets.get((account, dataset_id))
        if found is None:
            return _error(404, "resource not found", rid)
        ds = found
        if verb == "" and method == "GET":
            if ds.state == "UPLOADING" and ds.files and ds.polls_to_ready is not None:
                ds.polls_to_ready -= 1
                if ds.polls_to_ready <= 0:
                    ds.state = "READY"
            return Outcome.json(200, ds.resource(), hdrs)
        if verb == "upload" and method == "POST":
            ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
            try:
                files = [p for p in parse_multipart(content, ctype) if p.is_file]
            except MultipartError as exc:
                return _error(400, f"bad multipart body: {exc}", rid)
            if not is_multipart(ctype) or len(files) != 1:
                return _error(400, "expected one multipart 'file' part", rid)
            part = files[0]
            ds.files[part.filename or "input.jsonl"] = part.value
            ds.polls_to_ready = self.dataset_polls
            if self.dataset_polls == 0:
                ds.state = "READY"
            return Outcome.json(
                200,
                {
                    "id": ds.name,
                    "object": "file",
                    "bytes": len(part.value),
                    "created_at": 1735689600,
                    "filename": part.filename,
                    "purpose": "dataset",
                },
                hdrs,
            )
        if verb == "getDownloadEndpoint" and method == "GET":
            if content:
                return _error(400, "a GET request must not have a body", rid)
            urls = {
                f"dataset/{dataset_id}/{fname}": (
                    f"https://{STORAGE_HOST}/fireworks-artifacts-{account}/dataset/"
                    f"{dataset_id}/{fname}?X-Goog-Expires=599&X-Goog-Signature=double"
                )
                for fname in sorted(ds.files)
            }
            return Outcome.json(200, {"filenameToSignedUrls": urls}, hdrs)
        return _error(404, "Not Found", rid)

    def _jobs(
        self,
        method: str,
        account: str,
        job_id: str,
        body: dict[str, Any],
        query: dict[str, list[str]],
        rid: str,
    ) -> Outcome:
        hdrs = [("x-request-id", rid)]
        if not job_id and method == "GET":
            jobs = [j for (a, _), j in sorted(self.jobs.items()) if a == account]
            payload = {
                "batchInferenceJobs": [j.resource() for j in jobs],
                "nextPageToken": "",
                "totalSize": len(jobs),
            }
            return Outcome.json(200, payload, hdrs)
        if not job_id and method == "POST":
            return self._create_job(account, body, query, rid)
        job = self.jobs.get((account, job_id))
        if job is None:
            return _error(404, "resource not found", rid)
        if method == "GET":
            if job.deleted:  # shown once while cleaning up, then removed
                del self.jobs[(account, job_id)]
            else:
                self._step(job)
            return Outcome.json(200, job.resource(), hdrs)
        if method == "DELETE":
            job.state, job.deleted = "JOB_STATE_DELETING_CLEANING_UP", True
            return Outcome.json(200, {}, hdrs)
        return _error(404, "Not Found", rid)

    def _create_job(
        self, account: str, body: dict[str, Any], query: dict[str, list[str]], rid: str
    ) -> Outcome:
        job_id = query.get("batchInferenceJobId", [""])[0] or f"bij-{rid[:8]}"
        if (account, job_id) in self.jobs:
            return _error(409, f"batch inference job {job_id} already exists", rid)
        model, source = body.get("model"), body.get("inputDatasetId")
        if not isinstance(model, str) or not model or not isinstance(source, str):
            return _error(400, "model and input_dataset_id are required", rid)
        ds = self.datasets.get((account, source.rsplit("/", 1)[-1]))
        if ds is None:
            return _error(404, f"dataset {source} not found", rid)
        if ds.state != "READY":
            return _error(400, f"dataset {source} is not READY", rid)
        out = str(body.get("outputDatasetId") or f"bij-{rid[9:17]}").rsplit("/", 1)[-1]
        if (account, out) in self.datasets:
            return _error(409, f"output dataset {out} already exists", rid)
        params = body.get("inferenceParameters")
        job = _Job(
            account,
            job_id,
            model,
            ds,
            out,
            dict(params) if isinstance(params, dict) else {},
            str(body.get("continuedFromJobName") or ""),
            str(body.get("displayName") or ""),
        )
        job.stepped_at = self._clock()
        self.jobs[(account, job_id)] = job
        return Outcome.json(200, job.resource(), [("x-request-id", rid)])
