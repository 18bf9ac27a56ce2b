"""The wire double's audio endpoint: what it refuses and what it answers.

Requests are built by hand with httpx (not fw_core.endpoints.audio), so the double is checked on its
own against the documented API, including requests fw_core would never send.
"""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest

from fw_core import FIREWORKS
from fw_core.endpoints.audio import transcribe
from fw_core.http.client import Client
from fw_core.testing import WireDouble, serve
from fw_core.testing.multipart import MultipartError, parse_multipart
from tests.audio_fixtures import wav_bytes

URL = "https://audio-prod.api.fireworks.ai/v1/audio/transcriptions"
AUTH = {"Authorization": "Bearer test-key"}
AUDIO = wav_bytes(4.0)


def _post(
    data: dict[str, Any] | None = None,
    *,
    file: Any = ("a.wav", AUDIO, "audio/wav"),
    url: str = URL,
    double: WireDouble | None = None,
) -> httpx.Response:
    http = httpx.Client(transport=(double or WireDouble()).transport())
    files = {"file": file} if file is not None else {"dummy": ("x.bin", b"x")}
    return http.post(url, headers=AUTH, data=data or {}, files=files)


def _error(resp: httpx.Response) -> str:
    assert resp.status_code == 400, resp.text
    return str(resp.json()["error"]["message"])


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"model": "whisper-large"}, "Unsupported model"),
        ({"response_format": "xml"}, "Invalid response_format"),
        ({"timestamp_granularities": "word"}, "requires response_format=verbose_json"),
        ({"response_format": "verbose_json", "timestamp_granularities": "char"}, "Invalid"),
        ({"response_format": "verbose_json", "diarize": "yes"}, "diarize must be true or false"),
        ({"response_format": "verbose_json", "diarize": "true"}, "'word'"),
        ({"response_format": "json", "diarize": "true"}, "diarize requires"),
        ({"response_format": "verbose_json", "min_speakers": "2"}, "require diarize=true"),
        (
            {
                "response_format": "verbose_json",
                "diarize": "true",
                "timestamp_granularities": "word",
                "min_speakers": "3",
                "max_speakers": "2",
            },
            "must not exceed",
        ),
        (
            {
                "response_format": "verbose_json",
                "diarize": "true",
                "timestamp_granularities": "word",
                "max_speakers": "0",
            },
            "positive integer",
        ),
        ({"vad_model": "webrtc"}, "Invalid vad_model"),
        ({"alignment_model": "ctc"}, "Invalid alignment_model"),
        ({"preprocessing": "loud"}, "Invalid preprocessing"),
        ({"language": "klingon"}, "Unsupported language"),
        ({"temperature": "hot"}, "temperature"),
        ({"temperature": "0.0,1.5"}, "between 0 and 1"),
    ],
)
def test_invalid_forms_are_400(data: dict[str, Any], message: str) -> None:
    assert message in _error(_post(data))


def test_missing_or_empty_file_is_400() -> None:
    assert "file" in _error(_post(file=None))
    assert "empty" in _error(_post(file=("a.wav", b"", "audio/wav")))
    http = httpx.Client(transport=WireDouble().transport())
    not_a_url = http.post(URL, headers=AUTH, files={"file": (None, "/etc/passwd", None)})
    assert "URL" in _error(not_a_url)


def test_a_json_body_is_400_and_a_missing_key_401() -> None:
    http = httpx.Client(transport=WireDouble().transport())
    assert "multipart" in _error(http.post(URL, headers=AUTH, json={"file": "x"}))
    assert http.post(URL, files={"file": ("a.wav", AUDIO)}).status_code == 401


def test_unknown_fields_are_ignored_and_turbo_is_accepted_on_any_host() -> None:
    resp = _post({"model": "whisper-v3-turbo", "audio_window_seconds": "5"})
    assert resp.status_code == 200 and resp.json()["text"]


def test_openai_style_repeated_granularities_are_read() -> None:
    http = httpx.Client(transport=WireDouble().transport())
    resp = http.post(
        URL,
        headers=AUTH,
        files={"file": ("a.wav", AUDIO, "audio/wav")},
        data={"response_format": "verbose_json", "timestamp_granularities[]": ["word", "segment"]},
    )
    body = resp.json()
    assert resp.status_code == 200 and body["words"] and body["segments"]


# --------------------------------------------------------------------------- answers


def test_json_answer_is_text_only_and_deterministic() -> None:
    a, b = _post(), _post()
    assert a.headers["content-type"] == "application/json"
    assert a.json() == b.json() and list(a.json()) == ["text"]
    assert a.headers["x-request-id"]
    other = _post(file=("a.wav", wav_bytes(4.5), "audio/wav"))
    assert other.json()["text"] != a.json()["text"]


def test_verbose_json_shape_and_monotonic_timestamps() -> None:
    body = _post(
        {
            "response_format": "verbose_json",
            "timestamp_granularities": "word,segment",
            "language": "fr",
        },
        file=("a.wav", wav_bytes(10.0), "audio/wav"),
    ).json()
    assert {"task", "language", "duration", "text", "words", "segments"} <= set(body)
    assert (body["task"], body["language"], body["duration"]) == ("transcribe", "fr", 10.0)
    words = body["words"]
    assert len(words) == 25
    for w in words:
        assert {"word", "start", "end", "probability", "language"} <= set(w)
        assert 0 <= w["start"] < w["end"] <= body["duration"]
    assert all(a["end"] <= b["start"] for a, b in itertools.pairwise(words))
    segs = body["segments"]
    assert [s["id"] for s in segs] == list(range(len(segs)))
    assert all(a["end"] <= b["start"] for a, b in itertools.pairwise(segs))
    assert body["text"] == " ".join(s["text"].strip() for s in segs)
    assert [w["word"] for s in segs for w in s["words"]] == [w["word"] for w in words]
    assert "speaker_id" not in words[0] and "speaker_id" not in segs[0]


def test_granularity_decides_which_lists_come_back() -> None:
    default = _post({"response_format": "verbose_json"}).json()
    assert "segments" in default and "words" not in default
    assert "words" not in default["segments"][0]
    words_only = _post(
        {"response_format": "verbose_json", "timestamp_granularities": "word"}
    ).json()
    assert "words" in words_only and "segments" not in words_only


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        ({}, 2),
        ({"max_speakers": "1"}, 1),
        ({"min_speakers": "3"}, 3),
        ({"min_speakers": "2", "max_speakers": "4"}, 2),
    ],
)
def test_diarization_labels_words_and_segments(bounds: dict[str, str], expected: int) -> None:
    body = _post(
        {
            "response_format": "verbose_json",
            "diarize": "true",
            "timestamp_granularities": "word,segment",
            **bounds,
        },
        file=("a.wav", wav_bytes(8.0), "audio/wav"),
    ).json()
    speakers = {s["speaker_id"] for s in body["segments"]}
    assert len(speakers) == expected
    assert {w["speaker_id"] for w in body["words"]} == speakers
    for seg in body["segments"]:
        assert {w["speaker_id"] for w in seg["words"]} == {seg["speaker_id"]}


def test_text_formats_are_plain_text() -> None:
    plain = _post({"response_format": "text"})
    srt = _post({"response_format": "srt"})
    vtt = _post({"response_format": "vtt"})
    for resp in (plain, srt, vtt):
        assert resp.headers["content-type"].startswith("text/plain")
    text = plain.text
    assert text == _post().json()["text"]
    assert srt.text.startswith("1\n00:00:00,000 --> ")
    assert vtt.text.startswith("WEBVTT\n\n00:00:00.000 --> ")
    cues = [
        line for line in srt.text.splitlines() if line and "-->" not in line and not line.isdigit()
    ]
    assert " ".join(cues) == text


def test_url_file_and_translation() -> None:
    body = _post(
        {"response_format": "verbose_json"}, file=(None, "https://example.com/a.mp3", None)
    ).json()
    assert body["text"] and body["duration"] >= 4.0
    double = WireDouble()
    tr = _post(
        {"response_format": "verbose_json", "language": "de"},
        double=double,
        url="https://audio-prod.api.fireworks.ai/v1/audio/translations",
    ).json()
    assert tr["task"] == "translate" and tr["language"] == "en"


def test_non_wav_bytes_get_a_size_based_duration() -> None:
    body = _post(
        {"response_format": "verbose_json"}, file=("a.mp3", b"ID3" + bytes(47997), "audio/mpeg")
    ).json()
    assert body["duration"] == 3.0


def test_the_loopback_path_is_served_too() -> None:
    resp = _post(url="http://127.0.0.1:8765/inference/v1/audio/transcriptions")
    assert resp.status_code == 200 and resp.json()["text"]


def test_requests_are_recorded_with_their_multipart_bytes() -> None:
    double = WireDouble()
    _post({"language": "en"}, double=double)
    rec = double.requests[0]
    parts = parse_multipart(rec.content, rec.headers["content-type"])
    assert [p.name for p in parts] == ["language", "file"]
    assert rec.path == "/v1/audio/transcriptions"


def test_the_loopback_server_serves_uploads() -> None:
    double = WireDouble()
    with (
        serve(double) as base,
        Client(FIREWORKS, api_key="k", base_url=f"{base}/inference/v1") as client,
    ):
        t = transcribe(client, AUDIO, response_format="verbose_json", diarize=True)
    assert t.duration == 4.0 and len(t.speakers) == 2
    assert double.requests[0].path == "/inference/v1/audio/transcriptions"


# --------------------------------------------------------------------------- the parser


def test_multipart_parser_keeps_bytes_exact() -> None:
    payload = b"\r\n--not-the-boundary\r\n\x00\xff"
    req = httpx.Request(
        "POST", URL, files={"file": ("a.bin", payload, "application/x")}, data={"k": "v"}
    )
    body = req.read()
    parts = parse_multipart(body, req.headers["content-type"])
    assert [(p.name, p.value, p.filename, p.content_type) for p in parts] == [
        ("k", b"v", None, None),
        ("file", payload, "a.bin", "application/x"),
    ]


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (b"no boundary here", "multipart/form-data; boundary=abc"),
        (
            b'--abc\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated',
            "multipart/form-data; boundary=abc",
        ),
        (b"--abc\r\nX: y\r\n\r\nv\r\n--abc--", "multipart/form-data; boundary=abc"),
        (b"", "application/json"),
    ],
)
def test_multipart_parser_refuses_malformed_bodies(body: bytes, ctype: str) -> None:
    with pytest.raises(MultipartError):
        parse_multipart(body, ctype)
