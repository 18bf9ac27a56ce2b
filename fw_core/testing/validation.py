"""Request checks the real APIs make, as pure functions returning an error or None.

The double rejects what the strict APIs would reject (unknown top-level fields, unknown
per-message keys, missing required fields, over-limit batches), so framework tests catch
a field the real API would refuse. Field lists come from WIRE.md §1.4 (Fireworks, the
documented list plus ``stream_options``) and §2.3 (Firmware, documented plus the likely
pass-through set).

>>> check_chat("fireworks", {"model": "m", "messages": [{"role": "user", "content": "x"}],
...                          "foo": 1}).message
"Extra inputs are not permitted, field: 'foo'"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "EMBEDDING_LIMITS",
    "FIREWORKS_CHAT_FIELDS",
    "FIRMWARE_CHAT_FIELDS",
    "Invalid",
    "check_chat",
    "check_completion",
    "check_embeddings",
    "check_rerank",
]

_SAMPLING_TEXT = """
model max_tokens max_completion_tokens context_length_exceeded_behavior
prompt_truncate_len temperature top_p top_k min_p typical_p frequency_penalty
presence_penalty repetition_penalty mirostat_target mirostat_lr logit_bias seed n stop
ignore_eos stream stream_options logprobs top_logprobs echo echo_last response_format
reasoning_effort thinking reasoning_history prompt_cache_key prompt_cache_isolation_key
prompt_cache_max_len user metadata service_tier perf_metrics_in_response prediction
speculation raw_output return_token_ids"""
_SAMPLING = frozenset(_SAMPLING_TEXT.split())

FIREWORKS_CHAT_FIELDS = _SAMPLING | frozenset(
    [
        "messages",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "functions",
        "function_call",
        "safe_tokenization",
    ]
)
FIREWORKS_COMPLETION_FIELDS = _SAMPLING | frozenset({"prompt", "images"})

_FIRMWARE_CHAT_FIELDS_TEXT = """
model messages stream temperature max_tokens tools tool_choice mcp_servers thinking
reasoning_effort generation_config safety_settings automatic_tool_execution max_turns
credentials max_completion_tokens top_p top_k stop seed n logprobs top_logprobs
logit_bias presence_penalty frequency_penalty response_format parallel_tool_calls
prompt_cache_key user metadata stream_options tool_config system_instruction
cached_content verbosity web_search_options store service_tier"""
FIRMWARE_CHAT_FIELDS = frozenset(_FIRMWARE_CHAT_FIELDS_TEXT.split())

MESSAGE_KEYS = frozenset(
    {"role", "content", "name", "tool_calls", "tool_call_id", "reasoning_content"}
)
ROLES = frozenset({"system", "user", "assistant", "tool", "developer"})

EMBEDDING_FIELDS = {
    "fireworks": frozenset(
        {
            "model",
            "input",
            "dimensions",
            "prompt_template",
            "return_logits",
            "normalize",
            "encoding_format",
            "user",
        }
    ),
    "firmware": frozenset({"model", "input", "dimensions", "encoding_format", "user"}),
}
RERANK_FIELDS = {
    "fireworks": frozenset({"model", "query", "documents", "top_n", "return_documents", "task"}),
    "firmware": frozenset({"model", "query", "documents", "top_n", "return_documents"}),
}
#: Most inputs per embeddings request (Fireworks per WIRE.md §1.11; Firmware: lead's choice).
EMBEDDING_LIMITS = {"fireworks": 2048, "firmware": 1000}


@dataclass(frozen=True)
class Invalid:
    """Why a request is refused: HTTP status, message, offending parameter.

    Example:
        >>> check_rerank("fireworks", {"query": "q", "documents": []}).param
        'documents'
    """

    message: str
    param: str | None = None
    status: int = 400


def _extra(body: dict[str, Any], allowed: frozenset[str]) -> Invalid | None:
    for key in body:
        if key not in allowed:
            return Invalid(f"Extra inputs are not permitted, field: '{key}'", key)
    return None


def _check_messages(messages: Any) -> Invalid | None:
    if not isinstance(messages, list) or not messages:
        return Invalid("messages must be a non-empty list", "messages")
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            return Invalid(f"messages[{i}] must be an object", "messages")
        if m.get("role") not in ROLES:
            return Invalid(f"messages[{i}].role {m.get('role')!r} is not a valid role", "messages")
        for key in m:
            if key not in MESSAGE_KEYS:
                return Invalid(
                    f"Extra inputs are not permitted, field: 'messages[{i}].{key}'", "messages"
                )
        if m["role"] == "tool" and not m.get("tool_call_id"):
            return Invalid(f"messages[{i}]: a tool message needs tool_call_id", "messages")
    return None


def check_chat(provider: str, body: Any) -> Invalid | None:
    """None when the chat request is acceptable, else why not."""
    if not isinstance(body, dict):
        return Invalid("request body must be a JSON object")
    if not body.get("model"):
        return Invalid("field required: model", "model")
    if "messages" not in body:
        return Invalid("field required: messages", "messages")
    allowed = FIREWORKS_CHAT_FIELDS if provider == "fireworks" else FIRMWARE_CHAT_FIELDS
    return (_extra(body, allowed) or _check_messages(body["messages"])
            or (_check_fireworks_reasoning(body) if provider == "fireworks" else None))


def _check_fireworks_reasoning(body: dict[str, Any]) -> Invalid | None:
    """WIRE.md §1.4/§1.7: not both styles at once; gpt-oss takes only low/medium/high."""
    effort = body.get("reasoning_effort")
    if effort is not None and body.get("thinking") is not None:
        return Invalid("reasoning_effort and thinking cannot be set together", "thinking")
    if "gpt-oss" in str(body.get("model", "")) and effort is not None \
            and effort not in ("low", "medium", "high"):
        return Invalid(f"Invalid reasoning effort: {str(effort).lower()}", "reasoning_effort")
    return None


def check_completion(provider: str, body: Any) -> Invalid | None:
    """None when the text-completion request is acceptable, else why not."""
    if not isinstance(body, dict):
        return Invalid("request body must be a JSON object")
    if not body.get("model"):
        return Invalid("field required: model", "model")
    if "prompt" not in body:
        return Invalid("field required: prompt", "prompt")
    if provider == "fireworks":
        return _extra(body, FIREWORKS_COMPLETION_FIELDS)
    return None


def embedding_inputs(body: dict[str, Any]) -> list[Any]:
    raw = body.get("input")
    return [raw] if isinstance(raw, str | dict) else list(raw or [])


def check_embeddings(provider: str, body: Any) -> Invalid | None:
    """None when the embeddings request is acceptable, else why not."""
    if not isinstance(body, dict):
        return Invalid("request body must be a JSON object")
    if not body.get("model"):
        return Invalid("field required: model", "model")
    if "input" not in body:
        return Invalid("field required: input", "input")
    bad = _extra(body, EMBEDDING_FIELDS[provider])
    if bad:
        return bad
    inputs = embedding_inputs(body)
    if not inputs:
        return Invalid("input must not be empty", "input")
    limit = EMBEDDING_LIMITS[provider]
    if len(inputs) > limit:
        return Invalid(f"input has {len(inputs)} items; at most {limit} are allowed", "input")
    for i, item in enumerate(inputs):
        if isinstance(item, dict) and provider == "fireworks" and body.get("prompt_template"):
            continue
        if not isinstance(item, str):
            return Invalid(f"input[{i}] must be a string", "input")
        if item == "":
            return Invalid(f"input[{i}] must not be an empty string", "input")
    dims = body.get("dimensions")
    if dims is not None and (isinstance(dims, bool) or not isinstance(dims, int) or dims < 1):
        return Invalid("dimensions must be a positive integer", "dimensions")
    fmt = body.get("encoding_format")
    if fmt not in (None, "float", "base64"):
        return Invalid("encoding_format must be 'float' or 'base64'", "encoding_format")
    return None


def check_rerank(provider: str, body: Any) -> Invalid | None:
    """None when the rerank request is acceptable, else why not."""
    if not isinstance(body, dict):
        return Invalid("request body must be a JSON object")
    for key in (
        ("model", "query", "documents") if provider == "firmware" else ("query", "documents")
    ):
        if key not in body or body[key] in (None, ""):
            return Invalid(f"field required: {key}", key)
    bad = _extra(body, RERANK_FIELDS[provider])
    if bad:
        return bad
    docs = body["documents"]
    if not isinstance(docs, list) or not docs:
        return Invalid("documents must be a non-empty list", "documents")
    for i, d in enumerate(docs):
        ok = isinstance(d, str) or (
            provider == "firmware" and isinstance(d, dict) and isinstance(d.get("text"), str)
        )
        if not ok:
            return Invalid(f"documents[{i}] must be a string", "documents")
    top_n = body.get("top_n")
    if top_n is not None and (isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1):
        return Invalid("top_n must be an integer >= 1", "top_n")
    return None
