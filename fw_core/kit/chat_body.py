"""The chat body's rules that are not framework-specific, once for both adapters.

Each adapter converts its own types (messages, tools, output classes) to wire dicts; what
the API makes of them is decided here, so LangChain and LlamaIndex send the same body for
the same request (docs/architecture.md §4):

- :func:`tool_choice_to_wire`: the ``tool_choice`` forms (docs/wire.md §1.5);
- :func:`closed_schema`, :func:`strict_tool`, :func:`json_schema_format`: strict schemas
  and the ``json_schema`` response format (docs/wire.md §1.6);
- :func:`replays_reasoning`: whether an earlier answer's reasoning is sent back;
- :func:`build_body`: how the configured fields and a call's own fields layer into the
  body; :func:`add_responses_options`: the same for the Responses-only options
  (docs/wire.md §1.18).

Document and audio parts are :mod:`fw_core.kit.file_parts`'; the option checks
:mod:`fw_core.kit.chat_options`'.

>>> tool_choice_to_wire("any")
'required'
>>> fn = strict_tool({"type": "function", "function": {"name": "f", "parameters":
...     {"type": "object", "properties": {}}}}, True)["function"]
>>> fn["strict"], fn["parameters"]["additionalProperties"]
(True, False)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from fw_core.errors import ConfigurationError

if TYPE_CHECKING:
    from fw_core.providers import ProviderSpec

__all__ = [
    "ResponsesOptions",
    "add_responses_options",
    "build_body",
    "closed_schema",
    "json_schema_format",
    "replays_reasoning",
    "require_object_schema",
    "strict_tool",
    "tool_choice_to_wire",
]

#: The string forms both APIs take as they are (docs/wire.md §1.5, §2).
_KEYWORDS = frozenset({"auto", "none", "required"})


def tool_choice_to_wire(
    choice: str | Mapping[str, Any] | bool | None, tool_names: Collection[str] = ()
) -> str | dict[str, Any] | None:
    """A framework's ``tool_choice`` as the API takes it (None: send none).

    ``"any"`` and ``True`` become ``"required"``: Fireworks reads ``"any"`` as an alias
    of it, but Firmware documents only ``auto`` / ``none`` / ``required`` (docs/wire.md
    §1.5, §2), so the one form both take is sent, never a tool named "any". ``"auto"``,
    ``"none"``, ``"required"`` pass through; another string names the tool to force (one
    of ``tool_names`` when those are given); a mapping is the API's own object, sent as
    given.

    Raises:
        ConfigurationError: a name that is no given tool, or a value of another type.

    >>> tool_choice_to_wire("get_weather", ["get_weather"])
    {'type': 'function', 'function': {'name': 'get_weather'}}
    >>> tool_choice_to_wire(None), tool_choice_to_wire(False), tool_choice_to_wire(True)
    (None, None, 'required')
    """
    if choice is None or choice is False:
        return None
    if choice is True or choice == "any":
        return "required"
    if isinstance(choice, str):
        if choice in _KEYWORDS:
            return choice
        if tool_names and choice not in tool_names:
            raise ConfigurationError(
                f"tool_choice {choice!r} names no bound tool (tools: {list(tool_names)})"
            )
        return {"type": "function", "function": {"name": choice}}
    if isinstance(choice, Mapping):
        return dict(choice)
    raise ConfigurationError(
        f"tool_choice must be 'auto', 'none', 'required', 'any', a tool name or a dict, "
        f"got {choice!r}"
    )


def closed_schema(schema: Any) -> Any:
    """A copy of a JSON schema made strict: every object closed, every property required.

    Strict schema modes (``strict: true`` on a tool or a ``json_schema`` response format)
    want every object closed (nested ones, ``$defs`` and an object the schema left open:
    pydantic writes ``additionalProperties: true`` for a ``dict`` field) and, in OpenAI's
    rule, every property listed in ``required``. Firmware forwards strict schemas to
    OpenAI's models, which refuse a strict schema with an optional property (400 "'required'
    ... must include every key in properties"); Fireworks' grammar takes either form. So
    both providers get OpenAI's form, the one langchain-core's strict conversion writes.
    An optional field stays optional in meaning when its type allows ``null``.

    >>> inner = closed_schema({"type": "object", "properties": {"p": {"type": "object",
    ...     "properties": {"q": {"type": "string"}}}}})["properties"]["p"]
    >>> inner["additionalProperties"], inner["required"]
    (False, ['q'])
    """
    if isinstance(schema, list):
        return [closed_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: closed_schema(v) for k, v in schema.items()}
    if out.get("type") == "object" or "properties" in out:
        out["additionalProperties"] = False
        properties = out.get("properties")
        if isinstance(properties, dict) and properties:
            out["required"] = list(properties)
    return out


def strict_tool(tool: Mapping[str, Any], strict: bool | None) -> dict[str, Any]:
    """An OpenAI-form tool with ``strict`` applied: True marks the function strict and
    closes its parameter schema; False marks it not strict; None leaves it as it is."""
    out = dict(tool)
    function = out.get("function")
    if strict is None or not isinstance(function, Mapping):
        return out
    function = dict(function)
    function["strict"] = strict
    if strict and isinstance(function.get("parameters"), dict):
        function["parameters"] = closed_schema(function["parameters"])
    out["function"] = function
    return out


def require_object_schema(schema: Mapping[str, Any]) -> None:
    """Refuse (ConfigurationError) a structured-output schema whose root is not an object:
    the ``json_schema`` format wants one (docs/wire.md §1.6)."""
    if schema.get("type", "object") != "object":
        raise ConfigurationError(
            f"json_schema structured output needs an object schema, got type "
            f"{schema.get('type')!r}; wrap it in an object property (e.g. "
            '{"type": "object", "properties": {"items": <your schema>}})'
        )


def json_schema_format(
    name: str, schema: Mapping[str, Any], *, strict: bool | None, description: str | None = None
) -> dict[str, Any]:
    """The ``json_schema`` ``response_format`` for an object schema (docs/wire.md §1.6).

    ``strict`` True closes every object and sends ``strict: true``; False sends
    ``strict: false``; None sends no flag.

    Raises:
        ConfigurationError: the schema's root is not an object (the API wants one).

    >>> json_schema_format("P", {"type": "object"}, strict=None)
    {'type': 'json_schema', 'json_schema': {'name': 'P', 'schema': {'type': 'object'}}}
    """
    require_object_schema(schema)
    spec: dict[str, Any] = {"name": name, "schema": closed_schema(schema) if strict else schema}
    if description:
        spec["description"] = description
    if strict is not None:
        spec["strict"] = strict
    return {"type": "json_schema", "json_schema": spec}


def replays_reasoning(provider: ProviderSpec, setting: bool | None) -> bool:
    """Whether an assistant message's reasoning goes back as ``reasoning_content``:
    ``setting`` when given, else the API's default
    (:attr:`~fw_core.providers.ProviderSpec.replays_reasoning`)."""
    return provider.replays_reasoning if setting is None else setting


def build_body(
    model: str,
    messages: list[dict[str, Any]],
    layers: Sequence[Mapping[str, Any] | None],
    call: Mapping[str, Any],
    normalize_model: Callable[[str], str],
) -> dict[str, Any]:
    """A chat request body from its parts, in the order both frameworks apply them.

    ``model`` and the wire ``messages`` first; then each configured layer in turn, later
    ones winning (the typed options, then the pass-through fields: ``model_kwargs`` /
    ``extra_body`` in LangChain, ``additional_kwargs`` in LlamaIndex); then this call's
    own fields (``invoke(..., top_k=5)``, ``chat(..., top_k=5)``): a value wins, a None
    unsets the field for this call, and a per-call ``model`` is checked and expanded like
    the configured one (``normalize_model``).

    >>> build_body("m", [], [{"temperature": 0.2, "top_k": 5}], {"top_k": None}, str.strip)
    {'model': 'm', 'messages': [], 'temperature': 0.2}
    """
    body: dict[str, Any] = {"model": model, "messages": messages}
    for layer in layers:
        if layer:
            body.update(layer)
    for key, value in call.items():
        if value is None:
            body.pop(key, None)
        elif key == "model":
            body["model"] = normalize_model(value)
        else:
            body[key] = value
    return body


class ResponsesOptions(Protocol):
    """What :func:`add_responses_options` reads: an adapter object's Responses options."""

    @property
    def store(self) -> bool | None: ...
    @property
    def max_tool_calls(self) -> int | None: ...
    @property
    def reasoning(self) -> Mapping[str, Any] | None: ...


def add_responses_options(
    body: dict[str, Any], owner: ResponsesOptions, per_call: Collection[str]
) -> dict[str, Any]:
    """Lay ``owner``'s Responses-only options into a Responses body, under the call's own.

    ``store`` and ``max_tool_calls`` are sent when set and not named in the call
    (``per_call``); ``reasoning`` is merged over the body's (which may already hold the
    effort of ``reasoning_effort``). Returns ``body``, changed in place.

    >>> class Options:
    ...     store, max_tool_calls, reasoning = False, None, {"summary": "auto"}
    >>> add_responses_options({"reasoning": {"effort": "low"}}, Options(), per_call=())
    {'reasoning': {'effort': 'low', 'summary': 'auto'}, 'store': False}
    """
    if owner.store is not None and "store" not in per_call:
        body["store"] = owner.store
    if owner.max_tool_calls is not None and "max_tool_calls" not in per_call:
        body["max_tool_calls"] = owner.max_tool_calls
    reasoning = owner.reasoning
    if reasoning is not None and "reasoning" not in per_call:
        body["reasoning"] = {**(body.get("reasoning") or {}), **reasoning}
    return body
