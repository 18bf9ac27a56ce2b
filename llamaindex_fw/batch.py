"""Run many chats through a llamaindex_fw ``Fireworks`` LLM as one batch job (half price).

:func:`run_batch` takes a list of ``ChatMessage`` lists (one conversation per row) and a
configured :class:`~llamaindex_fw.Fireworks`. Each row becomes the exact body ``chat``
would send (the LLM's own ``_body``), the rows run as a Fireworks batch job
(:class:`fw_core.endpoints.batch.BatchRunner`), and the answers come back in input order as
``ChatResponse`` objects built the way ``chat`` builds them (usage in
``additional_kwargs``, the completion in ``raw``). A failed row is its typed
:mod:`fw_core.errors` exception, returned in place or raised (``return_exceptions``).

Bad input (empty, duplicate ids, a row over the file limit) and a model the catalog does
not list (``ModelNotFoundError``) raise before anything is uploaded; a model the catalog
says nothing about is submitted, and a job the server cannot run raises ``BatchJobError``
with its message and job name (docs/wire.md §7.6). ``state_path`` makes a run resumable;
after :func:`cancel_batch` it reports the run cancelled (``resubmit=True`` submits again).

Example:
    >>> import httpx
    >>> from llama_index.core.llms import ChatMessage
    >>> from fw_core.testing import WireDouble
    >>> from llamaindex_fw import Fireworks
    >>> double = WireDouble()
    >>> llm = Fireworks(model="gpt-oss-120b", api_key="example-key",
    ...                 http_client=httpx.Client(transport=double.transport()))
    >>> chats = [[ChatMessage(role="user", content="Capital of France?")]]
    >>> [r.message.role.value for r in run_batch(llm, chats, account_id="acme",
    ...                                             poll_interval=0)]
    ['assistant']
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, Unpack

from llama_index.core.base.llms.types import ChatMessage, ChatResponse

from fw_core.errors import ConfigurationError
from fw_core.kit.batch_job import BatchRows, BatchRunOptions, runner_for
from llamaindex_fw.llms import Fireworks

__all__ = ["arun_batch", "cancel_batch", "run_batch"]


def _check(llm: Any, chats: Any) -> None:
    if not isinstance(llm, Fireworks):
        raise ConfigurationError(
            f"run_batch needs a llamaindex_fw.Fireworks (batch jobs are a Fireworks API), "
            f"got {type(llm).__name__}"
        )
    if isinstance(chats, str) or not isinstance(chats, Sequence):
        raise ConfigurationError("run_batch takes a list of ChatMessage lists")
    for i, chat in enumerate(chats):
        if isinstance(chat, str | ChatMessage) or not isinstance(chat, Sequence):
            raise ConfigurationError(f"row {i} must be a list of ChatMessage")


def _rows(
    llm: Fireworks, chats: Sequence[Sequence[ChatMessage]], chat_kwargs: Mapping[str, Any] | None
) -> BatchRows:
    """The rows as the bodies ``chat`` would send, each answer as ``chat`` builds it."""
    _check(llm, chats)
    bodies = [llm._body(list(chat), dict(chat_kwargs or {})) for chat in chats]
    return BatchRows(llm, llm.wire_model, bodies, llm._chat_response)


def run_batch(
    llm: Fireworks,
    chats: Sequence[Sequence[ChatMessage]],
    *,
    chat_kwargs: Mapping[str, Any] | None = None,
    **options: Unpack[BatchRunOptions],
) -> list[ChatResponse | Exception]:
    """Run ``chats`` as a batch job; one ``ChatResponse`` (or exception) per row, in order.

    Args:
        llm: the configured :class:`~llamaindex_fw.Fireworks`.
        chats: one ``ChatMessage`` list per row.
        chat_kwargs: extra request fields for every row, as ``chat(**kwargs)`` takes them.
        **options: the batch run options both frameworks take
            (:class:`fw_core.kit.batch_job.BatchRunOptions`): ``ids``, ``account_id``,
            ``return_exceptions`` (default True), ``state_path``, ``on_progress``,
            ``show_progress``, ``poll_interval``, ``timeout``, ``resubmit`` and the
            :class:`~fw_core.endpoints.batch.BatchRunner` options.
    """
    return _rows(llm, chats, chat_kwargs).run(**options)


async def arun_batch(
    llm: Fireworks,
    chats: Sequence[Sequence[ChatMessage]],
    *,
    chat_kwargs: Mapping[str, Any] | None = None,
    **options: Unpack[BatchRunOptions],
) -> list[ChatResponse | Exception]:
    """Async twin of :func:`run_batch`."""
    return await _rows(llm, chats, chat_kwargs).arun(**options)


def cancel_batch(
    llm: Fireworks, state_path: str | os.PathLike[str], *, account_id: str | None = None
) -> None:
    """Stop the jobs of the run recorded in ``state_path`` (the API deletes them); the file
    records it, so running again with it raises ``BatchJobError`` unless ``resubmit=True``."""
    _check(llm, [])
    with runner_for(llm, llm.wire_model, account_id=account_id) as runner:
        runner.cancel(state_path)
