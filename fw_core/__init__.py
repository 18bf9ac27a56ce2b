"""fw_core: the shared HTTP core for the Fireworks AI and Firmware.ai integrations.

Framework-free (httpx + pydantic only). ``langchain_fw`` and ``llamaindex_fw`` build on it;
you can also use it directly:

>>> from fw_core import FIREWORKS, Client
>>> client = Client(FIREWORKS, api_key="fw-example")
>>> # fw_core.chat.create(client, {"model": "...", "messages": [...]})

The package, by job:

- ``errors`` (the exception tree), ``providers`` (what differs between the two APIs),
  ``model_table`` (the model ids we know, with the date they were checked), ``wire``
  (response models): facts every other part reads.
- ``fw_core.http``: the HTTP layer. ``client`` (Client / AsyncClient), ``slots`` (their
  connection gate), ``send_policy`` (the send loop's decisions, no I/O), ``retry``,
  ``request_build``, ``send_errors``, ``headers``, ``sse``, ``event_stream``, ``streaming``.
- ``fw_core.ratelimit``: the adaptive rate limiter, one per key and model.
- ``fw_core.endpoints``: one module per call family: ``chat``, ``completions``,
  ``embeddings``, ``rerank``, ``responses`` (with ``response_models``, ``response_body``,
  ``response_fold``), ``models`` (catalog, with ``model_info``), ``quota`` (Firmware),
  ``audio`` (with ``audio_options``, ``transcript`` and ``uploads``), ``images`` (with
  ``image_request``, ``image_result``, ``image_format``), ``kontext``, and ``batch`` (the
  Batch API).
- ``fw_core.kit``: what both framework adapters share that is not HTTP: ``connection``
  (their connection fields, with ``constructor_args``), ``chat_options`` and
  ``chat_body`` (options and the request body), ``stream_delta`` (a streamed answer,
  merged), ``file_parts``, ``reasoning``, ``tool_args``, ``tokens`` (estimates),
  ``affinity``, ``image_tool``, ``progress``, ``pip_extras``.
- ``fw_core.testing``: the wire double, for your own offline tests.

The endpoint modules and ``connection`` are also reachable as attributes of the package
(``fw_core.chat``, ``fw_core.embeddings``, ...), as are ``Client`` and ``AsyncClient``.

Importing the package loads only the errors and provider specs; the HTTP client and the
endpoint modules load on first use, so ``import fw_core`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from fw_core._version import __version__
from fw_core.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ContextLengthExceededError,
    FwError,
    InternalServerError,
    ModelNotFoundError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    PreconditionFailedError,
    QueueTimeoutError,
    RateLimitError,
    ResponseValidationError,
    StreamError,
    UnprocessableEntityError,
    UnsupportedParameterError,
)
from fw_core.providers import FIREWORKS, FIRMWARE, ProviderSpec

if TYPE_CHECKING:
    from fw_core import endpoints, http, kit, ratelimit, testing
    from fw_core.endpoints import (
        audio,
        batch,
        chat,
        completions,
        embeddings,
        images,
        kontext,
        models,
        quota,
        rerank,
        responses,
        transcript,
    )
    from fw_core.http.client import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, AsyncClient, Client
    from fw_core.kit import connection, reasoning
    from fw_core.kit.connection import ConnectionMixin


_LAZY_ATTRS = {
    "Client": "fw_core.http.client",
    "AsyncClient": "fw_core.http.client",
    "DEFAULT_TIMEOUT": "fw_core.http.client",
    "DEFAULT_MAX_RETRIES": "fw_core.http.client",
    "ConnectionMixin": "fw_core.kit.connection",
}
#: Attribute name -> module: the endpoints and two adapter-kit modules, and the subpackages.
_LAZY_MODULES = {
    **{
        name: f"fw_core.endpoints.{name}"
        for name in (
            "audio",
            "batch",
            "chat",
            "completions",
            "embeddings",
            "images",
            "kontext",
            "models",
            "quota",
            "rerank",
            "responses",
            "transcript",
        )
    },
    "connection": "fw_core.kit.connection",
    "reasoning": "fw_core.kit.reasoning",
    **{name: f"fw_core.{name}" for name in ("endpoints", "http", "kit", "ratelimit", "testing")},
}


def __getattr__(name: str) -> Any:
    if name in _LAZY_ATTRS:
        value = getattr(importlib.import_module(_LAZY_ATTRS[name]), name)
    elif name in _LAZY_MODULES:
        value = importlib.import_module(_LAZY_MODULES[name])
    else:
        raise AttributeError(f"module 'fw_core' has no attribute {name!r}")
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "FIREWORKS",
    "FIRMWARE",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConfigurationError",
    "ConnectionMixin",
    "ContextLengthExceededError",
    "FwError",
    "InternalServerError",
    "ModelNotFoundError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "ProviderSpec",
    "QueueTimeoutError",
    "RateLimitError",
    "ResponseValidationError",
    "StreamError",
    "UnprocessableEntityError",
    "UnsupportedParameterError",
    "__version__",
    "audio",
    "batch",
    "chat",
    "completions",
    "connection",
    "embeddings",
    "endpoints",
    "http",
    "images",
    "kit",
    "kontext",
    "models",
    "quota",
    "ratelimit",
    "reasoning",
    "rerank",
    "responses",
    "testing",
    "transcript",
]
