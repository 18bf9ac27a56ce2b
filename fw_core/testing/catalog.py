"""The model lists the double serves (a small, fixed sample of each API's catalog).

Fireworks: the control-plane catalog ``GET /v1/accounts/{account}/models`` with paging
(WIRE.md §1.13, §3.9) and the OpenAI-style ``GET /inference/v1/models``. Firmware:
``GET /api/v1/models`` (``{"data": [{"id": ...}]}``, WIRE.md §2.6) and ``/quota``.
Context lengths follow the public model cards; they are sample data, not a promise.

>>> page, token, total = catalog_page(page_size=2, page_token=None)
>>> [m["name"].rsplit("/", 1)[1] for m in page], token, total > 2
(['deepseek-v3p1', 'deepseek-r1-0528'], 'offset-2', True)
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "FIREWORKS_MODELS",
    "FIRMWARE_MODELS",
    "catalog_page",
    "context_length",
    "fireworks_openai_list",
    "firmware_list",
    "quota",
]

# (id, display name, context length, tools, image input, kind)
FIREWORKS_MODELS: list[tuple[str, str, int, bool, bool, str]] = [
    ("deepseek-v3p1", "DeepSeek V3.1", 163840, True, False, "HF_BASE_MODEL"),
    ("deepseek-r1-0528", "DeepSeek R1 0528", 163840, True, False, "HF_BASE_MODEL"),
    ("llama-v3p3-70b-instruct", "Llama 3.3 70B Instruct", 131072, True, False, "HF_BASE_MODEL"),
    ("llama-v3p1-8b-instruct", "Llama 3.1 8B Instruct", 131072, True, False, "HF_BASE_MODEL"),
    ("llama4-maverick-instruct-basic", "Llama 4 Maverick Instruct (Basic)", 1048576, True, True,
     "HF_BASE_MODEL"),
    ("qwen3-235b-a22b", "Qwen3 235B A22B", 131072, True, False, "HF_BASE_MODEL"),
    ("qwen2p5-vl-32b-instruct", "Qwen2.5-VL 32B Instruct", 128000, False, True,
     "HF_BASE_MODEL"),
    ("gpt-oss-120b", "OpenAI gpt-oss-120b", 131072, True, False, "HF_BASE_MODEL"),
    ("gpt-oss-20b", "OpenAI gpt-oss-20b", 131072, True, False, "HF_BASE_MODEL"),
    ("kimi-k2-instruct-0905", "Kimi K2 Instruct 0905", 262144, True, False, "HF_BASE_MODEL"),
    ("glm-4p5", "GLM-4.5", 131072, True, False, "HF_BASE_MODEL"),
    ("qwen3-embedding-8b", "Qwen3 Embedding 8B", 40960, False, False, "EMBEDDING_MODEL"),
    ("qwen3-reranker-8b", "Qwen3 Reranker 8B", 40960, False, False, "HF_BASE_MODEL"),
    ("nomic-embed-text-v1p5", "Nomic Embed Text v1.5", 8192, False, False, "EMBEDDING_MODEL"),
]

FIRMWARE_MODELS: list[tuple[str, int]] = [
    ("openai/gpt-5.2", 400000),
    ("openai/gpt-5", 400000),
    ("openai/gpt-5-mini", 400000),
    ("openai/gpt-4o", 128000),
    ("openai/gpt-4o-mini", 128000),
    ("anthropic/claude-opus-4-5", 200000),
    ("anthropic/claude-sonnet-4-5-20250929", 200000),
    ("anthropic/claude-haiku-4-5-20251001", 200000),
    ("google/gemini-3-pro-preview", 1048576),
    ("google/gemini-2.5-flash", 1048576),
    ("xai/grok-4-fast-reasoning", 2000000),
    ("deepseek/deepseek-chat", 128000),
    ("deepseek/deepseek-reasoner", 128000),
    ("cerebras/gpt-oss-120b", 131072),
    ("text-embedding-3-small", 8191),
    ("text-embedding-3-large", 8191),
    ("voyage-4", 32000),
    ("voyage-4-large", 32000),
    ("rerank-2.5", 32000),
    ("rerank-2.5-lite", 32000),
]

_CREATED = 1735689600  # 2025-01-01, fixed so answers are deterministic
DEFAULT_CONTEXT = 131072


def context_length(provider: str, model: str) -> int:
    """The context window the double enforces for ``model`` (default 131072)."""
    tail = model.split("#", 1)[0].rsplit("/", 1)[-1]
    if provider == "fireworks":
        for mid, _, ctx, *_rest in FIREWORKS_MODELS:
            if mid == tail:
                return ctx
    else:
        for mid, ctx in FIRMWARE_MODELS:
            if mid.rsplit("/", 1)[-1] == tail:
                return ctx
    return DEFAULT_CONTEXT


def _fireworks_entry(row: tuple[str, str, int, bool, bool, str]) -> dict[str, Any]:
    mid, display, ctx, tools, images, kind = row
    return {
        "name": f"accounts/fireworks/models/{mid}",
        "displayName": display,
        "description": f"{display} (sample catalog entry served by the wire double)",
        "createTime": "2025-01-01T00:00:00Z",
        "state": "READY",
        "status": {"code": "OK", "message": ""},
        "kind": kind,
        "public": True,
        "contextLength": ctx,
        "supportsImageInput": images,
        "supportsTools": tools,
        "supportsLora": False,
    }


def catalog_page(
    page_size: int | None, page_token: str | None
) -> tuple[list[dict[str, Any]], str, int]:
    """One page of the Fireworks catalog: (models, nextPageToken or "", totalSize).

    Raises ValueError for a page token the double did not issue.
    """
    size = 50 if not page_size else max(1, min(int(page_size), 200))
    offset = 0
    if page_token:
        if not page_token.startswith("offset-") or not page_token[7:].isdigit():
            raise ValueError(f"invalid page token {page_token!r}")
        offset = int(page_token[7:])
    rows = FIREWORKS_MODELS[offset : offset + size]
    nxt = offset + size
    token = f"offset-{nxt}" if nxt < len(FIREWORKS_MODELS) else ""
    return [_fireworks_entry(r) for r in rows], token, len(FIREWORKS_MODELS)


def fireworks_openai_list() -> dict[str, Any]:
    """``GET /inference/v1/models``: the OpenAI-style list."""
    return {
        "object": "list",
        "data": [
            {"id": f"accounts/fireworks/models/{r[0]}", "object": "model",
             "owned_by": "fireworks", "created": _CREATED, "context_length": r[2],
             "supports_tools": r[3], "supports_image_input": r[4]}
            for r in FIREWORKS_MODELS
        ],
    }


def firmware_list() -> dict[str, Any]:
    """``GET /api/v1/models``: ``{"data": [{"id": ...}]}``."""
    return {
        "object": "list",
        "data": [
            {"id": mid, "object": "model", "created": _CREATED,
             "owned_by": mid.split("/", 1)[0] if "/" in mid else "firmware",
             "context_length": ctx}
            for mid, ctx in FIRMWARE_MODELS
        ],
    }


def quota() -> dict[str, Any]:
    """``GET /api/v1/quota`` in the documented form (WIRE.md §2.6)."""
    return {"credits": 42.5, "reset": "2026-02-01T00:00:00.000Z"}
