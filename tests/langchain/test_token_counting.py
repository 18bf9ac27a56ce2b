"""Token counting on the LangChain models: an estimate, no transformers, no network."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    trim_messages,
)
from langchain_core.tools import tool
from langchain_core.utils.function_calling import convert_to_openai_tool

from fw_core.kit import tokens as ft
from langchain_fw import ChatFireworks, ChatFirmware, Fireworks


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return "sunny"


def _history() -> list[BaseMessage]:
    messages: list[BaseMessage] = [SystemMessage("You are a terse assistant.")]
    for i in range(12):
        messages.append(HumanMessage(f"Question {i}: what is the weather in city {i}?"))
        messages.append(
            AIMessage(
                "",
                tool_calls=[{"name": "get_weather", "args": {"city": f"c{i}"}, "id": f"t{i}"}],
            )
        )
        messages.append(ToolMessage(f"sunny, {20 + i} C", tool_call_id=f"t{i}"))
        messages.append(AIMessage(f"It is sunny in city {i}, {20 + i} degrees."))
    return messages


@pytest.fixture(autouse=True)
def no_transformers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Simulate transformers being absent: importing it raises ImportError."""
    monkeypatch.setitem(sys.modules, "transformers", None)  # type: ignore[arg-type]
    yield


MODELS: dict[str, Any] = {
    "fireworks": lambda: ChatFireworks(model="kimi-k2-instruct-0905", api_key="k"),
    "fireworks-small-vocab": lambda: ChatFireworks(model="mixtral-8x22b-instruct", api_key="k"),
    "firmware": lambda: ChatFirmware(model="anthropic/claude-sonnet-4-5-20250929", api_key="k"),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_trim_messages_with_the_model_as_counter(name: str) -> None:
    llm = MODELS[name]()
    history = _history()
    total = llm.get_num_tokens_from_messages(history)
    budget = total // 3
    trimmed = trim_messages(
        history,
        max_tokens=budget,
        token_counter=llm,
        strategy="last",
        include_system=True,
        start_on="human",
    )
    assert 1 < len(trimmed) < len(history)
    assert isinstance(trimmed[0], SystemMessage)
    assert llm.get_num_tokens_from_messages(trimmed) <= budget
    # the kept tail is whole: every tool result follows its call
    assert isinstance(trimmed[1], HumanMessage)


def test_counts_are_the_fw_core_estimate_of_the_wire_messages() -> None:
    llm = ChatFireworks(model="kimi-k2-instruct-0905", api_key="k")
    messages = [HumanMessage("Hello, world!")]
    wire = [{"role": "user", "content": "Hello, world!"}]
    assert llm.get_num_tokens_from_messages(messages) == ft.estimate_message_tokens(
        wire, vocabulary="large"
    )
    assert llm.get_num_tokens("Hello, world!") == ft.estimate_text_tokens(
        "Hello, world!", vocabulary="large"
    )
    # an unknown model's family gets the more conservative rule
    other = ChatFireworks(model="accounts/me/models/my-fine-tune", api_key="k")
    text = "The quick brown fox jumps over the lazy dog."
    assert other.get_num_tokens(text) > llm.get_num_tokens(text)


def test_tools_are_counted() -> None:
    llm = ChatFireworks(model="kimi-k2-instruct-0905", api_key="k")
    messages = [HumanMessage("Weather in Paris?")]
    plain = llm.get_num_tokens_from_messages(messages)
    with_tools = llm.get_num_tokens_from_messages(messages, tools=[get_weather])
    assert with_tools > plain + ft.TOOLS_PREAMBLE
    # the tool's wire schema as a dict counts the same as the tool
    schema = convert_to_openai_tool(get_weather)
    assert llm.get_num_tokens_from_messages(messages, tools=[schema]) == with_tools


def test_tool_calls_and_images_in_messages_are_counted() -> None:
    llm = ChatFirmware(model="openai/gpt-5", api_key="k")
    call = AIMessage(
        "", tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": "t1"}]
    )
    assert llm.get_num_tokens_from_messages([call]) > ft.TOOL_CALL_OVERHEAD
    image = HumanMessage(
        content=[
            {"type": "text", "text": "What is this?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
        ]
    )
    assert llm.get_num_tokens_from_messages([image]) >= ft.IMAGE_TOKENS


def test_no_transformers_import() -> None:
    llm = ChatFireworks(model="kimi-k2-instruct-0905", api_key="k")
    llm.get_num_tokens("Hello")
    llm.get_num_tokens_from_messages(_history(), tools=[get_weather])
    assert sys.modules.get("transformers") is None  # still the blocker: never imported


def test_get_token_ids_needs_a_real_tokenizer() -> None:
    llm = ChatFireworks(model="kimi-k2-instruct-0905", api_key="k")
    with pytest.raises(NotImplementedError, match="custom_get_token_ids"):
        llm.get_token_ids("Hello")


def test_custom_get_token_ids_replaces_the_text_estimate() -> None:
    def one_per_char(text: str) -> list[int]:
        return [ord(c) for c in text]

    llm = ChatFireworks(
        model="kimi-k2-instruct-0905", api_key="k", custom_get_token_ids=one_per_char
    )
    assert llm.get_token_ids("Hi") == [72, 105]
    assert llm.get_num_tokens("Hello") == 5
    assert llm.get_num_tokens_from_messages([HumanMessage("Hello")]) == (
        ft.MESSAGE_OVERHEAD + 5 + ft.REQUEST_OVERHEAD
    )


def test_completions_llm_counts_too() -> None:
    llm = Fireworks(model="llama-v3p1-8b-instruct", api_key="k")
    assert llm.get_num_tokens("Hello, world!") == ft.estimate_text_tokens(
        "Hello, world!", vocabulary="large"
    )
    history = _history()
    total = llm.get_num_tokens_from_messages(history)
    assert total > 0
    assert llm.get_num_tokens_from_messages(history, tools=[get_weather]) > total
    trimmed = trim_messages(history, max_tokens=total // 2, token_counter=llm, strategy="last")
    assert 0 < len(trimmed) < len(history)
    assert llm.get_num_tokens_from_messages(trimmed) <= total // 2
    with pytest.raises(NotImplementedError):
        llm.get_token_ids("Hello")
