"""The model table: context window, tool and image support, reasoning style, with sources.

Entries are :class:`fw_core.models.ModelInfo`, the same type the model lists return, so a
listing can be laid over a table entry (:func:`merge_listing`) field by field.

The table is keyed by the model's short name: the last path segment of a Fireworks id
(``accounts/fireworks/models/kimi-k2-instruct-0905`` -> ``kimi-k2-instruct-0905``, a
``#<deployment>`` suffix dropped) and the Firmware id without its vendor prefix
(``openai/gpt-5`` -> ``gpt-5``). An entry's ``id`` is that short name. Provider tables are
separate: the same short name can mean different deployments on the two APIs.

Figures come from the vendors' public model pages (named in each entry's ``source``); none
could be re-checked against the live APIs while writing this, so the adapters can refresh
them from the models endpoint (:func:`fw_core.models.find_model` + :func:`merge_listing`).
A model missing from the table is *unknown* (:func:`lookup` returns None); the LlamaIndex
LLM then uses :data:`UNKNOWN_CONTEXT_WINDOW` and says so in a warning.

Importing this module loads :mod:`fw_core.models`; ``import fw_core`` does not load it.

>>> lookup("fireworks", "accounts/fireworks/models/kimi-k2-instruct-0905").context_length
262144
>>> lookup("firmware", "anthropic/claude-sonnet-4-5-20250929").supports_tools
True
>>> lookup("firmware", "no-such-model") is None
True
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache

from fw_core.models import ModelInfo, ReasoningStyle

__all__ = [
    "LISTED_SOURCE",
    "UNKNOWN_CONTEXT_WINDOW",
    "lookup",
    "merge_listing",
    "short_name",
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
_FW_CATALOG = "Fireworks model catalog contextLength (docs/wire.md §3.9 example)"

_FIREWORKS = _entries(
    "fireworks",
    # DeepSeek
    _m("deepseek-v3p1", 163_840, _FW_CATALOG, reasoning="field"),
    _m("deepseek-v3p1-terminus", 163_840, _FW, reasoning="field"),
    _m("deepseek-v3p2", 163_840, _FW, reasoning="field"),
    _m("deepseek-v3-0324", 163_840, _FW),
    # The original R1 has no function calling (DeepSeek's R1 release notes); 0528 added it.
    _m("deepseek-r1", 163_840, _FW, tools=False, reasoning="inline"),
    _m("deepseek-r1-basic", 163_840, _FW, tools=False, reasoning="inline"),
    _m("deepseek-r1-0528", 163_840, _FW, reasoning="inline"),
    # Moonshot Kimi
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
    if provider == "fireworks":
        model = model.partition("#")[0]  # "<model>#<deployment>" -> the model part
    return model.rsplit("/", 1)[-1].lower()


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
