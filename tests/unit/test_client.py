"""Client / AsyncClient: construction, headers, the reused httpx client, requests, streams."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

import fw_core
from fw_core import FIREWORKS, FIRMWARE
from fw_core.errors import ConfigurationError, ResponseValidationError, StreamError
from fw_core.http.client import (
    DEFAULT_TIMEOUT,
    USER_AGENT,
    APIResponse,
    AsyncClient,
    Client,
    select_headers,
)

from ._core_support import (
    KEY,
    AsyncRecorder,
    Body,
    Recorder,
    json_response,
    make_async_client,
    make_client,
    pieces,
    sse_response,
)


def test_request_sends_auth_json_and_user_agent() -> None:
    rec = Recorder([json_response({"ok": True}, headers={"x-request-id": "r1"})])
    client, _ = make_client(rec, default_headers={"X-Title": "app"})
    resp = client.request(
        "POST",
        "/chat/completions",
        json_body={"text": "héllo \u2028"},
        params={"q": "1"},
        headers={"X-Extra": "yes"},
    )
    req = rec.requests[0]
    assert str(req.url) == "https://api.fireworks.ai/inference/v1/chat/completions?q=1"
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert req.headers["content-type"] == "application/json"
    assert req.headers["accept"] == "application/json"
    assert req.headers["user-agent"] == USER_AGENT
    assert req.headers["x-title"] == "app" and req.headers["x-extra"] == "yes"
    assert json.loads(req.content.decode("utf-8")) == {"text": "héllo \u2028"}
    assert resp.status_code == 200 and resp.request_id == "r1" and resp.attempts == 1
    assert resp.json() == {"ok": True}


def test_default_headers_cannot_override_the_key() -> None:
    rec = Recorder([json_response({})])
    client, _ = make_client(rec, default_headers={"Authorization": "Bearer other"})
    client.request("GET", "/models")
    assert rec.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_header_overrides_are_case_insensitive_and_never_duplicated() -> None:
    rec = Recorder(lambda r, n: json_response({}))
    client, _ = make_client(
        rec, default_headers={"user-agent": "myapp/1.0", "authorization": "Bearer other"}
    )
    client.request("GET", "/x", headers={"content-type": "text/plain"})
    with client.stream("GET", "/y", headers={"accept": "application/json"}):
        pass
    client.request(
        "POST", "/z", files={"file": ("a.txt", b"x")}, headers={"CONTENT-TYPE": "application/json"}
    )
    plain, streamed, upload = (r.headers for r in rec.requests)
    assert plain.get_list("user-agent") == ["myapp/1.0"]
    assert plain.get_list("authorization") == [f"Bearer {KEY}"]  # the key always wins
    assert plain.get_list("content-type") == ["text/plain"]
    assert streamed.get_list("accept") == ["text/event-stream"]
    assert upload.get_list("content-type")[0].startswith("multipart/form-data")
    assert len(upload.get_list("content-type")) == 1


def test_absolute_url_is_used_as_is_and_no_body_means_no_content() -> None:
    rec = Recorder([json_response({})])
    client, _ = make_client(rec)
    client.request("GET", "https://api.fireworks.ai/v1/accounts/x/models")
    assert str(rec.requests[0].url) == "https://api.fireworks.ai/v1/accounts/x/models"
    assert rec.requests[0].content == b""


def test_custom_base_url_joins_paths() -> None:
    rec = Recorder([json_response({})])
    client, _ = make_client(rec, base_url="http://localhost:8080/v1/")
    client.request("GET", "models")
    assert str(rec.requests[0].url) == "http://localhost:8080/v1/models"


def test_files_upload_is_multipart() -> None:
    rec = Recorder([json_response({"text": "ok"})])
    client, _ = make_client(rec)
    client.request(
        "POST",
        "/audio/transcriptions",
        files={"file": ("a.wav", b"RIFF")},
        data={"model": "whisper"},
    )
    ctype = rec.requests[0].headers["content-type"]
    assert ctype.startswith("multipart/form-data; boundary=")
    assert b"RIFF" in rec.requests[0].content and b"whisper" in rec.requests[0].content


def test_per_request_timeout_overrides_default() -> None:
    rec = Recorder([json_response({}), json_response({})])
    client, _ = make_client(rec, timeout=30)
    client.request("GET", "/a")
    client.request("GET", "/b", timeout=2.5)
    t0, t1 = (r.extensions["timeout"] for r in rec.requests)
    assert t0["read"] == 30.0 and t0["connect"] == 5.0
    assert t1["read"] == 2.5 and t1["connect"] == 2.5


def test_timeout_forms() -> None:
    assert Client(FIREWORKS, api_key=KEY).timeout == DEFAULT_TIMEOUT
    custom = httpx.Timeout(1.0, connect=0.5)
    assert Client(FIREWORKS, api_key=KEY, timeout=custom).timeout is custom
    assert Client(FIREWORKS, api_key=KEY, timeout=120).timeout.read == 120.0


@pytest.mark.parametrize("timeout", [0, -1, True, "5", float("nan")])
def test_invalid_timeout_is_a_configuration_error(timeout: object) -> None:
    with pytest.raises(ConfigurationError, match="timeout"):
        Client(FIREWORKS, api_key=KEY, timeout=timeout)  # type: ignore[arg-type]
    client, _ = make_client(Recorder([json_response({})]))
    with pytest.raises(ConfigurationError):
        client.request("GET", "/x", timeout=timeout)  # type: ignore[arg-type]


@pytest.mark.parametrize("max_retries", [-1, 1.5, True, "2", None])
def test_invalid_max_retries_is_a_configuration_error(max_retries: object) -> None:
    with pytest.raises(ConfigurationError, match="max_retries"):
        Client(FIREWORKS, api_key=KEY, max_retries=max_retries)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="max_retries"):
        AsyncClient(FIREWORKS, api_key=KEY, max_retries=max_retries)  # type: ignore[arg-type]


def test_wrong_http_client_type_is_rejected() -> None:
    with pytest.raises(ConfigurationError):
        Client(FIREWORKS, api_key=KEY, http_client=httpx.AsyncClient())  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        AsyncClient(FIREWORKS, api_key=KEY, http_client=httpx.Client())  # type: ignore[arg-type]


def test_created_http_client_is_lazy_reused_and_closed() -> None:
    client = Client(FIREWORKS, api_key=KEY)
    assert client._http is None  # nothing created at construction
    http = client.http_client
    assert client.http_client is http
    with client:
        pass
    assert http.is_closed
    assert client.http_client is not http  # a new one after close
    client.close()


def test_injected_http_client_is_used_and_never_closed() -> None:
    http = httpx.Client(transport=httpx.MockTransport(lambda r: json_response({})))
    client = Client(FIREWORKS, api_key=KEY, http_client=http)
    assert client.http_client is http
    client.close()
    assert not http.is_closed
    http.close()


def test_async_client_reused_within_a_loop_and_replaced_on_a_new_loop() -> None:
    client = AsyncClient(FIRMWARE, api_key=KEY)

    async def grab() -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
        return client.http_client, client.http_client

    a1, a2 = asyncio.run(grab())
    b1, _ = asyncio.run(grab())
    assert a1 is a2
    assert b1 is not a1  # the first belongs to a closed loop
    asyncio.run(client.aclose())
    assert b1.is_closed


async def test_async_injected_client_and_context_manager() -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: json_response({"a": 1})))
    async with AsyncClient(FIREWORKS, api_key=KEY, http_client=http) as client:
        assert client.http_client is http
        assert (await client.request("GET", "/x")).json() == {"a": 1}
    await http.aclose()


def test_response_json_on_non_json_body() -> None:
    resp = APIResponse(200, httpx.Headers({"x-request-id": "r"}), b"<html>oops</html>")
    with pytest.raises(ResponseValidationError) as info:
        resp.json()
    assert info.value.request_id == "r" and info.value.body == "<html>oops</html>"


def test_select_headers_keeps_only_useful_ones() -> None:
    headers = httpx.Headers(
        {
            "X-Request-Id": "r",
            "fireworks-prompt-tokens": "46",
            "X-RateLimit-Remaining-Requests": "5",
            "retry-after": "1",
            "retry-after-ms": "10",
            "server": "cloudflare",
            "cf-ray": "x",
            "content-type": "application/json",
        }
    )
    assert select_headers(headers) == {
        "x-request-id": "r",
        "fireworks-prompt-tokens": "46",
        "x-ratelimit-remaining-requests": "5",
        "retry-after": "1",
        "retry-after-ms": "10",
    }


def test_event_stream_yields_events_and_metadata() -> None:
    raw = b'data: {"a": 1}\n\n: comment\nevent: error\ndata: x\n\ndata: tail'
    rec = Recorder([sse_response(Body(pieces(raw, 3)), {"x-request-id": "s1"})])
    client, _ = make_client(rec)
    with client.stream("POST", "/chat/completions", json_body={"a": 1}) as events:
        got = [(e.event, e.data) for e in events]
        assert events.request_id == "s1" and events.status_code == 200 and events.attempts == 1
    assert got == [(None, '{"a": 1}'), ("error", "x"), (None, "tail")]
    assert rec.requests[0].headers["accept"] == "text/event-stream"


def test_event_stream_break_is_a_stream_error_with_request_id() -> None:
    body = Body([b"data: 1\n\n", b"data: 2"], break_after=1)
    client, _ = make_client(Recorder([sse_response(body, {"x-request-id": "s2"})]))
    seen = []
    with pytest.raises(StreamError) as info, client.stream("GET", "/s") as events:
        for e in events:
            seen.append(e.data)
    assert seen == ["1"]
    assert info.value.request_id == "s2" and info.value.status_code == 200
    assert body.closed


async def test_async_event_stream_and_break() -> None:
    client, _ = make_async_client(AsyncRecorder([sse_response(b"data: a\n\ndata: b")]))
    async with client.stream("POST", "/s", json_body={}) as events:
        assert [e.data async for e in events] == ["a", "b"]
    await events.aclose()
    body = Body([b"data: 1\n\n"], break_after=1, error=httpx.ReadTimeout)
    client, _ = make_async_client(AsyncRecorder([sse_response(body)]))
    with pytest.raises(StreamError, match="ReadTimeout"):
        async with client.stream("POST", "/s") as events:
            async for _ in events:
                pass


def test_package_exports_load_lazily() -> None:
    assert fw_core.Client is Client
    assert fw_core.AsyncClient is AsyncClient
    assert fw_core.endpoints.chat.create is not None
    with pytest.raises(AttributeError):
        _ = fw_core.not_a_thing  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------
# bodies httpx cannot decode, redirect loops: typed errors, never raw httpx ones


def corrupt_gzip() -> bytes:
    import gzip

    good = gzip.compress(b'data: {"id": "s", "choices": []}\n\n' * 20)
    return good[:20] + b"not gzip at all" * 4


def gzip_response(status: int) -> httpx.Response:
    headers = {"content-encoding": "gzip", "content-type": "text/event-stream"}
    return httpx.Response(status, headers=headers, stream=Body([corrupt_gzip()]))


def test_undecodable_body_is_an_api_connection_error_and_not_retried() -> None:
    from fw_core.errors import APIConnectionError

    rec = Recorder(lambda r, n: gzip_response(200))
    client, sleeps = make_client(rec, max_retries=3)
    with pytest.raises(APIConnectionError, match="DecodingError") as info:
        client.request("GET", "/models")
    assert isinstance(info.value.__cause__, httpx.DecodingError)
    assert (rec.calls, sleeps) == (1, [])


def test_undecodable_stream_is_a_stream_error() -> None:
    client, _ = make_client(Recorder(lambda r, n: gzip_response(200)))
    with pytest.raises(StreamError, match="DecodingError"), client.stream("GET", "/s") as events:
        list(events)


def test_undecodable_error_body_keeps_the_status_error() -> None:
    from fw_core.errors import InternalServerError

    client, _ = make_client(Recorder(lambda r, n: gzip_response(500)), max_retries=0)
    with pytest.raises(InternalServerError), client.stream("GET", "/s"):
        pass


def test_redirect_loop_is_an_api_connection_error() -> None:
    from fw_core.errors import APIConnectionError

    def loop(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": str(request.url)})

    http = httpx.Client(transport=httpx.MockTransport(loop), follow_redirects=True, max_redirects=3)
    client = Client(FIREWORKS, api_key=KEY, http_client=http, env={})
    with pytest.raises(APIConnectionError, match="TooManyRedirects"):
        client.request("GET", "/models")


async def test_async_undecodable_bodies() -> None:
    from fw_core.errors import APIConnectionError, InternalServerError

    rec = AsyncRecorder(lambda r, n: gzip_response(200))
    client, sleeps = make_async_client(rec, max_retries=2)
    with pytest.raises(APIConnectionError):
        await client.request("GET", "/models")
    assert (rec.calls, sleeps) == (1, [])
    with pytest.raises(StreamError):
        async with client.stream("GET", "/s") as events:
            async for _ in events:
                pass
    client, _ = make_async_client(AsyncRecorder(lambda r, n: gzip_response(503)), max_retries=0)
    with pytest.raises(InternalServerError):
        async with client.stream("GET", "/s"):
            pass


def test_event_stream_close_releases_the_response() -> None:
    body = Body([b"data: 1\n\n"])
    client, _ = make_client(Recorder([sse_response(body)]))
    with client.stream("GET", "/s") as events:
        events.close()
        assert body.closed


def test_async_http_client_created_outside_a_loop_is_replaced_inside_one() -> None:
    client = AsyncClient(FIREWORKS, api_key=KEY, env={})
    outside = client.http_client
    assert client.http_client is outside  # still no loop: reused

    async def inside() -> httpx.AsyncClient:
        return client.http_client

    assert asyncio.run(inside()) is not outside


# ---------------------------------------------------------------------------------------
# redirects are not followed by the created client: a 3xx is a status error, not a "body"


def moved(request: httpx.Request) -> httpx.Response:
    https = str(request.url).replace("http://", "https://")
    return httpx.Response(301, headers={"location": https}, text="Moved Permanently")


def test_redirect_is_a_status_error_naming_the_new_location() -> None:
    from fw_core.endpoints import chat
    from fw_core.errors import APIStatusError

    rec = Recorder(lambda r, n: moved(r))
    client, sleeps = make_client(rec, base_url="http://localhost/inference/v1")
    body = {"model": "accounts/fireworks/models/m", "messages": [{"role": "user", "content": "x"}]}
    with pytest.raises(APIStatusError) as info:
        chat.create(client, body)
    err = info.value
    assert err.status_code == 301 and err.message == "Moved Permanently"
    assert any("https://localhost/inference/v1/chat/completions" in n for n in err.__notes__)
    assert (rec.calls, sleeps) == (1, [])
    with pytest.raises(APIStatusError):
        list(chat.stream(client, body))


async def test_async_redirect_is_a_status_error() -> None:
    from fw_core.errors import APIStatusError

    client, _ = make_async_client(AsyncRecorder(lambda r, n: moved(r)))
    with pytest.raises(APIStatusError) as info:
        await client.request("GET", "/models")
    assert info.value.status_code == 301


def test_max_retries_per_request_overrides_the_client_both_ways() -> None:
    busy = json_response({"error": "busy"}, status=503)
    rec = Recorder([busy, busy, json_response({"ok": 1})])
    client, sleeps = make_client(rec, max_retries=0)
    assert client.request("GET", "/models", max_retries=2).json() == {"ok": 1}
    assert len(rec.requests) == 3 and len(sleeps) == 2
    rec = Recorder([busy, json_response({"ok": 1})])
    client, sleeps = make_client(rec, max_retries=5)
    with pytest.raises(fw_core.InternalServerError):
        client.request("GET", "/models", max_retries=0)
    assert len(rec.requests) == 1 and sleeps == []


@pytest.mark.parametrize("bad", [-1, 1.5, True, "2"])
def test_a_bad_per_request_max_retries_is_refused_before_sending(bad: object) -> None:
    rec = Recorder([json_response({})])
    client, _ = make_client(rec)
    with pytest.raises(ConfigurationError, match="max_retries"):
        client.request("GET", "/models", max_retries=bad)  # type: ignore[arg-type]
    assert rec.requests == []
