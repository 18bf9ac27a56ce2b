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

from collections.abc import Mapping
from typing import Any

from fw_core.endpoints.image_format import image_size, sniff_mime_type
from fw_core.endpoints.image_request import (
    ASPECT_RATIOS,
    DEFAULT_IMAGE_MODEL,
    MAX_GUIDANCE,
    MAX_SEED,
    MAX_STEPS,
    OUTPUT_FORMATS,
    AspectRatio,
    ImageRequest,
    OutputFormat,
    WireFormat,
    _kontext,
    _kontext_waits,
    build_request,
    check_image_options,
    image_model_id,
)
from fw_core.endpoints.image_result import (
    CONTENT_FILTERED,
    SUCCESS,
    ContentFilteredError,
    ImageResult,
    describe_image,
    filtered_message,
    parse_image_response,
    prompt_stem,
)
from fw_core.http.client import AsyncClient, Client
from fw_core.providers import FIREWORKS

__all__ = [
    "ASPECT_RATIOS",
    "CONTENT_FILTERED",
    "DEFAULT_IMAGE_MODEL",
    "MAX_GUIDANCE",
    "MAX_SEED",
    "MAX_STEPS",
    "OUTPUT_FORMATS",
    "SUCCESS",
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


def _finish(req: ImageRequest, resp: Any, raise_on_filter: bool) -> ImageResult:
    ctype = (resp.headers.get("content-type") or "").split(";")[0].strip().lower()
    is_json = ctype == "application/json" or (
        req.wire_format == "json" and not ctype.startswith("image/")
    )
    payload = resp.json() if is_json else None
    result = parse_image_response(req, resp.status_code, resp.headers, resp.content, payload)
    return result.raise_for_filter() if raise_on_filter else result


#: The options :func:`check_image_options` checks, by the name of the call's parameter.
_OPTIONS = (
    "model",
    "aspect_ratio",
    "guidance_scale",
    "num_inference_steps",
    "seed",
    "safety_check",
    "output_format",
    "wire_format",
)
#: What a FLUX Kontext workflow takes of the call's arguments (besides its waits).
_KONTEXT_ARGUMENTS = (
    "model",
    "aspect_ratio",
    "seed",
    "output_format",
    "raise_on_filter",
    "timeout",
    "extra_body",
)


def _plan(arguments: Mapping[str, Any]) -> ImageRequest | dict[str, Any]:
    """What a call sends, decided without I/O: the checked ``text_to_image`` request, or
    (a FLUX Kontext model, an async workflow) the keyword arguments of
    :func:`fw_core.endpoints.kontext.generate_kontext` after every option was checked.

    ``arguments`` are the call's own (its ``locals()``), read by parameter name.
    """
    options = {name: arguments[name] for name in _OPTIONS}
    model = options["model"]
    if isinstance(model, str) and _kontext(model):
        check_image_options(**options)
        kontext = {name: arguments[name] for name in _KONTEXT_ARGUMENTS}
        return {**kontext, **_kontext_waits(arguments["kontext"])}
    return build_request(arguments["prompt"], extra_body=arguments["extra_body"], **options)


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
    call = _plan(locals())
    if not isinstance(call, ImageRequest):
        from fw_core.endpoints.kontext import generate_kontext

        return generate_kontext(client, prompt, **call)
    resp = client.request(
        "POST", call.path, json_body=call.body, headers=call.headers, timeout=timeout
    )
    return _finish(call, resp, raise_on_filter)


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
    call = _plan(locals())
    if not isinstance(call, ImageRequest):
        from fw_core.endpoints.kontext import agenerate_kontext

        return await agenerate_kontext(client, prompt, **call)
    resp = await client.request(
        "POST", call.path, json_body=call.body, headers=call.headers, timeout=timeout
    )
    return _finish(call, resp, raise_on_filter)
