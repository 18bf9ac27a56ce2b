"""fw_core: the shared HTTP core for the Fireworks AI and Firmware.ai integrations.

Framework-free (httpx + pydantic only). ``langchain_fw`` and ``llamaindex_fw`` build on it;
you can also use it directly:

>>> from fw_core import FIREWORKS, Client
>>> client = Client(FIREWORKS, api_key="fw-example")
>>> # fw_core.chat.create(client, {"model": "...", "messages": [...]})

Modules: ``providers`` (what differs per API), ``client`` (HTTP, retries, streams),
``slots`` (its connection pool), ``headers`` (request merge, response headers kept),
``retry`` and ``sse`` (pure policy and decoding), ``errors`` (the exception tree),
``wire`` (response models), ``connection`` (the connection fields both adapters build on),
``chat_options`` (each API's options and their checks), ``stream_delta`` (one streamed
chat answer, merged), ``chat``, ``completions``, ``embeddings``, ``rerank``, ``models``
(catalog) and ``model_table`` (known models), ``quota`` (Firmware), ``batch`` (the Batch
API), ``audio``, ``uploads`` and ``transcript`` (speech to text, its file part and its
parsing), ``images``, ``image_headers`` and ``image_tool`` (text-to-image, image type and
size, the tools' settings), ``file_parts`` (documents in messages), ``reasoning``;
``fw_core.testing`` holds the wire double.

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
    from fw_core import (
        audio,
        chat,
        completions,
        connection,
        embeddings,
        images,
        models,
        quota,
        rerank,
        transcript,
    )
    from fw_core.client import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, AsyncClient, Client
    from fw_core.connection import ConnectionMixin


_LAZY_ATTRS = {
    "Client": "fw_core.client",
    "AsyncClient": "fw_core.client",
    "DEFAULT_TIMEOUT": "fw_core.client",
    "DEFAULT_MAX_RETRIES": "fw_core.client",
    "ConnectionMixin": "fw_core.connection",
}
_LAZY_MODULES = {
    "audio",
    "chat",
    "completions",
    "connection",
    "embeddings",
    "images",
    "models",
    "quota",
    "rerank",
    "reasoning",
    "testing",
    "transcript",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY_ATTRS:
        value = getattr(importlib.import_module(_LAZY_ATTRS[name]), name)
    elif name in _LAZY_MODULES:
        value = importlib.import_module(f"fw_core.{name}")
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
    "chat",
    "completions",
    "connection",
    "embeddings",
    "images",
    "models",
    "quota",
    "rerank",
    "transcript",
]
