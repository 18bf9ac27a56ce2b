"""What the double's "model" says to a chat request: text, tool calls, reasoning.

:func:`plan_chat` turns a request body into a :class:`Plan`; the response builders then
shape the plan as a completion or as a stream, for either provider. The double consults
the scripted-reply table (:mod:`fw_core.testing.script`) first; these are the default
rules. Pure functions, no I/O.

>>> body = {"model": "m", "messages": [{"role": "user", "content": "Weather in 'Paris'?"}],
...         "tools": [{"type": "function", "function": {"name": "get_weather",
...                    "parameters": {"type": "object",
...                                   "properties": {"city": {"type": "string"}}}}}],
...         "tool_choice": "required"}
>>> plan_chat("fireworks", body).tool_calls[0].arguments
{'city': 'Paris'}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from fw_core.testing.generate import (
    json_from_schema,
    keywords,
    quoted,
    reasoning_text,
    reply_text,
)

__all__ = [
    "Plan",
    "PlannedCall",
    "last_user_text",
    "message_text",
    "plan_chat",
    "reasoning_requested",
]


@dataclass
class PlannedCall:
    """One tool call the assistant makes. ``arguments`` is a dict or a raw JSON string.

    Example:
        >>> PlannedCall("get_weather", {"city": "Paris"}).name
        'get_weather'
    """

    name: str
    arguments: dict[str, Any] | str


@dataclass
class Plan:
    """The assistant turn before it is shaped into wire JSON.

    ``finish_reason`` None means: ``tool_calls`` when there are calls, else ``stop``.
    ``reasoning`` None means: generated when the request asks for reasoning.

    Example:
        >>> Plan(tool_calls=[PlannedCall("f", {})]).finish, Plan(content="hi").finish
        ('tool_calls', 'stop')
    """

    content: str | None = None
    tool_calls: list[PlannedCall] = field(default_factory=list)
    reasoning: str | None = None
    finish_reason: str | None = None

    @property
    def finish(self) -> str:
        if self.finish_reason:
            return self.finish_reason
        return "tool_calls" if self.tool_calls else "stop"


def message_text(message: Any) -> str:
    """The text of one message: a string content, or the text parts of a list content."""
    if not isinstance(message, dict):
        return ""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
            elif isinstance(part, str):
                parts.append(part)
        return "\n".join(parts)
    return ""


def last_user_text(messages: list[Any]) -> str:
    """Text of the last user message (empty when there is none)."""
    for m in reversed(messages):
        if isinstance(m, dict) and m.get("role") == "user":
            return message_text(m)
    return ""


_REASONING_MODELS = ("gpt-oss", "qwen3", "deepseek-reasoner")


def reasoning_requested(body: dict[str, Any]) -> bool:
    """Whether the served model would think: asked for, or a reasoning model by name."""
    effort = body.get("reasoning_effort")
    thinking = body.get("thinking")
    if effort in ("none", False) or (
        isinstance(thinking, dict) and thinking.get("type") == "disabled"
    ):
        return False
    if effort not in (None, "none", False):
        return True
    if isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive"):
        return True
    model = str(body.get("model", "")).lower()
    return inline_think(model) or any(m in model for m in _REASONING_MODELS)


def inline_think(model: str) -> bool:
    """DeepSeek-R1 style models put ``<think>...</think>`` inside ``content``."""
    return re.search(r"(^|[/-])r1($|[-_.])", model.lower()) is not None


# --------------------------------------------------------------------------------------
# tools


def _tools(body: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for tool in body.get("tools") or []:
        fn = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(fn, dict) and isinstance(fn.get("name"), str):
            out.append(fn)
    return out


def _forced_name(choice: Any) -> str | None:
    if isinstance(choice, dict):
        fn = choice.get("function")
        if isinstance(fn, dict) and isinstance(fn.get("name"), str):
            return fn["name"]
        if isinstance(choice.get("name"), str):  # flat / Anthropic-style forms
            return choice["name"]
    return None


def _named_in(prompt: str, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tools whose name (or name with spaces for underscores) the prompt mentions."""
    lowered = prompt.lower()
    found: list[tuple[int, dict[str, Any]]] = []
    for fn in tools:
        name = fn["name"].lower()
        for form in dict.fromkeys((name, name.replace("_", " "))):
            m = re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", lowered)
            if m:
                found.append((m.start(), fn))
                break
    return [fn for _, fn in sorted(found, key=lambda t: t[0])]


def _call(fn: dict[str, Any], prompt: str) -> PlannedCall:
    schema = fn.get("parameters") or {"type": "object", "properties": {}}
    args = json_from_schema(schema, prompt)
    return PlannedCall(fn["name"], args if isinstance(args, dict) else {"value": args})


def choose_tool_calls(body: dict[str, Any], prompt: str) -> list[PlannedCall]:
    """The calls a tool-using model makes for ``prompt`` (empty: answer in text).

    ``tool_choice`` "none" -> none; a forced function -> that one; "required"/"any" ->
    the tools named in the prompt, else the first tool; "auto" -> the tools named in the
    prompt, else the first tool when the prompt mentions a tool, else none. Several
    named tools are called in parallel unless ``parallel_tool_calls`` is false.
    """
    tools = _tools(body)
    choice = body.get("tool_choice", "auto")
    if not tools or choice == "none":
        return []
    if isinstance(choice, dict) and choice.get("type") in ("none",):
        return []
    forced = _forced_name(choice)
    if forced is not None:
        fn = next((t for t in tools if t["name"] == forced), None)
        return [_call(fn, prompt)] if fn else []
    named = _named_in(prompt, tools)
    required = choice in ("required", "any") or (
        isinstance(choice, dict) and choice.get("type") in ("any", "required")
    )
    if not named:
        if required or re.search(r"\btools?\b", prompt.lower()):
            named = [tools[0]]
        else:
            return []
    if body.get("parallel_tool_calls") is False or (
        isinstance(choice, dict) and choice.get("disable_parallel_tool_use")
    ):
        named = named[:1]
    return [_call(fn, prompt) for fn in named]


def _tool_results_text(messages: list[Any]) -> str:
    names: dict[str, str] = {}
    for m in messages:
        if isinstance(m, dict) and m.get("role") == "assistant":
            for call in m.get("tool_calls") or []:
                if isinstance(call, dict):
                    fn = call.get("function") or {}
                    names[str(call.get("id"))] = str(fn.get("name", "tool"))
    results = []
    for m in reversed(messages):
        if not (isinstance(m, dict) and m.get("role") == "tool"):
            break
        name = names.get(str(m.get("tool_call_id")), m.get("name") or "tool")
        results.append(f"{name} returned {message_text(m).strip()}")
    results.reverse()
    text = "The tool results are in: " + "; ".join(results)
    return text if text.endswith((".", "!", "?")) else text + "."


# --------------------------------------------------------------------------------------
# structured output


def _schema_of(response_format: Any) -> tuple[bool, Any]:
    """(wants JSON, schema or None) for a ``response_format``."""
    if not isinstance(response_format, dict):
        return False, None
    kind = response_format.get("type")
    if kind == "json_schema":
        js = response_format.get("json_schema")
        if isinstance(js, str):
            try:
                js = json.loads(js)
            except ValueError:
                js = {}
        if isinstance(js, dict):
            return True, js.get("schema", js if "properties" in js or "type" in js else None)
        return True, None
    if kind == "json_object":
        return True, response_format.get("schema")
    return False, None


def _json_mode_value(prompt: str) -> dict[str, Any]:
    """JSON mode without a schema: the keys the prompt quotes, else ``{"answer": ...}``."""
    keys = [q for q in quoted(prompt) if re.fullmatch(r"[A-Za-z_][\w-]{0,40}", q)]
    if not keys:
        return {"answer": reply_text(prompt)}
    topic = " ".join([k for k in keywords(prompt, limit=4) if k not in keys][:2]) or "this"
    return {k: f"{k.replace('_', ' ')} about {topic}" for k in dict.fromkeys(keys)}


def _grammar_text(grammar: Any, fallback: str) -> str:
    if isinstance(grammar, str):
        m = re.search(r'"((?:[^"\\]|\\.)+)"', grammar)
        if m:
            return m.group(1)
    return fallback


# --------------------------------------------------------------------------------------


def plan_chat(provider: str, body: dict[str, Any], *, stream_chunks: int | None = None) -> Plan:
    """Decide the assistant turn for a chat request by the default (unscripted) rules."""
    messages = body.get("messages") or []
    prompt = last_user_text(messages)
    last = messages[-1] if messages and isinstance(messages[-1], dict) else {}
    if last.get("role") == "tool":
        return Plan(content=_tool_results_text(messages))
    if last.get("role") == "user" or body.get("tool_choice") not in (None, "auto", "none"):
        calls = choose_tool_calls(body, prompt)
        if calls:
            return Plan(content=None, tool_calls=calls)
    rf = body.get("response_format")
    wants_json, schema = _schema_of(rf)
    if wants_json:
        value = json_from_schema(schema, prompt) if schema else _json_mode_value(prompt)
        return Plan(content=json.dumps(value, ensure_ascii=False))
    if isinstance(rf, dict) and rf.get("type") == "grammar":
        return Plan(content=_grammar_text(rf.get("grammar"), reply_text(prompt)))
    text_source = prompt or "\n".join(
        str(m.get("content")) for m in messages if isinstance(m, dict)
    )
    return Plan(content=reply_text(text_source, n_words=stream_chunks))


def default_reasoning(body: dict[str, Any]) -> str:
    """The reasoning text for a request that asks for reasoning."""
    return reasoning_text(last_user_text(body.get("messages") or []))
