"""Transcripts: the typed result of a transcription, its parsing, and its mapping to records.

Pure functions, no I/O. :func:`parse_transcription` reads what the audio API answered for
each ``response_format`` (docs/wire.md §1.14; the OpenAI transcription shape plus Fireworks'
``speaker_id`` on words and segments); :func:`transcript_to_records` turns a
:class:`Transcription` into ``(text, metadata)`` pairs, which the LangChain parser and the
LlamaIndex reader wrap in their own ``Document`` types.

>>> t = parse_transcription(
...     {"task": "transcribe", "language": "en", "duration": 2.0, "text": "Hi there. Bye.",
...      "segments": [
...          {"id": 0, "start": 0.0, "end": 1.0, "text": " Hi there.", "speaker_id": "SPEAKER_00"},
...          {"id": 1, "start": 1.2, "end": 2.0, "text": " Bye.", "speaker_id": "SPEAKER_01"}]},
...     "verbose_json")
>>> t.language, t.duration, t.speakers
('en', 2.0, ('SPEAKER_00', 'SPEAKER_01'))
>>> [(text, m["speaker_id"], m["start"]) for text, m in transcript_to_records(t, "speaker")]
[('Hi there.', 'SPEAKER_00', 0.0), ('Bye.', 'SPEAKER_01', 1.2)]
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from fw_core.errors import ConfigurationError, ResponseValidationError

__all__ = [
    "CHUNKINGS",
    "JSON_FORMATS",
    "RESPONSE_FORMATS",
    "TEXT_FORMATS",
    "Chunking",
    "Segment",
    "Transcription",
    "Word",
    "check_chunking",
    "parse_captions",
    "parse_transcription",
    "transcript_to_records",
]

#: ``response_format`` values the API documents; the first two answer JSON.
RESPONSE_FORMATS = ("json", "verbose_json", "text", "srt", "vtt")
JSON_FORMATS = frozenset({"json", "verbose_json"})
TEXT_FORMATS = frozenset({"text", "srt", "vtt"})

Chunking = Literal["transcript", "segment", "speaker"]
#: How a transcript becomes documents: one for the whole, one per segment, one per turn.
CHUNKINGS: tuple[str, ...] = ("transcript", "segment", "speaker")


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word with its timing (seconds) and, when diarized, its speaker."""

    word: str
    start: float
    end: float
    speaker_id: str | None = None
    probability: float | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"word": self.word, "start": self.start, "end": self.end}
        if self.speaker_id is not None:
            out["speaker_id"] = self.speaker_id
        if self.probability is not None:
            out["probability"] = self.probability
        return out


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of speech: id, timing (seconds), text, speaker (when diarized), words."""

    id: int
    start: float
    end: float
    text: str
    speaker_id: str | None = None
    words: tuple[Word, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "start": self.start,
            "end": self.end,
            "text": self.text.strip(),
        }
        if self.speaker_id is not None:
            out["speaker_id"] = self.speaker_id
        return out


@dataclass(frozen=True, slots=True)
class Transcription:
    """What the audio API answered, typed.

    Attributes:
        text: the transcript; for ``text``/``srt``/``vtt`` the body exactly as sent.
        response_format: the format that was asked for.
        language, duration, task: from ``verbose_json`` (None otherwise).
        segments: ``verbose_json`` segments, or the cues of an ``srt``/``vtt`` answer.
        words: ``verbose_json`` words (top level, else gathered from the segments).
        model: the model that was asked for.
        request_id: the ``x-request-id`` of the response.
        raw: the parsed JSON payload, or the text body for text formats.
        headers: the response headers worth keeping (request id, rate limits).
    """

    text: str
    response_format: str = "json"
    language: str | None = None
    duration: float | None = None
    task: str | None = None
    segments: tuple[Segment, ...] = ()
    words: tuple[Word, ...] = ()
    model: str = ""
    request_id: str | None = None
    raw: Any = field(default=None, compare=False, repr=False)
    headers: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def speakers(self) -> tuple[str, ...]:
        """Speaker ids in order of first appearance (empty unless diarized)."""
        seen: dict[str, None] = {}
        ids = [s.speaker_id for s in self.segments] + [w.speaker_id for w in self.words]
        for speaker in ids:
            if speaker is not None:
                seen.setdefault(speaker, None)
        return tuple(seen)


# --------------------------------------------------------------------------- parsing


def _bad(message: str) -> ResponseValidationError:
    return ResponseValidationError(f"transcription response: {message}")


def _number(value: Any, what: str, *, required: bool = True) -> float | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(f"{what} is not a number: {value!r}")
    return float(value)


def _speaker(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str | int):
        return str(value)
    raise _bad(f"speaker_id is not a string: {value!r}")


def _word(item: Any, where: str) -> Word:
    if not isinstance(item, dict):
        raise _bad(f"{where} is not an object")
    text = item.get("word", item.get("text"))
    if not isinstance(text, str):
        raise _bad(f"{where} has no 'word' text")
    start = cast(float, _number(item.get("start"), f"{where}.start"))
    end = cast(float, _number(item.get("end"), f"{where}.end"))
    prob = item.get("probability")
    return Word(
        word=text,
        start=start,
        end=end,
        speaker_id=_speaker(item.get("speaker_id", item.get("speaker"))),
        probability=_number(prob, f"{where}.probability", required=False)
        if not isinstance(prob, bool)
        else None,
    )


def _words(items: Any, where: str) -> tuple[Word, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise _bad(f"{where} is not a list")
    return tuple(_word(w, f"{where}[{i}]") for i, w in enumerate(items))


def _segment(item: Any, index: int) -> Segment:
    where = f"segments[{index}]"
    if not isinstance(item, dict):
        raise _bad(f"{where} is not an object")
    text = item.get("text")
    if not isinstance(text, str):
        raise _bad(f"{where} has no text")
    seg_id = item.get("id", index)
    if isinstance(seg_id, bool) or not isinstance(seg_id, int):
        seg_id = index
    return Segment(
        id=seg_id,
        start=cast(float, _number(item.get("start"), f"{where}.start")),
        end=cast(float, _number(item.get("end"), f"{where}.end")),
        text=text,
        speaker_id=_speaker(item.get("speaker_id", item.get("speaker"))),
        words=_words(item.get("words"), f"{where}.words"),
    )


def _from_json(payload: Any, response_format: str) -> Transcription:
    if not isinstance(payload, dict):
        raise _bad(f"expected a JSON object for response_format={response_format!r}")
    text = payload.get("text")
    if not isinstance(text, str):
        raise _bad("no 'text' string")
    if response_format == "json":
        return Transcription(text=text, response_format="json", raw=payload)
    raw_segments = payload.get("segments")
    if raw_segments is not None and not isinstance(raw_segments, list):
        raise _bad("segments is not a list")
    segments = tuple(_segment(s, i) for i, s in enumerate(raw_segments or []))
    words = _words(payload.get("words"), "words")
    if not words:
        words = tuple(w for s in segments for w in s.words)
    language = payload.get("language")
    task = payload.get("task")
    return Transcription(
        text=text,
        response_format=response_format,
        language=language if isinstance(language, str) else None,
        duration=_number(payload.get("duration"), "duration", required=False),
        task=task if isinstance(task, str) else None,
        segments=segments,
        words=words,
        raw=payload,
    )


_CUE_TIME = re.compile(
    r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)


def _seconds(stamp: str) -> float:
    *hours_minutes, seconds = stamp.replace(",", ".").split(":")
    total = float(seconds)
    for i, part in enumerate(reversed(hours_minutes)):
        total += int(part) * 60 ** (i + 1)
    return round(total, 3)


def parse_captions(text: str) -> tuple[Segment, ...]:
    """The cues of an SRT or WebVTT document as segments (id, start, end, text).

    >>> srt = ("1\\n00:00:00,000 --> 00:00:01,500\\nHello.\\n\\n"
    ...        "2\\n00:00:01,500 --> 00:00:03,000\\nBye.")
    >>> [(s.start, s.end, s.text) for s in parse_captions(srt)]
    [(0.0, 1.5, 'Hello.'), (1.5, 3.0, 'Bye.')]
    """
    out: list[Segment] = []
    for block in re.split(r"\r?\n\s*\r?\n", text.strip()):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            match = _CUE_TIME.match(line)
            if match:
                body = " ".join(x.strip() for x in lines[i + 1 :] if x.strip())
                out.append(Segment(len(out), _seconds(match[1]), _seconds(match[2]), body))
                break
    return tuple(out)


def parse_transcription(
    payload: Any, response_format: str, *, content_type: str | None = None
) -> Transcription:
    """Read one transcription answer.

    Args:
        payload: for ``json``/``verbose_json`` the decoded JSON; for ``text``/``srt``/``vtt``
            the body as ``str`` or ``bytes`` (a JSON ``{"text": ...}`` wrapper is unwrapped).
        response_format: the format that was asked for.
        content_type: the response Content-Type, when known.

    Raises:
        ResponseValidationError: the body is not the shape that format answers with.
    """
    if response_format in JSON_FORMATS:
        return _from_json(payload, response_format)
    if response_format not in TEXT_FORMATS:
        raise ConfigurationError(f"unknown response_format {response_format!r}")
    if isinstance(payload, bytes):
        try:
            payload = payload.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _bad(f"the {response_format} body is not UTF-8 text") from exc
    if isinstance(payload, dict):  # some servers wrap text formats as {"text": ...}
        text = payload.get("text")
        if not isinstance(text, str):
            raise _bad(f"expected {response_format} text, got a JSON object without 'text'")
        payload = text
    elif not isinstance(payload, str):
        raise _bad(f"expected {response_format} text, got {type(payload).__name__}")
    elif content_type and "json" in content_type.lower():
        raise _bad(f"expected {response_format} text, got JSON that is not an object")
    if response_format == "vtt" and not payload.lstrip("\ufeff").startswith("WEBVTT"):
        raise _bad("a vtt answer must start with 'WEBVTT'")
    segments = parse_captions(payload) if response_format != "text" else ()
    if response_format == "srt" and payload.strip() and not segments:
        raise _bad("an srt answer without any cue")
    return Transcription(
        text=payload, response_format=response_format, segments=segments, raw=payload
    )


# --------------------------------------------------------------------------- records


def check_chunking(chunking: str, response_format: str, diarize: bool | None) -> None:
    """ConfigurationError when ``chunking`` cannot be served by these options.

    ``segment`` needs segments (``verbose_json``, ``srt`` or ``vtt``); ``speaker`` needs
    ``diarize=True`` (which needs ``verbose_json``).

    >>> check_chunking("speaker", "verbose_json", diarize=None)
    Traceback (most recent call last):
    ...
    fw_core.errors.ConfigurationError: chunking='speaker' needs diarize=True
    """
    if chunking not in CHUNKINGS:
        raise ConfigurationError(
            f"chunking must be one of {', '.join(CHUNKINGS)}, got {chunking!r}"
        )
    if chunking == "segment" and response_format not in ("verbose_json", "srt", "vtt"):
        raise ConfigurationError(
            "chunking='segment' needs segments: use response_format='verbose_json' "
            f"(or 'srt'/'vtt'), not {response_format!r}"
        )
    if chunking == "speaker" and not diarize:
        raise ConfigurationError("chunking='speaker' needs diarize=True")


def _base_metadata(t: Transcription, source: str | None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "source": source,
        "model": t.model or None,
        "response_format": t.response_format,
    }
    for key in ("language", "duration", "task", "request_id"):
        value = getattr(t, key)
        if value is not None:
            meta[key] = value
    return {k: v for k, v in meta.items() if v is not None}


def _turns(items: Sequence[Segment] | Sequence[Word]) -> list[list[Any]]:
    turns: list[list[Any]] = []
    for item in items:
        if turns and turns[-1][-1].speaker_id == item.speaker_id:
            turns[-1].append(item)
        else:
            turns.append([item])
    return turns


def _join(texts: Iterable[str]) -> str:
    return " ".join(t.strip() for t in texts if t.strip())


def transcript_to_records(
    transcription: Transcription,
    chunking: Chunking | str = "transcript",
    *,
    source: str | None = None,
    include_timestamps: bool = True,
) -> list[tuple[str, dict[str, Any]]]:
    """``(text, metadata)`` pairs for documents, shared by the LangChain and LlamaIndex layers.

    - ``"transcript"``: one record, the whole text; metadata has ``source``, ``model``,
      ``language``, ``duration`` and (with ``include_timestamps``) ``segments`` and
      ``words`` as lists of dicts with ``start``/``end``/``speaker_id``, and ``speakers``.
    - ``"segment"``: one record per segment, with ``segment_id``, ``start``, ``end``,
      ``speaker_id`` (when diarized) and the segment's ``words``.
    - ``"speaker"``: one record per speaker turn (consecutive segments, else words, of one
      speaker), with ``speaker_id``, ``start``, ``end`` and ``segment_ids``.

    When the transcript has no segments (or no words for a turn), the whole text is one
    record, so nothing is lost. Empty transcripts give no records.
    """
    if chunking not in CHUNKINGS:
        raise ConfigurationError(f"chunking must be one of {', '.join(CHUNKINGS)}")
    t = transcription
    base = _base_metadata(t, source)
    if t.speakers:
        base["speakers"] = list(t.speakers)
    whole = t.text if t.response_format in ("srt", "vtt") else t.text.strip()
    if chunking == "transcript" or (not t.segments and not t.words):
        if not whole.strip():
            return []
        meta = dict(base)
        if include_timestamps and t.segments:
            meta["segments"] = [s.as_dict() for s in t.segments]
        if include_timestamps and t.words:
            meta["words"] = [w.as_dict() for w in t.words]
        return [(whole, meta)]
    if chunking == "segment" and t.segments:
        records = []
        for seg in t.segments:
            if not seg.text.strip():
                continue
            meta = {**base, "segment_id": seg.id, "start": seg.start, "end": seg.end}
            if seg.speaker_id is not None:
                meta["speaker_id"] = seg.speaker_id
            if include_timestamps and seg.words:
                meta["words"] = [w.as_dict() for w in seg.words]
            records.append((seg.text.strip(), meta))
        return records
    if chunking == "speaker" and t.segments and all(s.speaker_id for s in t.segments):
        out = []
        for turn_no, turn in enumerate(_turns(t.segments)):
            text = _join(s.text for s in turn)
            if text:
                out.append(
                    (
                        text,
                        {
                            **base,
                            "turn": turn_no,
                            "speaker_id": turn[0].speaker_id,
                            "start": turn[0].start,
                            "end": turn[-1].end,
                            "segment_ids": [s.id for s in turn],
                        },
                    )
                )
        return out
    if t.words:  # speaker turns from words, or segment chunking without segments
        key = "speaker" if chunking == "speaker" else "segment"
        out = []
        for turn_no, turn in enumerate(_turns(t.words) if key == "speaker" else [list(t.words)]):
            text = _join(w.word for w in turn)
            if text:
                meta = {**base, "turn": turn_no, "start": turn[0].start, "end": turn[-1].end}
                if turn[0].speaker_id is not None:
                    meta["speaker_id"] = turn[0].speaker_id
                out.append((text, meta))
        return out
    # segments without speaker ids under "speaker" chunking: one turn, speaker unknown
    seg_list = list(t.segments)
    text = _join(s.text for s in seg_list)
    if not text:
        return []
    return [
        (
            text,
            {
                **base,
                "turn": 0,
                "start": seg_list[0].start,
                "end": seg_list[-1].end,
                "segment_ids": [s.id for s in seg_list],
            },
        )
    ]
