"""End to end, from cassettes: a LangChain ``create_agent`` tool loop and an LCEL chain,
for ChatFireworks and ChatFirmware, with reasoning models and parallel tool calls.

Recorded with ``FW_RECORD=double`` (see tests/conftest.py); replayed with
``--record-mode=none``.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_fw import ChatFireworks, ChatFirmware

pytestmark = pytest.mark.vcr

CALLS: list[tuple[str, str]] = []


@tool
def get_weather(city: str) -> str:
    """Current weather in a city."""
    CALLS.append(("get_weather", city))
    return f"18C and sunny in {city}"


@tool
def get_time(city: str) -> str:
    """Local time in a city."""
    CALLS.append(("get_time", city))
    return f"14:05 in {city}"


def _reasoning_model(provider: str) -> Any:
    if provider == "fireworks":
        return ChatFireworks(model="gpt-oss-120b", reasoning_effort="low")
    return ChatFirmware(
        model="anthropic/claude-sonnet-4-5-20250929",
        max_tokens=4096,
        thinking={"type": "enabled", "budget_tokens": 2048},
    )


@pytest.mark.parametrize("provider", ["fireworks", "firmware"])
def test_agent_loop_three_turns_parallel_tools_reasoning(
    provider: str, cassette_is_live: bool
) -> None:
    CALLS.clear()
    agent = create_agent(_reasoning_model(provider), tools=[get_weather, get_time])

    # Turn 1: two tools named -> one assistant message with two parallel calls.
    state = agent.invoke({"messages": [HumanMessage("Use get_weather and get_time for 'Paris'.")]})
    messages = state["messages"]
    calling = [m for m in messages if isinstance(m, AIMessage) and m.tool_calls]
    assert len(calling) == 1 and len(calling[0].tool_calls) == 2
    assert sorted(CALLS) == [("get_time", "Paris"), ("get_weather", "Paris")]
    assert {m.tool_call_id for m in messages if isinstance(m, ToolMessage)} == {
        c["id"] for c in calling[0].tool_calls
    }
    final = messages[-1]
    assert isinstance(final, AIMessage) and not final.tool_calls
    assert isinstance(final.content, str) and final.content.strip()
    if not cassette_is_live:  # the double quotes the tool results; a real model paraphrases
        assert "18C and sunny in Paris" in final.content and "14:05 in Paris" in final.content
    # reasoning is exposed the standard way on every model turn
    assert all(
        m.additional_kwargs.get("reasoning_content") for m in messages if isinstance(m, AIMessage)
    )
    assert any(b["type"] == "reasoning" for b in calling[0].content_blocks)

    # Turn 2: the history (with reasoning and tool results) goes back to the API.
    state = agent.invoke({"messages": [*messages, HumanMessage("Now use get_weather for 'Rome'.")]})
    messages = state["messages"]
    assert CALLS[-1] == ("get_weather", "Rome")
    assert isinstance(messages[-1], AIMessage) and not messages[-1].tool_calls
    if not cassette_is_live:
        assert "18C and sunny in Rome" in messages[-1].content

    # Turn 3: no tool needed; a plain answer ends the loop.
    state = agent.invoke({"messages": [*messages, HumanMessage("Thanks! Say goodbye.")]})
    messages = state["messages"]
    assert isinstance(messages[-1], AIMessage) and messages[-1].content
    assert not messages[-1].tool_calls
    assert len(CALLS) == 3
    usage = [m.usage_metadata for m in messages if isinstance(m, AIMessage)]
    assert all(u and u["total_tokens"] > 0 for u in usage)


@pytest.mark.parametrize("provider", ["fireworks", "firmware"])
async def test_agent_streams_tool_calls_async(provider: str) -> None:
    CALLS.clear()
    llm = (
        ChatFireworks(model="kimi-k2-instruct-0905")
        if provider == "fireworks"
        else ChatFirmware(model="openai/gpt-4o")
    )
    agent = create_agent(llm, tools=[get_weather, get_time])
    seen_tokens = 0
    async for token, _meta in agent.astream(
        {"messages": [HumanMessage("Use get_weather and get_time for 'Oslo'.")]},
        stream_mode="messages",
    ):
        if getattr(token, "tool_call_chunks", None) or getattr(token, "content", ""):
            seen_tokens += 1
    assert seen_tokens > 2
    assert sorted(CALLS) == [("get_time", "Oslo"), ("get_weather", "Oslo")]


class Weather(BaseModel):
    city: str
    temperature_c: int


@pytest.mark.parametrize("provider", ["fireworks", "firmware"])
def test_prompt_model_parser_chain(provider: str, cassette_is_live: bool) -> None:
    llm = (
        ChatFireworks(model="kimi-k2-instruct-0905", temperature=0)
        if provider == "fireworks"
        else ChatFirmware(model="openai/gpt-4o", temperature=0)
    )
    prompt = ChatPromptTemplate.from_messages(
        [("system", "You answer in one sentence."), ("human", "What is {topic}?")]
    )
    chain = prompt | llm | StrOutputParser()
    answer = chain.invoke({"topic": "a rainbow"})
    streamed = "".join(chain.stream({"topic": "a rainbow"}))
    answers = chain.batch([{"topic": "fog"}, {"topic": "hail"}])
    assert all(isinstance(a, str) and a.strip() for a in [answer, streamed, *answers])
    assert len(answers) == 2
    if not cassette_is_live:  # the double echoes the topic and answers the same each time
        assert "rainbow" in answer and streamed == answer
        assert "fog" in answers[0] and "hail" in answers[1]

    extract = prompt | llm.with_structured_output(Weather)
    weather = extract.invoke({"topic": "the weather in 'Lisbon' at 21 degrees"})
    assert isinstance(weather, Weather) and weather.city == "Lisbon"
