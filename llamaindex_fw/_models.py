"""What we know about models: context window, tool and image support, reasoning style.

The table is keyed by the model's short name: the last path segment of a Fireworks id
(``accounts/fireworks/models/kimi-k2-instruct-0905`` -> ``kimi-k2-instruct-0905``) and the
Firmware id without its vendor prefix (``openai/gpt-5`` -> ``gpt-5``). Provider tables are
separate: the same short name can mean different deployments on the two APIs.

Figures come from the vendors' public model pages (named in ``source``); none could be
re-checked against the live APIs while writing this, so :meth:`Fireworks.refresh_model_info`
(``llamaindex_fw.llms``) can refresh them from the models endpoint, and ``context_window=``
on the LLM overrides everything. A model missing from the table is *unknown*: the LLM then
uses :data:`UNKNOWN_CONTEXT_WINDOW` and says so in a warning, rather than guessing silently.

>>> lookup("fireworks", "accounts/fireworks/models/kimi-k2-instruct-0905").context_window
262144
>>> lookup("firmware", "anthropic/claude-sonnet-4-5-20250929").supports_tools
True
>>> lookup("firmware", "no-such-model") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from fw_core.models import ModelInfo as ListedModel

__all__ = [
    "UNKNOWN_CONTEXT_WINDOW",
    "ModelInfo",
    "info_from_catalog_entry",
    "info_from_listed_model",
    "lookup",
    "short_name",
]

#: Used for a model the table does not know (and no override / endpoint value): big enough
#: for a RAG prompt, small enough to fit every chat model both APIs currently serve.
UNKNOWN_CONTEXT_WINDOW = 32_768

Reasoning = Literal["none", "field", "inline", "always"]


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """Facts about one model.

    Attributes:
        context_window: prompt + output tokens the model accepts.
        supports_tools: False only when the vendor says the model cannot call tools.
        supports_images: accepts ``image_url`` content parts.
        reasoning: ``"none"``; ``"field"`` (optional reasoning in ``reasoning_content``);
            ``"inline"`` (``<think>`` inside ``content``); ``"always"`` (always reasons).
        source: where the figures come from.
    """

    context_window: int
    supports_tools: bool = True
    supports_images: bool = False
    reasoning: Reasoning = "none"
    source: str = ""


_FW = "Fireworks model page (fireworks.ai/models/fireworks/<name>)"
_FW_CATALOG = "Fireworks model catalog contextLength (WIRE.md §3.9 example)"

_FIREWORKS: dict[str, ModelInfo] = {
    # DeepSeek
    "deepseek-v3p1": ModelInfo(163_840, reasoning="field", source=_FW_CATALOG),
    "deepseek-v3p1-terminus": ModelInfo(163_840, reasoning="field", source=_FW),
    "deepseek-v3p2": ModelInfo(163_840, reasoning="field", source=_FW),
    "deepseek-v3-0324": ModelInfo(163_840, source=_FW),
    # The original R1 has no function calling (DeepSeek's R1 release notes); 0528 added it.
    "deepseek-r1": ModelInfo(163_840, supports_tools=False, reasoning="inline", source=_FW),
    "deepseek-r1-basic": ModelInfo(163_840, supports_tools=False, reasoning="inline", source=_FW),
    "deepseek-r1-0528": ModelInfo(163_840, reasoning="inline", source=_FW),
    # Moonshot Kimi
    "kimi-k2-instruct": ModelInfo(131_072, source=_FW),
    "kimi-k2-instruct-0905": ModelInfo(262_144, source=_FW),
    "kimi-k2-thinking": ModelInfo(262_144, reasoning="always", source=_FW),
    "kimi-k2p5": ModelInfo(262_144, supports_images=True, reasoning="field", source=_FW),
    # Qwen
    "qwen3-235b-a22b": ModelInfo(131_072, reasoning="field", source=_FW),
    "qwen3-235b-a22b-instruct-2507": ModelInfo(262_144, source=_FW),
    "qwen3-235b-a22b-thinking-2507": ModelInfo(262_144, reasoning="always", source=_FW),
    "qwen3-30b-a3b": ModelInfo(131_072, reasoning="field", source=_FW),
    "qwen3-coder-480b-a35b-instruct": ModelInfo(262_144, source=_FW),
    "qwen2p5-vl-32b-instruct": ModelInfo(128_000, supports_images=True, source=_FW),
    # Meta Llama
    "llama-v3p1-8b-instruct": ModelInfo(131_072, source=_FW),
    "llama-v3p1-70b-instruct": ModelInfo(131_072, source=_FW),
    "llama-v3p1-405b-instruct": ModelInfo(131_072, source=_FW),
    "llama-v3p3-70b-instruct": ModelInfo(131_072, source=_FW),
    "llama4-maverick-instruct-basic": ModelInfo(1_048_576, supports_images=True, source=_FW),
    "llama4-scout-instruct-basic": ModelInfo(1_048_576, supports_images=True, source=_FW),
    # OpenAI open weights: reasoning_effort low/medium/high only (WIRE.md §1.7)
    "gpt-oss-120b": ModelInfo(131_072, reasoning="always", source=_FW),
    "gpt-oss-20b": ModelInfo(131_072, reasoning="always", source=_FW),
    # Zhipu GLM, MiniMax, Mistral
    "glm-4p5": ModelInfo(131_072, reasoning="field", source=_FW),
    "glm-4p6": ModelInfo(202_752, reasoning="field", source=_FW),
    "glm-4p7": ModelInfo(202_752, reasoning="field", source=_FW),
    "minimax-m2": ModelInfo(196_608, reasoning="always", source=_FW),
    "mixtral-8x22b-instruct": ModelInfo(65_536, source=_FW),
}

_OPENAI = "OpenAI model page (platform.openai.com/docs/models)"
_ANTHROPIC = "Anthropic models overview (docs.anthropic.com)"
_GOOGLE = "Google Gemini models page (ai.google.dev/gemini-api/docs/models)"
_XAI = "xAI models page (docs.x.ai)"
_DEEPSEEK = "DeepSeek API docs, models & pricing"
_CEREBRAS = "Cerebras inference model pages"

# Model names from the Firmware seed (LiteLLM's Firmware page, WIRE.md §2.2).
_FIRMWARE: dict[str, ModelInfo] = {
    "gpt-5.2": ModelInfo(400_000, supports_images=True, reasoning="always", source=_OPENAI),
    "gpt-5": ModelInfo(400_000, supports_images=True, reasoning="always", source=_OPENAI),
    "gpt-5-mini": ModelInfo(400_000, supports_images=True, reasoning="always", source=_OPENAI),
    "gpt-5-nano": ModelInfo(400_000, supports_images=True, reasoning="always", source=_OPENAI),
    "gpt-4o": ModelInfo(128_000, supports_images=True, source=_OPENAI),
    "gpt-4o-mini": ModelInfo(128_000, supports_images=True, source=_OPENAI),
    "claude-opus-4-5": ModelInfo(
        200_000, supports_images=True, reasoning="field", source=_ANTHROPIC
    ),
    "claude-sonnet-4-5-20250929": ModelInfo(
        200_000, supports_images=True, reasoning="field", source=_ANTHROPIC
    ),
    "claude-haiku-4-5-20251001": ModelInfo(
        200_000, supports_images=True, reasoning="field", source=_ANTHROPIC
    ),
    "gemini-3-pro-preview": ModelInfo(
        1_048_576, supports_images=True, reasoning="always", source=_GOOGLE
    ),
    "gemini-3-flash-preview": ModelInfo(
        1_048_576, supports_images=True, reasoning="always", source=_GOOGLE
    ),
    "gemini-2.5-pro": ModelInfo(
        1_048_576, supports_images=True, reasoning="always", source=_GOOGLE
    ),
    "gemini-2.5-flash": ModelInfo(
        1_048_576, supports_images=True, reasoning="field", source=_GOOGLE
    ),
    "grok-4-fast-reasoning": ModelInfo(
        2_000_000, supports_images=True, reasoning="always", source=_XAI
    ),
    "grok-4-fast-non-reasoning": ModelInfo(2_000_000, supports_images=True, source=_XAI),
    "grok-code-fast-1": ModelInfo(256_000, reasoning="always", source=_XAI),
    "deepseek-chat": ModelInfo(128_000, source=_DEEPSEEK),
    "deepseek-reasoner": ModelInfo(128_000, reasoning="always", source=_DEEPSEEK),
    "gpt-oss-120b": ModelInfo(131_072, reasoning="always", source=_CEREBRAS),
    "zai-glm-4.7": ModelInfo(131_072, reasoning="field", source=_CEREBRAS),
}

_TABLES = {"fireworks": _FIREWORKS, "firmware": _FIRMWARE}


def short_name(provider: str, model: str) -> str:
    """The table key for a model id (see the module doc)."""
    if provider == "fireworks":
        base = model.partition("#")[0]  # "<model>#<deployment>" -> the model part
        return base.rsplit("/", 1)[-1].lower()
    return model.rsplit("/", 1)[-1].lower()


@lru_cache(maxsize=256)
def lookup(provider: str, model: str) -> ModelInfo | None:
    """The table entry for ``model`` on ``provider`` ("fireworks"/"firmware"), or None."""
    table = _TABLES.get(provider, {})
    return table.get(short_name(provider, model))


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str) and value.isdigit() and int(value) > 0:
        return int(value)
    return None


_CONTEXT_KEYS = (
    "contextLength",
    "context_length",
    "context_window",
    "max_context_length",
    "max_model_len",
    "max_input_tokens",
)


def info_from_catalog_entry(entry: dict[str, Any], fallback: ModelInfo | None) -> ModelInfo | None:
    """A :class:`ModelInfo` from a models-endpoint entry, keeping table facts it lacks.

    Reads the Fireworks catalog fields (``contextLength``, ``supportsTools``,
    ``supportsImageInput``) and the usual OpenAI-style list extensions (``context_length``,
    ``context_window``...). Returns None when the entry carries no context length.
    """
    window = next((v for k in _CONTEXT_KEYS if (v := _int(entry.get(k))) is not None), None)
    if window is None:
        return None
    base = fallback or ModelInfo(window)
    tools = entry.get("supportsTools", entry.get("supports_tools"))
    images = entry.get("supportsImageInput", entry.get("supports_images"))
    return ModelInfo(
        context_window=window,
        supports_tools=tools if isinstance(tools, bool) else base.supports_tools,
        supports_images=images if isinstance(images, bool) else base.supports_images,
        reasoning=base.reasoning,
        source="models endpoint",
    )


def info_from_listed_model(listed: ListedModel, fallback: ModelInfo | None) -> ModelInfo | None:
    """A :class:`ModelInfo` from a :class:`fw_core.models.ModelInfo`, keeping table facts
    the listing does not state (``None`` there means unknown, never "no").

    Returns None when neither the listing nor the table gives a context window.

    >>> from fw_core.models import ModelInfo as Listed
    >>> table = lookup("fireworks", "deepseek-r1")
    >>> info = info_from_listed_model(Listed(id="x", provider="fireworks", supports_tools=True),
    ...                               table)
    >>> info.context_window, info.supports_tools, info.reasoning
    (163840, True, 'inline')
    """
    window = listed.context_length or (fallback.context_window if fallback else None)
    if window is None:
        return None
    base = fallback or ModelInfo(window)
    tools, images = listed.supports_tools, listed.supports_image_input
    return ModelInfo(
        context_window=window,
        supports_tools=base.supports_tools if tools is None else tools,
        supports_images=base.supports_images if images is None else images,
        reasoning=base.reasoning,
        source="models endpoint",
    )
