"""Reading an image's own header: its type (PNG, JPEG, WebP) and its size in pixels.

Pure functions over the first bytes of an image; nothing is decoded beyond the header,
and anything unrecognised or cut short gives ``None``, never an error. Image generation
(:mod:`fw_core.endpoints.images`) uses them to trust the bytes over what a response declares.

>>> import struct
>>> png = b"\\x89PNG\\r\\n\\x1a\\n" + struct.pack(">I4sII", 13, b"IHDR", 640, 480)
>>> sniff_mime_type(png), image_size(png)
('image/png', (640, 480))
>>> image_size(b"GIF89a") is None
True
"""

from __future__ import annotations

__all__ = ["image_size", "sniff_mime_type"]


def sniff_mime_type(data: bytes) -> str | None:
    """The image type the bytes themselves declare (PNG, JPEG, WebP), else None.

    >>> sniff_mime_type(b"\\x89PNG\\r\\n\\x1a\\n...")
    'image/png'
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _png_size(data: bytes) -> tuple[int, int] | None:
    # The first chunk of a PNG is IHDR: length, type, then width and height, big-endian.
    if len(data) >= 24 and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length field
            i += 2
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        # SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG), CC (DAC) do not.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            width = int.from_bytes(data[i + 7 : i + 9], "big")
            return width, height
        i += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        return (
            int.from_bytes(data[24:27], "little") + 1,
            int.from_bytes(data[27:30], "little") + 1,
        )
    if chunk == b"VP8 " and len(data) >= 30:
        return (
            int.from_bytes(data[26:28], "little") & 0x3FFF,
            int.from_bytes(data[28:30], "little") & 0x3FFF,
        )
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) read from the image's own header (PNG, JPEG, WebP), else None.

    >>> import struct
    >>> ihdr = b"\\x89PNG\\r\\n\\x1a\\n" + struct.pack(">I4sII", 13, b"IHDR", 96, 64)
    >>> image_size(ihdr)
    (96, 64)
    """
    kind = sniff_mime_type(data)
    if kind == "image/png":
        return _png_size(data)
    if kind == "image/jpeg":
        return _jpeg_size(data)
    if kind == "image/webp":
        return _webp_size(data)
    return None
