"""The double's FLUX Kontext workflow: submit, then poll ``get_result`` (docs/wire.md §1.14).

Shaped from Fireworks' API reference pages "Generate or edit an image with FLUX.1 Kontext"
and "Get generated image from FLUX.1 Kontext":

* ``POST /inference/v1/workflows/accounts/fireworks/models/flux-kontext-pro`` (or ``-max``)
  with ``prompt`` (required), ``input_image``, ``seed``, ``aspect_ratio``,
  ``output_format`` (``jpeg`` / ``png``), ``webhook_url``, ``webhook_secret``,
  ``prompt_upsampling`` (bool), ``safety_tolerance`` (0-6) answers ``{"request_id"}``.
  Other fields, a missing prompt, a bad format or tolerance: 400. Another model: 404.
* ``POST .../<model>/get_result`` with ``{"id"}`` answers ``{"id", "status", "result",
  "progress", "details"}``: ``Pending`` for the first :attr:`KontextJobs.pending_polls`
  polls, then ``Ready`` with ``result.sample``: a signed URL on :data:`DELIVERY_HOST`
  (fetched without a key) or, with ``sample_form = "base64"``, the image as base64. An
  unknown id answers ``Task not found``.
* A prompt with the word ``unsafe`` ends ``Content Moderated``; one with ``fail-workflow``
  ends ``Error`` with details (test markers, as the text-to-image double has).

The submit answer's exact field name is not in the reference (it says the call "will
return the request_id"); the client reads ``request_id`` and falls back to ``id``.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from fw_core.testing import endpoints
from fw_core.testing.images import image_size, jpeg_bytes, png_bytes
from fw_core.testing.outcome import Outcome

__all__ = ["DELIVERY_HOST", "KONTEXT_MODELS", "KontextJobs"]

KONTEXT_MODELS = frozenset(
    {"accounts/fireworks/models/flux-kontext-pro", "accounts/fireworks/models/flux-kontext-max"}
)
#: Host of the double's signed sample URLs (the real host is not documented).
DELIVERY_HOST = "kontext-delivery.double.invalid"
FIELDS = frozenset(
    {
        "prompt",
        "input_image",
        "seed",
        "aspect_ratio",
        "output_format",
        "webhook_url",
        "webhook_secret",
        "prompt_upsampling",
        "safety_tolerance",
    }
)
_PATH = re.compile(
    r"^workflows/(?P<model>accounts/[^/]+/models/flux-kontext-[^/]+)(?P<poll>/get_result)?$"
)
_RATIO = re.compile(r"^(\d+):(\d+)$")


def is_kontext_path(endpoint: str) -> bool:
    """Whether ``endpoint`` (the path after ``/inference/v1/``) is a Kontext workflow call."""
    return _PATH.match(endpoint) is not None


@dataclass
class _Job:
    model: str
    prompt: str
    seed: int
    ratio: str | None
    fmt: str
    polls: int = 0


@dataclass
class KontextJobs:
    """Submitted Kontext jobs of one double. Tests may set the two knobs."""

    #: Polls answered ``Pending`` before a job is ``Ready``.
    pending_polls: int = 1
    #: ``"url"`` (a signed URL on :data:`DELIVERY_HOST`) or ``"base64"``.
    sample_form: str = "url"
    _jobs: dict[str, _Job] = field(default_factory=dict)
    _files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    _ids: Any = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        with self._lock:
            self._jobs.clear()
            self._files.clear()

    def handle(self, endpoint: str, body: dict[str, Any], request_id: str) -> Outcome:
        """A submit or a ``get_result`` call (``endpoint`` after ``/inference/v1/``)."""
        match = _PATH.match(endpoint)
        if match is None or match.group("model") not in KONTEXT_MODELS:
            return endpoints.not_found("fireworks", request_id)
        if match.group("poll"):
            return self._poll(body, request_id)
        return self._submit(match.group("model"), body, request_id)

    def delivery(self, path: str) -> Outcome:
        """GET of a signed sample URL: the URL is the grant, no key needed."""
        got = self._files.get(path.strip("/"))
        if got is None:
            return Outcome(404, [("content-type", "text/plain")], [b"not found"])
        image, mime = got
        return Outcome(200, [("content-type", mime)], [image])

    # ------------------------------------------------------------------ steps

    def _submit(self, model: str, body: dict[str, Any], request_id: str) -> Outcome:
        bad = _invalid(body)
        if bad:
            return endpoints.error("fireworks", 400, bad[0], request_id, bad[1])
        prompt = str(body["prompt"])
        seed = body.get("seed") or int.from_bytes(
            hashlib.blake2b(prompt.encode(), digest_size=4).digest(), "big"
        )
        with self._lock:
            job_id = f"kontext-{next(self._ids):06d}"
            self._jobs[job_id] = _Job(
                model,
                prompt,
                seed,
                body.get("aspect_ratio"),
                str(body.get("output_format") or "png"),
            )
        return Outcome.json(200, {"request_id": job_id}, [("x-request-id", request_id)])

    def _poll(self, body: dict[str, Any], request_id: str) -> Outcome:
        job_id = body.get("id")
        if not isinstance(job_id, str) or not job_id:
            return endpoints.error("fireworks", 400, "field required: id", request_id, "id")
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                job.polls += 1
        headers = [("x-request-id", request_id)]
        if job is None:
            return Outcome.json(200, _answer(job_id, "Task not found"), headers)
        if job.polls <= self.pending_polls:
            progress = round(job.polls / (self.pending_polls + 1), 3)
            return Outcome.json(200, _answer(job_id, "Pending", progress=progress), headers)
        words = set(re.findall(r"[a-z-]+", job.prompt.lower()))
        if "unsafe" in words:
            return Outcome.json(200, _answer(job_id, "Content Moderated"), headers)
        if "fail-workflow" in words:
            details = {"error": "generation failed on the worker"}
            return Outcome.json(200, _answer(job_id, "Error", details=details), headers)
        image, mime = self._image(job)
        if self.sample_form == "base64":
            sample = base64.b64encode(image).decode("ascii")
        else:
            name = f"{job_id}/sample.{'jpg' if mime == 'image/jpeg' else 'png'}"
            with self._lock:
                self._files[name] = (image, mime)
            sample = f"https://{DELIVERY_HOST}/{name}?sig=double"
        result = {"sample": sample, "prompt": job.prompt, "seed": job.seed}
        return Outcome.json(200, _answer(job_id, "Ready", result=result, progress=1.0), headers)

    @staticmethod
    def _image(job: _Job) -> tuple[bytes, str]:
        digest = hashlib.blake2b(f"{job.seed}:{job.prompt}".encode(), digest_size=3).digest()
        width, height = image_size(job.ratio)
        if job.fmt == "jpeg":
            return jpeg_bytes(width, height, (digest[0], digest[1], digest[2])), "image/jpeg"
        return png_bytes(width, height, (digest[0], digest[1], digest[2])), "image/png"


def _answer(
    job_id: str,
    status: str,
    *,
    result: Any = None,
    progress: float | None = None,
    details: Any = None,
) -> dict[str, Any]:
    return {
        "id": job_id,
        "status": status,
        "result": result,
        "progress": progress,
        "details": details,
    }


def _invalid(body: dict[str, Any]) -> tuple[str, str] | None:
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        return "field required: prompt", "prompt"
    extra = sorted(set(body) - FIELDS)
    if extra:
        return f"Extra inputs are not permitted, field: '{extra[0]}'", extra[0]
    fmt = body.get("output_format")
    if fmt is not None and fmt not in ("jpeg", "png"):
        return "output_format must be 'jpeg' or 'png'", "output_format"
    tolerance = body.get("safety_tolerance")
    if tolerance is not None and (
        isinstance(tolerance, bool) or not isinstance(tolerance, int) or not 0 <= tolerance <= 6
    ):
        return "safety_tolerance must be an integer between 0 and 6", "safety_tolerance"
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        return "seed must be an integer", "seed"
    ratio = body.get("aspect_ratio")
    if ratio is not None:
        match = _RATIO.match(ratio) if isinstance(ratio, str) else None
        if match is None or not 9 / 21 <= int(match[1]) / max(int(match[2]), 1) <= 21 / 9:
            return "aspect_ratio must be between 21:9 and 9:21", "aspect_ratio"
    return None
