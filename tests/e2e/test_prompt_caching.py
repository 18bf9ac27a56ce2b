"""End to end, from cassettes: prompt-cache session affinity in an agent and a chat session.

A LangChain ``create_agent`` run with :class:`FireworksPromptCachingMiddleware` and a
LlamaIndex ``Fireworks(session_id=...)`` chat send ``x-session-affinity`` (docs/wire.md
§1.19) on every turn, and the second turn's usage reports cached prompt tokens.

Recorded with ``FW_RECORD=double`` (see tests/conftest.py); replayed with
``--record-mode=none``. The headers are read off the outgoing requests (httpx event hooks),
the cache counts from the recorded answers.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain.agents import create_agent
from langgraph.checkpoint.memory import InMemorySaver
from llama_index.core.base.llms.types import ChatMessage

from fw_core.kit.affinity import affinity_key
from langchain_fw import ChatFireworks, FireworksPromptCachingMiddleware, cached_token_share
from llamaindex_fw import Fireworks

pytestmark = pytest.mark.vcr

MODEL = "accounts/fireworks/models/deepseek-v3p1"
SYSTEM = "You plan train trips in Europe. Keep answers to two sentences. " * 20


def _capturing_client(sent: list[dict[str, str]]) -> httpx.Client:
    def hook(request: httpx.Request) -> None:
        sent.append({k.lower(): v for k, v in request.headers.items()})

    return httpx.Client(event_hooks={"request": [hook]})


def test_langchain_agent_turns_share_one_affinity_key_and_hit_the_cache() -> None:
    sent: list[dict[str, str]] = []
    agent = create_agent(
        ChatFireworks(model=MODEL, temperature=0, http_client=_capturing_client(sent)),
        tools=[],
        system_prompt=SYSTEM,
        middleware=[FireworksPromptCachingMiddleware()],
        checkpointer=InMemorySaver(),
    )
    config: Any = {"configurable": {"thread_id": "trip-berlin"}}
    answers = []
    for question in ("Berlin to Prague: which train?", "And from Prague to Vienna?"):
        state = agent.invoke({"messages": [{"role": "user", "content": question}]}, config)
        answers.append(state["messages"][-1])
    assert [h.get("x-session-affinity") for h in sent] == [affinity_key("trip-berlin")] * 2
    second = answers[1]
    share = cached_token_share(second)
    assert share is not None and share > 0.5
    assert second.response_metadata["prompt_cache"]["cached_share"] == share


def test_llamaindex_session_turns_share_one_affinity_key_and_hit_the_cache() -> None:
    sent: list[dict[str, str]] = []
    llm = Fireworks(
        model=MODEL, temperature=0, session_id="trip-lyon", http_client=_capturing_client(sent)
    )
    history = [ChatMessage(role="system", content=SYSTEM)]
    usage = []
    for question in ("Lyon to Turin: which train?", "And from Turin to Milan?"):
        history.append(ChatMessage(role="user", content=question))
        response = llm.chat(history)
        history.append(response.message)
        usage.append(response.additional_kwargs)
    assert [h.get("x-session-affinity") for h in sent] == [affinity_key("trip-lyon")] * 2
    assert usage[1]["cached_tokens"] / usage[1]["prompt_tokens"] > 0.5
