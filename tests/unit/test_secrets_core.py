"""The API key never leaks: not in reprs, exceptions or logs; TLS on; not sent off-host."""

from __future__ import annotations

import logging
import ssl
import traceback
from typing import Any

import httpx
import pytest

from fw_core import FIREWORKS, FIRMWARE
from fw_core.endpoints import chat
from fw_core.errors import APIError, ConfigurationError
from fw_core.http.client import AsyncClient, Client

from ._core_support import (
    KEY,
    AsyncRecorder,
    Body,
    Recorder,
    json_response,
    make_async_client,
    make_client,
    pieces,
    sse,
    sse_response,
)

BODY = {"model": "accounts/fireworks/models/m", "messages": [{"role": "user", "content": "x"}]}
OK = {"id": "c", "choices": [{"index": 0, "message": {"content": "ok"}, "finish_reason": "stop"}]}


def assert_no_key_in_exception(exc: BaseException) -> None:
    texts = [str(exc), repr(exc), *(repr(a) for a in exc.args)]
    texts += [repr(v) for v in vars(exc).values()]
    texts += getattr(exc, "__notes__", [])
    texts.append("".join(traceback.format_exception(exc)))
    for text in texts:
        assert KEY not in text


def test_key_absent_from_client_repr_and_str() -> None:
    for cls in (Client, AsyncClient):
        for provider in (FIREWORKS, FIRMWARE):
            client = cls(provider, api_key=KEY, env={})
            assert KEY not in repr(client) and KEY not in str(client)
            assert KEY not in repr(client.api_key) and KEY not in str(client.api_key)
            assert client.api_key.get_secret_value() == KEY


def error_paths() -> list[tuple[str, Any]]:
    def status(code: int) -> Any:
        return [json_response({"error": {"message": "Invalid API key"}}, code)]

    return [
        ("401", status(401)),
        ("429 exhausted", status(429)),
        ("500 html", [httpx.Response(500, text="<html>oops</html>")]),
        ("connect", [httpx.ConnectError("connection refused")]),
        ("timeout", [httpx.ReadTimeout("read timed out")]),
    ]


@pytest.mark.parametrize(("name", "script"), error_paths())
def test_key_absent_from_request_errors(name: str, script: Any) -> None:
    client, _ = make_client(Recorder(script), max_retries=1)
    with pytest.raises(APIError) as info:
        client.request("POST", "/chat/completions", json_body=BODY)
    assert_no_key_in_exception(info.value)


@pytest.mark.parametrize(("name", "script"), error_paths())
async def test_key_absent_from_async_request_errors(name: str, script: Any) -> None:
    client, _ = make_async_client(AsyncRecorder(script), max_retries=1)
    with pytest.raises(APIError) as info:
        await client.request("POST", "/chat/completions", json_body=BODY)
    assert_no_key_in_exception(info.value)


def test_key_absent_from_stream_errors() -> None:
    raw = sse({"id": "s", "choices": [{"index": 0, "delta": {"content": "a"}}]}, done=False)
    scripts = [
        [sse_response(Body(pieces(raw, 5), break_after=2))],  # broken mid-way
        [sse_response(raw)],  # ends incomplete
        [sse_response(b'event: error\ndata: {"error": {"message": "bad key"}}\n\n')],
    ]
    for script in scripts:
        client, _ = make_client(Recorder(script))
        with pytest.raises(APIError) as info:
            list(chat.stream(client, BODY))
        assert_no_key_in_exception(info.value)


def test_key_absent_from_configuration_errors() -> None:
    with pytest.raises(ConfigurationError) as info:
        Client(FIREWORKS, api_key=KEY + "\n", env={})
    assert_no_key_in_exception(info.value)
    with pytest.raises(ConfigurationError) as info:
        Client(FIREWORKS, env={"FIREWORKS_API_KEY": " " + KEY})
    assert_no_key_in_exception(info.value)


def test_key_absent_from_debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    script = [
        json_response({"error": "busy"}, 503, {"retry-after": "0"}),
        httpx.ConnectError("refused"),
        json_response(OK),
    ]
    client, _ = make_client(Recorder(script), max_retries=3)
    client.request("POST", "/chat/completions", json_body=BODY)
    client, _ = make_client(Recorder([json_response({"error": "no"}, 401)]))
    with pytest.raises(APIError):
        client.request("POST", "/chat/completions", json_body=BODY)
    client, _ = make_client(
        Recorder(
            [
                json_response({}, 500),
                sse_response(
                    sse(
                        {
                            "id": "s",
                            "choices": [
                                {"index": 0, "delta": {"content": "a"}, "finish_reason": "stop"}
                            ],
                        }
                    )
                ),
            ]
        )
    )
    list(chat.stream(client, BODY))
    messages = [r.getMessage() for r in caplog.records]
    assert any("retrying" in m for m in messages)  # the retry path did log
    for record in caplog.records:
        assert KEY not in record.getMessage()
        assert KEY not in repr(record.args)
        assert KEY not in repr(record.__dict__)


def test_tls_verification_is_on_in_the_created_client() -> None:
    client = Client(FIREWORKS, api_key=KEY, env={})
    http = client.http_client
    ctx = http._transport.ssl_context  # type: ignore[attr-defined]
    assert ctx.verify_mode == ssl.CERT_REQUIRED
    assert ctx.check_hostname is True
    client.close()


async def test_tls_verification_is_on_in_the_created_async_client() -> None:
    client = AsyncClient(FIRMWARE, api_key=KEY, env={})
    ctx = client.http_client._transport.ssl_context  # type: ignore[attr-defined]
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname is True
    await client.aclose()


def redirecting_handler(seen: list[httpx.Request], target: str) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/chat/completions"):
            return httpx.Response(307, headers={"location": target})
        return json_response(OK)

    return handler


def test_authorization_not_forwarded_on_redirect_to_another_host() -> None:
    seen: list[httpx.Request] = []
    http = httpx.Client(
        transport=httpx.MockTransport(redirecting_handler(seen, "https://elsewhere.example/x")),
        follow_redirects=True,
    )
    client = Client(FIREWORKS, api_key=KEY, http_client=http, env={})
    client.request("POST", "/chat/completions", json_body=BODY)
    assert [r.url.host for r in seen] == ["api.fireworks.ai", "elsewhere.example"]
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
    assert "authorization" not in seen[1].headers
    assert all(KEY not in str(v) for v in seen[1].headers.values())


def test_authorization_kept_on_same_host_redirect() -> None:
    # The contrast case: proves the check above can tell the difference.
    seen: list[httpx.Request] = []
    http = httpx.Client(
        transport=httpx.MockTransport(
            redirecting_handler(seen, "https://api.fireworks.ai/inference/v1/other")
        ),
        follow_redirects=True,
    )
    client = Client(FIREWORKS, api_key=KEY, http_client=http, env={})
    client.request("POST", "/chat/completions", json_body=BODY)
    assert seen[1].headers["authorization"] == f"Bearer {KEY}"


async def test_async_authorization_not_forwarded_on_redirect() -> None:
    seen: list[httpx.Request] = []
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(redirecting_handler(seen, "https://evil.example/x")),
        follow_redirects=True,
    )
    client = AsyncClient(FIREWORKS, api_key=KEY, http_client=http, env={})
    await client.request("POST", "/chat/completions", json_body=BODY)
    assert seen[1].url.host == "evil.example"
    assert "authorization" not in seen[1].headers
