"""The wire double: a deterministic, scriptable stand-in for both APIs.

:class:`WireDouble` receives a request (method, URL, headers, body bytes), records it,
routes it by URL to a provider and endpoint, validates it like the real API, and returns
an :class:`~fw_core.testing.outcome.Outcome` that a transport or the loopback server
plays. Routing by path prefix:

* ``/inference/v1/...`` -> Fireworks inference (any host, also the loopback server);
* ``/v1/accounts/...`` -> the Fireworks control-plane catalog;
* ``/api/v1/...`` -> Firmware; on host ``api.firmware.ai``, ``/v1/...`` -> Firmware;
* other ``/v1/...`` (direct-route and audio hosts) -> Fireworks inference.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fw_core.testing import catalog, generate, responses, validation
from fw_core.testing.faults import Fault
from fw_core.testing.outcome import Outcome, sse_frame
from fw_core.testing.plan import (
    Plan,
    default_reasoning,
    message_text,
    plan_chat,
    reasoning_requested,
)
from fw_core.testing.script import find_scripted

__all__ = ["RecordedRequest", "WireDouble", "route"]

_SSE = "text/event-stream; charset=utf-8"


@dataclass(frozen=True)
class RecordedRequest:
    """One request the double received. ``headers`` are lower-cased, auth redacted."""

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
    account: str = ""


def route(host: str, path: str) -> _Route:
    """Which provider and endpoint a URL addresses."""
    path = "/" + path.lstrip("/")
    if path.startswith("/inference/v1/"):
        return _Route("fireworks", path[len("/inference/v1/"):].strip("/"))
    if path.startswith("/api/v1/"):
        return _Route("firmware", path[len("/api/v1/"):].strip("/"))
    if path.startswith("/v1/accounts/"):
        rest = path[len("/v1/accounts/"):].strip("/").split("/")
        if len(rest) == 2 and rest[1] == "models":
            return _Route("fireworks", "catalog", rest[0])
        return _Route("fireworks", "")
    if path.startswith("/v1/"):
        provider = "firmware" if host == "api.firmware.ai" else "fireworks"
        return _Route(provider, path[len("/v1/"):].strip("/"))
    return _Route("firmware" if "firmware" in host else "fireworks", "")


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

    Example:
        >>> import httpx
        >>> double = WireDouble()
        >>> http = httpx.Client(transport=double.transport())
        >>> r = http.post("https://api.fireworks.ai/inference/v1/chat/completions",
        ...               headers={"Authorization": "Bearer test"},
        ...               json={"model": "accounts/fireworks/models/deepseek-v3p1",
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
    ) -> None:
        self.latency = latency
        self.per_input_latency = per_input_latency
        self.stream_chunks = stream_chunks
        self.api_keys = set(api_keys) if api_keys is not None else None
        self.requests: list[RecordedRequest] = []
        self.scripted_hits: list[str] = []
        self.connections = 0
        self._faults: list[_Queued] = []
        self._seen_prefixes: set[str] = set()
        self._lock = threading.Lock()

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
        """Forget recorded requests, faults, cache state and counters."""
        with self._lock:
            self.requests.clear()
            self.scripted_hits.clear()
            self._faults.clear()
            self._seen_prefixes.clear()
            self.connections = 0

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
        """Record one request and decide its outcome."""
        parts = urlsplit(url)
        try:
            payload = json.loads(content) if content else None
        except ValueError:
            payload = None
        rec = RecordedRequest(method.upper(), url, parts.path, _redact(headers), payload,
                              content)
        where = route(parts.hostname or "", parts.path)
        body = payload if isinstance(payload, dict) else {}
        request_id = self._request_id(where, rec, body)
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

    def _take_fault(self, path: str) -> Fault | None:
        for q in self._faults:
            if q.path is None or path.rstrip("/").endswith(q.path.rstrip("/")):
                q.times -= 1
                if q.times <= 0:
                    self._faults.remove(q)
                return q.fault
        return None

    def _request_id(self, where: _Route, rec: RecordedRequest, body: dict[str, Any]) -> str:
        digest = generate.hex_digest(rec.method, rec.path, body)
        return f"chatcmpl-{digest}" if where.endpoint.endswith("completions") else digest[:8] \
            + "-" + digest[8:12] + "-" + digest[12:16] + "-" + digest[16:20] + "-" + digest[20:32]

    def _error(self, provider: str, status: int, message: str, request_id: str,
               param: str | None = None) -> Outcome:
        if provider == "firmware":
            if status == 401:
                payload: Any = {"error": "Unauthorized"}
            else:
                payload = responses.error_body(status, message, envelope="openai")
        else:
            payload = responses.error_body(status, message, param=param, request_id=request_id)
        return Outcome.json(status, payload, [("x-request-id", request_id)])

    def _authorised(self, raw_auth: str | None) -> bool:
        if not raw_auth or not raw_auth.lower().startswith("bearer "):
            return False
        token = raw_auth[7:].strip()
        if not token:
            return False
        return self.api_keys is None or token in self.api_keys

    def _respond(self, where: _Route, rec: RecordedRequest, body: dict[str, Any],
                 request_id: str, query: dict[str, list[str]], raw_auth: str | None) -> Outcome:
        if not self._authorised(raw_auth):
            return self._error(where.provider, 401, "The API key you provided is invalid.",
                               request_id)
        ep = where.endpoint
        if rec.method == "GET":
            return self._get(where, ep, request_id, query)
        if rec.method != "POST":
            return self._error(where.provider, 405, "Method Not Allowed", request_id)
        if ep in ("audio/transcriptions", "audio/translations") and where.provider == "fireworks":
            name = re.search(rb'filename="([^"]{1,200})"', rec.content)
            label = name.group(1).decode("utf-8", "replace") if name else "the audio"
            return Outcome.json(200, {"text": f"Transcript of {label}."},
                                [("x-request-id", request_id)])
        if rec.json is None and rec.content:
            return self._error(where.provider, 400, "request body is not valid JSON", request_id)
        if ep == "chat/completions":
            return self._chat(where.provider, body, request_id)
        if ep == "completions":
            return self._completions(where.provider, body, request_id)
        if ep == "embeddings":
            return self._embeddings(where.provider, body, request_id)
        if ep == "rerank":
            return self._rerank(where.provider, body, request_id)
        return Outcome.json(404, {"detail": "Not Found"}, [("x-request-id", request_id)])

    def _get(self, where: _Route, ep: str, request_id: str,
             query: dict[str, list[str]]) -> Outcome:
        hdrs = [("x-request-id", request_id)]
        if ep == "catalog":
            size = query.get("pageSize", [None])[0]
            token = query.get("pageToken", [None])[0]
            try:
                models, nxt, total = catalog.catalog_page(
                    int(size) if size and size.isdigit() else None, token)
            except ValueError as exc:
                return self._error("fireworks", 400, str(exc), request_id, "pageToken")
            return Outcome.json(200, {"models": models, "nextPageToken": nxt,
                                      "totalSize": total}, hdrs)
        if ep == "models":
            payload = catalog.fireworks_openai_list() if where.provider == "fireworks" \
                else catalog.firmware_list()
            return Outcome.json(200, payload, hdrs)
        if ep == "quota" and where.provider == "firmware":
            return Outcome.json(200, catalog.quota(), hdrs)
        return Outcome.json(404, {"detail": "Not Found"}, hdrs)

    # ------------------------------------------------------------------ endpoints

    def _cached_tokens(self, messages: list[Any]) -> tuple[int, int]:
        """(prompt tokens, cached tokens): a prefix of messages seen before is cached."""
        counts = [generate.count_tokens(message_text(m)) + 4 for m in messages]
        keys = [generate.hex_digest(messages[: i + 1]) for i in range(len(messages))]
        with self._lock:
            cached = 0
            for i in range(len(messages) - 1, -1, -1):
                if keys[i] in self._seen_prefixes:
                    cached = sum(counts[: i + 1])
                    break
            self._seen_prefixes.update(keys)
        return sum(counts), cached

    def _chat(self, provider: str, body: dict[str, Any], request_id: str) -> Outcome:
        bad = validation.check_chat(provider, body)
        if bad:
            return self._error(provider, bad.status, bad.message, request_id, bad.param)
        model = str(body["model"])
        if "nonexistent" in model or "does-not-exist" in model:
            return self._not_found(provider, request_id)
        stream = bool(body.get("stream"))
        max_tokens = body.get("max_tokens") or body.get("max_completion_tokens")
        if provider == "fireworks" and not stream and isinstance(max_tokens, int) \
                and max_tokens > 4096:
            return self._error(provider, 400,
                               "Requests with max_tokens > 4096 must have stream=true",
                               request_id, "max_tokens")
        prompt_tokens, cached = self._cached_tokens(body["messages"])
        limit = catalog.context_length(provider, model)
        if prompt_tokens > limit:
            return self._error(provider, 400, f"The prompt is too long: {prompt_tokens}, "
                               f"model maximum context length: {limit}", request_id, "messages")
        entry = find_scripted(provider, body)
        if entry is not None:
            with self._lock:
                self.scripted_hits.append(entry.name)
            plan = entry.reply(provider, body)
        else:
            plan = plan_chat(provider, body, stream_chunks=self.stream_chunks if stream
                             else None)
        reasoning = plan.reasoning
        if reasoning is None and reasoning_requested(body):
            reasoning = default_reasoning(body)
        plan = _apply_limits(plan, body)
        n = _choices(body)
        meta = responses.ChatMeta(provider, request_id, responses.served_model(provider, model),
                                  prompt_tokens, cached, n)
        extra = {}
        if provider == "firmware" and body.get("mcp_servers"):
            extra["tools_executed"] = [_mcp_tool(s) for s in body["mcp_servers"]]
        headers = self._headers(provider, request_id, prompt_tokens, cached, stream, body)
        latency = self.latency
        if stream:
            include = bool((body.get("stream_options") or {}).get("include_usage"))
            chunks = responses.chat_chunks(meta, plan, reasoning, include_usage=include,
                                           pieces=self.stream_chunks, extra=extra)
            return self._sse(chunks, headers, latency)
        payload = responses.chat_completion(meta, plan, reasoning, extra)
        out = Outcome.json(200, payload, headers)
        out.delay = latency
        return out

    def _not_found(self, provider: str, request_id: str) -> Outcome:
        message = "Model not found, inaccessible, and/or not deployed"
        if provider == "fireworks":
            payload = responses.error_body(404, message, envelope="bare", param="model")
        else:
            payload = responses.error_body(404, message, envelope="openai")
        return Outcome.json(404, payload, [("x-request-id", request_id)])

    def _headers(self, provider: str, request_id: str, prompt_tokens: int, cached: int,
                 stream: bool, body: dict[str, Any]) -> list[tuple[str, str]]:
        ctype = _SSE if stream else "application/json"
        if provider == "fireworks":
            sampling = {k: body.get(k) for k in ("max_tokens", "temperature", "top_p")
                        if body.get(k) is not None}
            return [("content-type", ctype), *responses.fireworks_headers(
                request_id, prompt_tokens=prompt_tokens, cached_tokens=cached, stream=stream,
                sampling=sampling)]
        return [("content-type", ctype), ("x-request-id", request_id)]

    def _sse(self, chunks: list[dict[str, Any]], headers: list[tuple[str, str]],
             latency: float) -> Outcome:
        parts = [sse_frame(c) for c in chunks] + [sse_frame("[DONE]")]
        return Outcome(200, headers, parts, stream=True, delay=latency)

    def _completions(self, provider: str, body: dict[str, Any], request_id: str) -> Outcome:
        bad = validation.check_completion(provider, body)
        if bad:
            return self._error(provider, bad.status, bad.message, request_id, bad.param)
        prompt = body["prompt"]
        prompt_text = prompt if isinstance(prompt, str) else " ".join(
            p for p in prompt if isinstance(p, str)) if isinstance(prompt, list) else ""
        stream = bool(body.get("stream"))
        n_words = self.stream_chunks if stream else None
        text = " " + generate.reply_text(prompt_text, n_words=n_words).strip()
        plan = _apply_limits(Plan(content=text), body)
        n = _choices(body)
        meta = responses.ChatMeta(provider, request_id,
                                  responses.served_model(provider, str(body["model"])),
                                  generate.count_tokens(prompt_text), 0, n)
        headers = self._headers(provider, request_id, meta.prompt_tokens, 0, stream, body)
        if stream:
            include = bool((body.get("stream_options") or {}).get("include_usage"))
            chunks = responses.completion_chunks(meta, plan.content or "", plan.finish,
                                                 include_usage=include,
                                                 pieces=self.stream_chunks)
            return self._sse(chunks, headers, self.latency)
        out = Outcome.json(200, responses.completion(meta, plan.content or "", plan.finish),
                           headers)
        out.delay = self.latency
        return out

    def _embeddings(self, provider: str, body: dict[str, Any], request_id: str) -> Outcome:
        bad = validation.check_embeddings(provider, body)
        if bad:
            return self._error(provider, bad.status, bad.message, request_id, bad.param)
        inputs = validation.embedding_inputs(body)
        out = Outcome(200, [("content-type", "application/json"), ("x-request-id", request_id)],
                      [responses.embeddings(provider, body, inputs)])
        out.delay = self.latency + self.per_input_latency * len(inputs)
        return out

    def _rerank(self, provider: str, body: dict[str, Any], request_id: str) -> Outcome:
        bad = validation.check_rerank(provider, body)
        if bad:
            return self._error(provider, bad.status, bad.message, request_id, bad.param)
        rid = f"rerank-{request_id[:8]}"
        out = Outcome.json(200, responses.rerank(provider, body, rid),
                           [("x-request-id", request_id)])
        out.delay = self.latency + self.per_input_latency * len(body["documents"])
        return out


def _choices(body: dict[str, Any]) -> int:
    n = body.get("n")
    return n if isinstance(n, int) and not isinstance(n, bool) and 0 < n <= 128 else 1


def _mcp_tool(server: Any) -> str:
    slug = server if isinstance(server, str) else (
        server.get("slug") or server.get("name") or "mcp") if isinstance(server, dict) else "mcp"
    tail = str(slug).rstrip("/").rsplit("/", 1)[-1]
    return tail.replace("-", "_").replace(".", "_")


def _apply_limits(plan: Plan, body: dict[str, Any]) -> Plan:
    """Stop sequences and ``max_tokens``: cut the text, finish_reason ``length``."""
    if plan.content is None or plan.tool_calls:
        return plan
    text = plan.content
    finish = plan.finish_reason
    stops = body.get("stop")
    for s in [stops] if isinstance(stops, str) else (stops or []):
        if isinstance(s, str) and s and s in text:
            text = text[: text.index(s)]
            finish = "stop"
    limit = body.get("max_tokens") or body.get("max_completion_tokens")
    if isinstance(limit, int) and limit > 0 and generate.count_tokens(text) > limit:
        text = "".join(re.findall(r"\s*(?:\w+|[^\w\s])", text)[:limit])
        finish = "length"
    return Plan(content=text, tool_calls=plan.tool_calls, reasoning=plan.reasoning,
                finish_reason=finish)
