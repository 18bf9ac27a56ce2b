"""Audio transcription and translation on Fireworks (Whisper):
``POST {audio host}/v1/audio/transcriptions`` and ``.../audio/translations``.

:func:`transcribe` (and :func:`atranscribe` for an :class:`~fw_core.http.client.AsyncClient`)
send one multipart/form-data request and return a typed
:class:`~fw_core.endpoints.transcript.Transcription`. Every option is checked before anything is
sent (:class:`~fw_core.errors.ConfigurationError`). :func:`translate` / :func:`atranslate`
(``task="translate"``) send the same form to the translations endpoint, which answers
English text whatever the spoken language (``language`` names the source language);
its reference lists the same fields but the diarization ones (docs/wire.md §1.20).

Where the request goes (docs/wire.md §1.1, §1.14):

1. ``base_url=`` given to the call: ``{base_url}/audio/transcriptions`` (a bare host such
   as ``https://audio-prod.us-virginia-1.direct.fireworks.ai`` gets ``/v1``);
2. else, when the client's base URL was changed away from the default Fireworks
   inference base (a proxy, the loopback wire double, ``FIREWORKS_BASE_URL``):
   ``{client base}/audio/transcriptions``;
3. else the model's serverless audio host: ``whisper-v3`` ->
   ``https://audio-prod.api.fireworks.ai/v1``, ``whisper-v3-turbo`` ->
   ``https://audio-turbo.api.fireworks.ai/v1``.

The key goes as ``Authorization: Bearer ...`` like every other call (the audio docs' curl
shows the bare key; their OpenAI-SDK sample sends Bearer: docs/wire.md §4.18).

``file`` may be a path, ``bytes``, a binary file object, or a public ``http(s)`` URL (sent
as the ``file`` form field's value). The sync call streams paths and file objects in
64 KiB chunks (httpx reads them while sending, rewinding on a retry); the async call
reads them in a worker thread first, so the event loop never blocks on disk. Checking,
naming and opening the file part is :mod:`fw_core.endpoints.uploads`; the options and the
URL rule are :mod:`fw_core.endpoints.audio_options` (importable from here as well).

>>> transcription_url("https://api.fireworks.ai/inference/v1", "whisper-v3-turbo")
'https://audio-turbo.api.fireworks.ai/v1/audio/transcriptions'
>>> transcription_url("http://127.0.0.1:8765/inference/v1", "whisper-v3")
'http://127.0.0.1:8765/inference/v1/audio/transcriptions'
>>> transcription_url("https://api.fireworks.ai/inference/v1", "whisper-v3", task="translate")
'https://audio-prod.api.fireworks.ai/v1/audio/translations'
>>> TranscriptionOptions(response_format="text", diarize=True)
Traceback (most recent call last):
...
fw_core.errors.ConfigurationError: diarize=True needs response_format='verbose_json' ...
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from fw_core.endpoints.audio_options import (
    ALIGNMENT_MODELS,
    AUDIO_BASE_URLS,
    OPTION_NAMES,
    PREPROCESSING_MODES,
    TASKS,
    TIMESTAMP_GRANULARITIES,
    VAD_MODELS,
    TranscriptionFields,
    TranscriptionOptions,
    check_adapter,
    options_of,
    transcription_url,
)
from fw_core.endpoints.transcript import (
    JSON_FORMATS,
    Segment,
    Transcription,
    Word,
    check_chunking,
    parse_transcription,
    transcript_to_records,
)
from fw_core.endpoints.uploads import (
    MAX_AUDIO_BYTES,
    AudioInput,
    bytes_upload,
    is_url,
    load_upload,
    open_upload,
    url_upload,
)
from fw_core.errors import ConfigurationError, ResponseValidationError
from fw_core.http.client import APIResponse, AsyncClient, Client
from fw_core.http.headers import select_headers
from fw_core.providers import FIREWORKS

__all__ = [
    "ALIGNMENT_MODELS",
    "AUDIO_BASE_URLS",
    "MAX_AUDIO_BYTES",
    "OPTION_NAMES",
    "PREPROCESSING_MODES",
    "TASKS",
    "TIMESTAMP_GRANULARITIES",
    "VAD_MODELS",
    "AudioInput",
    "Segment",
    "Transcription",
    "TranscriptionFields",
    "TranscriptionOptions",
    "Word",
    "atranscribe",
    "atranslate",
    "check_adapter",
    "check_chunking",
    "options_of",
    "transcribe",
    "transcript_to_records",
    "transcription_url",
    "translate",
]


def _result(resp: APIResponse, opts: TranscriptionOptions) -> Transcription:
    content_type = resp.headers.get("content-type")
    try:
        if opts.response_format in JSON_FORMATS:
            payload: Any = resp.json()
        elif content_type and "json" in content_type.lower():
            payload = resp.json()
        else:
            payload = resp.content
        parsed = parse_transcription(payload, opts.response_format, content_type=content_type)
    except ResponseValidationError as exc:
        exc.status_code = exc.status_code or resp.status_code
        exc.request_id = exc.request_id or resp.request_id
        exc.body = exc.body or resp.content[:2000].decode("utf-8", "replace")
        raise
    return dataclasses.replace(
        parsed,
        model=opts.model,
        request_id=resp.request_id,
        headers=select_headers(resp.headers),
    )


def _prepare(
    client: Client | AsyncClient,
    file: Any,
    base_url: str | None,
    arguments: Mapping[str, Any],
    task: str = "transcribe",
) -> tuple[TranscriptionOptions, str]:
    """The checked options and the URL, before any I/O. ``arguments`` are the call's own
    (its ``locals()``): the parameters named as :class:`TranscriptionOptions`' fields
    (:data:`OPTION_NAMES`) are its options."""
    client.provider.require(
        FIREWORKS, f"audio {'translation' if task == 'translate' else 'transcription'}"
    )
    opts = TranscriptionOptions(**{name: arguments[name] for name in OPTION_NAMES})
    url = transcription_url(client.base_url, opts.model, base_url, task=task)
    if file is None or (isinstance(file, str) and not file.strip()):
        raise ConfigurationError("file is required: a path, bytes, a file object or a URL")
    return opts, url


def transcribe(
    client: Client,
    file: AudioInput,
    *,
    model: str = "whisper-v3",
    language: str | None = None,
    prompt: str | None = None,
    response_format: str = "json",
    timestamp_granularities: str | Sequence[str] | None = None,
    diarize: bool | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    temperature: float | Sequence[float] | None = None,
    vad_model: str | None = None,
    alignment_model: str | None = None,
    preprocessing: str | None = None,
    base_url: str | None = None,
    timeout: float | httpx.Timeout | None = None,
    extra_body: Mapping[str, Any] | None = None,
    filename: str | None = None,
    task: str = "transcribe",
) -> Transcription:
    """Transcribe one audio file (sync). Options are the API's form fields.

    Args:
        client: a Fireworks :class:`~fw_core.http.client.Client` (a Firmware one is refused).
        file: a path, ``bytes``, a binary file object, or a public ``http(s)`` URL.
        base_url: send to this endpoint base instead of the model's audio host.
        timeout: per-call timeout (seconds or ``httpx.Timeout``).
        extra_body: extra form fields (strings, numbers, bools, lists).
        filename: the upload's filename (default: the path's name, else sniffed,
            e.g. ``audio.wav``); its extension sets the part's content type.
        task: ``"transcribe"`` or ``"translate"`` (English text from the translations
            endpoint; :func:`translate` says it shorter).

    Raises:
        ConfigurationError: a bad option, an empty or > 1 GB file, a missing path, a
            Firmware client; raised before any request.
        ResponseValidationError: a 2xx body that is not the asked ``response_format``.
        APIStatusError: (subclasses) what the API refused.
    """
    opts, url = _prepare(client, file, base_url, locals(), task)
    with open_upload(file, filename) as upload:
        resp = client.request(
            "POST", url, files=upload.files(), data=opts.form_fields(), timeout=timeout
        )
    return _result(resp, opts)


async def atranscribe(
    client: AsyncClient,
    file: AudioInput,
    *,
    model: str = "whisper-v3",
    language: str | None = None,
    prompt: str | None = None,
    response_format: str = "json",
    timestamp_granularities: str | Sequence[str] | None = None,
    diarize: bool | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    temperature: float | Sequence[float] | None = None,
    vad_model: str | None = None,
    alignment_model: str | None = None,
    preprocessing: str | None = None,
    base_url: str | None = None,
    timeout: float | httpx.Timeout | None = None,
    extra_body: Mapping[str, Any] | None = None,
    filename: str | None = None,
    task: str = "transcribe",
) -> Transcription:
    """Async twin of :func:`transcribe`; paths and file objects are read in a thread."""
    opts, url = _prepare(client, file, base_url, locals(), task)
    if is_url(file):
        upload = url_upload(str(file))
    elif isinstance(file, bytes | bytearray | memoryview):
        upload = bytes_upload(file, filename)
    else:
        upload = await asyncio.to_thread(load_upload, file, filename)
    resp = await client.request(
        "POST", url, files=upload.files(), data=opts.form_fields(), timeout=timeout
    )
    return _result(resp, opts)


def translate(client: Client, file: AudioInput, **options: Any) -> Transcription:
    """Translate the speech in one audio file into English text (sync).

    ``POST {audio host}/v1/audio/translations`` (docs/wire.md §1.20). Takes the keyword
    options of :func:`transcribe` (``language`` is the spoken language, a hint; the text
    is English) and returns the same :class:`~fw_core.endpoints.transcript.Transcription`
    (``task == "translate"`` with ``verbose_json``).
    """
    return transcribe(client, file, task="translate", **options)


async def atranslate(client: AsyncClient, file: AudioInput, **options: Any) -> Transcription:
    """Async twin of :func:`translate`."""
    return await atranscribe(client, file, task="translate", **options)
