"""Connection settings shared by every LangChain class in this package.

:class:`FwClientMixin` is a small pydantic mixin: the fields that say how to reach the API
(``api_key``, ``base_url``, ``timeout``, ``max_retries``, ``default_headers``,
``http_client``, ``http_async_client``) and the two fw_core clients, created lazily on
first use and reused for every later call. Mix it in *before* the LangChain base class and
set the ``fw_provider`` class variable::

    class FireworksEmbeddings(FwClientMixin, BaseModel, Embeddings):
        fw_provider: ClassVar[ProviderSpec] = FIREWORKS
        fw_aliases: ClassVar[Mapping[str, str]] = {"fireworks_api_key": "api_key"}

        def embed_query(self, text):
            with translate_errors():
                return fw_core.embeddings.embed(self._client(), ...)

What happens at construction: the key is taken from ``api_key`` (or an alias listed in
``fw_aliases``) or the provider's env vars, and a missing or blank key raises
:class:`~fw_core.errors.ConfigurationError` (a ``ValueError``) right away; the base URL is
resolved from the argument, the env vars or the provider default; ``timeout`` and
``max_retries`` are checked. No HTTP client exists until the first call.

The key is a :class:`~pydantic.SecretStr`: it never shows in ``repr`` or ``model_dump()``,
and ``lc_secrets`` maps it to the provider's env var name so LangChain's ``dumpd`` writes a
secret reference instead of the value. The httpx clients are excluded from serialization.

Example:
    >>> from typing import ClassVar
    >>> from pydantic import BaseModel
    >>> from fw_core import FIREWORKS, ProviderSpec
    >>> class Demo(FwClientMixin, BaseModel):
    ...     fw_provider: ClassVar[ProviderSpec] = FIREWORKS
    >>> demo = Demo(api_key="example-key", max_retries=0)
    >>> demo.base_url, demo._client().max_retries, "example-key" in repr(demo)
    ('https://api.fireworks.ai/inference/v1', 0, False)
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, ClassVar

import httpx
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    model_validator,
)

from fw_core.client import AsyncClient, Client
from fw_core.errors import ConfigurationError
from fw_core.providers import ProviderSpec

__all__ = ["FwClientMixin"]

# Guards the first creation of a model's clients, so threads sharing a model share one.
_CREATE_LOCK = threading.Lock()


def _check_timeout(value: Any) -> None:
    if value is None or isinstance(value, httpx.Timeout):
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigurationError(f"timeout must be a positive number of seconds, got {value!r}")


class FwClientMixin(BaseModel):
    """API connection fields plus lazily created, reused fw_core clients.

    Subclasses set ``fw_provider`` (:data:`~fw_core.FIREWORKS` or :data:`~fw_core.FIRMWARE`)
    and may set ``fw_aliases``, a map of extra constructor names to field names
    (``{"fireworks_api_key": "api_key", "fireworks_api_base": "base_url"}``).

    Example:
        >>> from typing import ClassVar
        >>> from pydantic import BaseModel
        >>> from fw_core import FIRMWARE, ProviderSpec
        >>> class Demo(FwClientMixin, BaseModel):
        ...     fw_provider: ClassVar[ProviderSpec] = FIRMWARE
        ...     fw_aliases: ClassVar[Mapping[str, str]] = {"firmware_api_key": "api_key"}
        >>> Demo(firmware_api_key="example-key").api_key.get_secret_value()
        'example-key'
    """

    model_config = ConfigDict(
        arbitrary_types_allowed=True, populate_by_name=True, protected_namespaces=()
    )

    fw_provider: ClassVar[ProviderSpec]
    fw_aliases: ClassVar[Mapping[str, str]] = {}

    api_key: SecretStr | None = Field(default=None)
    """API key; default from the provider's env vars (``FIREWORKS_API_KEY``, ...)."""
    base_url: str | None = None
    """Base URL; default from the provider's env vars, else the provider default."""
    timeout: float | httpx.Timeout | None = None
    """Seconds (or an ``httpx.Timeout``); default 60 s read, 5 s connect."""
    max_retries: int = 2
    """Retries after the first attempt on 408/409/429/5xx and connection errors."""
    default_headers: dict[str, str] | None = None
    """Extra headers sent with every request."""
    http_client: httpx.Client | None = Field(default=None, exclude=True)
    """An ``httpx.Client`` to use for sync calls (proxies, custom TLS, tests); never closed."""
    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    """An ``httpx.AsyncClient`` to use for async calls; never closed."""

    _fw_client: Client | None = PrivateAttr(default=None)
    _fw_async_client: AsyncClient | None = PrivateAttr(default=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().__init__(*args, **kwargs)
        except ValidationError as exc:
            # pydantic wraps a ValueError raised in a validator; give the user the
            # ConfigurationError itself (still a ValueError) with its plain message.
            for err in exc.errors():
                cause = (err.get("ctx") or {}).get("error")
                if isinstance(cause, ConfigurationError):
                    raise cause from None
            raise

    @model_validator(mode="before")
    @classmethod
    def _fw_apply_aliases(cls, data: Any) -> Any:
        aliases = cls.fw_aliases
        if aliases and isinstance(data, dict) and any(k in data for k in aliases):
            data = dict(data)
            for alias, name in aliases.items():
                if alias in data:
                    value = data.pop(alias)
                    if data.get(name) is None:
                        data[name] = value
        return data

    @model_validator(mode="after")
    def _fw_resolve_connection(self) -> Any:
        provider = self.fw_provider
        # object.__setattr__: no re-validation, and works whether or not the model is frozen.
        object.__setattr__(self, "api_key", provider.resolve_api_key(self.api_key))
        object.__setattr__(self, "base_url", provider.resolve_base_url(self.base_url))
        _check_timeout(self.timeout)
        mr = self.max_retries
        if isinstance(mr, bool) or not isinstance(mr, int) or mr < 0:
            raise ConfigurationError(f"max_retries must be an integer >= 0, got {mr!r}")
        return self

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Any:
        """A copy with its own (lazily created) fw_core clients.

        The clients are built from the connection fields, which ``update`` may change, so
        a copy never reuses the original's; an injected ``http_client`` is still shared.
        """
        if not deep:
            copied = super().model_copy(update=update)
            copied._fw_client = copied._fw_async_client = None
            return copied
        # A deep copy would try to copy the clients (locks, sockets): leave them out.
        saved = self._fw_client, self._fw_async_client
        self._fw_client = self._fw_async_client = None
        try:
            return super().model_copy(update=update, deep=True)
        finally:
            self._fw_client, self._fw_async_client = saved

    @property
    def lc_secrets(self) -> dict[str, str]:
        """LangChain serialization: the key is written as a reference to its env var."""
        return {"api_key": self.fw_provider.api_key_env[0]}

    def _client_kwargs(self) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
        }

    def _client(self) -> Client:
        """The sync fw_core client, created on first use and then reused."""
        client = self._fw_client
        if client is None:
            with _CREATE_LOCK:
                client = self._fw_client
                if client is None:
                    client = Client(
                        self.fw_provider, http_client=self.http_client, **self._client_kwargs()
                    )
                    self._fw_client = client
        return client

    def _aclient(self) -> AsyncClient:
        """The async fw_core client, created on first use and then reused."""
        client = self._fw_async_client
        if client is None:
            with _CREATE_LOCK:
                client = self._fw_async_client
                if client is None:
                    client = AsyncClient(
                        self.fw_provider,
                        http_client=self.http_async_client,
                        **self._client_kwargs(),
                    )
                    self._fw_async_client = client
        return client

    def close(self) -> None:
        """Close the sync HTTP client this object created (an injected one is left open)."""
        if self._fw_client is not None:
            self._fw_client.close()
            self._fw_client = None

    async def aclose(self) -> None:
        """Close the async HTTP client this object created (an injected one is left open)."""
        if self._fw_async_client is not None:
            await self._fw_async_client.aclose()
            self._fw_async_client = None
