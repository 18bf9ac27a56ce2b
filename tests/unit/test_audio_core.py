"""fw_core.endpoints.audio: the multipart request, host choice, checks before sending,
parsing, errors.

Runs against the wire double in-process (no cassettes): what is asserted is what reaches
the wire and how the answers are read.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from fw_core import FIREWORKS, FIRMWARE
from fw_core.endpoints.audio import (
    MAX_AUDIO_BYTES,
    OPTION_NAMES,
    atranscribe,
    check_chunking,
    transcribe,
    transcript_to_records,
    transcription_url,
)
from fw_core.endpoints.transcript import Segment, Transcription, Word, parse_transcription
from fw_core.errors import (
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    InternalServerError,
    RateLimitError,
    ResponseValidationError,
)
from fw_core.http.client import AsyncClient, Client
from fw_core.testing import Fault, WireDouble
from fw_core.testing.multipart import FormPart, parse_multipart
from tests.audio_fixtures import wav_bytes, write_wav

AUDIO = wav_bytes(4.0)


def _client(double: WireDouble, **kwargs: Any) -> Client:
    client = Client(
        FIREWORKS,
        api_key="test-key",
        http_client=httpx.Client(transport=double.transport()),
        **kwargs,
    )
    client._sleep = lambda _s: None
    return client


def _aclient(double: WireDouble, **kwargs: Any) -> AsyncClient:
    client = AsyncClient(
        FIREWORKS,
        api_key="test-key",
        http_client=httpx.AsyncClient(transport=double.async_transport()),
        **kwargs,
    )

    async def no_sleep(_s: float) -> None:
        return None

    client._asleep = no_sleep
    return client


def _parts(double: WireDouble, index: int = -1) -> dict[str, FormPart]:
    rec = double.requests[index]
    return {p.name: p for p in parse_multipart(rec.content, rec.headers["content-type"])}


# --------------------------------------------------------------------------- the request


def test_path_upload_is_a_file_part_with_name_and_type(tmp_path: Path) -> None:
    double = WireDouble()
    path = write_wav(tmp_path / "meeting.wav")
    transcribe(_client(double), path, language="en", prompt="Names: Ada.")
    rec = double.requests[0]
    assert rec.method == "POST"
    assert rec.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert rec.headers["authorization"] == "Bearer <redacted>"
    parts = _parts(double)
    assert parts["file"].filename == "meeting.wav"
    assert parts["file"].content_type == "audio/wav"
    assert parts["file"].value == path.read_bytes()
    assert {k: v.text() for k, v in parts.items() if k != "file"} == {
        "model": "whisper-v3",
        "response_format": "json",
        "language": "en",
        "prompt": "Names: Ada.",
    }


def test_url_is_sent_as_the_file_field_value() -> None:
    double = WireDouble()
    url = "https://example.com/podcast.mp3"
    result = transcribe(_client(double), url)
    part = _parts(double)["file"]
    assert part.filename is None and part.content_type is None
    assert part.text() == url
    assert result.text  # the double transcribes "the URL" deterministically


def test_bytes_get_a_sniffed_filename_and_file_objects_keep_theirs(tmp_path: Path) -> None:
    double = WireDouble()
    client = _client(double)
    transcribe(client, AUDIO)
    assert _parts(double)["file"].filename == "audio.wav"
    transcribe(client, b"fLaC" + bytes(100))
    assert (_parts(double)["file"].filename, _parts(double)["file"].content_type) == (
        "audio.flac",
        "audio/flac",
    )
    with write_wav(tmp_path / "note.wav").open("rb") as handle:
        transcribe(client, handle)
    assert _parts(double)["file"].filename == "note.wav"
    transcribe(client, io.BytesIO(AUDIO), filename="x.mp3")
    assert (_parts(double)["file"].filename, _parts(double)["file"].content_type) == (
        "x.mp3",
        "audio/mpeg",
    )


def test_options_become_the_documented_form_strings() -> None:
    double = WireDouble()
    transcribe(
        _client(double),
        AUDIO,
        model="whisper-v3-turbo",
        response_format="verbose_json",
        diarize=True,
        min_speakers=1,
        max_speakers=3,
        temperature=[0.0, 0.2],
        vad_model="whisperx-pyannet",
        alignment_model="mms_fa",
        preprocessing="soft_dynamic",
        extra_body={"note": 1},
    )
    fields = {k: v.text() for k, v in _parts(double).items() if k != "file"}
    assert fields == {
        "model": "whisper-v3-turbo",
        "response_format": "verbose_json",
        "timestamp_granularities": "word,segment",
        "diarize": "true",
        "min_speakers": "1",
        "max_speakers": "3",
        "temperature": "0.0,0.2",
        "vad_model": "whisperx-pyannet",
        "alignment_model": "mms_fa",
        "preprocessing": "soft_dynamic",
        "note": "1",
    }


def test_sync_upload_streams_the_open_file(tmp_path: Path) -> None:
    """The path is handed to httpx as an open file (read in chunks while sending)."""
    seen: list[Any] = []

    class Inspecting(httpx.BaseTransport):  # MockTransport would read the body first
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            fields = getattr(request.stream, "fields", [])
            seen.extend(f.file for f in fields if getattr(f, "filename", None))
            request.read()
            return httpx.Response(200, json={"text": "ok"})

    client = Client(FIREWORKS, api_key="k", http_client=httpx.Client(transport=Inspecting()))
    path = write_wav(tmp_path / "big.wav")
    assert transcribe(client, path).text == "ok"
    assert len(seen) == 1 and isinstance(seen[0], io.BufferedReader)
    assert seen[0].closed  # closed after the call


def test_a_retried_upload_resends_the_whole_file(tmp_path: Path) -> None:
    double = WireDouble()
    double.inject(Fault.status(429, headers={"retry-after": "0"}))
    path = write_wav(tmp_path / "a.wav")
    with path.open("rb") as handle:
        transcribe(_client(double), handle)
    assert double.count("/audio/transcriptions") == 2
    assert _parts(double, 1)["file"].value == path.read_bytes()


# --------------------------------------------------------------------------- hosts


@pytest.mark.parametrize(
    ("model", "host"),
    [
        ("whisper-v3", "audio-prod.api.fireworks.ai"),
        ("whisper-v3-turbo", "audio-turbo.api.fireworks.ai"),
    ],
)
def test_each_model_goes_to_its_audio_host(model: str, host: str) -> None:
    double = WireDouble()
    transcribe(_client(double), AUDIO, model=model)
    assert double.requests[0].url == f"https://{host}/v1/audio/transcriptions"


def test_an_overridden_client_base_is_used_for_audio() -> None:
    double = WireDouble()
    client = _client(double, base_url="http://127.0.0.1:8765/inference/v1")
    transcribe(client, AUDIO, model="whisper-v3-turbo")
    assert double.requests[0].url == "http://127.0.0.1:8765/inference/v1/audio/transcriptions"


def test_an_explicit_base_url_wins_and_a_bare_host_gets_v1() -> None:
    double = WireDouble()
    client = _client(double)
    transcribe(client, AUDIO, base_url="https://audio-prod.us-virginia-1.direct.fireworks.ai")
    assert (
        double.requests[-1].url
        == "https://audio-prod.us-virginia-1.direct.fireworks.ai/v1/audio/transcriptions"
    )
    transcribe(client, AUDIO, base_url="https://proxy.example.com/v1/")
    assert double.requests[-1].url == "https://proxy.example.com/v1/audio/transcriptions"


def test_unknown_model_on_the_default_base_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="unknown audio model"):
        transcription_url(FIREWORKS.default_base_url, "whisper-large")
    # with an explicit endpoint (a dedicated deployment) any model id is passed through
    assert (
        transcription_url(FIREWORKS.default_base_url, "my-asr", "https://x.example/v1")
        == "https://x.example/v1/audio/transcriptions"
    )


# --------------------------------------------------------------------------- checks


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"response_format": "xml"}, "response_format must be one of"),
        ({"timestamp_granularities": ["word"]}, "needs response_format='verbose_json'"),
        ({"response_format": "verbose_json", "timestamp_granularities": [""]}, "''"),
        (
            {"response_format": "verbose_json", "diarize": False, "min_speakers": 2},
            "need diarize=True",
        ),
        (
            {
                "response_format": "verbose_json",
                "diarize": True,
                "min_speakers": 3,
                "max_speakers": 2,
            },
            "larger than max_speakers",
        ),
        ({"response_format": "verbose_json", "diarize": True, "max_speakers": 0}, ">= 1"),
        ({"response_format": "srt", "diarize": True}, "diarize=True needs response_format"),
        (
            {
                "response_format": "verbose_json",
                "diarize": True,
                "timestamp_granularities": ["segment"],
            },
            "'word' in timestamp_granularities",
        ),
        # server-owned names: only the type is ours (unknown names: test_tolerant_reader)
        ({"preprocessing": 3}, "preprocessing must be a string"),
        ({"vad_model": ""}, "vad_model must be a string"),
        ({"alignment_model": ["ctc"]}, "alignment_model must be a string"),
        ({"temperature": 1.5}, "between 0 and 1"),
        ({"language": "en us"}, "language must be a code"),
        ({"model": "whisper-large"}, "unknown audio model"),
        ({"extra_body": {"file": "x"}}, "cannot set the form field 'file'"),
        ({"extra_body": {"x": {"a": 1}}}, "a form field must be"),
    ],
)
def test_bad_options_fail_before_any_request(kwargs: dict[str, Any], message: str) -> None:
    double = WireDouble()
    with pytest.raises(ConfigurationError, match=message):
        transcribe(_client(double), AUDIO, **kwargs)
    assert double.requests == []


def test_bad_files_fail_before_any_request(tmp_path: Path) -> None:
    double = WireDouble()
    client = _client(double)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    huge = tmp_path / "huge.wav"
    with huge.open("wb") as handle:  # sparse: takes no disk space
        handle.truncate(MAX_AUDIO_BYTES + 1)
    cases: list[tuple[Any, str]] = [
        (b"", "empty"),
        (empty, "empty"),
        (huge, "at most 1 GB"),
        (tmp_path / "missing.wav", "does not exist"),
        (io.StringIO("text"), "text mode"),
        (io.BytesIO(b""), "empty"),
        (12345, "file must be a path"),
        ("", "file is required"),
    ]
    for file, message in cases:
        with pytest.raises(ConfigurationError, match=message):
            transcribe(client, file)
    with huge.open("rb") as handle, pytest.raises(ConfigurationError, match="at most 1 GB"):
        transcribe(client, handle)
    assert double.requests == []


def test_a_firmware_client_is_refused() -> None:
    double = WireDouble()
    client = Client(FIRMWARE, api_key="k", http_client=httpx.Client(transport=double.transport()))
    with pytest.raises(ConfigurationError, match="Fireworks API"):
        transcribe(client, AUDIO)  # type: ignore[arg-type]
    assert double.requests == []


# --------------------------------------------------------------------------- answers


def test_verbose_json_maps_timestamps_segments_and_words() -> None:
    double = WireDouble()
    t = transcribe(
        _client(double),
        wav_bytes(6.0),
        response_format="verbose_json",
        timestamp_granularities=["word", "segment"],
        language="de",
    )
    assert t.language == "de" and t.duration == 6.0 and t.task == "transcribe"
    assert t.model == "whisper-v3" and t.request_id
    assert len(t.words) == 15 and len(t.segments) == 3
    starts = [w.start for w in t.words]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert all(w.start < w.end <= t.duration for w in t.words)
    assert all(w.probability is not None for w in t.words)
    assert [s.id for s in t.segments] == [0, 1, 2]
    assert all(a.end <= b.start for a, b in zip(t.segments, t.segments[1:], strict=False))
    assert sum(len(s.words) for s in t.segments) == len(t.words)
    assert t.text == " ".join(s.text.strip() for s in t.segments)
    assert t.raw["segments"][0]["text"] == t.segments[0].text
    assert t.speakers == ()


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (None, None, 2),
        (None, 1, 1),
        (3, None, 3),
        (2, 2, 2),
    ],
)
def test_diarization_speaker_ids_respect_the_bounds(
    low: int | None, high: int | None, expected: int
) -> None:
    double = WireDouble()
    t = transcribe(
        _client(double),
        wav_bytes(8.0),
        response_format="verbose_json",
        diarize=True,
        min_speakers=low,
        max_speakers=high,
    )
    assert len(t.speakers) == expected
    assert all(s.speaker_id for s in t.segments) and all(w.speaker_id for w in t.words)
    for seg in t.segments:
        assert {w.speaker_id for w in seg.words} == {seg.speaker_id}


def test_json_format_gives_only_text() -> None:
    t = transcribe(_client(WireDouble()), AUDIO)
    assert t.response_format == "json" and t.text.endswith(".")
    assert t.segments == () and t.language is None and t.raw == {"text": t.text}


@pytest.mark.parametrize("fmt", ["text", "srt", "vtt"])
def test_text_formats_return_the_body_as_text(fmt: str) -> None:
    double = WireDouble()
    client = _client(double)
    plain = transcribe(client, AUDIO, response_format="text").text
    t = transcribe(client, AUDIO, response_format=fmt)
    assert t.raw == t.text
    if fmt == "text":
        assert t.text == plain and t.segments == ()
    else:
        assert t.text.startswith("WEBVTT") if fmt == "vtt" else t.text.startswith("1\n")
        assert " ".join(s.text for s in t.segments) == plain
        assert t.segments[0].start == 0.0 and t.segments[-1].end <= 4.0


def test_a_same_file_gives_the_same_transcript_and_another_file_another() -> None:
    client = _client(WireDouble())
    assert transcribe(client, AUDIO).text == transcribe(client, AUDIO).text
    assert transcribe(client, AUDIO).text != transcribe(client, wav_bytes(4.5)).text


# --------------------------------------------------------------------------- errors


def test_401_is_an_authentication_error() -> None:
    double = WireDouble(api_keys=["right-key"])
    with pytest.raises(AuthenticationError):
        transcribe(_client(double), AUDIO)
    assert double.count("/audio/transcriptions") == 1  # a 401 is not retried


def test_429_is_retried_then_served() -> None:
    double = WireDouble()
    double.inject(Fault.status(429, headers={"retry-after": "0"}), times=2)
    t = transcribe(_client(double), AUDIO)
    assert t.text and double.count("/audio/transcriptions") == 3


def test_429_beyond_the_retries_is_a_rate_limit_error() -> None:
    double = WireDouble()
    double.inject(Fault.status(429), times=5)
    with pytest.raises(RateLimitError):
        transcribe(_client(double, max_retries=1), AUDIO)
    assert double.count("/audio/transcriptions") == 2


def test_500_after_retries_is_an_internal_server_error() -> None:
    double = WireDouble()
    double.inject(Fault.status(500), times=5)
    with pytest.raises(InternalServerError):
        transcribe(_client(double), AUDIO)
    assert double.count("/audio/transcriptions") == 3


def test_what_the_double_refuses_is_a_bad_request() -> None:
    double = WireDouble()
    # an explicit endpoint lets an unknown model through the client; the API refuses it
    with pytest.raises(BadRequestError, match="Unsupported model"):
        transcribe(
            _client(double),
            AUDIO,
            model="whisper-large",
            base_url="https://audio-prod.api.fireworks.ai/v1",
        )
    assert double.count("/audio/transcriptions") == 1


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        ("json", {"transcript": "x"}),
        ("verbose_json", {"text": "x", "segments": "nope"}),
        ("verbose_json", {"text": "x", "words": [{"word": "a", "start": "0"}]}),
        ("verbose_json", ["not", "an", "object"]),
    ],
)
def test_a_2xx_of_the_wrong_shape_is_a_response_validation_error(fmt: str, body: Any) -> None:
    double = WireDouble()
    double.inject(Fault.wrong_shape(body))
    with pytest.raises(ResponseValidationError) as info:
        transcribe(_client(double), AUDIO, response_format=fmt)
    assert info.value.status_code == 200 and info.value.request_id


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_json_where_captions_were_asked_is_a_response_validation_error(fmt: str) -> None:
    double = WireDouble()
    double.inject(Fault.wrong_shape({"error": "x"}))
    with pytest.raises(ResponseValidationError):
        transcribe(_client(double), AUDIO, response_format=fmt)


# --------------------------------------------------------------------------- async


async def test_async_path_reads_files_off_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = asyncio.to_thread

    async def spy(func: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(func.__name__)
        return await real(func, *args, **kwargs)

    monkeypatch.setattr("fw_core.endpoints.audio.asyncio.to_thread", spy)
    double = WireDouble()
    client = _aclient(double)
    path = write_wav(tmp_path / "a.wav")
    by_path = await atranscribe(client, path, response_format="verbose_json")
    with path.open("rb") as handle:
        by_handle = await atranscribe(client, handle, response_format="verbose_json")
    by_bytes = await atranscribe(client, AUDIO, response_format="verbose_json")
    assert calls == ["load_upload", "load_upload"]  # bytes need no thread
    assert by_path.text == by_handle.text == by_bytes.text
    assert by_path.duration == 4.0
    assert _parts(double, 0)["file"].filename == "a.wav"
    assert _parts(double, 0)["file"].value == path.read_bytes()


async def test_async_checks_and_errors_match_sync(tmp_path: Path) -> None:
    double = WireDouble()
    client = _aclient(double)
    with pytest.raises(ConfigurationError, match="does not exist"):
        await atranscribe(client, tmp_path / "nope.wav")
    with pytest.raises(ConfigurationError):
        await atranscribe(client, AUDIO, response_format="text", diarize=True)
    assert double.requests == []
    double.inject(Fault.status(429, headers={"retry-after": "0"}))
    t = await atranscribe(client, "https://example.com/a.wav", model="whisper-v3-turbo")
    assert t.text and double.count("/audio/transcriptions") == 2
    assert double.requests[-1].url.startswith("https://audio-turbo.api.fireworks.ai/")


def test_env_base_url_counts_as_an_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREWORKS_BASE_URL", "http://localhost:9999/inference/v1")
    double = WireDouble()
    transcribe(_client(double), AUDIO)
    assert double.requests[0].url == "http://localhost:9999/inference/v1/audio/transcriptions"
    assert os.environ["FIREWORKS_BASE_URL"]  # the fixture restores it afterwards


# --------------------------------------------------------------------------- pure parsing


def test_parsing_is_defensive_about_optional_fields() -> None:
    t = parse_transcription(
        {
            "text": "a b",
            "segments": [
                {"start": 0, "end": 1, "text": "a", "speaker_id": 3},
                {
                    "id": "x",
                    "start": 1,
                    "end": 2,
                    "text": "b",
                    "words": [{"word": "b", "start": 1, "end": 2, "probability": True}],
                },
            ],
        },
        "verbose_json",
    )
    assert [s.id for s in t.segments] == [0, 1]  # missing or non-integer ids: the index
    assert t.segments[0].speaker_id == "3" and t.language is None and t.duration is None
    assert t.words == (Word("b", 1.0, 2.0),)  # gathered from the segments


@pytest.mark.parametrize(
    ("payload", "fmt"),
    [
        ({"text": 1}, "json"),
        ({"text": "x", "segments": [{"start": 0, "end": 1}]}, "verbose_json"),
        ({"text": "x", "duration": "long"}, "verbose_json"),
        ({"text": "x", "words": [{"word": "a", "start": 0, "end": float("nan")}]}, "verbose_json"),
        (
            {"text": "x", "segments": [{"start": 0, "end": 1, "text": "a", "speaker_id": [1]}]},
            "verbose_json",
        ),
        (b"\xff\xfe", "text"),
        ("00:00.000 --> 00:01.000\nhi", "vtt"),
        ("not captions", "srt"),
        ({"detail": "x"}, "text"),
    ],
)
def test_parsing_refuses_bodies_of_the_wrong_shape(payload: Any, fmt: str) -> None:
    with pytest.raises(ResponseValidationError):
        parse_transcription(payload, fmt)


def test_text_formats_wrapped_in_json_are_unwrapped() -> None:
    t = parse_transcription({"text": "WEBVTT\n\n00:00.000 --> 00:01.500\nHi."}, "vtt")
    assert t.text.startswith("WEBVTT") and t.segments == (Segment(0, 0.0, 1.5, "Hi."),)


def _diarized() -> Transcription:
    words = tuple(
        Word(w, i * 1.0, i * 1.0 + 0.5, speaker_id=s)
        for i, (w, s) in enumerate([("hi", "A"), ("there", "A"), ("yes", "B"), ("ok", "A")])
    )
    return Transcription(
        text="hi there yes ok",
        response_format="verbose_json",
        language="en",
        duration=4.0,
        words=words,
        model="whisper-v3",
    )


def test_records_per_transcript_segment_and_speaker() -> None:
    t = _diarized()
    [(text, meta)] = transcript_to_records(t, source="s.wav")
    assert text == "hi there yes ok"
    assert meta["source"] == "s.wav" and meta["speakers"] == ["A", "B"]
    assert meta["words"][2] == {"word": "yes", "start": 2.0, "end": 2.5, "speaker_id": "B"}
    turns = transcript_to_records(t, "speaker")
    assert [(x, m["speaker_id"], m["start"], m["end"]) for x, m in turns] == [
        ("hi there", "A", 0.0, 1.5),
        ("yes", "B", 2.0, 2.5),
        ("ok", "A", 3.0, 3.5),
    ]
    # no segments: "segment" chunking keeps the whole text rather than dropping it
    [(whole, seg_meta)] = transcript_to_records(t, "segment", include_timestamps=False)
    assert whole == t.text and "words" not in seg_meta


def test_records_of_an_empty_transcript_are_empty_and_bad_chunking_is_refused() -> None:
    assert transcript_to_records(Transcription(text="  ")) == []
    with pytest.raises(ConfigurationError):
        transcript_to_records(_diarized(), "page")
    with pytest.raises(ConfigurationError, match="needs diarize"):
        check_chunking("speaker", "verbose_json", False)
    check_chunking("segment", "srt", None)


def test_every_form_option_is_a_keyword_of_both_calls() -> None:
    """transcribe / atranscribe hand their same-named parameters to TranscriptionOptions
    (fw_core.endpoints.audio._prepare): a form option missing from either signature would
    fail every call, so each option must be a keyword-only parameter of both."""
    for call in (transcribe, atranscribe):
        params = inspect.signature(call).parameters
        keywords = {n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
        assert set(OPTION_NAMES) <= keywords, call.__name__
