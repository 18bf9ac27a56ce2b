"""Test harness: cassettes (vcrpy via pytest-recording), fake keys, and the record switch.

- Replay (the default, and CI): ``--record-mode=none``; a request with no recorded match
  fails. Keys in the environment are replaced by fakes so a developer's real key is never
  used or recorded, and provider base-URL variables are cleared.
- ``FW_RECORD=double``: the whole session runs inside ``patch_transports(WireDouble())``,
  so recording (``--record-mode=once``) captures the wire double's answers under the real
  API URLs. ``make record`` does this when no key is set.
- ``FW_RECORD=live``: real keys from the environment, real APIs (``make record`` with keys).

Cassettes live in ``cassettes/<test module>/<test>.yaml``; each needs a line in
``cassettes/MANIFEST`` (``python -m tests.manifest`` appends missing ones).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
RECORD = os.environ.get("FW_RECORD", "").strip().lower()  # "", "double" or "live"

FAKE_KEYS = {
    "FIREWORKS_API_KEY": "FIREWORKS_API_KEY_FAKE",
    "FIRMWARE_API_KEY": "FIRMWARE_API_KEY_FAKE",
}
_CLEARED = (
    "FIREWORKS_AI_API_KEY",
    "FIREWORKS_BASE_URL",
    "FIREWORKS_API_BASE",
    "FIRMWARE_BASE_URL",
    "FIRMWARE_API_BASE",
)

# Anything key-shaped: Fireworks/Firmware keys, OpenAI-style keys, bearer tokens.
SECRET_PATTERN = re.compile(
    r"(fw_[A-Za-z0-9]{20,}|sk-[A-Za-z0-9_-]{20,}|Bearer\s+[A-Za-z0-9._~+/-]{12,})"
)
_SECRET_HEADERS = ("authorization", "x-api-key", "api-key", "cookie", "set-cookie")


def _use_fake_keys() -> None:
    if RECORD == "live":
        return
    for name in _CLEARED:
        os.environ.pop(name, None)
    os.environ.update(FAKE_KEYS)


_use_fake_keys()  # at import, before any test module constructs a model


def _live_keys() -> list[str]:
    return [v for k in ("FIREWORKS_API_KEY", "FIRMWARE_API_KEY", "FIREWORKS_AI_API_KEY")
            if (v := os.environ.get(k)) and v not in FAKE_KEYS.values()]


def _scrub_text(text: str) -> str:
    for key in _live_keys():
        text = text.replace(key, "REDACTED")
    return SECRET_PATTERN.sub("REDACTED", text)


def _scrub_request(request: Any) -> Any:
    body = request.body
    if isinstance(body, bytes | str) and body:
        raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        scrubbed = _scrub_text(raw)
        if scrubbed != raw:
            request.body = scrubbed.encode("utf-8")
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers") or {}
    for name in list(headers):
        if name.lower() in _SECRET_HEADERS:
            del headers[name]
    body = response.get("body") or {}
    raw = body.get("string")
    if isinstance(raw, bytes):
        text = raw.decode("utf-8", "replace")
        scrubbed = _scrub_text(text)
        if scrubbed != text:
            body["string"] = scrubbed.encode("utf-8")
    elif isinstance(raw, str):
        body["string"] = _scrub_text(raw)
    return response


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
    """Match request bodies as JSON (key order and whitespace do not matter)."""
    b1, b2 = _json_or_raw(r1.body), _json_or_raw(r2.body)
    assert b1 == b2, "request bodies differ"


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_matcher("json_body", json_body_matcher)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": [(h, None) for h in _SECRET_HEADERS],
        "before_record_request": _scrub_request,
        "before_record_response": _scrub_response,
        "match_on": ["method", "scheme", "host", "port", "path", "query", "json_body"],
        "decode_compressed_response": True,
        "record_on_exception": False,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(CASSETTES / request.module.__name__.rsplit(".", 1)[-1])


@pytest.fixture(scope="session", autouse=True)
def _record_against_double() -> Iterator[None]:
    """With FW_RECORD=double, every request to the real API hosts goes to the wire double."""
    if RECORD != "double":
        yield
        return
    from fw_core.testing import WireDouble, patch_transports

    with patch_transports(WireDouble()):
        yield
