"""Building one request: its URL, headers, JSON body and timeout, as httpx would.

:class:`RequestBuilder` is the part of :class:`fw_core.http.client.Client` (and
``AsyncClient``) that turns a call into an ``httpx.Request``. The common case (a JSON body,
no per-call headers, params or timeout) takes :meth:`RequestBuilder._build_fast`, the one
speed hack measured worth keeping (docs/architecture.md §2 "Speed hacks"), guarded by
tests/unit/test_build_canary.py; everything else goes through ``build_request``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from fw_core.errors import ConfigurationError
from fw_core.http.headers import merge_headers

__all__ = [
    "DEFAULT_TIMEOUT",
    "SSE_ACCEPT",
    "RequestBuilder",
    "body_bytes",
    "check_timeout",
    "dumps",
]

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)


def check_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    """``timeout=`` as an ``httpx.Timeout``: None is the default; a number ``t`` becomes
    ``httpx.Timeout(t, connect=min(t, 5))``; anything else is a ConfigurationError."""
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ConfigurationError(f"timeout must be a positive number of seconds, got {timeout!r}")
    seconds = float(timeout)
    return httpx.Timeout(seconds, connect=min(seconds, DEFAULT_TIMEOUT.connect or 5.0))


SSE_ACCEPT = {"Accept": "text/event-stream"}


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
        self.sse.update(merge_headers(ours, SSE_ACCEPT))


def dumps(body: Any) -> bytes:
    """A JSON body as we send it: compact, UTF-8, non-ASCII kept as is."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def body_bytes(request: httpx.Request) -> bytes | None:
    """The request's body when it is in memory (JSON), else None (a streamed upload)."""
    try:
        return request.content
    except httpx.RequestNotRead:
        return None


class RequestBuilder:
    """Request building for a client: needs ``base_url``, ``timeout``, ``_headers`` (our
    merged headers), and the caches ``_urls`` / ``_merged`` set up by :meth:`_init_build`."""

    base_url: str
    timeout: httpx.Timeout
    _headers: dict[str, str]

    def _init_build(self) -> None:
        # Per-call request building (see _build_fast): httpx URLs by path, and our headers
        # merged with the last httpx client's own.
        self._urls: dict[str, httpx.URL] = {}
        self._merged: _MergedHeaders | None = None

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
            hdrs = merge_headers(hdrs, SSE_ACCEPT)
        if files is not None:
            hdrs = {k: v for k, v in hdrs.items() if k.lower() != "content-type"}
            return http.build_request(
                method,
                self._url(path),
                params=params,
                headers=hdrs,
                files=files,
                data=data,
                timeout=check_timeout(timeout) if timeout is not None else self.timeout,
            )
        content = None if json_body is None else dumps(json_body)
        return http.build_request(
            method,
            self._url(path),
            params=params,
            headers=hdrs,
            content=content,
            timeout=check_timeout(timeout) if timeout is not None else self.timeout,
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

        >>> from fw_core import FIREWORKS, Client
        >>> c = Client(FIREWORKS, api_key="fw-example")
        >>> http = httpx.Client(headers={"X-Team": "a"})
        >>> fast = c._build(http, "POST", "/chat/completions", {"a": 1}, None, None, None, True)
        >>> slow = http.build_request("POST", c._url("/chat/completions"), content=b'{"a":1}',
        ...     headers=merge_headers(c._headers, SSE_ACCEPT), timeout=c.timeout)
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
            content=None if json_body is None else dumps(json_body),
            extensions={"timeout": self.timeout.as_dict()},
        )
