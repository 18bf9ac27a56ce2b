"""Model listing: one normalised :class:`ModelInfo` for both APIs' model lists.

Where the lists come from (docs/wire.md §1.13, §2.6, §4.16):

* Fireworks: the control-plane catalog ``GET https://api.fireworks.ai/v1/accounts/{account}/models``
  (not under the inference base URL). It pages with ``pageSize``/``pageToken`` and takes an
  AIP-160 ``filter``. The account defaults to ``fireworks`` (the serverless catalog) or the
  ``FIREWORKS_ACCOUNT_ID`` environment variable. The OpenAI-style ``GET /inference/v1/models``
  reportedly leaves serverless models out, so :func:`list_models` does not use it;
  :func:`list_model_entries` still reads it raw.
* Firmware: ``GET {base}/models``, an OpenAI-style ``{"data": [{"id": ...}]}`` list.

Parsing is pure and tolerant: a field the API did not send stays ``None`` ("unknown"); it is
never guessed as ``False`` or ``0``.

>>> info = parse_catalog_entry({"name": "accounts/fireworks/models/deepseek-v4p1-flash",
...                             "contextLength": 163840, "supportsTools": True})
>>> info.id, info.owned_by, info.context_length, info.supports_tools, info.supports_image_input
('accounts/fireworks/models/deepseek-v4p1-flash', 'fireworks', 163840, True, None)
>>> catalog_filter(supports_tools=True, min_context_length=100000)
'supports_tools=true AND context_length>=100000'
>>> control_plane_url("https://api.fireworks.ai/inference/v1")
'https://api.fireworks.ai'
"""

from __future__ import annotations

import datetime as dt
import os
import re
import warnings
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict, cast

from fw_core.errors import (
    BadRequestError,
    ConfigurationError,
    ResponseValidationError,
    UnprocessableEntityError,
)
from fw_core.http.client import AsyncClient, Client
from fw_core.providers import FIREWORKS

__all__ = [
    "DEFAULT_ACCOUNT",
    "ModelFilters",
    "ModelInfo",
    "ReasoningStyle",
    "Serverless",
    "acatalog",
    "afind_model",
    "alist_model_entries",
    "alist_models",
    "catalog",
    "catalog_filter",
    "catalog_name",
    "control_plane_url",
    "default_account_id",
    "find_model",
    "list_model_entries",
    "list_models",
    "matches",
    "parse_catalog_entry",
    "parse_model_entry",
    "serverless_matches",
]

_FIREWORKS_CONTROL_PLANE = "https://api.fireworks.ai"
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


# -- raw requests --------------------------------------------------------------------------


def control_plane_url(base_url: str) -> str:
    """The control-plane origin for an inference base URL (direct routes use the public one)."""
    if base_url.endswith("/inference/v1"):
        return base_url[: -len("/inference/v1")]
    return _FIREWORKS_CONTROL_PLANE


def _data(payload: Any) -> list[dict[str, Any]]:
    if isinstance(payload, dict) and isinstance(payload.get("data"), list):
        return [m for m in payload["data"] if isinstance(m, dict)]
    raise ResponseValidationError("models response has no 'data' list")


def list_model_entries(client: Client) -> list[dict[str, Any]]:
    """``GET {base}/models`` as received: the OpenAI-style list (``[{"id": ...}, ...]``).

    On Fireworks this is ``/inference/v1/models``, which may omit serverless models;
    :func:`list_models` uses the account catalog instead.
    """
    return _data(client.request("GET", "/models").json())


async def alist_model_entries(client: AsyncClient) -> list[dict[str, Any]]:
    """Async twin of :func:`list_model_entries`."""
    return _data((await client.request("GET", "/models")).json())


def _catalog_args(
    client: Client | AsyncClient, account_id: str, page_size: int, filter: str | None
) -> tuple[str, dict[str, Any]]:
    client.provider.require(FIREWORKS, "the account model catalog")
    if not isinstance(account_id, str) or not _ACCOUNT_RE.match(account_id):
        raise ConfigurationError(f"account_id must be a Fireworks account id, got {account_id!r}")
    if not 1 <= page_size <= 200:
        raise ConfigurationError("page_size must be between 1 and 200")
    url = f"{control_plane_url(client.base_url)}/v1/accounts/{account_id}/models"
    params: dict[str, Any] = {"pageSize": page_size}
    if filter:
        params["filter"] = filter
    return url, params


def _page(payload: Any) -> tuple[list[dict[str, Any]], str | None]:
    if not isinstance(payload, dict) or not isinstance(payload.get("models", []), list):
        raise ResponseValidationError("catalog response has no 'models' list")
    return list(payload.get("models", [])), payload.get("nextPageToken") or None


def _check_max_pages(max_pages: Any) -> None:
    if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
        raise ConfigurationError(f"max_pages must be a positive integer, got {max_pages!r}")


class _Pager:
    """Paging state: refuses a repeated token, warns when max_pages cuts the list short."""

    def __init__(self, params: dict[str, Any], max_pages: int) -> None:
        _check_max_pages(max_pages)
        self.params = params
        self.max_pages = max_pages
        self.pages = 0
        self._seen: set[str] = set()

    def advance(self, token: str | None) -> bool:
        """Record a page; True when another page should be fetched."""
        self.pages += 1
        if not token:
            return False
        if token in self._seen:
            raise ResponseValidationError(
                f"the catalog returned page token {token!r} twice; stopping instead of looping"
            )
        self._seen.add(token)
        if self.pages >= self.max_pages:
            warnings.warn(
                f"model catalog: stopped after max_pages={self.max_pages} pages with more "
                "models left; pass a larger max_pages to read them all",
                RuntimeWarning,
                stacklevel=4,
            )
            return False
        self.params = {**self.params, "pageToken": token}
        return True


def catalog(
    client: Client,
    *,
    account_id: str = DEFAULT_ACCOUNT,
    page_size: int = 200,
    filter: str | None = None,
    max_pages: int = 100,
) -> Iterator[dict[str, Any]]:
    """Every raw entry of a Fireworks account's catalog, following ``nextPageToken``.

    At most ``max_pages`` requests (a RuntimeWarning says when that cut the list short);
    a page token the server already sent raises ResponseValidationError.
    """
    url, params = _catalog_args(client, account_id, page_size, filter)
    pager = _Pager(params, max_pages)
    while True:
        models, token = _page(client.request("GET", url, params=pager.params).json())
        yield from models
        if not pager.advance(token):
            return


async def acatalog(
    client: AsyncClient,
    *,
    account_id: str = DEFAULT_ACCOUNT,
    page_size: int = 200,
    filter: str | None = None,
    max_pages: int = 100,
) -> AsyncIterator[dict[str, Any]]:
    """Async twin of :func:`catalog`."""
    url, params = _catalog_args(client, account_id, page_size, filter)
    pager = _Pager(params, max_pages)
    while True:
        models, token = _page((await client.request("GET", url, params=pager.params)).json())
        for m in models:
            yield m
        if not pager.advance(token):
            return


# -- the public list -------------------------------------------------------------------------


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


def _prepare(
    client: Client | AsyncClient,
    account_id: str | None,
    supports_tools: bool | None,
    supports_image_input: bool | None,
    min_context_length: int | None,
    kind: str | None,
    max_pages: int,
    serverless: Serverless = "auto",
) -> tuple[_Query, str | None]:
    _check_filters(supports_tools, supports_image_input, min_context_length, kind)
    _check_max_pages(max_pages)
    account: str | None = None
    if client.provider.account_catalog:
        account = default_account_id() if account_id is None else account_id
        _catalog_args(client, account, 200, None)  # validates before any request
    elif account_id is not None:
        raise ConfigurationError("account_id applies to the Fireworks catalog only")
    # enum names are upper case; send the same spelling the client-side check accepts
    query = _Query(
        supports_tools,
        supports_image_input,
        min_context_length,
        kind.upper() if kind is not None else None,
        _serverless_for(serverless, account),
    )
    return query, account


class ModelFilters(TypedDict, total=False):
    """The keyword filters of :func:`list_models`, for wrappers that pass them through.

    Example:
        >>> filters: ModelFilters = {"supports_tools": True, "min_context_length": 128_000}
        >>> sorted(filters)
        ['min_context_length', 'supports_tools']
    """

    account_id: str | None
    supports_tools: bool | None
    supports_image_input: bool | None
    min_context_length: int | None
    kind: str | None
    max_pages: int
    server_filter: bool
    serverless: Serverless


def list_models(
    client: Client,
    *,
    account_id: str | None = None,
    supports_tools: bool | None = None,
    supports_image_input: bool | None = None,
    min_context_length: int | None = None,
    kind: str | None = None,
    max_pages: int = 100,
    server_filter: bool = True,
    serverless: Serverless = "auto",
) -> list[ModelInfo]:
    """The models the API lists, normalised, optionally filtered.

    Fireworks: the account catalog (``account_id``, default ``FIREWORKS_ACCOUNT_ID`` or
    ``fireworks``), all pages up to ``max_pages``. The filters are sent as an AIP-160
    ``filter`` (unless ``server_filter=False``) and always applied again to what comes back,
    since the server may ignore them; if the server refuses the filter (400/422) the list is
    read unfiltered and filtered here. Firmware: ``GET {base}/models``, filtered here.

    A model whose value for a filtered field is unknown is left out (see :func:`matches`).
    Bad filter values raise ConfigurationError before any request.

    ``serverless`` filters on the catalog's ``supportsServerless`` (see
    :func:`serverless_matches`), client-side only (the docs name no server filter on it):
    by default (``"auto"``) the public ``fireworks`` catalog lists only the models served
    serverless, since the catalog keeps retired ones (still ``state: READY``); pass
    ``serverless=None`` for every entry, ``False`` for the others. Other accounts are not
    filtered unless asked. Firmware takes no ``serverless`` filter.

    Example:
        >>> import httpx
        >>> from fw_core import FIREWORKS, Client
        >>> from fw_core.testing import WireDouble
        >>> client = Client(FIREWORKS, api_key="example-key",
        ...                 http_client=httpx.Client(transport=WireDouble().transport()))
        >>> vision = list_models(client, supports_image_input=True)
        >>> served = [m.id.rsplit("/", 1)[1] for m in vision]
        >>> served
        ['llama4-maverick-instruct-basic', 'kimi-k3']
        >>> everything = list_models(client, supports_image_input=True, serverless=None)
        >>> [(m.id.rsplit("/", 1)[1] in served, m.supports_serverless) for m in everything]
        [(True, True), (False, False), (True, True)]
    """
    query, account = _prepare(
        client,
        account_id,
        supports_tools,
        supports_image_input,
        min_context_length,
        kind,
        max_pages,
        serverless,
    )
    if account is None:
        infos = [parse_model_entry(e, client.provider.name) for e in list_model_entries(client)]
        return query.keep(infos)
    wanted = query.server_filter() if server_filter else None
    try:
        entries = list(catalog(client, account_id=account, filter=wanted, max_pages=max_pages))
    except (BadRequestError, UnprocessableEntityError):
        if wanted is None:
            raise
        entries = list(catalog(client, account_id=account, max_pages=max_pages))
    return query.keep(parse_catalog_entry(e) for e in entries)


async def alist_models(
    client: AsyncClient,
    *,
    account_id: str | None = None,
    supports_tools: bool | None = None,
    supports_image_input: bool | None = None,
    min_context_length: int | None = None,
    kind: str | None = None,
    max_pages: int = 100,
    server_filter: bool = True,
    serverless: Serverless = "auto",
) -> list[ModelInfo]:
    """Async twin of :func:`list_models`."""
    query, account = _prepare(
        client,
        account_id,
        supports_tools,
        supports_image_input,
        min_context_length,
        kind,
        max_pages,
        serverless,
    )
    if account is None:
        entries = await alist_model_entries(client)
        return query.keep(parse_model_entry(e, client.provider.name) for e in entries)
    wanted = query.server_filter() if server_filter else None
    try:
        raw = [
            e
            async for e in acatalog(client, account_id=account, filter=wanted, max_pages=max_pages)
        ]
    except (BadRequestError, UnprocessableEntityError):
        if wanted is None:
            raise
        raw = [e async for e in acatalog(client, account_id=account, max_pages=max_pages)]
    return query.keep(parse_catalog_entry(e) for e in raw)


# -- one model -------------------------------------------------------------------------------


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


def find_model(client: Client, model_id: str, *, max_pages: int = 100) -> ModelInfo | None:
    """The list entry for ``model_id``, or None when the API does not list it.

    Fireworks: the catalog of the model's own account, asked with ``name="<id>"`` (dropped
    on a 400), matched exactly; deployments and routers have no catalog entry and make no
    request. Firmware: ``GET {base}/models``, matched on the id, then on its last segment.
    """
    if not client.provider.account_catalog:
        return _pick(list_models(client), model_id)
    target = catalog_name(model_id)
    if target is None:
        return None
    account, name = target
    try:
        entries = list(
            catalog(client, account_id=account, filter=f'name="{name}"', max_pages=max_pages)
        )
    except (BadRequestError, UnprocessableEntityError):
        entries = list(catalog(client, account_id=account, max_pages=max_pages))
    return next(
        (parse_catalog_entry(e) for e in entries if isinstance(e, dict) and e.get("name") == name),
        None,
    )


async def afind_model(
    client: AsyncClient, model_id: str, *, max_pages: int = 100
) -> ModelInfo | None:
    """Async twin of :func:`find_model`."""
    if not client.provider.account_catalog:
        return _pick(await alist_models(client), model_id)
    target = catalog_name(model_id)
    if target is None:
        return None
    account, name = target
    try:
        entries = [
            e
            async for e in acatalog(
                client, account_id=account, filter=f'name="{name}"', max_pages=max_pages
            )
        ]
    except (BadRequestError, UnprocessableEntityError):
        entries = [e async for e in acatalog(client, account_id=account, max_pages=max_pages)]
    return next(
        (parse_catalog_entry(e) for e in entries if isinstance(e, dict) and e.get("name") == name),
        None,
    )
