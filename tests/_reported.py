"""Fireworks stream bodies rebuilt from the raw chunks quoted in public bug reports.

Each builder returns the SSE bytes of one streamed answer in the form the real API sends
(``data: <compact JSON>`` events, ``data: [DONE]``; the form of the real captures in
``tests/data/real_captures/``). Field names, ids, model ids and the repeating pattern are
the facts the report quotes; what a report leaves out (how the arguments were cut into
pieces, the finish chunk) is filled in the plain OpenAI way and said so. The quirks and
what we do about them: docs/wire.md §8.

>>> body = glm_repeated_tool_fields()
>>> body.count(b'"id":"chatcmpl-tool-aa62"'), body.count(b'"name":"debug_tool"')
(4, 4)
"""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "GLM_ARGS",
    "KIMI_ARGS",
    "WEATHER_ARGS",
    "glm_repeated_tool_fields",
    "kimi_repeated_name",
    "sse_body",
    "tool_args_null",
    "weather_repeated_id",
]


def sse_body(*frames: dict[str, Any]) -> bytes:
    """The frames as the API streams them: compact JSON events, then ``[DONE]``."""
    out = [b"data: " + json.dumps(f, separators=(",", ":")).encode() + b"\n\n" for f in frames]
    out.append(b"data: [DONE]\n\n")
    return b"".join(out)


def _pieces(text: str, n: int) -> list[str]:
    size = -(-len(text) // n)
    return [text[i : i + size] for i in range(0, len(text), size)]


# SillyTavern PR 5948 (and its first version, PR 5827) quotes raw chunks received from
# Fireworks for ``accounts/fireworks/models/glm-5p2``: every tool-call fragment repeats
# ``id`` ("chatcmpl-tool-aa62"), ``type`` ("function") and ``function.name`` ("debug_tool"),
# the fragment also carries a top-level ``"name": null``, each choice ``"raw_output": null``
# and each chunk ``"usage": null``; the merged id in the report is the id four times over.
GLM_ARGS = '{"message": "ping"}'


def glm_repeated_tool_fields() -> bytes:
    """glm-5p2 on Fireworks: id, type and name on all four fragments of one call.

    Source: https://github.com/SillyTavern/SillyTavern/pull/5948 (the chunk shape and
    values); the arguments text and the finish chunk are ours.
    """
    head = {
        "id": "chatcmpl-b7de",
        "object": "chat.completion.chunk",
        "created": 1783459695,
        "model": "accounts/fireworks/models/glm-5p2",
    }
    frames = []
    for piece in ["", *_pieces(GLM_ARGS, 3)]:
        call = {
            "index": 0,
            "id": "chatcmpl-tool-aa62",
            "type": "function",
            "function": {"name": "debug_tool", "arguments": piece},
            "name": None,
        }
        choice = {
            "index": 0,
            "delta": {"tool_calls": [call]},
            "finish_reason": None,
            "raw_output": None,
        }
        frames.append({**head, "choices": [choice], "usage": None})
    usage = {"prompt_tokens": 180, "total_tokens": 196, "completion_tokens": 16}
    finish = {"index": 0, "delta": {}, "finish_reason": "tool_calls", "raw_output": None}
    frames.append({**head, "choices": [finish], "usage": usage})
    return sse_body(*frames)


# BerriAI/litellm issue 8988 (re-filed as 8990), 2025-03: streaming from Fireworks, the tool
# call id ("call_sp6sdwt7GS7X4QZO1T7npswg") came on every chunk and merged into the id
# repeated dozens of times; the call was ``get_weather`` with latitude/longitude inputs.
WEATHER_ARGS = '{"input_data": {"latitude": 53.3498, "longitude": -6.2603}}'


def weather_repeated_id(pieces: int = 6) -> bytes:
    """A Fireworks ``get_weather`` call whose id and name come on every fragment.

    Source: https://github.com/BerriAI/litellm/issues/8988 (id form, function and its
    inputs, the id on every chunk). The name is repeated too, as SillyTavern PR 5948 shows
    Fireworks doing; the model, the cut of the arguments and the finish chunk are ours.
    """
    head = {
        "id": "chatcmpl-weather",
        "object": "chat.completion.chunk",
        "created": 1741046400,
        "model": "accounts/fireworks/models/llama-v3p3-70b-instruct",
    }
    frames: list[dict[str, Any]] = [
        {**head, "choices": [{"index": 0, "delta": {"role": "assistant"}}], "usage": None}
    ]
    for piece in _pieces(WEATHER_ARGS, pieces):
        call = {
            "index": 0,
            "id": "call_sp6sdwt7GS7X4QZO1T7npswg",
            "type": "function",
            "function": {"name": "get_weather", "arguments": piece},
        }
        delta = {"tool_calls": [call]}
        frames.append({**head, "choices": [{"index": 0, "delta": delta}], "usage": None})
    finish = {"index": 0, "delta": {}, "finish_reason": "tool_calls"}
    usage = {"prompt_tokens": 90, "total_tokens": 120, "completion_tokens": 30}
    frames.append({**head, "choices": [finish], "usage": usage})
    return sse_body(*frames)


# NousResearch/hermes-agent issue 8089 (fixed for good by PR 12230, the salvage of PR
# 11984): Kimi K2.5 Turbo through Fireworks' OpenAI endpoint sent the full tool name on
# every streamed chunk; the dumped call had id "functions.search_files:99" and the name
# "search_filessearch_files".
KIMI_ARGS = '{"pattern": "TODO", "path": "."}'


def kimi_repeated_name() -> bytes:
    """Kimi on Fireworks: the id once, the full name on every fragment.

    Source: https://github.com/NousResearch/hermes-agent/issues/8089 (model, id form, name
    on every chunk); same pattern from MiniMax in
    https://github.com/NousResearch/hermes-agent/pull/11984. The arguments are ours.
    """
    # The report names the model, not its id: the chunks carry no ``model`` here.
    head = {"id": "chatcmpl-kimi", "object": "chat.completion.chunk", "created": 1776000000}
    frames = []
    for i, piece in enumerate(_pieces(KIMI_ARGS, 4)):
        call: dict[str, Any] = {
            "index": 0,
            "function": {"name": "search_files", "arguments": piece},
        }
        if i == 0:
            call["id"], call["type"] = "functions.search_files:99", "function"
        frames.append({**head, "choices": [{"index": 0, "delta": {"tool_calls": [call]}}]})
    finish = {"index": 0, "delta": {}, "finish_reason": "tool_calls"}
    frames.append({**head, "choices": [finish]})
    return sse_body(*frames)


def tool_args_null(arguments: str, *, pieces: int = 1) -> bytes:
    """A streamed call of a no-argument tool whose arguments text is ``arguments``.

    ``"null"`` (or ``""``) for a tool with no parameters is reported from several servers:
    https://github.com/1jehuang/jcode/issues/225 (streamed arguments ``null``),
    https://github.com/vercel/ai/pull/4755 (``null`` for a tool without parameters),
    https://github.com/sigoden/aichat/pull/1217 (an empty string); issue 20 reports it for
    Fireworks. The chunk form is the glm-5p2 one above.
    """
    head = {
        "id": "chatcmpl-noargs",
        "object": "chat.completion.chunk",
        "created": 1783459695,
        "model": "accounts/fireworks/models/glm-5p2",
    }
    cut = _pieces(arguments, pieces) if arguments else [""]
    frames = []
    for piece in cut:
        call = {
            "index": 0,
            "id": "chatcmpl-tool-0001",
            "type": "function",
            "function": {"name": "get_time", "arguments": piece},
        }
        frames.append({**head, "choices": [{"index": 0, "delta": {"tool_calls": [call]}}]})
    finish = {"index": 0, "delta": {}, "finish_reason": "tool_calls"}
    frames.append({**head, "choices": [finish]})
    return sse_body(*frames)
