"""SCRIPTED REPLIES: the few chat answers the double gives from a table, not from rules.

Some test suites assert what a model *would say*: langchain-tests' integration suite,
for instance, asks for ``magic_function(3)`` and expects exactly that tool call. Where
the default rules of :mod:`fw_core.testing.plan` do not already produce such an answer,
an entry here does. Each entry is a :class:`ScriptedReply`: a name, who needs it, a
predicate on ``(provider, request body)`` and a builder returning a
:class:`~fw_core.testing.plan.Plan` (text and/or tool calls, shaped like the real API's
replies by the response builders, streamed or not, for either provider).

Rules for this table:

* It is scripted, and says so: every reply served from it is recorded in
  ``WireDouble.scripted_hits`` with the entry's name.
* It is never bent to hide a client bug. The client must handle any reply the real API
  could send; the fault modes in :mod:`fw_core.testing.faults` prove it.
* An entry is self-contained: to add one, append ``ScriptedReply(...)`` to
  :data:`SCRIPTED` (or call :func:`register`) with a predicate as narrow as possible.
  The first matching entry wins.

>>> body = {"messages": [
...     {"role": "user", "content": "What is the value of magic_function(3)?"}],
...     "tools": [{"type": "function", "function": {"name": "magic_function"}}]}
>>> plan = find_scripted("fireworks", body).reply("fireworks", body)
>>> plan.tool_calls[0].name, plan.tool_calls[0].arguments
('magic_function', {'input': 3})
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fw_core.testing.generate import numbers
from fw_core.testing.plan import Plan, PlannedCall, last_user_text

__all__ = ["SCRIPTED", "ScriptedReply", "find_scripted", "register"]

Predicate = Callable[[str, dict[str, Any]], bool]
Builder = Callable[[str, dict[str, Any]], Plan]


@dataclass(frozen=True)
class ScriptedReply:
    """One scripted answer.

    Attributes:
        name: unique, shows up in ``WireDouble.scripted_hits``.
        needed_by: the test suite or test that relies on it (why it exists).
        matches: ``(provider, body) -> bool``; keep it narrow.
        reply: ``(provider, body) -> Plan``.

    Example:
        >>> entry = ScriptedReply(
        ...     name="greeting", needed_by="docs example",
        ...     matches=lambda provider, body: last_user_text(body["messages"]) == "hi",
        ...     reply=lambda provider, body: Plan(content="Hello!"))
        >>> entry.reply("firmware", {}).content
        'Hello!'
    """

    name: str
    needed_by: str
    matches: Predicate
    reply: Builder


def _last_is_user(body: dict[str, Any]) -> bool:
    messages = body.get("messages") or []
    return bool(messages) and isinstance(messages[-1], dict) and messages[-1].get("role") == "user"


def _has_tool(body: dict[str, Any], name: str) -> bool:
    for tool in body.get("tools") or []:
        fn = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(fn, dict) and fn.get("name") == name:
            return True
    return False


def _magic_function_call(provider: str, body: dict[str, Any]) -> Plan:
    found = numbers(last_user_text(body.get("messages") or []))
    value = int(found[0]) if found else 3
    return Plan(tool_calls=[PlannedCall("magic_function", {"input": value})])


SCRIPTED: list[ScriptedReply] = [
    ScriptedReply(
        name="langchain-tests magic_function",
        needed_by="langchain-tests ChatModelIntegrationTests (test_tool_calling and friends): "
        "expects the call magic_function(input=3) whatever the tool schema's field order",
        matches=lambda provider, body: (
            _last_is_user(body)
            and _has_tool(body, "magic_function")
            and body.get("tool_choice") != "none"
            and "magic_function" in last_user_text(body.get("messages") or [])
        ),
        reply=_magic_function_call,
    ),
]


# -- appended for langchain-tests ChatModelIntegrationTests.test_json_mode ---------------


def _json_mode_without_schema(body: dict[str, Any]) -> bool:
    rf = body.get("response_format")
    return isinstance(rf, dict) and rf.get("type") == "json_object" and not rf.get("schema")


def _quoted_keys_json(provider: str, body: dict[str, Any]) -> Plan:
    import json
    import re

    prompt = last_user_text(body.get("messages") or [])
    keys = re.findall(r"'([A-Za-z_][A-Za-z0-9_]*)'", prompt)
    return Plan(content=json.dumps({key: f"the {key}" for key in keys}))


SCRIPTED.append(
    ScriptedReply(
        name="langchain-tests json_mode quoted keys",
        needed_by="langchain-tests ChatModelIntegrationTests.test_json_mode: JSON mode with no "
        "schema; the prompt asks for a JSON object with the 'setup' and 'punchline' keys, "
        "which a real model follows",
        matches=lambda provider, body: (
            _last_is_user(body)
            and _json_mode_without_schema(body)
            and "JSON with 'setup' and 'punchline' keys"
            in last_user_text(body.get("messages") or [])
        ),
        reply=_quoted_keys_json,
    )
)


# -- appended for langchain-tests ChatModelIntegrationTests.test_agent_loop ---------------

SCRIPTED.append(
    ScriptedReply(
        name="langchain-tests agent_loop get_weather",
        needed_by="langchain-tests ChatModelIntegrationTests.test_agent_loop: tools bound with "
        "tool_choice auto and 'What is the weather in San Francisco, CA?'; a real model calls "
        "get_weather once (the default rules call only tools named in the prompt)",
        matches=lambda provider, body: (
            _last_is_user(body)
            and _has_tool(body, "get_weather")
            and body.get("tool_choice") in (None, "auto")
            and last_user_text(body.get("messages") or []).startswith("What is the weather in ")
        ),
        reply=lambda provider, body: Plan(
            tool_calls=[
                PlannedCall(
                    "get_weather",
                    {
                        "location": last_user_text(body["messages"])
                        .removeprefix("What is the weather in ")
                        .rstrip("?")
                    },
                )
            ]
        ),
    )
)


def register(entry: ScriptedReply) -> ScriptedReply:
    """Append ``entry`` to the table (names must be unique) and return it."""
    if any(e.name == entry.name for e in SCRIPTED):
        raise ValueError(f"a scripted reply named {entry.name!r} already exists")
    SCRIPTED.append(entry)
    return entry


def find_scripted(provider: str, body: dict[str, Any]) -> ScriptedReply | None:
    """The first entry whose predicate accepts the request, if any."""
    for entry in SCRIPTED:
        try:
            if entry.matches(provider, body):
                return entry
        except (KeyError, TypeError, AttributeError, IndexError):
            continue
    return None
