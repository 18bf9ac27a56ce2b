"""The typed errors a send raises, built from httpx's exceptions and non-2xx answers.

Pure functions (no I/O): :mod:`fw_core.http.client`'s send loops call them when
:class:`fw_core.http.send_policy.SendPlan` says to give up, and :func:`redact` blanks the
client's key out of whatever the server sent back (docs/architecture.md §3 "Errors").

>>> req = httpx.Request("POST", "https://api.fireworks.ai/inference/v1/chat/completions",
...                     extensions={"timeout": {"read": 60.0}})
>>> str(transport_error(httpx.ReadTimeout("slow"), req))  # doctest: +ELLIPSIS
'the server did not answer in time (POST https://...): ReadTimeout (the read timeout of 60s)'
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from fw_core.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    QueueTimeoutError,
    make_status_error,
)
from fw_core.http.headers import request_id

__all__ = ["queue_error", "redact", "request_error", "status_error", "transport_error"]

_TIMEOUT_PHASES = {
    httpx.ConnectTimeout: "connect",
    httpx.ReadTimeout: "read",
    httpx.WriteTimeout: "write",
}


def transport_error(exc: httpx.TransportError, request: httpx.Request | None) -> APIError:
    """A failed send: APITimeoutError naming the phase and its limit, else APIConnectionError."""
    where = f" ({request.method} {request.url.copy_with(query=None)})" if request else ""
    if isinstance(exc, httpx.TimeoutException):
        phase = _TIMEOUT_PHASES.get(type(exc))
        timeouts = request.extensions.get("timeout", {}) if request is not None else {}
        limit = timeouts.get(phase) if phase and isinstance(timeouts, dict) else None
        said = f" (the {phase} timeout of {limit:g}s)" if limit is not None else ""
        return APITimeoutError(
            f"the server did not answer in time{where}: {type(exc).__name__}{said}"
        )
    return APIConnectionError(f"connection failed{where}: {type(exc).__name__}: {exc}")


def queue_error(exc: httpx.PoolTimeout, request: httpx.Request) -> QueueTimeoutError:
    """A request that waited for a connection in vain: never sent, so not retried."""
    where = f" ({request.method} {request.url.copy_with(query=None)})"
    err = QueueTimeoutError(f"not sent{where}: {exc}")
    err.waited = getattr(exc, "waited", None)
    err.queue_timeout = getattr(exc, "queue_timeout", None)
    return err


def request_error(exc: httpx.RequestError, request: httpx.Request) -> APIError:
    """A request error that is not transient (DecodingError, TooManyRedirects)."""
    where = f" ({request.method} {request.url.copy_with(query=None)})"
    return APIConnectionError(f"no usable response{where}: {type(exc).__name__}: {exc}")


def _request_model(response: httpx.Response) -> str | None:
    """The ``model`` a JSON request body named (read only on a 404, to name it in the error)."""
    try:
        sent = json.loads(response.request.content)
    except (httpx.RequestNotRead, RuntimeError, ValueError, TypeError):
        return None  # a multipart or streamed body: the error says "the model"
    model = sent.get("model") if isinstance(sent, dict) else None
    return model if isinstance(model, str) else None


def status_error(response: httpx.Response, body: bytes) -> APIStatusError:
    """The typed error for a non-2xx answer (a 3xx too: redirects are not followed)."""
    model = _request_model(response) if response.status_code == 404 else None
    err = make_status_error(
        response.status_code, body, request_id=request_id(response.headers), model=model
    )
    location = response.headers.get("location")
    if 300 <= response.status_code < 400 and location:
        err.add_note(f"the API redirected to {location}; use that URL as base_url")
    return err


def redact(exc: APIError, secret: str) -> APIError:
    """Blank ``secret`` out of an error built from what the server sent back, in place.

    Some servers quote the key in an error body ("Incorrect API key provided: ...");
    the key must still not reach messages, args or ``body``.

    >>> err = redact(APIError("bad key fw-0123456789"), "fw-0123456789")
    >>> err.message
    'bad key [REDACTED]'
    """
    if len(secret) < 8:  # too short to tell apart from ordinary text
        return exc

    def clean(value: Any) -> Any:
        return value.replace(secret, "[REDACTED]") if isinstance(value, str) else value

    exc.message, exc.body = clean(exc.message), clean(exc.body)
    exc.code, exc.param = clean(exc.code), clean(exc.param)
    exc.args = tuple(clean(a) for a in exc.args)
    return exc
