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
never guessed as ``False`` or ``0``. The entries and filters are
:mod:`fw_core.endpoints.model_info`; this module makes the requests, and every name stays
importable from here.

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

import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypedDict

from fw_core.endpoints.model_info import (
    _ACCOUNT_RE,
    DEFAULT_ACCOUNT,
    ModelInfo,
    ReasoningStyle,
    Serverless,
    _check_filters,
    _named,
    _pick,
    _Query,
    _serverless_for,
    catalog_filter,
    catalog_name,
    default_account_id,
    matches,
    parse_catalog_entry,
    parse_model_entry,
    serverless_matches,
)
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
                # advance, catalog, _filtered_catalog, list_models / find_model: the caller's line
                stacklevel=5,
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


def _filtered_catalog(
    client: Client, account: str, wanted: str | None, max_pages: int
) -> list[dict[str, Any]]:
    """The catalog asked with the ``wanted`` filter; read unfiltered when the server refuses
    the filter (400/422), since :func:`list_models` filters again anyway."""
    try:
        return list(catalog(client, account_id=account, filter=wanted, max_pages=max_pages))
    except (BadRequestError, UnprocessableEntityError):
        if wanted is None:
            raise
        return list(catalog(client, account_id=account, max_pages=max_pages))


async def _afiltered_catalog(
    client: AsyncClient, account: str, wanted: str | None, max_pages: int
) -> list[dict[str, Any]]:
    """Async twin of :func:`_filtered_catalog`."""
    try:
        pages = acatalog(client, account_id=account, filter=wanted, max_pages=max_pages)
        return [e async for e in pages]
    except (BadRequestError, UnprocessableEntityError):
        if wanted is None:
            raise
        return [e async for e in acatalog(client, account_id=account, max_pages=max_pages)]


# -- the public list -------------------------------------------------------------------------


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
    entries = _filtered_catalog(client, account, wanted, max_pages)
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
    entries = await _afiltered_catalog(client, account, wanted, max_pages)
    return query.keep(parse_catalog_entry(e) for e in entries)


# -- one model -------------------------------------------------------------------------------


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
    return _named(_filtered_catalog(client, account, f'name="{name}"', max_pages), name)


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
    entries = await _afiltered_catalog(client, account, f'name="{name}"', max_pages)
    return _named(entries, name)
