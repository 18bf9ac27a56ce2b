"""What both frameworks' ``run_batch`` share: a runner on an object's own clients, and the
outputs in input order.

An adapter converts its framework's inputs to request bodies and each answer back to its
framework's type; everything between (the runner with progress, per-row errors in place
or raised) is here once.

Example:
    >>> from fw_core.endpoints.batch.checks import BatchResult
    >>> from fw_core.errors import BadRequestError
    >>> rows = [BatchResult("a", 0, error=BadRequestError("too long", status_code=400))]
    >>> [type(v).__name__ for v in outputs(rows, convert=str)]
    ['BadRequestError']
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from fw_core.endpoints.batch.checks import BatchProgress, BatchResult
from fw_core.endpoints.batch.runner import BatchRunner
from fw_core.endpoints.chat import ChatResponse
from fw_core.errors import FwError
from fw_core.http.client import AsyncClient, Client
from fw_core.kit.progress import batch_job_progress

__all__ = ["HasClients", "outputs", "runner_for"]


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
