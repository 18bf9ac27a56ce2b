"""The model lists the double serves (a small, fixed sample of each API's catalog).

Fireworks: the control-plane catalog ``GET /v1/accounts/{account}/models`` with paging
(docs/wire.md §1.13, §3.9) and the OpenAI-style ``GET /inference/v1/models``. Firmware:
``GET /api/v1/models`` (``{"data": [{"id": ...}]}``, docs/wire.md §2.6) and ``/quota``.
Context lengths follow the public model cards; they are sample data, not a promise.

Each catalog entry has the shape of the real ``Model`` resource (the official SDK's
``types/model.py``, docs/wire.md §1.13) and only its fields: no batch flag, which the real
resource does not have. ``supportsServerless`` is true except for the ids in
:data:`NOT_SERVERLESS` (sample rows for models retired from serverless, which the real
catalog still lists as ``state: READY``).

The catalog honours an AIP-160 ``filter`` made of ``AND``-joined comparisons on
``name``, ``display_name``, ``kind``, ``state``, ``context_length``, ``supports_tools``,
``supports_image_input``, ``supports_serverless`` and ``public`` (snake_case or camelCase);
anything else is a 400, as a real AIP-160 server answers an unknown field.

The quota answer comes in the three generations seen in the wild (docs/wire.md §2.6, §4.26),
chosen by :data:`QUOTA_GENERATION` (or the :func:`quota_generation` context manager) or per
request by the query parameter ``double_quota=<generation>`` (see :data:`QUOTA_SHAPES`).

>>> page, token, total = catalog_page(page_size=2, page_token=None)
>>> [m["name"].rsplit("/", 1)[1] for m in page], token, total > 2
(['deepseek-v3p1', 'deepseek-r1-0528'], 'offset-2', True)
>>> where = 'supports_image_input=true AND kind="HF_BASE_MODEL"'
>>> page, token, total = catalog_page(50, None, where)
>>> [m["displayName"] for m in page], token, total
(['Llama 4 Maverick Instruct (Basic)', 'Qwen2.5-VL 32B Instruct', 'Kimi K3'], '', 3)
>>> sorted(quota("window+weekly"))[:3]
['reset', 'used', 'weeklyReset']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fw_core.model_table import retired as _retired

__all__ = [
    "FIREWORKS_MODELS",
    "FIRMWARE_MODELS",
    "NOT_SERVERLESS",
    "QUOTA_GENERATION",
    "QUOTA_SHAPES",
    "batch_capable",
    "catalog_page",
    "context_length",
    "fireworks_openai_list",
    "firmware_list",
    "image_input",
    "parse_filter",
    "quota",
    "quota_generation",
    "reset_window",
]

# (id, display name, context length, tools, image input, kind)
#: Retired models stay listed (the real catalog keeps showing them as READY); the model
#: table's current ones (fw_core/model_table.py) come last.
FIREWORKS_MODELS: list[tuple[str, str, int, bool, bool, str]] = [
    ("deepseek-v3p1", "DeepSeek V3.1", 163840, True, False, "HF_BASE_MODEL"),
    ("deepseek-r1-0528", "DeepSeek R1 0528", 163840, True, False, "HF_BASE_MODEL"),
    ("llama-v3p3-70b-instruct", "Llama 3.3 70B Instruct", 131072, True, False, "HF_BASE_MODEL"),
    ("llama-v3p1-8b-instruct", "Llama 3.1 8B Instruct", 131072, True, False, "HF_BASE_MODEL"),
    (
        "llama4-maverick-instruct-basic",
        "Llama 4 Maverick Instruct (Basic)",
        1048576,
        True,
        True,
        "HF_BASE_MODEL",
    ),
    ("qwen3-235b-a22b", "Qwen3 235B A22B", 131072, True, False, "HF_BASE_MODEL"),
    ("qwen2p5-vl-32b-instruct", "Qwen2.5-VL 32B Instruct", 128000, False, True, "HF_BASE_MODEL"),
    ("gpt-oss-120b", "OpenAI gpt-oss-120b", 131072, True, False, "HF_BASE_MODEL"),
    ("gpt-oss-20b", "OpenAI gpt-oss-20b", 131072, True, False, "HF_BASE_MODEL"),
    ("kimi-k2-instruct-0905", "Kimi K2 Instruct 0905", 262144, True, False, "HF_BASE_MODEL"),
    ("glm-4p5", "GLM-4.5", 131072, True, False, "HF_BASE_MODEL"),
    ("qwen3-embedding-8b", "Qwen3 Embedding 8B", 40960, False, False, "EMBEDDING_MODEL"),
    ("qwen3-reranker-8b", "Qwen3 Reranker 8B", 40960, False, False, "HF_BASE_MODEL"),
    ("nomic-embed-text-v1p5", "Nomic Embed Text v1.5", 8192, False, False, "EMBEDDING_MODEL"),
    ("kimi-k3", "Kimi K3", 1048576, True, True, "HF_BASE_MODEL"),
    ("deepseek-v4p1-flash", "DeepSeek V4.1 Flash", 1000000, True, False, "HF_BASE_MODEL"),
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

#: Rows of :data:`FIREWORKS_MODELS` whose entry says ``supportsServerless: false``: the
#: models the model table (:func:`fw_core.model_table.retired`) marks retired from
#: serverless, which the real catalog still lists as ``state: READY`` (docs/wire.md §8).
#: Taken from the table, so the double and the table cannot disagree.
NOT_SERVERLESS = frozenset(record.id.rsplit("/", 1)[1] for record in _retired("fireworks")) & {
    row[0] for row in FIREWORKS_MODELS
}


def batch_capable(model: str) -> bool:
    """Whether the double runs a batch job for ``model`` (a full id or its last segment):
    a chat model of its catalog. Embedding and reranker rows, and models it does not list,
    fail the job instead (docs/wire.md §7.9). The catalog entry itself carries no such flag.

    >>> batch_capable("accounts/fireworks/models/glm-4p5"), batch_capable("qwen3-embedding-8b")
    (True, False)
    """
    tail = model.split("#", 1)[0].rsplit("/", 1)[-1]
    for mid, _, _, _, _, kind in FIREWORKS_MODELS:
        if mid == tail:
            return kind == "HF_BASE_MODEL" and "reranker" not in mid
    return False


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


def image_input(provider: str, model: str) -> bool | None:
    """Whether the double's Fireworks catalog says ``model`` takes images (None: a model it
    does not list, or Firmware, whose vendors differ).

    >>> image_input("fireworks", "accounts/fireworks/models/llama-v3p3-70b-instruct")
    False
    """
    if provider != "fireworks":
        return None
    tail = model.split("#", 1)[0].rsplit("/", 1)[-1]
    for mid, _, _, _, images, _ in FIREWORKS_MODELS:
        if mid == tail:
            return images
    return None


def _fireworks_entry(row: tuple[str, str, int, bool, bool, str]) -> dict[str, Any]:
    mid, display, ctx, tools, images, kind = row
    entry: dict[str, Any] = {
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
        "supportsServerless": mid not in NOT_SERVERLESS,
    }
    return entry


_FILTER_FIELDS = {
    "name": "name",
    "display_name": "displayName",
    "displayname": "displayName",
    "kind": "kind",
    "state": "state",
    "context_length": "contextLength",
    "contextlength": "contextLength",
    "supports_tools": "supportsTools",
    "supportstools": "supportsTools",
    "supports_image_input": "supportsImageInput",
    "supportsimageinput": "supportsImageInput",
    "supports_serverless": "supportsServerless",
    "supportsserverless": "supportsServerless",
    "public": "public",
}
_TERM = re.compile(r'^\s*([A-Za-z_]+)\s*(<=|>=|!=|=|<|>)\s*("(?:[^"\\]|\\.)*"|[\w.-]+)\s*$')
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _literal(text: str) -> Any:
    if text.startswith('"'):
        return text[1:-1].replace('\\"', '"')
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text  # a bare enum name (AIP-160 allows ``kind=HF_BASE_MODEL``)


def parse_filter(text: str | None) -> Callable[[dict[str, Any]], bool]:
    """A predicate on catalog entries for the AIP-160 subset the double understands.

    Raises ValueError for anything outside it (the endpoint turns that into a 400).

    >>> keep = parse_filter("context_length>=200000 AND supportsTools=true")
    >>> keep({"contextLength": 262144, "supportsTools": True}), keep({"contextLength": 8192})
    (True, False)
    """
    if not text or not text.strip():
        return lambda entry: True
    checks: list[tuple[str, Callable[[Any, Any], bool], Any]] = []
    for term in re.split(r"\s+AND\s+", text.strip()):
        m = _TERM.match(term)
        if not m:
            raise ValueError(f"unsupported filter term {term!r}")
        name, op, raw = m.groups()
        key = _FILTER_FIELDS.get(name) or _FILTER_FIELDS.get(name.lower().replace("_", ""))
        if key is None:
            raise ValueError(f"unknown filter field {name!r}")
        checks.append((key, _OPS[op], _literal(raw)))

    def keep(entry: dict[str, Any]) -> bool:
        for key, op, want in checks:
            have = entry.get(key)
            if have is None or type(have) is not type(want):
                return False
            if not op(have, want):
                return False
        return True

    return keep


def catalog_page(
    page_size: int | None, page_token: str | None, filter: str | None = None
) -> tuple[list[dict[str, Any]], str, int]:
    """One page of the Fireworks catalog: (models, nextPageToken or "", totalSize).

    ``totalSize`` counts the models that pass ``filter``. Raises ValueError for a page token
    the double did not issue or a filter it does not understand.
    """
    keep = parse_filter(filter)
    entries = [e for e in (_fireworks_entry(r) for r in FIREWORKS_MODELS) if keep(e)]
    size = 50 if not page_size else max(1, min(int(page_size), 200))
    offset = 0
    if page_token:
        if not page_token.startswith("offset-") or not page_token[7:].isdigit():
            raise ValueError(f"invalid page token {page_token!r}")
        offset = int(page_token[7:])
    rows = entries[offset : offset + size]
    nxt = offset + size
    token = f"offset-{nxt}" if nxt < len(entries) else ""
    return rows, token, len(entries)


def fireworks_openai_list() -> dict[str, Any]:
    """``GET /inference/v1/models``: the OpenAI-style list."""
    return {
        "object": "list",
        "data": [
            {
                "id": f"accounts/fireworks/models/{r[0]}",
                "object": "model",
                "owned_by": "fireworks",
                "created": _CREATED,
                "context_length": r[2],
                "supports_tools": r[3],
                "supports_image_input": r[4],
            }
            for r in FIREWORKS_MODELS
        ],
    }


def firmware_list() -> dict[str, Any]:
    """``GET /api/v1/models``: ``{"data": [{"id": ...}]}``."""
    return {
        "object": "list",
        "data": [
            {
                "id": mid,
                "object": "model",
                "created": _CREATED,
                "owned_by": mid.split("/", 1)[0] if "/" in mid else "firmware",
                "context_length": ctx,
            }
            for mid, ctx in FIRMWARE_MODELS
        ],
    }


_WINDOW_RESET = "2026-01-15T17:00:00.000Z"
_WEEKLY_RESET = "2026-01-19T00:00:00.000Z"

#: The quota bodies the double can answer with, one per generation seen (docs/wire.md §2.6).
QUOTA_SHAPES: dict[str, dict[str, Any]] = {
    # the documented form: USD credits and the end of the pay period
    "credits": {"credits": 42.5, "reset": "2026-02-01T00:00:00.000Z"},
    # early-2026 clients: used share (0-1) of the 5-hour window, reset time...
    "window": {"used": 0.26, "reset": _WINDOW_RESET},
    # ...and reset null when no window is active
    "window-idle": {"used": 0, "reset": None},
    # newer clients: window + weekly figures (fractions), legacy fields kept
    "window+weekly": {
        "windowUsed": 0.26,
        "windowReset": _WINDOW_RESET,
        "weeklyUsed": 0.113,
        "weeklyReset": _WEEKLY_RESET,
        "windowResetsRemaining": 2,
        "used": 0.26,
        "reset": _WINDOW_RESET,
    },
    # the same in percent (0-100), as some clients report it
    "window+weekly-percent": {
        "windowUsed": 26,
        "windowReset": _WINDOW_RESET,
        "weeklyUsed": 11.3,
        "weeklyReset": _WEEKLY_RESET,
        "windowResetsRemaining": 2,
    },
}

#: The generation served when a request does not ask for one (``double_quota=...``).
QUOTA_GENERATION = "credits"


@contextmanager
def quota_generation(name: str) -> Iterator[None]:
    """Serve ``name`` (a key of :data:`QUOTA_SHAPES`) from ``/quota`` inside the block.

    >>> with quota_generation("window-idle"):
    ...     quota()
    {'used': 0, 'reset': None}
    """
    global QUOTA_GENERATION
    if name not in QUOTA_SHAPES:
        raise ValueError(f"unknown quota generation {name!r}; one of {sorted(QUOTA_SHAPES)}")
    saved, QUOTA_GENERATION = QUOTA_GENERATION, name
    try:
        yield
    finally:
        QUOTA_GENERATION = saved


def quota(generation: str | None = None) -> dict[str, Any]:
    """``GET /api/v1/quota`` in the given generation (default :data:`QUOTA_GENERATION`).

    Raises ValueError for an unknown generation.
    """
    name = generation or QUOTA_GENERATION
    if name not in QUOTA_SHAPES:
        raise ValueError(f"unknown quota generation {name!r}")
    return dict(QUOTA_SHAPES[name])


def reset_window(remaining: int) -> tuple[int, dict[str, Any]]:
    """``POST /api/v1/quota/reset-window`` (undocumented; shapes from docs/wire.md §2.6/§2.7).

    Returns (status, body): success with the resets left after this one, or a failure
    body when none are left.

    >>> reset_window(2)
    (200, {'success': True, 'windowResetsRemaining': 1})
    >>> reset_window(0)[1]["success"]
    False
    """
    if remaining <= 0:
        return 400, {
            "success": False,
            "error": "no_resets_remaining",
            "message": "No window resets remaining this week.",
        }
    return 200, {"success": True, "windowResetsRemaining": remaining - 1}
