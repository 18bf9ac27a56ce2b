"""File, document and audio content parts, as each API takes them.

How a document the user attached (a PDF, any non-image file) travels in a chat request
differs per API (docs/wire.md §1.17, §2.3):

- **Fireworks** has no ``file`` content part. A document goes in an ``image_url`` part,
  with its URL or a base64 ``data:`` URL; a file id cannot be sent.
- **Firmware** takes OpenAI-style parts: base64 data becomes
  ``{"type": "file", "file": {"filename", "file_data"}}``, a file id
  ``{"file": {"file_id"}}``. Chat completions has no file-by-URL part, so a URL goes as an
  ``image_url`` part there too.
- An image given as a file (an ``image/*`` MIME type) is an ``image_url`` part for both.

Fireworks' document inlining (``#transform=inline`` on the URL, for models without vision)
was removed by Fireworks on 2025-06-30 and is not offered (docs/wire.md §1.17): a document
sent to Fireworks is read only by a model and deployment that take it.

Both framework adapters build their document parts with :func:`document_part` (or
:func:`from_openai_file` for a part already in OpenAI's form).

**Audio** in a chat message (docs/wire.md §1.20): Fireworks documents an ``audio_url``
part whose URL is a ``data:audio/...;base64,`` URL (its video/audio inputs guide, for
omni models such as Qwen3 Omni on a dedicated deployment). OpenAI's form, for Firmware,
is ``input_audio`` with raw base64 and a ``format`` (``wav``, ``mp3``); it has no URL
variant, so an audio URL goes as ``audio_url`` to both. :func:`audio_part` builds the
part, :func:`from_input_audio` converts an OpenAI-form part for Fireworks.

>>> document_part("fireworks", data="JVBERi0=", mime_type="application/pdf")["image_url"]
{'url': 'data:application/pdf;base64,JVBERi0='}
>>> document_part("firmware", data="JVBERi0=", mime_type="application/pdf")["file"]["filename"]
'document.pdf'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from fw_core.providers import ProviderSpec

#: Which API a part is for: its spec, its name (``"fireworks"``, ``"firmware"``), or None
#: for OpenAI's forms.
Provider: TypeAlias = "ProviderSpec | str | None"

__all__ = [
    "Provider",
    "audio_part",
    "data_url",
    "document_part",
    "from_input_audio",
    "from_openai_file",
]


def data_url(mime_type: str | None, data: str) -> str:
    """``data`` (base64) as a ``data:`` URL; a value that already is one is kept.

    >>> data_url("image/png", "AAAA"), data_url(None, "data:text/plain;base64,eA==")
    ('data:image/png;base64,AAAA', 'data:text/plain;base64,eA==')
    """
    if data.startswith("data:"):
        return data
    return f"data:{mime_type or 'application/octet-stream'};base64,{data}"


def _mime_of(url: str) -> str:
    """The MIME type of a ``data:`` URL (``""`` when it names none)."""
    return url[5:].split(";", 1)[0].split(",", 1)[0].strip().lower()


def _openai_forms(provider: Provider) -> bool:
    """Whether ``provider`` takes OpenAI's ``file`` / ``input_audio`` parts
    (:attr:`~fw_core.providers.ProviderSpec.openai_content_parts`)."""
    if provider is None:
        return True
    if isinstance(provider, str):
        from fw_core.providers import provider_named

        provider = provider_named(provider)
    return provider.openai_content_parts


def _image_url_part(url: str) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url}}


def document_part(
    provider: Provider,
    *,
    data: str | None = None,
    url: str | None = None,
    file_id: str | None = None,
    mime_type: str | None = None,
    filename: str | None = None,
) -> dict[str, Any]:
    """One document as the content part ``provider`` takes (see the module doc).

    Args:
        provider: the API (its spec or name); None for the OpenAI form.
        data: base64 bytes (or a whole ``data:`` URL).
        url: where the document is (used when no ``data`` is given).
        file_id: an id from a files API (used when neither is given).
        mime_type: the document's MIME type; ``application/octet-stream`` when unknown.
        filename: the OpenAI form's ``filename`` for ``data`` (default ``document.pdf``
            for a PDF, else ``file``).

    Raises:
        ValueError: nothing to send, or a file id for Fireworks (its chat API reads no
            files API).

    >>> document_part("fireworks", url="https://x/cv.pdf")
    {'type': 'image_url', 'image_url': {'url': 'https://x/cv.pdf'}}
    >>> document_part(None, file_id="file-1")
    {'type': 'file', 'file': {'file_id': 'file-1'}}
    """
    openai = _openai_forms(provider)
    if data:
        full = data_url(mime_type, data)
        if not openai or _mime_of(full).startswith("image/"):
            return _image_url_part(full)
        mime = _mime_of(full)
        name = filename or ("document.pdf" if mime == "application/pdf" else "file")
        return {"type": "file", "file": {"file_data": full, "filename": name}}
    if file_id and openai:
        return {"type": "file", "file": {"file_id": file_id}}
    if url:
        return _image_url_part(url)
    if file_id:
        raise ValueError(
            "Fireworks chat cannot read a file id; send the document's bytes or its URL"
        )
    raise ValueError("a document needs base64 data, a url or a file_id")


#: Audio MIME types whose OpenAI ``format`` name differs from their subtype.
_AUDIO_FORMAT_OF_MIME = {
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/x-wav": "wav",
    "audio/wave": "wav",
    "audio/vnd.wave": "wav",
    "audio/x-flac": "flac",
    "audio/mp4": "m4a",
    "audio/x-m4a": "m4a",
}
_AUDIO_MIME_OF_FORMAT = {"mp3": "audio/mpeg", "m4a": "audio/mp4"}


def _audio_format(mime_type: str | None, audio_format: str | None) -> str:
    if audio_format:
        return audio_format.lower().lstrip(".")
    mime = (mime_type or "audio/wav").lower()
    return _AUDIO_FORMAT_OF_MIME.get(mime, mime.rsplit("/", 1)[-1])


def _audio_mime(mime_type: str | None, audio_format: str | None) -> str:
    if mime_type:
        return mime_type
    fmt = (audio_format or "wav").lower().lstrip(".")
    return _AUDIO_MIME_OF_FORMAT.get(fmt, f"audio/{fmt}")


def audio_part(
    provider: Provider,
    *,
    data: str | None = None,
    url: str | None = None,
    mime_type: str | None = None,
    audio_format: str | None = None,
) -> dict[str, Any]:
    """One audio clip as the content part ``provider`` takes (see the module doc).

    Args:
        provider: the API (its spec or name); None for OpenAI's form.
        data: base64 bytes (or a whole ``data:`` URL).
        url: where the audio is (used when no ``data`` is given).
        mime_type: e.g. ``audio/wav``; derived from ``audio_format`` when not given.
        audio_format: e.g. ``wav``, ``mp3``; derived from ``mime_type`` when not given.

    Raises:
        ValueError: neither data nor a url.

    >>> audio_part("fireworks", data="UklG", audio_format="wav")
    {'type': 'audio_url', 'audio_url': {'url': 'data:audio/wav;base64,UklG'}}
    >>> audio_part("firmware", data="SUQz", mime_type="audio/mpeg")
    {'type': 'input_audio', 'input_audio': {'data': 'SUQz', 'format': 'mp3'}}
    >>> audio_part(None, url="https://x/a.ogg")
    {'type': 'audio_url', 'audio_url': {'url': 'https://x/a.ogg'}}
    """
    if data:
        if data.startswith("data:"):
            mime_type = mime_type or _mime_of(data) or None
            raw = data.split(",", 1)[1] if "," in data else ""
        else:
            raw = data
        if not _openai_forms(provider):
            return {
                "type": "audio_url",
                "audio_url": {"url": data_url(_audio_mime(mime_type, audio_format), raw)},
            }
        fmt = _audio_format(mime_type, audio_format)
        return {"type": "input_audio", "input_audio": {"data": raw, "format": fmt}}
    if url:
        return {"type": "audio_url", "audio_url": {"url": url}}
    raise ValueError("an audio part needs base64 data or a url")


def from_input_audio(provider: Provider, input_audio: Mapping[str, Any]) -> dict[str, Any]:
    """An OpenAI-form ``input_audio`` payload (``{"data", "format"}``) as the part
    ``provider`` takes: unchanged for the OpenAI form, an ``audio_url`` for Fireworks.

    >>> from_input_audio("fireworks", {"data": "UklG", "format": "wav"})["audio_url"]
    {'url': 'data:audio/wav;base64,UklG'}
    """
    data = input_audio.get("data")
    fmt = input_audio.get("format")
    if _openai_forms(provider):
        return {"type": "input_audio", "input_audio": {"data": data, "format": fmt}}
    if not isinstance(data, str) or not data:
        raise ValueError("an input_audio part needs base64 data")
    return audio_part(provider, data=data, audio_format=fmt if isinstance(fmt, str) else None)


def from_openai_file(provider: Provider, file: Mapping[str, Any]) -> dict[str, Any]:
    """An OpenAI-form ``file`` payload (``{"filename", "file_data" | "file_id"}``) as the
    part ``provider`` takes: unchanged (``None`` values dropped) for the OpenAI form, an
    ``image_url`` part for Fireworks.

    >>> pdf = {"filename": "a.pdf", "file_data": "data:application/pdf;base64,QQ=="}
    >>> from_openai_file("fireworks", pdf)
    {'type': 'image_url', 'image_url': {'url': 'data:application/pdf;base64,QQ=='}}
    """
    if _openai_forms(provider):
        return {"type": "file", "file": {k: v for k, v in file.items() if v is not None}}
    return document_part(
        provider,
        data=file.get("file_data"),
        file_id=file.get("file_id"),
        filename=file.get("filename"),
    )
