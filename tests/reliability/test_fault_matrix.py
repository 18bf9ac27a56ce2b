"""The fault matrix: every fault mode of the wire double against every public surface.

One parametrized test runs each cell (surface, call style, fault, variant):

* ``recover``: a retryable fault once; the call must succeed with a whole result after
  exactly one retry, having waited what the server asked for (or the backoff);
* ``exhaust``: a retryable fault on every attempt; exactly ``1 + max_retries`` requests
  (for a 429 that announces its wait: also the waits ``rate_limit_max_wait`` allows),
  then the typed error;
* ``wait-out``: a 429 that announces its wait, ``1 + max_retries`` times in a row; the
  call still succeeds, having waited each out (the fault budget is not spent on it);
* ``fail``: a non-retryable fault; exactly one request, then the typed error.

Every cell also asserts that no response body was left open (an unclosed body keeps its
connection checked out of the pool) and, for errors, the HTTP status and the request id
the response carried. LangChain surfaces must raise errors that are also the matching
``langchain_core.exceptions`` class. Retry sleeps are recorded, not slept (conftest).
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest
from langchain_core import exceptions as lce

from fw_core import errors as fe
from fw_core.testing import Fault, WireDouble
from tests.reliability._faults import (
    AFTER_TOOL_CALL,
    BEFORE_TOOL_CALL,
    FAULTS,
    MAX_RETRIES,
    FaultCase,
    backoff_bounds,
)
from tests.reliability._surfaces import SURFACES, Surface, Wiring

# What a LangChain user can catch for each fw_core error (docs/architecture.md §3, errors).
_LANGCHAIN_TWIN: dict[type[fe.FwError], type[Exception]] = {
    fe.APIStatusError: lce.ModelError,
    fe.AuthenticationError: lce.ModelAuthenticationError,
    fe.NotFoundError: lce.ModelNotFoundError,
    fe.ModelNotFoundError: lce.ModelNotFoundError,
    fe.RateLimitError: lce.ModelRateLimitError,
    fe.InternalServerError: lce.ModelAPIError,
    fe.APITimeoutError: lce.ModelTimeoutError,
    fe.APIConnectionError: lce.ModelConnectionError,
    fe.StreamError: lce.ModelAPIError,
    fe.ResponseValidationError: lce.ModelAPIError,
    fe.ContextLengthExceededError: lce.ContextOverflowError,
    fe.UnsupportedParameterError: lce.ModelInvalidRequestError,
}


def _cells() -> list[Any]:
    cells = []
    for surface in SURFACES:
        for mode in surface.modes:
            for case in FAULTS:
                if surface.style(mode) not in case.applies_to:
                    continue
                variants = ("recover", "exhaust") if case.retryable else ("fail",)
                for variant in variants + (("wait-out",) if case.waited_out else ()):
                    cells.append(
                        pytest.param(
                            surface,
                            mode,
                            case,
                            variant,
                            id=f"{surface.name}-{mode}-{case.id}-{variant}",
                        )
                    )
    return cells


async def perform(surface: Surface, obj: Any, mode: str, tools: bool) -> Any:
    """One user-level operation; sync styles run in a worker thread, as a sync app would."""
    if mode in ("sync", "stream"):
        return await asyncio.to_thread(surface.run, obj, mode, tools)
    result = surface.run(obj, mode, tools)
    assert inspect.isawaitable(result)
    return await result


@pytest.mark.parametrize(("surface", "mode", "case", "variant"), _cells())
async def test_fault_cell(
    surface: Surface, mode: str, case: FaultCase, variant: str, sleeps: list[float]
) -> None:
    wiring = Wiring()
    try:
        obj = surface.build(wiring, case.timeout)
        times = {"exhaust": case.attempts_to_exhaust, "wait-out": MAX_RETRIES + 1}.get(variant, 1)
        wiring.double.inject(case.make(), times=times, path=surface.path)
        if variant == "wait-out":
            result = await perform(surface, obj, mode, case.tools)
            surface.check(result, case.tools)
            assert len(wiring.double.requests) == surface.requests + times
            assert sleeps == [pytest.approx(case.retry_delay)] * times
        elif variant == "recover":
            result = await perform(surface, obj, mode, case.tools)
            surface.check(result, case.tools)
            assert len(wiring.double.requests) == surface.requests + 1
            assert len(sleeps) == 1
            if case.retry_delay is not None:
                assert sleeps[0] == pytest.approx(case.retry_delay)
            else:
                low, high = backoff_bounds(0)
                assert low <= sleeps[0] <= high
        else:
            expected = case.expected_error(surface.style(mode))
            with pytest.raises(expected) as info:
                await perform(surface, obj, mode, case.tools)
            err = info.value
            # exactly that class: the most specific fw_core class of the error's type
            assert next(c for c in type(err).__mro__ if c.__module__ == fe.__name__) is expected
            attempts = case.attempts_to_exhaust
            assert len(wiring.double.requests) == attempts
            assert len(sleeps) == attempts - 1
            if case.status is not None:
                assert err.status_code == case.status
                assert err.request_id is not None
            if case.request_id:  # a response arrived: its x-request-id reaches the error
                assert err.request_id == wiring.ledger.request_ids[-1]
            assert str(err)
            if surface.langchain:
                assert isinstance(err, _LANGCHAIN_TWIN[expected])
        assert wiring.ledger.open == 0, "a response body was left open"
    finally:
        await wiring.aclose()


def test_matrix_covers_every_fault_and_surface() -> None:
    cells = _cells()
    ids = {c.id for c in cells}
    for case in FAULTS:
        assert any(f"-{case.id}-" in i for i in ids), case.id
    for surface in SURFACES:
        for mode in surface.modes:
            assert any(i.startswith(f"{surface.name}-{mode}-") for i in ids)


async def test_tool_stream_layout() -> None:
    """The cut positions in _faults mean what their names say for the double's streams."""
    import httpx

    double = WireDouble()
    body = {
        "model": "accounts/fireworks/models/llama-v3p1-8b-instruct",
        "messages": [{"role": "user", "content": "What is the weather in 'Paris'?"}],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                },
            }
        ],
        "tool_choice": "required",
        "stream": True,
    }
    async with httpx.AsyncClient(transport=double.async_transport()) as http:
        r = await http.post(
            "https://api.fireworks.ai/inference/v1/chat/completions",
            json=body,
            headers={"Authorization": "Bearer x"},
        )
    frames = [f for f in r.text.split("\n\n") if f.strip()]
    assert '"tool_calls"' not in frames[BEFORE_TOOL_CALL - 1]
    assert '"tool_calls"' in frames[AFTER_TOOL_CALL - 1] and '"name"' in frames[AFTER_TOOL_CALL - 1]
    assert '"finish_reason":"tool_calls"' not in "".join(frames[:AFTER_TOOL_CALL])
    assert Fault.cut_stream(AFTER_TOOL_CALL).after < len(frames) - 2
