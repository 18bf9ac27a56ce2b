"""Cassette matching of multipart uploads (boundary ignored) and byte-safe scrubbing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import vcr
from vcr.request import Request as VcrRequest

from fw_core import FIREWORKS
from fw_core.endpoints.audio import transcribe
from fw_core.http.client import Client
from fw_core.testing import WireDouble, patch_transports
from fw_core.testing.cassettes import json_body_matcher, register_matchers, vcr_options
from tests.audio_fixtures import wav_bytes

URL = "https://audio-prod.api.fireworks.ai/v1/audio/transcriptions"
AUDIO = wav_bytes(1.0)


def _vcr_request(
    data: dict[str, str],
    file: tuple[Any, ...] = ("a.wav", AUDIO, "audio/wav"),
) -> VcrRequest:
    req = httpx.Request("POST", URL, data=data, files={"file": file})
    return VcrRequest("POST", URL, req.read(), dict(req.headers))


def _matches(r1: VcrRequest, r2: VcrRequest) -> bool:
    try:
        json_body_matcher(r1, r2)
    except AssertionError:
        return False
    return True


def test_same_form_with_different_boundaries_matches() -> None:
    a, b = _vcr_request({"model": "whisper-v3"}), _vcr_request({"model": "whisper-v3"})
    assert a.headers["content-type"] != b.headers["content-type"]  # random boundaries
    assert a.body != b.body
    assert _matches(a, b)


@pytest.mark.parametrize(
    ("data", "file"),
    [
        ({"model": "whisper-v3-turbo"}, ("a.wav", AUDIO, "audio/wav")),
        ({"model": "whisper-v3", "language": "en"}, ("a.wav", AUDIO, "audio/wav")),
        ({"model": "whisper-v3"}, ("a.wav", wav_bytes(1.5), "audio/wav")),
        ({"model": "whisper-v3"}, ("b.wav", AUDIO, "audio/wav")),
        ({"model": "whisper-v3"}, ("a.wav", AUDIO, "audio/x-wav")),
    ],
)
def test_any_field_file_name_type_or_byte_difference_does_not_match(
    data: dict[str, str], file: tuple[Any, ...]
) -> None:
    base = _vcr_request({"model": "whisper-v3"})
    assert not _matches(base, _vcr_request(data, file))


def test_json_bodies_still_match_as_json_only() -> None:
    hdrs = {"content-type": "application/json"}
    a = VcrRequest("POST", URL, b'{"a": 1, "b": [1, 2]}', hdrs)
    b = VcrRequest("POST", URL, b'{"b":[1,2],"a":1}', hdrs)
    c = VcrRequest("POST", URL, b'{"a": 1, "b": [2, 1]}', hdrs)
    assert _matches(a, b)
    assert not _matches(a, c)
    assert not _matches(a, _vcr_request({"a": "1"}))


def test_scrubbing_leaves_binary_bodies_intact_except_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = "fireworks-secret-value-42"
    monkeypatch.setenv("FIREWORKS_API_KEY", secret)
    opts = vcr_options()
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    response = {"status": {"code": 200}, "headers": {"set-cookie": ["x"]}, "body": {"string": png}}
    cleaned = opts["before_record_response"](response)
    assert cleaned["body"]["string"] == png  # not a byte changed (invalid UTF-8 included)
    assert "set-cookie" not in cleaned["headers"]
    leaky = png + secret.encode() + b"\xff\xfe"
    out = opts["before_record_response"]({"headers": {}, "body": {"string": leaky}})
    assert out["body"]["string"] == png + b"REDACTED\xff\xfe"
    req = _vcr_request({"prompt": secret})
    scrubbed = opts["before_record_request"](req)
    assert secret.encode() not in scrubbed.body and AUDIO in scrubbed.body


def test_a_recorded_upload_replays_with_a_new_boundary(tmp_path: Path) -> None:
    recorder = register_matchers(vcr.VCR(**vcr_options()))
    cassette = str(tmp_path / "upload.yaml")
    double = WireDouble()
    with patch_transports(double), recorder.use_cassette(cassette, record_mode="once"):
        client = Client(FIREWORKS, api_key="k")
        first = transcribe(client, AUDIO, response_format="verbose_json")
    assert double.count("/audio/transcriptions") == 1
    text = Path(cassette).read_text()
    assert "boundary=" in text and "authorization" not in text.lower()
    # replay: no double, network blocked; the new request has another boundary
    with recorder.use_cassette(cassette, record_mode="none"):
        again = transcribe(Client(FIREWORKS, api_key="k"), AUDIO, response_format="verbose_json")
    assert again.text == first.text and again.segments == first.segments
    with recorder.use_cassette(cassette, record_mode="none"), pytest.raises(Exception) as info:
        transcribe(Client(FIREWORKS, api_key="k"), wav_bytes(2.0), response_format="verbose_json")
    assert "CannotOverwriteExistingCassetteException" in type(info.value).__name__
