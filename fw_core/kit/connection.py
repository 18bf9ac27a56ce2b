"""The connection fields every adapter class shares, declared once: :class:`ConnectionMixin`.

A framework-neutral pydantic mixin with the fields that say how to reach an API
(``api_key``, ``base_url``, ``timeout``, ``max_retries``, ``default_headers``,
``http_client``, ``http_async_client``) and the two fw_core clients, built on first use and
reused for every later call. The LangChain and LlamaIndex classes put it *before* their
framework base (``class FwEmbedding(ConnectionMixin, BaseEmbedding)``) and set the
``fw_provider`` class variable. A class that cannot be a pydantic model (LlamaIndex's
``BaseToolSpec``) holds a :class:`FireworksConnection` / :class:`FirmwareConnection`
instead, the same mixin as an object of its own.

At construction the key comes from ``api_key`` (or a constructor alias) or the provider's
env vars, and the base URL from the argument, the env vars or the provider default; the
timeout, retries and injected clients are checked. Every problem raises
:class:`~fw_core.errors.ConfigurationError` (a ``ValueError``) with its plain message, not
pydantic's ``ValidationError``. No HTTP client exists until the first call.

Copies, pickles and forks (what Ray, Spark, ``multiprocessing`` and worker pools do):

- ``copy.copy``, ``model_copy`` and ``copy.deepcopy`` give an object that builds its own
  fw_core clients on first use; an injected ``http_client`` / ``http_async_client`` is the
  caller's and is shared with the copy, not copied.
- ``pickle`` works before and after the object has made calls. An injected httpx client
  cannot be pickled: **the unpickled copy drops it and builds a default client** with the
  same key, base URL, timeout, retries and headers (no custom transport, proxy or TLS
  settings). Re-inject a client into the copy if it needs one.
- The client getters check the process id (kept current by an ``os.register_at_fork``
  hook, so the check costs a comparison, not a system call): an object inherited through
  ``fork()`` builds fresh clients in the child and never reuses the parent's connections,
  nor an injected client, whose pool belongs to the parent (the child builds a default
  one, as an unpickled copy does); the parent's clients are dropped there, not closed.
- The key stays a :class:`~pydantic.SecretStr` and is never serialized (``model_dump``,
  ``to_dict``, JSON), but a pickle must carry its value to rebuild the object: treat a
  pickle of one of these objects as a secret.

Example:
    >>> from typing import ClassVar
    >>> from pydantic import BaseModel
    >>> from fw_core import FIREWORKS, ProviderSpec
    >>> class Demo(ConnectionMixin, BaseModel):
    ...     fw_provider: ClassVar[ProviderSpec] = FIREWORKS
    >>> demo = Demo(api_key="example-key", max_retries=0)
    >>> demo.base_url, demo._client().max_retries, "example-key" in repr(demo)
    ('https://api.fireworks.ai/inference/v1', 0, False)
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import httpx
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_serializer,
    field_validator,
    model_validator,
)

from fw_core.errors import ConfigurationError
from fw_core.kit.constructor_args import (
    BASE_ALIASES,
    CREDENTIAL_HEADERS,
    REMOVED_ARGUMENTS,
    _known_arguments,
    hide_credential_headers,
    safe_headers,
    sort_unknown_arguments,
)
from fw_core.providers import FIREWORKS, FIRMWARE, ProviderSpec

if TYPE_CHECKING:
    from fw_core.http.client import AsyncClient, Client

__all__ = [
    "CREDENTIAL_HEADERS",
    "REMOVED_ARGUMENTS",
    "ConnectionMixin",
    "FireworksConnection",
    "FirmwareConnection",
    "LazyClients",
    "hide_credential_headers",
    "safe_headers",
    "sort_unknown_arguments",
]

# --------------------------------------------------------------------------- processes

# The process the clients below belong to, and the lock that guards building them. Both
# are replaced in a child made by fork(): a lock held by another parent thread at the
# moment of the fork would otherwise stay locked forever in the child.
_pid = os.getpid()
_build_lock = threading.Lock()


def _after_fork_in_child() -> None:
    global _pid, _build_lock
    _pid = os.getpid()
    _build_lock = threading.Lock()


if hasattr(os, "register_at_fork"):  # POSIX; a process that cannot fork needs no hook
    os.register_at_fork(after_in_child=_after_fork_in_child)


class LazyClients:
    """The fw_core clients one object has built, and the process they belong to.

    Never shared by copies and never pickled: ``copy``, ``deepcopy`` and unpickling all give
    an empty one, so every copy builds its own clients. ``home`` is the process the owner
    was created in, the only one where an injected httpx client may be used.

    >>> import copy, pickle
    >>> built = LazyClients()
    >>> copy.deepcopy(built) is built, pickle.loads(pickle.dumps(built)).sync
    (False, None)
    """

    __slots__ = ("async_", "home", "pid", "sync")

    def __init__(self) -> None:
        self.home = _pid
        self.pid = _pid
        self.sync: Client | None = None
        self.async_: AsyncClient | None = None

    def __copy__(self) -> LazyClients:
        return LazyClients()

    def __deepcopy__(self, memo: dict[int, Any]) -> LazyClients:
        return LazyClients()

    def __reduce__(self) -> tuple[type[LazyClients], tuple[()]]:
        return (LazyClients, ())

    def __repr__(self) -> str:
        return f"LazyClients(sync={self.sync is not None}, async_={self.async_ is not None})"


# --------------------------------------------------------------------------- checks


def _check_timeout(value: Any) -> None:
    from fw_core.http.client import _check_timeout as check  # the one rule, also used by Client

    check(value)


def _check_max_retries(value: Any) -> None:
    from fw_core.http.client import _check_retries as check

    check(value)


def _check_max_wait(value: Any) -> None:
    from fw_core.http.client import _check_max_wait as check

    check(value)


def _check_queue_timeout(value: Any) -> None:
    from fw_core.http.client import _check_queue_timeout as check

    check(value)


# JSON schemas for the non-pydantic types, so model_json_schema() works (LlamaIndex uses it):
# a timeout is dumped as httpx.Timeout.as_dict(); the injected clients are never dumped.
_SECONDS = {"anyOf": [{"type": "number"}, {"type": "null"}]}
_Timeout = Annotated[
    httpx.Timeout,
    WithJsonSchema(
        {
            "type": "object",
            "title": "httpx.Timeout",
            "properties": {k: _SECONDS for k in ("connect", "read", "write", "pool")},
        }
    ),
]
_HttpClient = Annotated[httpx.Client, WithJsonSchema({"title": "httpx.Client"})]
_HttpAsyncClient = Annotated[httpx.AsyncClient, WithJsonSchema({"title": "httpx.AsyncClient"})]

_CLIENT_TYPES: dict[str, type[Any]] = {
    "http_client": httpx.Client,
    "http_async_client": httpx.AsyncClient,
}


# --------------------------------------------------------------------------- the mixin


class ConnectionMixin(BaseModel):
    """API connection fields plus lazily created, reused fw_core clients.

    Subclasses set ``fw_provider`` (:data:`~fw_core.FIREWORKS` or :data:`~fw_core.FIRMWARE`)
    and may set ``fw_aliases``, a map of extra constructor names to field names
    (``{"fireworks_api_key": "api_key", "fireworks_api_base": "base_url"}``); every class
    also takes ``async_http_client`` for ``http_async_client``. A value given under both
    names keeps the field's own.

    Copies build their own clients and share an injected one; an unpickled copy, or the
    object in a process forked from its creator, builds a default client in place of an
    injected one (see the module docstring). A pickle carries the key's value.

    Example:
        >>> import pickle
        >>> from typing import ClassVar
        >>> from pydantic import BaseModel
        >>> from fw_core import FIRMWARE, ProviderSpec
        >>> class Demo(ConnectionMixin, BaseModel):
        ...     fw_provider: ClassVar[ProviderSpec] = FIRMWARE
        ...     fw_aliases: ClassVar[Mapping[str, str]] = {"firmware_api_key": "api_key"}
        >>> demo = Demo(firmware_api_key="example-key", timeout=httpx.Timeout(30.0))
        >>> demo.api_key.get_secret_value(), demo.model_dump()["timeout"]["read"]
        ('example-key', 30.0)
        >>> conn = FirmwareConnection(api_key="example-key", timeout=httpx.Timeout(30.0))
        >>> clone = pickle.loads(pickle.dumps(conn))
        >>> clone._client() is not conn._client(), clone.timeout == conn.timeout
        (True, True)
    """

    model_config = ConfigDict(
        arbitrary_types_allowed=True, populate_by_name=True, protected_namespaces=()
    )

    fw_provider: ClassVar[ProviderSpec]
    fw_aliases: ClassVar[Mapping[str, str]] = {}
    #: The field unknown constructor arguments go to as request-body fields (with a
    #: warning); None: the class refuses them (:func:`sort_unknown_arguments`).
    fw_extra_field: ClassVar[str | None] = None

    api_key: SecretStr | None = Field(
        default=None,
        exclude=True,
        repr=False,
        description="API key; default from the provider's env vars (FIREWORKS_API_KEY, "
        "FIRMWARE_API_KEY). Never serialized.",
    )
    base_url: str | None = Field(
        default=None,
        description="Inference base URL; default from the provider's env vars, else the "
        "provider's own.",
    )
    timeout: float | _Timeout | None = Field(
        default=None,
        description="Seconds per request, or an httpx.Timeout; default 60 s read, 5 s connect.",
    )
    max_retries: int = Field(
        default=2,
        description="Retries after the first attempt on 408/409/429/5xx and connection errors.",
    )
    default_headers: dict[str, str] | None = Field(
        default=None,
        repr=False,
        description="Extra headers sent with every request (credential headers are left "
        "out when serialized).",
    )
    rate_limit: bool = Field(
        default=True,
        description="Pace requests by the limits the server announces (x-ratelimit-*, "
        "retry-after, 429), shared per base URL, key and model in this process; waiting out "
        "a 429 the server asked us to wait does not spend max_retries. See "
        "docs/rate_limits.md.",
    )
    rate_limit_max_wait: float = Field(
        default=300.0,
        description="Most seconds one request may spend waiting out announced rate limits "
        "before its 429 is raised.",
    )
    queue_timeout: float | None = Field(
        default=600.0,
        description="Most seconds a call waits for one of the client's 100 connections while "
        "none comes free (QueueTimeoutError); a queue that moves never times out, and "
        "`timeout` starts only when the call is sent. None: no bound.",
    )
    http_client: _HttpClient | None = Field(
        default=None,
        exclude=True,
        repr=False,
        description="An httpx.Client for sync calls (proxies, custom TLS, tests); never "
        "closed here, not pickled.",
    )
    http_async_client: _HttpAsyncClient | None = Field(
        default=None,
        exclude=True,
        repr=False,
        description="An httpx.AsyncClient for async calls (also async_http_client=); never "
        "closed here, not pickled.",
    )

    _fw_clients: LazyClients = PrivateAttr(default_factory=LazyClients)

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

    # -- validation ---------------------------------------------------------------------

    @model_validator(mode="before")
    @classmethod
    def _fw_sort_unknown(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        known = _known_arguments(cls)
        if all(name in known for name in data):
            return data
        field = cls.fw_extra_field
        given = dict(data.get(field) or {}) if field is not None else {}
        both = sorted(name for name in given if name in data and name not in known)
        if both:
            raise ConfigurationError(
                f"{cls.__name__} got {both[0]!r} both as an argument and in {field}"
            )
        extra = sort_unknown_arguments(cls.__name__, data, known, field)
        data = {k: v for k, v in data.items() if k not in extra}
        if field is not None:
            data[field] = {**given, **extra}
        return data

    @model_validator(mode="before")
    @classmethod
    def _fw_apply_aliases(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        aliases = {**BASE_ALIASES, **cls.fw_aliases}
        if not any(k in data for k in aliases):
            return data
        data = dict(data)
        for alias, name in aliases.items():
            if alias in data:
                value = data.pop(alias)
                if data.get(name) is None:
                    data[name] = value
        return data

    @field_validator("http_client", "http_async_client", mode="before")
    @classmethod
    def _fw_check_http_client(cls, value: Any, info: ValidationInfo) -> Any:
        wanted = _CLIENT_TYPES[str(info.field_name)]
        if value is not None and not isinstance(value, wanted):
            raise ConfigurationError(
                f"{info.field_name} must be an httpx.{wanted.__name__}, got {type(value).__name__}"
            )
        return value

    @field_validator("rate_limit_max_wait", mode="before")
    @classmethod
    def _fw_check_max_wait(cls, value: Any) -> Any:
        _check_max_wait(value)  # before pydantic would read "5" or True as a number
        return value

    @field_validator("queue_timeout", mode="before")
    @classmethod
    def _fw_check_queue_timeout(cls, value: Any) -> Any:
        _check_queue_timeout(value)
        return value

    @field_validator("timeout", mode="before")
    @classmethod
    def _fw_timeout_from_dict(cls, value: Any) -> Any:
        # A serialized httpx.Timeout (see _fw_dump_timeout) comes back as one.
        if isinstance(value, Mapping):
            try:
                return httpx.Timeout(**value)
            except (TypeError, ValueError) as exc:
                raise ConfigurationError(f"timeout: not an httpx.Timeout: {exc}") from None
        return value

    @model_validator(mode="after")
    def _fw_resolve_connection(self) -> Any:
        provider = self.fw_provider
        # object.__setattr__: no re-validation, and works whether or not the model is frozen.
        object.__setattr__(self, "api_key", provider.resolve_api_key(self.api_key))
        object.__setattr__(self, "base_url", provider.resolve_base_url(self.base_url))
        _check_timeout(self.timeout)
        _check_max_retries(self.max_retries)
        return self

    # -- serialization ------------------------------------------------------------------

    @field_serializer("default_headers")
    def _fw_dump_headers(self, value: dict[str, str] | None) -> dict[str, str] | None:
        return safe_headers(value)

    @field_serializer("timeout")
    def _fw_dump_timeout(self, value: float | httpx.Timeout | None) -> Any:
        return value.as_dict() if isinstance(value, httpx.Timeout) else value

    # -- copies, pickles ----------------------------------------------------------------

    def __copy__(self) -> Any:
        copied = super().__copy__()
        copied._fw_clients = LazyClients()
        return copied

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Any:
        memo = {} if memo is None else memo
        for injected in (self.http_client, self.http_async_client):
            if injected is not None:  # the caller's client: shared, never copied
                memo.setdefault(id(injected), injected)
        return super().__deepcopy__(memo)

    def __getstate__(self) -> dict[Any, Any]:
        if self.http_client is None and self.http_async_client is None:
            return super().__getstate__()
        # An httpx client cannot be pickled: pickle a shallow copy without it, so the
        # framework's own __getstate__ never sees it and this object keeps its client.
        stripped = self.__copy__()
        stripped.__dict__["http_client"] = None
        stripped.__dict__["http_async_client"] = None
        return super(ConnectionMixin, stripped).__getstate__()

    # -- clients ------------------------------------------------------------------------

    def _client_kwargs(self) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
            "rate_limit": self.rate_limit,
            "rate_limit_max_wait": self.rate_limit_max_wait,
            "queue_timeout": self.queue_timeout,
        }

    def _fw_build(self, asynchronous: bool) -> Client | AsyncClient:
        from fw_core.http.client import AsyncClient, Client

        with _build_lock:
            built = self._fw_clients
            if built.pid != _pid:  # inherited through fork(): the parent's, not ours
                built.sync = built.async_ = None
                built.pid = _pid
            home = built.home == _pid
            if asynchronous:
                if built.async_ is None:
                    injected = self.http_async_client if home else None
                    built.async_ = AsyncClient(
                        self.fw_provider, http_client=injected, **self._client_kwargs()
                    )
                return built.async_
            if built.sync is None:
                http = self.http_client if home else None
                built.sync = Client(self.fw_provider, http_client=http, **self._client_kwargs())
            return built.sync

    def _client(self) -> Client:
        """The sync fw_core client, created on first use (in this process) and reused."""
        built = self._fw_clients
        client = built.sync
        if client is not None and built.pid == _pid:
            return client
        return self._fw_build(False)  # type: ignore[return-value]

    def _aclient(self) -> AsyncClient:
        """The async fw_core client, created on first use (in this process) and reused."""
        built = self._fw_clients
        client = built.async_
        if client is not None and built.pid == _pid:
            return client
        return self._fw_build(True)  # type: ignore[return-value]

    def close(self) -> None:
        """Close the sync HTTP client this object created (an injected one is left open)."""
        built = self._fw_clients
        client, built.sync = built.sync, None
        if client is not None and built.pid == _pid:  # never a parent's, after a fork
            client.close()

    async def aclose(self) -> None:
        """Close the async HTTP client this object created (an injected one is left open)."""
        built = self._fw_clients
        client, built.async_ = built.async_, None
        if client is not None and built.pid == _pid:
            await client.aclose()


class FireworksConnection(ConnectionMixin):
    """A Fireworks connection as an object of its own, for classes that are not pydantic.

    >>> conn = FireworksConnection(api_key="example-key", timeout=10)
    >>> conn._client().base_url
    'https://api.fireworks.ai/inference/v1'
    """

    fw_provider: ClassVar[ProviderSpec] = FIREWORKS


class FirmwareConnection(ConnectionMixin):
    """A Firmware connection as an object of its own, for classes that are not pydantic.

    >>> FirmwareConnection(api_key="example-key").base_url
    'https://app.firmware.ai/api/v1'
    """

    fw_provider: ClassVar[ProviderSpec] = FIRMWARE
