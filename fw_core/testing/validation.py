"""Request checks the real APIs make, as pure functions returning an error or None.

The double rejects what the strict APIs would reject (unknown top-level fields, unknown
per-message keys, missing required fields, over-limit batches, sampling options outside
their documented ranges, malformed tools and ``tool_choice``, content parts Fireworks cannot
read), so framework tests catch a field or value the real API would refuse. Field lists
come from docs/wire.md §1.4 (Fireworks, the documented list plus ``stream_options``) and
§2.3 (Firmware, documented plus the likely pass-through set); content parts from §1.17.

>>> check_chat("fireworks", {"model": "m", "messages": [{"role": "user", "content": "x"}],
...                          "foo": 1}).message
"Extra inputs are not permitted, field: 'foo'"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fw_core.testing import catalog

__all__ = [
    "EMBEDDING_LIMITS",
    "FIREWORKS_CHAT_FIELDS",
    "FIREWORKS_RANGES",
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
#: Most inputs per embeddings request (Fireworks per docs/wire.md §1.11; Firmware: lead's choice).
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
    return (
        _extra(body, allowed)
        or _check_messages(body["messages"])
        or _check_counts(body)
        or _check_tools(body)
        or (
            _check_fireworks_ranges(body)
            or _check_fireworks_reasoning(body)
            or _check_fireworks_parts(body)
            if provider == "fireworks"
            else None
        )
    )


#: Documented ranges of the Fireworks sampling options (docs/wire.md §1.4): name -> (low, high).
FIREWORKS_RANGES: dict[str, tuple[float, float]] = {
    "temperature": (0, 2),
    "top_p": (0, 1),
    "top_k": (0, 100),
    "min_p": (0, 1),
    "typical_p": (0, 1),
    "frequency_penalty": (-2, 2),
    "presence_penalty": (-2, 2),
    "repetition_penalty": (0, 2),
    "top_logprobs": (0, 5),
}
_INTEGER_OPTIONS = frozenset({"top_k", "top_logprobs"})


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_counts(body: dict[str, Any]) -> Invalid | None:
    """Both providers: positive integer limits, one spelling of the output cap, n, stop."""
    if body.get("max_tokens") is not None and body.get("max_completion_tokens") is not None:
        return Invalid(
            "max_tokens and max_completion_tokens cannot both be set", "max_completion_tokens"
        )
    for name, high in (("max_tokens", None), ("max_completion_tokens", None), ("n", 128)):
        value = body.get(name)
        if value is None:
            continue
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or value < 1
            or (high is not None and value > high)
        ):
            bound = f"between 1 and {high}" if high else "at least 1"
            return Invalid(f"{name} must be an integer {bound}, got {value!r}", name)
    stop = body.get("stop")
    if stop is not None:
        stops = [stop] if isinstance(stop, str) else stop
        if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
            return Invalid("stop must be a string or a list of strings", "stop")
        if len(stops) > 4:
            return Invalid(f"stop allows at most 4 sequences, got {len(stops)}", "stop")
    return None


_TOOL_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TOOL_CHOICES = frozenset({"auto", "none", "required", "any"})


def _check_tools(body: dict[str, Any]) -> Invalid | None:
    """Tool definitions (function tools, valid names, object parameters) and tool_choice."""
    tools = body.get("tools")
    names: set[str] = set()
    if tools is not None:
        if not isinstance(tools, list):
            return Invalid("tools must be a list", "tools")
        for i, tool in enumerate(tools):
            fn = tool.get("function") if isinstance(tool, dict) else None
            if (
                not isinstance(tool, dict)
                or tool.get("type") != "function"
                or not isinstance(fn, dict)
            ):
                return Invalid(f"tools[{i}] must be a function tool", "tools")
            name = fn.get("name")
            if not isinstance(name, str) or not _TOOL_NAME.fullmatch(name):
                return Invalid(
                    f"tools[{i}].function.name {name!r} must match [A-Za-z0-9_-]{{1,64}}", "tools"
                )
            params = fn.get("parameters")
            if params is not None and (
                not isinstance(params, dict) or params.get("type", "object") != "object"
            ):
                return Invalid(f"tools[{i}].function.parameters must be an object schema", "tools")
            names.add(name)
    choice = body.get("tool_choice")
    if choice is None:
        return None
    if isinstance(choice, str):
        if choice not in _TOOL_CHOICES:
            return Invalid(
                f"tool_choice {choice!r} is not one of {sorted(_TOOL_CHOICES)}", "tool_choice"
            )
        if choice in ("required", "any") and not names:
            return Invalid(f"tool_choice {choice!r} needs tools", "tool_choice")
        return None
    if isinstance(choice, dict):
        fn = choice.get("function")
        forced = fn.get("name") if isinstance(fn, dict) else choice.get("name")
        if forced not in names:
            return Invalid(
                f"tool_choice names {forced!r}, which is not among the tools", "tool_choice"
            )
        return None
    return Invalid("tool_choice must be a string or an object", "tool_choice")


def _check_fireworks_ranges(body: dict[str, Any]) -> Invalid | None:
    for name, (low, high) in FIREWORKS_RANGES.items():
        value = body.get(name)
        if value is None:
            continue
        kind_ok = (
            isinstance(value, int) and not isinstance(value, bool)
            if name in _INTEGER_OPTIONS
            else _is_number(value)
        )
        if not kind_ok or not low <= value <= high:
            return Invalid(f"{name} must be between {low} and {high}, got {value!r}", name)
    logprobs = body.get("logprobs")
    if (
        logprobs is not None
        and not isinstance(logprobs, bool)
        and not (isinstance(logprobs, int) and 0 <= logprobs <= 5)
    ):
        return Invalid("logprobs must be a boolean or an integer between 0 and 5", "logprobs")
    return None


def _check_fireworks_reasoning(body: dict[str, Any]) -> Invalid | None:
    """docs/wire.md §1.4/§1.7: not both styles at once; gpt-oss takes only low/medium/high."""
    effort = body.get("reasoning_effort")
    if effort is not None and body.get("thinking") is not None:
        return Invalid("reasoning_effort and thinking cannot be set together", "thinking")
    if (
        "gpt-oss" in str(body.get("model", ""))
        and effort is not None
        and effort not in ("low", "medium", "high")
    ):
        return Invalid(f"Invalid reasoning effort: {str(effort).lower()}", "reasoning_effort")
    return None


def _check_image_url(where: str, part: dict[str, Any], model: str) -> Invalid | None:
    raw = part.get("image_url")
    url = raw if isinstance(raw, str) else raw.get("url") if isinstance(raw, dict) else None
    if not isinstance(url, str) or not url:
        return Invalid(f"{where}.image_url.url must be a non-empty string", "messages")
    if url.startswith("data:"):
        mime = url[5:].split(";", 1)[0].split(",", 1)[0].lower()
        if not mime.startswith("image/"):
            return Invalid(
                f"{where}: a {mime or 'untyped'} data URL is not an image; Fireworks "
                "chat reads images, not documents (document inlining was removed)",
                "messages",
            )
    elif url.split("#", 1)[0].split("?", 1)[0].lower().endswith(".pdf"):
        return Invalid(
            f"{where}: a PDF is not an image; convert its pages to images "
            "(document inlining was removed)",
            "messages",
        )
    if catalog.image_input("fireworks", model) is False:
        return Invalid(f"Model {model} does not support image input", "messages")
    return None


def _check_fireworks_parts(body: dict[str, Any]) -> Invalid | None:
    """docs/wire.md §1.4/§1.17/§1.20: no ``file`` parts; no documents (non-image data URLs,
    PDF URLs: document inlining was removed on 2025-06-30); images only for a model that
    takes them; ``audio_url`` parts carry a URL (an audio data URL when inline)."""
    model = str(body.get("model", ""))
    for i, message in enumerate(body["messages"]):
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for j, part in enumerate(content):
            where = f"messages[{i}].content[{j}]"
            kind = part.get("type") if isinstance(part, dict) else None
            if kind == "file":
                return Invalid(
                    f"{where}: Fireworks chat has no 'file' content part; send a document "
                    "as an image_url part",
                    "messages",
                )
            if kind == "image_url":
                bad = _check_image_url(where, part, model)
                if bad:
                    return bad
            if kind == "audio_url":
                bad = _check_audio_url(where, part)
                if bad:
                    return bad
    return None


def _check_audio_url(where: str, part: dict[str, Any]) -> Invalid | None:
    """docs/wire.md §1.20: ``{"type": "audio_url", "audio_url": {"url": ...}}``, the URL a
    ``data:audio/...;base64,`` URL in the guide's example."""
    raw = part.get("audio_url")
    url = raw.get("url") if isinstance(raw, dict) else None
    if not isinstance(url, str) or not url:
        return Invalid(f"{where}.audio_url.url must be a non-empty string", "messages")
    if url.startswith("data:"):
        mime = url[5:].split(";", 1)[0].split(",", 1)[0].lower()
        if not mime.startswith("audio/"):
            return Invalid(f"{where}: a {mime or 'untyped'} data URL is not audio", "messages")
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
    # Fireworks: "task: string | null", an optional task description (docs/wire.md §1.12)
    task = body.get("task")
    if task is not None and not isinstance(task, str):
        return Invalid("task must be a string or null", "task")
    rd = body.get("return_documents")
    if rd is not None and not isinstance(rd, bool):
        return Invalid("return_documents must be a boolean", "return_documents")
    return None
