"""End to end: LlamaIndex's FunctionAgent with two tools, on Fireworks and on Firmware.

Replayed from cassettes (recorded against the wire double). The task names both tools, so
the model calls them in parallel in one turn; the agent runs both, sends both results
back, and the model's second turn answers from them. The checks follow the data: the
answer must hold the values our tools computed from the arguments the model chose.
"""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.agent.workflow import (
    AgentOutput,
    AgentStream,
    FunctionAgent,
    ToolCallResult,
)
from llama_index.core.base.llms.types import ToolCallBlock
from llama_index.core.tools import FunctionTool

from llamaindex_fw import Fireworks, Firmware

pytestmark = [
    pytest.mark.vcr,
    # llama-index's workflow machinery runs inspect.getmembers over the agent (pydantic
    # deprecation noise from core, not from this package)
    pytest.mark.filterwarnings("ignore::DeprecationWarning:inspect"),
]

TASK = "Use add on 12 and 30, and multiply 6 by 7, then report both results."


def add(a: int, b: int) -> int:
    """Add two integers and return the sum."""
    return a + b


def multiply(a: int, b: int) -> int:
    """Multiply two integers and return the product."""
    return a * b


TOOLS = [FunctionTool.from_defaults(add), FunctionTool.from_defaults(multiply)]


async def run_agent(llm: Any, *, streaming: bool) -> tuple[str, list[Any], list[Any]]:
    agent = FunctionAgent(tools=TOOLS, llm=llm, streaming=streaming)
    handler = agent.run(TASK)
    seen: list[Any] = []
    async for event in handler.stream_events():
        seen.append(event)
    result = await handler
    outputs = [e for e in seen if isinstance(e, AgentOutput)]
    results = [e for e in seen if isinstance(e, ToolCallResult)]
    return str(result), outputs, results


def check_parallel_run(
    answer: str, outputs: list[Any], results: list[Any], live: bool = False
) -> None:
    # step 1: one model turn asked for both tools at once
    first_calls = outputs[0].tool_calls
    assert sorted(c.tool_name for c in first_calls) == ["add", "multiply"]
    assert len({c.tool_id for c in first_calls}) == 2
    # the agent ran each with the model's arguments
    assert sorted(r.tool_name for r in results) == ["add", "multiply"]
    for r in results:
        fn = add if r.tool_name == "add" else multiply
        assert r.tool_output.content == str(fn(**r.tool_kwargs))
    # step 2: the final answer is built from both results
    assert len(outputs) == 2
    assert not any(isinstance(b, ToolCallBlock) for b in outputs[1].response.blocks)
    assert answer.strip()
    if not live:  # the double quotes each result; a real model may word them differently
        for r in results:
            assert r.tool_output.content in answer


@pytest.mark.parametrize("streaming", [False, True], ids=["chat", "stream"])
async def test_function_agent_fireworks(streaming: bool, cassette_is_live: bool) -> None:
    llm = Fireworks(model="kimi-k2-instruct-0905")
    check_parallel_run(*await run_agent(llm, streaming=streaming), live=cassette_is_live)


@pytest.mark.parametrize("streaming", [False, True], ids=["chat", "stream"])
async def test_function_agent_firmware(streaming: bool, cassette_is_live: bool) -> None:
    llm = Firmware(model="anthropic/claude-sonnet-4-5-20250929")
    check_parallel_run(*await run_agent(llm, streaming=streaming), live=cassette_is_live)


async def test_function_agent_streams_thinking_from_a_reasoning_model(
    cassette_is_live: bool,
) -> None:
    llm = Fireworks(model="gpt-oss-120b", reasoning_effort="low")
    agent = FunctionAgent(tools=TOOLS, llm=llm, streaming=True)
    handler = agent.run(TASK)
    thinking: list[str] = []
    results: list[Any] = []
    async for event in handler.stream_events():
        if isinstance(event, AgentStream) and event.thinking_delta:
            thinking.append(event.thinking_delta)
        elif isinstance(event, ToolCallResult):
            results.append(event)
    answer = str(await handler)
    assert thinking
    assert sorted(r.tool_name for r in results) == ["add", "multiply"]
    assert answer.strip()
    if not cassette_is_live:
        for r in results:
            assert r.tool_output.content in answer
