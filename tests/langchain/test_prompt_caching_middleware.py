"""FireworksPromptCachingMiddleware: session affinity keyed on the agent run's thread id.

The header and its meaning are Fireworks' (docs/wire.md §1.19,
https://docs.fireworks.ai/guides/prompt-caching); the middleware's contract follows what
langchain-fireworks ships (langchain-ai/langchain#38823): the SHA-256 of
``config["configurable"]["thread_id"]``, the caller's own affinity wins, nothing without a
thread id. The cache-share measurement uses the wire double's prompt-cache model
(``WireDouble(prompt_cache_replicas=4)``), a model of the documented behaviour.
"""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import httpx
import pytest
from langchain.agents import create_agent
from langgraph.checkpoint.memory import InMemorySaver

from fw_core import errors as fe
from fw_core.kit.affinity import affinity_key
from fw_core.testing import WireDouble
from langchain_fw import (
    ChatFireworks,
    ChatFirmware,
    FireworksPromptCachingMiddleware,
    cached_token_share,
)

SYSTEM = "You are a patient travel assistant. Answer in one sentence. " * 30


def _model(double: WireDouble, cls: type = ChatFireworks, **options: Any) -> Any:
    model = "accounts/fireworks/models/deepseek-v3p1" if cls is ChatFireworks else "openai/gpt-4o"
    return cls(
        model=model,
        api_key="test-key",
        http_client=httpx.Client(transport=double.transport()),
        http_async_client=httpx.AsyncClient(transport=double.async_transport()),
        **options,
    )


def _agent(model: Any, **middleware_options: Any) -> Any:
    middleware = [FireworksPromptCachingMiddleware(**middleware_options)]
    return create_agent(
        model, tools=[], system_prompt=SYSTEM, middleware=middleware, checkpointer=InMemorySaver()
    )


def _ask(agent: Any, thread: str | None, text: str = "Best month for Lisbon?") -> Any:
    config = {"configurable": {"thread_id": thread}} if thread is not None else {}
    return agent.invoke({"messages": [{"role": "user", "content": text}]}, config)


def test_the_header_is_keyed_on_the_thread_id_and_differs_between_threads() -> None:
    double = WireDouble()
    agent = _agent(_model(double))
    for thread in ("thread-a", "thread-b", "thread-a"):
        _ask(agent, thread)
    sent = [r.headers.get("x-session-affinity") for r in double.requests]
    assert sent == [affinity_key("thread-a"), affinity_key("thread-b"), affinity_key("thread-a")]
    assert sent[0] != sent[1]
    assert all("thread-a" not in r.headers.get("x-session-affinity", "") for r in double.requests)


def test_async_runs_send_the_header_too() -> None:
    double = WireDouble()
    agent = _agent(_model(double))
    asyncio.run(
        agent.ainvoke(
            {"messages": [{"role": "user", "content": "hi"}]},
            {"configurable": {"thread_id": "t-async"}},
        )
    )
    assert double.requests[-1].headers["x-session-affinity"] == affinity_key("t-async")


def test_no_thread_id_no_header() -> None:
    double = WireDouble()
    create_agent(_model(double), tools=[], middleware=[FireworksPromptCachingMiddleware()]).invoke(
        {"messages": [{"role": "user", "content": "hi"}]}
    )
    assert "x-session-affinity" not in double.requests[-1].headers


@pytest.mark.parametrize(
    "options",
    [
        {"extra_headers": {"X-Session-Affinity": "mine"}},
        {"default_headers": {"x-session-affinity": "mine"}},
        {"prompt_cache_key": "mine"},
        {"user": "mine"},
    ],
    ids=["extra_headers", "default_headers", "prompt_cache_key", "user"],
)
def test_the_callers_own_affinity_wins(options: dict[str, Any]) -> None:
    double = WireDouble()
    _ask(_agent(_model(double, **options)), "thread-a")
    header = double.requests[-1].headers.get("x-session-affinity")
    assert header in (None, "mine")
    assert header != affinity_key("thread-a")


def test_other_models_are_left_alone_or_refused_as_asked() -> None:
    double = WireDouble()
    _ask(_agent(_model(double, ChatFirmware)), "thread-a")
    assert "x-session-affinity" not in double.requests[-1].headers
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        _ask(_agent(_model(double, ChatFirmware), unsupported_model_behavior="warn"), "t")
    assert any("not a ChatFireworks" in str(w.message) for w in seen)
    with pytest.raises(fe.ConfigurationError, match="not a ChatFireworks"):
        _ask(_agent(_model(double, ChatFirmware), unsupported_model_behavior="raise"), "t")
    with pytest.raises(fe.ConfigurationError, match="unsupported_model_behavior"):
        FireworksPromptCachingMiddleware(unsupported_model_behavior="maybe")  # type: ignore[arg-type]


def test_each_answer_reports_its_cached_share() -> None:
    double = WireDouble()
    agent = _agent(_model(double))
    first = _ask(agent, "thread-a")["messages"][-1]
    second = _ask(agent, "thread-a", "And for Porto?")["messages"][-1]
    report = second.response_metadata["prompt_cache"]
    assert report["affinity_key"] == affinity_key("thread-a")
    usage = second.usage_metadata
    assert report["prompt_tokens"] == usage["input_tokens"]
    assert report["cached_tokens"] == usage["input_token_details"]["cache_read"] > 0
    assert report["cached_share"] == cached_token_share(second)
    assert first.response_metadata["prompt_cache"]["cached_share"] == 0
    no_report = _agent(_model(double), report_share=False)
    assert "prompt_cache" not in _ask(no_report, "t")["messages"][-1].response_metadata


def _mean_share(*, with_middleware: bool) -> float:
    """Three threads, three turns each, interleaved, on a 4-replica prompt-cache model."""
    double = WireDouble(prompt_cache_replicas=4)
    middleware = [FireworksPromptCachingMiddleware()] if with_middleware else []
    agent = create_agent(
        _model(double),
        tools=[],
        system_prompt=SYSTEM,
        middleware=middleware,
        checkpointer=InMemorySaver(),
    )
    shares = []
    for turn in range(3):
        for thread in ("t1", "t2", "t3"):
            answer = _ask(agent, thread, f"Turn {turn} question from {thread}?")["messages"][-1]
            if turn > 0:
                shares.append(cached_token_share(answer) or 0.0)
    return sum(shares) / len(shares)


def test_affinity_raises_the_cached_share_on_a_replicated_cache() -> None:
    with_affinity = _mean_share(with_middleware=True)
    without = _mean_share(with_middleware=False)
    # every later turn finds all but its new question cached on its thread's replica;
    # round-robin finds only what some earlier request left on the replica it reaches
    assert with_affinity > 0.85
    assert with_affinity > without + 0.15
