"""A tool call's ``arguments`` text as the dict a tool is called with.

One rule for both adapters, streamed and not (docs/wire.md §8):

- empty text (or only whitespace) and JSON ``null`` are a call with no arguments: ``{}``.
  Models answer a tool that takes no parameters that way (the text ``"null"`` is what some
  servers serialise an absent arguments object to), and it is a valid call, not a broken
  one. LangChain's own OpenAI tool parser reads both the same way.
- a JSON object is the arguments.
- anything else (not JSON, or JSON that is not an object) is not a call the tool can take:
  :class:`ToolArgumentsError` says why, and each adapter keeps the raw text (LangChain as an
  ``invalid_tool_call``, LlamaIndex as the raw string in ``tool_kwargs``).

>>> parse_tool_arguments('{"city": "Paris"}')
{'city': 'Paris'}
>>> parse_tool_arguments("null"), parse_tool_arguments(""), parse_tool_arguments(None)
({}, {}, {})
>>> parse_tool_arguments("[1, 2]")
Traceback (most recent call last):
    ...
fw_core.kit.tool_args.ToolArgumentsError: arguments are not a JSON object
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["ToolArgumentsError", "parse_tool_arguments"]


class ToolArgumentsError(ValueError):
    """The arguments text is neither empty, ``null`` nor a JSON object."""


def parse_tool_arguments(text: str | None) -> dict[str, Any]:
    """The arguments of one tool call as a dict (rules: see the module doc).

    Args:
        text: the call's ``function.arguments`` as the server sent it (merged, when
            streamed).

    Raises:
        ToolArgumentsError: the text is not JSON, or is JSON but not an object (nor null).
    """
    if not text or text.isspace():
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ToolArgumentsError(f"arguments are not valid JSON: {exc}") from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ToolArgumentsError("arguments are not a JSON object")
    return value
