"""Sync and async HTTP clients: one reused httpx client each, retries, typed errors, SSE.

A :class:`Client` (or :class:`AsyncClient`) belongs to one model object. It creates its
httpx client lazily on first use and reuses it (connection pooling, keep-alive), or uses
the one you inject (``http_client=`` for proxies, custom TLS, tests), which it then never
closes. The API key is a :class:`pydantic.SecretStr` and appears in no repr, log or error.
Each send is a thin I/O loop (one sync, one async) over one
:class:`~fw_core.http.send_policy.SendPlan`, which makes every retry and rate-limit choice;
requests are built by :mod:`fw_core.http.request_build`, errors by :mod:`fw_core.http.send_errors`,
open streams are :mod:`fw_core.http.event_stream`'s. Header work (merging, the response headers
worth keeping) is :mod:`fw_core.http.headers`; ``select_headers``, ``ResponseHeaders``,
``EventStream`` and ``AsyncEventStream`` are importable from here as well.

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
from fw_core.errors import APIError, ConfigurationError, ResponseValidationError
from fw_core.http import send_errors
from fw_core.http.event_stream import AsyncEventStream, EventStream
from fw_core.http.headers import ResponseHeaders, merge_headers, select_headers
from fw_core.http.request_build import DEFAULT_TIMEOUT, RequestBuilder, body_bytes
from fw_core.http.request_build import check_timeout as _check_timeout
from fw_core.http.send_policy import SendPlan, Step
from fw_core.http.send_policy import check_max_wait as _check_max_wait
from fw_core.http.send_policy import check_retries as _check_retries
from fw_core.http.slots import AsyncSlotTransport, SlotTransport
from fw_core.providers import ProviderSpec

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

DEFAULT_MAX_RETRIES = 2
#: Most seconds a request waits in our own queue (below) while none of the connections
#: comes free; a queue that moves never times out (docs/architecture.md §2 "Clients").
DEFAULT_QUEUE_TIMEOUT = 600.0
#: Our clients' transports (fw_core.http.slots): at most 100 requests in flight, each on a
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


def _check_queue_timeout(seconds: object) -> float | None:
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds > 0:
        raise ConfigurationError(f"queue_timeout must be None or seconds > 0, got {seconds!r}")
    return float(seconds)


_RETRY_LOG = "retrying %s %s in %.2fs (retry %d of %d): %s"
_WAIT_LOG = "rate limited on %s %s: waiting %.2fs (%.0fs of %.0fs waited)"


def _why(step: Step, status: int) -> str:
    """The reason a log line gives for a wait or retry after a non-2xx answer."""
    return "" if step is Step.WAIT else f"status {status}"


class _ClientBase(RequestBuilder):
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
        # The wait for one of our connections (fw_core.http.slots), apart from self.timeout.
        self.queue_timeout = _check_queue_timeout(queue_timeout)
        self.max_retries = max_retries
        # Shared limiters (fw_core.ratelimit.limiter), one per model; the key only as a keyed hash.
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
        self._init_build()
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

        Some servers quote the key in an error body; it must not reach messages, args or
        ``body`` (:func:`fw_core.http.send_errors.redact`). Modifies ``exc`` in place.
        """
        return send_errors.redact(exc, self._api_key.get_secret_value())

    def _plan(self, max_retries: int | None) -> SendPlan:
        """A fresh :class:`~fw_core.http.send_policy.SendPlan` for one request."""
        if max_retries is None:
            return SendPlan(self.max_retries, self.rate_limit_max_wait)
        _check_retries(max_retries)
        return SendPlan(max_retries, self.rate_limit_max_wait)

    def _log_step(self, request: httpx.Request, plan: SendPlan, delay: float, why: str) -> None:
        """Log a retry, or (``why`` empty) an announced 429 being waited out."""
        method, path = request.method, request.url.path
        if why:
            logger.info(_RETRY_LOG, method, path, delay, plan.attempt, self.max_retries, why)
        else:
            wait_max = self.rate_limit_max_wait
            logger.info(_WAIT_LOG, method, path, delay, plan.waited - delay, wait_max)


# ---------------------------------------------------------------------------------------
# sync


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
        :class:`~fw_core.http.send_policy.SendPlan`'s, this loop only does the I/O.
        """
        http = self.http_client
        plan = self._plan(max_retries)
        if limiter is not None and limiter.tokens is not None:  # a token limit is known
            token_wait = limiter.reserve_tokens(body_bytes(request))
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
                raise send_errors.queue_error(exc, request) from exc
            except httpx.TransportError as exc:
                delay = plan.after_transport_error()
                if delay < 0:
                    raise send_errors.transport_error(exc, request) from exc
                self._log_step(request, plan, delay, type(exc).__name__)
                self._sleep(delay)
                continue
            except httpx.RequestError as exc:  # DecodingError, TooManyRedirects: not transient
                raise send_errors.request_error(exc, request) from exc
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
                raise self.redact_error(send_errors.status_error(response, body))
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
            self.http_client, method, path, json_body, params, headers, timeout, False, files, data
        )
        # stream=False: the body is read inside the retry loop, so a reset mid-body retries.
        limiter = self._limiter(json_body if json_body is not None else data)
        response, attempts = self._send(
            request, stream=False, max_retries=max_retries, limiter=limiter
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
            token_wait = limiter.reserve_tokens(body_bytes(request))
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
                raise send_errors.queue_error(exc, request) from exc
            except httpx.TransportError as exc:
                delay = plan.after_transport_error()
                if delay < 0:
                    raise send_errors.transport_error(exc, request) from exc
                self._log_step(request, plan, delay, type(exc).__name__)
                await self._asleep(delay)
                continue
            except httpx.RequestError as exc:  # DecodingError, TooManyRedirects: not transient
                raise send_errors.request_error(exc, request) from exc
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
                raise self.redact_error(send_errors.status_error(response, body))
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
            self.http_client, method, path, json_body, params, headers, timeout, False, files, data
        )
        # stream=False: the body is read inside the retry loop, so a reset mid-body retries.
        limiter = self._limiter(json_body if json_body is not None else data)
        response, attempts = await self._send(
            request, stream=False, max_retries=max_retries, limiter=limiter
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
