"""The endpoints of the double: one function per route, request body in, Outcome out.

Each function validates like the real API (:mod:`fw_core.testing.validation`), builds the
answer (:mod:`fw_core.testing.plan`, :mod:`fw_core.testing.generate`) and shapes it
(:mod:`fw_core.testing.responses`). :class:`~fw_core.testing.WireDouble` routes to them.

>>> import json
>>> out = rerank("firmware", {"model": "rerank-2.5", "query": "tea",
...                          "documents": ["coffee", "green tea"]}, "r1", Knobs())
>>> out.status, json.loads(out.body())["results"][0]["index"]
(200, 1)
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from fw_core.testing import catalog, generate, responses, validation
from fw_core.testing.outcome import Outcome, sse_frame
from fw_core.testing.plan import (
    Plan,
    default_reasoning,
    message_text,
    plan_chat,
    reasoning_requested,
)
from fw_core.testing.script import find_scripted

__all__ = [
    "Knobs",
    "PromptCache",
    "chat",
    "completions",
    "embeddings",
    "error",
    "get",
    "not_found",
    "rerank",
    "reset_window",
]

_SSE = "text/event-stream; charset=utf-8"


@dataclass(frozen=True)
class Knobs:
    """Benchmark knobs: delay per request, extra delay per input, chunks per stream; and
    ``repeat_tool_fields``: streamed tool calls repeat id, type and name on every fragment.

    Example:
        >>> Knobs(latency=0.05, per_input_latency=0.0002).stream_chunks is None
        True
    """

    latency: float = 0.0
    per_input_latency: float = 0.0
    stream_chunks: int | None = None
    repeat_tool_fields: bool = False


class PromptCache:
    """Prompt caching as the API reports it: a message prefix seen before is cached.

    A model of what docs/wire.md §1.19 describes, not a measurement of the service: the
    cache lives per *replica*; a request with an affinity key (the ``x-session-affinity``
    header, else the ``prompt_cache_key`` or ``user`` body field) always reaches the same
    replica (the key's hash modulo ``replicas``), one without is spread round-robin. A
    ``prompt_cache_isolation_key`` (body, or the ``x-prompt-cache-isolation-key`` header)
    is an extra cache key: nothing is shared across different keys. With ``replicas=1``
    (the default) every request sees every earlier prefix.

    Example:
        >>> cache = PromptCache()
        >>> msgs = [{"role": "system", "content": "Be brief."}]
        >>> cache.measure(msgs)[1], cache.measure(msgs + msgs)[1] > 0
        (0, True)
        >>> spread = PromptCache(replicas=2)  # no affinity key: round-robin
        >>> [spread.measure_request({"messages": msgs})[1] > 0 for _ in range(3)]
        [False, False, True]
    """

    def __init__(self, replicas: int = 1) -> None:
        if replicas < 1:
            raise ValueError("replicas must be >= 1")
        self.replicas = replicas
        self._seen: set[str] = set()
        self._next = 0  # round-robin position for requests without an affinity key
        self._lock = threading.Lock()

    def route(self, affinity: str | None) -> int:
        """The replica a request goes to: by its affinity key, else round-robin."""
        if self.replicas == 1:
            return 0
        if affinity:
            return int(generate.hex_digest(affinity, length=8), 16) % self.replicas
        with self._lock:
            replica = self._next
            self._next = (self._next + 1) % self.replicas
        return replica

    def measure(
        self, messages: list[Any], *, replica: int = 0, partition: str = ""
    ) -> tuple[int, int]:
        """(prompt tokens, cached tokens) for ``messages``; remembers their prefixes."""
        counts = [generate.count_tokens(message_text(m)) + 4 for m in messages]
        keys = [
            generate.hex_digest(replica, partition, messages[: i + 1]) for i in range(len(messages))
        ]
        with self._lock:
            cached = 0
            for i in range(len(messages) - 1, -1, -1):
                if keys[i] in self._seen:
                    cached = sum(counts[: i + 1])
                    break
            self._seen.update(keys)
        return sum(counts), cached

    def measure_request(
        self, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> tuple[int, int]:
        """:meth:`measure` for a chat request, routed and partitioned as documented."""
        hdrs = headers or {}
        affinity = (
            hdrs.get("x-session-affinity") or body.get("prompt_cache_key") or body.get("user")
        )
        partition = body.get("prompt_cache_isolation_key") or hdrs.get(
            "x-prompt-cache-isolation-key", ""
        )
        replica = self.route(str(affinity) if affinity else None)
        return self.measure(body["messages"], replica=replica, partition=str(partition))

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()
            self._next = 0


def _perf_metrics(prompt_tokens: int, cached: int, stream: bool) -> dict[str, Any]:
    """``perf_metrics`` as ``perf_metrics_in_response`` asks (docs/wire.md §1.16 keys)."""
    timing = "server-time-to-first-token" if stream else "server-processing-time"
    return {
        "prompt-tokens": prompt_tokens,
        "cached-prompt-tokens": cached,
        timing: 0.041 if stream else 0.187,
    }


def error(
    provider: str, status: int, message: str, request_id: str, param: str | None = None
) -> Outcome:
    """An error in the provider's usual envelope (Firmware 401: ``{"error": "Unauthorized"}``)."""
    if provider == "firmware":
        if status == 401:
            payload: Any = {"error": "Unauthorized"}
        else:
            payload = responses.error_body(status, message, envelope="openai")
    else:
        payload = responses.error_body(status, message, param=param, request_id=request_id)
    return Outcome.json(status, payload, [("x-request-id", request_id)])


def get(provider: str, ep: str, request_id: str, query: dict[str, list[str]]) -> Outcome:
    """GET endpoints: models, the Fireworks catalog (paged, ``filter``), Firmware quota.

    The quota generation is :data:`fw_core.testing.catalog.QUOTA_GENERATION` unless the
    request asks for one with ``?double_quota=<generation>``.
    """
    hdrs = [("x-request-id", request_id)]
    if ep == "catalog":
        size = query.get("pageSize", [None])[0]
        token = query.get("pageToken", [None])[0]
        where = query.get("filter", [None])[0]
        try:
            models, nxt, total = catalog.catalog_page(
                int(size) if size and size.isdigit() else None, token, where
            )
        except ValueError as exc:
            param = "filter" if where and "filter" in str(exc) else "pageToken"
            return error("fireworks", 400, str(exc), request_id, param)
        return Outcome.json(200, {"models": models, "nextPageToken": nxt, "totalSize": total}, hdrs)
    if ep == "models":
        payload = (
            catalog.fireworks_openai_list() if provider == "fireworks" else catalog.firmware_list()
        )
        return Outcome.json(200, payload, hdrs)
    if ep == "quota" and provider == "firmware":
        try:
            body = catalog.quota(query.get("double_quota", [None])[0])
        except ValueError as exc:
            return error(provider, 400, str(exc), request_id, "double_quota")
        return Outcome.json(200, body, hdrs)
    return Outcome.json(404, {"detail": "Not Found"}, hdrs)


def reset_window(provider: str, request_id: str, query: dict[str, list[str]]) -> Outcome:
    """POST ``/quota/reset-window`` (Firmware, undocumented): stateless; the resets left
    before this call come from ``?double_resets=<n>`` (default 2)."""
    hdrs = [("x-request-id", request_id)]
    if provider != "firmware":
        return Outcome.json(404, {"detail": "Not Found"}, hdrs)
    raw = query.get("double_resets", ["2"])[0] or "2"
    status, body = catalog.reset_window(int(raw) if raw.isdigit() else 2)
    return Outcome.json(status, body, hdrs)


def chat(
    provider: str,
    body: dict[str, Any],
    request_id: str,
    knobs: Knobs,
    cache: PromptCache,
    scripted_hits: list[str],
    request_headers: dict[str, str] | None = None,
) -> Outcome:
    """POST chat/completions: validate, plan the answer, shape it (plain or SSE).

    ``request_headers`` (lower-case names): the prompt cache routes on them.
    """
    bad = validation.check_chat(provider, body)
    if bad:
        return error(provider, bad.status, bad.message, request_id, bad.param)
    model = str(body["model"])
    if "nonexistent" in model or "does-not-exist" in model:
        return not_found(provider, request_id)
    stream = bool(body.get("stream"))
    max_tokens = body.get("max_tokens") or body.get("max_completion_tokens")
    if provider == "fireworks" and not stream and isinstance(max_tokens, int) and max_tokens > 4096:
        return error(
            provider,
            400,
            "Requests with max_tokens > 4096 must have stream=true",
            request_id,
            "max_tokens",
        )
    prompt_tokens, cached = cache.measure_request(body, request_headers)
    limit = catalog.context_length(provider, model)
    if prompt_tokens > limit:
        return error(
            provider,
            400,
            f"The prompt is too long: {prompt_tokens}, model maximum context length: {limit}",
            request_id,
            "messages",
        )
    entry = find_scripted(provider, body)
    if entry is not None:
        scripted_hits.append(entry.name)
        plan = entry.reply(provider, body)
    else:
        plan = plan_chat(provider, body, stream_chunks=knobs.stream_chunks if stream else None)
    reasoning = plan.reasoning
    if reasoning is None and reasoning_requested(body):
        reasoning = default_reasoning(body)
    plan = _apply_limits(plan, body)
    n = _choices(body)
    meta = responses.ChatMeta(
        provider, request_id, responses.served_model(provider, model), prompt_tokens, cached, n
    )
    extra: dict[str, Any] = {}
    if provider == "firmware" and body.get("mcp_servers"):
        extra["tools_executed"] = [_mcp_tool(s) for s in body["mcp_servers"]]
    if provider == "fireworks" and body.get("perf_metrics_in_response"):
        extra["perf_metrics"] = _perf_metrics(prompt_tokens, cached, stream)
    headers = _headers(provider, request_id, prompt_tokens, cached, stream, body)
    latency = knobs.latency
    if stream:
        include = bool((body.get("stream_options") or {}).get("include_usage"))
        chunks = responses.chat_chunks(
            meta,
            plan,
            reasoning,
            include_usage=include,
            pieces=knobs.stream_chunks,
            extra=extra,
            repeat_tool_fields=knobs.repeat_tool_fields,
        )
        return _sse(chunks, headers, latency)
    payload = responses.chat_completion(meta, plan, reasoning, extra)
    out = Outcome.json(200, payload, headers)
    out.delay = latency
    return out


def not_found(provider: str, request_id: str) -> Outcome:
    """The unknown-model 404 (Fireworks: the bare body of the real capture)."""
    message = "Model not found, inaccessible, and/or not deployed"
    if provider == "fireworks":
        payload = responses.error_body(404, message, envelope="bare", param="model")
    else:
        payload = responses.error_body(404, message, envelope="openai")
    return Outcome.json(404, payload, [("x-request-id", request_id)])


def _headers(
    provider: str,
    request_id: str,
    prompt_tokens: int,
    cached: int,
    stream: bool,
    body: dict[str, Any],
) -> list[tuple[str, str]]:
    ctype = _SSE if stream else "application/json"
    if provider == "fireworks":
        sampling = {
            k: body.get(k)
            for k in ("max_tokens", "temperature", "top_p")
            if body.get(k) is not None
        }
        return [
            ("content-type", ctype),
            *responses.fireworks_headers(
                request_id,
                prompt_tokens=prompt_tokens,
                cached_tokens=cached,
                stream=stream,
                sampling=sampling,
            ),
        ]
    return [("content-type", ctype), ("x-request-id", request_id)]


def _sse(chunks: list[dict[str, Any]], headers: list[tuple[str, str]], latency: float) -> Outcome:
    parts = [sse_frame(c) for c in chunks] + [sse_frame("[DONE]")]
    return Outcome(200, headers, parts, stream=True, delay=latency)


def completions(provider: str, body: dict[str, Any], request_id: str, knobs: Knobs) -> Outcome:
    """POST completions (text), plain or streamed."""
    bad = validation.check_completion(provider, body)
    if bad:
        return error(provider, bad.status, bad.message, request_id, bad.param)
    prompt = body["prompt"]
    prompt_text = (
        prompt
        if isinstance(prompt, str)
        else " ".join(p for p in prompt if isinstance(p, str))
        if isinstance(prompt, list)
        else ""
    )
    stream = bool(body.get("stream"))
    n_words = knobs.stream_chunks if stream else None
    text = " " + generate.reply_text(prompt_text, n_words=n_words).strip()
    plan = _apply_limits(Plan(content=text), body)
    n = _choices(body)
    meta = responses.ChatMeta(
        provider,
        request_id,
        responses.served_model(provider, str(body["model"])),
        generate.count_tokens(prompt_text),
        0,
        n,
    )
    headers = _headers(provider, request_id, meta.prompt_tokens, 0, stream, body)
    if stream:
        include = bool((body.get("stream_options") or {}).get("include_usage"))
        chunks = responses.completion_chunks(
            meta, plan.content or "", plan.finish, include_usage=include, pieces=knobs.stream_chunks
        )
        return _sse(chunks, headers, knobs.latency)
    out = Outcome.json(200, responses.completion(meta, plan.content or "", plan.finish), headers)
    out.delay = knobs.latency
    return out


def embeddings(provider: str, body: dict[str, Any], request_id: str, knobs: Knobs) -> Outcome:
    """POST embeddings."""
    bad = validation.check_embeddings(provider, body)
    if bad:
        return error(provider, bad.status, bad.message, request_id, bad.param)
    inputs = validation.embedding_inputs(body)
    out = Outcome(
        200,
        [("content-type", "application/json"), ("x-request-id", request_id)],
        [responses.embeddings(provider, body, inputs)],
    )
    out.delay = knobs.latency + knobs.per_input_latency * len(inputs)
    return out


def rerank(provider: str, body: dict[str, Any], request_id: str, knobs: Knobs) -> Outcome:
    """POST rerank, in the provider's shape."""
    bad = validation.check_rerank(provider, body)
    if bad:
        return error(provider, bad.status, bad.message, request_id, bad.param)
    rid = f"rerank-{request_id[:8]}"
    out = Outcome.json(200, responses.rerank(provider, body, rid), [("x-request-id", request_id)])
    out.delay = knobs.latency + knobs.per_input_latency * len(body["documents"])
    return out


def _choices(body: dict[str, Any]) -> int:
    n = body.get("n")
    return n if isinstance(n, int) and not isinstance(n, bool) and 0 < n <= 128 else 1


def _mcp_tool(server: Any) -> str:
    slug = (
        server
        if isinstance(server, str)
        else (server.get("slug") or server.get("name") or "mcp")
        if isinstance(server, dict)
        else "mcp"
    )
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
    return Plan(
        content=text, tool_calls=plan.tool_calls, reasoning=plan.reasoning, finish_reason=finish
    )
