"""A small, exact ``multipart/form-data`` reader (standard library only).

The double's audio endpoint reads uploads with it, and the cassette matcher compares
multipart requests by their parts instead of their bytes (the boundary is random).
Part bodies are returned byte for byte: nothing is decoded or normalised.

>>> body = (b'--xyz\\r\\nContent-Disposition: form-data; name="model"\\r\\n\\r\\nwhisper-v3\\r\\n'
...         b'--xyz\\r\\nContent-Disposition: form-data; name="file"; filename="a.wav"\\r\\n'
...         b'Content-Type: audio/wav\\r\\n\\r\\nRIFF\\r\\n--xyz--\\r\\n')
>>> parts = parse_multipart(body, "multipart/form-data; boundary=xyz")
>>> [(p.name, p.filename, p.value) for p in parts]
[('model', None, b'whisper-v3'), ('file', 'a.wav', b'RIFF')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["FormPart", "MultipartError", "boundary_of", "is_multipart", "parse_multipart"]

_PARAM = re.compile(r';\s*([A-Za-z0-9_*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


class MultipartError(ValueError):
    """The body is not well-formed multipart/form-data."""


@dataclass(frozen=True, slots=True)
class FormPart:
    """One part: its form field name, raw bytes, and for uploads the filename and type."""

    name: str
    value: bytes
    filename: str | None = None
    content_type: str | None = None

    @property
    def is_file(self) -> bool:
        return self.filename is not None

    def text(self) -> str:
        return self.value.decode("utf-8", "replace")


def _params(header_value: str) -> dict[str, str]:
    out: dict[str, str] = {}
    _, sep, rest = header_value.partition(";")
    if not sep:
        return out
    for key, raw in _PARAM.findall(";" + rest):
        value = raw.strip()
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out[key.lower()] = value
    return out


def is_multipart(content_type: str | None) -> bool:
    """True when a Content-Type header names multipart/form-data."""
    return (
        bool(content_type)
        and str(content_type).split(";", 1)[0].strip().lower() == "multipart/form-data"
    )


def boundary_of(content_type: str) -> str:
    """The boundary parameter of a multipart Content-Type; MultipartError if absent."""
    boundary = _params(content_type).get("boundary", "")
    if not is_multipart(content_type) or not boundary:
        raise MultipartError(f"not a multipart/form-data content type: {content_type!r}")
    return boundary


def _headers(block: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in block.decode("utf-8", "replace").split("\r\n"):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise MultipartError(f"malformed part header line: {line!r}")
        out[name.strip().lower()] = value.strip()
    return out


def parse_multipart(body: bytes, content_type: str) -> list[FormPart]:
    """The parts of a multipart/form-data ``body``, in order.

    Raises:
        MultipartError: no boundary, no opening or closing delimiter, or a part without a
            ``Content-Disposition: form-data; name=...`` header.
    """
    delimiter = b"--" + boundary_of(content_type).encode("latin-1")
    start = 0 if body.startswith(delimiter) else body.find(b"\r\n" + delimiter)
    if start < 0:
        raise MultipartError("the body has no opening boundary")
    if start:
        start += 2
    parts: list[FormPart] = []
    pos = start + len(delimiter)
    while True:
        if body[pos : pos + 2] == b"--":
            return parts
        if body[pos : pos + 2] != b"\r\n":
            raise MultipartError("a boundary is not followed by CRLF")
        head_end = body.find(b"\r\n\r\n", pos)
        if head_end < 0:
            raise MultipartError("a part has no end of headers")
        headers = _headers(body[pos + 2 : head_end])
        data_start = head_end + 4
        nxt = body.find(b"\r\n" + delimiter, data_start)
        if nxt < 0:
            raise MultipartError("the body has no closing boundary")
        disposition = headers.get("content-disposition", "")
        params = _params(disposition)
        if not disposition.lower().startswith("form-data") or "name" not in params:
            raise MultipartError("a part has no 'Content-Disposition: form-data; name=...'")
        parts.append(
            FormPart(
                name=params["name"],
                value=body[data_start:nxt],
                filename=params.get("filename"),
                content_type=headers.get("content-type"),
            )
        )
        pos = nxt + 2 + len(delimiter)
