"""The double's image generation endpoint (``POST .../workflows/<model>/text_to_image``).

Behaves like Fireworks' FLUX workflow as docs/wire.md §1.14 and the vendor docs describe it:

* Models: ``accounts/fireworks/models/flux-1-schnell-fp8`` and ``.../flux-1-dev-fp8``;
  any other model answers 404 in the Fireworks bare envelope (like the chat 404 capture).
* Body: ``prompt`` (required, non-empty string), ``aspect_ratio`` (the 11 documented
  ratios), ``guidance_scale`` (number), ``num_inference_steps`` (integer >= 1), ``seed``
  (integer >= 0; 0 or absent = "random", here derived from the prompt), ``safety_check``
  (bool). Anything else is refused (400 "Extra inputs are not permitted"), as the strict
  endpoints do; the real API's unknown-field policy for images is not documented.
* ``Accept: image/png`` (also when absent or ``*/*``, the docs' default) or
  ``image/jpeg`` -> the binary image with ``Seed`` and ``Finish-Reason`` headers;
  ``application/json`` -> ``{"id", "base64": [<plain base64>], "finishReason", "seed"}``
  with the image format picked by ``Json-Return-Image-Accept`` (default PNG); any other
  Accept -> 406.
* The image is a real, decodable file of one flat colour derived from the prompt and the
  seed, 64 px on its short side, the long side following the aspect ratio (default 1:1).
  JPEGs are genuine baseline JPEGs (a tiny encoder below, no Pillow needed).
* **Content filter marker**: a prompt containing the word ``unsafe`` (any case, whole
  word) is "filtered" unless ``safety_check`` is false: the answer is a black image with
  ``finishReason`` / ``Finish-Reason`` ``CONTENT_FILTERED``, the shape the real safety
  checker is reported to produce. (Clients must also accept an empty ``base64`` list.)

>>> import json
>>> out = text_to_image("workflows/accounts/fireworks/models/flux-1-schnell-fp8/text_to_image",
...                     {"accept": "application/json"}, {"prompt": "a cat", "seed": 9}, "r1",
...                     None)
>>> payload = json.loads(out.body())
>>> out.status, payload["finishReason"], payload["seed"]
(200, 'SUCCESS', 9)
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
import zlib
from typing import Any

from fw_core.testing import endpoints
from fw_core.testing.outcome import Outcome

__all__ = [
    "FILTER_MARKER",
    "IMAGE_MODELS",
    "image_size",
    "jpeg_bytes",
    "png_bytes",
    "text_to_image",
]

IMAGE_MODELS = frozenset(
    {
        "accounts/fireworks/models/flux-1-schnell-fp8",
        "accounts/fireworks/models/flux-1-dev-fp8",
    }
)
ASPECT_RATIOS = ("1:1", "21:9", "16:9", "3:2", "5:4", "4:5", "2:3", "9:16", "9:21", "4:3", "3:4")
FIELDS = frozenset(
    {"prompt", "aspect_ratio", "guidance_scale", "num_inference_steps", "seed", "safety_check"}
)
#: A prompt with this word (whole word, any case) comes back CONTENT_FILTERED.
FILTER_MARKER = "unsafe"
SHORT_SIDE = 64

_PATH = re.compile(r"^workflows/(?P<model>accounts/[^/]+/models/[^/]+)/text_to_image$")
_MARKER = re.compile(rf"\b{FILTER_MARKER}\b", re.IGNORECASE)


# --------------------------------------------------------------------------------------
# image files


def image_size(aspect_ratio: str | None) -> tuple[int, int]:
    """(width, height): 64 px on the short side, the long side following the ratio.

    >>> image_size("16:9"), image_size("9:21"), image_size(None)
    ((114, 64), (64, 149), (64, 64))
    """
    a, b = (int(x) for x in (aspect_ratio or "1:1").split(":"))
    if a >= b:
        return round(SHORT_SIDE * a / b), SHORT_SIDE
    return SHORT_SIDE, round(SHORT_SIDE * b / a)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bytes(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid 8-bit RGB PNG of one flat colour.

    >>> png_bytes(2, 1, (255, 0, 0))[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    row = b"\x00" + bytes(rgb) * width  # filter type 0 per scanline
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(row * height, 9))
        + _chunk(b"IEND", b"")
    )


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


class _BitWriter:
    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def write(self, value: int, length: int) -> None:
        for i in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> i) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0x00)  # byte stuffing
                self.acc = self.n = 0

    def flush(self) -> bytes:
        if self.n:
            self.write((1 << (8 - self.n)) - 1, 8 - self.n)  # pad with 1 bits
        return bytes(self.out)


def jpeg_bytes(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid baseline JPEG (YCbCr, 4:4:4) of one flat colour.

    A flat block has only a DC coefficient, so the entropy data is one DC difference per
    component followed by end-of-block codes. Huffman tables: DC categories 0-11 as 4-bit
    codes, AC only the end-of-block symbol (a 1-bit code); quantisation all ones.

    >>> data = jpeg_bytes(16, 8, (0, 128, 255))
    >>> data[:2], data[-2:]
    (b'\\xff\\xd8', b'\\xff\\xd9')
    """
    r, g, b = rgb
    ycc = (
        0.299 * r + 0.587 * g + 0.114 * b,
        128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
        128 + 0.5 * r - 0.418688 * g - 0.081312 * b,
    )
    dcs = [round(8 * (max(0.0, min(255.0, v)) - 128)) for v in ycc]  # DCT DC of a flat block
    blocks = -(-width // 8) * -(-height // 8)
    bits = _BitWriter()
    for index in range(blocks):
        for dc in dcs:
            diff = dc if index == 0 else 0
            size = abs(diff).bit_length()
            bits.write(size, 4)  # DC table: category c has the 4-bit code c
            if size:
                bits.write(diff if diff >= 0 else diff + (1 << size) - 1, size)
            bits.write(0, 1)  # AC table: end of block
    dht = (
        b"\x00"
        + bytes([0, 0, 0, 12] + [0] * 12)
        + bytes(range(12))
        + b"\x10"
        + bytes([1] + [0] * 15)
        + b"\x00"
    )
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"".join(
        bytes([cid, 0x11, 0]) for cid in (1, 2, 3)
    )
    sos = b"\x03" + b"".join(bytes([cid, 0x00]) for cid in (1, 2, 3)) + b"\x00\x3f\x00"
    return (
        b"\xff\xd8"
        + _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + _segment(0xDB, b"\x00" + b"\x01" * 64)
        + _segment(0xC0, sof)
        + _segment(0xC4, dht)
        + _segment(0xDA, sos)
        + bits.flush()
        + b"\xff\xd9"
    )


def _colour(prompt: str, seed: int) -> tuple[int, int, int]:
    digest = hashlib.blake2b(f"{seed}:{prompt}".encode(), digest_size=3).digest()
    return digest[0], digest[1], digest[2]


# --------------------------------------------------------------------------------------
# the endpoint


def _invalid(body: dict[str, Any]) -> tuple[str, str] | None:
    """(message, param) for a body the API would refuse, else None."""
    prompt = body.get("prompt")
    if prompt is None:
        return "field required: prompt", "prompt"
    if not isinstance(prompt, str) or not prompt.strip():
        return "prompt must be a non-empty string", "prompt"
    extra = sorted(set(body) - FIELDS)
    if extra:
        return f"Extra inputs are not permitted, field: '{extra[0]}'", extra[0]
    ratio = body.get("aspect_ratio")
    if ratio is not None and ratio not in ASPECT_RATIOS:
        return (
            f"aspect_ratio must be one of {', '.join(ASPECT_RATIOS)}, got {ratio!r}",
            "aspect_ratio",
        )
    gs = body.get("guidance_scale")
    if gs is not None and (isinstance(gs, bool) or not isinstance(gs, int | float)):
        return "guidance_scale must be a number", "guidance_scale"
    for name, low in (("num_inference_steps", 1), ("seed", 0)):
        value = body.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < low
        ):
            return f"{name} must be an integer >= {low}", name
    sc = body.get("safety_check")
    if sc is not None and not isinstance(sc, bool):
        return "safety_check must be a boolean", "safety_check"
    return None


def _media(headers: dict[str, str]) -> tuple[str, str] | None:
    """(answer kind 'json'|'binary', image MIME type), or None for an unservable Accept."""
    accept = (headers.get("accept") or "*/*").split(",")[0].split(";")[0].strip().lower()
    if accept in ("*/*", "image/*", "image/png"):
        return "binary", "image/png"
    if accept == "image/jpeg":
        return "binary", "image/jpeg"
    if accept == "application/json":
        inner = (headers.get("json-return-image-accept") or "image/png").strip().lower()
        return "json", "image/jpeg" if inner == "image/jpeg" else "image/png"
    return None


def text_to_image(
    endpoint: str, headers: dict[str, str], body: dict[str, Any], request_id: str, knobs: Any
) -> Outcome:
    """Answer one text-to-image request (``endpoint`` is the path after ``/inference/v1/``)."""
    match = _PATH.match(endpoint)
    if match is None:
        return Outcome.json(404, {"detail": "Not Found"}, [("x-request-id", request_id)])
    model = match.group("model")
    if model not in IMAGE_MODELS:
        return endpoints.not_found("fireworks", request_id)
    bad = _invalid(body)
    if bad:
        return endpoints.error("fireworks", 400, bad[0], request_id, bad[1])
    media = _media(headers)
    if media is None:
        return endpoints.error(
            "fireworks",
            406,
            "Accept must be image/png, image/jpeg or application/json",
            request_id,
            None,
        )
    kind, mime = media
    prompt = str(body["prompt"])
    seed = (
        body.get("seed")
        or int.from_bytes(hashlib.blake2b(prompt.encode(), digest_size=4).digest(), "big")
        or 1
    )
    filtered = body.get("safety_check") is not False and _MARKER.search(prompt) is not None
    finish = "CONTENT_FILTERED" if filtered else "SUCCESS"
    rgb = (0, 0, 0) if filtered else _colour(prompt, seed)
    width, height = image_size(body.get("aspect_ratio"))
    image = (jpeg_bytes if mime == "image/jpeg" else png_bytes)(width, height, rgb)
    if kind == "json":
        payload = {
            "id": request_id,
            "base64": [base64.b64encode(image).decode("ascii")],
            "finishReason": finish,
            "seed": seed,
        }
        out = Outcome.json(200, payload, [("x-request-id", request_id)])
    else:
        out = Outcome(
            200,
            [
                ("content-type", mime),
                ("x-request-id", request_id),
                ("seed", str(seed)),
                ("finish-reason", finish),
            ],
            [image],
        )
    out.delay = getattr(knobs, "latency", 0.0) or 0.0
    return out
