"""The options of an audio call, checked, and where it goes (docs/wire.md §1.1, §1.14,
§1.20): :class:`TranscriptionOptions` (the form fields, checked at construction),
:class:`TranscriptionFields` (the same options as the framework adapters' pydantic
fields), :func:`check_adapter` and :func:`transcription_url`.

Pure: no I/O. :mod:`fw_core.endpoints.audio` sends the request (every name here is
importable from there too); the rule for the URL is in its module docstring.

>>> TranscriptionOptions(response_format="verbose_json", timestamp_granularities="word"
...                      ).form_fields()["timestamp_granularities"]
'word'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from fw_core.endpoints.transcript import RESPONSE_FORMATS, check_chunking
from fw_core.errors import ConfigurationError
from fw_core.providers import FIREWORKS, validate_base_url

__all__ = [
    "ALIGNMENT_MODELS",
    "AUDIO_BASE_URLS",
    "OPTION_NAMES",
    "PREPROCESSING_MODES",
    "TASKS",
    "TASK_PATHS",
    "TIMESTAMP_GRANULARITIES",
    "TRANSCRIPTIONS_PATH",
    "VAD_MODELS",
    "TranscriptionFields",
    "TranscriptionOptions",
    "check_adapter",
    "options_of",
    "transcription_url",
]

#: The serverless audio host of each model (docs/wire.md §1.1).
AUDIO_BASE_URLS: Mapping[str, str] = {
    "whisper-v3": "https://audio-prod.api.fireworks.ai/v1",
    "whisper-v3-turbo": "https://audio-turbo.api.fireworks.ai/v1",
}
VAD_MODELS = ("silero", "whisperx-pyannet")
#: ``gentle`` is documented as needing a dedicated endpoint.
ALIGNMENT_MODELS = ("mms_fa", "tdnn_ffn", "gentle")
PREPROCESSING_MODES = ("none", "dynamic", "soft_dynamic", "bass_dynamic")
TIMESTAMP_GRANULARITIES = ("word", "segment")
TRANSCRIPTIONS_PATH = "/audio/transcriptions"
#: What each task asks of the audio host: the endpoint path (docs/wire.md §1.14, §1.20).
TASK_PATHS: Mapping[str, str] = {
    "transcribe": TRANSCRIPTIONS_PATH,
    "translate": "/audio/translations",
}
TASKS: tuple[str, ...] = tuple(TASK_PATHS)


def _check_task(task: Any) -> str:
    # ours: the task picks the endpoint we call
    if task not in TASK_PATHS:
        raise ConfigurationError(f"task must be 'transcribe' or 'translate', got {task!r}")
    return str(task)


# --------------------------------------------------------------------------- options


def _granularities(value: str | Sequence[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        name = item.strip() if isinstance(item, str) else item
        # 'word' / 'segment' today; the names are the server's (docs/architecture.md §2,
        # tolerant reader): any non-empty string is sent
        if not isinstance(name, str) or not name:
            raise ConfigurationError(
                f"timestamp_granularities: {name!r} is not a name such as 'word', 'segment'"
            )
        if name not in out:
            out.append(name)
    if not out:
        raise ConfigurationError("timestamp_granularities is empty; leave it None instead")
    return tuple(out)


def _choice(name: str, value: str | None, allowed: Sequence[str]) -> None:
    if value is not None and value not in allowed:
        raise ConfigurationError(
            f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}"
        )


def _text(name: str, value: str | None, known: Sequence[str]) -> None:
    """A server-owned vocabulary (docs/architecture.md §2, tolerant reader): the type is
    ours, the names the server's; ``known`` only words the message."""
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigurationError(
            f"{name} must be a string such as {', '.join(map(repr, known))}, got {value!r}"
        )


def _speakers(name: str, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ConfigurationError(f"{name} must be an integer >= 1, got {value!r}")


def _temperature(value: float | Sequence[float] | None) -> str | None:
    if value is None:
        return None
    values = [value] if isinstance(value, int | float) else list(value)
    if not values:
        raise ConfigurationError("temperature is an empty list")
    for t in values:
        if (
            isinstance(t, bool)
            or not isinstance(t, int | float)
            or not math.isfinite(t)
            or not 0 <= t <= 1
        ):
            raise ConfigurationError(f"temperature must be between 0 and 1, got {t!r}")
    return ",".join(repr(float(t)) for t in values)


def _form_value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return ",".join(_form_value(key, v) for v in value)
    raise ConfigurationError(
        f"extra_body[{key!r}]: a form field must be a string, number, bool or list, "
        f"not {type(value).__name__}"
    )


@dataclass(frozen=True)
class TranscriptionOptions:
    """The form fields of one transcription request, checked at construction.

    Rules enforced (the API's documented constraints, docs/wire.md §1.14): known
    ``response_format`` / ``vad_model`` / ``alignment_model`` / ``preprocessing``;
    ``timestamp_granularities`` (``"word"``, ``"segment"``, both) only with
    ``verbose_json``; ``diarize`` only with ``verbose_json`` and with ``word`` timestamps
    (sent as ``word,segment`` when not given); ``min_speakers`` / ``max_speakers`` only with
    ``diarize=True`` and ``min <= max``; ``temperature`` a number or a list (fallback
    decoding) in [0, 1].

    Example:
        >>> opts = TranscriptionOptions(response_format="verbose_json", diarize=True,
        ...                             max_speakers=2)
        >>> opts.form_fields()["timestamp_granularities"], opts.form_fields()["diarize"]
        ('word,segment', 'true')
    """

    model: str = "whisper-v3"
    language: str | None = None
    prompt: str | None = None
    response_format: str = "json"
    timestamp_granularities: str | Sequence[str] | None = None
    diarize: bool | None = None
    min_speakers: int | None = None
    max_speakers: int | None = None
    temperature: float | Sequence[float] | None = None
    vad_model: str | None = None
    alignment_model: str | None = None
    preprocessing: str | None = None
    extra_body: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if (
            not isinstance(self.model, str)
            or not self.model.strip()
            or any(c.isspace() for c in self.model)
        ):
            raise ConfigurationError(f"model must be a non-empty id, got {self.model!r}")
        # the response format is ours: it says how we parse the answer
        _choice("response_format", self.response_format, RESPONSE_FORMATS)
        _text("vad_model", self.vad_model, VAD_MODELS)
        _text("alignment_model", self.alignment_model, ALIGNMENT_MODELS)
        _text("preprocessing", self.preprocessing, PREPROCESSING_MODES)
        for name in ("language", "prompt"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ConfigurationError(f"{name} must be a non-empty string or None")
        if self.language is not None and any(c.isspace() for c in self.language):
            raise ConfigurationError(f"language must be a code such as 'en', got {self.language!r}")
        grains = _granularities(self.timestamp_granularities)
        if grains is not None and self.response_format != "verbose_json":
            raise ConfigurationError(
                "timestamp_granularities needs response_format='verbose_json', "
                f"not {self.response_format!r}"
            )
        if self.diarize is not None and not isinstance(self.diarize, bool):
            raise ConfigurationError(f"diarize must be True, False or None, got {self.diarize!r}")
        if self.diarize:
            if self.response_format != "verbose_json":
                raise ConfigurationError(
                    "diarize=True needs response_format='verbose_json' (only it carries "
                    f"speaker ids), not {self.response_format!r}"
                )
            if grains is not None and "word" not in grains:
                raise ConfigurationError("diarize=True needs 'word' in timestamp_granularities")
        _speakers("min_speakers", self.min_speakers)
        _speakers("max_speakers", self.max_speakers)
        if (self.min_speakers is not None or self.max_speakers is not None) and not self.diarize:
            raise ConfigurationError("min_speakers / max_speakers need diarize=True")
        if (
            self.min_speakers is not None
            and self.max_speakers is not None
            and self.min_speakers > self.max_speakers
        ):
            raise ConfigurationError(
                f"min_speakers ({self.min_speakers}) is larger than "
                f"max_speakers ({self.max_speakers})"
            )
        _temperature(self.temperature)
        for key in self.extra_body or {}:
            if key == "file" or not isinstance(key, str) or not key:
                raise ConfigurationError(f"extra_body cannot set the form field {key!r}")
            _form_value(key, (self.extra_body or {})[key])

    def form_fields(self) -> dict[str, str]:
        """The non-file form fields, as the strings sent on the wire."""
        grains = _granularities(self.timestamp_granularities)
        if self.diarize and grains is None:
            grains = ("word", "segment")
        fields: dict[str, Any] = {
            "model": self.model,
            "response_format": self.response_format,
            "language": self.language,
            "prompt": self.prompt,
            "temperature": _temperature(self.temperature),
            "timestamp_granularities": ",".join(grains) if grains else None,
            "diarize": self.diarize,
            "min_speakers": self.min_speakers,
            "max_speakers": self.max_speakers,
            "vad_model": self.vad_model,
            "alignment_model": self.alignment_model,
            "preprocessing": self.preprocessing,
        }
        fields.update(self.extra_body or {})
        return {k: _form_value(k, v) for k, v in fields.items() if v is not None}


#: The names of :class:`TranscriptionOptions`' fields (the form options).
OPTION_NAMES: tuple[str, ...] = tuple(f.name for f in fields(TranscriptionOptions))


def options_of(source: object) -> dict[str, Any]:
    """The transcription options a parser or reader holds as same-named attributes.

    Example:
        >>> from types import SimpleNamespace
        >>> holder = SimpleNamespace(**{f.name: None for f in fields(TranscriptionOptions)})
        >>> holder.model, holder.response_format = "whisper-v3", "json"
        >>> options_of(holder)["model"], len(options_of(holder)) == len(OPTION_NAMES)
        ('whisper-v3', True)
    """
    return {name: getattr(source, name) for name in OPTION_NAMES}


class TranscriptionFields(BaseModel):
    """The options of a framework's transcription class, declared once for both frameworks.

    The LangChain parser and the LlamaIndex reader inherit these pydantic fields: the
    form options of :class:`TranscriptionOptions` (same names, checked by it through
    :func:`check_adapter` at construction) and how the transcript becomes documents.

    Example:
        >>> fields = TranscriptionFields(chunking="segment")
        >>> fields.response_format, set(OPTION_NAMES) <= set(type(fields).model_fields)
        ('verbose_json', True)
    """

    model: str = Field(
        default="whisper-v3",
        description="whisper-v3 (audio-prod host) or whisper-v3-turbo (audio-turbo host).",
    )
    language: str | None = Field(
        default=None, description="Language code of the audio (en, de...); None detects it."
    )
    prompt: str | None = Field(
        default=None, description="Text that primes the transcription (names, style)."
    )
    response_format: str = Field(
        default="verbose_json",
        description="verbose_json (language, duration, segments), json, text, srt or vtt "
        "(a caption file becomes the text).",
    )
    timestamp_granularities: list[str] | None = Field(
        default=None, description="['segment'] (the API's default), ['word'] or both."
    )
    diarize: bool | None = Field(
        default=None, description="Label speakers (speaker_id); needs verbose_json."
    )
    min_speakers: int | None = Field(default=None, description="With diarize=True.")
    max_speakers: int | None = Field(default=None, description="With diarize=True.")
    temperature: float | list[float] | None = Field(
        default=None, description="A temperature, or a list for fallback decoding."
    )
    vad_model: str | None = Field(default=None, description="silero or whisperx-pyannet.")
    alignment_model: str | None = Field(default=None, description="mms_fa, tdnn_ffn or gentle.")
    preprocessing: str | None = Field(
        default=None, description="none, dynamic, soft_dynamic or bass_dynamic."
    )
    extra_body: dict[str, Any] | None = Field(
        default=None, description="Extra form fields sent with every request."
    )
    audio_base_url: str | None = Field(
        default=None,
        description="An audio endpoint base (e.g. a dedicated deployment) used instead of "
        "the model's host.",
    )
    chunking: str = Field(
        default="transcript",
        description="transcript (one document per file), segment or speaker (per turn).",
    )
    include_timestamps: bool = Field(
        default=True, description="Put the segments/words lists in metadata."
    )
    task: str = Field(
        default="transcribe",
        description="transcribe (text in the spoken language) or translate (English text, "
        "the translations endpoint).",
    )

    def _check_transcription(self, client_base_url: str | None) -> TranscriptionOptions:
        """:func:`check_adapter` on these fields (call it at construction)."""
        return check_adapter(
            self,
            chunking=self.chunking,
            client_base_url=client_base_url,
            audio_base_url=self.audio_base_url,
            task=self.task,
        )

    def _transcribe_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of :func:`transcribe` / :func:`atranscribe` but the file."""
        return {**options_of(self), "base_url": self.audio_base_url, "task": self.task}


def check_adapter(
    source: object,
    *,
    chunking: str,
    client_base_url: str | None,
    audio_base_url: str | None,
    task: str = "transcribe",
) -> TranscriptionOptions:
    """Everything a framework adapter must refuse at construction, before any request:
    bad options, a chunking the response format can't feed, no reachable endpoint."""
    opts = TranscriptionOptions(**options_of(source))
    check_chunking(chunking, opts.response_format, opts.diarize)
    transcription_url(client_base_url or "", opts.model, audio_base_url, task=task)
    return opts


def transcription_url(
    client_base_url: str, model: str, base_url: str | None = None, *, task: str = "transcribe"
) -> str:
    """The endpoint of ``task`` for ``model`` (the rule is in the module docstring)."""
    path = TASK_PATHS[_check_task(task)]
    if base_url is not None:
        base = validate_base_url(base_url)
        if urlsplit(base).path in ("", "/"):
            base = f"{base.rstrip('/')}/v1"
    elif client_base_url.rstrip("/") != FIREWORKS.default_base_url:
        base = client_base_url.rstrip("/")
    elif model in AUDIO_BASE_URLS:
        base = AUDIO_BASE_URLS[model]
    else:
        raise ConfigurationError(
            f"unknown audio model {model!r}: use {' or '.join(AUDIO_BASE_URLS)}, or pass "
            "base_url= for a dedicated endpoint"
        )
    return base + path
