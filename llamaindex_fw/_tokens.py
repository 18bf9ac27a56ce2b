"""A LlamaIndex tokenizer that needs no tokenizer file and no network: :func:`tokenizer`.

LlamaIndex counts tokens with ``Settings.tokenizer``: memory buffers (``ChatMemoryBuffer``,
``Memory``, ``ChatSummaryMemoryBuffer``), ``PromptHelper``, the text splitters and the
token-counting callback all call it and use only the length of what it returns. Its
default is tiktoken's ``cl100k_base``, an OpenAI tokenizer that llama-index-core reads from
a copy it ships; tiktoken downloads it instead (and fails offline) when
``TIKTOKEN_CACHE_DIR`` points elsewhere, and it under-counts the tokenizers of several
served models (by up to half on some languages), so trimming to it can overflow.

:func:`tokenizer` returns a callable with :mod:`fw_core.kit.tokens`' conservative estimate
instead. Set it once, or pass it to one memory::

    from llama_index.core import Settings
    import llamaindex_fw

    Settings.tokenizer = llamaindex_fw.tokenizer()
    memory = ChatMemoryBuffer.from_defaults(llm=llm, tokenizer_fn=llm.tokenizer)

Example:
    >>> from llamaindex_fw import tokenizer
    >>> count = tokenizer()
    >>> len(count("Hello, world!"))
    9
"""

from __future__ import annotations

from dataclasses import dataclass

from fw_core.kit.tokens import Vocabulary, estimate_text_tokens, vocabulary_for

__all__ = ["TokenEstimator", "tokenizer"]


@dataclass(frozen=True)
class TokenEstimator:
    """A tokenizer stand-in for LlamaIndex: ``len(estimator(text))`` is the estimate.

    LlamaIndex only ever takes the length of a tokenizer's result, so the list holds
    placeholders (zeros), not token ids.

    Example:
        >>> TokenEstimator("large")("Hello, world!")
        [0, 0, 0, 0, 0, 0, 0]
    """

    vocabulary: Vocabulary = "small"
    """The letter rule (:func:`fw_core.kit.tokens.vocabulary_for`)."""

    def __call__(self, text: str) -> list[int]:
        return [0] * estimate_text_tokens(text, vocabulary=self.vocabulary)


def tokenizer(model: str | None = None) -> TokenEstimator:
    """A conservative token estimator to use as LlamaIndex's tokenizer.

    Args:
        model: The model the counts are for; its family picks the tighter rule when its
            tokenizer is known to have a large vocabulary. Without it, the rule that
            over-counts for every tokenizer measured.

    Returns:
        A callable for ``Settings.tokenizer`` or a memory's ``tokenizer_fn``.

    Example:
        >>> tokenizer("kimi-k3")
        TokenEstimator(vocabulary='large')
    """
    return TokenEstimator(vocabulary_for(model))
