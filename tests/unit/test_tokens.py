"""fw_core.kit.tokens: the conservative token estimate (no tokenizer, no network)."""

from __future__ import annotations

import base64
import json
import os
import random
from pathlib import Path

import pytest

from fw_core.kit import tokens as ft
from fw_core.kit.tokens import (
    estimate_message_tokens,
    estimate_text_tokens,
    estimate_tool_tokens,
    vocabulary_for,
)
from fw_core.model_table import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]

# Real text of several kinds; translations are standard UI strings.
# ruff: noqa: RUF001
SAMPLES = {
    "prose": (ROOT / "README.md").read_text()[:6000],
    "docs": (ROOT / "docs" / "architecture.md").read_text()[:6000],
    "code": (ROOT / "fw_core" / "endpoints" / "chat.py").read_text()[:6000],
    "json": json.dumps(
        {
            "model": DEFAULTS["chat"],
            "messages": [{"role": "user", "content": "What is the weather in Paris?"}],
            "tools": [{"type": "function", "function": {"name": "get_weather"}}],
            "usage": {"prompt_tokens": 1234, "completion_tokens": 56},
        }
    ),
    "chinese": "文件已保存。无法打开文件：权限不足。请检查网络连接后重试。" * 4,
    "russian": "Не удалось открыть файл: недостаточно прав. Проверьте подключение." * 4,
    "greek": "Δεν ήταν δυνατό το άνοιγμα του αρχείου: δεν επαρκούν τα δικαιώματα." * 4,
    "polish": "Nie można otworzyć pliku: niewystarczające uprawnienia. Sprawdź połączenie." * 4,
    "base64": base64.b64encode(random.Random(3).randbytes(600)).decode(),
    "emoji": "🎉🚀✨ done 👍🏽 ok 🔥" * 10,
}


def test_empty_and_trivial() -> None:
    assert estimate_text_tokens("") == 0
    assert estimate_text_tokens("a") >= 1
    assert estimate_message_tokens([]) == 0
    assert estimate_tool_tokens([]) == 0


def test_deterministic_and_additive_enough() -> None:
    text = SAMPLES["prose"]
    assert estimate_text_tokens(text) == estimate_text_tokens(text)
    half = len(text) // 2
    # cutting a text in two never makes the whole count more than the parts plus margin
    assert estimate_text_tokens(text) <= (
        estimate_text_tokens(text[:half]) + estimate_text_tokens(text[half:]) + 2
    )


def test_small_vocabulary_rule_is_the_more_conservative() -> None:
    for text in SAMPLES.values():
        assert estimate_text_tokens(text) >= estimate_text_tokens(text, vocabulary="large")


@pytest.mark.parametrize(
    ("model", "vocabulary"),
    [
        (DEFAULTS["chat"], "large"),  # kimi
        (DEFAULTS["small"], "large"),  # gpt-oss
        (DEFAULTS["reasoning"], "large"),  # glm
        ("accounts/fireworks/models/qwen3-235b-a22b", "large"),
        ("accounts/fireworks/models/deepseek-v3p1", "large"),
        ("openai/gpt-5", "large"),
        ("accounts/fireworks/models/mixtral-8x22b-instruct", "small"),
        ("anthropic/claude-sonnet-4-5-20250929", "small"),
        ("some-unknown-model", "small"),
        (None, "small"),
    ],
)
def test_vocabulary_for(model: str | None, vocabulary: str) -> None:
    assert vocabulary_for(model) == vocabulary


def _tiktoken_encodings() -> list[object]:
    """The OpenAI encodings llama-index-core ships a copy of (read offline)."""
    tiktoken = pytest.importorskip("tiktoken")
    core = pytest.importorskip("llama_index.core")
    cache = Path(core.__file__).parent / "_static" / "tiktoken_cache"
    if not cache.is_dir():
        pytest.skip("llama-index-core ships no tiktoken cache")
    old = os.environ.get("TIKTOKEN_CACHE_DIR")
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    try:
        return [tiktoken.get_encoding(name) for name in ("cl100k_base", "o200k_base")]
    except Exception as error:  # no copy of one of them: nothing to compare with
        pytest.skip(f"tiktoken encoding unavailable offline: {error}")
    finally:
        if old is None:
            del os.environ["TIKTOKEN_CACHE_DIR"]
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = old


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_never_below_real_tokenizers_on_real_text(kind: str) -> None:
    # The full measurement (12 tokenizers, 450 texts) is in docs/langchain_chat.md; here
    # the two real tokenizers available offline keep the rule honest.
    text = SAMPLES[kind]
    for encoding in _tiktoken_encodings():
        real = len(encoding.encode_ordinary(text))  # type: ignore[attr-defined]
        assert estimate_text_tokens(text, vocabulary="large") >= real
        assert estimate_text_tokens(text) >= real


def test_message_overheads_tool_calls_and_extra_fields() -> None:
    user = {"role": "user", "content": "Hello"}
    one = estimate_message_tokens([user])
    assert one == ft.MESSAGE_OVERHEAD + estimate_text_tokens("Hello") + ft.REQUEST_OVERHEAD
    two = estimate_message_tokens([user, user])
    assert two == one + ft.MESSAGE_OVERHEAD + estimate_text_tokens("Hello")

    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
    }
    assistant = {"role": "assistant", "content": None, "tool_calls": [call]}
    tool = {"role": "tool", "tool_call_id": "call_1", "content": '{"temp": 21}'}
    with_calls = estimate_message_tokens([user, assistant, tool])
    expected_calls = (
        ft.TOOL_CALL_OVERHEAD
        + estimate_text_tokens("get_weather")
        + estimate_text_tokens('{"city": "Paris"}')
    )
    assert with_calls == (
        one
        + 2 * ft.MESSAGE_OVERHEAD
        + expected_calls
        + estimate_text_tokens("call_1")
        + estimate_text_tokens('{"temp": 21}')
    )
    # replayed reasoning is text the server sees
    thinking = {"role": "assistant", "content": "ok", "reasoning_content": "Let me think."}
    assert estimate_message_tokens([thinking]) > estimate_message_tokens(
        [{"role": "assistant", "content": "ok"}]
    )


def test_tools_and_images_are_counted() -> None:
    user = [{"role": "user", "content": "Weather in Paris?"}]
    tool = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
    plain = estimate_message_tokens(user)
    assert estimate_message_tokens(user, tools=[tool]) == plain + estimate_tool_tokens([tool])
    assert estimate_tool_tokens([tool]) > ft.TOOLS_PREAMBLE + ft.TOOL_OVERHEAD

    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64," + "A" * 5000}}
    parts = [{"role": "user", "content": [{"type": "text", "text": "What is it?"}, image]}]
    counted = estimate_message_tokens(parts)
    assert (
        counted
        == estimate_message_tokens([{"role": "user", "content": "What is it?"}]) + ft.IMAGE_TOKENS
    )
    assert estimate_message_tokens(parts, image_tokens=100) == counted - ft.IMAGE_TOKENS + 100


def test_a_real_tokenizer_can_replace_the_text_estimate() -> None:
    words = len  # a stand-in tokenizer: one token per character
    messages = [{"role": "user", "content": "Hello"}]
    assert estimate_message_tokens(messages, count_text=words) == (
        ft.MESSAGE_OVERHEAD + 5 + ft.REQUEST_OVERHEAD
    )
