"""Model listing: the OpenAI-style ``GET /models`` and the Fireworks account catalog.

The Fireworks catalog (``GET https://api.fireworks.ai/v1/accounts/{account}/models``) lives
on the control plane, not under the inference base URL; it pages with ``pageToken``.

>>> control_plane_url("https://api.fireworks.ai/inference/v1")
'https://api.fireworks.ai'
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from fw_core.client import AsyncClient, Client
from fw_core.errors import ConfigurationError, ResponseValidationError

__all__ = ["acatalog", "alist_models", "catalog", "control_plane_url", "list_models"]

_FIREWORKS_CONTROL_PLANE = "https://api.fireworks.ai"


def control_plane_url(base_url: str) -> str:
    """The control-plane origin for an inference base URL (direct routes use the public one)."""
    if base_url.endswith("/inference/v1"):
        return base_url[: -len("/inference/v1")]
    return _FIREWORKS_CONTROL_PLANE


def _data(payload: Any) -> list[dict[str, Any]]:
    if isinstance(payload, dict) and isinstance(payload.get("data"), list):
        return [m for m in payload["data"] if isinstance(m, dict)]
    raise ResponseValidationError("models response has no 'data' list")


def list_models(client: Client) -> list[dict[str, Any]]:
    """``GET {base}/models``: the OpenAI-style list (``[{"id": ...}, ...]``)."""
    return _data(client.request("GET", "/models").json())


async def alist_models(client: AsyncClient) -> list[dict[str, Any]]:
    return _data((await client.request("GET", "/models")).json())


def _catalog_args(
    client: Client | AsyncClient, account_id: str, page_size: int, filter: str | None
) -> tuple[str, dict[str, Any]]:
    if client.provider.name != "fireworks":
        raise ConfigurationError("the account model catalog is a Fireworks API")
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


def catalog(
    client: Client, *, account_id: str = "fireworks", page_size: int = 200,
    filter: str | None = None, max_pages: int = 100,
) -> Iterator[dict[str, Any]]:
    """Every model of a Fireworks account, following ``nextPageToken`` (bounded by max_pages)."""
    url, params = _catalog_args(client, account_id, page_size, filter)
    for _ in range(max_pages):
        models, token = _page(client.request("GET", url, params=params).json())
        yield from models
        if not token:
            return
        params = {**params, "pageToken": token}


async def acatalog(
    client: AsyncClient, *, account_id: str = "fireworks", page_size: int = 200,
    filter: str | None = None, max_pages: int = 100,
) -> AsyncIterator[dict[str, Any]]:
    url, params = _catalog_args(client, account_id, page_size, filter)
    for _ in range(max_pages):
        models, token = _page((await client.request("GET", url, params=params)).json())
        for m in models:
            yield m
        if not token:
            return
        params = {**params, "pageToken": token}
