"""Image generation: Fireworks FLUX text-to-image (``POST /workflows/<model>/text_to_image``).

Fireworks only (Firmware has no image API). The URL is
``{inference base}/workflows/accounts/<account>/models/<model>/text_to_image``; a short
model name gets the ``accounts/fireworks/models/`` prefix (docs/wire.md §1.3, §1.14).
FLUX Kontext models (``flux-kontext-pro`` / ``-max``) are asynchronous workflows instead
(submit, then poll ``get_result``): :func:`generate_image` hands them to
:mod:`.kontext`, which returns the same :class:`ImageResult`.

The API answers in one of two forms, chosen by the ``Accept`` header:

* ``application/json`` (our default, ``wire_format="json"``): ``{"id", "base64": [...],
  "finishReason": "SUCCESS" | "CONTENT_FILTERED", "seed"}``. The finish reason is a
  required field of this form, so the outcome is always known. The encoded image's
  format is picked with the ``Json-Return-Image-Accept`` header (``image/png`` or
  ``image/jpeg``). Items of ``base64`` may be plain base64 or a ``data:`` URL (the docs
  show both); both are read.
* ``image/png`` / ``image/jpeg`` (``wire_format="binary"``): the body is the image. The
  vendor docs say the answer then carries ``Finish-Reason`` and ``Seed`` headers; docs/wire.md
  does not list them, so this is documented but not verified live. When the header is
  missing, :attr:`ImageResult.finish_reason` is ``None`` (unknown), never guessed.

The content-filter contract: a ``CONTENT_FILTERED`` answer (a black image, or no image)
raises :class:`ContentFilteredError` by default, so nobody saves a black square believing
it is their picture. Pass ``raise_on_filter=False`` to get the :class:`ImageResult` back
instead (``content_filtered`` is True) and call :meth:`ImageResult.raise_for_filter`
when you want the error. The error carries the result as ``exc.result``.

Every option is checked before a request is sent (:class:`~fw_core.errors.ConfigurationError`).
Reading an image's type and size from its header is :mod:`fw_core.endpoints.image_format`
(``sniff_mime_type`` and ``image_size`` are importable from here as well).

>>> req = build_request("a red fox", aspect_ratio="16:9", seed=7)
>>> req.path
'/workflows/accounts/fireworks/models/flux-1-schnell-fp8/text_to_image'
>>> req.body, req.headers["Accept"]
({'prompt': 'a red fox', 'aspect_ratio': '16:9', 'seed': 7}, 'application/json')
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from fw_core.endpoints.image_format import image_size, sniff_mime_type
from fw_core.errors import APIError, ConfigurationError, ResponseValidationError
from fw_core.http.client import AsyncClient, Client
from fw_core.http.headers import select_headers
from fw_core.providers import FIREWORKS, normalize_fireworks_model

__all__ = [
    "ASPECT_RATIOS",
    "DEFAULT_IMAGE_MODEL",
    "OUTPUT_FORMATS",
    "AspectRatio",
    "ContentFilteredError",
    "ImageRequest",
    "ImageResult",
    "OutputFormat",
    "WireFormat",
    "agenerate_image",
    "build_request",
    "check_image_options",
    "describe_image",
    "filtered_message",
    "generate_image",
    "image_model_id",
    "image_size",
    "parse_image_response",
    "prompt_stem",
    "sniff_mime_type",
]

DEFAULT_IMAGE_MODEL = "flux-1-schnell-fp8"
#: The aspect ratios the API documents (docs/wire.md §1.14), as the type a tool's argument
#: schema shows a model (both frameworks' image tools use it).
AspectRatio = Literal[
    "1:1", "21:9", "16:9", "3:2", "5:4", "4:5", "2:3", "9:16", "9:21", "4:3", "3:4"
]
#: The same ratios as a tuple, for checks and messages.
ASPECT_RATIOS: tuple[str, ...] = get_args(AspectRatio)
#: output_format -> MIME type.
OUTPUT_FORMATS = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg"}
#: The output formats a tool setting offers (``OUTPUT_FORMATS`` also reads ``"jpg"``).
OutputFormat = Literal["png", "jpeg"]
#: How the API sends the image: a JSON envelope or the raw image body.
WireFormat = Literal["json", "binary"]

# Bounds the docs do not state; chosen wide enough for every FLUX variant (inferred).
MAX_STEPS = 100
MAX_GUIDANCE = 50.0
MAX_SEED = 2**32 - 1
SUCCESS = "SUCCESS"
CONTENT_FILTERED = "CONTENT_FILTERED"

_MODEL_ID = re.compile(r"^accounts/[A-Za-z0-9][A-Za-z0-9._-]*/models/[A-Za-z0-9][A-Za-z0-9._-]*$")
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


@dataclass(frozen=True, slots=True)
class ImageRequest:
    """A checked request: path (relative to the inference base), headers, JSON body."""

    model: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    mime_type: str
    wire_format: WireFormat


def image_model_id(model: str) -> str:
    """The full ``accounts/<account>/models/<model>`` id of an image model.

    >>> image_model_id("flux-1-dev-fp8")
    'accounts/fireworks/models/flux-1-dev-fp8'
    """
    full = normalize_fireworks_model(model)
    if not _MODEL_ID.match(full):
        raise ConfigurationError(
            f"image model {model!r} must be a model name ('flux-1-schnell-fp8') or "
            "'accounts/<account>/models/<model>'; deployments and routers are not served "
            "by the workflows endpoint"
        )
    return full


def _number(name: str, value: Any, lo: float, hi: float, *, integer: bool) -> None:
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "an integer" if integer else "a number"
        raise ConfigurationError(f"{name} must be {what}, got {value!r}")
    if not math.isfinite(value) or not lo <= value <= hi:
        raise ConfigurationError(f"{name} must be between {lo:g} and {hi:g}, got {value!r}")


def _check_options(
    aspect_ratio: str | None,
    guidance_scale: float | None,
    num_inference_steps: int | None,
    seed: int | None,
    safety_check: bool | None,
    output_format: str,
    wire_format: str,
) -> None:
    # The ratios are the server's vocabulary (docs/architecture.md §2, tolerant reader):
    # ASPECT_RATIOS lists the documented ones for tool schemas; another string is sent and
    # the server's 400 answers it. The type is ours.
    if aspect_ratio is not None and (not isinstance(aspect_ratio, str) or not aspect_ratio):
        raise ConfigurationError(
            f"aspect_ratio must be a string such as '16:9', got {aspect_ratio!r}"
        )
    if guidance_scale is not None:
        _number("guidance_scale", guidance_scale, 0.0, MAX_GUIDANCE, integer=False)
    if num_inference_steps is not None:
        _number("num_inference_steps", num_inference_steps, 1, MAX_STEPS, integer=True)
    if seed is not None:
        _number("seed", seed, 0, MAX_SEED, integer=True)
    if safety_check is not None and not isinstance(safety_check, bool):
        raise ConfigurationError(f"safety_check must be True, False or None, got {safety_check!r}")
    if not isinstance(output_format, str) or output_format.lower() not in OUTPUT_FORMATS:
        raise ConfigurationError(f"output_format must be 'png' or 'jpeg', got {output_format!r}")
    if wire_format not in ("json", "binary"):
        raise ConfigurationError(f"wire_format must be 'json' or 'binary', got {wire_format!r}")


def check_image_options(
    *,
    model: str = DEFAULT_IMAGE_MODEL,
    aspect_ratio: str | None = None,
    guidance_scale: float | None = None,
    num_inference_steps: int | None = None,
    seed: int | None = None,
    safety_check: bool | None = None,
    output_format: str = "png",
    wire_format: str = "json",
) -> str:
    """Check the options that do not depend on the prompt; returns the full model id.

    Framework classes call this at construction, so bad settings fail before any call.

    >>> check_image_options(seed=-1)
    Traceback (most recent call last):
    ...
    fw_core.errors.ConfigurationError: seed must be between 0 and 4.29497e+09, got -1
    """
    _check_options(
        aspect_ratio,
        guidance_scale,
        num_inference_steps,
        seed,
        safety_check,
        output_format,
        wire_format,
    )
    full = image_model_id(model)
    if _kontext(full):  # an async workflow with a body of its own (fw_core.endpoints.kontext)
        from fw_core.endpoints.kontext import check_kontext_options

        check_kontext_options(
            guidance_scale=guidance_scale,
            num_inference_steps=num_inference_steps,
            safety_check=safety_check,
            wire_format=wire_format,
        )
    return full


def _kontext_waits(kontext: Mapping[str, float] | None) -> dict[str, float]:
    waits = dict(kontext or {})
    unknown = sorted(set(waits) - {"max_wait", "poll_interval"})
    if unknown:
        raise ConfigurationError(f"kontext takes max_wait and poll_interval, not {unknown}")
    return waits


def _kontext(model: str) -> bool:
    # FLUX Kontext models are async workflows, not text_to_image (docs/wire.md §1.14)
    return model.rsplit("/", 1)[-1].startswith("flux-kontext-")


def build_request(
    prompt: str,
    *,
    model: str = DEFAULT_IMAGE_MODEL,
    aspect_ratio: str | None = None,
    guidance_scale: float | None = None,
    num_inference_steps: int | None = None,
    seed: int | None = None,
    safety_check: bool | None = None,
    output_format: str = "png",
    wire_format: WireFormat = "json",
    extra_body: Mapping[str, Any] | None = None,
) -> ImageRequest:
    """Check every option and build the request. Pure; raises ConfigurationError."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise ConfigurationError("image generation needs a non-empty prompt")
    full = check_image_options(
        model=model,
        aspect_ratio=aspect_ratio,
        guidance_scale=guidance_scale,
        num_inference_steps=num_inference_steps,
        seed=seed,
        safety_check=safety_check,
        output_format=output_format,
        wire_format=wire_format,
    )
    if _kontext(full):
        raise ConfigurationError(
            f"{model!r} is a FLUX Kontext model: an async workflow without a text_to_image "
            "path; generate_image runs it (or fw_core.endpoints.kontext.build_kontext_request)"
        )
    if extra_body is not None and not isinstance(extra_body, Mapping):
        raise ConfigurationError("extra_body must be a mapping of JSON fields")
    mime = OUTPUT_FORMATS[output_format.lower()]
    body: dict[str, Any] = {"prompt": prompt}
    for key, value in (
        ("aspect_ratio", aspect_ratio),
        ("guidance_scale", guidance_scale),
        ("num_inference_steps", num_inference_steps),
        ("seed", seed),
        ("safety_check", safety_check),
    ):
        if value is not None:
            body[key] = value
    if extra_body:
        body.update(extra_body)
    if wire_format == "json":
        headers = {"Accept": "application/json", "Json-Return-Image-Accept": mime}
    else:
        headers = {"Accept": mime}
    return ImageRequest(full, f"/workflows/{full}/text_to_image", headers, body, mime, wire_format)


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


def _finish(req: ImageRequest, resp: Any, raise_on_filter: bool) -> ImageResult:
    ctype = (resp.headers.get("content-type") or "").split(";")[0].strip().lower()
    is_json = ctype == "application/json" or (
        req.wire_format == "json" and not ctype.startswith("image/")
    )
    payload = resp.json() if is_json else None
    result = parse_image_response(req, resp.status_code, resp.headers, resp.content, payload)
    return result.raise_for_filter() if raise_on_filter else result


def generate_image(
    client: Client,
    prompt: str,
    *,
    model: str = DEFAULT_IMAGE_MODEL,
    aspect_ratio: str | None = None,
    guidance_scale: float | None = None,
    num_inference_steps: int | None = None,
    seed: int | None = None,
    safety_check: bool | None = None,
    output_format: str = "png",
    wire_format: WireFormat = "json",
    raise_on_filter: bool = True,
    timeout: float | None = None,
    extra_body: Mapping[str, Any] | None = None,
    kontext: Mapping[str, float] | None = None,
) -> ImageResult:
    """Generate one image from ``prompt`` with a FLUX model on Fireworks.

    Args:
        client: a Fireworks :class:`~fw_core.http.client.Client` (reused; never built here).
        prompt: what to draw (required, non-empty).
        model: short name or ``accounts/<account>/models/<model>``.
        aspect_ratio: e.g. one of :data:`ASPECT_RATIOS` (API default when None); another
            string is sent as it is (the server owns the list).
        guidance_scale: 0-50 (API default 3.5).
        num_inference_steps: 1-100 (API default 4).
        seed: 0 to 2**32-1; 0 or None lets the API pick (the result reports it).
        safety_check: the API's ``safety_check`` flag; None sends nothing.
        output_format: ``"png"`` or ``"jpeg"``.
        wire_format: ``"json"`` (default; the finish reason is always reported) or
            ``"binary"`` (raw image body; finish reason from the ``Finish-Reason`` header).
        raise_on_filter: raise :class:`ContentFilteredError` on a filtered image (default).
        timeout: seconds for this call (default the client's).
        extra_body: extra JSON fields, merged last (for Kontext, e.g. ``input_image`` to
            edit an image, ``safety_tolerance``, ``prompt_upsampling``).
        kontext: ``max_wait`` / ``poll_interval`` seconds of a FLUX Kontext workflow
            (``flux-kontext-pro`` / ``-max``: submitted, then polled; :mod:`.kontext`).

    Raises:
        ConfigurationError: a bad option or a Firmware client, before any request.
        ContentFilteredError: the safety filter blocked the image (unless disabled).
        KontextWorkflowError / KontextTimeoutError: a Kontext workflow failed or did not
            finish within ``max_wait`` (:mod:`.kontext`).

    Example:
        >>> import httpx
        >>> from fw_core import FIREWORKS, Client
        >>> from fw_core.testing import WireDouble
        >>> client = Client(FIREWORKS, api_key="test-key",
        ...                 http_client=httpx.Client(transport=WireDouble().transport()))
        >>> img = generate_image(client, "a lighthouse at dusk", aspect_ratio="16:9", seed=5)
        >>> img.mime_type, img.finish_reason, img.seed, img.image[:4]
        ('image/png', 'SUCCESS', 5, b'\\x89PNG')
    """
    client.provider.require(FIREWORKS, "image generation")
    if isinstance(model, str) and _kontext(model):
        from fw_core.endpoints.kontext import generate_kontext

        check_image_options(
            model=model,
            aspect_ratio=aspect_ratio,
            guidance_scale=guidance_scale,
            num_inference_steps=num_inference_steps,
            seed=seed,
            safety_check=safety_check,
            output_format=output_format,
            wire_format=wire_format,
        )
        return generate_kontext(
            client,
            prompt,
            model=model,
            aspect_ratio=aspect_ratio,
            seed=seed,
            output_format=output_format,
            raise_on_filter=raise_on_filter,
            timeout=timeout,
            extra_body=extra_body,
            **_kontext_waits(kontext),
        )
    req = build_request(
        prompt,
        model=model,
        aspect_ratio=aspect_ratio,
        guidance_scale=guidance_scale,
        num_inference_steps=num_inference_steps,
        seed=seed,
        safety_check=safety_check,
        output_format=output_format,
        wire_format=wire_format,
        extra_body=extra_body,
    )
    resp = client.request(
        "POST", req.path, json_body=req.body, headers=req.headers, timeout=timeout
    )
    return _finish(req, resp, raise_on_filter)


async def agenerate_image(
    client: AsyncClient,
    prompt: str,
    *,
    model: str = DEFAULT_IMAGE_MODEL,
    aspect_ratio: str | None = None,
    guidance_scale: float | None = None,
    num_inference_steps: int | None = None,
    seed: int | None = None,
    safety_check: bool | None = None,
    output_format: str = "png",
    wire_format: WireFormat = "json",
    raise_on_filter: bool = True,
    timeout: float | None = None,
    extra_body: Mapping[str, Any] | None = None,
    kontext: Mapping[str, float] | None = None,
) -> ImageResult:
    """Async twin of :func:`generate_image` (same arguments, an :class:`AsyncClient`)."""
    client.provider.require(FIREWORKS, "image generation")
    if isinstance(model, str) and _kontext(model):
        from fw_core.endpoints.kontext import agenerate_kontext

        check_image_options(
            model=model,
            aspect_ratio=aspect_ratio,
            guidance_scale=guidance_scale,
            num_inference_steps=num_inference_steps,
            seed=seed,
            safety_check=safety_check,
            output_format=output_format,
            wire_format=wire_format,
        )
        return await agenerate_kontext(
            client,
            prompt,
            model=model,
            aspect_ratio=aspect_ratio,
            seed=seed,
            output_format=output_format,
            raise_on_filter=raise_on_filter,
            timeout=timeout,
            extra_body=extra_body,
            **_kontext_waits(kontext),
        )
    req = build_request(
        prompt,
        model=model,
        aspect_ratio=aspect_ratio,
        guidance_scale=guidance_scale,
        num_inference_steps=num_inference_steps,
        seed=seed,
        safety_check=safety_check,
        output_format=output_format,
        wire_format=wire_format,
        extra_body=extra_body,
    )
    resp = await client.request(
        "POST", req.path, json_body=req.body, headers=req.headers, timeout=timeout
    )
    return _finish(req, resp, raise_on_filter)
