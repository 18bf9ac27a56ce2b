"""langchain_fw.run_batch against the wire double: same bodies as invoke, AIMessages back."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core import exceptions as lce
from langchain_core.exceptions import ModelAPIError
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from pydantic import BaseModel

from fw_core.endpoints.batch import BatchInputError, BatchJobError, BatchProgress
from fw_core.errors import InternalServerError
from fw_core.testing import WireDouble
from langchain_fw import ChatFireworks, ChatFirmware, arun_batch, cancel_batch, run_batch

ACCOUNT = "test-account"


def _llm(double: WireDouble, **kwargs: Any) -> ChatFireworks:
    return ChatFireworks(
        model=kwargs.pop("model", "llama-v3p1-8b-instruct"),
        api_key="test-key",
        max_retries=0,
        http_client=httpx.Client(transport=double.transport()),
        http_async_client=httpx.AsyncClient(transport=double.async_transport()),
        **kwargs,
    )


def _rows(double: WireDouble) -> list[dict[str, Any]]:
    """The uploaded input rows, in upload order."""
    inputs = [ds for ds in double.batch.datasets.values() if "-in" in ds.dataset_id]
    return [json.loads(line) for ds in inputs for c in ds.files.values() for line in c.splitlines()]


PROMPTS: list[Any] = [
    "What is the capital of France?",
    [SystemMessage("Be brief."), HumanMessage("Name a colour.")],
    [("human", "Count to three.")],
]


def test_rows_are_the_bodies_invoke_sends_and_answers_come_back_in_order() -> None:
    double = WireDouble()
    llm = _llm(double, temperature=0.2, max_tokens=50)
    seen: list[BatchProgress] = []
    answers = run_batch(llm, PROMPTS, account_id=ACCOUNT, poll_interval=0, on_progress=seen.append)
    assert all(isinstance(a, AIMessage) for a in answers)
    for prompt, answer in zip(PROMPTS, answers, strict=True):
        direct = llm.invoke(prompt)
        assert answer.content == direct.content
        assert answer.usage_metadata is not None and answer.usage_metadata["input_tokens"] > 0
        assert answer.response_metadata["finish_reason"] == "stop"
    invoked = [r.json for r in double.requests if r.path.endswith("/chat/completions")]
    batched = [row["body"] for row in _rows(double)]
    assert batched == [{k: v for k, v in body.items() if k != "model"} for body in invoked]
    assert seen and seen[-1].progress.percent == 100


def test_bound_tools_and_options_travel_in_every_row() -> None:
    double = WireDouble()

    class GetWeather(BaseModel):
        """Get the weather for a city."""

        city: str

    bound = _llm(double).bind_tools([GetWeather], tool_choice="GetWeather").bind(stop=["END"])
    answers = run_batch(
        bound, ["Weather in Paris?", "Weather in Lima?"], account_id=ACCOUNT, poll_interval=0
    )
    rows = _rows(double)
    assert all(r["body"]["tools"][0]["function"]["name"] == "GetWeather" for r in rows)
    assert all(r["body"]["stop"] == ["END"] for r in rows)
    assert [a.tool_calls[0]["name"] for a in answers] == ["GetWeather", "GetWeather"]


def test_structured_output_is_parsed_per_row() -> None:
    double = WireDouble()

    class Person(BaseModel):
        name: str
        age: int

    structured = _llm(double).with_structured_output(Person)
    people = run_batch(
        structured, ["John is 30.", "Ana is 41."], account_id=ACCOUNT, poll_interval=0
    )
    assert all(isinstance(p, Person) for p in people)
    assert _rows(double)[0]["body"]["response_format"]["type"] == "json_schema"
    with pytest.raises(Exception, match="include_raw"):
        run_batch(
            _llm(double).with_structured_output(Person, include_raw=True), ["x"], account_id=ACCOUNT
        )


def test_failed_rows_are_langchain_typed_exceptions_in_place() -> None:
    double = WireDouble()
    double.batch.fail_row("b", 503, "overloaded")
    answers = run_batch(
        _llm(double),
        ["one", "two", "three"],
        ids=["a", "b", "c"],
        account_id=ACCOUNT,
        poll_interval=0,
    )
    assert isinstance(answers[0], AIMessage) and isinstance(answers[2], AIMessage)
    assert isinstance(answers[1], InternalServerError) and isinstance(answers[1], ModelAPIError)
    with pytest.raises(InternalServerError):
        run_batch(
            _llm(double),
            ["one", "two"],
            ids=["x", "b"],
            account_id=ACCOUNT,
            poll_interval=0,
            return_exceptions=False,
        )


def test_async_and_resume_and_cancel(tmp_path: Path) -> None:
    double = WireDouble()
    llm = _llm(double)
    answers = asyncio.run(arun_batch(llm, ["hi", "there"], account_id=ACCOUNT, poll_interval=0))
    assert [type(a).__name__ for a in answers] == ["AIMessage", "AIMessage"]
    path = tmp_path / "state.json"
    double.batch.hold()
    with pytest.raises(Exception, match="still running"):
        run_batch(
            llm, ["a", "b"], account_id=ACCOUNT, poll_interval=0, state_path=path, timeout=1e-9
        )
    jobs = len(double.batch.jobs)
    double.batch.hold(False)
    again = run_batch(llm, ["a", "b"], account_id=ACCOUNT, poll_interval=0, state_path=path)
    assert len(double.batch.jobs) == jobs and all(isinstance(a, AIMessage) for a in again)
    cancel_batch(llm, path, account_id=ACCOUNT)
    assert double.requests[-1].method == "DELETE"


def test_refusals_before_any_upload() -> None:
    double = WireDouble()
    with pytest.raises(BatchInputError, match="at least one request"):
        run_batch(_llm(double), [], account_id=ACCOUNT)
    with pytest.raises(BatchInputError, match="more than once"):
        run_batch(_llm(double), ["a", "b"], ids=["x", "x"], account_id=ACCOUNT)
    with pytest.raises(lce.ModelNotFoundError, match="not-in-the-catalog"):
        run_batch(_llm(double, model="not-in-the-catalog"), ["a"], account_id=ACCOUNT)
    with pytest.raises(BatchInputError, match="file limit"):
        run_batch(_llm(double), ["a" * 500], account_id=ACCOUNT, max_file_bytes=100)
    assert not [r for r in double.requests if "/datasets" in r.path]
    with pytest.raises(ValueError, match="ChatFireworks"):
        run_batch(ChatFirmware(model="openai/gpt-4o", api_key="k"), ["a"], account_id=ACCOUNT)


def test_a_model_the_catalog_says_nothing_about_is_submitted_and_the_server_decides() -> None:
    """The real Model resource has no batch flag (docs/wire.md §7.6): an embedding model is
    submitted, and its job fails with the server's message and the job name."""
    double = WireDouble()
    with pytest.raises(BatchJobError, match="does not support batch inference") as info:
        run_batch(
            _llm(double, model="qwen3-embedding-8b"),
            ["a"],
            account_id=ACCOUNT,
            poll_interval=0,
            run_id="emb",
        )
    assert info.value.job_name == f"accounts/{ACCOUNT}/batchInferenceJobs/fwb-emb-0"
    assert double.count(":upload") == 1


def test_run_after_cancel_batch_does_not_resubmit_unless_asked(tmp_path: Path) -> None:
    double = WireDouble()
    llm = _llm(double)
    path = tmp_path / "cancelled.json"
    double.batch.hold()
    with pytest.raises(Exception, match="still running"):
        run_batch(
            llm,
            ["a"],
            account_id=ACCOUNT,
            poll_interval=0,
            state_path=path,
            timeout=1e-9,
            run_id="lcx",
        )
    cancel_batch(llm, path, account_id=ACCOUNT)
    double.batch.hold(False)
    creates = double.count("/batchInferenceJobs")
    for _ in range(2):  # the first poll sees it cleaning up, the next one a 404
        with pytest.raises(BatchJobError) as info:
            run_batch(llm, ["a"], account_id=ACCOUNT, poll_interval=0, state_path=path)
        assert info.value.job_name.endswith("/fwb-lcx-0")
    assert double.count("/batchInferenceJobs") == creates
    again = asyncio.run(
        arun_batch(llm, ["a"], account_id=ACCOUNT, poll_interval=0, state_path=path, resubmit=True)
    )
    assert isinstance(again[0], AIMessage) and double.count("/batchInferenceJobs") == creates + 1


def test_every_invoke_input_form_becomes_the_same_row_as_invoke_sends() -> None:
    # inputs are read with langchain-core's public converters (PromptValue,
    # convert_to_messages), not BaseChatModel's private _convert_input (issue 23)
    from langchain_core.prompts import ChatPromptTemplate

    double = WireDouble()
    llm = _llm(double)
    prompt = ChatPromptTemplate.from_messages([("system", "Be brief."), ("human", "{q}")])
    inputs: list[Any] = [
        prompt.invoke({"q": "Name a colour."}),
        [{"role": "user", "content": "Count to three."}],
    ]
    run_batch(llm, inputs, account_id=ACCOUNT, poll_interval=0)
    for item in inputs:
        llm.invoke(item)
    invoked = [r.json for r in double.requests if r.path.endswith("/chat/completions")]
    batched = [row["body"] for row in _rows(double)]
    assert batched == [{k: v for k, v in body.items() if k != "model"} for body in invoked]


def test_an_input_of_another_type_is_refused_before_any_upload() -> None:
    double = WireDouble()
    with pytest.raises(ValueError, match="not a prompt value, a string or a list"):
        run_batch(_llm(double), [42], account_id=ACCOUNT, poll_interval=0)
    assert double.requests == []
