"""What the LLM, embedding and rerank classes share: one lazily created fw_core client pair.

Each LlamaIndex object owns one :class:`ClientHolder`. The holder creates the fw_core
:class:`~fw_core.client.Client` on the first sync call and the
:class:`~fw_core.client.AsyncClient` on the first async call, and reuses them afterwards
(connection pooling, keep-alive). Injected ``http_client`` / ``async_http_client`` are
handed through and never closed here.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import SecretStr

from fw_core.errors import ConfigurationError
from fw_core.providers import ProviderSpec

if TYPE_CHECKING:
    from fw_core.client import AsyncClient, Client

__all__ = [
    "ClientHolder",
    "ClosesClients",
    "check_http_clients",
    "holder_for",
    "resolve_connection",
    "safe_headers",
]

_SECRET_HEADERS = frozenset(
    {"authorization", "x-api-key", "api-key", "cookie", "proxy-authorization"}
)


def safe_headers(headers: Mapping[str, str] | None) -> dict[str, str] | None:
    """``headers`` without credential-bearing entries, for serialization."""
    if headers is None:
        return None
    return {k: v for k, v in headers.items() if k.lower() not in _SECRET_HEADERS}


def check_http_clients(http_client: Any, async_http_client: Any) -> None:
    """Refuse a sync client where an async one belongs and the other way round."""
    if http_client is not None and not isinstance(http_client, httpx.Client):
        raise ConfigurationError("http_client must be an httpx.Client")
    if async_http_client is not None and not isinstance(async_http_client, httpx.AsyncClient):
        raise ConfigurationError("async_http_client must be an httpx.AsyncClient")


class ClientHolder:
    """Lazily built, reused fw_core clients for one provider and one set of settings."""

    __slots__ = ("_aclient", "_async_http", "_client", "_http", "_kwargs", "_lock", "provider")

    def __init__(
        self,
        provider: ProviderSpec,
        *,
        api_key: SecretStr,
        base_url: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.provider = provider
        self._kwargs: dict[str, Any] = {
            "api_key": api_key,
            "base_url": base_url,
            "timeout": timeout,
            "max_retries": max_retries,
            "default_headers": dict(default_headers) if default_headers else None,
        }
        self._http = http_client
        self._async_http = async_http_client
        self._client: Client | None = None
        self._aclient: AsyncClient | None = None
        self._lock = threading.Lock()

    @property
    def sync(self) -> Client:
        client = self._client
        if client is None:
            from fw_core.client import Client

            with self._lock:
                if self._client is None:
                    self._client = Client(self.provider, http_client=self._http, **self._kwargs)
                client = self._client
        return client

    @property
    def async_(self) -> AsyncClient:
        client = self._aclient
        if client is None:
            from fw_core.client import AsyncClient

            with self._lock:
                if self._aclient is None:
                    self._aclient = AsyncClient(
                        self.provider, http_client=self._async_http, **self._kwargs
                    )
                client = self._aclient
        return client

    def close(self) -> None:
        """Close the sync httpx client if fw_core created it."""
        if self._client is not None:
            self._client.close()
            self._client = None

    async def aclose(self) -> None:
        """Close the async httpx client if fw_core created it."""
        if self._aclient is not None:
            await self._aclient.aclose()
            self._aclient = None

    def __getstate__(self) -> dict[str, Any]:
        # Pickled with its settings only; clients are rebuilt on first use.
        return {"provider": self.provider, "_kwargs": self._kwargs}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.provider = state["provider"]
        self._kwargs = state["_kwargs"]
        self._http = None
        self._async_http = None
        self._client = None
        self._aclient = None
        self._lock = threading.Lock()


def resolve_connection(
    provider: ProviderSpec,
    data: dict[str, Any],
    http_client: Any,
    async_http_client: Any,
) -> SecretStr:
    """Resolve the key and base URL into constructor ``data``; check injected clients.

    Raises ConfigurationError (missing key, bad base URL, wrong client type) before the
    object exists, so nothing is ever sent with a bad configuration.
    """
    api_key = provider.resolve_api_key(data.pop("api_key", None))
    data["base_url"] = provider.resolve_base_url(data.get("base_url"))
    check_http_clients(http_client, async_http_client)
    data["api_key"] = api_key
    return api_key


def holder_for(
    obj: Any,
    provider: ProviderSpec,
    api_key: SecretStr,
    http_client: httpx.Client | None,
    async_http_client: httpx.AsyncClient | None,
) -> ClientHolder:
    """The client holder for a constructed object, from its connection fields."""
    return ClientHolder(
        provider,
        api_key=api_key,
        base_url=obj.base_url,
        timeout=obj.timeout,
        max_retries=obj.max_retries,
        default_headers=obj.default_headers,
        http_client=http_client,
        async_http_client=async_http_client,
    )


class ClosesClients:
    """``close()`` / ``aclose()`` for the classes that keep their clients in ``_clients``."""

    if TYPE_CHECKING:
        _clients: ClientHolder

    def close(self) -> None:
        """Close the HTTP connections this object opened (injected clients stay open)."""
        self._clients.close()

    async def aclose(self) -> None:
        """Async twin of :meth:`close`."""
        await self._clients.aclose()
