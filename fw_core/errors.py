"""Every error fw_core raises, and the parsing of the APIs' error bodies.

The tree::

    FwError
    ├── ConfigurationError        bad key, model id, base URL or option; raised before any request
    │                              (also a ValueError, so framework validators surface it)
    └── APIError                  anything that went wrong talking to the API
        ├── APIStatusError        the API answered with a 4xx/5xx status
        │   ├── BadRequestError                 400
        │   │   ├── ContextLengthExceededError  400 whose body says the prompt is too long
        │   │   └── UnsupportedParameterError   400 whose body rejects a field or value
        │   ├── AuthenticationError             401
        │   ├── PaymentRequiredError            402
        │   ├── PermissionDeniedError           403
        │   ├── NotFoundError                   404
        │   │   └── ModelNotFoundError          404 whose body says the model is not served
        │   ├── PreconditionFailedError         412 (account suspended, LoRA failed to load)
        │   ├── UnprocessableEntityError        422
        │   ├── RateLimitError                  429
        │   └── InternalServerError             >= 500
        ├── APIConnectionError    no usable response: DNS, refused, reset, TLS
        │   └── APITimeoutError   connect/read/write/pool timeout
        ├── StreamError           an SSE stream broke, ended early, or carried an error frame
        └── ResponseValidationError  a 2xx whose body we cannot use

Every APIError carries ``status_code`` (None when there was no response), ``request_id``
(``x-request-id`` header, else the body's ``request_id``), the parsed ``message``, ``code``
and ``param``, and the raw ``body`` text.

The bodies vary (docs/wire.md §1.15, §2.7 and the real captures): a wrapped object
``{"error": {...}, "request_id": ...}``, the bare inner object, ``error`` as a plain
string, Anthropic-style ``{"type": "error", "error": {...}}``, FastAPI ``{"detail": [...]}``,
or not JSON at all (an HTML 502 page). :func:`parse_error_body` reads them all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ContextLengthExceededError",
    "ErrorInfo",
    "FwError",
    "InternalServerError",
    "ModelNotFoundError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "QueueTimeoutError",
    "RateLimitError",
    "ResponseValidationError",
    "StreamError",
    "UnprocessableEntityError",
    "UnsupportedParameterError",
    "is_model_not_found",
    "make_status_error",
    "parse_error_body",
]

_MAX_BODY_IN_MESSAGE = 500


class FwError(Exception):
    """Base of every error raised by fw_core."""


class ConfigurationError(FwError, ValueError):
    """A key, model id, base URL or option is missing, malformed or contradictory.

    Raised at construction or before a request is sent, never after a round trip.
    """


class APIError(FwError):
    """Something went wrong talking to the API."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        request_id: str | None = None,
        code: str | None = None,
        param: str | None = None,
        body: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.request_id = request_id
        self.code = code
        self.param = param
        self.body = body

    def __str__(self) -> str:
        parts = [self.message]
        if self.status_code is not None:
            parts.append(f"status={self.status_code}")
        if self.code:
            parts.append(f"code={self.code}")
        if self.request_id:
            parts.append(f"request_id={self.request_id}")
        return " | ".join(parts)


class APIStatusError(APIError):
    """The API answered with an error status."""


class BadRequestError(APIStatusError):
    """400: the request was malformed or used invalid parameters."""


class ContextLengthExceededError(BadRequestError):
    """400: the prompt (plus max_tokens) does not fit the model's context window."""


class UnsupportedParameterError(BadRequestError):
    """400: the API rejected a field or value (e.g. "Extra inputs are not permitted")."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, wrong or revoked."""


class PaymentRequiredError(APIStatusError):
    """402: no paid plan, or the usage limit is exhausted."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not use this resource."""


class NotFoundError(APIStatusError):
    """404: unknown path or model, or the model is not deployed."""


#: How to find a model that is served, named in every :class:`ModelNotFoundError`.
LIST_MODELS_HINT = (
    "list the models you can call with list_models() (fw_core.endpoints.models.list_models, or the "
    "list_models() method of a chat model or LLM); on Fireworks it lists serverless models "
    "by default"
)


class ModelNotFoundError(NotFoundError):
    """404 whose body says the model is unknown, inaccessible or not deployed.

    Fireworks answers ``{"message": "Model not found, inaccessible, and/or not deployed",
    "param": "model", "code": "NOT_FOUND", "type": "error"}`` (docs/wire.md §1.15; a retired
    serverless model answers the same). ``message`` names the model that was sent (``model``,
    None when the request named none), quotes the server (``server_message``) and says how to
    list the served models.

    Example:
        >>> err = make_status_error(404, b'{"message": "Model not found", "param": "model"}',
        ...                         model="accounts/fireworks/models/gone")
        >>> type(err).__name__, err.model, err.server_message
        ('ModelNotFoundError', 'accounts/fireworks/models/gone', 'Model not found')
        >>> err.message.startswith("model 'accounts/fireworks/models/gone' is not available")
        True
    """

    #: the model id the failed request named (a class default, so twins copy it as set)
    model: str | None = None
    #: the server's own message, unchanged
    server_message: str | None = None

    def __init__(self, message: str, *, model: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        if model is not None:
            self.model = model

    @classmethod
    def naming(cls, model: str | None, server_message: str, **kwargs: Any) -> ModelNotFoundError:
        """The error with a message that names ``model`` and says how to list served ones."""
        who = f"model {model!r}" if model else "the model"
        err = cls(
            f"{who} is not available: {server_message}; {LIST_MODELS_HINT}", model=model, **kwargs
        )
        err.server_message = server_message
        return err


class PreconditionFailedError(APIStatusError):
    """412: account suspended (spend limit, unpaid invoice) or a LoRA failed to load."""


class UnprocessableEntityError(APIStatusError):
    """422: the body failed the API's validation."""


class RateLimitError(APIStatusError):
    """429: rate limited, or deployment capacity exceeded."""


class InternalServerError(APIStatusError):
    """>= 500: the API failed or is overloaded."""


class APIConnectionError(APIError):
    """No usable response arrived: DNS failure, refused or reset connection, TLS error."""


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write or pool)."""


class QueueTimeoutError(APITimeoutError):
    """The request was never sent: it waited in this client's own queue for a connection
    and none came free for ``queue_timeout`` seconds (docs/architecture.md §2 "Clients").

    Not retried. ``waited``: seconds spent queued; ``queue_timeout``: the bound (None
    for an injected httpx client's own pool timeout). An ``APITimeoutError`` that is not
    this one timed out talking to the server.
    """

    waited: float | None = None
    queue_timeout: float | None = None


class StreamError(APIError):
    """A stream broke mid-way, ended before it was complete, or carried an error frame.

    Raised instead of returning a partial answer as if it were whole.
    """


class ResponseValidationError(APIError):
    """A successful status with a body that does not have the shape we need."""


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """What could be read from an error body."""

    message: str
    code: str | None = None
    type: str | None = None
    param: str | None = None
    request_id: str | None = None


def _as_str(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _message_from_detail(detail: Any) -> str:
    # FastAPI: {"detail": [{"loc": [...], "msg": "...", "type": "..."}]} or {"detail": "text"}
    if isinstance(detail, list):
        msgs = []
        for item in detail:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                msg = str(item.get("msg", item))
                msgs.append(f"{loc}: {msg}" if loc else msg)
            else:
                msgs.append(str(item))
        return "; ".join(msgs)
    return str(detail)


def parse_error_body(body: bytes | str | None) -> ErrorInfo:
    """Read message, code, type, param and request id from any known error envelope.

    Falls back to the raw text (trimmed) when the body is not JSON or has no known field.

    >>> parse_error_body(b'{"error": "Unauthorized"}').message
    'Unauthorized'
    """
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    try:
        payload = json.loads(text) if text.strip() else None
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raw = text.strip()
        if len(raw) > _MAX_BODY_IN_MESSAGE:
            raw = raw[:_MAX_BODY_IN_MESSAGE] + "…"
        return ErrorInfo(message=raw or "(empty error body)")

    request_id = _as_str(payload.get("request_id"))
    err = payload.get("error")
    if isinstance(err, dict):
        inner: dict[str, Any] = err
    elif isinstance(err, str):
        # {"error": "Unauthorized"} (Firmware quota), {"error": "...", "message": "..."}
        message = _as_str(payload.get("message")) or err
        code = _as_str(payload.get("code")) or (err if message != err else None)
        return ErrorInfo(message=message, code=code, request_id=request_id)
    else:
        inner = payload  # the bare inner object, or FastAPI / other top-level shapes

    found = _as_str(inner.get("message"))
    if found is None and "detail" in inner:
        found = _message_from_detail(inner["detail"])
    message = found if found is not None else text.strip()[:_MAX_BODY_IN_MESSAGE]
    err_type = _as_str(inner.get("type"))
    return ErrorInfo(
        message=message,
        code=_as_str(inner.get("code")),
        type=err_type,
        param=_as_str(inner.get("param")),
        request_id=request_id or _as_str(inner.get("request_id")),
    )


_CONTEXT_MARKERS = (
    "context length",
    "context_length",
    "context window",
    "maximum context",
    "prompt is too long",
    "too many tokens",
    "exceeds the model",
)
_UNSUPPORTED_MARKERS = (
    "extra inputs are not permitted",
    "unsupported parameter",
    "unsupported value",
    "unrecognized request argument",
    "is not supported",
    "not supported with this model",
    "unknown field",
)

_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    412: PreconditionFailedError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def is_model_not_found(status: int, info: ErrorInfo) -> bool:
    """Whether a 404 is about the request's model rather than the path (docs/wire.md §1.15).

    The body names ``param: "model"`` (Fireworks, captured: warpdotdev/warp#15107) or says
    "model not found" (Fireworks' message; Firmware's OpenAI-style body). A 404 such as
    "model is missing conversation_config" is about the endpoint, not a missing model.

    >>> is_model_not_found(404, parse_error_body(b'{"error": {"message": "Not Found"}}'))
    False
    """
    if status != 404:
        return False
    return info.param == "model" or "model not found" in info.message.lower()


def _status_class(status: int, info: ErrorInfo) -> type[APIStatusError]:
    if status >= 500:
        return InternalServerError
    cls = _STATUS_CLASSES.get(status, APIStatusError)
    if cls is BadRequestError:
        lowered = f"{info.message} {info.code or ''}".lower()
        # Rejected-field messages first: a field name such as
        # "context_length_exceeded_behavior" must not read as a context overflow.
        if any(m in lowered for m in _UNSUPPORTED_MARKERS):
            return UnsupportedParameterError
        if any(m in lowered for m in _CONTEXT_MARKERS):
            return ContextLengthExceededError
    return cls


def make_status_error(
    status: int,
    body: bytes | str | None,
    *,
    request_id: str | None = None,
    model: str | None = None,
) -> APIStatusError:
    """Build the typed error for an HTTP error status and its body.

    ``request_id`` (from the ``x-request-id`` header) wins over one found in the body.
    ``model`` is the model the request named: a 404 about the model becomes a
    :class:`ModelNotFoundError` whose message names it.
    """
    info = parse_error_body(body)
    raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if is_model_not_found(status, info):
        return ModelNotFoundError.naming(
            model,
            info.message,
            status_code=status,
            request_id=request_id or info.request_id,
            code=info.code or info.type,
            param=info.param,
            body=raw,
        )
    cls = _status_class(status, info)
    return cls(
        info.message,
        status_code=status,
        request_id=request_id or info.request_id,
        code=info.code or info.type,
        param=info.param,
        body=raw,
    )
