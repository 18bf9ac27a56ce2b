"""Building a Responses request body (docs/wire.md §1.18): checking a create body, turning
a chat-completions body (both frameworks build one) into a Responses body, and refusing the
Responses switches on an API without the endpoint.

All pure: no I/O. :mod:`fw_core.endpoints.responses` sends what these build.

>>> responses_body({"model": "m", "max_tokens": 5, "messages": [
...     {"role": "user", "content": "hi"}]})
{'model': 'm', 'max_output_tokens': 5, 'input': [{'role': 'user', 'content': 'hi'}]}
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from fw_core.errors import ConfigurationError

__all__ = [
    "RESPONSES_SWITCHES",
    "input_items",
    "prepare_body",
    "refuse_responses_switches",
    "responses_body",
]

#: Switches that only mean something on an API with a Responses endpoint. Firmware documents
#: none (docs/wire.md §2.1, §2.6: chat completions, embeddings, rerank, messages, quota).
RESPONSES_SWITCHES = (
    "use_responses_api",
    "use_previous_response_id",
    "track_previous_responses",
    "previous_response_id",
)


def refuse_responses_switches(api: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """Raise ``ConfigurationError`` when ``options`` turn on a Responses API ``api`` lacks.

    A switch set to ``None`` / ``False`` is no request for it: it passes, and is left out
    of the options returned (it is no request field either).

    >>> refuse_responses_switches("Firmware", {"use_responses_api": False, "seed": 1})
    {'seed': 1}
    >>> refuse_responses_switches("Firmware", {"use_responses_api": True})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fw_core.errors.ConfigurationError: use_responses_api: Firmware has no Responses API ...
    """
    named = [name for name in RESPONSES_SWITCHES if options.get(name)]
    if named:
        raise ConfigurationError(
            f"{', '.join(named)}: {api} has no Responses API (its documented endpoints are "
            "chat completions, embeddings, rerank, messages and quota; docs/wire.md §2); "
            "use its chat completions, or ChatFireworks(use_responses_api=True) / "
            "llamaindex_fw.FireworksResponses for Fireworks' Responses API"
        )
    return {name: value for name, value in options.items() if name not in RESPONSES_SWITCHES}


def _system_for_developer(item: Any) -> Any:
    if isinstance(item, dict) and item.get("role") == "developer":
        return {**item, "role": "system"}
    return item


def prepare_body(body: Mapping[str, Any]) -> dict[str, Any]:
    """Check a create body and return what is sent.

    Needs ``model`` and an ``input`` (a string or a list of items). ``developer`` input
    items go as ``system`` (as LiteLLM's Fireworks provider does, §1.18). Everything else is
    sent as given: tools, ``reasoning``, ``text`` and the rest are the server's vocabulary.
    """
    if not body.get("model"):
        raise ConfigurationError("a responses request needs a model")
    raw = body.get("input")
    if not isinstance(raw, str | list) or (isinstance(raw, list) and not raw):
        raise ConfigurationError("a responses request needs an input (a string or a list)")
    if isinstance(raw, str) and not raw and not body.get("previous_response_id"):
        raise ConfigurationError("a responses request needs a non-empty input")
    mtc = body.get("max_tool_calls")
    if mtc is not None and (isinstance(mtc, bool) or not isinstance(mtc, int) or mtc < 0):
        raise ConfigurationError(f"max_tool_calls must be a non-negative int, got {mtc!r}")
    out = dict(body)
    if isinstance(raw, list):
        out["input"] = [_system_for_developer(i) for i in raw]
    return out


# ---------------------------------------------------------------------------------------
# from a chat-completions body (both frameworks build one; docs/wire.md §1.18)

#: Chat-body keys with no Responses meaning: dropped (``stream_options``) or renamed.
_CHAT_ONLY = ("stream", "stream_options", "messages")


def _part(part: Any) -> dict[str, Any] | None:
    if not isinstance(part, Mapping):
        return None
    kind = part.get("type")
    if kind == "text":
        return {"type": "input_text", "text": part.get("text", "")}
    if kind == "image_url":
        raw = part.get("image_url")
        url = raw.get("url") if isinstance(raw, Mapping) else raw
        out: dict[str, Any] = {"type": "input_image", "image_url": url}
        if isinstance(raw, Mapping) and raw.get("detail"):
            out["detail"] = raw["detail"]
        return out
    return dict(part)  # another part type: the server's vocabulary, sent as given


def _content(content: Any) -> Any:
    if content is None or isinstance(content, str):
        return content or ""
    return [p for raw in content if (p := _part(raw)) is not None]


def input_items(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Chat-wire messages (as both frameworks build them for chat completions) as
    Responses input items.

    >>> input_items([{"role": "assistant", "content": None, "tool_calls": [
    ...     {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
    ...     {"role": "tool", "tool_call_id": "c1", "content": "42"}])
    [{'type': 'function_call', 'call_id': 'c1', 'name': 'f', 'arguments': '{}'}, \
{'type': 'function_call_output', 'call_id': 'c1', 'output': '42'}]
    """
    items: list[dict[str, Any]] = []
    for msg in messages:
        role = msg.get("role")
        if role == "tool":
            output = msg.get("content")
            text = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)
            items.append(
                {"type": "function_call_output", "call_id": msg.get("tool_call_id"), "output": text}
            )
            continue
        content = _content(msg.get("content"))
        if role == "assistant":
            if content:
                items.append({"role": "assistant", "content": content})
            for call in msg.get("tool_calls") or []:
                fn = call.get("function") or {}
                items.append(
                    {
                        "type": "function_call",
                        "call_id": call.get("id"),
                        "name": fn.get("name"),
                        "arguments": fn.get("arguments") or "{}",
                    }
                )
            continue
        # developer becomes system in fw_core.endpoints.responses.prepare_body (docs/wire.md §1.18)
        items.append({"role": role or "user", "content": content})
    return items


def _flat_tool(tool: Any) -> Any:
    if isinstance(tool, Mapping) and tool.get("type") == "function" and "function" in tool:
        return {"type": "function", **tool["function"]}
    return tool


def _flat_choice(choice: Any) -> Any:
    if isinstance(choice, Mapping) and choice.get("type") == "function" and "function" in choice:
        return {"type": "function", "name": choice["function"].get("name")}
    return choice


def _text_format(response_format: Any) -> Any:
    if isinstance(response_format, Mapping) and response_format.get("type") == "json_schema":
        spec = response_format.get("json_schema") or {}
        return {"type": "json_schema", **spec}
    return response_format  # json_object and anything else: as given


def responses_body(chat: Mapping[str, Any]) -> dict[str, Any]:
    """The Responses body for a chat body (see the module docstring)."""
    body = {k: v for k, v in chat.items() if k not in _CHAT_ONLY}
    n = body.pop("n", None)
    if isinstance(n, int) and n > 1:
        raise ConfigurationError("the Responses API returns one answer per call: n must be 1")
    if "max_tokens" in body:
        body.setdefault("max_output_tokens", body.pop("max_tokens"))
    if "max_completion_tokens" in body:
        body.setdefault("max_output_tokens", body.pop("max_completion_tokens"))
    if "reasoning_effort" in body:
        effort = body.pop("reasoning_effort")
        reasoning = dict(body.get("reasoning") or {})
        reasoning.setdefault("effort", effort)
        body["reasoning"] = reasoning
    if "tools" in body:
        body["tools"] = [_flat_tool(t) for t in body["tools"] or []]
    if "tool_choice" in body:
        body["tool_choice"] = _flat_choice(body["tool_choice"])
    if "response_format" in body:
        text = dict(body.get("text") or {})
        text["format"] = _text_format(body.pop("response_format"))
        body["text"] = text
    body["input"] = input_items(chat.get("messages") or [])
    return body
