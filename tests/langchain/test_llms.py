"""langchain_fw.llms.Fireworks: text completions over /completions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import ModelNotFoundError
from langchain_core.prompts import PromptTemplate

from fw_core import errors as fe
from fw_core.testing import Fault, WireDouble
from langchain_fw.llms import Fireworks

MODEL = "accounts/fireworks/models/llama-v3p1-8b-instruct"


@pytest.fixture
def double() -> WireDouble:
    return WireDouble()


def _on(double: WireDouble, **kw: Any) -> Fireworks:
    kw.setdefault("model", MODEL)
    return Fireworks(
        http_client=httpx.Client(transport=double.transport()),
        http_async_client=httpx.AsyncClient(transport=double.async_transport()),
        max_retries=0,
        **kw,
    )


@pytest.mark.vcr
def test_invoke_stream_and_batch_from_cassette() -> None:
    llm = Fireworks(model="llama-v3p1-8b-instruct", max_tokens=32, temperature=0)
    text = llm.invoke("The sky is")
    assert isinstance(text, str) and text
    streamed = "".join(llm.stream("The sky is"))
    assert streamed == text  # same prompt, same (deterministic) answer, token by token
    assert len(llm.batch(["The sky is", "Grass is"])) == 2


@pytest.mark.vcr
async def test_async_from_cassette() -> None:
    llm = Fireworks(model=MODEL, max_tokens=32)
    text = await llm.ainvoke("Roses are")
    pieces = [p async for p in llm.astream("Roses are")]
    assert len(pieces) > 1 and "".join(pieces) == text


def test_body_usage_and_generation_info(double: WireDouble) -> None:
    llm = _on(
        double,
        max_tokens=20,
        top_k=5,
        repetition_penalty=1.1,
        stop=["\n"],
        model_kwargs={"echo": False},
    )
    result = llm.generate(["Once upon a time", "In a galaxy"])
    body = double.requests[-1].json
    assert body == {
        "model": MODEL,
        "prompt": "In a galaxy",
        "max_tokens": 20,
        "top_k": 5,
        "repetition_penalty": 1.1,
        "echo": False,
        "stop": ["\n"],
    }
    assert len(result.generations) == 2
    assert result.generations[0][0].generation_info["finish_reason"] in ("stop", "length")
    usage = result.llm_output["token_usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0
    llm.invoke("x", model="mixtral-8x7b-instruct", top_k=None)
    body = double.requests[-1].json
    assert body["model"] == "accounts/fireworks/models/mixtral-8x7b-instruct"
    assert "top_k" not in body


class _Tokens(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)


def test_stream_fires_token_callbacks_and_works_in_a_chain(double: WireDouble) -> None:
    handler = _Tokens()
    chain = PromptTemplate.from_template("Tell me about {topic}") | _on(double)
    out = "".join(chain.stream({"topic": "rivers"}, config={"callbacks": [handler]}))
    assert out and "".join(handler.tokens) == out
    assert double.requests[-1].json["stream"] is True
    assert double.requests[-1].json["prompt"] == "Tell me about rivers"


async def test_errors_are_mapped(double: WireDouble) -> None:
    double.inject(Fault.status(404, message="Model not found"))
    with pytest.raises(ModelNotFoundError) as info:
        await _on(double).ainvoke("x")
    assert isinstance(info.value, fe.NotFoundError)
    double.inject(Fault.cut_stream(after=1))
    with pytest.raises(fe.StreamError):
        list(_on(double).stream("Tell me a long story"))


def test_construction() -> None:
    with pytest.raises(fe.ConfigurationError):
        Fireworks()
    llm = Fireworks(model_name="llama-v3p1-8b-instruct", fireworks_api_key="secret-value-1")
    assert llm.model == MODEL and llm._llm_type == "fireworks"
    assert "secret-value-1" not in repr(llm)
    assert llm._get_ls_params()["ls_provider"] == "fireworks"
