"""The wire double's text-to-image endpoint answers like the documented FLUX workflow.

Raw httpx against the double (no fw_core client), so these pin the double's wire shapes:
what the real API refuses, the binary and JSON answer forms, real decodable image files,
and the documented content-filter marker.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from typing import Any

import httpx
import pytest

from fw_core.testing import WireDouble
from fw_core.testing.images import FILTER_MARKER, image_size

URL = (
    "https://api.fireworks.ai/inference/v1/workflows/accounts/fireworks/models/"
    "flux-1-schnell-fp8/text_to_image"
)
AUTH = {"Authorization": "Bearer test-key"}


def _post(
    body: Any, accept: str | None = "image/png", url: str = URL, **headers: str
) -> httpx.Response:
    double = WireDouble()
    hdrs = {**AUTH, **headers}
    if accept is not None:
        hdrs["Accept"] = accept
    with httpx.Client(transport=double.transport()) as http:
        return http.post(url, json=body, headers=hdrs)


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, raw scanlines without filter bytes) of an 8-bit RGB PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        payload = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + payload) & 0xFFFFFFFF, kind
        chunks.setdefault(kind, b"")
        chunks[kind] += payload
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 2)
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = 1 + 3 * width
    assert len(raw) == stride * height
    rows = [raw[i * stride + 1 : (i + 1) * stride] for i in range(height)]
    assert b"IEND" in chunks
    return width, height, rows


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a baseline JPEG's SOF0 segment."""
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    pos = 2
    while pos < len(data):
        marker = data[pos + 1]
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker == 0xC0:
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    raise AssertionError("no SOF0 segment")


@pytest.mark.parametrize("ratio", ["1:1", "16:9", "9:16", "21:9", "9:21", "4:3", "2:3"])
def test_png_follows_the_aspect_ratio(ratio: str) -> None:
    resp = _post({"prompt": "a red fox", "aspect_ratio": ratio})
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "image/png"
    width, height, rows = decode_png(resp.content)
    a, b = (int(x) for x in ratio.split(":"))
    assert min(width, height) == 64
    assert abs(width / height - a / b) < 0.02
    assert (width, height) == image_size(ratio)
    assert len(set(rows)) == 1  # one flat colour


def test_binary_answer_carries_seed_and_finish_reason_headers() -> None:
    resp = _post({"prompt": "a red fox", "seed": 42})
    assert resp.headers["seed"] == "42"
    assert resp.headers["finish-reason"] == "SUCCESS"
    assert resp.headers["x-request-id"]


def test_default_accept_is_png() -> None:
    resp = _post({"prompt": "a red fox"}, accept=None)
    assert resp.status_code == 200 and resp.content[:4] == b"\x89PNG"


def test_jpeg_when_asked() -> None:
    resp = _post({"prompt": "a red fox", "aspect_ratio": "3:2"}, accept="image/jpeg")
    assert resp.status_code == 200 and resp.headers["content-type"] == "image/jpeg"
    assert jpeg_size(resp.content) == image_size("3:2")


def test_json_form_and_json_return_image_accept() -> None:
    resp = _post({"prompt": "a red fox", "seed": 7}, accept="application/json")
    payload = resp.json()
    assert set(payload) == {"id", "base64", "finishReason", "seed"}
    assert payload["finishReason"] == "SUCCESS" and payload["seed"] == 7
    assert base64.b64decode(payload["base64"][0])[:4] == b"\x89PNG"
    jpeg = _post(
        {"prompt": "a red fox"},
        accept="application/json",
        **{"Json-Return-Image-Accept": "image/jpeg"},
    ).json()
    assert base64.b64decode(jpeg["base64"][0])[:3] == b"\xff\xd8\xff"


def test_same_request_same_image_and_seed_changes_colour() -> None:
    one = _post({"prompt": "a red fox", "seed": 1}).content
    assert _post({"prompt": "a red fox", "seed": 1}).content == one
    assert _post({"prompt": "a red fox", "seed": 2}).content != one
    assert _post({"prompt": "a blue fox", "seed": 1}).content != one


def test_seed_zero_or_absent_reports_the_seed_used() -> None:
    absent = _post({"prompt": "a red fox"}).headers["seed"]
    zero = _post({"prompt": "a red fox", "seed": 0}).headers["seed"]
    assert absent == zero and int(absent) > 0


def test_content_filter_marker_gives_a_black_filtered_image() -> None:
    prompt = f"something {FILTER_MARKER.upper()} please"
    payload = _post({"prompt": prompt}, accept="application/json").json()
    assert payload["finishReason"] == "CONTENT_FILTERED"
    _w, _h, rows = decode_png(base64.b64decode(payload["base64"][0]))
    assert set(rows[0]) == {0}
    binary = _post({"prompt": prompt})
    assert binary.headers["finish-reason"] == "CONTENT_FILTERED"
    # the filter is the safety checker's: off when the request turns it off
    off = _post({"prompt": prompt, "safety_check": False})
    assert off.headers["finish-reason"] == "SUCCESS"
    # a whole word only
    assert _post({"prompt": "unsafely fast"}).headers["finish-reason"] == "SUCCESS"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "prompt"),
        ({"prompt": ""}, "prompt"),
        ({"prompt": "   "}, "prompt"),
        ({"prompt": 3}, "prompt"),
        ({"prompt": "x", "aspect_ratio": "16:10"}, "aspect_ratio"),
        ({"prompt": "x", "num_inference_steps": 0}, "num_inference_steps"),
        ({"prompt": "x", "seed": -1}, "seed"),
        ({"prompt": "x", "guidance_scale": "high"}, "guidance_scale"),
        ({"prompt": "x", "n": 2}, "n"),
    ],
)
def test_bad_bodies_are_400_in_the_gateway_envelope(body: dict[str, Any], param: str) -> None:
    resp = _post(body)
    assert resp.status_code == 400
    err = resp.json()["error"]
    assert err["code"] == "BAD_REQUEST" and err["param"] == param
    assert resp.json()["request_id"] == resp.headers["x-request-id"]


def test_unknown_model_is_404_in_the_bare_envelope() -> None:
    resp = _post({"prompt": "x"}, url=URL.replace("flux-1-schnell-fp8", "flux-nonexistent"))
    assert resp.status_code == 404
    body = resp.json()
    assert "error" not in body and "Model not found" in body["message"]


def test_other_accept_is_406_and_missing_key_is_401() -> None:
    assert _post({"prompt": "x"}, accept="text/html").status_code == 406
    double = WireDouble()
    with httpx.Client(transport=double.transport()) as http:
        assert http.post(URL, json={"prompt": "x"}).status_code == 401


def test_malformed_path_is_404() -> None:
    resp = _post({"prompt": "x"}, url=URL.replace("/text_to_image", "/image_to_image"))
    assert resp.status_code == 404 and json.loads(resp.content) == {"detail": "Not Found"}


def test_dev_model_is_served_too() -> None:
    resp = _post({"prompt": "x"}, url=URL.replace("flux-1-schnell-fp8", "flux-1-dev-fp8"))
    assert resp.status_code == 200
