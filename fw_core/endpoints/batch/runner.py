"""Run chat requests as one Fireworks batch job: check, upload, submit, poll, collect.

:class:`BatchRunner` takes chat request bodies (the dicts :func:`fw_core.endpoints.chat.create`
sends) and returns one :class:`BatchResult` per body, in input order. Before anything is
uploaded it refuses, with :class:`~fw_core.endpoints.batch.lines.BatchInputError`: an empty input,
ids that repeat, a body for another model, a row too large for one file. The model is
refused only on evidence (docs/wire.md §7.6): an ``accounts/<a>/models/<m>`` id that
account ``a``'s catalog does not list (:class:`~fw_core.errors.ModelNotFoundError` naming
it), or an entry that says explicitly it cannot batch. The real ``Model`` resource has no
batch flag, so an unstated one is no reason to refuse: the job is submitted, and a job
that cannot run ends FAILED with the server's message, raised as
:class:`~fw_core.endpoints.batch.lines.BatchJobError` carrying the job name. Input above
``max_file_bytes`` is split into several files, each its own dataset and job, all polled
together. After each upload the runner waits for the dataset to be ``READY`` (logging
progress) for at most ``dataset_timeout`` seconds, then raises
:class:`~.lines.DatasetNotReadyError`; it never creates a job on a dataset that
is not ready.

With ``state_path`` the run writes a small JSON file (:class:`~.state.BatchState`)
before it creates anything; running again with the same path picks up the same jobs
instead of submitting new ones (:meth:`BatchRunner.resume` does it without the inputs
once the jobs exist). :meth:`BatchRunner.cancel` stops the jobs: the API deletes them and
then answers 404, and the state file records the cancellation, so resuming reports
the jobs cancelled (``BatchJobError``) rather than submitting them again; pass
``resubmit=True`` to :meth:`~BatchRunner.run` or :meth:`~BatchRunner.resume` to submit
them again, under new job ids.

Example:
    >>> import httpx
    >>> from fw_core import FIREWORKS, Client
    >>> from fw_core.testing import WireDouble
    >>> client = Client(FIREWORKS, api_key="example-key",
    ...                 http_client=httpx.Client(transport=WireDouble().transport()))
    >>> runner = BatchRunner(client, model="accounts/fireworks/models/gpt-oss-120b",
    ...                      account_id="acme", poll_interval=0)
    >>> results = runner.run([{"messages": [{"role": "user", "content": "Capital of France?"}]}])
    >>> results[0].ok, results[0].response.completion.choices[0].finish_reason
    (True, 'stop')
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fw_core.endpoints.batch import api
from fw_core.endpoints.batch.checks import (
    BatchProgress,
    BatchResult,
    _Prepared,
    collect_rows,
    deleted_job,
    match_results,
    model_refusal,
    prepare,
    raise_if_failed,
    summed_progress,
)
from fw_core.endpoints.batch.lines import (
    DEFAULT_MAX_FILE_BYTES,
    BatchInputError,
    DatasetNotReadyError,
    JobInfo,
    OutputRow,
)
from fw_core.endpoints.batch.state import BatchState, PartState
from fw_core.endpoints.models import DEFAULT_ACCOUNT, afind_model, default_account_id, find_model
from fw_core.errors import APIStatusError, APITimeoutError, ConfigurationError, NotFoundError
from fw_core.http.client import AsyncClient, Client

__all__ = ["DEFAULT_DATASET_TIMEOUT", "BatchRunner"]

logger = logging.getLogger("fw_core.endpoints.batch")

#: Seconds the runner waits for an uploaded dataset to become READY before it raises
#: DatasetNotReadyError (the API validates the file first; large files take longer).
DEFAULT_DATASET_TIMEOUT = 600.0
_MIN_DATASET_POLL = 0.5
_RESUBMITTED = re.compile(r"-r(\d+)$")


def _renewed(resource: str) -> str:
    """The id a resubmitted job (or its output dataset) takes: ``-r1``, ``-r2``, ...

    >>> _renewed("fwb-x-0"), _renewed("fwb-x-0-r1")
    ('fwb-x-0-r1', 'fwb-x-0-r2')
    """
    found = _RESUBMITTED.search(resource)
    if found is None:
        return api.resource_id(f"{resource}-r1", "job id")
    return api.resource_id(f"{resource[: found.start()]}-r{int(found.group(1)) + 1}", "job id")


def _existed(part: PartState) -> bool:
    """The job was created (or cancelled) by this run: a 404 for it now means deleted."""
    return part.created or part.cancelled


class BatchRunner:
    """Runs chat request bodies as Fireworks batch jobs (see the module doc).

    Args:
        client: the fw_core :class:`~fw_core.http.client.Client` (sync calls).
        model: ``accounts/<account>/models/<model>``; the job's one model.
        account_id: the account the datasets and jobs belong to (default
            ``FIREWORKS_ACCOUNT_ID``; the public ``fireworks`` account is refused).
        async_client: the :class:`~fw_core.http.client.AsyncClient` for the ``a*`` methods.
        inference_parameters: job-level defaults (``{"maxTokens": 256}``, camelCase).
        poll_interval: seconds between polls.
        timeout: give up waiting after this many seconds (APITimeoutError; the jobs go on).
        dataset_timeout: wait at most this many seconds for an uploaded dataset to be
            READY (default :data:`DEFAULT_DATASET_TIMEOUT`), then raise
            DatasetNotReadyError without creating its job.
        max_file_bytes: split the input into files of at most this many bytes.
        check_model: look the model up in its account's catalog first and refuse it on
            evidence only: not listed (ModelNotFoundError) or an explicit "cannot batch".
        on_progress: called with a :class:`BatchProgress` after every poll.
        state_path: where to keep the resume file (see :meth:`run`).
        run_id: a lower-case tag for the dataset and job ids (default random).
    """

    def __init__(
        self,
        client: Client | None = None,
        *,
        model: str,
        account_id: str | None = None,
        async_client: AsyncClient | None = None,
        inference_parameters: Mapping[str, Any] | None = None,
        poll_interval: float = 10.0,
        timeout: float | None = None,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        check_model: bool = True,
        dataset_timeout: float = DEFAULT_DATASET_TIMEOUT,
        on_progress: Callable[[BatchProgress], Any] | None = None,
        state_path: str | os.PathLike[str] | None = None,
        run_id: str | None = None,
        display_name: str | None = None,
    ) -> None:
        if client is None and async_client is None:
            raise ConfigurationError("BatchRunner needs a client or an async_client")
        if not isinstance(model, str) or not model:
            raise ConfigurationError("BatchRunner needs a model")
        account = default_account_id() if account_id is None else account_id
        if account == DEFAULT_ACCOUNT:
            raise ConfigurationError(
                "batch jobs run in your own account: pass account_id or set "
                "FIREWORKS_ACCOUNT_ID (not the public 'fireworks' catalog account)"
            )
        if poll_interval < 0 or (timeout is not None and timeout <= 0):
            raise ConfigurationError("poll_interval must be >= 0 and timeout > 0")
        if isinstance(dataset_timeout, bool) or not (
            isinstance(dataset_timeout, int | float) and dataset_timeout >= 0
        ):
            raise ConfigurationError(
                f"dataset_timeout must be seconds >= 0, got {dataset_timeout!r}"
            )
        self.client, self.async_client = client, async_client
        self.model, self.account_id = model, account
        self.inference_parameters = dict(inference_parameters or {})
        self.poll_interval, self.timeout = poll_interval, timeout
        self.max_file_bytes, self.check_model = max_file_bytes, check_model
        self.on_progress, self.display_name = on_progress, display_name
        self.state_path = state_path
        self.run_id = run_id
        self.dataset_timeout = float(dataset_timeout)
        # tests replace these to poll without sleeping
        self._sleep: Callable[[float], None] = time.sleep
        self._asleep: Callable[[float], Any] = asyncio.sleep
        self._clock: Callable[[], float] = time.monotonic

    # -- shared steps ----------------------------------------------------------------------

    def _sync(self) -> Client:
        if self.client is None:
            raise ConfigurationError("this runner has no sync client; use the a* methods")
        return self.client

    def _async(self) -> AsyncClient:
        if self.async_client is None:
            raise ConfigurationError("this runner has no async_client; use the sync methods")
        return self.async_client

    def _plan(self, prepared: _Prepared) -> BatchState:
        tag = self.run_id or uuid.uuid4().hex[:10]
        api.resource_id(f"fwb-{tag}-in0", "run_id")  # checks the tag early
        parts = [
            PartState(f"fwb-{tag}-{n}", f"fwb-{tag}-in{n}", f"fwb-{tag}-out{n}", group)
            for n, group in enumerate(prepared.groups)
        ]
        return BatchState(self.account_id, self.model, prepared.ids, parts)

    def _existing_state(
        self, bodies: Sequence[Mapping[str, Any]] | None, ids: Sequence[str] | None
    ) -> BatchState | None:
        if self.state_path is None or not os.path.exists(self.state_path):
            return None
        state = BatchState.load(self.state_path)
        if ids is not None and list(ids) != state.custom_ids:
            raise BatchInputError(f"{self.state_path} belongs to a run with other ids")
        if bodies is not None and len(bodies) != len(state.custom_ids):
            raise BatchInputError(f"{self.state_path} belongs to a run of another size")
        if state.account_id != self.account_id or state.model != self.model:
            raise BatchInputError(f"{self.state_path} belongs to another account or model")
        return state

    def _save(self, state: BatchState) -> None:
        if self.state_path is not None:
            state.save(self.state_path)

    def _job_body(self, part: PartState) -> dict[str, Any]:
        return api.job_body(
            self.account_id,
            model=self.model,
            input_dataset_id=part.input_dataset_id,
            output_dataset_id=part.output_dataset_id,
            inference_parameters=self.inference_parameters,
            display_name=self.display_name,
        )

    @staticmethod
    def _content(prepared: _Prepared | None, part: PartState) -> bytes:
        if prepared is None:
            raise BatchInputError(
                f"job {part.job_id} was never created and its input is not uploaded; "
                "resume with the same requests"
            )
        return b"".join(prepared.lines[i] for i in part.indexes)

    def _report(self, jobs: Sequence[JobInfo], state: BatchState) -> BatchProgress:
        report = BatchProgress(tuple(jobs), summed_progress(jobs, state))
        if self.on_progress is not None:
            self.on_progress(report)
        return report

    def _late(self, started: float) -> bool:
        return self.timeout is not None and self._clock() - started > self.timeout

    def _dataset_pause(self, dataset_id: str, state: str, started: float) -> float:
        """Seconds to sleep before the next dataset poll; raises past ``dataset_timeout``."""
        waited = self._clock() - started
        if waited >= self.dataset_timeout:
            raise DatasetNotReadyError(
                f"dataset {dataset_id} is still {state or 'not READY'} after {waited:.0f}s "
                f"(dataset_timeout={self.dataset_timeout:g}s); no job was created for it. "
                "Run again with the same state_path to keep waiting",
                dataset_id=dataset_id,
                state=state,
                waited=waited,
            )
        logger.info(
            "batch: dataset %s is %s after %.0fs; waiting for READY (up to %gs)",
            dataset_id,
            state or "not READY",
            waited,
            self.dataset_timeout,
        )
        # every poll_interval, at most 2 s and at least 0.5 s apart (never a busy loop)
        return max(min(self.poll_interval, 2.0), _MIN_DATASET_POLL)

    def _resubmit(self, state: BatchState, part: PartState) -> None:
        """New job and output ids for a job that was deleted; the input dataset is reused."""
        part.job_id = _renewed(part.job_id)
        part.output_dataset_id = _renewed(part.output_dataset_id)
        part.created = part.cancelled = False
        self._save(state)

    def _stays_deleted(self, state: BatchState, part: PartState, resubmit: bool) -> bool:
        """The part's job answered 404: True when it was deleted (cancelled) and stays so,
        since a cancelled job is never re-created silently; with ``resubmit`` it gets new
        ids here and False (create it again), as does a job this run never created."""
        if not _existed(part):
            return False
        if resubmit:
            self._resubmit(state, part)
        return not resubmit

    def _created(self, state: BatchState, part: PartState) -> None:
        part.created = True
        self._save(state)

    @staticmethod
    def _not_created(exc: APIStatusError, account: str, part: PartState) -> APIStatusError:
        """The server refused to create the job: say which one (``job_name``)."""
        name = f"accounts/{account}/batchInferenceJobs/{part.job_id}"
        exc.job_name = name  # type: ignore[attr-defined]
        exc.add_note(f"batch job {name} was not created")
        return exc

    # -- sync ------------------------------------------------------------------------------

    def _check_model_sync(self) -> None:
        if self.check_model:
            refusal = model_refusal(self.model, find_model(self._sync(), self.model))
            if refusal is not None:
                raise refusal

    def _ensure_part(
        self,
        state: BatchState,
        part: PartState,
        prepared: _Prepared | None,
        fresh: bool,
        resubmit: bool = False,
    ) -> None:
        client, account = self._sync(), self.account_id
        if not fresh:
            try:
                api.get_job(client, account, part.job_id)
                return
            except NotFoundError:
                if self._stays_deleted(state, part, resubmit):
                    return
        dataset: dict[str, Any] | None = None
        if not fresh:
            try:
                dataset = api.get_dataset(client, account, part.input_dataset_id)
            except NotFoundError:
                dataset = None
        if dataset is None:
            api.create_dataset(
                client, account, part.input_dataset_id, example_count=len(part.indexes)
            )
        if dataset is None or dataset.get("state") != "READY":
            api.upload_dataset(
                client, account, part.input_dataset_id, self._content(prepared, part)
            )
            started = self._clock()
            while True:
                ds_state = api.get_dataset(client, account, part.input_dataset_id).get("state")
                if ds_state == "READY":
                    break
                self._sleep(self._dataset_pause(part.input_dataset_id, str(ds_state), started))
        try:
            api.create_job(client, account, self._job_body(part), job_id=part.job_id)
        except APIStatusError as exc:
            raise self._not_created(exc, account, part) from None
        self._created(state, part)

    def _poll(self, client: Client, state: BatchState, part: PartState) -> JobInfo:
        try:
            return api.get_job(client, state.account_id, part.job_id)
        except NotFoundError:
            if not _existed(part):
                raise
            return deleted_job(state.account_id, part.job_id)

    def submit(
        self,
        bodies: Sequence[Mapping[str, Any]],
        ids: Sequence[str] | None = None,
        *,
        resubmit: bool = False,
    ) -> BatchState:
        """Validate, upload and create the jobs (or pick up ``state_path``'s); no waiting.

        ``resubmit=True``: jobs of the picked-up run that were cancelled are submitted again.
        """
        state = self._existing_state(bodies, ids)
        prepared = prepare(bodies, ids, model=self.model, max_file_bytes=self.max_file_bytes)
        fresh = state is None
        if state is None:
            self._check_model_sync()
            state = self._plan(prepared)
            self._save(state)
        for part in state.parts:
            self._ensure_part(state, part, prepared, fresh, resubmit)
        return state

    def collect(self, state: BatchState) -> list[BatchResult]:
        """Poll until every job ends, then download and match the rows (input order)."""
        client, started = self._sync(), self._clock()
        while True:
            jobs = [self._poll(client, state, p) for p in state.parts]
            if self._report(jobs, state).done:
                break
            if self._late(started):
                raise APITimeoutError(f"batch jobs still running after {self.timeout}s")
            self._sleep(self.poll_interval)
        raise_if_failed(jobs)
        rows: dict[str, OutputRow] = {}
        for part, job in zip(state.parts, jobs, strict=True):
            out = (job.output_dataset_id or part.output_dataset_id).rsplit("/", 1)[-1]
            results, errors = api.download_output(client, state.account_id, out)
            collect_rows(rows, results)
            collect_rows(rows, errors)
        return match_results(state, rows, {j.job_id: j for j in jobs})

    def run(
        self,
        bodies: Sequence[Mapping[str, Any]],
        ids: Sequence[str] | None = None,
        *,
        resubmit: bool = False,
    ) -> list[BatchResult]:
        """:meth:`submit` then :meth:`collect`. With ``state_path`` set and the file present,
        the run it describes is resumed instead of submitting again; a cancelled job then
        raises BatchJobError unless ``resubmit=True``."""
        return self.collect(self.submit(bodies, ids, resubmit=resubmit))

    def resume(
        self,
        state: BatchState | str | os.PathLike[str] | None = None,
        bodies: Sequence[Mapping[str, Any]] | None = None,
        *,
        resubmit: bool = False,
    ) -> list[BatchResult]:
        """Finish a run from its state (or ``state_path``); ``bodies`` are only needed if a
        job was never created.

        A job this run created that the API no longer has (it answers 404: cancelled, which
        deletes) is reported cancelled (BatchJobError), not created again; with
        ``resubmit=True`` it is submitted again under a new job id (``<id>-r1``, ...),
        on the input dataset already uploaded.
        """
        state, path = self._load(state)
        prepared = None
        if bodies is not None:
            prepared = prepare(
                bodies, state.custom_ids, model=self.model, max_file_bytes=self.max_file_bytes
            )
        with self._saving_to(path):
            for part in state.parts:
                self._ensure_part(state, part, prepared, False, resubmit)
        return self.collect(state)

    def cancel(self, state: BatchState | str | os.PathLike[str] | None = None) -> None:
        """Stop every job of the run (``DELETE``; jobs already gone are skipped) and record
        the cancellation in the state (and its file), so a resume does not resubmit."""
        state, path = self._load(state)
        for part in state.parts:
            with contextlib.suppress(NotFoundError):
                api.cancel_job(self._sync(), state.account_id, part.job_id)
            part.cancelled = True
        with self._saving_to(path):
            self._save(state)

    def _load(
        self, state: BatchState | str | os.PathLike[str] | None
    ) -> tuple[BatchState, str | os.PathLike[str] | None]:
        """The run's state and the file it lives in (``state_path`` for a BatchState)."""
        if isinstance(state, BatchState):
            return state, self.state_path
        path = state if state is not None else self.state_path
        if path is None:
            raise ConfigurationError("pass a BatchState or a state file path")
        return BatchState.load(path), path

    @contextlib.contextmanager
    def _saving_to(self, path: str | os.PathLike[str] | None) -> Any:
        """Inside the block, :meth:`_save` writes to ``path`` (the file a run came from)."""
        saved, self.state_path = self.state_path, path
        try:
            yield
        finally:
            self.state_path = saved

    # -- async -----------------------------------------------------------------------------

    async def _acheck_model(self) -> None:
        if self.check_model:
            refusal = model_refusal(self.model, await afind_model(self._async(), self.model))
            if refusal is not None:
                raise refusal

    async def _aensure_part(
        self,
        state: BatchState,
        part: PartState,
        prepared: _Prepared | None,
        fresh: bool,
        resubmit: bool = False,
    ) -> None:
        client, account = self._async(), self.account_id
        if not fresh:
            try:
                await api.aget_job(client, account, part.job_id)
                return
            except NotFoundError:
                if self._stays_deleted(state, part, resubmit):
                    return
        dataset: dict[str, Any] | None = None
        if not fresh:
            try:
                dataset = await api.aget_dataset(client, account, part.input_dataset_id)
            except NotFoundError:
                dataset = None
        if dataset is None:
            await api.acreate_dataset(
                client, account, part.input_dataset_id, example_count=len(part.indexes)
            )
        if dataset is None or dataset.get("state") != "READY":
            content = self._content(prepared, part)
            await api.aupload_dataset(client, account, part.input_dataset_id, content)
            started = self._clock()
            while True:
                ds = await api.aget_dataset(client, account, part.input_dataset_id)
                if ds.get("state") == "READY":
                    break
                pause = self._dataset_pause(part.input_dataset_id, str(ds.get("state")), started)
                await self._asleep(pause)
        try:
            await api.acreate_job(client, account, self._job_body(part), job_id=part.job_id)
        except APIStatusError as exc:
            raise self._not_created(exc, account, part) from None
        self._created(state, part)

    async def _apoll(self, client: AsyncClient, state: BatchState, part: PartState) -> JobInfo:
        try:
            return await api.aget_job(client, state.account_id, part.job_id)
        except NotFoundError:
            if not _existed(part):
                raise
            return deleted_job(state.account_id, part.job_id)

    async def asubmit(
        self,
        bodies: Sequence[Mapping[str, Any]],
        ids: Sequence[str] | None = None,
        *,
        resubmit: bool = False,
    ) -> BatchState:
        """Async twin of :meth:`submit`."""
        state = self._existing_state(bodies, ids)
        prepared = prepare(bodies, ids, model=self.model, max_file_bytes=self.max_file_bytes)
        fresh = state is None
        if state is None:
            await self._acheck_model()
            state = self._plan(prepared)
            self._save(state)
        for part in state.parts:
            await self._aensure_part(state, part, prepared, fresh, resubmit)
        return state

    async def acollect(self, state: BatchState) -> list[BatchResult]:
        """Async twin of :meth:`collect`."""
        client, started = self._async(), self._clock()
        while True:
            jobs = [await self._apoll(client, state, p) for p in state.parts]
            if self._report(jobs, state).done:
                break
            if self._late(started):
                raise APITimeoutError(f"batch jobs still running after {self.timeout}s")
            await self._asleep(self.poll_interval)
        raise_if_failed(jobs)
        rows: dict[str, OutputRow] = {}
        for part, job in zip(state.parts, jobs, strict=True):
            out = (job.output_dataset_id or part.output_dataset_id).rsplit("/", 1)[-1]
            results, errors = await api.adownload_output(client, state.account_id, out)
            collect_rows(rows, results)
            collect_rows(rows, errors)
        return match_results(state, rows, {j.job_id: j for j in jobs})

    async def arun(
        self,
        bodies: Sequence[Mapping[str, Any]],
        ids: Sequence[str] | None = None,
        *,
        resubmit: bool = False,
    ) -> list[BatchResult]:
        """Async twin of :meth:`run`."""
        return await self.acollect(await self.asubmit(bodies, ids, resubmit=resubmit))

    async def aresume(
        self,
        state: BatchState | str | os.PathLike[str] | None = None,
        bodies: Sequence[Mapping[str, Any]] | None = None,
        *,
        resubmit: bool = False,
    ) -> list[BatchResult]:
        """Async twin of :meth:`resume`."""
        state, path = self._load(state)
        prepared = None
        if bodies is not None:
            prepared = prepare(
                bodies, state.custom_ids, model=self.model, max_file_bytes=self.max_file_bytes
            )
        with self._saving_to(path):
            for part in state.parts:
                await self._aensure_part(state, part, prepared, False, resubmit)
        return await self.acollect(state)

    async def acancel(self, state: BatchState | str | os.PathLike[str] | None = None) -> None:
        """Async twin of :meth:`cancel`."""
        state, path = self._load(state)
        for part in state.parts:
            with contextlib.suppress(NotFoundError):
                await api.acancel_job(self._async(), state.account_id, part.job_id)
            part.cancelled = True
        with self._saving_to(path):
            self._save(state)
