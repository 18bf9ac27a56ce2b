"""The double's pure parts: generated text, JSON from schemas, scores, validation, script."""

from __future__ import annotations

import pytest

from fw_core.testing import SCRIPTED, Plan, ScriptedReply, register
from fw_core.testing.generate import (
    count_tokens,
    embed_text,
    json_from_schema,
    overlap_score,
    split_pieces,
)
from fw_core.testing.plan import choose_tool_calls, reasoning_requested
from fw_core.testing.script import find_scripted
from fw_core.testing.validation import check_chat, check_embeddings, check_rerank


@pytest.mark.parametrize("text", ["", "one", "a few words here", "x  y\n\nz ", "word " * 50])
@pytest.mark.parametrize("n", [None, 1, 3, 7])
def test_split_pieces_join_back_to_the_text(text: str, n: int | None) -> None:
    pieces = split_pieces(text, n)
    assert "".join(pieces) == text
    assert all(pieces)
    if n is not None and text.split():
        assert len(pieces) == min(n, len(text.split()))


def test_json_from_schema_handles_refs_recursion_and_enums() -> None:
    schema = {
        "type": "object",
        "properties": {
            "kind": {"enum": ["cat", "dog"]},
            "node": {"$ref": "#/$defs/Node"},
            "score": {"type": "number"},
            "ok": {"type": "boolean"},
        },
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "child": {"$ref": "#/$defs/Node"}},
            }
        },
    }
    value = json_from_schema(schema, "My dog scored 4.5 points")
    assert value["kind"] == "dog" and value["score"] == 4.5 and value["ok"] is True
    depth, node = 0, value["node"]
    while isinstance(node, dict) and "child" in node:  # recursion is bounded
        depth, node = depth + 1, node["child"]
    assert depth < 10


def test_overlap_score_orders_by_shared_words_and_stays_in_range() -> None:
    q = "solar panel efficiency"
    scores = [
        overlap_score(q, d)
        for d in ("solar panel efficiency explained", "solar power", "banana bread")
    ]
    assert scores[0] > scores[1] > scores[2] == 0.0
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_embeddings_are_deterministic_and_word_based() -> None:
    assert embed_text("red apples", 64) == embed_text("red apples", 64)
    assert embed_text("red apples", 64) == embed_text("apples red", 64)
    assert embed_text("red apples", 64) != embed_text("green pears", 64)


def test_count_tokens_counts_words_and_punctuation() -> None:
    assert count_tokens("") == 0
    assert count_tokens("Hi, you!") == 4


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"model": "accounts/fireworks/models/gpt-oss-20b"}, True),
        ({"model": "accounts/fireworks/models/deepseek-r1-0528"}, True),
        ({"model": "accounts/fireworks/models/deepseek-v3p1"}, False),
        ({"model": "accounts/fireworks/models/deepseek-v3p1", "reasoning_effort": "high"}, True),
        ({"model": "qwen/qwen3-32b", "reasoning_effort": "none"}, False),
        ({"model": "anthropic/claude-opus-4-5", "thinking": {"type": "enabled"}}, True),
        ({"model": "accounts/fireworks/models/llama-v3p1-8b-instruct"}, False),
    ],
)
def test_reasoning_requested(body: dict[str, object], expected: bool) -> None:
    assert reasoning_requested(body) is expected


def test_tool_names_match_whole_words_only() -> None:
    tools = [{"type": "function", "function": {"name": "add"}}]
    body = {"tools": tools, "messages": []}
    assert choose_tool_calls(body, "what is my address") == []
    assert [c.name for c in choose_tool_calls(body, "please add 2 and 3")] == ["add"]


def test_validation_messages() -> None:
    ok = {"model": "m", "messages": [{"role": "user", "content": "x"}]}
    assert check_chat("fireworks", ok) is None
    bad = check_chat("fireworks", {**ok, "messages": [{"role": "wizard", "content": "x"}]})
    assert bad is not None and "role" in bad.message
    tool = check_chat("firmware", {**ok, "messages": [{"role": "tool", "content": "x"}]})
    assert tool is not None and "tool_call_id" in tool.message
    assert check_embeddings("fireworks", {"model": "m", "input": []}) is not None
    assert check_embeddings("firmware", {"model": "m", "input": "x", "dimensions": 0})
    assert check_rerank("firmware", {"query": "q", "documents": ["d"]}) is not None
    assert check_rerank("fireworks", {"query": "q", "documents": ["d"], "top_n": 0})


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"reasoning_effort": "low", "thinking": {"type": "enabled"}}, "together"),
        (
            {"model": "accounts/fireworks/models/gpt-oss-120b", "reasoning_effort": "none"},
            "Invalid reasoning effort: none",
        ),
        (
            {"model": "accounts/fireworks/models/gpt-oss-120b", "reasoning_effort": False},
            "Invalid reasoning effort",
        ),
    ],
)
def test_fireworks_reasoning_rules(extra: dict[str, object], message: str) -> None:
    body = {
        "model": "accounts/fireworks/models/qwen3-235b-a22b",
        "messages": [{"role": "user", "content": "x"}],
        **extra,
    }
    bad = check_chat("fireworks", body)
    assert bad is not None and message in bad.message
    assert (
        check_chat(
            "fireworks",
            {
                **body,
                "reasoning_effort": "low",
                "thinking": None,
                "model": "accounts/fireworks/models/gpt-oss-120b",
            },
        )
        is None
    )


def test_register_appends_a_scripted_reply_and_refuses_duplicates() -> None:
    entry = ScriptedReply(
        name="test-only greeting",
        needed_by="tests/unit/test_double_generate.py",
        matches=lambda provider, body: (
            body.get("messages") == [{"role": "user", "content": "secret handshake"}]
        ),
        reply=lambda provider, body: Plan(content="handshake accepted"),
    )
    register(entry)
    try:
        body = {"messages": [{"role": "user", "content": "secret handshake"}]}
        assert find_scripted("firmware", body) is entry
        assert (
            find_scripted("firmware", {"messages": [{"role": "user", "content": "hi"}]})
            is not entry
        )
        with pytest.raises(ValueError, match="already exists"):
            register(entry)
    finally:
        SCRIPTED.remove(entry)
    assert all(e.needed_by for e in SCRIPTED)  # every entry says who needs it
