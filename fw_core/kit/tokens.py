"""A conservative token ESTIMATE for text and chat requests, with no tokenizer and no network.

The served models use many tokenizers (Llama, Qwen, DeepSeek, Kimi, Mixtral, GLM, and the
OpenAI, Anthropic and Google ones behind Firmware) and none of them ships with this
package. This module counts without any of them: it cuts text into pieces by a fixed rule
and gives each piece a number of tokens chosen so that the sum is **at least** what the
real tokenizers count. It is an estimate built to over-count, so that a history trimmed to
a budget by it fits the context window; it is never exact, and it is not a tokenizer (it
gives counts, not token ids).

The rule (integers only, deterministic, the same on every machine):

* a run of Latin letters and digits is cut at case changes (``getNumTokens`` -> ``get``,
  ``Num``, ``Tokens``); a lowercase or capitalised piece of ``n`` letters costs
  ``ceil(n / k)``, an all-capitals piece ``ceil(n / 2)``, every digit 1. ``k`` is 4 for
  the ``"large"`` vocabulary rule and 2 for the ``"small"`` one (:func:`vocabulary_for`);
  in a word with accented letters ``k`` drops by one (not below 2) and each accented
  letter costs 1;
* a run of 8 or more letters and digits that changes between lowercase, capitals and
  digits at least every third character (base64, hashes, keys) costs 1 per character;
* every ASCII punctuation mark, line break and control character costs 1;
* a single blank costs nothing before a letter and 1 elsewhere; a longer run of blanks
  costs ``ceil(n / 4)``;
* another non-ASCII character costs by its script: 1 for Cyrillic and Latin symbols,
  1.5 for the rest of the two-byte range (Greek, Hebrew, Arabic, ...), 2 for CJK, kana,
  Hangul, Indic scripts, Thai and most symbols, 4 for emoji and other four-byte ones;
* the sum, rounded up, is raised by one eighth (rounded up) as a margin.

A chat request adds, per message, :data:`MESSAGE_OVERHEAD` tokens for the role markers a
chat template wraps around it; :data:`REQUEST_OVERHEAD` once for the reply's opening
markers; per tool call its name and JSON arguments plus :data:`TOOL_CALL_OVERHEAD`; per
tool definition its JSON plus :data:`TOOL_OVERHEAD`, and :data:`TOOLS_PREAMBLE` once when
any tool is given; and :data:`IMAGE_TOKENS` per image, a fixed cost, since the real one
depends on the image's size and the model's vision encoder.

What it cannot see: a system prompt that a model's chat template adds on the server
(some templates add a default one or a date line). Keep the answer's ``max_tokens`` and a
little headroom outside the budget you trim to.

The measured error (docs/langchain_chat.md, "Counting tokens"): on README and docs
prose, Python, JSON bodies and translated messages in 27 languages, against 12 real
tokenizers, the estimate never fell below the real count; it over-counts English prose
about 1.8x (``"large"``) to 2.4x (``"small"``), and some scripts far more.

Example:
    >>> estimate_text_tokens("Hello, world!")
    9
    >>> estimate_text_tokens("")
    0
    >>> estimate_message_tokens([{"role": "user", "content": "Hello, world!"}])
    25
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from itertools import pairwise
from typing import Any, Literal

__all__ = [
    "IMAGE_TOKENS",
    "MESSAGE_OVERHEAD",
    "REQUEST_OVERHEAD",
    "TOOLS_PREAMBLE",
    "TOOL_CALL_OVERHEAD",
    "TOOL_OVERHEAD",
    "TextCounter",
    "Vocabulary",
    "estimate_message_tokens",
    "estimate_text_tokens",
    "estimate_tool_tokens",
    "vocabulary_for",
]

Vocabulary = Literal["large", "small"]
"""Which letter rule to use: see :func:`vocabulary_for`."""

TextCounter = Callable[[str], int]
"""A function giving the number of tokens of a text (the estimate, or a real tokenizer)."""

MESSAGE_OVERHEAD = 8
"""Tokens per message for the role and the markers a chat template puts around it
(Llama 3, ChatML, Harmony and Kimi templates use 4 to 6)."""
REQUEST_OVERHEAD = 8
"""Tokens per request for the markers that open the assistant's reply."""
TOOL_CALL_OVERHEAD = 12
"""Tokens per tool call for its markers and id, beside its name and arguments."""
TOOL_OVERHEAD = 12
"""Tokens per tool definition beside its JSON."""
TOOLS_PREAMBLE = 160
"""Tokens once per request with tools: the instructions a template writes around them."""
IMAGE_TOKENS = 2048
"""Tokens per image: a fixed cost, since the real one depends on the image's size and the
model (about 250 to 1,600 for one image at the usual limits; models that tile large
images can use more)."""

# Costs are counted in quarter tokens, so that a character can cost 1.5 tokens.
_Q = 4
# One match per letter-and-digit run (Latin letters), run of blanks, or other character.
_PIECE = re.compile(
    r"(?P<alnum>[A-Za-z0-9\u00c0-\u024f]+)|(?P<blank>[ \t]+)|(?P<char>.)", re.DOTALL
)
# Inside a run: Word, word, ACRONYM (its last capital may start a Word), digit.
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]")
_ASCII_OR_NOT = re.compile(r"[A-Za-z0-9]+|[^A-Za-z0-9]+")
_NOISE_MIN = 8  # a run at least this long whose character kind changes every 3 characters
_MARGIN_DIVISOR = 8  # the final margin: + ceil(sum / 8)
_LETTERS_PER_TOKEN: dict[Vocabulary, int] = {"large": 4, "small": 2}

# Model families whose tokenizers have large vocabularies (100k entries and more), by a
# part of the model id. Llama 2, Mistral's and Mixtral's 32k vocabularies, Anthropic's
# tokenizers and any model not named here get the "small" rule.
_LARGE_VOCABULARY_FAMILIES = (
    "llama-v3",
    "llama4",
    "qwen",
    "deepseek",
    "kimi",
    "glm",
    "minimax",
    "gpt-oss",
    "gpt-4o",
    "gpt-4.1",
    "gpt-5",
    "gemini",
    "grok",
)


def vocabulary_for(model: str | None) -> Vocabulary:
    """Which rule fits ``model``: ``"large"`` for the families known to use tokenizers of
    100k entries and more, ``"small"`` (the more conservative one) for the rest.

    Args:
        model: A model id, with or without its ``accounts/.../models/`` prefix.

    Returns:
        ``"large"`` or ``"small"``.

    Example:
        >>> vocabulary_for("accounts/fireworks/models/kimi-k3")
        'large'
        >>> vocabulary_for("mixtral-8x22b-instruct"), vocabulary_for(None)
        ('small', 'small')
    """
    name = (model or "").rsplit("/", 1)[-1].lower()
    return "large" if any(f in name for f in _LARGE_VOCABULARY_FAMILIES) else "small"


def _kind(char: str) -> int:
    return 0 if char.isdigit() else 1 if char.islower() else 2


def _alnum_quarters(run: str, letters_per_token: int) -> int:
    if run.isascii():
        return _ascii_quarters(run, letters_per_token)
    # a word with accented letters: its language is rarer in vocabularies than English,
    # so its plain letters cost more too
    total = 0
    for part in _ASCII_OR_NOT.findall(run):
        if part.isascii():
            total += _ascii_quarters(part, max(2, letters_per_token - 1))
        else:
            total += _Q * len(part)
    return total


def _ascii_quarters(run: str, letters_per_token: int) -> int:
    size = len(run)
    if size >= _NOISE_MIN:
        changes = sum(_kind(a) != _kind(b) for a, b in pairwise(run))
        if 3 * changes >= size:
            # base64, hashes, keys: tokenizers cut these into very short pieces
            return _Q * size
    total = 0
    for piece in _WORD.findall(run):
        if piece.isdigit():
            total += _Q
        elif piece.isupper():
            total += _Q * -(-len(piece) // 2)
        else:
            total += _Q * -(-len(piece) // letters_per_token)
    return total


def _char_quarters(char: str) -> int:
    code = ord(char)
    if code < 0x80:
        return _Q  # punctuation, line break, control character
    if code < 0x250 or 0x400 <= code < 0x530:
        return _Q  # Latin-1 and Latin Extended symbols, Cyrillic
    if code < 0x800:
        return _Q * 3 // 2  # Greek, Armenian, Hebrew, Arabic, IPA, combining marks, ...
    if code < 0x10000:
        return _Q * 2  # CJK, kana, Hangul, Indic scripts, Thai, most symbols
    return _Q * 4  # emoji, rare CJK


def estimate_text_tokens(text: str, *, vocabulary: Vocabulary = "small") -> int:
    """A conservative estimate of the number of tokens in ``text`` (see the module doc).

    Args:
        text: Any text.
        vocabulary: ``"small"`` (default) over-counts for every tokenizer measured;
            ``"large"`` is tighter and fits tokenizers of 100k entries and more (see
            :func:`vocabulary_for`).

    Returns:
        The estimate: 0 for an empty text, otherwise at least 1.

    Example:
        >>> text = "The quick brown fox jumps over the lazy dog."
        >>> estimate_text_tokens(text), estimate_text_tokens(text, vocabulary="large")
        (25, 15)
    """
    letters_per_token = _LETTERS_PER_TOKEN[vocabulary]
    quarters = 0
    for match in _PIECE.finditer(text):
        kind = match.lastgroup
        if kind == "alnum":
            quarters += _alnum_quarters(match.group(), letters_per_token)
        elif kind == "blank":
            size = match.end() - match.start()
            if size > 1:
                quarters += _Q * -(-size // 4)
            elif not text[match.end() : match.end() + 1].isalpha():
                quarters += _Q  # a lone blank before a digit or a mark is its own token
        else:
            quarters += _char_quarters(match.group())
    raw = -(-quarters // _Q)
    return raw + -(-raw // _MARGIN_DIVISOR)


def _content_tokens(content: Any, count: TextCounter, image_tokens: int) -> int:
    if content is None:
        return 0
    if isinstance(content, str):
        return count(content)
    if isinstance(content, Mapping):
        content = [content]
    total = 0
    for part in content:
        if isinstance(part, str):
            total += count(part)
        elif isinstance(part, Mapping):
            kind = part.get("type")
            if kind == "text":
                total += count(str(part.get("text") or ""))
            elif kind == "image_url" or kind == "image":
                total += image_tokens
            else:
                # audio, files, anything else: their wire form as text, a stand-in
                total += count(json.dumps(part, ensure_ascii=False, sort_keys=True))
    return total


def _tool_calls_tokens(calls: Iterable[Any], count: TextCounter) -> int:
    total = 0
    for call in calls:
        if not isinstance(call, Mapping):
            continue
        function = call.get("function") or {}
        arguments = function.get("arguments") or ""
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments, ensure_ascii=False)
        total += TOOL_CALL_OVERHEAD + count(str(function.get("name") or "")) + count(arguments)
    return total


_SKIPPED_KEYS = frozenset({"role", "content", "tool_calls"})


def estimate_message_tokens(
    messages: Sequence[Mapping[str, Any]],
    *,
    tools: Sequence[Mapping[str, Any]] | None = None,
    count_text: TextCounter | None = None,
    vocabulary: Vocabulary = "small",
    image_tokens: int = IMAGE_TOKENS,
) -> int:
    """A conservative estimate of the prompt tokens of a chat request.

    Args:
        messages: The messages in wire form (``{"role": ..., "content": ...}`` dicts, as
            the chat completions API takes them), tool calls and tool results included.
        tools: Tool definitions in wire form (``{"type": "function", "function": ...}``),
            counted as their JSON plus fixed costs.
        count_text: What counts a text; :func:`estimate_text_tokens` by default. Pass a
            real tokenizer's count to keep only the fixed costs estimated.
        vocabulary: The letter rule of the default counter (see :func:`vocabulary_for`).
        image_tokens: Tokens counted per image part.

    Returns:
        The estimate; 0 for no messages and no tools.

    Example:
        >>> estimate_message_tokens(
        ...     [{"role": "user", "content": [{"type": "text", "text": "What is this?"},
        ...      {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}]
        ... )
        2071
    """
    count = count_text or partial(estimate_text_tokens, vocabulary=vocabulary)
    total = 0
    for message in messages:
        total += MESSAGE_OVERHEAD
        total += _content_tokens(message.get("content"), count, image_tokens)
        total += _tool_calls_tokens(message.get("tool_calls") or (), count)
        for key, value in message.items():
            # name, tool_call_id, reasoning_content, ...: text the template may render
            if key not in _SKIPPED_KEYS and isinstance(value, str):
                total += count(value)
    if tools:
        total += estimate_tool_tokens(tools, count_text=count)
    if total:
        total += REQUEST_OVERHEAD
    return total


def estimate_tool_tokens(
    tools: Sequence[Mapping[str, Any]],
    *,
    count_text: TextCounter | None = None,
    vocabulary: Vocabulary = "small",
) -> int:
    """A conservative estimate of the tokens that tool definitions add to a prompt.

    Args:
        tools: Tool definitions in wire form.
        count_text: What counts a text; :func:`estimate_text_tokens` by default.
        vocabulary: The letter rule of the default counter (see :func:`vocabulary_for`).

    Returns:
        0 for no tools, otherwise :data:`TOOLS_PREAMBLE` plus each tool's JSON and
        :data:`TOOL_OVERHEAD`.

    Example:
        >>> estimate_tool_tokens([]), estimate_tool_tokens(
        ...     [{"type": "function", "function": {"name": "add", "parameters": {}}}]) > 160
        (0, True)
    """
    if not tools:
        return 0
    count = count_text or partial(estimate_text_tokens, vocabulary=vocabulary)
    total = TOOLS_PREAMBLE
    for tool in tools:
        total += TOOL_OVERHEAD + count(json.dumps(tool, ensure_ascii=False, sort_keys=True))
    return total
