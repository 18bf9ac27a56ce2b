"""Run many prompts through a ``ChatFireworks`` as one Fireworks batch job (half price).

:func:`run_batch` takes what you would pass to ``llm.batch(...)``: a list of prompts
(strings, message lists, prompt values) and a configured ``ChatFireworks``, also one with
bound tools (``llm.bind_tools(...)``, ``llm.bind(...)``) or structured output
(``llm.with_structured_output(Schema)``, without ``include_raw``). Each input becomes the
exact request body ``invoke`` would send (the model's own ``_payload``), the rows run as a
batch job (:class:`fw_core.endpoints.batch.BatchRunner`), and the answers come back in input order
as ``AIMessage`` (with ``usage_metadata`` and ``response_metadata``) or, for structured
output, the parsed object. A row that failed is its typed exception (the same classes
``invoke`` raises: ``fw_core`` errors that are also ``langchain_core.exceptions`` ones),
returned in place or raised, as ``return_exceptions`` says.

Bad input (empty, duplicate ids, a row over the file limit) and a model the catalog does
not list (``ModelNotFoundError``) raise before anything is uploaded; a model the catalog
says nothing about is submitted, and a job the server cannot run raises ``BatchJobError``
with its message and job name (docs/wire.md §7.6). ``state_path`` makes a run resumable:
calling again with the same path picks up the same job, and after :func:`cancel_batch`
reports it cancelled instead of submitting it again (``resubmit=True`` does).

Example:
    >>> import httpx
    >>> from fw_core.testing import WireDouble
    >>> from langchain_fw import ChatFireworks
    >>> double = WireDouble()
    >>> llm = ChatFireworks(model="gpt-oss-120b", api_key="example-key",
    ...                     http_client=httpx.Client(transport=double.transport()))
    >>> answers = run_batch(llm, ["Capital of France?", "Capital of Peru?"],
    ...                     account_id="acme", poll_interval=0)
    >>> [type(a).__name__ for a in answers], answers[0].usage_metadata["input_tokens"] > 0
    (['AIMessage', 'AIMessage'], True)
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, Unpack

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import BaseMessage, HumanMessage, convert_to_messages
from langchain_core.prompt_values import PromptValue
from langchain_core.runnables import Runnable, RunnableBinding, RunnableSequence

from fw_core.endpoints.chat import ChatResponse
from fw_core.errors import ConfigurationError
from fw_core.kit.batch_job import BatchRows, BatchRunOptions, runner_for
from langchain_fw._errors import map_error, translate_errors
from langchain_fw.chat_models import ChatFireworks

__all__ = ["arun_batch", "cancel_batch", "run_batch"]


def _unwrap(runnable: Any) -> tuple[ChatFireworks, dict[str, Any], Runnable[Any, Any] | None]:
    """(the chat model, the kwargs bound on it, the output parser or None)."""
    parser: Runnable[Any, Any] | None = None
    if isinstance(runnable, RunnableSequence):
        steps = runnable.steps
        if len(steps) != 2:
            raise ConfigurationError(
                "run_batch takes a ChatFireworks, a bound one, or with_structured_output(...) "
                "without include_raw"
            )
        runnable, parser = steps
    kwargs: dict[str, Any] = {}
    while isinstance(runnable, RunnableBinding):
        kwargs = {**runnable.kwargs, **kwargs}
        runnable = runnable.bound
    if not isinstance(runnable, ChatFireworks):
        raise ConfigurationError(
            "run_batch takes a ChatFireworks (batch jobs are a Fireworks API), a binding of "
            f"one, or its with_structured_output(...) without include_raw; "
            f"got {type(runnable).__name__}"
        )
    return runnable, kwargs, parser


def _bodies(
    llm: ChatFireworks, kwargs: Mapping[str, Any], inputs: Sequence[LanguageModelInput]
) -> list[dict[str, Any]]:
    bodies = []
    for item in inputs:
        call = dict(kwargs)
        stop = call.pop("stop", None)
        messages = _input_messages(item)
        bodies.append(llm._payload(messages, stop, call))
    return bodies


def _input_messages(item: LanguageModelInput) -> list[BaseMessage]:
    """One ``invoke`` input as messages, with langchain-core's public converters: a
    prompt value's messages, a string as one human message, a sequence of message-likes
    (messages, ``(role, text)`` tuples, dicts) through ``convert_to_messages``; the forms
    ``BaseChatModel.invoke`` takes, without its private ``_convert_input``."""
    if isinstance(item, PromptValue):
        return item.to_messages()
    if isinstance(item, str):
        return [HumanMessage(item)]
    if isinstance(item, Sequence):
        return convert_to_messages(item)
    raise ConfigurationError(
        f"run_batch input {type(item).__name__} is not a prompt value, a string or a list "
        "of messages"
    )


def _rows(
    runnable: Runnable[Any, Any] | ChatFireworks, inputs: Sequence[LanguageModelInput]
) -> BatchRows:
    """The inputs as the bodies ``invoke`` would send, each answer as ``invoke`` gives it:
    the AIMessage, or what the parser makes of it."""
    llm, kwargs, parser = _unwrap(runnable)
    if isinstance(inputs, str) or not isinstance(inputs, Sequence):
        raise ConfigurationError("run_batch takes a list of inputs")
    model = llm.model or ""

    def convert(response: ChatResponse) -> Any:
        message = llm._result(response, model).generations[0].message
        return message if parser is None else parser.invoke(message)

    return BatchRows(
        llm, model, _bodies(llm, kwargs, inputs), convert, map_error, guard=translate_errors
    )


def run_batch(
    runnable: Runnable[Any, Any] | ChatFireworks,
    inputs: Sequence[LanguageModelInput],
    **options: Unpack[BatchRunOptions],
) -> list[Any]:
    """Run ``inputs`` as a batch job and return one output per input, in order.

    Args:
        runnable: a ``ChatFireworks``, a binding of one (tools, options), or its
            ``with_structured_output(...)``.
        inputs: what ``runnable.batch`` takes: strings, message lists, prompt values.
        **options: the batch run options both frameworks take
            (:class:`fw_core.kit.batch_job.BatchRunOptions`): ``ids``, ``account_id``,
            ``return_exceptions`` (default True), ``state_path``, ``on_progress``,
            ``show_progress``, ``poll_interval``, ``timeout``, ``resubmit`` and the
            :class:`~fw_core.endpoints.batch.BatchRunner` options.
    """
    return _rows(runnable, inputs).run(**options)


async def arun_batch(
    runnable: Runnable[Any, Any] | ChatFireworks,
    inputs: Sequence[LanguageModelInput],
    **options: Unpack[BatchRunOptions],
) -> list[Any]:
    """Async twin of :func:`run_batch`."""
    return await _rows(runnable, inputs).arun(**options)


def cancel_batch(
    runnable: Runnable[Any, Any] | ChatFireworks,
    state_path: str | os.PathLike[str],
    *,
    account_id: str | None = None,
) -> None:
    """Stop the jobs of the run recorded in ``state_path`` (the API deletes them); the file
    records it, so running again with it raises ``BatchJobError`` unless ``resubmit=True``."""
    llm, _, _ = _unwrap(runnable)
    with runner_for(llm, llm.model or "", account_id=account_id) as runner, translate_errors():
        runner.cancel(state_path)
