"""One listed model, normalised: :class:`ModelInfo`, the parsers of both APIs' list
entries (docs/wire.md §1.13, §2.6) and the pure filters over them.

No I/O: :mod:`fw_core.endpoints.models` reads the lists and pages the catalog; this module
turns what they return into :class:`ModelInfo` and decides which entries a query keeps.
Parsing is tolerant: a field the API did not send stays ``None`` ("unknown"); it is never
guessed as ``False`` or ``0``.

>>> info = parse_catalog_entry({"name": "accounts/fireworks/models/deepseek-v4p1-flash",
...                             "contextLength": 163840, "supportsTools": True})
>>> info.owned_by, info.context_length, info.supports_tools, info.supports_image_input
('fireworks', 163840, True, None)
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from fw_core.errors import ConfigurationError, ResponseValidationError

__all__ = [
    "DEFAULT_ACCOUNT",
    "ModelInfo",
    "ReasoningStyle",
    "Serverless",
    "catalog_filter",
    "catalog_name",
    "default_account_id",
    "matches",
    "parse_catalog_entry",
    "parse_model_entry",
    "serverless_matches",
]

#: The account whose catalog lists Fireworks' serverless models (docs/wire.md §1.13, inferred).
DEFAULT_ACCOUNT = "fireworks"
_ACCOUNT_ENV = "FIREWORKS_ACCOUNT_ID"
_ACCOUNT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_KIND_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

# Context-length keys seen in OpenAI-style lists (Fireworks /inference/v1/models uses
# ``context_length``; other gateways use the rest).
_CONTEXT_KEYS = (
    "context_length",
    "contextLength",
    "context_window",
    "max_context_length",
    "max_model_len",
    "max_input_tokens",
)


#: The ``serverless`` filter of :func:`list_models`: True (only models served serverless),
#: False (only models that are not), None (no filter) or ``"auto"`` (True for the public
#: ``fireworks`` catalog, None for any other account and for Firmware).
Serverless = bool | None | Literal["auto"]


#: How a model reasons: ``"none"``; ``"field"`` (optional, in ``reasoning_content``);
#: ``"inline"`` (``<think>`` inside ``content``); ``"always"`` (reasons on every call).
ReasoningStyle = Literal["none", "field", "inline", "always"]


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One model as either API lists it, normalised; also the type of the model table's
    entries (:mod:`fw_core.model_table`).

    ``None`` means the API did not say: ``supports_tools=None`` is "unknown", not "no".

    Attributes:
        id: the id to send as ``model`` (Fireworks: ``accounts/<a>/models/<m>``).
        provider: ``"fireworks"`` or ``"firmware"``.
        display_name: human-readable name (Fireworks ``displayName``).
        context_length: tokens the model accepts (prompt + output).
        supports_tools: function calling.
        supports_image_input: ``image_url`` content parts.
        supports_batch: an explicit batch flag, when an entry carries one (the batch guide
            names ``batch_inference_supported`` in ``firectl get model`` output; the REST
            ``Model`` resource has no such field, so this is nearly always None, which
            means "not stated", never "no"; docs/wire.md §7.6).
        supports_serverless: Fireworks ``supportsServerless`` ("the model has a serverless
            deployment", the SDK's ``Model`` type); None when the entry does not say.
        kind: Fireworks ``kind`` (e.g. ``HF_BASE_MODEL``) or the list's ``kind``/``type``.
        state: Fireworks ``state`` (e.g. ``READY``).
        owned_by: OpenAI-style ``owned_by``; for the Fireworks catalog, the account in ``id``.
        deprecation_date: when the vendor retires the model.
        raw: the entry exactly as received.
        reasoning: the model's :data:`ReasoningStyle`; the lists never state it, the
            model table does.
        source: where the figures come from (a vendor page for a table entry,
            ``"models endpoint"`` once a listing was merged over it); None for an entry
            parsed straight from a list.

    Example:
        >>> m = parse_model_entry({"id": "openai/gpt-4o", "owned_by": "openai",
        ...                        "context_length": 128000}, provider="firmware")
        >>> m.context_length, m.supports_tools, m.raw["owned_by"]
        (128000, None, 'openai')
    """

    id: str
    provider: str
    display_name: str | None = None
    context_length: int | None = None
    supports_tools: bool | None = None
    supports_image_input: bool | None = None
    kind: str | None = None
    state: str | None = None
    owned_by: str | None = None
    deprecation_date: dt.date | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    reasoning: ReasoningStyle | None = None
    source: str | None = None
    supports_batch: bool | None = None
    supports_serverless: bool | None = None


# -- pure parsers --------------------------------------------------------------------------


def _positive_int(value: Any) -> int | None:
    """An int > 0 from an int or a digit string (proto int64 comes as a JSON string)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
        return number if number > 0 else None
    return None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _batch_flag(entry: Mapping[str, Any]) -> bool | None:
    """An explicit batch flag under either spelling, if an entry ever carries one (docs/wire.md
    §7.6: the REST ``Model`` has none; the guide shows ``batch_inference_supported``).

    >>> _batch_flag({"batch_inference_supported": False}), _batch_flag({})
    (False, None)
    """
    for key in ("batchInferenceSupported", "batch_inference_supported"):
        flag = _flag(entry.get(key))
        if flag is not None:
            return flag
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _date(value: Any) -> dt.date | None:
    """``{"year", "month", "day"}`` (google.type.Date) or an ISO date/datetime string."""
    if isinstance(value, Mapping):
        try:
            year, month, day = (int(value.get(k) or 0) for k in ("year", "month", "day"))
            return dt.date(year, month, day) if year and month and day else None
        except (TypeError, ValueError):
            return None
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _entry_id(entry: Any, key: str, what: str) -> str:
    if not isinstance(entry, Mapping):
        raise ResponseValidationError(f"{what} entry is not an object: {entry!r:.80}")
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise ResponseValidationError(f"{what} entry has no {key!r}: {dict(entry)!r:.200}")
    return value


def parse_catalog_entry(entry: Mapping[str, Any], provider: str = "fireworks") -> ModelInfo:
    """A :class:`ModelInfo` from one Fireworks catalog entry (``models[]``, docs/wire.md §1.13).

    Raises ResponseValidationError when the entry has no ``name``.

    >>> parse_catalog_entry({"name": "accounts/me/models/ft-1", "deprecationDate":
    ...                      {"year": 2026, "month": 3, "day": 1}}).deprecation_date
    datetime.date(2026, 3, 1)
    """
    name = _entry_id(entry, "name", "catalog")
    parts = name.split("/")
    account = parts[1] if len(parts) >= 4 and parts[0] == "accounts" else None
    return ModelInfo(
        id=name,
        provider=provider,
        display_name=_text(entry.get("displayName")),
        context_length=_positive_int(entry.get("contextLength")),
        supports_tools=_flag(entry.get("supportsTools")),
        supports_image_input=_flag(entry.get("supportsImageInput")),
        kind=_text(entry.get("kind")),
        state=_text(entry.get("state")),
        owned_by=account,
        deprecation_date=_date(entry.get("deprecationDate")),
        raw=dict(entry),
        supports_batch=_batch_flag(entry),
        supports_serverless=_flag(entry.get("supportsServerless")),
    )


def parse_model_entry(entry: Mapping[str, Any], provider: str) -> ModelInfo:
    """A :class:`ModelInfo` from one OpenAI-style ``/models`` entry (Firmware, or Fireworks'
    ``/inference/v1/models``). Capability keys are read only when present.

    Raises ResponseValidationError when the entry has no ``id``.

    >>> parse_model_entry({"id": "m", "supports_tools": False, "context_length": "8192"},
    ...                   provider="fireworks").supports_tools
    False
    """
    model_id = _entry_id(entry, "id", "models")
    context = next((v for k in _CONTEXT_KEYS if (v := _positive_int(entry.get(k)))), None)
    images = entry.get("supports_image_input", entry.get("supports_vision"))
    return ModelInfo(
        id=model_id,
        provider=provider,
        display_name=_text(entry.get("display_name")) or _text(entry.get("name")),
        context_length=context,
        supports_tools=_flag(entry.get("supports_tools")),
        supports_image_input=_flag(images),
        kind=_text(entry.get("kind")) or _text(entry.get("type")),
        state=_text(entry.get("state")) or _text(entry.get("status")),
        owned_by=_text(entry.get("owned_by")),
        deprecation_date=_date(entry.get("deprecation_date") or entry.get("deprecationDate")),
        raw=dict(entry),
        supports_batch=_batch_flag(entry),
        supports_serverless=_flag(entry.get("supports_serverless")),
    )


def serverless_matches(info: ModelInfo, serverless: bool | None) -> bool:
    """Whether ``info`` passes the ``serverless`` filter (None: every model passes).

    True keeps the models whose entry says ``supportsServerless: true``; False keeps the
    others, an entry without the field included (proto3 JSON leaves a false boolean out, so
    a missing flag is not a serverless deployment).

    >>> served = ModelInfo(id="a", provider="fireworks", supports_serverless=True)
    >>> unstated = ModelInfo(id="b", provider="fireworks")
    >>> [serverless_matches(m, True) for m in (served, unstated)]
    [True, False]
    >>> [serverless_matches(m, False) for m in (served, unstated)]
    [False, True]
    """
    if serverless is None:
        return True
    return (info.supports_serverless is True) is serverless


def matches(
    info: ModelInfo,
    *,
    supports_tools: bool | None = None,
    supports_image_input: bool | None = None,
    min_context_length: int | None = None,
    kind: str | None = None,
) -> bool:
    """Whether ``info`` passes the filters (None = no filter on that field).

    A model whose value is unknown (None) does not pass a filter on that field: the list
    only returns models the API says match.

    >>> m = ModelInfo(id="x", provider="firmware", context_length=8192)
    >>> matches(m, min_context_length=8000), matches(m, supports_tools=False)
    (True, False)
    """
    if supports_tools is not None and info.supports_tools is not supports_tools:
        return False
    if supports_image_input is not None and info.supports_image_input is not supports_image_input:
        return False
    if min_context_length is not None and (
        info.context_length is None or info.context_length < min_context_length
    ):
        return False
    return kind is None or (info.kind or "").upper() == kind.upper()


def catalog_filter(
    *,
    supports_tools: bool | None = None,
    supports_image_input: bool | None = None,
    min_context_length: int | None = None,
    kind: str | None = None,
) -> str | None:
    """The AIP-160 ``filter`` string for the Fireworks catalog (None when nothing to filter).

    Field names are the snake_case forms of the documented response fields (AIP-160 filters
    name proto fields). The docs do not list which fields the server filters on, so
    :func:`list_models` also filters client-side and drops this filter on a 400.

    >>> catalog_filter(kind="HF_BASE_MODEL", supports_image_input=False)
    'supports_image_input=false AND kind="HF_BASE_MODEL"'
    """
    terms = []
    if supports_tools is not None:
        terms.append(f"supports_tools={str(supports_tools).lower()}")
    if supports_image_input is not None:
        terms.append(f"supports_image_input={str(supports_image_input).lower()}")
    if min_context_length is not None:
        terms.append(f"context_length>={min_context_length}")
    if kind is not None:
        terms.append(f'kind="{kind}"')
    return " AND ".join(terms) or None


def _check_filters(
    supports_tools: Any, supports_image_input: Any, min_context_length: Any, kind: Any
) -> None:
    for name, value in (
        ("supports_tools", supports_tools),
        ("supports_image_input", supports_image_input),
    ):
        if value is not None and not isinstance(value, bool):
            raise ConfigurationError(f"{name} must be True, False or None, got {value!r}")
    if min_context_length is not None and (
        isinstance(min_context_length, bool)
        or not isinstance(min_context_length, int)
        or min_context_length < 1
    ):
        raise ConfigurationError(
            f"min_context_length must be a positive integer, got {min_context_length!r}"
        )
    if kind is not None and (not isinstance(kind, str) or not _KIND_RE.match(kind)):
        raise ConfigurationError(f"kind must be an enum name such as 'HF_BASE_MODEL', got {kind!r}")


def _serverless_for(serverless: Any, account: str | None) -> bool | None:
    """The ``serverless`` filter in effect: ``"auto"`` is True on the public ``fireworks``
    catalog and None elsewhere; Firmware (``account`` None) takes no other value."""
    if serverless != "auto" and serverless is not None and not isinstance(serverless, bool):
        raise ConfigurationError(
            f"serverless must be True, False, None or 'auto', got {serverless!r}"
        )
    if account is None:
        if serverless not in ("auto", None):
            raise ConfigurationError("serverless applies to the Fireworks catalog only")
        return None
    if serverless == "auto":
        return True if account == DEFAULT_ACCOUNT else None
    return cast("bool | None", serverless)


def default_account_id(env: Mapping[str, str] | None = None) -> str:
    """``FIREWORKS_ACCOUNT_ID`` when set, else ``"fireworks"`` (the serverless catalog).

    >>> default_account_id({}), default_account_id({"FIREWORKS_ACCOUNT_ID": "acme"})
    ('fireworks', 'acme')
    """
    environ = os.environ if env is None else env
    return (environ.get(_ACCOUNT_ENV) or "").strip() or DEFAULT_ACCOUNT


@dataclass(frozen=True, slots=True)
class _Query:
    supports_tools: bool | None
    supports_image_input: bool | None
    min_context_length: int | None
    kind: str | None
    serverless: bool | None = None

    def keep(self, infos: Iterable[ModelInfo]) -> list[ModelInfo]:
        return [
            i
            for i in infos
            if serverless_matches(i, self.serverless)
            and matches(
                i,
                supports_tools=self.supports_tools,
                supports_image_input=self.supports_image_input,
                min_context_length=self.min_context_length,
                kind=self.kind,
            )
        ]

    def server_filter(self) -> str | None:
        return catalog_filter(
            supports_tools=self.supports_tools,
            supports_image_input=self.supports_image_input,
            min_context_length=self.min_context_length,
            kind=self.kind,
        )


def catalog_name(model_id: str) -> tuple[str, str] | None:
    """(account, full model name) of a Fireworks model id; None for deployments/routers.

    >>> catalog_name("accounts/fireworks/models/kimi-k3#accounts/me/deployments/d1")
    ('fireworks', 'accounts/fireworks/models/kimi-k3')
    >>> catalog_name("accounts/me/deployments/d1") is None
    True
    """
    name = model_id.partition("#")[0]
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != "accounts" or parts[2] != "models":
        return None
    return parts[1], name


def _pick(infos: Iterable[ModelInfo], model_id: str) -> ModelInfo | None:
    """Exact id first, then the same last path segment (``gpt-4o`` ~ ``openai/gpt-4o``)."""
    candidates = list(infos)
    exact = next((i for i in candidates if i.id == model_id), None)
    if exact is not None:
        return exact
    short = model_id.rsplit("/", 1)[-1]
    return next((i for i in candidates if i.id.rsplit("/", 1)[-1] == short), None)


def _named(entries: Iterable[Any], name: str) -> ModelInfo | None:
    """The catalog entry called exactly ``name``, parsed; None when there is none."""
    return next(
        (parse_catalog_entry(e) for e in entries if isinstance(e, dict) and e.get("name") == name),
        None,
    )
