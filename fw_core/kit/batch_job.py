"""What both frameworks' ``run_batch`` / ``arun_batch`` do between their own conversions.

An adapter turns its framework's inputs into request bodies and an answer back into its
framework's type; the rest is here once: the run options both take (:class:`BatchRunOptions`,
names and defaults of ``docs/batch.md`` "Options"), the runner on the adapter's clients
with its progress bar (:func:`runner_for`), and the outputs in input order, each row's
error in its place or raised (:func:`outputs`).

Example:
    >>> import httpx
    >>> from fw_core.kit.connection import FireworksConnection
    >>> from fw_core.testing import WireDouble
    >>> owner = FireworksConnection(
    ...     api_key="example-key", http_client=httpx.Client(transport=WireDouble().transport())
    ... )
    >>> rows = BatchRows(owner, "accounts/fireworks/models/gpt-oss-120b",
    ...     [{"model": "accounts/fireworks/models/gpt-oss-120b",
    ...       "messages": [{"role": "user", "content": "hi"}]}],
    ...     convert=lambda answer: answer.completion.choices[0].message.role)
    >>> rows.run(account_id="acme", poll_interval=0)
    ['assistant']
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict, Unpack

from fw_core.endpoints.batch.checks import BatchProgress, BatchResult
from fw_core.endpoints.batch.runner import BatchRunner
from fw_core.endpoints.chat import ChatResponse
from fw_core.errors import FwError
from fw_core.http.client import AsyncClient, Client
from fw_core.kit.progress import batch_job_progress

__all__ = ["BatchRows", "BatchRunOptions", "HasClients", "outputs", "runner_for"]


class HasClients(Protocol):
    """An object with fw_core clients (any :class:`~fw_core.kit.connection.ConnectionMixin`)."""

    def _client(self) -> Client: ...
    def _aclient(self) -> AsyncClient: ...


@contextlib.contextmanager
def runner_for(
    obj: HasClients,
    model: str,
    total: int = 0,
    *,
    account_id: str | None = None,
    show_progress: bool = False,
    on_progress: Callable[[BatchProgress], Any] | None = None,
    **options: Any,
) -> Iterator[BatchRunner]:
    """A :class:`BatchRunner` on ``obj``'s clients, with a progress bar of ``total`` rows
    while the block runs (see :func:`fw_core.kit.progress.batch_job_progress`); ``options``
    are the runner's (``state_path``, ``poll_interval``, ``timeout``, ...)."""
    with batch_job_progress(show_progress, total, on_progress) as report:
        yield BatchRunner(
            obj._client(),
            async_client=obj._aclient(),
            model=model,
            account_id=account_id,
            on_progress=report,
            **options,
        )


def outputs(
    results: Sequence[BatchResult],
    convert: Callable[[ChatResponse], Any],
    *,
    return_exceptions: bool = True,
    map_error: Callable[[FwError], BaseException] | None = None,
) -> list[Any]:
    """One output per row, in input order: ``convert(answer)``, or the row's error.

    A row's error goes through ``map_error`` (a framework's own error types); an exception
    ``convert`` raises (an answer the framework cannot use) is kept in the row's place too.
    With ``return_exceptions=False`` the first failed row's exception is raised instead.

    >>> from fw_core.errors import BadRequestError
    >>> rows = [BatchResult("a", 0, error=BadRequestError("too long", status_code=400))]
    >>> [type(v).__name__ for v in outputs(rows, convert=str)]
    ['BadRequestError']
    """
    out: list[Any] = []
    for result in results:
        value: Any = None
        if result.error is not None:
            value = map_error(result.error) if map_error is not None else result.error
        elif result.response is not None:
            try:
                value = convert(result.response)
            except Exception as exc:  # kept per row, like an API error
                value = exc
        if isinstance(value, BaseException) and not return_exceptions:
            raise value
        out.append(value)
    return out


class BatchRunOptions(TypedDict, total=False):
    """The keyword options of ``run_batch`` / ``arun_batch`` in both frameworks.

    Each left out takes the default named here (``docs/batch.md`` "Options").

    Attributes:
        ids: a unique ``custom_id`` per row (default ``row-0``, ``row-1``, ...).
        account_id: your Fireworks account (default ``FIREWORKS_ACCOUNT_ID``).
        return_exceptions: put a failed row's exception in its place (default True), or
            raise the first one.
        state_path: a JSON file that makes the run resumable after a crash: calling again
            with it picks up the same job.
        on_progress: called with a :class:`~fw_core.endpoints.batch.BatchProgress` per poll.
        show_progress: draw a tqdm bar of requests processed, updated per poll (silent
            when tqdm is not installed; default False).
        poll_interval: seconds between polls (default 10).
        timeout: stop waiting after this many seconds (the job keeps running; call again
            with the same ``state_path`` to pick it up). Default: no limit.
        resubmit: with a ``state_path`` whose jobs were cancelled (``cancel_batch``),
            submit them again; without it such a run raises ``BatchJobError`` (cancelled).
        max_file_bytes, check_model, dataset_timeout, inference_parameters, run_id,
            display_name: the :class:`~fw_core.endpoints.batch.BatchRunner` options of the
            same names.
    """

    ids: Sequence[str] | None
    account_id: str | None
    return_exceptions: bool
    state_path: str | os.PathLike[str] | None
    on_progress: Callable[[BatchProgress], Any] | None
    show_progress: bool
    poll_interval: float
    timeout: float | None
    resubmit: bool
    max_file_bytes: int
    check_model: bool
    dataset_timeout: float
    inference_parameters: Mapping[str, Any] | None
    run_id: str | None
    display_name: str | None


@dataclass(frozen=True)
class BatchRows:
    """Rows ready to run as a batch job on ``owner``'s clients.

    Attributes:
        owner: the adapter object whose fw_core clients run the job.
        model: the model id the job runs on.
        bodies: one chat request body per row, as the adapter's own call would send it.
        convert: an answer as the framework gives it (an ``AIMessage``, a ``ChatResponse``).
        map_error: a row's error as the framework raises it (default: as it is).
        guard: entered around the run (LangChain's error translation; default: nothing).
    """

    owner: HasClients
    model: str
    bodies: Sequence[Mapping[str, Any]]
    convert: Callable[[ChatResponse], Any]
    map_error: Callable[[FwError], BaseException] | None = None
    guard: Callable[[], AbstractContextManager[Any]] = nullcontext

    def run(self, **options: Unpack[BatchRunOptions]) -> list[Any]:
        """One output per row, in order: the converted answer or the row's exception."""
        ids, resubmit, keep = self._split(options)
        with (
            runner_for(self.owner, self.model, len(self.bodies), **options) as runner,
            self.guard(),
        ):
            results = runner.run(self.bodies, ids, resubmit=resubmit)
        return self._outputs(results, keep)

    async def arun(self, **options: Unpack[BatchRunOptions]) -> list[Any]:
        """Async :meth:`run`: it awaits between polls."""
        ids, resubmit, keep = self._split(options)
        with (
            runner_for(self.owner, self.model, len(self.bodies), **options) as runner,
            self.guard(),
        ):
            results = await runner.arun(self.bodies, ids, resubmit=resubmit)
        return self._outputs(results, keep)

    @staticmethod
    def _split(options: BatchRunOptions) -> tuple[Sequence[str] | None, bool, bool]:
        """(ids, resubmit, return_exceptions), popped; what is left is the runner's."""
        ids = options.pop("ids", None)
        return ids, options.pop("resubmit", False), options.pop("return_exceptions", True)

    def _outputs(self, results: Sequence[BatchResult], return_exceptions: bool) -> list[Any]:
        return outputs(
            results, self.convert, return_exceptions=return_exceptions, map_error=self.map_error
        )
