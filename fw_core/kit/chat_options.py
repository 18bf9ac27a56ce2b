"""Chat request options: which body fields each API takes, and the rule for each value.

A :class:`ChatParam` names one body field and, where a value can be wrong before anything
is sent, the check for it. :data:`COMMON_CHAT_PARAMS` are the fields every chat API here
takes; each :class:`~fw_core.providers.ProviderSpec` adds its own (``chat_params``).
:func:`check_chat_options` runs every check on a request body; fw_core's chat calls run it
on every request, and the framework adapters run it at construction on their configured
options, so one rule refuses a bad value in both frameworks, at the earliest point.
:func:`chat_options_of` reads the options an adapter holds as same-named fields.

>>> from fw_core.providers import FIRMWARE
>>> check_chat_options(FIRMWARE, {"thinking": {"type": "enabled", "budget_tokens": 2048}})
>>> try:
...     check_chat_options(FIRMWARE, {"thinking": {"type": "enabled", "budget_tokens": 10}})
... except ConfigurationError as err:
...     print(err)
thinking.budget_tokens must be at least 1024
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from fw_core.errors import ConfigurationError

if TYPE_CHECKING:
    from fw_core.providers import ProviderSpec

__all__ = [
    "COMMON_CHAT_PARAMS",
    "FIREWORKS_CHAT_PARAMS",
    "FIREWORKS_RESPONSE_EXTRAS",
    "FIRMWARE_CHAT_PARAMS",
    "FIRMWARE_RESPONSE_EXTRAS",
    "ChatParam",
    "OptionCheck",
    "ReasoningEffort",
    "ServiceTier",
    "chat_options_of",
    "check_chat_options",
    "refuse_option_types",
]

#: ``reasoning_effort``: the known values, for completion and docs; any other string is sent
#: as it is (the server owns the vocabulary: ``max`` / ``xhigh`` on newer Fireworks models,
#: ``minimal`` for OpenAI models through Firmware; docs/architecture.md §2, tolerant reader).
#: An int or a bool is sent too (docs/wire.md §1.4).
ReasoningEffort = (
    Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"] | str | int | bool
)

#: ``service_tier``: the known values, for completion and docs; any other string is sent
#: (the server owns the vocabulary; docs/wire.md §1.4, docs/architecture.md §2).
ServiceTier = Literal["auto", "default", "priority", "flex"] | str

#: A check of one option: ``(value, whole body) -> None``, ConfigurationError if refused.
OptionCheck = Callable[[Any, Mapping[str, Any]], None]


@dataclass(frozen=True, slots=True)
class ChatParam:
    """One chat request field: its wire name and, optionally, the check of its value.

    The check runs only when the field is present and not None.
    """

    name: str
    check: OptionCheck | None = None


# --------------------------------------------------------------------------- checks


def _temperature(value: Any, body: Mapping[str, Any]) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise ConfigurationError(f"temperature must be a finite number >= 0, got {value!r}")


@dataclass(frozen=True, slots=True)
class _PositiveInt:
    name: str

    def __call__(self, value: Any, body: Mapping[str, Any]) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigurationError(f"{self.name} must be an integer >= 1, got {value!r}")


def _tool_choice(value: Any, body: Mapping[str, Any]) -> None:
    if value not in ("auto", "none") and not body.get("tools"):
        raise ConfigurationError(
            f"tool_choice {value!r} asks for a tool call, but the request has no tools"
        )


def _response_format(value: Any, body: Mapping[str, Any]) -> None:
    if isinstance(value, dict) and value.get("type") == "json_schema":
        spec = value.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, dict) else None
        if not isinstance(schema, dict) or schema.get("type", "object") != "object":
            raise ConfigurationError(
                "response_format json_schema needs an object schema at the root "
                f"(got {schema.get('type') if isinstance(schema, dict) else schema!r}); "
                "wrap other types in an object property"
            )


@dataclass(frozen=True, slots=True)
class _Text:
    """A server-owned vocabulary: any string is sent as it is.

    Only the type is ours to check; which strings the server takes is the server's to say,
    and its 400 is the answer for one it refuses (docs/architecture.md §2, tolerant reader).
    """

    name: str

    def __call__(self, value: Any, body: Mapping[str, Any]) -> None:
        if not isinstance(value, str):
            raise ConfigurationError(f"{self.name} must be a string, got {value!r}")


@dataclass(frozen=True, slots=True)
class _Int:
    """An integer (not a bool) of at least ``minimum``: ``seed``, ``top_logprobs``..."""

    name: str
    minimum: int | None = None

    def __call__(self, value: Any, body: Mapping[str, Any]) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or (self.minimum is not None and value < self.minimum)
        ):
            floor = "" if self.minimum is None else f" >= {self.minimum}"
            raise ConfigurationError(f"{self.name} must be an integer{floor}, got {value!r}")


@dataclass(frozen=True, slots=True)
class _Bool:
    name: str

    def __call__(self, value: Any, body: Mapping[str, Any]) -> None:
        if not isinstance(value, bool):
            raise ConfigurationError(f"{self.name} must be True or False, got {value!r}")


def _logprobs(value: Any, body: Mapping[str, Any]) -> None:
    # a bool in the OpenAI shape; an int is what the legacy completions shape takes and is
    # sent too (docs/wire.md §1.4): only the type is ours
    if not isinstance(value, int):  # bool is an int
        raise ConfigurationError(f"logprobs must be True/False (or an integer), got {value!r}")


def _prediction(value: Any, body: Mapping[str, Any]) -> None:
    # Predicted outputs (docs/wire.md §1.4): {"type": "content", "content": "..."}. The shape
    # is ours (a dict with a string "type"); the type names are the server's.
    if not isinstance(value, Mapping) or not isinstance(value.get("type"), str):
        raise ConfigurationError(
            "prediction must be a dict with a string 'type', such as "
            f"{{'type': 'content', 'content': '...'}}, got {value!r}"
        )
    content = value.get("content")
    if content is not None and not isinstance(content, str | list):
        raise ConfigurationError(
            f"prediction.content must be a string (or a list of text parts), got {content!r}"
        )


def _reasoning_effort(value: Any, body: Mapping[str, Any]) -> None:
    # docs/wire.md §1.4: a string (none/low/medium/high; max, xhigh, minimal on newer
    # models), an int or a bool. The vocabulary is the server's (docs/architecture.md §2,
    # tolerant reader): any string is sent; the type is ours.
    if not isinstance(value, str | int):  # bool is an int
        raise ConfigurationError(
            f"reasoning_effort must be a string (such as 'low', 'high', 'max'), an integer "
            f"or a bool, got {value!r}"
        )


def _thinking(value: Any, body: Mapping[str, Any]) -> None:
    # The shape is ours (a dict with a string "type"); the type names are the server's
    # ("enabled", "disabled", "adaptive", ...: docs/architecture.md §2, tolerant reader).
    # An enabled budget is at least 1024 tokens, below max_tokens (docs/wire.md §2.3).
    if not isinstance(value, Mapping) or not isinstance(value.get("type"), str):
        raise ConfigurationError(
            f"thinking must be a dict with a string 'type', such as "
            f"{{'type': 'enabled', 'budget_tokens': 2048}}, got {value!r}"
        )
    budget = value.get("budget_tokens")
    if budget is None:
        return
    if isinstance(budget, bool) or not isinstance(budget, int):
        raise ConfigurationError(f"thinking.budget_tokens must be an integer, got {budget!r}")
    if value["type"] != "enabled":
        return
    if budget < 1024:
        raise ConfigurationError("thinking.budget_tokens must be at least 1024")
    max_tokens = body.get("max_tokens")
    if max_tokens is not None and budget >= max_tokens:
        raise ConfigurationError("thinking.budget_tokens must be smaller than max_tokens")


# --------------------------------------------------------------------------- per API

#: Fields every chat-completions API here takes, in the order adapters send them.
COMMON_CHAT_PARAMS: tuple[ChatParam, ...] = (
    ChatParam("temperature", _temperature),
    ChatParam("max_tokens", _PositiveInt("max_tokens")),
    ChatParam("max_completion_tokens", _PositiveInt("max_completion_tokens")),
    ChatParam("n", _PositiveInt("n")),
    ChatParam("top_p"),
    ChatParam("seed", _Int("seed")),
    ChatParam("logprobs", _logprobs),
    ChatParam("top_logprobs", _Int("top_logprobs", 0)),
    ChatParam("presence_penalty"),
    ChatParam("frequency_penalty"),
    ChatParam("reasoning_effort", _reasoning_effort),
    ChatParam("tool_choice", _tool_choice),
    ChatParam("response_format", _response_format),
    # end-user id; Fireworks also routes on it for prompt-cache affinity (docs/wire.md §1.19)
    ChatParam("user", _Text("user")),
    # "priority" and others; the server owns the vocabulary (docs/wire.md §1.4)
    ChatParam("service_tier", _Text("service_tier")),
)

#: Fireworks' own sampling and prompt options (docs/wire.md §1.4).
FIREWORKS_CHAT_PARAMS: tuple[ChatParam, ...] = (
    ChatParam("top_k"),
    ChatParam("min_p"),
    ChatParam("repetition_penalty"),
    # "truncate" / "error" today; the server owns the vocabulary (docs/architecture.md §2)
    ChatParam("context_length_exceeded_behavior", _Text("context_length_exceeded_behavior")),
    ChatParam("prompt_truncate_len"),
    # prompt caching (docs/wire.md §1.19): affinity key, cache partition, longest prefix
    ChatParam("prompt_cache_key", _Text("prompt_cache_key")),
    ChatParam("prompt_cache_isolation_key", _Text("prompt_cache_isolation_key")),
    ChatParam("prompt_cache_max_len", _Int("prompt_cache_max_len", 0)),
    ChatParam("perf_metrics_in_response", _Bool("perf_metrics_in_response")),
    ChatParam("prediction", _prediction),
)
#: Top-level Fireworks response fields adapters surface as metadata.
FIREWORKS_RESPONSE_EXTRAS: tuple[str, ...] = ("perf_metrics",)

#: Firmware's own options: server-side MCP tools, Anthropic thinking, Google settings.
FIRMWARE_CHAT_PARAMS: tuple[ChatParam, ...] = (
    ChatParam("mcp_servers"),
    ChatParam("thinking", _thinking),
    ChatParam("generation_config"),
    ChatParam("safety_settings"),
)
#: Top-level Firmware response fields adapters surface as metadata (MCP tool runs).
FIRMWARE_RESPONSE_EXTRAS: tuple[str, ...] = (
    "tools_executed",
    "mcp_tool_results",
    "mcp_server_errors",
)


# --------------------------------------------------------------------------- entry points


def check_chat_options(provider: ProviderSpec, body: Mapping[str, Any]) -> None:
    """Refuse (ConfigurationError) an option value ``provider``'s API would refuse.

    ``body`` is a chat request body, or only its options (an adapter's configured
    fields). Fields that are absent or None are not checked.

    >>> from fw_core.providers import FIREWORKS
    >>> check_chat_options(FIREWORKS, {"temperature": 0.2, "top_k": 40})
    >>> try:
    ...     check_chat_options(FIREWORKS, {"n": 0})
    ... except ConfigurationError as err:
    ...     print(err)
    n must be an integer >= 1, got 0
    """
    for name, check in provider.chat_checks:
        value = body.get(name)
        if value is not None:
            check(value, body)


# (class, parameter names) -> the names the class declares; filled once per class
_held: dict[tuple[type, tuple[str, ...]], tuple[str, ...]] = {}


def _held_names(cls: type, names: tuple[str, ...]) -> tuple[str, ...]:
    held = _held.get((cls, names))
    if held is None:
        fields = getattr(cls, "model_fields", None)
        if fields is None:
            held = tuple(name for name in names if hasattr(cls, name))
        else:
            held = tuple(name for name in names if name in fields)
        _held[cls, names] = held
    return held


def chat_options_of(provider: ProviderSpec, source: object) -> dict[str, Any]:
    """The chat options ``source`` holds as fields named like ``provider``'s parameters.

    Only fields ``source``'s class declares are read, and only values that are not None
    are returned, in :attr:`~fw_core.providers.ProviderSpec.chat_param_names` order.

    >>> from pydantic import BaseModel
    >>> from fw_core.providers import FIRMWARE
    >>> class Options(BaseModel):
    ...     temperature: float | None = None
    ...     thinking: dict | None = None
    ...     label: str = "not an option"
    >>> chat_options_of(FIRMWARE, Options(temperature=0.5))
    {'temperature': 0.5}
    """
    out: dict[str, Any] = {}
    for name in _held_names(type(source), provider.chat_param_names):
        value = getattr(source, name)
        if value is not None:
            out[name] = value
    return out


def refuse_option_types(
    provider: ProviderSpec, data: Mapping[str, Any], error: Exception, *, also: tuple[str, ...] = ()
) -> None:
    """Raise a ConfigurationError for a constructor's type error on a chat option.

    An adapter's typed fields are checked by pydantic first (``seed="x"``); its
    ValidationError names the field but reads differently in each framework. When every
    error of ``error`` is about one of ``provider``'s chat options (or a name in
    ``also``), this raises our own error for the first: the option's check run on the
    value as given, else ``"<name>: <pydantic's message>"``. Otherwise it returns and the
    caller re-raises ``error``.

    >>> from pydantic import BaseModel, ValidationError
    >>> from fw_core.providers import FIREWORKS
    >>> class Options(BaseModel):
    ...     seed: int | None = None
    >>> try:
    ...     Options(seed="lucky")
    ... except ValidationError as exc:
    ...     try:
    ...         refuse_option_types(FIREWORKS, {"seed": "lucky"}, exc)
    ...     except ConfigurationError as err:
    ...         print(err)
    seed must be an integer, got 'lucky'
    """
    errors = getattr(error, "errors", None)
    if errors is None:
        return
    found = [err for err in errors() if err.get("loc")]
    names = set(provider.chat_param_names) | set(also)
    if not found or any(str(err["loc"][0]) not in names for err in found):
        return
    first = found[0]
    name = str(first["loc"][0])
    value = data.get(name, first.get("input"))
    checks = dict(provider.chat_checks)
    if name in checks:
        checks[name](value, data)  # our message, when our rule refuses it too
    raise ConfigurationError(f"{name}: {first.get('msg', 'invalid value')}, got {value!r}")
