"""Canary: fw_core's fast request building still builds what httpx's ``build_request`` does.

``fw_core.http.request_build``'s ``_build_fast`` skips ``httpx.Client.build_request`` on the
common path (no params, no per-call headers, no files) and builds the ``httpx.Request``
itself from headers merged once per httpx client (``_MergedHeaders``). It uses public
httpx API only, but it copies httpx's *rule* for merging a request into a client: the
client's headers first, the request's laid over them with ``Headers.update``; an absolute
URL kept as is; client params and cookies merged in; the timeout as a ``"timeout"``
extension. If an httpx release changes that rule, these tests fail with a message that
says what to check; the fix is to follow httpx in ``_build_fast`` / ``_MergedHeaders``,
or to delete ``_build_fast`` (``_build`` then always calls ``build_request``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from fw_core import FIREWORKS, FIRMWARE, ProviderSpec
from fw_core.http.client import AsyncClient, Client, _ClientBase
from fw_core.http.headers import merge_headers
from fw_core.http.request_build import SSE_ACCEPT, dumps

CANARY = (
    "fw_core.http.request_build.RequestBuilder._build_fast no longer builds the request that "
    "httpx.Client.build_request builds (httpx {version}). Check what httpx's build_request "
    "and its _merge_headers / _merge_url / _merge_queryparams / _merge_cookies do now, and "
    "the 'timeout' extension it sets; make _build_fast / _MergedHeaders follow it, or "
    "delete _build_fast so every request goes through build_request. Case: {case}"
)

# httpx clients as users inject them: default headers, ours in other spellings, repeated
# names, a non-ASCII value, a base_url, a timeout of their own, auth and hooks (applied at
# send time, not when building).
HTTP_CLIENT_KWARGS: dict[str, dict[str, Any]] = {
    "plain": {},
    "own-headers": {"headers": {"X-Team": "a", "X-Trace": "t1"}},
    "ours-respelled": {
        "headers": {"accept": "*/*", "USER-AGENT": "theirs/1", "authorization": "Bearer x"}
    },
    "repeated-names": {"headers": [("X-Multi", "1"), ("x-multi", "2"), ("X-MULTI", "3")]},
    "latin-1-value": {"headers": [(b"X-Name", "Zoë".encode("latin-1"))]},
    "utf-8-value": {"headers": [(b"X-Name", "Zoë".encode())]},
    "content-type-theirs": {"headers": {"Content-Type": "text/plain"}},
    "sse-accept-theirs": {"headers": {"Accept": "text/event-stream"}},
    "base-url": {"base_url": "https://elsewhere.example/v9"},
    "own-timeout": {"timeout": httpx.Timeout(1.0, read=2.0)},
    "auth-and-hooks": {"auth": ("u", "p"), "event_hooks": {"request": [], "response": []}},
    "no-default-headers": {"headers": {"User-Agent": ""}},
}

# What our own client adds: defaults, headers of the caller's, a timeout of its own.
OUR_CLIENT_KWARGS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "default-headers": {"default_headers": {"X-Team": "ours", "x-extra": "1"}},
    "respelled-defaults": {"default_headers": {"accept": "application/x-ndjson"}},
    "timeout": {"timeout": 7.5},
    "httpx-timeout": {"timeout": httpx.Timeout(3.0, connect=1.0)},
}

BODIES: dict[str, Any] = {
    "none": None,
    "json": {"model": "m", "messages": [{"role": "user", "content": "hi"}]},
    "unicode": {"text": "Grüße, 世界 ✓"},
    "empty": {},
}

CALLS = [  # (method, path, stream)
    ("POST", "/chat/completions", False),
    ("POST", "/chat/completions", True),
    ("GET", "/models", False),
    ("DELETE", "models/x", False),
    ("POST", "https://audio-prod.api.fireworks.ai/v1/audio/transcriptions", False),
]


def _ours(provider: ProviderSpec, kwargs: dict[str, Any]) -> _ClientBase:
    return Client(provider, api_key="fw-canary-key", **kwargs)


def _reference(
    ours: _ClientBase,
    http: httpx.Client | httpx.AsyncClient,
    method: str,
    path: str,
    body: Any,
    stream: bool,
) -> httpx.Request:
    """What httpx builds when handed the same request the slow path hands it."""
    headers = merge_headers(ours._headers, SSE_ACCEPT) if stream else ours._headers
    return http.build_request(
        method,
        ours._url(path),
        headers=headers,
        content=None if body is None else dumps(body),
        timeout=ours.timeout,
    )


def _shape(request: httpx.Request) -> tuple[Any, ...]:
    return (
        request.method,
        str(request.url),
        request.url.raw_path,
        request.headers.raw,  # names, spellings, values and order
        request.headers.encoding,
        request.content,
        request.extensions,
        type(request.stream),
    )


def _assert_same(fast: httpx.Request | None, slow: httpx.Request, case: str) -> None:
    assert fast is not None, f"the fast path gave up where it should not: {case}"
    assert _shape(fast) == _shape(slow), CANARY.format(version=httpx.__version__, case=case)


def _http_clients(kwargs: dict[str, Any]) -> list[httpx.Client | httpx.AsyncClient]:
    return [httpx.Client(**kwargs), httpx.AsyncClient(**kwargs)]


@pytest.mark.parametrize("http_case", sorted(HTTP_CLIENT_KWARGS))
@pytest.mark.parametrize("our_case", sorted(OUR_CLIENT_KWARGS))
def test_fast_path_equals_build_request(http_case: str, our_case: str) -> None:
    for provider, http in itertools.product(
        (FIREWORKS, FIRMWARE), _http_clients(HTTP_CLIENT_KWARGS[http_case])
    ):
        ours = _ours(provider, OUR_CLIENT_KWARGS[our_case])
        for (method, path, stream), (body_case, body) in itertools.product(CALLS, BODIES.items()):
            case = (
                f"provider={provider.name} http={http_case} ({type(http).__name__}) "
                f"ours={our_case} {method} {path} stream={stream} body={body_case}"
            )
            fast = ours._build_fast(http, method, path, body, stream)
            _assert_same(fast, _reference(ours, http, method, path, body, stream), case)
            # What callers get through _build is the same request.
            built = ours._build(http, method, path, body, None, None, None, stream)
            assert fast is not None and _shape(built) == _shape(fast), case


@pytest.mark.parametrize(
    "change",
    [
        lambda h: h.headers.__setitem__("X-Late", "1"),
        lambda h: h.headers.__setitem__("Accept", "application/xml"),
        lambda h: h.headers.__setitem__("authorization", "Bearer theirs"),
        lambda h: h.headers.__delitem__("User-Agent"),
        lambda h: h.headers.update({"x-team": "b"}),
        lambda h: setattr(h, "headers", {"Only": "this"}),
    ],
    ids=["add", "override-ours", "respell-ours", "delete", "update", "replace"],
)
def test_a_later_change_to_the_client_headers_is_followed(
    change: Callable[[httpx.Client], None],
) -> None:
    ours = _ours(FIREWORKS, {})
    http = httpx.Client(headers={"X-Team": "a"})
    body = {"a": 1}
    ours._build_fast(http, "POST", "/chat/completions", body, False)  # merged and kept
    change(http)
    for stream in (False, True):
        fast = ours._build_fast(http, "POST", "/chat/completions", body, stream)
        slow = _reference(ours, http, "POST", "/chat/completions", body, stream)
        _assert_same(fast, slow, f"client headers changed after first use, stream={stream}")


def test_switching_between_httpx_clients_keeps_each_ones_headers() -> None:
    ours = _ours(FIREWORKS, {})
    first, second = httpx.Client(headers={"X-Who": "1"}), httpx.Client(headers={"X-Who": "2"})
    for http in (first, second, first):
        fast = ours._build_fast(http, "GET", "/models", None, False)
        _assert_same(fast, _reference(ours, http, "GET", "/models", None, False), "switch")


@pytest.mark.parametrize(
    "kwargs",
    [{"params": {"api-version": "1"}}, {"cookies": {"session": "s"}}],
    ids=["client-params", "client-cookies"],
)
def test_what_the_fast_path_does_not_merge_goes_to_build_request(kwargs: dict[str, Any]) -> None:
    ours = _ours(FIREWORKS, {})
    for http in _http_clients(kwargs):
        assert ours._build_fast(http, "POST", "/chat/completions", {"a": 1}, False) is None
        built = ours._build(http, "POST", "/chat/completions", {"a": 1}, None, None, None, False)
        slow = _reference(ours, http, "POST", "/chat/completions", {"a": 1}, False)
        assert _shape(built) == _shape(slow)
        merged = built.url.params if "params" in kwargs else built.headers.get("cookie")
        assert merged, "the client's params / cookies must reach the request"


def test_a_relative_base_url_goes_to_build_request() -> None:
    ours = _ours(FIREWORKS, {})
    ours.base_url = "/relative/v1"  # only reachable through an httpx client's base_url
    http = httpx.Client(base_url="https://proxy.example")
    assert ours._build_fast(http, "GET", "/models", None, False) is None
    built = ours._build(http, "GET", "/models", None, None, None, None, False)
    assert str(built.url) == "https://proxy.example/relative/v1/models"


def test_the_async_client_takes_the_fast_path_too() -> None:
    ours = AsyncClient(FIREWORKS, api_key="fw-canary-key", http_client=httpx.AsyncClient())
    http = ours.http_client
    built = ours._build(http, "POST", "/chat/completions", {"a": 1}, None, None, None, True)
    _assert_same(
        built, _reference(ours, http, "POST", "/chat/completions", {"a": 1}, True), "async"
    )
    assert ours._merged is not None and ours._merged.http is http
