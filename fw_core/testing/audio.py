"""The double's audio endpoints: ``POST .../audio/transcriptions`` and ``.../translations``.

Reads the multipart form (:mod:`fw_core.testing.multipart`), refuses what the real API
documents as invalid (docs/wire.md §1.14 and the Fireworks audio reference), and answers a
deterministic transcript derived from the uploaded bytes (or the URL's text):

- the duration is the real one for a WAV upload (read with :mod:`wave`), else estimated
  from the size (128 kbit/s), else (a URL) derived from the digest;
- about 2.5 words per second, from a fixed vocabulary picked by the SHA-256 of the file,
  in segments of 5 words, with strictly increasing word and segment timestamps;
- ``verbose_json``: ``task``, ``language``, ``duration``, ``text``, plus ``segments``
  (granularity ``segment``, the default) and ``words`` (granularity ``word``);
  ``diarize=true`` adds ``speaker_id`` (``SPEAKER_00``...) to segments and words, with
  ``clamp(2, min_speakers, max_speakers)`` speakers taking turns per segment;
- ``text``, ``srt`` and ``vtt`` answer ``text/plain`` bodies in those formats.

Refused with 400: a body that is not multipart, no ``file``, an empty file, a ``file``
string that is not an http(s) URL, an unknown model, ``response_format``,
``timestamp_granularities`` value, ``vad_model``, ``alignment_model``, ``preprocessing`` or
language code; ``timestamp_granularities`` without ``verbose_json``; ``diarize`` other
than true/false, or true without ``verbose_json`` and ``word`` timestamps;
``min_speakers``/``max_speakers`` that are not positive integers, are set without
``diarize=true``, or cross; a temperature outside [0, 1]. Unknown form fields are ignored
(the real API's behaviour for them is not documented). The request's host is not seen
here, so either model is accepted on any host.

Test audio comes from :func:`wav_bytes` (silence of a given length, made in memory):

>>> body = (b'--b\\r\\nContent-Disposition: form-data; name="response_format"\\r\\n\\r\\n'
...         b'verbose_json\\r\\n--b\\r\\nContent-Disposition: form-data; name="file"; '
...         b'filename="a.wav"\\r\\nContent-Type: audio/wav\\r\\n\\r\\n' + wav_bytes(2.0)
...         + b'\\r\\n--b--\\r\\n')
>>> out = transcribe("fireworks", "audio/transcriptions",
...                  {"content-type": "multipart/form-data; boundary=b"}, body, "r1", None)
>>> import json; payload = json.loads(out.body())
>>> out.status, payload["duration"], len(payload["segments"]) > 0
(200, 2.0, True)
"""

from __future__ import annotations

import hashlib
import io
import math
import wave
from dataclasses import dataclass
from typing import Any

from fw_core.testing import endpoints
from fw_core.testing.multipart import FormPart, MultipartError, is_multipart, parse_multipart
from fw_core.testing.outcome import Outcome

__all__ = ["LANGUAGES", "MODELS", "transcribe", "wav_bytes"]

MODELS = frozenset({"whisper-v3", "whisper-v3-turbo"})
RESPONSE_FORMATS = ("json", "text", "srt", "verbose_json", "vtt")
VAD_MODELS = ("silero", "whisperx-pyannet")
ALIGNMENT_MODELS = ("mms_fa", "tdnn_ffn", "gentle")
PREPROCESSING = ("none", "dynamic", "soft_dynamic", "bass_dynamic")
#: The language codes the Fireworks audio reference lists.
_LANGUAGE_CODES = (
    "en zh de es ru ko fr ja pt tr pl ca nl ar sv it id hi fi vi he uk el ms cs ro da hu ta "
    "no th ur hr bg lt la mi ml cy sk te fa lv bn sr az sl kn et mk br eu is hy ne mn bs kk "
    "sq sw gl mr pa si km sn yo so af oc ka be tg sd gu am yi lo uz fo ht ps tk nn mt sa lb "
    "my bo tl mg as tt haw ln ha ba jw su yue zh-hant zh-hans"
)
LANGUAGES = frozenset(_LANGUAGE_CODES.split(" "))

_VOCABULARY = (
    "river",
    "morning",
    "signal",
    "harbor",
    "quiet",
    "engine",
    "garden",
    "window",
    "market",
    "silver",
    "forest",
    "letter",
    "bridge",
    "candle",
    "paper",
    "winter",
    "orange",
    "valley",
    "rocket",
    "meadow",
    "pencil",
    "thunder",
    "island",
    "copper",
    "violin",
    "ladder",
    "summer",
    "planet",
    "marble",
    "anchor",
    "velvet",
    "canyon",
)
_WORDS_PER_SECOND = 2.5
_WORDS_PER_SEGMENT = 5
_MAX_WORDS = 4000


def wav_bytes(seconds: float = 4.0, rate: int = 500) -> bytes:
    """A mono 8-bit WAV file of ``seconds`` of silence, built in memory.

    The double reads a WAV upload's real duration, so this is the audio for examples and
    tests. The default 500 frames per second keeps the file at 500 bytes per second of
    audio (small enough for a recorded cassette to carry the upload).

    >>> import io, wave
    >>> with wave.open(io.BytesIO(wav_bytes(2.0)), "rb") as w:
    ...     w.getnframes() / w.getframerate(), w.getsampwidth(), w.getnchannels()
    (2.0, 1, 1)
    """
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(b"\x80" * int(seconds * rate))  # 8-bit PCM is unsigned: 0x80 is silence
    return buf.getvalue()


class _Invalid(Exception):
    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


@dataclass(frozen=True)
class _Form:
    file: FormPart
    model: str
    response_format: str
    language: str | None
    granularities: tuple[str, ...] | None
    diarize: bool
    min_speakers: int | None
    max_speakers: int | None


def _one(fields: dict[str, list[FormPart]], name: str) -> str | None:
    parts = fields.get(name)
    return parts[-1].text().strip() if parts else None


def _choice(
    fields: dict[str, list[FormPart]],
    name: str,
    allowed: tuple[str, ...],
    default: str | None = None,
) -> str | None:
    value = _one(fields, name)
    if value is None or value == "":
        return default
    if value not in allowed:
        raise _Invalid(f"Invalid {name} {value!r}; expected one of {', '.join(allowed)}", name)
    return value


def _granularities(fields: dict[str, list[FormPart]]) -> tuple[str, ...] | None:
    raw = [p.text() for p in fields.get("timestamp_granularities", [])]
    raw += [p.text() for p in fields.get("timestamp_granularities[]", [])]
    if not raw:
        return None
    out: list[str] = []
    for chunk in raw:
        for item in chunk.split(","):
            item = item.strip()
            if item not in ("word", "segment"):
                raise _Invalid(
                    f"Invalid timestamp_granularities value {item!r}", "timestamp_granularities"
                )
            if item not in out:
                out.append(item)
    return tuple(out)


def _speakers(fields: dict[str, list[FormPart]], name: str) -> int | None:
    value = _one(fields, name)
    if value is None:
        return None
    if not value.isdigit() or int(value) < 1:
        raise _Invalid(f"{name} must be a positive integer", name)
    return int(value)


def _check_temperature(fields: dict[str, list[FormPart]]) -> None:
    value = _one(fields, "temperature")
    if value is None:
        return
    try:
        temps = [float(t) for t in value.split(",")]
    except ValueError:
        raise _Invalid(
            "temperature must be a number or a comma-separated list", "temperature"
        ) from None
    if not all(math.isfinite(t) and 0 <= t <= 1 for t in temps):
        raise _Invalid("temperature must be between 0 and 1", "temperature")


def _read_form(headers: dict[str, str], content: bytes) -> _Form:
    content_type = headers.get("content-type", "")
    if not is_multipart(content_type):
        raise _Invalid("Content-Type must be multipart/form-data")
    try:
        parts = parse_multipart(content, content_type)
    except MultipartError as exc:
        raise _Invalid(f"Malformed multipart body: {exc}") from None
    fields: dict[str, list[FormPart]] = {}
    for part in parts:
        fields.setdefault(part.name, []).append(part)
    files = fields.get("file")
    if not files:
        raise _Invalid("Field required: file", "file")
    file = files[-1]
    if not file.is_file:
        url = file.text().strip()
        if not url.lower().startswith(("http://", "https://")):
            raise _Invalid("file must be an audio file upload or a public http(s) URL", "file")
    elif not file.value:
        raise _Invalid("The audio file is empty", "file")
    model = _one(fields, "model") or "whisper-v3"
    if model not in MODELS:
        raise _Invalid(f"Unsupported model {model!r}; use whisper-v3 or whisper-v3-turbo", "model")
    fmt = _choice(fields, "response_format", RESPONSE_FORMATS, "json") or "json"
    _choice(fields, "vad_model", VAD_MODELS)
    _choice(fields, "alignment_model", ALIGNMENT_MODELS)
    _choice(fields, "preprocessing", PREPROCESSING)
    language = _one(fields, "language") or None
    if language is not None and language.lower() not in LANGUAGES:
        raise _Invalid(f"Unsupported language {language!r}", "language")
    grains = _granularities(fields)
    if grains is not None and fmt != "verbose_json":
        raise _Invalid(
            "timestamp_granularities requires response_format=verbose_json",
            "timestamp_granularities",
        )
    diarize_raw = (_one(fields, "diarize") or "false").lower()
    if diarize_raw not in ("true", "false"):
        raise _Invalid("diarize must be true or false", "diarize")
    diarize = diarize_raw == "true"
    if diarize and (fmt != "verbose_json" or not grains or "word" not in grains):
        raise _Invalid(
            "diarize requires response_format=verbose_json and 'word' in timestamp_granularities",
            "diarize",
        )
    low, high = _speakers(fields, "min_speakers"), _speakers(fields, "max_speakers")
    if (low is not None or high is not None) and not diarize:
        raise _Invalid("min_speakers and max_speakers require diarize=true", "min_speakers")
    if low is not None and high is not None and low > high:
        raise _Invalid("min_speakers must not exceed max_speakers", "min_speakers")
    _check_temperature(fields)
    return _Form(file, model, fmt, language, grains, diarize, low, high)


def _duration(file: FormPart, digest: bytes) -> float:
    if not file.is_file:  # a URL: nothing to measure, so 4..40 s from the digest
        return 4.0 + digest[0] % 37
    try:
        with wave.open(io.BytesIO(file.value), "rb") as w:
            if w.getframerate() > 0:
                return round(w.getnframes() / w.getframerate(), 3)
    except (wave.Error, EOFError, ValueError):
        pass
    return round(max(len(file.value) / 16000.0, 0.5), 3)


def _transcript(form: _Form, task: str) -> dict[str, Any]:
    source = form.file.value
    digest = hashlib.sha256(source).digest()
    duration = _duration(form.file, digest)
    n_words = min(max(round(duration * _WORDS_PER_SECOND), 1), _MAX_WORDS)
    stream = hashlib.sha256(digest + b"words").digest()
    while len(stream) < n_words:
        stream += hashlib.sha256(stream[-32:]).digest()
    slot = duration / n_words
    speakers = 2
    if form.min_speakers is not None:
        speakers = max(speakers, form.min_speakers)
    if form.max_speakers is not None:
        speakers = min(speakers, form.max_speakers)
    words: list[dict[str, Any]] = []
    segments: list[dict[str, Any]] = []
    language = "en" if task == "translate" else (form.language or "en")
    for seg_no, first in enumerate(range(0, n_words, _WORDS_PER_SEGMENT)):
        idx = range(first, min(first + _WORDS_PER_SEGMENT, n_words))
        seg_words = []
        for k, i in enumerate(idx):
            text = _VOCABULARY[stream[i] % len(_VOCABULARY)]
            if k == 0:
                text = text.capitalize()
            if i == idx[-1]:
                text += "."
            word: dict[str, Any] = {
                "word": text,
                "language": language,
                "probability": round(0.80 + (stream[i] % 20) / 100, 2),
                "hallucination_score": 0.0,
                "start": round(i * slot, 3),
                "end": round(i * slot + slot * 0.8, 3),
            }
            seg_words.append(word)
        segment: dict[str, Any] = {
            "id": seg_no,
            "seek": 0,
            "start": seg_words[0]["start"],
            "end": seg_words[-1]["end"],
            "text": " " + " ".join(w["word"] for w in seg_words),
        }
        if form.diarize:
            speaker = f"SPEAKER_{seg_no % speakers:02d}"
            segment["speaker_id"] = speaker
            for w in seg_words:
                w["speaker_id"] = speaker
        words.extend(seg_words)
        segments.append({**segment, "words": seg_words})
    grains = form.granularities or ("segment",)
    payload: dict[str, Any] = {
        "task": task,
        "language": language,
        "duration": duration,
        "text": " ".join(s["text"].strip() for s in segments),
    }
    if "word" in grains:
        payload["words"] = words
    if "segment" in grains:
        payload["segments"] = [
            s if "word" in grains else {k: v for k, v in s.items() if k != "words"}
            for s in segments
        ]
    payload["_segments"] = segments  # for the caption formats; removed before sending
    return payload


def _stamp(seconds: float, sep: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{ms:03d}"


def _captions(segments: list[dict[str, Any]], fmt: str) -> str:
    lines = ["WEBVTT", ""] if fmt == "vtt" else []
    sep = "." if fmt == "vtt" else ","
    for n, seg in enumerate(segments, 1):
        if fmt == "srt":
            lines.append(str(n))
        lines.append(f"{_stamp(seg['start'], sep)} --> {_stamp(seg['end'], sep)}")
        lines.extend([seg["text"].strip(), ""])
    return "\n".join(lines)


def transcribe(
    provider: str,
    endpoint: str,
    headers: dict[str, str],
    content: bytes,
    request_id: str,
    knobs: Any,
) -> Outcome:
    """Answer one multipart transcription (or translation) request."""
    hdrs = [("x-request-id", request_id)]
    try:
        form = _read_form(headers, content)
    except _Invalid as exc:
        return endpoints.error(provider, 400, exc.message, request_id, exc.param)
    task = "translate" if endpoint.endswith("translations") else "transcribe"
    payload = _transcript(form, task)
    segments = payload.pop("_segments")
    fmt = form.response_format
    if fmt == "json":
        out = Outcome.json(200, {"text": payload["text"]}, hdrs)
    elif fmt == "verbose_json":
        out = Outcome.json(200, payload, hdrs)
    else:
        text = payload["text"] if fmt == "text" else _captions(segments, fmt)
        out = Outcome(
            200, [("content-type", "text/plain; charset=utf-8"), *hdrs], [text.encode("utf-8")]
        )
    out.delay = getattr(knobs, "latency", 0.0) or 0.0
    return out
