"""Token counting for the LangChain models, with no tokenizer package and no network.

langchain-core's default counts with a GPT-2 tokenizer from ``transformers``, which API
users rarely install. The models here count with :mod:`fw_core.kit.tokens` instead: a
conservative estimate (it over-counts, so trimming to a budget never overflows). A real
tokenizer, when you have one, is plugged in with LangChain's own
``custom_get_token_ids`` field, and then every count uses it.

Example:
    >>> from langchain_fw import ChatFireworks
    >>> llm = ChatFireworks(model="kimi-k3", api_key="example-key")
    >>> llm.get_num_tokens("Hello, world!")
    7
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fw_core.kit.tokens import TextCounter, estimate_text_tokens, vocabulary_for

__all__ = ["TokenEstimateMixin"]


class TokenEstimateMixin:
    """``get_num_tokens`` and ``get_token_ids`` from :mod:`fw_core.kit.tokens`.

    Mix it in before the LangChain base class; the class has a ``model`` field and
    LangChain's ``custom_get_token_ids``.
    """

    def _fw_text_counter(self) -> TextCounter:
        custom: Callable[[str], list[int]] | None = getattr(self, "custom_get_token_ids", None)
        if custom is not None:
            return lambda text: len(custom(text))
        model: Any = getattr(self, "model", None)
        return partial(estimate_text_tokens, vocabulary=vocabulary_for(model))

    def get_num_tokens(self, text: str) -> int:
        """A conservative estimate of the tokens in ``text`` (see :mod:`fw_core.kit.tokens`),
        or the exact count from ``custom_get_token_ids`` when it is set."""
        return self._fw_text_counter()(text)

    def get_token_ids(self, text: str) -> list[int]:
        """The token ids of ``text`` from ``custom_get_token_ids``.

        Raises:
            NotImplementedError: without ``custom_get_token_ids``: no tokenizer of the
                served models ships with this package, and an estimate has no ids. Use
                :meth:`get_num_tokens` for a count.
        """
        custom: Callable[[str], list[int]] | None = getattr(self, "custom_get_token_ids", None)
        if custom is not None:
            return custom(text)
        raise NotImplementedError(
            f"{type(self).__name__} has no local tokenizer, so it cannot give token ids; "
            "get_num_tokens() and get_num_tokens_from_messages() give a conservative "
            "estimate. Pass custom_get_token_ids=<your tokenizer's encode> for real ids."
        )
