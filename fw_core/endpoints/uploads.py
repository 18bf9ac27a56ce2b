"""The ``file`` part of an audio transcription upload: what it may be, checked and named.

``file`` may be a public ``http(s)`` URL (sent as the form field's plain value), ``bytes``,
a path, or a binary file object. Before anything is sent each is checked (not empty, at
most :data:`MAX_AUDIO_BYTES`, a path that is a file, a stream opened in binary mode) and
given a filename (the caller's, the path's or stream's own name, else ``audio`` plus an
extension sniffed from the first bytes) whose extension sets the part's content type.

Two ways to get an :class:`Upload`: :func:`open_upload` for the sync call (paths are
opened and streamed, seekable streams sent as they are, so httpx reads them while sending
and rewinds them on a retry) and :func:`load_upload` for the async call (everything read
into memory; run it in a worker thread so the event loop never blocks on disk).
:func:`url_upload` and :func:`bytes_upload` need no I/O at all.

>>> upload = bytes_upload(b"RIFF....WAVEfmt ", None)
>>> upload.filename, upload.content_type
('audio.wav', 'audio/wav')
>>> url_upload(" https://example.com/a.mp3 ").files()
[('file', (None, 'https://example.com/a.mp3', None))]
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Union
from urllib.parse import urlsplit

from fw_core.errors import ConfigurationError

__all__ = [
    "MAX_AUDIO_BYTES",
    "AudioInput",
    "Upload",
    "bytes_upload",
    "is_url",
    "load_upload",
    "open_upload",
    "url_upload",
]

#: The documented upload limit ("1 GB"), read as 1 GiB.
MAX_AUDIO_BYTES = 1 << 30

#: What ``file`` may be: a path, raw bytes, a binary file object or a public URL.
AudioInput = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes]]

# Content types by extension, fixed here (not ``mimetypes``, which reads the host's tables)
# so that the same file is sent the same way on every machine.
_AUDIO_TYPES = {
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".flac": "audio/flac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/opus",
    ".m4a": "audio/mp4",
    ".mp4": "video/mp4",
    ".aac": "audio/aac",
    ".webm": "audio/webm",
    ".mpeg": "audio/mpeg",
    ".mpga": "audio/mpeg",
}
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (8, b"WAVE", ".wav"),
    (0, b"fLaC", ".flac"),
    (0, b"OggS", ".ogg"),
    (0, b"ID3", ".mp3"),
    (0, b"\xff\xfb", ".mp3"),
    (0, b"\xff\xf3", ".mp3"),
    (4, b"ftyp", ".m4a"),
    (0, b"\x1a\x45\xdf\xa3", ".webm"),
)


def _sniff_extension(head: bytes) -> str:
    for offset, magic, ext in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return ext
    return ""


def _content_type(filename: str) -> str:
    return _AUDIO_TYPES.get(Path(filename).suffix.lower(), "application/octet-stream")


@dataclass(frozen=True)
class Upload:
    """The ``file`` form part: a URL value, or (filename, bytes or stream, content type).

    Attributes:
        url: a public URL sent as the field's plain value (then nothing else is used).
        filename: the part's filename; its extension set ``content_type``.
        content: the bytes, or an open binary stream httpx reads while sending.
        content_type: the part's content type.

    Example:
        >>> Upload(filename="a.flac", content=b"fLaC", content_type="audio/flac").files()
        [('file', ('a.flac', b'fLaC', 'audio/flac'))]
    """

    url: str | None = None
    filename: str = "audio"
    content: bytes | IO[bytes] | None = None
    content_type: str = "application/octet-stream"

    def files(self) -> list[tuple[str, tuple[str | None, Any, str | None]]]:
        """The part in the form httpx's ``files=`` argument takes."""
        if self.url is not None:  # a plain form field: no filename, no content type
            return [("file", (None, self.url, None))]
        return [("file", (self.filename, self.content, self.content_type))]


def is_url(value: object) -> bool:
    """Whether ``file`` is a public ``http(s)`` URL rather than a path.

    >>> is_url("HTTPS://example.com/a.wav"), is_url("recordings/a.wav")
    (True, False)
    """
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))


def _check_size(size: int, what: str) -> None:
    if size == 0:
        raise ConfigurationError(f"{what} is empty: there is no audio to transcribe")
    if size > MAX_AUDIO_BYTES:
        raise ConfigurationError(
            f"{what} is {size} bytes; the API takes at most 1 GB ({MAX_AUDIO_BYTES} bytes) per "
            "file: split it, or upload it somewhere public and pass the URL"
        )


def _named(filename: str | None, default_name: str | None, head: bytes) -> str:
    if filename:
        return filename
    if default_name:
        return default_name
    return "audio" + _sniff_extension(head)


def url_upload(url: str) -> Upload:
    """The upload of a public URL (the API fetches it); a URL without a host is refused."""
    url = url.strip()
    if not urlsplit(url).netloc:
        raise ConfigurationError(f"file URL {url!r} has no host")
    return Upload(url=url)


def bytes_upload(data: bytes | bytearray | memoryview, filename: str | None) -> Upload:
    """The upload of bytes in memory, checked for size and named (sniffed when unnamed)."""
    raw = bytes(data)
    _check_size(len(raw), "the audio bytes")
    name = _named(filename, None, raw[:16])
    return Upload(filename=name, content=raw, content_type=_content_type(name))


def _path_of(file: str | os.PathLike[str]) -> Path:
    path = Path(file)
    if not path.is_file():
        raise ConfigurationError(f"audio file {str(path)!r} does not exist or is not a file")
    _check_size(path.stat().st_size, f"audio file {str(path)!r}")
    return path


def _stream_size(stream: IO[bytes]) -> int | None:
    """Bytes from the start of a seekable stream (httpx sends it from the start)."""
    try:
        return os.fstat(stream.fileno()).st_size
    except (AttributeError, OSError, io.UnsupportedOperation, ValueError):
        pass
    try:
        here = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(here)
        return int(end)
    except (AttributeError, OSError, io.UnsupportedOperation, ValueError):
        return None


def _check_stream(stream: Any) -> None:
    if isinstance(stream, io.TextIOBase):
        raise ConfigurationError("the audio file object is open in text mode; open it with 'rb'")
    if not callable(getattr(stream, "read", None)):
        raise ConfigurationError(
            "file must be a path, bytes, a binary file object or an http(s) URL, "
            f"not {type(stream).__name__}"
        )


def _read_limited(stream: IO[bytes]) -> bytes:
    """Read a stream of unknown size, refusing more than the API takes."""
    if hasattr(stream, "seek"):
        with suppress(OSError, io.UnsupportedOperation, ValueError):
            stream.seek(0)
    data = stream.read(MAX_AUDIO_BYTES + 1)
    if not isinstance(data, bytes | bytearray):
        raise ConfigurationError("the audio file object returned text; open it with 'rb'")
    _check_size(len(data), "the audio file object")
    return bytes(data)


def _stream_name(stream: Any) -> str | None:
    name = getattr(stream, "name", None)
    return Path(name).name if isinstance(name, str) and name else None


def _peek(stream: IO[bytes]) -> bytes:
    try:
        here = stream.tell()
        head = stream.read(16)
        stream.seek(here)
        return head if isinstance(head, bytes) else b""
    except (OSError, io.UnsupportedOperation, ValueError, AttributeError):
        return b""


def _stream_upload(stream: IO[bytes], filename: str | None) -> Upload:
    size = _stream_size(stream)
    if size is None:  # not seekable: it has to be read to be sized and resent on retry
        return bytes_upload(_read_limited(stream), filename or _stream_name(stream))
    _check_size(size, "the audio file object")
    name = _named(filename, _stream_name(stream), _peek(stream))
    return Upload(filename=name, content=stream, content_type=_content_type(name))


@contextmanager
def open_upload(file: Any, filename: str | None) -> Iterator[Upload]:
    """The upload for the sync path: paths are opened and streamed, then closed.

    A seekable stream is sent as it is (httpx reads it while sending and rewinds it on a
    retry); one that cannot seek is read first, as it could not be sized or resent.

    Raises:
        ConfigurationError: an empty or > 1 GB file, a missing path, a text-mode stream,
            something that is not a file at all.
    """
    if is_url(file):
        yield url_upload(file)
    elif isinstance(file, bytes | bytearray | memoryview):
        yield bytes_upload(file, filename)
    elif isinstance(file, str | os.PathLike):
        path = _path_of(file)
        with path.open("rb") as stream:
            name = filename or path.name
            yield Upload(filename=name, content=stream, content_type=_content_type(name))
    else:
        _check_stream(file)
        yield _stream_upload(file, filename)


def load_upload(file: Any, filename: str | None) -> Upload:
    """The upload for the async path, fully read (call it in a worker thread).

    For paths and file objects; URLs and bytes need no I/O (:func:`url_upload`,
    :func:`bytes_upload`). Raises as :func:`open_upload`.
    """
    if isinstance(file, str | os.PathLike):
        path = _path_of(file)
        return bytes_upload(path.read_bytes(), filename or path.name)
    _check_stream(file)
    return bytes_upload(_read_limited(file), filename or _stream_name(file))
