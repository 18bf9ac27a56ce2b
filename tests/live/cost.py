"""The live check's cost ESTIMATE and spending cap.

Prices are **estimates** in USD (docs/live_check.md, "What it costs", gives their source and
date): rounded up from the providers' public pricing pages, never read from the API. A
chat call is charged its estimated prompt tokens (:func:`fw_core.kit.tokens.estimate_text_tokens`,
which over-counts) plus its whole ``max_tokens``; other calls a flat or per-unit price.

Example:
    >>> b = Budget(cap_usd=0.01)
    >>> round(estimate(PLAN["fw_chat_plain"]), 6) > 0
    True
    >>> b.allow("fw_chat_plain")
    True
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from fw_core.kit.tokens import estimate_text_tokens

__all__ = [
    "DEFAULT_CAP_USD",
    "PLAN",
    "PRICES",
    "Budget",
    "Call",
    "cap_from_env",
    "estimate",
    "total",
]

DEFAULT_CAP_USD = 0.05

#: (provider, price key) -> (USD per 1M input tokens, USD per 1M output tokens, USD per unit).
#: Estimates, rounded up; see docs/live_check.md for the source of each row.
PRICES: dict[str, tuple[float, float, float]] = {
    "fireworks:chat": (3.00, 15.00, 0.0),  # kimi-k3: $3 / $15 (models.dev PR 3777)
    "fireworks:vision": (3.00, 15.00, 0.0),
    "fireworks:small": (0.15, 0.60, 0.0),  # gpt-oss-120b: $0.15 / $0.60, rounded up
    "fireworks:batch": (0.08, 0.30, 0.0),  # gpt-oss-120b at the batch price (50 %)
    "fireworks:embeddings": (0.02, 0.0, 0.0),  # embedding models up to 150M params: $0.008
    "fireworks:rerank": (0.20, 0.0, 0.0),
    "fireworks:catalog": (0.0, 0.0, 0.0),  # control plane, free
    "fireworks:audio": (0.0, 0.0, 0.002),  # whisper-v3(-turbo): <= $0.0015 per audio minute
    "fireworks:image": (0.0, 0.0, 0.002),  # flux-1-schnell-fp8: $0.00035 per step, 4 steps
    "firmware:chat": (2.50, 10.00, 0.0),  # gpt-4o: $2.50 / $10 (OpenAI's price)
    "firmware:thinking": (1.00, 5.00, 0.0),  # anthropic/claude-haiku-4-5: $1 / $5
    "firmware:mcp": (2.50, 10.00, 0.005),  # gpt-4o + a flat guess for the MCP tool run
    "firmware:embeddings": (0.03, 0.0, 0.0),  # text-embedding-3-small: $0.02
    "firmware:rerank": (0.10, 0.0, 0.0),  # rerank-2.5-lite: $0.02 (Voyage), rounded up
    "firmware:quota": (0.0, 0.0, 0.0),
}


@dataclass(frozen=True)
class Call:
    """One planned request: its price row, the text it sends, its output cap, its units."""

    price: str
    prompt: str = ""
    max_out: int = 0
    units: float = 0.0
    extra_prompt_tokens: int = 0  # tool results, images, MCP context the text does not show

    @property
    def provider(self) -> str:
        return self.price.partition(":")[0]


_Q = "Reply with one short word."
PLAN: dict[str, Call] = {
    "fw_chat_plain": Call("fireworks:chat", _Q, 16),
    "fw_chat_stream": Call("fireworks:chat", _Q, 16),
    "fw_chat_tools": Call(
        "fireworks:chat", "What is the weather in Paris? Use the tool.", 64, 0, 200
    ),
    "fw_chat_structured": Call("fireworks:chat", "Ada is 36 years old.", 64, 0, 100),
    "fw_chat_reasoning": Call("fireworks:chat", "What is 2 + 3?", 256),
    "fw_chat_vision": Call("fireworks:vision", "What colour is this image?", 32, 0, 1000),
    "fw_completions": Call("fireworks:small", "The capital of France is", 8),
    "fw_embeddings": Call("fireworks:embeddings", "a short text to embed, twice", 0),
    "fw_rerank": Call("fireworks:rerank", "query and three short documents to rank", 0, 0, 60),
    "fw_catalog": Call("fireworks:catalog"),
    "fw_table_catalog": Call("fireworks:catalog"),
    "fw_batch": Call("fireworks:batch", "Say yes. Say no.", 32, 0, 64),
    "fw_audio": Call("fireworks:audio", units=1.0),
    "fw_image": Call("fireworks:image", units=1.0),
    "fm_chat": Call("firmware:chat", _Q, 16),
    "fm_thinking": Call("firmware:thinking", "What is 2 + 3?", 1200),
    "fm_mcp": Call("firmware:mcp", "Search the web for the Eiffel Tower height.", 200, 1, 4000),
    "fm_embeddings": Call("firmware:embeddings", "a short text to embed", 0),
    "fm_rerank": Call("firmware:rerank", "query and three short documents to rank", 0, 0, 60),
    "fm_quota": Call("firmware:quota"),
}


def estimate(call: Call) -> float:
    """The estimated USD cost of one call (an upper estimate, not a bill)."""
    p_in, p_out, p_unit = PRICES[call.price]
    tokens_in = estimate_text_tokens(call.prompt) + call.extra_prompt_tokens + 32
    return tokens_in * p_in / 1e6 + call.max_out * p_out / 1e6 + call.units * p_unit


def cap_from_env() -> float:
    """``LIVE_CHECK_MAX_USD`` as a float, else :data:`DEFAULT_CAP_USD`."""
    raw = os.environ.get("LIVE_CHECK_MAX_USD", "").strip()
    return float(raw) if raw else DEFAULT_CAP_USD


@dataclass
class Budget:
    """Running estimated spend against a cap; a call that would pass the cap is refused."""

    cap_usd: float
    spent_usd: float = 0.0
    refused: list[str] = field(default_factory=list)

    def allow(self, name: str) -> bool:
        """Charge the planned call ``name`` if it fits under the cap; else record a refusal."""
        cost = estimate(PLAN[name])
        if self.spent_usd + cost > self.cap_usd:
            self.refused.append(name)
            return False
        self.spent_usd += cost
        return True


def total(names: list[str]) -> float:
    """The estimated cost of the planned calls ``names``."""
    return sum(estimate(PLAN[n]) for n in names)
