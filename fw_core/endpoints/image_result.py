"""What an image call returns (docs/wire.md §1.14): :class:`ImageResult`, the
content-filter error, reading either answer form (a JSON envelope or the raw image), and
the lines an agent reads about an image.

Pure apart from :meth:`ImageResult.save`: :mod:`fw_core.endpoints.images` and
:mod:`fw_core.endpoints.kontext` make the calls; every name here is importable from
:mod:`fw_core.endpoints.images` too.

>>> r = ImageResult(b"\\x89PNG\\r\\n\\x1a\\n", "image/png", seed=3, finish_reason="SUCCESS")
>>> r.suffix, describe_image(r, "a fox")
('.png', "Generated a PNG image (1:1, seed 3) for 'a fox'; it was not saved to a file.")
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fw_core.endpoints.image_format import image_size, sniff_mime_type
from fw_core.endpoints.image_request import ImageRequest
from fw_core.errors import APIError, ConfigurationError, ResponseValidationError
from fw_core.http.headers import select_headers

__all__ = [
    "CONTENT_FILTERED",
    "SUCCESS",
    "ContentFilteredError",
    "ImageResult",
    "describe_image",
    "filtered_message",
    "parse_image_response",
    "prompt_stem",
]

#: The two finish reasons the API documents (docs/wire.md §1.14).
SUCCESS = "SUCCESS"
CONTENT_FILTERED = "CONTENT_FILTERED"

_DATA_URL = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(;[^,]*)?;base64,", re.IGNORECASE)


class ContentFilteredError(APIError):
    """The API's safety filter blocked the image (``finishReason == "CONTENT_FILTERED"``).

    The request succeeded (status 200), so this is not an ``APIStatusError``; ``result``
    holds what the API sent (often a black image) for inspection.

    Example:
        >>> r = ImageResult(b"", "image/png", seed=1, finish_reason="CONTENT_FILTERED")
        >>> try:
        ...     r.raise_for_filter()
        ... except ContentFilteredError as exc:
        ...     print(exc.code, exc.result.seed)
        CONTENT_FILTERED 1
    """

    def __init__(self, message: str, *, result: ImageResult, **kwargs: Any) -> None:
        super().__init__(message, code=CONTENT_FILTERED, **kwargs)
        self.result = result


_SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}


@dataclass(slots=True)
class ImageResult:
    """One generated image and what the API said about it.

    Attributes:
        image: the image bytes (empty when a filtered answer carried no image).
        mime_type: ``image/png`` or ``image/jpeg`` (taken from the bytes when they say so).
        seed: the seed the API used (useful to reproduce an image), None if not reported.
        finish_reason: ``"SUCCESS"``, ``"CONTENT_FILTERED"``, or None when a binary
            answer carried no ``Finish-Reason`` header (unknown).
        model: the model id the request named.
        request_id: the response's ``id`` / ``x-request-id``.
        headers: the response headers worth keeping (request id, ``fireworks-*``, limits).

    Example:
        >>> r = ImageResult(b"\\x89PNG\\r\\n\\x1a\\n", "image/png", seed=3, finish_reason="SUCCESS")
        >>> r.content_filtered, r.suffix, r.b64
        (False, '.png', 'iVBORw0KGgo=')
    """

    image: bytes = field(repr=False)
    mime_type: str
    seed: int | None = None
    finish_reason: str | None = None
    model: str = ""
    request_id: str | None = None
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def content_filtered(self) -> bool:
        """True when the API's safety filter blocked the image."""
        return self.finish_reason == CONTENT_FILTERED

    @property
    def size(self) -> tuple[int, int] | None:
        """(width, height) in pixels from the image's header; None without an image."""
        return image_size(self.image)

    @property
    def b64(self) -> str:
        """The image as a base64 string."""
        return base64.b64encode(self.image).decode("ascii")

    @property
    def data_url(self) -> str:
        """The image as a ``data:`` URL (large: about 4/3 of the image size)."""
        return f"data:{self.mime_type};base64,{self.b64}"

    @property
    def suffix(self) -> str:
        """A file suffix for the image type (``.png``, ``.jpg``)."""
        return _SUFFIXES.get(self.mime_type, ".bin")

    def raise_for_filter(self) -> ImageResult:
        """Raise :class:`ContentFilteredError` if the image was filtered; else return self."""
        if self.content_filtered:
            raise ContentFilteredError(
                "the image was blocked by Fireworks' safety filter (finishReason "
                "CONTENT_FILTERED); no usable image was produced",
                result=self,
                status_code=200,
                request_id=self.request_id,
            )
        return self

    def save(self, path: str | Path) -> Path:
        """Write the image to ``path`` (parents created); refuses a filtered result.

        A directory (existing, or a path ending in ``/``) gets a file named after the seed
        and a content hash. Returns the file's path. In async code use :meth:`asave`.
        """
        self.raise_for_filter()
        if not self.image:
            raise ConfigurationError("this result holds no image bytes to save")
        target = Path(path)
        if target.is_dir() or str(path).endswith(("/", "\\")):
            target = target / self.default_filename()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(self.image)
        return target

    async def asave(self, path: str | Path) -> Path:
        """:meth:`save` in a worker thread, so the event loop never blocks on the disk."""
        return await asyncio.to_thread(self.save, path)

    def default_filename(self, stem: str = "image") -> str:
        """``<stem>-<seed>-<hash>.<ext>``: the same image always gets the same name."""
        digest = hashlib.sha256(self.image).hexdigest()[:10]
        seed = "" if self.seed is None else f"-{self.seed}"
        return f"{stem}{seed}-{digest}{self.suffix}"


def prompt_stem(prompt: str) -> str:
    """A file-name stem from the first words of a prompt.

    >>> prompt_stem("A red fox, in the snow!")
    'a-red-fox-in-the-snow'
    """
    words = re.findall(r"[a-z0-9]+", prompt.lower())[:6]
    return "-".join(words)[:40].strip("-") or "image"


def describe_image(
    result: ImageResult,
    prompt: str,
    aspect_ratio: str | None = None,
    *,
    path: Path | None = None,
    unsaved: str = "it was not saved to a file",
) -> str:
    """The one line an agent reads about a generated image (never the bytes).

    >>> r = ImageResult(b"x", "image/png", seed=7, finish_reason="SUCCESS")
    >>> describe_image(r, "a fox", "16:9", path=Path("out/fox.png"))
    "Generated a PNG image (16:9, seed 7) for 'a fox'; saved to out/fox.png."
    """
    kind = result.mime_type.split("/")[-1].upper()
    where = f"saved to {path}" if path is not None else unsaved
    return (
        f"Generated a {kind} image ({aspect_ratio or '1:1'}, seed {result.seed}) "
        f"for {prompt!r}; {where}."
    )


def filtered_message(prompt: str) -> str:
    """What an agent reads when the safety filter blocked the image.

    >>> "CONTENT_FILTERED" in filtered_message("x")
    True
    """
    return (
        f"No image: Fireworks' safety filter blocked the image for {prompt!r} "
        "(finish reason CONTENT_FILTERED). Rephrase the prompt without the "
        "objectionable content and call the tool again, or tell the user."
    )


def _bad(message: str, status: int, request_id: str | None, body: str | None = None) -> Exception:
    return ResponseValidationError(message, status_code=status, request_id=request_id, body=body)


def _decode_item(item: Any, status: int, request_id: str | None) -> tuple[bytes, str | None]:
    if not isinstance(item, str):
        raise _bad("image response 'base64' item is not a string", status, request_id)
    declared = None
    match = _DATA_URL.match(item)
    if match:
        declared = match.group("mime")
        item = item[match.end() :]
    try:
        return base64.b64decode("".join(item.split()), validate=True), declared
    except (binascii.Error, ValueError) as exc:
        raise _bad("image response 'base64' item is not valid base64", status, request_id) from exc


def _seed(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def parse_image_response(
    req: ImageRequest,
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    payload: Any = None,
) -> ImageResult:
    """Read either answer form into an :class:`ImageResult` (no filter check here).

    ``payload`` is the parsed JSON body when the answer is JSON (else None).
    """
    request_id = headers.get("x-request-id")
    kept = select_headers(headers)
    ctype = (headers.get("content-type") or "").split(";")[0].strip().lower()
    if payload is None and ctype == "application/json":
        raise _bad("image response is JSON but could not be parsed", status, request_id)
    if payload is not None:
        if not isinstance(payload, dict):
            raise _bad("image response is not a JSON object", status, request_id)
        finish = payload.get("finishReason")
        items = payload.get("base64")
        if not isinstance(finish, str) or not isinstance(items, list):
            raise _bad(
                "image response lacks 'finishReason' or the 'base64' list",
                status,
                request_id,
                content[:500].decode("utf-8", "replace"),
            )
        image, declared = (b"", None)
        if items:
            image, declared = _decode_item(items[0], status, request_id)
        if not image and finish != CONTENT_FILTERED:
            raise _bad(
                f"image response has finishReason {finish!r} but no image", status, request_id
            )
        mime = sniff_mime_type(image) or declared or req.mime_type
        rid = payload.get("id") if isinstance(payload.get("id"), str) else request_id
        return ImageResult(image, mime, _seed(payload.get("seed")), finish, req.model, rid, kept)
    if not content:
        raise _bad("image response has an empty body", status, request_id)
    finish_header = headers.get("finish-reason")
    mime = sniff_mime_type(content) or (ctype if ctype.startswith("image/") else req.mime_type)
    return ImageResult(
        content,
        mime,
        _seed(headers.get("seed")),
        finish_header.strip().upper() if finish_header else None,
        req.model,
        request_id,
        kept,
    )
