"""The wire double: a deterministic, scriptable stand-in for both APIs.

:class:`WireDouble` receives a request (method, URL, headers, body bytes), records it,
routes it by URL to a provider and endpoint, validates it like the real API, and returns
an :class:`~fw_core.testing.outcome.Outcome` that a transport or the loopback server
plays. Routing by path prefix:

* ``/inference/v1/...`` -> Fireworks inference (any host, also the loopback server);
* ``/v1/accounts/...`` -> the Fireworks control-plane catalog;
* ``/api/v1/...`` -> Firmware; on host ``api.firmware.ai``, ``/v1/...`` -> Firmware;
* other ``/v1/...`` (direct-route and audio hosts) -> Fireworks inference;
* ``/v1/accounts/{account}/datasets|batchInferenceJobs...`` and the signed output URLs on
  ``storage.googleapis.com`` -> the Batch API (:mod:`fw_core.testing.batch`);
* ``/inference/v1/workflows/.../flux-kontext-*`` and the signed sample URLs on
  ``kontext-delivery.double.invalid`` -> the FLUX Kontext workflow
  (:mod:`fw_core.testing.kontext`).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fw_core.testing import audio, endpoints, generate, images, kontext
from fw_core.testing.batch import STORAGE_HOST, BatchControlPlane
from fw_core.testing.faults import Fault
from fw_core.testing.limits import Admission, RequestLimit
from fw_core.testing.outcome import Outcome
from fw_core.testing.responses_api import ResponseStore

__all__ = ["RecordedRequest", "WireDouble", "route"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request the double received. ``headers`` are lower-cased, auth redacted.

    Example:
        >>> import httpx
        >>> double = WireDouble()
        >>> _ = httpx.Client(transport=double.transport()).post(
        ...     "https://app.firmware.ai/api/v1/embeddings",
        ...     headers={"Authorization": "Bearer secret"},
        ...     json={"model": "voyage-4", "input": "hi"})
        >>> rec = double.requests[0]
        >>> rec.path, rec.json["input"], rec.headers["authorization"]
        ('/api/v1/embeddings', 'hi', 'Bearer <redacted>')
    """

    method: str
    url: str
    path: str
    headers: dict[str, str]
    json: Any
    content: bytes = b""


@dataclass
class _Queued:
    fault: Fault
    times: int
    path: str | None


@dataclass(frozen=True)
class _Route:
    provider: str  # "fireworks" | "firmware"
    endpoint: str  # "chat/completions", "embeddings", ..., "catalog", "" when unknown
    account: str = ""  # the control plane's account id (catalog, batch)


def route(host: str, path: str) -> _Route:
    """Which provider and endpoint a URL addresses."""
    path = "/" + path.lstrip("/")
    if path.startswith("/inference/v1/"):
        return _Route("fireworks", path[len("/inference/v1/") :].strip("/"))
    if path.startswith("/api/v1/"):
        return _Route("firmware", path[len("/api/v1/") :].strip("/"))
    if path.startswith("/v1/accounts/"):
        rest = path[len("/v1/accounts/") :].strip("/").split("/")
        if len(rest) == 2 and rest[1] == "models":
            return _Route("fireworks", "catalog", rest[0])
        if len(rest) >= 2 and rest[1].partition(":")[0] in ("datasets", "batchInferenceJobs"):
            return _Route("fireworks", "control:" + "/".join(rest[1:]), rest[0])
        return _Route("fireworks", "")
    if host == STORAGE_HOST:
        return _Route("fireworks", "storage")
    if host == kontext.DELIVERY_HOST:
        return _Route("fireworks", "kontext-delivery")
    if path.startswith("/v1/"):
        provider = "firmware" if host == "api.firmware.ai" else "fireworks"
        return _Route(provider, path[len("/v1/") :].strip("/"))
    return _Route("firmware" if "firmware" in host else "fireworks", "")


def _bearer(headers: dict[str, str]) -> str:
    raw = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    return raw[7:].strip() if raw.lower().startswith("bearer ") else raw


def _model(content: bytes) -> str:
    if not content.startswith(b"{"):
        return ""  # a multipart (audio) body, or none
    try:
        model = json.loads(content).get("model")
    except (ValueError, AttributeError):
        return ""
    return model if isinstance(model, str) else ""


def _prompt_tokens(content: bytes) -> int:
    """The prompt tokens the limit's token mode charges: fw_core.kit.tokens' estimate (the
    real server counts with the model's tokenizer, which this estimate over-counts)."""
    from fw_core.ratelimit.token_limits import request_tokens

    return request_tokens(content)[0]


def _stamp(outcome: Outcome, admission: Admission) -> Outcome:
    """``outcome`` (a copy) with the limit mode's headers instead of the fixed ones."""
    ours = {k for k, _ in admission.headers}
    kept = [(k, v) for k, v in outcome.headers if k.lower() not in ours]
    return replace(outcome, headers=kept + admission.headers)


def _redact(headers: dict[str, str]) -> dict[str, str]:
    out = {}
    for k, v in headers.items():
        k = k.lower()
        if k in ("authorization", "x-api-key", "api-key"):
            scheme, _, token = v.strip().partition(" ")
            if not token.strip():
                scheme, token = ("", scheme) if scheme.lower() != "bearer" else (scheme, "")
            v = f"{scheme} <redacted>".strip() if token.strip() else scheme
        out[k] = v
    return out


class WireDouble:
    """A fake Fireworks + Firmware API, deterministic and scriptable.

    Args:
        latency: seconds to wait before answering each request (benchmarks).
        per_input_latency: extra seconds per embeddings input / rerank document.
        stream_chunks: when set, chat and completion streams carry exactly this many
            content chunks (the text has that many words).
        api_keys: when set, only these bearer tokens are accepted (else any non-empty).
        rpm: limit mode: requests per minute per (key, model); every answer then carries
            the ``x-ratelimit-*`` request headers and an over-limit request is answered
            429 with ``retry-after`` (:mod:`fw_core.testing.limits`). None: no limit.
        burst: requests a key and model may make at once in limit mode (default: one
            second's worth of ``rpm``).
        prompt_tps: limit mode's token limit: prompt tokens per second per (key, model),
            a minute's worth held; answers then carry ``x-ratelimit-limit-tokens-prompt``
            and ``x-ratelimit-remaining-tokens-prompt`` (docs/wire.md §1.16).
        repeat_tool_fields: streamed tool calls repeat ``id``, ``type`` and
            ``function.name`` on every fragment, as Fireworks does for some models
            (docs/wire.md §8); off by default (the documented OpenAI shape).
        prompt_cache_replicas: how many replicas the prompt-cache model spreads requests
            over (:class:`~fw_core.testing.endpoints.PromptCache`, docs/wire.md §1.19): 1
            (default) lets every request see every earlier prefix; more makes cache hits
            depend on session affinity, as on serverless.

    Example:
        >>> import httpx
        >>> double = WireDouble()
        >>> http = httpx.Client(transport=double.transport())
        >>> r = http.post("https://api.fireworks.ai/inference/v1/chat/completions",
        ...               headers={"Authorization": "Bearer test"},
        ...               json={"model": "accounts/fireworks/models/deepseek-v4p1-flash",
        ...                     "messages": [{"role": "user", "content": "Capital of France?"}]})
        >>> r.status_code, r.json()["choices"][0]["finish_reason"]
        (200, 'stop')
        >>> len(double.requests)
        1
    """

    def __init__(
        self,
        *,
        latency: float = 0.0,
        per_input_latency: float = 0.0,
        stream_chunks: int | None = None,
        api_keys: list[str] | None = None,
        rpm: float | None = None,
        burst: int | None = None,
        prompt_tps: float | None = None,
        repeat_tool_fields: bool = False,
        prompt_cache_replicas: int = 1,
    ) -> None:
        if prompt_tps is not None and rpm is None:
            raise ValueError("prompt_tps needs rpm (the limit mode)")
        self.limit = RequestLimit(rpm, burst, prompt_tps=prompt_tps) if rpm is not None else None
        self.latency = latency
        self.per_input_latency = per_input_latency
        self.stream_chunks = stream_chunks
        self.repeat_tool_fields = repeat_tool_fields
        self.api_keys = set(api_keys) if api_keys is not None else None
        self.requests: list[RecordedRequest] = []
        self.scripted_hits: list[str] = []
        self.connections = 0
        self._faults: list[_Queued] = []
        self._cache = endpoints.PromptCache(prompt_cache_replicas)
        self._lock = threading.Lock()
        #: The Batch API control plane (datasets, jobs, test hooks such as ``advance``).
        self.batch = BatchControlPlane(self._batch_chat)
        #: FLUX Kontext workflow jobs (knobs ``pending_polls``, ``sample_form``).
        self.kontext = kontext.KontextJobs()
        #: Stored responses of the Responses API (get, list, delete, chaining).
        self.responses = ResponseStore(self.scripted_hits)

    # ------------------------------------------------------------------ public API

    def inject(self, fault: Fault, times: int = 1, path: str | None = None) -> None:
        """Queue ``fault`` for the next ``times`` requests whose path ends with ``path``."""
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._faults.append(_Queued(fault, times, path))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def reset(self) -> None:
        """Forget recorded requests, faults, cache state, counters and rate-limit buckets."""
        with self._lock:
            self.requests.clear()
            self.scripted_hits.clear()
            self._faults.clear()
            self._cache.clear()
            self.connections = 0
        self.batch.clear()
        self.kontext.clear()
        self.responses.clear()
        if self.limit is not None:
            self.limit.reset()

    def transport(self) -> Any:
        """An ``httpx.BaseTransport`` serving this double (for ``httpx.Client``)."""
        from fw_core.testing.transport import DoubleTransport

        return DoubleTransport(self)

    def async_transport(self) -> Any:
        """An ``httpx.AsyncBaseTransport`` serving this double (for ``httpx.AsyncClient``)."""
        from fw_core.testing.transport import AsyncDoubleTransport

        return AsyncDoubleTransport(self)

    def count(self, path_suffix: str = "") -> int:
        """How many recorded requests have a path ending with ``path_suffix``."""
        return sum(1 for r in self.requests if r.path.endswith(path_suffix))

    # ------------------------------------------------------------------ handling

    def handle(self, method: str, url: str, headers: dict[str, str], content: bytes) -> Outcome:
        """Record one request and decide its outcome: the rate limit first, when set."""
        if self.limit is None:
            return self.respond(method, url, headers, content)
        tokens = _prompt_tokens(content) if self.limit.prompt_tps is not None else 0
        admission = self.limit.admit(_bearer(headers), _model(content), tokens)
        if admission.allowed:
            return _stamp(self.respond(method, url, headers, content), admission)
        rec, where, _, request_id = self._record(method, url, headers, content)
        with self._lock:
            self.requests.append(rec)
        out = endpoints.error(
            where.provider, 429, "Request rate limit exceeded, please try again later.", request_id
        )
        return _stamp(out, admission)

    def _record(
        self, method: str, url: str, headers: dict[str, str], content: bytes
    ) -> tuple[RecordedRequest, _Route, dict[str, Any], str]:
        parts = urlsplit(url)
        try:
            payload = json.loads(content) if content else None
        except ValueError:
            payload = None
        rec = RecordedRequest(method.upper(), url, parts.path, _redact(headers), payload, content)
        where = route(parts.hostname or "", parts.path)
        body = payload if isinstance(payload, dict) else {}
        return rec, where, body, self._request_id(where, rec, body)

    def respond(self, method: str, url: str, headers: dict[str, str], content: bytes) -> Outcome:
        """Record one request and decide its outcome, leaving out the rate limit."""
        rec, where, body, request_id = self._record(method, url, headers, content)
        parts = urlsplit(url)
        with self._lock:
            self.requests.append(rec)
            fault = self._take_fault(parts.path)
        stream = bool(body.get("stream"))
        if fault is not None and fault.replaces_response:
            return fault.apply(None, request_id, stream)
        raw_auth = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        outcome = self._respond(where, rec, body, request_id, parse_qs(parts.query), raw_auth)
        if fault is not None:
            outcome = fault.apply(outcome, request_id, stream)
        return outcome

    def _batch_chat(self, body: dict[str, Any], request_id: str) -> tuple[int, Any]:
        """One batch row, answered by the same chat endpoint as ``/chat/completions``."""
        knobs = endpoints.Knobs()
        out = endpoints.chat("fireworks", body, request_id, knobs, self._cache, self.scripted_hits)
        return out.status, json.loads(out.body())

    def _take_fault(self, path: str) -> Fault | None:
        for q in self._faults:
            if q.path is None or path.rstrip("/").endswith(q.path.rstrip("/")):
                q.times -= 1
                if q.times <= 0:
                    self._faults.remove(q)
                return q.fault
        return None

    def _request_id(self, where: _Route, rec: RecordedRequest, body: dict[str, Any]) -> str:
        # A multipart (audio) request has no JSON body: its bytes tell requests apart.
        content = body or (hashlib.sha256(rec.content).hexdigest() if rec.content else {})
        digest = generate.hex_digest(rec.method, rec.path, content)
        return (
            f"chatcmpl-{digest}"
            if where.endpoint.endswith("completions")
            else digest[:8]
            + "-"
            + digest[8:12]
            + "-"
            + digest[12:16]
            + "-"
            + digest[16:20]
            + "-"
            + digest[20:32]
        )

    def _authorised(self, raw_auth: str | None) -> bool:
        if not raw_auth or not raw_auth.lower().startswith("bearer "):
            return False
        token = raw_auth[7:].strip()
        if not token:
            return False
        return self.api_keys is None or token in self.api_keys

    def _respond(
        self,
        where: _Route,
        rec: RecordedRequest,
        body: dict[str, Any],
        request_id: str,
        query: dict[str, list[str]],
        raw_auth: str | None,
    ) -> Outcome:
        if where.endpoint == "storage":  # a signed URL: the URL is the grant, no key
            return self.batch.storage(rec.path)
        if where.endpoint == "kontext-delivery":  # a signed sample URL, likewise
            return self.kontext.delivery(rec.path)
        if not self._authorised(raw_auth):
            return endpoints.error(
                where.provider, 401, "The API key you provided is invalid.", request_id
            )
        ep = where.endpoint
        if ep.startswith("control:"):
            return self.batch.handle(
                rec.method,
                where.account,
                ep[len("control:") :],
                body,
                rec.content,
                rec.headers,
                query,
                request_id,
            )
        if where.provider == "fireworks" and (ep == "responses" or ep.startswith("responses/")):
            return self.responses.handle(  # docs/wire.md §1.18
                rec.method,
                ep[len("responses") :].strip("/"),
                body,
                query,
                request_id,
                self.stream_chunks,
            )
        if rec.method == "GET":
            return endpoints.get(where.provider, ep, request_id, query)
        if rec.method != "POST":
            return endpoints.error(where.provider, 405, "Method Not Allowed", request_id)
        knobs = endpoints.Knobs(
            self.latency, self.per_input_latency, self.stream_chunks, self.repeat_tool_fields
        )
        if ep in ("audio/transcriptions", "audio/translations") and where.provider == "fireworks":
            return audio.transcribe(where.provider, ep, rec.headers, rec.content, request_id, knobs)
        if rec.json is None and rec.content:
            return endpoints.error(
                where.provider, 400, "request body is not valid JSON", request_id
            )
        if ep.startswith("workflows/") and where.provider == "fireworks":
            if kontext.is_kontext_path(ep):
                return self.kontext.handle(ep, body, request_id)
            return images.text_to_image(ep, rec.headers, body, request_id, knobs)
        if ep == "chat/completions":
            return endpoints.chat(
                where.provider,
                body,
                request_id,
                knobs,
                self._cache,
                self.scripted_hits,
                rec.headers,
            )
        if ep == "completions":
            return endpoints.completions(where.provider, body, request_id, knobs)
        if ep == "embeddings":
            return endpoints.embeddings(where.provider, body, request_id, knobs)
        if ep == "rerank":
            return endpoints.rerank(where.provider, body, request_id, knobs)
        if ep == "quota/reset-window":
            return endpoints.reset_window(where.provider, request_id, query)
        return Outcome.json(404, {"detail": "Not Found"}, [("x-request-id", request_id)])
