"""The model table: which model ids are served, context window, tool and image support,
reasoning style, with sources.

Two parts, both keyed by short name (below):

- the *figures* (:func:`lookup`, :func:`table`): :class:`fw_core.endpoints.models.ModelInfo` rows;
- the *status* (:func:`status`, :func:`statuses`, :data:`DEFAULTS`): for every model id the
  project uses as a default or an example, whether the provider serves it today
  (``served``; ``router`` for a Fireworks speed router, ``accounts/fireworks/routers/...``),
  has retired it (``retired``, with the date and the replacement), or whether no dated
  public source says either (``unverified``), each with the date it was last checked and
  the source. Retired ids stay in both parts: the catalog still lists them as ``READY``,
  and a dedicated deployment of the same weights still has the same figures.
  ``tests/unit/test_model_ids_in_docs.py`` fails when a document names a retired id;
  ``make live-check`` asks the live catalog about every id (docs/models_and_quota.md).

Entries are :class:`fw_core.endpoints.models.ModelInfo`, the same type the model lists return, so a
listing can be laid over a table entry (:func:`merge_listing`) field by field.

The table is keyed by the model's short name: the last path segment of a Fireworks id
(``accounts/fireworks/models/kimi-k2-instruct-0905`` -> ``kimi-k2-instruct-0905``, a
``#<deployment>`` suffix dropped) and the Firmware id without its vendor prefix
(``openai/gpt-5`` -> ``gpt-5``). An entry's ``id`` is that short name. Provider tables are
separate: the same short name can mean different deployments on the two APIs.

Figures come from the vendors' public model pages (named in each entry's ``source``); none
could be re-checked against the live APIs while writing this, so the adapters can refresh
them from the models endpoint (:func:`fw_core.endpoints.models.find_model` + :func:`merge_listing`).
A model missing from the table is *unknown* (:func:`lookup` returns None); the LlamaIndex
LLM then uses :data:`UNKNOWN_CONTEXT_WINDOW` and says so in a warning.

Importing this module loads :mod:`fw_core.endpoints.models`; ``import fw_core`` does not load it.

>>> lookup("fireworks", "accounts/fireworks/models/kimi-k2-instruct-0905").context_length
262144
>>> lookup("firmware", "anthropic/claude-sonnet-4-5-20250929").supports_tools
True
>>> lookup("firmware", "no-such-model") is None
True
>>> status("fireworks", "accounts/fireworks/models/kimi-k2-instruct-0905").status  # retired
'retired'
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Literal

from fw_core.endpoints.models import ModelInfo, ReasoningStyle

__all__ = [
    "CHECKED",
    "DEFAULTS",
    "LISTED_SOURCE",
    "UNKNOWN_CONTEXT_WINDOW",
    "ModelStatus",
    "Status",
    "lookup",
    "merge_listing",
    "retired",
    "short_name",
    "status",
    "statuses",
    "table",
]

#: For a model the table does not know (and no override / endpoint value): big enough for
#: a RAG prompt, small enough to fit every chat model both APIs currently serve.
UNKNOWN_CONTEXT_WINDOW = 32_768

#: ``source`` of a table entry after a listing was merged over it.
LISTED_SOURCE = "models endpoint"


def _entries(provider: str, *infos: ModelInfo) -> dict[str, ModelInfo]:
    return {info.id: dataclasses.replace(info, provider=provider) for info in infos}


def _m(
    name: str,
    window: int,
    source: str,
    *,
    tools: bool = True,
    images: bool = False,
    reasoning: ReasoningStyle = "none",
) -> ModelInfo:
    """One table row. ``tools`` is False only when the vendor says the model cannot call
    tools; ``images`` means the model takes ``image_url`` content parts."""
    return ModelInfo(
        id=name,
        provider="",
        context_length=window,
        supports_tools=tools,
        supports_image_input=images,
        reasoning=reasoning,
        source=source,
    )


_FW = "Fireworks model page (fireworks.ai/models/fireworks/<name>)"

_FIREWORKS = _entries(
    "fireworks",
    # DeepSeek
    # V4.1 Flash: 1M context, reasoning on by default (DeepSeek's V4.1 Flash release notes,
    # 2026-09; served on Fireworks per boldsoftware/shelley PR 285).
    _m("deepseek-v4p1-flash", 1_000_000, _FW, reasoning="field"),
    _m("deepseek-v3p1", 163_840, _FW, reasoning="field"),
    _m("deepseek-v3p1-terminus", 163_840, _FW, reasoning="field"),
    _m("deepseek-v3p2", 163_840, _FW, reasoning="field"),
    _m("deepseek-v3-0324", 163_840, _FW),
    # The original R1 has no function calling (DeepSeek's R1 release notes); 0528 added it.
    _m("deepseek-r1", 163_840, _FW, tools=False, reasoning="inline"),
    _m("deepseek-r1-basic", 163_840, _FW, tools=False, reasoning="inline"),
    _m("deepseek-r1-0528", 163_840, _FW, reasoning="inline"),
    # Moonshot Kimi. K3: 1M context, vision, tools, reasoning_effort "none" turns thinking
    # off (models.dev PR 3777, API-verified 2026-07-27; vellum-assistant PR 39298).
    _m("kimi-k3", 1_048_576, _FW, images=True, reasoning="field"),
    _m("kimi-k2-instruct", 131_072, _FW),
    _m("kimi-k2-instruct-0905", 262_144, _FW),
    _m("kimi-k2-thinking", 262_144, _FW, reasoning="always"),
    _m("kimi-k2p5", 262_144, _FW, images=True, reasoning="field"),
    # Qwen
    _m("qwen3-235b-a22b", 131_072, _FW, reasoning="field"),
    _m("qwen3-235b-a22b-instruct-2507", 262_144, _FW),
    _m("qwen3-235b-a22b-thinking-2507", 262_144, _FW, reasoning="always"),
    _m("qwen3-30b-a3b", 131_072, _FW, reasoning="field"),
    _m("qwen3-coder-480b-a35b-instruct", 262_144, _FW),
    _m("qwen2p5-vl-32b-instruct", 128_000, _FW, images=True),
    # Meta Llama
    _m("llama-v3p1-8b-instruct", 131_072, _FW),
    _m("llama-v3p1-70b-instruct", 131_072, _FW),
    _m("llama-v3p1-405b-instruct", 131_072, _FW),
    _m("llama-v3p3-70b-instruct", 131_072, _FW),
    _m("llama4-maverick-instruct-basic", 1_048_576, _FW, images=True),
    _m("llama4-scout-instruct-basic", 1_048_576, _FW, images=True),
    # OpenAI open weights: reasoning_effort low/medium/high only (docs/wire.md §1.7)
    _m("gpt-oss-120b", 131_072, _FW, reasoning="always"),
    _m("gpt-oss-20b", 131_072, _FW, reasoning="always"),
    # Zhipu GLM, MiniMax, Mistral
    _m("glm-4p5", 131_072, _FW, reasoning="field"),
    _m("glm-4p6", 202_752, _FW, reasoning="field"),
    _m("glm-4p7", 202_752, _FW, reasoning="field"),
    _m("minimax-m2", 196_608, _FW, reasoning="always"),
    _m("mixtral-8x22b-instruct", 65_536, _FW),
)

_OPENAI = "OpenAI model page (platform.openai.com/docs/models)"
_ANTHROPIC = "Anthropic models overview (docs.anthropic.com)"
_GOOGLE = "Google Gemini models page (ai.google.dev/gemini-api/docs/models)"
_XAI = "xAI models page (docs.x.ai)"
_DEEPSEEK = "DeepSeek API docs, models & pricing"
_CEREBRAS = "Cerebras inference model pages"

# Model names from the Firmware seed (LiteLLM's Firmware page, docs/wire.md §2.2).
_FIRMWARE = _entries(
    "firmware",
    _m("gpt-5.2", 400_000, _OPENAI, images=True, reasoning="always"),
    _m("gpt-5", 400_000, _OPENAI, images=True, reasoning="always"),
    _m("gpt-5-mini", 400_000, _OPENAI, images=True, reasoning="always"),
    _m("gpt-5-nano", 400_000, _OPENAI, images=True, reasoning="always"),
    _m("gpt-4o", 128_000, _OPENAI, images=True),
    _m("gpt-4o-mini", 128_000, _OPENAI, images=True),
    _m("claude-opus-4-5", 200_000, _ANTHROPIC, images=True, reasoning="field"),
    _m("claude-sonnet-4-5-20250929", 200_000, _ANTHROPIC, images=True, reasoning="field"),
    _m("claude-haiku-4-5-20251001", 200_000, _ANTHROPIC, images=True, reasoning="field"),
    _m("gemini-3-pro-preview", 1_048_576, _GOOGLE, images=True, reasoning="always"),
    _m("gemini-3-flash-preview", 1_048_576, _GOOGLE, images=True, reasoning="always"),
    _m("gemini-2.5-pro", 1_048_576, _GOOGLE, images=True, reasoning="always"),
    _m("gemini-2.5-flash", 1_048_576, _GOOGLE, images=True, reasoning="field"),
    _m("grok-4-fast-reasoning", 2_000_000, _XAI, images=True, reasoning="always"),
    _m("grok-4-fast-non-reasoning", 2_000_000, _XAI, images=True),
    _m("grok-code-fast-1", 256_000, _XAI, reasoning="always"),
    _m("deepseek-chat", 128_000, _DEEPSEEK),
    _m("deepseek-reasoner", 128_000, _DEEPSEEK, reasoning="always"),
    _m("gpt-oss-120b", 131_072, _CEREBRAS, reasoning="always"),
    _m("zai-glm-4.7", 131_072, _CEREBRAS, reasoning="field"),
)

_TABLES = {"fireworks": _FIREWORKS, "firmware": _FIRMWARE}


def table(provider: str) -> dict[str, ModelInfo]:
    """A copy of ``provider``'s table, keyed by short name (empty for an unknown provider).

    >>> all(info.provider == "firmware" for info in table("firmware").values())
    True
    """
    return dict(_TABLES.get(provider, {}))


def short_name(provider: str, model: str) -> str:
    """The table key for a model id (see the module doc).

    >>> short_name("fireworks", "accounts/fireworks/models/glm-4p5#accounts/me/deployments/d1")
    'glm-4p5'
    >>> short_name("firmware", "openai/GPT-4o")
    'gpt-4o'
    """
    # "<model>#<deployment>" (Fireworks) -> the model part; no other API's id has a "#"
    # (fw_core.providers: Firmware's id pattern excludes it), so no provider check is needed
    return model.partition("#")[0].rsplit("/", 1)[-1].lower()


@lru_cache(maxsize=256)
def lookup(provider: str, model: str) -> ModelInfo | None:
    """The table entry for ``model`` on ``provider`` ("fireworks"/"firmware"), or None."""
    return _TABLES.get(provider, {}).get(short_name(provider, model))


def merge_listing(listed: ModelInfo, entry: ModelInfo | None) -> ModelInfo:
    """``listed`` (a models-endpoint entry) with the gaps it leaves filled from ``entry``
    (the table's entry for the same model, or None).

    What the listing states wins; a field it leaves ``None`` ("unknown", never "no") takes
    the table's value (the lists never state a reasoning style, so that comes from the
    table). The result keeps the listing's id and other fields, with
    ``source="models endpoint"``. A field neither states stays None.

    >>> table_entry = lookup("fireworks", "deepseek-r1")
    >>> listed = ModelInfo(id="x", provider="fireworks", supports_tools=True)
    >>> info = merge_listing(listed, table_entry)
    >>> info.id, info.context_length, info.supports_tools, info.reasoning
    ('x', 163840, True, 'inline')
    """
    if entry is None:
        return dataclasses.replace(listed, source=LISTED_SOURCE)
    tools, images = listed.supports_tools, listed.supports_image_input
    return dataclasses.replace(
        listed,
        context_length=listed.context_length or entry.context_length,
        supports_tools=entry.supports_tools if tools is None else tools,
        supports_image_input=entry.supports_image_input if images is None else images,
        reasoning=listed.reasoning or entry.reasoning,
        source=LISTED_SOURCE,
    )


# --- Status: served, router, retired or unverified --------------------------------------

#: A model's serving status: ``served`` (serverless / on the API today), ``router`` (a
#: Fireworks speed router, ``accounts/fireworks/routers/<name>``, served), ``retired``
#: (gone; requests answer 404 or 5xx), ``unverified`` (no dated public source either way).
Status = Literal["served", "router", "retired", "unverified"]

#: The day the statuses below were last checked against their sources.
CHECKED = "2026-12-07"


@dataclasses.dataclass(frozen=True)
class ModelStatus:
    """One model id the project names, with its serving status and the evidence.

    Attributes:
        id: the id as sent (``accounts/fireworks/models/<m>``, ``.../routers/<r>``, or the
            Firmware id).
        provider: ``"fireworks"`` or ``"firmware"``.
        status: see :data:`Status`.
        source: the public page the status comes from (a URL).
        checked: the date the status was last checked against ``source`` (ISO).
        retired_on: for ``retired``: the date the provider stopped serving it (ISO; a month
            when the source gives no day).
        replacement: for ``retired``: the table id to use instead.
        role: what the project uses it for (``chat``, ``vision``, ``embedding``...).
    """

    id: str
    provider: str
    status: Status
    source: str
    checked: str = CHECKED
    retired_on: str | None = None
    replacement: str | None = None
    role: str = "chat"

    @property
    def short(self) -> str:
        """The table key (:func:`short_name`)."""
        return short_name(self.provider, self.id)


_FWM = "accounts/fireworks/models/"
_FWR = "accounts/fireworks/routers/"
_GH = "https://github.com/"
# Sources (each a public page with a date; docs/models_and_quota.md lists them).
_KILN = _GH + "Kiln-AI/Kiln/pull/1790"  # 2026-09-16: supportsServerless + paid runs
_MD_0827 = _GH + "anomalyco/models.dev/pull/5683"  # removals of 2026-08-27
_MD_GLM53 = _GH + "anomalyco/models.dev/pull/5763"  # glm-5p3 added 2026-08-28
_MD_K3 = _GH + "anomalyco/models.dev/pull/3777"  # kimi-k3 + fast router, 2026-07-27
_MD_0212 = _GH + "anomalyco/models.dev/pull/946"  # removals of 2026-02-12
_MD_GLM51 = _GH + "anomalyco/models.dev/pull/3730"  # glm-5p1 off 2026-07-26
_FORGE = _GH + "tailcallhq/forgecode/pull/3538"  # 2026-06-20 removals
_ONEAPI = _GH + "Laisky/one-api/pull/358"  # serverless catalog refresh 2026-08-18
_ONEAPI_0904 = _GH + "Laisky/one-api/pull/398"  # refresh 2026-09-04
_SHELLEY = _GH + "boldsoftware/shelley/pull/285"  # 2026-09-18: V4/K2.x/GLM5.2 off 09-25
_LC_0905 = (
    _GH + "langchain-ai/langchain/pull/36975"
)  # kimi-k2-instruct-0905 retired: 404 since 2026-04
_K2P5 = "https://docs.fireworks.ai/updates/changelog#2026-06-26"
_TENSORZERO = _GH + "tensorzero/tensorzero/pull/5055"  # llama-v3p1-8b gone 2025-12
_ANOTHERAI = _GH + "anotherai-dev/anotherai/issues/285"  # R1 / V3 off 2025-10-08
_POLLI_VL = _GH + "pollinations/pollinations/pull/10969"  # Qwen VL off serverless 2026-05
_TYPEWHISPER = _GH + "TypeWhisper/typewhisper-win/pull/481"  # 2026-09-18: turbo works
_FLUX = _GH + "pollinations/pollinations/pull/12337"  # 2026-07-10: Fireworks FLUX fallback
_FM_CHAT = "https://docs.firmware.ai/api-reference/chat-completions"
_FM_EMBED = "https://docs.firmware.ai/api-reference/embeddings"
_FM_RERANK = "https://docs.firmware.ai/api-reference/rerank"
_LL_FM = "https://docs.litellm.ai/docs/providers/firmware"  # seed, 2026-01 (docs/wire.md §2.2)


def _s(model: str, status: Status, source: str, role: str = "chat", **kw: str) -> ModelStatus:
    provider = "fireworks" if model.startswith("accounts/") else "firmware"
    return ModelStatus(id=model, provider=provider, status=status, source=source, role=role, **kw)


def _retired(model: str, on: str, source: str, instead: str, role: str = "chat") -> ModelStatus:
    return _s(model, "retired", source, role, retired_on=on, replacement=instead)


_K3, _OSS, _GLM = _FWM + "kimi-k3", _FWM + "gpt-oss-120b", _FWM + "glm-5p3"
_FLASH = _FWM + "deepseek-v4p1-flash"

_STATUS: tuple[ModelStatus, ...] = (
    # Fireworks, served today
    _s(_K3, "served", _KILN),
    _s(_GLM, "served", _MD_GLM53),
    _s(_FLASH, "served", _SHELLEY),
    _s(_OSS, "served", _ONEAPI_0904),
    _s(_FWM + "glm-5p3-flash", "served", _ONEAPI_0904, "vision"),
    _s(_FWM + "qwen3-embedding-8b", "served", _ONEAPI, "embedding"),
    _s(_FWM + "qwen3-reranker-8b", "served", _ONEAPI, "rerank"),
    _s(_FWM + "whisper-v3-turbo", "served", _TYPEWHISPER, "audio"),
    _s(_FWM + "flux-1-schnell-fp8", "served", _FLUX, "image"),
    _s(_FWR + "kimi-k3-fast", "router", _MD_K3),
    _s(_FWR + "glm-5p3-fast", "router", _KILN),
    # Fireworks, no dated 2026 source either way (kept as defaults/examples; live-check asks)
    _s(_FWM + "whisper-v3", "unverified", _TYPEWHISPER, "audio"),
    _s(_FWM + "nomic-embed-text-v1p5", "unverified", "docs/wire.md §1.11", "embedding"),
    _s(_FWM + "flux-1-dev-fp8", "unverified", "docs/images.md", "image"),
    _s(_FWM + "llama-v3p3-70b-instruct", "unverified", _TENSORZERO),
    _s(_FWM + "llama4-maverick-instruct-basic", "unverified", "docs/wire.md §1.14", "vision"),
    # Fireworks, retired
    _retired(_FWM + "kimi-k2-instruct-0905", "2026-04", _LC_0905, _K3),
    _retired(_FWM + "kimi-k2p5", "2026-06-26", _K2P5, _K3, "vision"),
    _retired(_FWM + "kimi-k2-instruct", "2026-06", _FORGE, _K3),
    _retired(_FWM + "kimi-k2-thinking", "2026-06", _FORGE, _K3),
    _retired(_FWM + "kimi-k2p6", "2026-09-25", _KILN, _K3),
    _retired(_FWR + "kimi-k2p6-fast", "2026-08-27", _MD_0827, _FWR + "kimi-k3-fast"),
    _retired(_FWR + "kimi-k2p6-turbo", "2026-08-27", _MD_0827, _FWR + "kimi-k3-fast"),
    _retired(_FWM + "llama-v3p1-8b-instruct", "2025-12", _TENSORZERO, _OSS),
    _retired(_FWM + "qwen2p5-vl-32b-instruct", "2026-05", _POLLI_VL, _K3, "vision"),
    _retired(_FWM + "gpt-oss-20b", "2026-08-27", _MD_0827, _OSS),
    _retired(_FWM + "minimax-m2p7", "2026-08-27", _MD_0827, _GLM),
    _retired(_FWM + "deepseek-v4-pro", "2026-08-27", _MD_0827, _FLASH),
    _retired(_FWM + "deepseek-v4-flash-0731", "2026-09-25", _KILN, _FLASH),
    _retired(_FWM + "glm-5p2", "2026-09-25", _KILN, _GLM),
    _retired(_FWR + "glm-5p2-fast", "2026-09-25", _KILN, _FWR + "glm-5p3-fast"),
    _retired(_FWM + "glm-5p1", "2026-07-26", _MD_GLM51, _GLM),
    _retired(_FWM + "glm-4p7", "2026-06", _FORGE, _GLM),
    _retired(_FWM + "glm-4p5", "2026-06", _FORGE, _GLM),
    _retired(_FWM + "glm-4p6", "2026-02-12", _MD_0212, _GLM),
    _retired(_FWM + "deepseek-v3p1", "2026-06", _FORGE, _FLASH),
    _retired(_FWM + "deepseek-v3p2", "2026-06", _FORGE, _FLASH),
    _retired(_FWM + "deepseek-r1-0528", "2026-02-12", _MD_0212, _FLASH),
    _retired(_FWM + "deepseek-v3-0324", "2026-02-12", _MD_0212, _FLASH),
    _retired(_FWM + "deepseek-r1", "2025-10-08", _ANOTHERAI, _FLASH),
    _retired(_FWM + "deepseek-r1-basic", "2025-10-08", _ANOTHERAI, _FLASH),
    _retired(_FWM + "qwen3-235b-a22b", "2026-02-12", _MD_0212, _K3),
    _retired(_FWM + "qwen3-coder-480b-a35b-instruct", "2026-02-12", _MD_0212, _K3),
    _retired(_FWM + "minimax-m2", "2026-02-12", _MD_0212, _GLM),
    # Firmware: ids from Firmware's own API reference pages, else the LiteLLM seed
    _s("gpt-4o", "served", _FM_CHAT),
    _s("text-embedding-3-small", "served", _FM_EMBED, "embedding"),
    _s("text-embedding-3-large", "served", _FM_EMBED, "embedding"),
    _s("rerank-2.5", "served", _FM_RERANK, "rerank"),
    _s("rerank-2.5-lite", "served", _FM_RERANK, "rerank"),
    _s("openai/gpt-4o-mini", "unverified", _LL_FM),
    _s("anthropic/claude-haiku-4-5-20251001", "unverified", _LL_FM),
    _s("anthropic/claude-sonnet-4-5-20250929", "unverified", _LL_FM),
)

_BY_KEY = {(s.provider, s.short): s for s in _STATUS}

#: The ids the README, docs, notebooks, demo and live kit use, by role (all served).
DEFAULTS: dict[str, str] = {
    "chat": _K3,  # general chat + tools (and vision)
    "vision": _K3,
    "small": _OSS,  # cheap: the live kit's chat, completions and batch rows
    "reasoning": _GLM,
    "embedding": _FWM + "qwen3-embedding-8b",
    "rerank": _FWM + "qwen3-reranker-8b",
    "audio": "whisper-v3-turbo",
    "image": "flux-1-schnell-fp8",
    "router": _FWR + "glm-5p3-fast",
    "firmware_chat": "gpt-4o",
    "firmware_embedding": "text-embedding-3-small",
    "firmware_rerank": "rerank-2.5-lite",
}


def status(provider: str, model: str) -> ModelStatus | None:
    """The status record for ``model`` on ``provider``, or None when the table has none.

    >>> status("fireworks", "kimi-k3").status, status("fireworks", "glm-5p3-fast").status
    ('served', 'router')
    >>> status("fireworks", "my-finetune") is None
    True
    """
    return _BY_KEY.get((provider, short_name(provider, model)))


def statuses(provider: str | None = None) -> list[ModelStatus]:
    """Every status record (of ``provider``, when given), in table order."""
    return [s for s in _STATUS if provider is None or s.provider == provider]


def retired(provider: str | None = None) -> list[ModelStatus]:
    """The records marked ``retired``.

    >>> "llama-v3p1-8b-instruct" in {s.short for s in retired("fireworks")}
    True
    """
    return [s for s in statuses(provider) if s.status == "retired"]
