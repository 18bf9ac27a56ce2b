"""Recording cassettes without secrets: the vcrpy options the suite, demo and notebooks share.

Use them for your own application's cassettes too::

    import vcr
    from fw_core.testing.cassettes import register_matchers, vcr_options

    recorder = register_matchers(vcr.VCR(**vcr_options()))
    with recorder.use_cassette("cassettes/my_test.yaml"):
        ...

What is removed before anything is written: the ``authorization``, ``x-api-key``,
``api-key`` and cookie headers; the values of the API-key environment variables wherever
they appear in a body; and any key-shaped string (``fw_…``, ``sk-…``, ``Bearer …``).
Bodies are scrubbed as bytes, so a binary body (an image, an audio upload) keeps every
byte that is not part of a secret.

Requests match on method, URL and the body: JSON bodies compare as JSON (key order and
spacing ignored); ``multipart/form-data`` bodies compare by their parts (field names and
values, and for uploads the filename, content type, size and SHA-256 of the bytes), not
by their bytes, whose boundary is random.

>>> token = "Bearer " + "x" * 16  # built here so no key-shaped literal sits in the source
>>> scrub_text('{"note": "%s"}' % token, secrets=())
'{"note": "REDACTED"}'
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable
from typing import Any

from fw_core.testing.multipart import MultipartError, is_multipart, parse_multipart

__all__ = [
    "KEY_ENV_VARS",
    "SECRET_HEADERS",
    "SECRET_PATTERN",
    "body_signature",
    "env_secrets",
    "json_body_matcher",
    "register_matchers",
    "scrub_text",
    "vcr_options",
]

KEY_ENV_VARS = ("FIREWORKS_API_KEY", "FIREWORKS_AI_API_KEY", "FIRMWARE_API_KEY")
SECRET_HEADERS = ("authorization", "x-api-key", "api-key", "cookie", "set-cookie")
#: Anything key-shaped: Fireworks/Firmware keys, OpenAI-style keys, bearer tokens.
SECRET_PATTERN = re.compile(
    r"(fw_[A-Za-z0-9]{20,}|sk-[A-Za-z0-9_-]{20,}|Bearer\s+[A-Za-z0-9._~+/-]{12,})"
)
_SECRET_PATTERN_BYTES = re.compile(SECRET_PATTERN.pattern.encode("ascii"))
_MIN_SECRET_LEN = 8  # never "scrub" a short value that could be ordinary text


def env_secrets() -> list[str]:
    """The API keys currently set in the environment (the values to scrub)."""
    return [v for name in KEY_ENV_VARS if len(v := os.environ.get(name, "")) >= _MIN_SECRET_LEN]


def scrub_text(text: str, secrets: Iterable[str] | None = None) -> str:
    """Replace known secret values (default: :func:`env_secrets`) and key shapes."""
    for value in env_secrets() if secrets is None else secrets:
        if len(value) >= _MIN_SECRET_LEN:
            text = text.replace(value, "REDACTED")
    return SECRET_PATTERN.sub("REDACTED", text)


def _scrub_bytes(raw: bytes, secrets: Iterable[str]) -> bytes:
    """Byte-level twin of :func:`scrub_text`: only the bytes of a match are replaced."""
    for value in secrets:
        if len(value) >= _MIN_SECRET_LEN:
            raw = raw.replace(value.encode("utf-8"), b"REDACTED")
    return _SECRET_PATTERN_BYTES.sub(b"REDACTED", raw)


def _scrub_body(raw: Any, secrets: Callable[[], Iterable[str]]) -> Any:
    if isinstance(raw, bytes | bytearray) and raw:
        return _scrub_bytes(bytes(raw), secrets())
    if isinstance(raw, str):
        return scrub_text(raw, secrets())
    return raw


def _json_or_raw(body: Any) -> Any:
    if body is None or body in (b"", ""):
        return None
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
    try:
        return json.loads(body)
    except (TypeError, ValueError):
        return body


def _as_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body)


def _header(request: Any, name: str) -> str | None:
    headers = getattr(request, "headers", None) or {}
    for key, value in headers.items():
        if key.lower() == name:
            return str(value[0] if isinstance(value, list | tuple) and value else value)
    return None


def body_signature(body: Any, content_type: str | None = None) -> Any:
    """What a request body is compared by.

    Multipart bodies become a sorted list of their parts, ``(name, value)`` for fields and
    ``(name, filename, content type, size, sha256)`` for uploads, so two uploads of the
    same form with different boundaries compare equal. Other bodies compare as JSON when
    they parse, else as they are.

    >>> a = b'--x1\\r\\nContent-Disposition: form-data; name="m"\\r\\n\\r\\nv\\r\\n--x1--\\r\\n'
    >>> b = a.replace(b"x1", b"y2")
    >>> sig = body_signature(a, "multipart/form-data; boundary=x1")
    >>> sig == body_signature(b, "multipart/form-data; boundary=y2"), sig
    (True, ('multipart', [('field', 'm', 'v')]))
    >>> body_signature(b'{"b": 1, "a": 2}') == body_signature(b'{"a":2,"b":1}')
    True
    """
    if is_multipart(content_type):
        raw = _as_bytes(body)
        try:
            parts = parse_multipart(raw, str(content_type))
        except MultipartError:
            return ("multipart-unparsed", raw)
        out: list[tuple[Any, ...]] = []
        for p in parts:
            if p.filename is None:
                out.append(("field", p.name, p.value.decode("utf-8", "replace")))
            else:
                out.append(
                    (
                        "file",
                        p.name,
                        p.filename,
                        p.content_type,
                        len(p.value),
                        hashlib.sha256(p.value).hexdigest(),
                    )
                )
        return ("multipart", sorted(out))
    return _json_or_raw(body)


def json_body_matcher(r1: Any, r2: Any) -> None:
    """vcrpy matcher: request bodies equal as JSON (key order and whitespace ignored), or,
    for multipart/form-data, equal part by part (boundary ignored)."""
    s1 = body_signature(r1.body, _header(r1, "content-type"))
    s2 = body_signature(r2.body, _header(r2, "content-type"))
    assert s1 == s2, "request bodies differ"


def vcr_options(secrets: Callable[[], Iterable[str]] = env_secrets) -> dict[str, Any]:
    """Keyword arguments for ``vcr.VCR`` (or a pytest-recording ``vcr_config``)."""

    def before_request(request: Any) -> Any:
        request.body = _scrub_body(request.body, secrets)
        return request

    def before_response(response: dict[str, Any]) -> dict[str, Any]:
        headers = response.get("headers") or {}
        for name in list(headers):
            if name.lower() in SECRET_HEADERS:
                del headers[name]
        body = response.get("body") or {}
        if "string" in body:
            body["string"] = _scrub_body(body["string"], secrets)
        return response

    return {
        "filter_headers": [(h, None) for h in SECRET_HEADERS],
        "before_record_request": before_request,
        "before_record_response": before_response,
        "match_on": ["method", "scheme", "host", "port", "path", "query", "json_body"],
        "decode_compressed_response": True,
    }


def register_matchers(recorder: Any) -> Any:
    """Register the ``json_body`` matcher :func:`vcr_options` names; returns the recorder."""
    recorder.register_matcher("json_body", json_body_matcher)
    return recorder
