"""Pure builders of response bodies and stream chunks, shaped like each real API's.

Shapes follow the real Fireworks captures in ``tests/data/real_captures/`` (key order, role-only
first delta, ``"usage": null`` on non-final chunks, the finish chunk with ``delta: {}``)
and docs/wire.md §1.8-§1.16 / §2.4-§2.7 / §3 for the rest. Nothing here does I/O.

>>> body = error_body(404, "Model not found", envelope="bare", param="model")
>>> body["code"], body["type"]
('NOT_FOUND', 'error')
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fw_core.testing import generate
from fw_core.testing.plan import Plan, PlannedCall, inline_think

__all__ = [
    "CREATED",
    "ChatMeta",
    "Envelope",
    "chat_chunks",
    "chat_completion",
    "completion",
    "completion_chunks",
    "embeddings",
    "error_body",
    "fireworks_headers",
    "rerank",
    "served_model",
]

#: Fixed ``created`` timestamp (2026-01-01T00:00:00Z): responses are deterministic.
CREATED = 1767225600

Envelope = str  # "wrapped" | "bare" | "string" | "openai" | "anthropic" | "fastapi" | "html"

_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    402: "PAYMENT_REQUIRED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    408: "REQUEST_TIMEOUT",
    409: "CONFLICT",
    412: "PRECONDITION_FAILED",
    413: "PAYLOAD_TOO_LARGE",
    422: "UNPROCESSABLE_ENTITY",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}
_ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


def error_body(
    status: int,
    message: str,
    *,
    envelope: Envelope = "wrapped",
    param: str | None = None,
    code: str | None = None,
    request_id: str | None = None,
) -> Any:
    """An error body in one of the envelopes seen in the wild (docs/wire.md §1.15, §2.7).

    ``wrapped``: ``{"error": {message, param, code, type}, "request_id"}`` (Fireworks
    gateway); ``bare``: the inner object alone (the real 404 capture); ``string``:
    ``{"error": "..."}`` (Firmware 401, Fireworks 429); ``openai``:
    ``{"error": {"object": "error", "type": "invalid_request_error", "message"}}``;
    ``anthropic``: ``{"type": "error", "error": {type, message}}``; ``fastapi``:
    ``{"detail": [{loc, msg, type}]}``; ``html``: a str, not JSON (a proxy's 502 page).
    """
    code = code or _CODES.get(status, "ERROR")
    inner = {"message": message, "param": param, "code": code, "type": "error"}
    if envelope == "wrapped":
        out: dict[str, Any] = {"error": inner}
        if request_id:
            out["request_id"] = request_id
        return out
    if envelope == "bare":
        return inner
    if envelope == "string":
        return {"error": message}
    if envelope == "openai":
        return {
            "error": {
                "object": "error",
                "type": "invalid_request_error",
                "message": message,
                "code": code.lower(),
            }
        }
    if envelope == "anthropic":
        return {
            "type": "error",
            "error": {"type": _ANTHROPIC_TYPES.get(status, "api_error"), "message": message},
        }
    if envelope == "fastapi":
        return {
            "detail": [{"loc": ["body", param or "body"], "msg": message, "type": "value_error"}]
        }
    if envelope == "html":
        return (
            f"<html>\r\n<head><title>{status} {message}</title></head>\r\n<body>\r\n"
            f"<center><h1>{status} {message}</h1></center>\r\n</body>\r\n</html>\r\n"
        )
    raise ValueError(f"unknown error envelope {envelope!r}")


def served_model(provider: str, model: str) -> str:
    """The ``model`` the API echoes: Fireworks the model part of ``model#deployment``
    (short ``fireworks/x`` expanded); Firmware the id without its vendor prefix."""
    if provider == "fireworks":
        base = model.split("#", 1)[0]
        if base.startswith("fireworks/") and base.count("/") == 1:
            return f"accounts/fireworks/models/{base.split('/', 1)[1]}"
        return base
    return model.split("/", 1)[1] if "/" in model else model


def fireworks_headers(
    request_id: str,
    *,
    prompt_tokens: int,
    cached_tokens: int,
    stream: bool,
    sampling: dict[str, Any] | None = None,
) -> list[tuple[str, str]]:
    """The ``fireworks-*``, ``x-ratelimit-*`` and ``x-request-id`` headers of a capture."""
    timing = (
        ("fireworks-server-time-to-first-token", "0.041")
        if stream
        else ("fireworks-server-processing-time", "0.187")
    )
    headers = [
        ("fireworks-middleware-version", "v2"),
        ("fireworks-prompt-tokens", str(prompt_tokens)),
        ("fireworks-cached-prompt-tokens", str(cached_tokens)),
        timing,
        ("fireworks-speculation-generated-tokens", "0"),
        ("x-ratelimit-limit-requests", "6000"),
        ("x-ratelimit-limit-tokens-generated", "36000"),
        ("x-ratelimit-limit-tokens-prompt", "3600000"),
        ("x-ratelimit-over-limit", "no"),
        ("x-ratelimit-remaining-requests", "5999"),
        ("x-ratelimit-remaining-tokens-generated", "36000"),
        ("x-ratelimit-remaining-tokens-prompt", str(max(0, 3600000 - prompt_tokens))),
        ("x-request-id", request_id),
    ]
    if sampling is not None:
        headers.insert(2, ("fireworks-sampling-options", json.dumps(sampling)))
    return headers


# --------------------------------------------------------------------------------------
# chat


@dataclass(frozen=True)
class ChatMeta:
    """What every chunk/completion of one answer shares.

    Example:
        >>> meta = ChatMeta("fireworks", "chatcmpl-1", "accounts/fireworks/models/m", 5, 0)
        >>> chat_completion(meta, Plan(content="Hi."), None)["usage"]["total_tokens"]
        7
    """

    provider: str
    id: str
    model: str
    prompt_tokens: int
    cached_tokens: int
    n: int = 1


def _arguments(call: PlannedCall) -> str:
    if isinstance(call.arguments, str):
        return call.arguments
    return json.dumps(call.arguments, ensure_ascii=False)


def _call_id(meta: ChatMeta, choice: int, i: int) -> str:
    return "call_" + generate.hex_digest(meta.id, choice, i, length=24)


def _visible_content(meta: ChatMeta, plan: Plan, reasoning: str | None) -> str | None:
    if reasoning and inline_think(meta.model):
        return f"<think>\n{reasoning}\n</think>\n\n{plan.content or ''}"
    return plan.content


def _usage(meta: ChatMeta, plan: Plan, reasoning: str | None) -> dict[str, Any]:
    completion = generate.count_tokens(plan.content or "") + sum(
        generate.count_tokens(_arguments(c)) + 4 for c in plan.tool_calls
    )
    thinking = generate.count_tokens(reasoning) if reasoning else 0
    completion = (completion + thinking) * meta.n
    usage: dict[str, Any] = {
        "prompt_tokens": meta.prompt_tokens,
        "total_tokens": meta.prompt_tokens + completion,
        "completion_tokens": completion,
    }
    if meta.provider == "fireworks":
        usage["prompt_tokens_details"] = {"cached_tokens": meta.cached_tokens}
    else:
        if meta.cached_tokens:
            usage["prompt_tokens_details"] = {"cached_tokens": meta.cached_tokens}
        if thinking:
            usage["completion_tokens_details"] = {"reasoning_tokens": thinking * meta.n}
    return usage


def chat_completion(
    meta: ChatMeta, plan: Plan, reasoning: str | None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A non-streaming ``chat.completion`` body."""
    choices = []
    for c in range(meta.n):
        message: dict[str, Any] = {
            "role": "assistant",
            "content": _visible_content(meta, plan, reasoning),
        }
        if reasoning and not inline_think(meta.model):
            message["reasoning_content"] = reasoning
        if plan.tool_calls:
            message["tool_calls"] = [
                {
                    "id": _call_id(meta, c, i),
                    "type": "function",
                    "function": {"name": call.name, "arguments": _arguments(call)},
                }
                for i, call in enumerate(plan.tool_calls)
            ]
        choices.append({"index": c, "message": message, "finish_reason": plan.finish})
    body = {
        "id": meta.id,
        "object": "chat.completion",
        "created": CREATED,
        "model": meta.model,
        "choices": choices,
        "usage": _usage(meta, plan, reasoning),
    }
    body.update(extra or {})
    return body


def _deltas(
    meta: ChatMeta,
    plan: Plan,
    reasoning: str | None,
    choice: int,
    pieces: int | None,
    repeat_tool_fields: bool = False,
) -> list[dict[str, Any]]:
    """The deltas of one choice after the role chunk, before the finish chunk.

    ``repeat_tool_fields``: every tool-call fragment repeats ``id``, ``type`` and
    ``function.name``, as Fireworks streams some models (docs/wire.md §8).
    """
    out: list[dict[str, Any]] = []
    content = plan.content or ""
    if reasoning and inline_think(meta.model):
        out.append({"content": "<think>\n"})
        out += [{"content": p} for p in generate.split_pieces(reasoning)]
        out.append({"content": "\n</think>\n\n"})
    elif reasoning:
        out += [{"reasoning_content": p} for p in generate.split_pieces(reasoning)]
    out += [{"content": p} for p in generate.split_pieces(content, pieces)]
    fragments: list[list[dict[str, Any]]] = []
    for i, call in enumerate(plan.tool_calls):
        args = _arguments(call)
        frags = [
            {
                "index": i,
                "id": _call_id(meta, choice, i),
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }
        ]
        step = max(4, len(args) // 3 + 1)
        head = frags[0]
        frags += [
            {**head, "function": {"name": call.name, "arguments": args[k : k + step]}}
            if repeat_tool_fields
            else {"index": i, "function": {"arguments": args[k : k + step]}}
            for k in range(0, len(args), step)
        ]
        fragments.append(frags)
    depth = max((len(f) for f in fragments), default=0)
    for k in range(depth):  # interleave parallel calls by index
        for frags in fragments:
            if k < len(frags):
                out.append({"tool_calls": [frags[k]]})
    return out


def chat_chunks(
    meta: ChatMeta,
    plan: Plan,
    reasoning: str | None,
    *,
    include_usage: bool,
    pieces: int | None = None,
    extra: dict[str, Any] | None = None,
    repeat_tool_fields: bool = False,
) -> list[dict[str, Any]]:
    """The ``chat.completion.chunk`` objects of a stream (without the ``[DONE]`` frame).

    ``repeat_tool_fields``: tool-call fragments repeat id, type and name (see ``_deltas``).

    Fireworks: ``"usage": null`` on every chunk but the one carrying usage; usage rides on
    the finish chunk unless ``include_usage`` asks for a final ``choices: []`` chunk.
    Firmware (OpenAI style): first delta ``{"role": "assistant", "content": ""}``, usage
    only in the final ``choices: []`` chunk when asked for.
    """
    fw = meta.provider == "fireworks"

    def chunk(choices: list[dict[str, Any]], usage: Any = None) -> dict[str, Any]:
        c: dict[str, Any] = {
            "id": meta.id,
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": meta.model,
            "choices": choices,
        }
        if fw or usage is not None:
            c["usage"] = usage
        return c

    first = {"role": "assistant"} if fw else {"role": "assistant", "content": ""}
    out = [
        chunk([{"index": c, "delta": dict(first), "finish_reason": None}]) for c in range(meta.n)
    ]
    per_choice = [
        _deltas(meta, plan, reasoning, c, pieces, repeat_tool_fields) for c in range(meta.n)
    ]
    for k in range(max(len(d) for d in per_choice)):
        for c, deltas in enumerate(per_choice):
            if k < len(deltas):
                out.append(chunk([{"index": c, "delta": deltas[k], "finish_reason": None}]))
    usage = _usage(meta, plan, reasoning)
    for c in range(meta.n):
        on_finish = usage if (fw and not include_usage and c == meta.n - 1) else None
        out.append(chunk([{"index": c, "delta": {}, "finish_reason": plan.finish}], on_finish))
    if include_usage:
        out.append(chunk([], usage))
    if extra:
        out[-1].update(extra)
    return out


# --------------------------------------------------------------------------------------
# completions


def completion(meta: ChatMeta, text: str, finish: str) -> dict[str, Any]:
    """A ``text_completion`` body."""
    n_tok = generate.count_tokens(text)
    return {
        "id": meta.id,
        "object": "text_completion",
        "created": CREATED,
        "model": meta.model,
        "choices": [
            {"index": c, "text": text, "logprobs": None, "finish_reason": finish}
            for c in range(meta.n)
        ],
        "usage": {
            "prompt_tokens": meta.prompt_tokens,
            "total_tokens": meta.prompt_tokens + n_tok * meta.n,
            "completion_tokens": n_tok * meta.n,
        },
    }


def completion_chunks(
    meta: ChatMeta, text: str, finish: str, *, include_usage: bool, pieces: int | None = None
) -> list[dict[str, Any]]:
    """The ``text_completion`` chunks of a completions stream."""
    usage = completion(meta, text, finish)["usage"]

    def chunk(choices: list[dict[str, Any]], u: Any = None) -> dict[str, Any]:
        return {
            "id": meta.id,
            "object": "text_completion",
            "created": CREATED,
            "model": meta.model,
            "choices": choices,
            "usage": u,
        }

    out = []
    for p in generate.split_pieces(text, pieces):
        for c in range(meta.n):
            out.append(chunk([{"index": c, "text": p, "logprobs": None, "finish_reason": None}]))
    for c in range(meta.n):
        last = usage if (not include_usage and c == meta.n - 1) else None
        out.append(
            chunk([{"index": c, "text": "", "logprobs": None, "finish_reason": finish}], last)
        )
    if include_usage:
        out.append(chunk([], usage))
    return out


# --------------------------------------------------------------------------------------
# embeddings and rerank


def embeddings(provider: str, body: dict[str, Any], inputs: list[Any]) -> bytes:
    """An embeddings body (JSON bytes): deterministic bag-of-words vectors.

    Shape per docs/wire.md §1.11 / §2.6; built as text because benchmarks send thousands of
    inputs and the vectors are mostly zeros.
    """
    model = str(body["model"])
    dims = generate.embedding_dims(model)
    want = body.get("dimensions")
    out_dims = want if isinstance(want, int) and want < dims else dims
    template = body.get("prompt_template")
    b64 = body.get("encoding_format") == "base64"
    items = []
    tokens = 0
    for i, item in enumerate(inputs):
        text = item
        if isinstance(item, dict):
            text = str(template or "{text}")
            for key, value in item.items():
                text = text.replace("{" + str(key) + "}", str(value))
        tokens += generate.count_tokens(str(text))
        entries = generate.embed_sparse(str(text), dims)
        if out_dims < dims:
            entries = generate.truncate_sparse(entries, out_dims)
        if b64:
            vec = [0.0] * out_dims
            for k, v in entries:
                vec[k] = v
            value = json.dumps(generate.encode_base64(vec))
        else:
            value = generate.sparse_json(entries, out_dims)
        items.append(f'{{"index":{i},"object":"embedding","embedding":{value}}}')
    head = json.dumps({"object": "list", "model": model}, ensure_ascii=False)[:-1]
    usage = json.dumps({"prompt_tokens": tokens, "total_tokens": tokens})
    return f'{head},"data":[{",".join(items)}],"usage":{usage}}}'.encode()


def _doc_text(doc: Any) -> str:
    return doc["text"] if isinstance(doc, dict) else str(doc)


def rerank(provider: str, body: dict[str, Any], response_id: str) -> dict[str, Any]:
    """A rerank body: Fireworks ``data[].document: str`` or Firmware ``results[]``."""
    query = str(body["query"])
    docs = body["documents"]
    scored = sorted(
        ((generate.overlap_score(query, _doc_text(d)), i) for i, d in enumerate(docs)),
        key=lambda t: (-t[0], t[1]),
    )
    top_n = body.get("top_n")
    if isinstance(top_n, int):
        scored = scored[:top_n]
    tokens = generate.count_tokens(query) * len(docs) + sum(
        generate.count_tokens(_doc_text(d)) for d in docs
    )
    if provider == "fireworks":
        with_docs = body.get("return_documents", True) is not False
        data = []
        for score, i in scored:
            item: dict[str, Any] = {"index": i, "relevance_score": score}
            if with_docs:
                item["document"] = _doc_text(docs[i])
            data.append(item)
        model = served_model("fireworks", str(body.get("model") or "fireworks/qwen3-reranker-8b"))
        return {
            "object": "list",
            "model": model,
            "data": data,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
    results = []
    for score, i in scored:
        item = {"index": i, "relevance_score": score}
        if body.get("return_documents") is True:
            item["document"] = {"text": _doc_text(docs[i])}
        results.append(item)
    return {"id": response_id, "results": results, "usage": {"total_tokens": tokens}}
