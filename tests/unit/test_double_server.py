"""The loopback server and patch_transports: what benchmarks, the demo and recording need."""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from pathlib import Path

import httpx
import pytest
import yaml

from fw_core import FIREWORKS, FIRMWARE, AsyncClient, Client
from fw_core.endpoints import chat
from fw_core.testing import WireDouble, is_api_host, patch_transports, serve
from fw_core.testing import transport as transport_module

BODY = {
    "model": "accounts/fireworks/models/deepseek-v3p1",
    "messages": [{"role": "user", "content": "Tell me about rivers"}],
}
AUTH = {"Authorization": "Bearer k"}
_TLS = ssl.create_default_context()  # built once: a new one per client is slow


def _http() -> httpx.Client:
    return httpx.Client(verify=_TLS)


def test_keep_alive_reuses_one_connection() -> None:
    double = WireDouble()
    with (
        serve(double) as base_url,
        Client(
            FIREWORKS, api_key="k", base_url=f"{base_url}/inference/v1", http_client=_http()
        ) as client,
    ):
        for _ in range(10):
            assert chat.create(client, BODY).completion.choices
    assert double.count("/chat/completions") == 10
    assert double.connections == 1


def test_streams_arrive_chunk_by_chunk_over_the_socket() -> None:
    double = WireDouble(stream_chunks=20)
    with (
        serve(double) as base_url,
        Client(FIRMWARE, api_key="k", base_url=f"{base_url}/api/v1", http_client=_http()) as client,
    ):
        chunks = list(chat.stream(client, {**BODY, "model": "openai/gpt-4o", "stream": True}))
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) == 20


def test_server_stops_on_exit_and_after_its_lifetime() -> None:
    http = _http()
    with serve(WireDouble()) as base_url:
        assert http.get(f"{base_url}/api/v1/models", headers=AUTH).status_code == 200
    with pytest.raises(httpx.ConnectError):
        http.get(f"{base_url}/api/v1/models", headers=AUTH)
    with serve(WireDouble(), max_lifetime=0.2) as base_url:
        deadline = time.monotonic() + 3.0
        with pytest.raises(httpx.ConnectError):
            while time.monotonic() < deadline:
                http.get(f"{base_url}/api/v1/models", headers=AUTH)
                time.sleep(0.05)


def test_server_listens_on_loopback_only() -> None:
    with pytest.raises(ValueError, match="loopback"), serve(WireDouble(), host="0.0.0.0"):
        pass


async def test_latency_does_not_block_other_connections() -> None:
    double = WireDouble(latency=0.4)
    with serve(double) as base_url:
        client = AsyncClient(
            FIREWORKS,
            api_key="k",
            base_url=f"{base_url}/inference/v1",
            http_client=httpx.AsyncClient(verify=_TLS),
        )
        start = time.perf_counter()
        results = await asyncio.gather(*(chat.acreate(client, BODY) for _ in range(5)))
        elapsed = time.perf_counter() - start
        await client.aclose()
    assert len(results) == 5
    assert 0.4 <= elapsed < 1.6  # sequential would take 2.0 s
    assert double.connections == 5


def test_per_input_latency_scales_with_the_batch() -> None:
    double = WireDouble(latency=0.05, per_input_latency=0.002)
    http = httpx.Client(transport=double.transport())
    url = "https://app.firmware.ai/api/v1/embeddings"
    timings = []
    for n in (1, 200):
        start = time.perf_counter()
        r = http.post(url, headers=AUTH, json={"model": "voyage-4", "input": ["a b"] * n})
        timings.append(time.perf_counter() - start)
        assert r.status_code == 200
    assert 0.05 <= timings[0] < 0.05 + 200 * 0.002
    assert timings[1] >= 0.05 + 200 * 0.002


def test_standalone_entry_point_serves_and_stops(capsys: pytest.CaptureFixture[str]) -> None:
    from fw_core.testing.__main__ import main

    assert main(["--port", "0", "--lifetime", "0.2"]) == 0
    out = capsys.readouterr().out
    assert "http://127.0.0.1:" in out and "/inference/v1" in out and "/api/v1" in out


def test_api_hosts() -> None:
    for host in (
        "api.fireworks.ai",
        "app.firmware.ai",
        "api.firmware.ai",
        "audio-prod.api.fireworks.ai",
        "acct-1234.us-arizona-1.direct.fireworks.ai",
    ):
        assert is_api_host(host)
    for host in ("example.com", "fireworks.ai.evil.com", "127.0.0.1"):
        assert not is_api_host(host)


def test_patch_transports_routes_api_hosts_and_restores() -> None:
    original = httpx.HTTPTransport.handle_request
    with patch_transports(WireDouble()) as double, Client(FIRMWARE, api_key="k") as client:
        assert chat.create(client, {**BODY, "model": "openai/gpt-4o"}).completion.choices
        with serve(WireDouble()) as base_url:  # other hosts pass through to the network
            assert _http().get(f"{base_url}/api/v1/quota", headers=AUTH).status_code == 200
    assert double.requests[0].url == "https://app.firmware.ai/api/v1/chat/completions"
    assert httpx.HTTPTransport.handle_request is original


async def test_patch_transports_async() -> None:
    with patch_transports(WireDouble()) as double:
        client = AsyncClient(FIREWORKS, api_key="k")
        assert (await chat.acreate(client, BODY)).completion.choices
        await client.aclose()
    assert double.count("/inference/v1/chat/completions") == 1


def test_patch_transports_serves_the_batch_output_urls_and_nothing_else_on_storage() -> None:
    from fw_core.endpoints.batch import BatchRunner

    with patch_transports(WireDouble()) as double, Client(FIREWORKS, api_key="k") as client:
        runner = BatchRunner(client, model=BODY["model"], account_id="acme", poll_interval=0)
        assert runner.run([{"messages": BODY["messages"]}])[0].ok
        other = httpx.Request("GET", "https://storage.googleapis.com/some-bucket/file")
        assert not transport_module._served(other.url)
    fetched = [r.url for r in double.requests if r.url.startswith("https://storage.")]
    assert fetched and all("/fireworks-artifacts-acme/dataset/" in url for url in fetched)


def test_vcr_records_the_double_under_the_real_url(tmp_path: Path) -> None:
    vcr = pytest.importorskip("vcr")
    cassette = tmp_path / "stream.yaml"
    body = {**BODY, "stream": True, "stream_options": {"include_usage": True}}
    with (
        patch_transports(WireDouble()),
        vcr.VCR(record_mode="all").use_cassette(str(cassette)),
        Client(FIREWORKS, api_key="k") as client,
    ):
        recorded = [c.model_dump() for c in chat.stream(client, body)]
    data = yaml.safe_load(cassette.read_text())
    interaction = data["interactions"][0]
    assert interaction["request"]["uri"] == "https://api.fireworks.ai/inference/v1/chat/completions"
    assert "data: [DONE]" in interaction["response"]["body"]["string"]
    # replay without the double: the cassette alone answers
    with (
        vcr.VCR(record_mode="none").use_cassette(str(cassette)),
        Client(FIREWORKS, api_key="k") as client,
    ):
        replayed = [c.model_dump() for c in chat.stream(client, body)]
    assert replayed == recorded


async def test_vcr_records_async_requests_under_the_real_url(tmp_path: Path) -> None:
    vcr = pytest.importorskip("vcr")
    cassette = tmp_path / "async.yaml"
    body = {**BODY, "model": "openai/gpt-4o"}
    with patch_transports(WireDouble()), vcr.VCR(record_mode="all").use_cassette(str(cassette)):
        client = AsyncClient(FIRMWARE, api_key="k")
        answer = (await chat.acreate(client, body)).completion.choices[0].message.content
        await client.aclose()
    interaction = yaml.safe_load(cassette.read_text())["interactions"][0]
    assert interaction["request"]["uri"] == "https://app.firmware.ai/api/v1/chat/completions"
    recorded = json.loads(interaction["response"]["body"]["string"])
    assert answer and recorded["choices"][0]["message"]["content"] == answer


def test_a_thousand_simultaneous_connects_complete_without_syn_retries() -> None:
    """A load test opening 1,000 connections at once is not held up by the listen queue.

    With asyncio's default backlog of 100 the kernel drops most SYNs of such a burst and
    those clients wait out a SYN retry (1 s, then 3 s, ...). The handshake is the
    kernel's work, so this holds on a busy machine too: every connect completes well
    before the first retry would fire.
    """
    import select
    import socket
    from urllib.parse import urlsplit

    with serve(WireDouble()) as base_url:
        parts = urlsplit(base_url)
        address = (parts.hostname, parts.port)
        sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(1000)]
        try:
            for sock in sockets:
                sock.setblocking(False)
                sock.connect_ex(address)
            pending = set(sockets)
            # poll, not select: select() refuses descriptors above 1023, which these
            # reach when the process already holds a few dozen (e.g. after the Ray tests).
            poller = select.poll()
            by_fd = {s.fileno(): s for s in sockets}
            for fd in by_fd:
                poller.register(fd, select.POLLOUT)
            deadline = time.monotonic() + 0.8  # the first SYN retry comes after 1 s
            while pending and time.monotonic() < deadline:
                for fd, _ in poller.poll(50):
                    poller.unregister(fd)
                    pending.discard(by_fd[fd])
            failed = [
                s
                for s in sockets
                if s not in pending and s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            ]
            assert len(pending) == 0, f"{len(pending)} of 1000 connects waited for a SYN retry"
            assert not failed
        finally:
            for sock in sockets:
                sock.close()
