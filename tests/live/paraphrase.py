"""A pytest plugin that makes the wire double word its answers differently (scratch runs).

``-p tests.live.paraphrase`` replaces the double's free text (the reply that quotes the
prompt's key words, the reasoning line, the sentence quoting tool results) with fixed
wording that echoes nothing, the way a real model paraphrases. Structure is unchanged:
tool calls, JSON from schemas, vectors, scores and usage stay what the double computes.
Used to show that tests pass on cassettes marked ``live`` (docs/live_check.md, "Live
cassettes"); never loaded by ``make test``.

Example:
    >>> paraphrase_reply("What is the capital of France?")
    'Here is an answer in words of its own, quoting nothing from the question.'
    >>> paraphrase_reply("x", n_words=3)
    'word word word'
"""

from __future__ import annotations

from typing import Any

import pytest

from fw_core.testing import generate, plan

__all__ = ["paraphrase_reasoning", "paraphrase_reply", "paraphrase_tool_results"]


def paraphrase_reply(prompt: str, *, n_words: int | None = None) -> str:
    """A reply that shares no word with ``prompt`` (exactly ``n_words`` words when given)."""
    if n_words is not None:
        return " ".join(["word"] * max(n_words, 0))
    return "Here is an answer in words of its own, quoting nothing from the question."


def paraphrase_reasoning(prompt: str) -> str:
    """Reasoning text that shares no word with ``prompt``."""
    return "Let me think this through step by step before replying."


def paraphrase_tool_results(messages: list[Any]) -> str:
    """The answer after tool results, without quoting them."""
    return "Both lookups came back, and I have summarised them for you."


def pytest_configure(config: pytest.Config) -> None:
    plan.reply_text = paraphrase_reply  # type: ignore[assignment]
    plan.reasoning_text = paraphrase_reasoning  # type: ignore[assignment]
    plan._tool_results_text = paraphrase_tool_results  # type: ignore[assignment]
    generate.reply_text = paraphrase_reply  # type: ignore[assignment]
