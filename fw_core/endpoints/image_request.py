"""An image request, checked and built (docs/wire.md §1.3, §1.14): the options the FLUX
``text_to_image`` workflow takes, their checks, and the path, headers and body to send.

Pure: no I/O. :mod:`fw_core.endpoints.images` sends what :func:`build_request` builds
(every name here is importable from there too); FLUX Kontext models are async workflows
with a body of their own (:mod:`fw_core.endpoints.kontext`).

>>> build_request("a red fox", seed=7).body
{'prompt': 'a red fox', 'seed': 7}
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from fw_core.errors import ConfigurationError
from fw_core.providers import normalize_fireworks_model

__all__ = [
    "ASPECT_RATIOS",
    "DEFAULT_IMAGE_MODEL",
    "MAX_GUIDANCE",
    "MAX_SEED",
    "MAX_STEPS",
    "OUTPUT_FORMATS",
    "AspectRatio",
    "ImageRequest",
    "OutputFormat",
    "WireFormat",
    "build_request",
    "check_image_options",
    "image_model_id",
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

_MODEL_ID = re.compile(r"^accounts/[A-Za-z0-9][A-Za-z0-9._-]*/models/[A-Za-z0-9][A-Za-z0-9._-]*$")


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
