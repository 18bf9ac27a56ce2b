"""The wire double answers with the shapes of the real Fireworks captures.

Each test replays the request of a capture in ``tests/data/real_captures/`` against the
double and compares structure (keys at every level, content type, chunk sequence, headers),
not values: the double's text is its own, its shape must be the API's.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from fw_core.testing import Fault, WireDouble
from tests._captures import load_capture

CHAT_URL = "https://api.fireworks.ai/inference/v1/chat/completions"
AUTH = {"Authorization": "Bearer test-key"}


def _headers(interaction: dict[str, Any]) -> dict[str, str]:
    raw = interaction["response"]["headers"]
    return {k.lower(): v[0] for k, v in raw.items()}


def _frames(text: str) -> list[str]:
    return [f[len("data: ") :] for f in text.split("\n\n") if f.strip()]


@pytest.fixture
def http() -> httpx.Client:
    return httpx.Client(transport=WireDouble().transport())


def test_nonstream_chat_has_the_captured_structure(http: httpx.Client) -> None:
    cap = load_capture("fw_chat_llama33_70b_nonstream_via_hfrouter_20250211.yaml")
    real = json.loads(cap["response"]["body"]["string"])
    r = http.post(CHAT_URL, headers=AUTH, content=cap["request"]["body"])
    ours = r.json()

    assert r.status_code == 200
    assert list(ours) == list(real)
    assert set(ours["choices"][0]) == set(real["choices"][0])
    assert set(ours["choices"][0]["message"]) == set(real["choices"][0]["message"])
    # 2026 responses add prompt_tokens_details.cached_tokens (docs/wire.md §1.8); nothing else.
    assert set(real["usage"]) <= set(ours["usage"])
    assert set(ours["usage"]) - set(real["usage"]) == {"prompt_tokens_details"}
    assert r.headers["content-type"] == _headers(cap)["content-type"]
    assert ours["model"] == real["model"]


def test_nonstream_chat_has_the_captured_headers(http: httpx.Client) -> None:
    cap = load_capture("fw_chat_llama33_70b_nonstream_via_hfrouter_20250211.yaml")
    real = _headers(cap)
    r = http.post(CHAT_URL, headers=AUTH, content=cap["request"]["body"])
    wanted = {k for k in real if k.startswith(("fireworks-", "x-ratelimit-"))}
    assert wanted <= set(r.headers)
    assert r.headers["x-request-id"] == r.json()["id"]
    assert r.headers["fireworks-prompt-tokens"] == str(r.json()["usage"]["prompt_tokens"])


def test_stream_chat_has_the_captured_chunk_sequence(http: httpx.Client) -> None:
    cap = load_capture("fw_chat_llama33_70b_stream_via_hfrouter_20250211.yaml")
    real = _frames(cap["response"]["body"]["string"])
    with http.stream("POST", CHAT_URL, headers=AUTH, content=cap["request"]["body"]) as r:
        pieces = list(r.iter_bytes())
        ct = r.headers["content-type"]
    ours = _frames(b"".join(pieces).decode())

    assert ct == _headers(cap)["content-type"]
    assert len(pieces) > 3  # really streamed: one piece per frame, not one blob
    assert ours[-1] == real[-1] == "[DONE]"
    real_chunks = [json.loads(f) for f in real[:-1]]
    chunks = [json.loads(f) for f in ours[:-1]]
    for c in chunks:
        assert list(c) == list(real_chunks[0])
        assert [set(ch) for ch in c["choices"]] == [set(real_chunks[0]["choices"][0])]
    assert chunks[0]["choices"][0]["delta"] == real_chunks[0]["choices"][0]["delta"]
    assert all(c["usage"] is None for c in chunks[:-1])
    last, real_last = chunks[-1], real_chunks[-1]
    assert last["choices"][0]["delta"] == real_last["choices"][0]["delta"] == {}
    assert last["choices"][0]["finish_reason"] == real_last["choices"][0]["finish_reason"]
    assert set(real_last["usage"]) <= set(last["usage"])
    assert len({c["id"] for c in chunks}) == 1


def test_stream_headers_carry_time_to_first_token(http: httpx.Client) -> None:
    cap = load_capture("fw_chat_llama33_70b_stream_via_hfrouter_20250211.yaml")
    with http.stream("POST", CHAT_URL, headers=AUTH, content=cap["request"]["body"]) as r:
        r.read()
    wanted = {k for k in _headers(cap) if k.startswith(("fireworks-", "x-ratelimit-"))}
    assert wanted <= set(r.headers)
    assert "fireworks-server-processing-time" not in r.headers
    assert r.headers["x-request-id"].startswith("chatcmpl-")


def test_404_capture_is_reproduced_by_a_fault() -> None:
    cap = load_capture("fw_error_404_model_not_found_PARTIAL.yaml")
    real = json.loads(cap["response"]["body"]["string"])
    double = WireDouble()
    double.inject(Fault.status(404, envelope="bare", param="model"))
    http = httpx.Client(transport=double.transport())
    body = {"model": "accounts/fireworks/models/x", "messages": [{"role": "user", "content": "hi"}]}
    r = http.post(CHAT_URL, headers=AUTH, json=body)
    assert r.status_code == cap["response"]["status"]["code"]
    assert r.json() == real


def test_unknown_model_answers_like_the_404_capture() -> None:
    cap = load_capture("fw_error_404_model_not_found_PARTIAL.yaml")
    real = json.loads(cap["response"]["body"]["string"])
    http = httpx.Client(transport=WireDouble().transport())
    body = {
        "model": "accounts/fireworks/models/nonexistent-model",
        "messages": [{"role": "user", "content": "hi"}],
    }
    r = http.post(CHAT_URL, headers=AUTH, json=body)
    assert r.status_code == 404
    assert r.json() == real


def test_412_capture_envelope_is_reproduced_by_a_fault() -> None:
    cap = load_capture("fw_error_412_account_suspended_workflows_PARTIAL.yaml")
    real = json.loads(cap["response"]["body"]["string"])
    double = WireDouble()
    double.inject(Fault.status(412, message=real["error"]["message"]))
    r = httpx.Client(transport=double.transport()).post(
        "https://api.fireworks.ai" + httpx.URL(cap["request"]["uri"]).path,
        headers=AUTH,
        json={"prompt": "a cat"},
    )
    ours = r.json()
    assert r.status_code == 412
    assert list(ours) == list(real)
    assert list(ours["error"]) == list(real["error"])
    assert ours["error"]["code"] == real["error"]["code"] == "PRECONDITION_FAILED"
    assert ours["error"]["message"] == real["error"]["message"]
    assert ours["request_id"] == r.headers["x-request-id"]
