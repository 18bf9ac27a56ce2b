"""FLUX.1 Kontext on Fireworks: an asynchronous workflow (submit, then poll ``get_result``).

Unlike the FLUX text-to-image models, ``flux-kontext-pro`` and ``flux-kontext-max`` do not
answer with the image (docs/wire.md §1.14):

1. ``POST {inference base}/workflows/accounts/fireworks/models/<model>`` with
   ``{"prompt", "input_image"?, "seed"?, "aspect_ratio"?, "output_format"?, "webhook_url"?,
   "webhook_secret"?, "prompt_upsampling"?, "safety_tolerance"?}`` answers a request id
   (``request_id``; ``id`` is read as well).
2. ``POST .../<model>/get_result`` with ``{"id": <request id>}`` answers ``{"id", "status",
   "result", "progress", "details"}``. ``status`` is one of ``Pending``, ``Ready``,
   ``Error``, ``Request Moderated``, ``Content Moderated``, ``Task not found``; on
   ``Ready`` the image is ``result.sample``, a URL (fetched without our key: the URL is
   the grant) or base64.

:func:`generate_kontext` runs both steps: it polls with a growing interval up to a bounded
wait, raises :class:`KontextTimeoutError` (with the request id, to look again later with
:func:`get_kontext_result`) past it, :class:`~fw_core.endpoints.images.ContentFilteredError` on a
moderated status (unless ``raise_on_filter=False``), and :class:`KontextWorkflowError` on
``Error`` / ``Task not found``. A status this module does not know is taken as "not yet"
(the vocabulary is the server's: docs/architecture.md §2, tolerant reader) and ends at
the bound like ``Pending``.

>>> req = build_kontext_request("a red fox", model="flux-kontext-pro", aspect_ratio="16:9")
>>> req.path, req.poll_path
('/workflows/accounts/fireworks/models/flux-kontext-pro', \
'/workflows/accounts/fireworks/models/flux-kontext-pro/get_result')
>>> read_status({"id": "r1", "status": "Pending", "progress": 0.4})
('Pending', None)
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from fw_core.endpoints.image_format import sniff_mime_type
from fw_core.endpoints.image_request import MAX_SEED, OUTPUT_FORMATS, image_model_id
from fw_core.endpoints.image_result import (
    CONTENT_FILTERED,
    SUCCESS,
    ContentFilteredError,
    ImageResult,
)
from fw_core.errors import APIConnectionError, APIError, ConfigurationError, ResponseValidationError
from fw_core.http.client import AsyncClient, Client
from fw_core.http.headers import select_headers
from fw_core.providers import FIREWORKS

__all__ = [
    "DEFAULT_MAX_WAIT",
    "KONTEXT_MODELS",
    "KontextRequest",
    "KontextTimeoutError",
    "KontextWorkflowError",
    "agenerate_kontext",
    "aget_kontext_result",
    "build_kontext_request",
    "check_kontext_options",
    "generate_kontext",
    "get_kontext_result",
    "is_kontext",
    "read_status",
]

#: The Kontext models Fireworks documents (docs/wire.md §1.14).
KONTEXT_MODELS = ("flux-kontext-pro", "flux-kontext-max")
#: Seconds :func:`generate_kontext` polls before :class:`KontextTimeoutError` (a generation
#: takes seconds to a minute; the bound is ours).
DEFAULT_MAX_WAIT = 180.0
#: First wait between polls; each later one is 1.5x longer, up to :data:`MAX_POLL_INTERVAL`.
DEFAULT_POLL_INTERVAL = 0.5
MAX_POLL_INTERVAL = 5.0
READY = "Ready"
#: Statuses that end the workflow without an image.
MODERATED = ("Request Moderated", "Content Moderated")
FAILED = ("Error", "Task not found")


class KontextWorkflowError(APIError):
    """The workflow ended without an image: ``Error`` or ``Task not found``.

    ``code`` is the status; ``request_id`` the workflow's request id; ``details`` what the
    server said about it (``details`` / ``result`` of the answer).
    """

    def __init__(self, message: str, *, details: Any = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.details = details


class KontextTimeoutError(KontextWorkflowError):
    """The workflow was still running when the wait ran out.

    The job may still finish: ``request_id`` is its id, for :func:`get_kontext_result`.
    """


@dataclass(frozen=True, slots=True)
class KontextRequest:
    """A checked Kontext request: the model, the submit and poll paths, the JSON body."""

    model: str
    path: str
    poll_path: str
    body: dict[str, Any]
    mime_type: str


def is_kontext(model: str) -> bool:
    """Whether ``model`` (short or full id) is a FLUX Kontext workflow model.

    >>> is_kontext("flux-kontext-max"), is_kontext("accounts/fireworks/models/flux-1-dev-fp8")
    (True, False)
    """
    return model.rsplit("/", 1)[-1].startswith("flux-kontext-")


def check_kontext_options(
    *,
    guidance_scale: float | None = None,
    num_inference_steps: int | None = None,
    safety_check: bool | None = None,
    wire_format: str = "json",
) -> None:
    """Refuse the text-to-image options a Kontext workflow does not take (docs/wire.md §1.14).

    They are options we map to body fields of the other FLUX endpoint; the Kontext body
    has none of them, so a value given would be dropped or refused. ``extra_body`` still
    sends any field as it is.
    """
    for name, value in (
        ("guidance_scale", guidance_scale),
        ("num_inference_steps", num_inference_steps),
        ("safety_check", safety_check),
    ):
        if value is not None:
            hint = (
                " (Kontext takes safety_tolerance 0-6 in extra_body)"
                if name == "safety_check"
                else ""
            )
            raise ConfigurationError(
                f"{name} is not an option of the FLUX Kontext workflow{hint}; its body takes "
                "prompt, input_image, seed, aspect_ratio, output_format, prompt_upsampling, "
                "safety_tolerance (pass others in extra_body to send them anyway)"
            )
    if wire_format != "json":
        raise ConfigurationError(
            "FLUX Kontext answers with a request id and then JSON; wire_format='binary' "
            "does not apply (leave it 'json')"
        )


def build_kontext_request(
    prompt: str,
    *,
    model: str = KONTEXT_MODELS[0],
    aspect_ratio: str | None = None,
    seed: int | None = None,
    output_format: str = "png",
    extra_body: Mapping[str, Any] | None = None,
) -> KontextRequest:
    """Check the options and build the submit request. Pure; raises ConfigurationError."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise ConfigurationError("image generation needs a non-empty prompt")
    full = image_model_id(model)
    if not is_kontext(full):
        raise ConfigurationError(f"{model!r} is not a FLUX Kontext model")
    if aspect_ratio is not None and (not isinstance(aspect_ratio, str) or not aspect_ratio):
        raise ConfigurationError(
            f"aspect_ratio must be a string such as '16:9', got {aspect_ratio!r}"
        )
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED
    ):
        raise ConfigurationError(f"seed must be an integer between 0 and {MAX_SEED}, got {seed!r}")
    if not isinstance(output_format, str) or output_format.lower() not in OUTPUT_FORMATS:
        raise ConfigurationError(f"output_format must be 'png' or 'jpeg', got {output_format!r}")
    if extra_body is not None and not isinstance(extra_body, Mapping):
        raise ConfigurationError("extra_body must be a mapping of JSON fields")
    fmt = "jpeg" if output_format.lower() in ("jpeg", "jpg") else "png"
    body: dict[str, Any] = {"prompt": prompt, "output_format": fmt}
    if aspect_ratio is not None:
        body["aspect_ratio"] = aspect_ratio
    if seed is not None:
        body["seed"] = seed
    if extra_body:
        body.update(extra_body)
    path = f"/workflows/{full}"
    return KontextRequest(full, path, f"{path}/get_result", body, OUTPUT_FORMATS[fmt])


# --------------------------------------------------------------------------- reading


def _bad(message: str, request_id: str | None) -> ResponseValidationError:
    return ResponseValidationError(message, status_code=200, request_id=request_id)


def read_request_id(payload: Any, http_request_id: str | None = None) -> str:
    """The workflow's request id from the submit answer (``request_id``, else ``id``)."""
    if isinstance(payload, Mapping):
        for key in ("request_id", "id"):
            value = payload.get(key)
            if isinstance(value, str) and value:
                return value
    raise _bad("the FLUX Kontext submit answer carries no request id", http_request_id)


def read_status(payload: Any) -> tuple[str, Any]:
    """(status, result) of a ``get_result`` answer; the status text as the server sent it."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("status"), str):
        raise _bad("the FLUX Kontext get_result answer has no status", None)
    return payload["status"], payload.get("result")


def _sample(result: Any) -> str | None:
    if isinstance(result, str):
        return result
    if isinstance(result, Mapping):
        sample = result.get("sample")
        if isinstance(sample, str):
            return sample
    return None


def _decode(sample: str, request_id: str) -> bytes:
    text = sample.split(",", 1)[1] if sample.startswith("data:") else sample
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _bad("FLUX Kontext result.sample is neither a URL nor base64", request_id) from exc


def _seed(result: Any) -> int | None:
    seed = result.get("seed") if isinstance(result, Mapping) else None
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else None


def _filtered(req: KontextRequest, status: str, rid: str, raise_on_filter: bool) -> ImageResult:
    result = ImageResult(b"", req.mime_type, None, CONTENT_FILTERED, req.model, rid)
    if raise_on_filter:
        raise ContentFilteredError(
            f"FLUX Kontext request {rid} ended with status {status!r}: the safety filter "
            "blocked the prompt or the image; no image was produced",
            result=result,
            status_code=200,
            request_id=rid,
        )
    return result


def _failed(status: str, payload: Mapping[str, Any], rid: str) -> KontextWorkflowError:
    details = payload.get("details") or payload.get("result")
    return KontextWorkflowError(
        f"FLUX Kontext request {rid} ended with status {status!r}"
        + (f": {details}" if details else ""),
        details=details,
        status_code=200,
        request_id=rid,
        code=status,
    )


def _next_wait(wait: float) -> float:
    return min(wait * 1.5, MAX_POLL_INTERVAL)


def _check_wait(max_wait: float, poll_interval: float) -> None:
    for name, value in (("max_wait", max_wait), ("poll_interval", poll_interval)):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value <= 0
        ):
            raise ConfigurationError(f"{name} must be a positive number of seconds, got {value!r}")


def _image(content: bytes, req: KontextRequest, rid: str, result: Any, headers: Any) -> ImageResult:
    if not content:
        raise _bad("the FLUX Kontext image is empty", rid)
    mime = sniff_mime_type(content) or req.mime_type
    return ImageResult(content, mime, _seed(result), SUCCESS, req.model, rid, headers)


def _fetched(resp: httpx.Response, rid: str) -> bytes:
    if resp.status_code >= 400:
        raise KontextWorkflowError(
            f"fetching the FLUX Kontext image of request {rid} failed with HTTP {resp.status_code}",
            status_code=resp.status_code,
            request_id=rid,
            code="SAMPLE_DOWNLOAD",
        )
    return resp.content


def _is_url(sample: str) -> bool:
    return sample.startswith(("https://", "http://"))


def _download_failed(exc: Exception) -> APIConnectionError:
    return APIConnectionError(f"fetching the FLUX Kontext image failed: {exc}")


def _settle(
    req: KontextRequest, payload: Any, rid: str, raise_on_filter: bool
) -> ImageResult | tuple[str, Any] | None:
    """One poll answer: None while running; (sample, result) when Ready; a filtered
    :class:`ImageResult` (or ContentFilteredError) when moderated; raises when failed."""
    status, result = read_status(payload)
    if status == READY:
        sample = _sample(result)
        if sample is None:
            raise _bad("FLUX Kontext status Ready without result.sample", rid)
        return sample, result
    if status in MODERATED:
        return _filtered(req, status, rid, raise_on_filter)
    if status in FAILED:
        raise _failed(status, payload, rid)
    return None  # Pending, or a status this version does not know: not finished yet


def _left(deadline: float, max_wait: float, rid: str, payload: Any) -> float:
    """Seconds left to wait; KontextTimeoutError when none are."""
    left = deadline - time.monotonic()
    if left <= 0:
        status = payload.get("status") if isinstance(payload, Mapping) else None
        raise KontextTimeoutError(
            f"FLUX Kontext request {rid} was still {status!r} after {max_wait:g} s; poll it "
            "later with get_kontext_result",
            status_code=200,
            request_id=rid,
            code="TIMEOUT",
        )
    return left


def _start(
    client: Client | AsyncClient,
    prompt: str,
    model: str,
    aspect_ratio: str | None,
    seed: int | None,
    output_format: str,
    extra_body: Mapping[str, Any] | None,
    waits: tuple[float, float],
) -> KontextRequest:
    """Every check before a workflow is submitted (``waits``: max_wait, poll_interval),
    and the request to submit."""
    client.provider.require(FIREWORKS, "image generation")
    _check_wait(*waits)
    return build_kontext_request(
        prompt,
        model=model,
        aspect_ratio=aspect_ratio,
        seed=seed,
        output_format=output_format,
        extra_body=extra_body,
    )


# --------------------------------------------------------------------------- sync


def get_kontext_result(
    client: Client, request_id: str, *, model: str = KONTEXT_MODELS[0]
) -> dict[str, Any]:
    """One ``get_result`` poll: the answer as sent (``status``, ``result``, ``progress``...)."""
    req = build_kontext_request("-", model=model)
    return dict(client.request("POST", req.poll_path, json_body={"id": request_id}).json())


def generate_kontext(
    client: Client,
    prompt: str,
    *,
    model: str = KONTEXT_MODELS[0],
    aspect_ratio: str | None = None,
    seed: int | None = None,
    output_format: str = "png",
    raise_on_filter: bool = True,
    timeout: float | None = None,
    extra_body: Mapping[str, Any] | None = None,
    max_wait: float = DEFAULT_MAX_WAIT,
    poll_interval: float = DEFAULT_POLL_INTERVAL,
) -> ImageResult:
    """Generate (or, with ``extra_body={"input_image": ...}``, edit) one image with Kontext.

    Submits, polls ``get_result`` every ``poll_interval`` seconds growing 1.5x up to 5 s,
    for at most ``max_wait`` seconds. ``timeout`` is per HTTP request.

    Raises:
        ConfigurationError: a bad option or a Firmware client, before any request.
        ContentFilteredError: ``Request Moderated`` / ``Content Moderated`` (unless
            ``raise_on_filter`` is False: then a result with ``content_filtered`` True).
        KontextWorkflowError: ``Error`` / ``Task not found``.
        KontextTimeoutError: still not ready after ``max_wait`` seconds.
    """
    waits = (max_wait, poll_interval)
    req = _start(client, prompt, model, aspect_ratio, seed, output_format, extra_body, waits)
    submitted = client.request("POST", req.path, json_body=req.body, timeout=timeout)
    rid = read_request_id(submitted.json(), submitted.headers.get("x-request-id"))
    deadline = time.monotonic() + max_wait
    wait = poll_interval
    while True:
        resp = client.request("POST", req.poll_path, json_body={"id": rid}, timeout=timeout)
        payload = resp.json()
        done = _settle(req, payload, rid, raise_on_filter)
        if isinstance(done, ImageResult):
            return done
        if done is not None:  # Ready: the sample, inline or behind a URL
            sample, result = done
            if _is_url(sample):
                try:  # the URL is the grant: fetched without our headers or key
                    got = client.http_client.get(
                        sample, timeout=client.timeout, follow_redirects=True
                    )
                except httpx.TransportError as exc:
                    raise _download_failed(exc) from exc
                content = _fetched(got, rid)
            else:
                content = _decode(sample, rid)
            return _image(content, req, rid, result, select_headers(resp.headers))
        left = _left(deadline, max_wait, rid, payload)
        time.sleep(min(wait, left))
        wait = _next_wait(wait)


# --------------------------------------------------------------------------- async


async def aget_kontext_result(
    client: AsyncClient, request_id: str, *, model: str = KONTEXT_MODELS[0]
) -> dict[str, Any]:
    """Async twin of :func:`get_kontext_result`."""
    req = build_kontext_request("-", model=model)
    resp = await client.request("POST", req.poll_path, json_body={"id": request_id})
    return dict(resp.json())


async def agenerate_kontext(
    client: AsyncClient,
    prompt: str,
    *,
    model: str = KONTEXT_MODELS[0],
    aspect_ratio: str | None = None,
    seed: int | None = None,
    output_format: str = "png",
    raise_on_filter: bool = True,
    timeout: float | None = None,
    extra_body: Mapping[str, Any] | None = None,
    max_wait: float = DEFAULT_MAX_WAIT,
    poll_interval: float = DEFAULT_POLL_INTERVAL,
) -> ImageResult:
    """Async twin of :func:`generate_kontext` (same arguments, an :class:`AsyncClient`)."""
    waits = (max_wait, poll_interval)
    req = _start(client, prompt, model, aspect_ratio, seed, output_format, extra_body, waits)
    submitted = await client.request("POST", req.path, json_body=req.body, timeout=timeout)
    rid = read_request_id(submitted.json(), submitted.headers.get("x-request-id"))
    deadline = time.monotonic() + max_wait
    wait = poll_interval
    while True:
        resp = await client.request("POST", req.poll_path, json_body={"id": rid}, timeout=timeout)
        payload = resp.json()
        done = _settle(req, payload, rid, raise_on_filter)
        if isinstance(done, ImageResult):
            return done
        if done is not None:  # Ready: the sample, inline or behind a URL
            sample, result = done
            if _is_url(sample):
                try:  # the URL is the grant: fetched without our headers or key
                    got = await client.http_client.get(
                        sample, timeout=client.timeout, follow_redirects=True
                    )
                except httpx.TransportError as exc:
                    raise _download_failed(exc) from exc
                content = _fetched(got, rid)
            else:
                content = _decode(sample, rid)
            return _image(content, req, rid, result, select_headers(resp.headers))
        left = _left(deadline, max_wait, rid, payload)
        await asyncio.sleep(min(wait, left))
        wait = _next_wait(wait)
