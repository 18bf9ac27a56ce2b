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
Requests match on method, URL and the JSON body (key order and spacing ignored).

>>> token = "Bearer " + "x" * 16  # built here so no key-shaped literal sits in the source
>>> scrub_text('{"note": "%s"}' % token, secrets=())
'{"note": "REDACTED"}'
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from typing import Any

__all__ = [
    "KEY_ENV_VARS",
    "SECRET_HEADERS",
    "SECRET_PATTERN",
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


def _scrub_body(raw: Any, secrets: Callable[[], Iterable[str]]) -> Any:
    if isinstance(raw, bytes) and raw:
        text = raw.decode("utf-8", "replace")
        scrubbed = scrub_text(text, secrets())
        return scrubbed.encode("utf-8") if scrubbed != text else raw
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


def json_body_matcher(r1: Any, r2: Any) -> None:
    """vcrpy matcher: request bodies equal as JSON (key order and whitespace ignored)."""
    assert _json_or_raw(r1.body) == _json_or_raw(r2.body), "request bodies differ"


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
