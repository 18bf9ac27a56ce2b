"""Sync and async HTTP clients: one reused httpx client each, retries, typed errors, SSE.

A :class:`Client` (or :class:`AsyncClient`) belongs to one model object. It creates its
httpx client lazily on first use and reuses it (connection pooling, keep-alive), or uses
the one you inject (``http_client=`` for proxies, custom TLS, tests), which it then never
closes. The API key is a :class:`pydantic.SecretStr` and appears in no repr, log or error.
Header work (merging, the response headers worth keeping) is :mod:`fw_core.headers`;
``select_headers`` and ``ResponseHeaders`` are importable from here as well.

>>> from fw_core import FIREWORKS, Client
>>> client = Client(FIREWORKS, api_key="fw-example")  # no request is made here
>>> client.base_url
'https://api.fireworks.ai/inference/v1'
>>> "fw-example" in repr(client)
False
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr

from fw_core import ratelimit
from fw_core.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ConfigurationError,
    QueueTimeoutError,
    ResponseValidationError,
    StreamError,
    make_status_error,
)
from fw_core.headers import ResponseHeaders, merge_headers, request_id, select_headers
from fw_core.providers import ProviderSpec
from fw_core.send_policy import SendPlan, Step
from fw_core.slots import AsyncSlotTransport, SlotTransport
from fw_core.sse import ServerSentEvent, SSEDecoder

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_QUEUE_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "APIResponse",
    "AsyncClient",
    "AsyncEventStream",
    "Client",
    "EventStream",
    "ResponseHeaders",
    "select_headers",
]

logger = logging.getLogger("fw_core")

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
#: Most seconds a request waits in our own queue (below) while none of the connections
#: comes free; a queue that moves never times out (docs/architecture.md §2 "Clients").
DEFAULT_QUEUE_TIMEOUT = 600.0
#: Our clients' transports (fw_core.slots): at most 100 requests in flight, each on a
#: keep-alive connection of its own; more calls wait their turn in order.
_DEFAULT_LIMITS = httpx.Limits(max_connections=100)

from fw_core._version import __version__ as _VERSION  # noqa: E402 (the one version source)

USER_AGENT = f"fw-integrations/{_VERSION} httpx/{httpx.__version__}"


@dataclass(slots=True)
class APIResponse:
    """A successful (2xx) response, body already read."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    attempts: int = 1

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-request-id")

    def json(self) -> Any:
        try:
            return json.loads(self.content)
        except ValueError as exc:
            raise ResponseValidationError(
                "the API answered with a body that is not JSON",
                status_code=self.status_code,
                request_id=self.request_id,
                body=self.content[:2000].decode("utf-8", "replace"),
            ) from exc


def _check_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ConfigurationError(f"timeout must be a positive number of seconds, got {timeout!r}")
    seconds = float(timeout)
    return httpx.Timeout(seconds, connect=min(seconds, DEFAULT_TIMEOUT.connect or 5.0))


_TIMEOUT_PHASES = {
    httpx.ConnectTimeout: "connect",
    httpx.ReadTimeout: "read",
    httpx.WriteTimeout: "write",
}


def _transport_error(exc: httpx.TransportError, request: httpx.Request | None) -> APIError:
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


def _queue_error(exc: httpx.PoolTimeout, request: httpx.Request) -> QueueTimeoutError:
    """A request that waited for a connection in vain: never sent, so not retried."""
    where = f" ({request.method} {request.url.copy_with(query=None)})"
    err = QueueTimeoutError(f"not sent{where}: {exc}")
    err.waited = getattr(exc, "waited", None)
    err.queue_timeout = getattr(exc, "queue_timeout", None)
    return err


def _check_queue_timeout(seconds: object) -> float | None:
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds > 0:
        raise ConfigurationError(f"queue_timeout must be None or seconds > 0, got {seconds!r}")
    return float(seconds)


def _body_bytes(request: httpx.Request) -> bytes | None:
    """The request's body when it is in memory (JSON), else None (a streamed upload)."""
    try:
        return request.content
    except httpx.RequestNotRead:
        return None


def _request_error(exc: httpx.RequestError, request: httpx.Request) -> APIError:
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


def _status_error(response: httpx.Response, body: bytes) -> APIStatusError:
    """The typed error for a non-2xx answer (a 3xx too: redirects are not followed)."""
    model = _request_model(response) if response.status_code == 404 else None
    err = make_status_error(
        response.status_code, body, request_id=request_id(response.headers), model=model
    )
    location = response.headers.get("location")
    if 300 <= response.status_code < 400 and location:
        err.add_note(f"the API redirected to {location}; use that URL as base_url")
    return err


_SSE_ACCEPT = {"Accept": "text/event-stream"}


class _MergedHeaders:
    """Our headers laid over one httpx client's own, as ``build_request`` lays them.

    ``httpx.Client.build_request`` starts from ``httpx.Headers(client.headers)`` and
    ``update()``s it with the request's headers; this does that once per (client, client
    header list) instead of per request. ``raw`` is the client's header list it was built
    from: a change to it (a header set on an injected client later) means rebuilding.
    tests/unit/test_build_canary.py checks the result against ``build_request`` itself.
    """

    __slots__ = ("http", "plain", "raw", "sse")

    def __init__(self, http: httpx.Client | httpx.AsyncClient, ours: Mapping[str, str]) -> None:
        self.http = http
        self.raw = http.headers.raw
        self.plain = httpx.Headers(http.headers)
        self.plain.update(ours)
        self.sse = httpx.Headers(http.headers)
        self.sse.update(merge_headers(ours, _SSE_ACCEPT))


def _why(step: Step, status: int) -> str:
    """The reason a log line gives for a wait or retry after a non-2xx answer."""
    return "" if step is Step.WAIT else f"status {status}"


def _dumps(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _check_retries(max_retries: object) -> None:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigurationError(f"max_retries must be an integer >= 0, got {max_retries!r}")


def _check_max_wait(seconds: object) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds >= 0:
        raise ConfigurationError(f"rate_limit_max_wait must be seconds >= 0, got {seconds!r}")
    return float(seconds)


class _ClientBase:
    """Configuration shared by the sync and async clients."""

    def __init__(
        self,
        provider: ProviderSpec,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
        rate_limit: bool = True,
        rate_limit_max_wait: float = ratelimit.DEFAULT_MAX_WAIT,
        queue_timeout: float | None = DEFAULT_QUEUE_TIMEOUT,
    ) -> None:
        _check_retries(max_retries)
        self.provider = provider
        self._api_key = provider.resolve_api_key(api_key, env)
        self.base_url = provider.resolve_base_url(base_url, env)
        self.timeout = _check_timeout(timeout)
        # The wait for one of our connections (fw_core.slots), apart from self.timeout.
        self.queue_timeout = _check_queue_timeout(queue_timeout)
        self.max_retries = max_retries
        # Shared limiters (fw_core.ratelimit), one per model; the key only as a keyed hash.
        self.rate_limit = bool(rate_limit)
        self.rate_limit_max_wait = _check_max_wait(rate_limit_max_wait)
        self._key_id = ratelimit.key_id(self._api_key.get_secret_value())
        self._limiters: dict[str, ratelimit.RateLimiter] = {}
        self._headers: dict[str, str] = merge_headers(
            {
                "Accept": "application/json",
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
            },
            default_headers,
            {"Authorization": f"Bearer {self._api_key.get_secret_value()}"},
        )
        # Per-call request building (see _build_fast): httpx URLs by path, and our headers
        # merged with the last httpx client's own.
        self._urls: dict[str, httpx.URL] = {}
        self._merged: _MergedHeaders | None = None
        # Tests replace these to run retry paths without real sleeps (``_pace``: the
        # waits a shared rate limiter asks for, as opposed to retries).
        self._sleep: Callable[[float], None] = time.sleep
        self._asleep: Callable[[float], Any] = asyncio.sleep
        self._pace: Callable[[float], None] = time.sleep
        self._apace: Callable[[float], Any] = asyncio.sleep

    @property
    def api_key(self) -> SecretStr:
        return self._api_key

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(provider={self.provider.name!r}, base_url={self.base_url!r}, "
            f"max_retries={self.max_retries})"
        )

    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def _build(
        self,
        http: httpx.Client | httpx.AsyncClient,
        method: str,
        path: str,
        json_body: Any,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        timeout: float | httpx.Timeout | None,
        stream: bool,
        files: Any = None,
        data: Any = None,
    ) -> httpx.Request:
        if files is None and params is None and not headers and timeout is None:
            request = self._build_fast(http, method, path, json_body, stream)
            if request is not None:
                return request
        hdrs = self._headers if not headers else merge_headers(self._headers, headers)
        if stream:
            hdrs = merge_headers(hdrs, _SSE_ACCEPT)
        if files is not None:
            hdrs = {k: v for k, v in hdrs.items() if k.lower() != "content-type"}
            return http.build_request(
                method,
                self._url(path),
                params=params,
                headers=hdrs,
                files=files,
                data=data,
                timeout=_check_timeout(timeout) if timeout is not None else self.timeout,
            )
        content = None if json_body is None else _dumps(json_body)
        return http.build_request(
            method,
            self._url(path),
            params=params,
            headers=hdrs,
            content=content,
            timeout=_check_timeout(timeout) if timeout is not None else self.timeout,
        )

    def _build_fast(
        self,
        http: httpx.Client | httpx.AsyncClient,
        method: str,
        path: str,
        json_body: Any,
        stream: bool,
    ) -> httpx.Request | None:
        """The request ``http.build_request`` would build, for the common case, or None.

        ``build_request`` parses the URL string and merges our headers into the client's
        (decoding and comparing every name) on every call: about 0.1 ms per request, most
        of what this client adds over a bare httpx call. The result only changes when the
        client's own headers do, so it is merged once and kept, keyed on that client and
        its raw header list (compared per call, so a header set on an injected client
        later still counts). Whatever else ``build_request`` merges (client query params,
        cookies, a relative URL against the client's ``base_url``) makes this return None
        and the caller use ``build_request`` itself.

        Only public httpx API is used (``httpx.Headers``, ``httpx.URL``, ``httpx.Request``);
        what is copied from httpx is the rule ``build_request`` follows, so
        tests/unit/test_build_canary.py compares the two over many header, body and
        client cases and fails, naming what to check, if an httpx release changes the rule.

        >>> from fw_core import FIREWORKS
        >>> c = Client(FIREWORKS, api_key="fw-example")
        >>> http = httpx.Client(headers={"X-Team": "a"})
        >>> fast = c._build(http, "POST", "/chat/completions", {"a": 1}, None, None, None, True)
        >>> slow = http.build_request("POST", c._url("/chat/completions"), content=b'{"a":1}',
        ...     headers=merge_headers(c._headers, _SSE_ACCEPT), timeout=c.timeout)
        >>> (fast.method, fast.url, fast.headers.raw, fast.content, fast.extensions) == (
        ...     slow.method, slow.url, slow.headers.raw, slow.content, slow.extensions)
        True
        >>> http.headers["X-Team"] = "b"  # a change to the client's headers is seen
        >>> c._build(http, "GET", "/models", None, None, None, None, False).headers["x-team"]
        'b'
        """
        if http.params or http.cookies:
            return None
        url = self._urls.get(path)
        if url is None:
            url = httpx.URL(self._url(path))
            if not url.is_absolute_url:
                return None
            if len(self._urls) < 64:  # paths come from code, not data; bound it anyway
                self._urls[path] = url
        merged = self._merged
        if merged is None or merged.http is not http or merged.raw != http.headers.raw:
            merged = self._merged = _MergedHeaders(http, self._headers)
        return httpx.Request(
            method,
            url,
            headers=merged.sse if stream else merged.plain,
            content=None if json_body is None else _dumps(json_body),
            extensions={"timeout": self.timeout.as_dict()},
        )

    def _limiter(self, body: Any) -> ratelimit.RateLimiter | None:
        """The shared limiter for this request's model (None when rate limiting is off)."""
        if not self.rate_limit:
            return None
        model = body.get("model") if isinstance(body, Mapping) else None
        model = model if isinstance(model, str) else ""
        limiter = self._limiters.get(model)
        if limiter is None:
            limiter = ratelimit.limiter_for(self.base_url, self._key_id, model)
            if len(self._limiters) < 64:  # models come from code; bound it anyway
                self._limiters[model] = limiter
        return limiter

    def redact_error(self, exc: APIError) -> APIError:
        """Blank this client's key out of an error built from what the server sent back.

        Some servers quote the key in an error body ("Incorrect API key provided: ...");
        the key must still not reach messages, args or ``body``. Modifies ``exc`` in place.
        """
        secret = self._api_key.get_secret_value()
        if len(secret) < 8:  # too short to tell apart from ordinary text
            return exc

        def clean(value: Any) -> Any:
            return value.replace(secret, "[REDACTED]") if isinstance(value, str) else value

        exc.message, exc.body = clean(exc.message), clean(exc.body)
        exc.code, exc.param = clean(exc.code), clean(exc.param)
        exc.args = tuple(clean(a) for a in exc.args)
        return exc

    def _plan(self, max_retries: int | None) -> SendPlan:
        """A fresh :class:`~fw_core.send_policy.SendPlan` for one request."""
        if max_retries is None:
            return SendPlan(self.max_retries, self.rate_limit_max_wait)
        _check_retries(max_retries)
        return SendPlan(max_retries, self.rate_limit_max_wait)

    def _log_step(self, request: httpx.Request, plan: SendPlan, delay: float, why: str) -> None:
        """Log a wait (``why`` empty: an announced 429 waited out) or a retry."""
        if not why:
            logger.info(
                "rate limited on %s %s: waiting %.2fs (%.0fs of %.0fs waited)",
                request.method,
                request.url.path,
                delay,
                plan.waited - delay,
                self.rate_limit_max_wait,
            )
            return
        logger.info(
            "retrying %s %s in %.2fs (retry %d of %d): %s",
            request.method,
            request.url.path,
            delay,
            plan.attempt,
            self.max_retries,
            why,
        )


# ---------------------------------------------------------------------------------------
# sync


class EventStream:
    """An open SSE response. Iterate it for events; it closes when exhausted or on exit.

    Errors while reading (reset, timeout, incomplete chunked body) become StreamError:
    once bytes were handed out nothing is retried.
    """

    def __init__(self, response: httpx.Response, attempts: int) -> None:
        self.response = response
        self.headers = response.headers
        self.status_code = response.status_code
        self.request_id = request_id(response.headers)
        self.attempts = attempts

    def __iter__(self) -> Iterator[ServerSentEvent]:
        decoder = SSEDecoder()
        try:
            for chunk in self.response.iter_bytes():
                yield from decoder.decode(chunk)
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise StreamError(
                f"the stream broke mid-way: {type(exc).__name__}: {exc}",
                status_code=self.status_code,
                request_id=self.request_id,
            ) from exc
        yield from decoder.flush()

    def close(self) -> None:
        self.response.close()


class Client(_ClientBase):
    """Synchronous client for one provider.

    Args:
        provider: :data:`~fw_core.FIREWORKS` or :data:`~fw_core.FIRMWARE`.
        api_key: the key; default from the provider's env vars.
        base_url: default from env, else the provider default.
        timeout: seconds or an ``httpx.Timeout``; default 60 s read, 5 s connect. They
            start when the request is sent, not while it waits for a connection.
        max_retries: retries after the first attempt (default 2).
        default_headers: extra headers on every request.
        rate_limit: pace by the limits the server announces (docs/rate_limits.md).
        rate_limit_max_wait: most seconds one request spends waiting out rate limits.
        queue_timeout: most seconds a request waits for one of the 100 connections while
            none comes free (default 600; None: no bound). A moving queue never times
            out; a stuck one raises :class:`~fw_core.errors.QueueTimeoutError`.
        http_client: an ``httpx.Client`` to use instead of creating one (never closed here;
            its own pool timeout bounds the wait for its connections).

    Example:
        >>> from fw_core import FIREWORKS, Client
        >>> with Client(FIREWORKS, api_key="fw-example") as client:
        ...     client.max_retries
        2
    """

    def __init__(
        self,
        provider: ProviderSpec,
        *,
        http_client: httpx.Client | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(provider, **kwargs)
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise ConfigurationError("http_client must be an httpx.Client")
        self._http = http_client
        self._owns_http = http_client is None
        self._lock = threading.Lock()

    @property
    def http_client(self) -> httpx.Client:
        http = self._http
        if http is None:
            with self._lock:
                if self._http is None:
                    self._http = httpx.Client(
                        timeout=self.timeout,
                        limits=_DEFAULT_LIMITS,  # for proxies from the environment
                        transport=SlotTransport(_DEFAULT_LIMITS, queue_timeout=self.queue_timeout),
                    )
                http = self._http
        return http

    def close(self) -> None:
        """Close the httpx client if this object created it."""
        if self._owns_http and self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(
        self,
        request: httpx.Request,
        *,
        stream: bool,
        max_retries: int | None = None,
        limiter: ratelimit.RateLimiter | None = None,
    ) -> tuple[httpx.Response, int]:
        """Send with retries. Returns a 2xx response (unread if ``stream``) and attempts.

        With a ``limiter``: wait for a slot before each attempt, report every answer, and
        wait out announced 429s without spending ``max_retries``; every choice is
        :class:`~fw_core.send_policy.SendPlan`'s, this loop only does the I/O.
        """
        http = self.http_client
        plan = self._plan(max_retries)
        if limiter is not None and limiter.tokens is not None:  # a token limit is known
            token_wait = limiter.reserve_tokens(_body_bytes(request))
            if token_wait > 0:
                self._pace(token_wait)
        pause = None
        while True:
            if limiter is not None:
                while True:  # ask for a slot until the plan takes one
                    wait, ticket = limiter.acquire(skip_pause=plan.paused, horizon=plan.horizon())
                    if wait > 0:
                        self._pace(wait)
                    if plan.granted(wait, ticket):
                        break
            plan.sent += 1
            try:
                response = http.send(request, stream=stream)
            except httpx.PoolTimeout as exc:  # queued in vain, never sent: not a fault
                raise _queue_error(exc, request) from exc
            except httpx.TransportError as exc:
                delay = plan.after_transport_error()
                if delay < 0:
                    raise _transport_error(exc, request) from exc
                self._log_step(request, plan, delay, type(exc).__name__)
                self._sleep(delay)
                continue
            except httpx.RequestError as exc:  # DecodingError, TooManyRedirects: not transient
                raise _request_error(exc, request) from exc
            if limiter is not None:
                pause = limiter.observe(response.status_code, response.headers, plan.ticket)
            if response.status_code < 300:
                return response, plan.sent
            try:
                body = response.read()
            except (httpx.TransportError, httpx.DecodingError):
                body = b""
            finally:
                response.close()
            step, delay = plan.after_status(response.status_code, response.headers, pause)
            if step is Step.RAISE:
                raise self.redact_error(_status_error(response, body))
            self._log_step(request, plan, delay, _why(step, response.status_code))
            self._sleep(delay)

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout | None = None,
        files: Any = None,
        data: Any = None,
        max_retries: int | None = None,
    ) -> APIResponse:
        """Send a request (retrying as the policy says) and return the read 2xx response.

        ``max_retries`` overrides the client's for this request (``0``: a request that must
        never be sent twice, such as one that spends something).
        """
        request = self._build(
            self.http_client,
            method,
            path,
            json_body,
            params,
            headers,
            timeout,
            False,
            files,
            data,
        )
        # stream=False: the body is read inside the retry loop, so a reset mid-body retries.
        response, attempts = self._send(
            request,
            stream=False,
            max_retries=max_retries,
            limiter=self._limiter(json_body if json_body is not None else data),
        )
        if logger.isEnabledFor(logging.DEBUG):  # request.url.path costs a decode per call
            logger.debug("%s %s -> %d", method, request.url.path, response.status_code)
        return APIResponse(response.status_code, response.headers, response.content, attempts)

    @contextmanager
    def stream(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Iterator[EventStream]:
        """Open an SSE stream. Retries happen only before the response body starts."""
        request = self._build(
            self.http_client, method, path, json_body, None, headers, timeout, True
        )
        response, attempts = self._send(request, stream=True, limiter=self._limiter(json_body))
        events = EventStream(response, attempts)
        try:
            yield events
        finally:
            response.close()


# ---------------------------------------------------------------------------------------
# async


class AsyncEventStream:
    """Async twin of :class:`EventStream`."""

    def __init__(self, response: httpx.Response, attempts: int) -> None:
        self.response = response
        self.headers = response.headers
        self.status_code = response.status_code
        self.request_id = request_id(response.headers)
        self.attempts = attempts

    async def __aiter__(self) -> AsyncIterator[ServerSentEvent]:
        decoder = SSEDecoder()
        try:
            async for chunk in self.response.aiter_bytes():
                for event in decoder.decode(chunk):
                    yield event
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise StreamError(
                f"the stream broke mid-way: {type(exc).__name__}: {exc}",
                status_code=self.status_code,
                request_id=self.request_id,
            ) from exc
        for event in decoder.flush():
            yield event

    async def aclose(self) -> None:
        await self.response.aclose()


@dataclass
class _LoopBound:
    loop: asyncio.AbstractEventLoop | None = None
    client: httpx.AsyncClient | None = None
    stale: list[httpx.AsyncClient] = field(default_factory=list)


class AsyncClient(_ClientBase):
    """Asynchronous client for one provider; arguments as :class:`Client`.

    The httpx.AsyncClient it creates is tied to the event loop that first used it; used
    from another loop (a second ``asyncio.run``, a notebook cell, a test), it makes a new
    one instead of reusing connections that belong to a closed loop. An injected
    ``http_async_client`` is used as is.

    Example:
        >>> import asyncio
        >>> from fw_core import FIRMWARE, AsyncClient
        >>> async def main():
        ...     async with AsyncClient(FIRMWARE, api_key="fw-example") as client:
        ...         return client.base_url
        >>> asyncio.run(main())
        'https://app.firmware.ai/api/v1'
    """

    def __init__(
        self,
        provider: ProviderSpec,
        *,
        http_client: httpx.AsyncClient | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(provider, **kwargs)
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise ConfigurationError("http_async_client must be an httpx.AsyncClient")
        self._injected = http_client
        self._bound = _LoopBound()

    @property
    def http_client(self) -> httpx.AsyncClient:
        if self._injected is not None:
            return self._injected
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        bound = self._bound
        if bound.client is None or (loop is not None and bound.loop is not loop):
            if bound.client is not None:
                # Belongs to another (usually closed) loop: its connections can no longer
                # be closed from here (see aclose); keep the last few referenced.
                bound.stale.append(bound.client)
                del bound.stale[:-4]
            bound.client = httpx.AsyncClient(
                timeout=self.timeout,
                limits=_DEFAULT_LIMITS,  # for proxies from the environment
                transport=AsyncSlotTransport(_DEFAULT_LIMITS, queue_timeout=self.queue_timeout),
            )
            bound.loop = loop
        return bound.client

    async def aclose(self) -> None:
        """Close the httpx client if this object created it.

        Call it on the loop that made the calls: connections opened on an event loop
        can only be closed while that loop runs. After that loop has closed (calls in
        one ``asyncio.run``, ``aclose`` in the next) this forgets the client instead of
        failing with "Event loop is closed"; its sockets stay open until collected
        (Python then reports them with a ResourceWarning).
        """
        bound = self._bound
        self._bound = _LoopBound()
        if bound.client is None:
            return
        try:
            await bound.client.aclose()  # marks it closed first, then its connections
        except RuntimeError:
            if bound.loop is None or not bound.loop.is_closed():
                raise
            logger.debug("aclose: the client's event loop is closed; its connections are left")

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _send(
        self,
        request: httpx.Request,
        *,
        stream: bool,
        max_retries: int | None = None,
        limiter: ratelimit.RateLimiter | None = None,
    ) -> tuple[httpx.Response, int]:
        http = self.http_client
        plan = self._plan(max_retries)
        if limiter is not None and limiter.tokens is not None:  # a token limit is known
            token_wait = limiter.reserve_tokens(_body_bytes(request))
            if token_wait > 0:
                await self._apace(token_wait)
        pause = None
        while True:
            if limiter is not None:
                while True:  # ask for a slot until the plan takes one
                    if limiter.remote:  # state in another process: await the round trip
                        wait, ticket = await limiter.aacquire(
                            skip_pause=plan.paused, horizon=plan.horizon()
                        )
                    else:
                        wait, ticket = limiter.acquire(
                            skip_pause=plan.paused, horizon=plan.horizon()
                        )
                    if wait > 0:
                        await self._apace(wait)
                    if plan.granted(wait, ticket):
                        break
            plan.sent += 1
            try:
                response = await http.send(request, stream=stream)
            except httpx.PoolTimeout as exc:  # queued in vain, never sent: not a fault
                raise _queue_error(exc, request) from exc
            except httpx.TransportError as exc:
                delay = plan.after_transport_error()
                if delay < 0:
                    raise _transport_error(exc, request) from exc
                self._log_step(request, plan, delay, type(exc).__name__)
                await self._asleep(delay)
                continue
            except httpx.RequestError as exc:  # DecodingError, TooManyRedirects: not transient
                raise _request_error(exc, request) from exc
            if limiter is not None:
                if limiter.remote:
                    pause = await limiter.aobserve(
                        response.status_code, response.headers, plan.ticket
                    )
                else:
                    pause = limiter.observe(response.status_code, response.headers, plan.ticket)
            if response.status_code < 300:
                return response, plan.sent
            try:
                body = await response.aread()
            except (httpx.TransportError, httpx.DecodingError):
                body = b""
            finally:
                await response.aclose()
            step, delay = plan.after_status(response.status_code, response.headers, pause)
            if step is Step.RAISE:
                raise self.redact_error(_status_error(response, body))
            self._log_step(request, plan, delay, _why(step, response.status_code))
            await self._asleep(delay)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout | None = None,
        files: Any = None,
        data: Any = None,
        max_retries: int | None = None,
    ) -> APIResponse:
        """Async twin of :meth:`Client.request`."""
        request = self._build(
            self.http_client,
            method,
            path,
            json_body,
            params,
            headers,
            timeout,
            False,
            files,
            data,
        )
        # stream=False: the body is read inside the retry loop, so a reset mid-body retries.
        response, attempts = await self._send(
            request,
            stream=False,
            max_retries=max_retries,
            limiter=self._limiter(json_body if json_body is not None else data),
        )
        if logger.isEnabledFor(logging.DEBUG):  # request.url.path costs a decode per call
            logger.debug("%s %s -> %d", method, request.url.path, response.status_code)
        return APIResponse(response.status_code, response.headers, response.content, attempts)

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> AsyncIterator[AsyncEventStream]:
        """Async twin of :meth:`Client.stream`."""
        request = self._build(
            self.http_client, method, path, json_body, None, headers, timeout, True
        )
        response, attempts = await self._send(
            request, stream=True, limiter=self._limiter(json_body)
        )
        events = AsyncEventStream(response, attempts)
        try:
            yield events
        finally:
            await response.aclose()
