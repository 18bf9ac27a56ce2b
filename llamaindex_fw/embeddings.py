"""``FireworksEmbedding`` and ``FirmwareEmbedding``: LlamaIndex ``BaseEmbedding`` on fw_core.

The same :func:`fw_core.embeddings.embed` / :func:`~fw_core.embeddings.aembed` code the
LangChain classes use does the HTTP work. LlamaIndex cuts inputs into ``embed_batch_size``
batches (default: the API's per-request limit, 2048 for Fireworks and 1000 for Firmware),
and each batch is one request. Async batches run concurrently, at most ``num_workers`` at a
time (default :data:`fw_core.endpoints.embeddings.DEFAULT_MAX_CONCURRENCY`).

Nomic models want task prefixes; queries get ``search_query: `` and documents
``search_document: `` unless you set ``query_prefix`` / ``text_prefix`` (``""`` disables).

``get_text_embedding_batch(texts, show_progress=True)`` (and its async twin) draws one
tqdm bar counting inputs, moved as each request completes rather than as texts are
queued; without tqdm installed it stays silent, as LlamaIndex does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ClassVar

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.bridge.pydantic import Field

from fw_core.endpoints.embeddings import (
    DEFAULT_MAX_CONCURRENCY,
    EmbeddingsRequest,
    Kind,
    aembed,
    default_max_chars,
    embed,
    prepare_texts,
)
from fw_core.errors import ConfigurationError
from fw_core.kit.connection import ConnectionMixin
from fw_core.kit.progress import ProgressBar, ProgressCallback
from fw_core.providers import FIREWORKS, FIRMWARE, ProviderSpec

__all__ = ["FireworksEmbedding", "FirmwareEmbedding", "FwEmbedding"]

# The bar of the get_text_embedding_batch call in progress (in this thread or task): the
# base class cuts the texts into batches and calls _get_text_embeddings per batch, which
# has no show_progress argument, so the bar reaches the batches this way.
_PROGRESS: ContextVar[ProgressBar | None] = ContextVar("fw_embedding_progress", default=None)


@contextmanager
def _progress(show: bool, total: int) -> Iterator[ProgressBar]:
    with ProgressBar(show, total=total, desc="Generating embeddings", unit="input") as bar:
        token = _PROGRESS.set(bar)
        try:
            yield bar
        finally:
            _PROGRESS.reset(token)
        bar.update_to(total)  # inputs answered from an embeddings cache count as done


def _batch_progress() -> ProgressCallback | None:
    """A (done, total) callback for one batch that moves the whole call's bar, or None."""
    bar = _PROGRESS.get()
    if bar is None:
        return None
    reported = 0

    def moved(done: int, total: int) -> None:
        nonlocal reported
        bar.advance(done - reported)
        reported = done

    return moved


class FwEmbedding(ConnectionMixin, BaseEmbedding):
    """Shared implementation of the two embedding classes; use those."""

    dimensions: int | None = Field(
        default=None, gt=0, description="Output size for models that support it (Matryoshka)."
    )
    query_prefix: str | None = Field(
        default=None, description="Prefix for queries; None = the model's convention."
    )
    text_prefix: str | None = Field(
        default=None, description="Prefix for documents; None = the model's convention."
    )
    fw_extra_field: ClassVar[str | None] = "additional_kwargs"
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra fields for the embeddings request body."
    )

    def __init__(self, model_name: str | None = None, **data: Any) -> None:
        provider = self.fw_provider
        name = model_name or data.get("model_name") or provider.default_embedding_model
        data["model_name"] = name
        provider.normalize_model(name)  # ConfigurationError for a bad id, before any request
        data.setdefault("embed_batch_size", provider.embedding_batch_limit)
        if data["embed_batch_size"] > provider.embedding_batch_limit:
            raise ConfigurationError(
                f"embed_batch_size {data['embed_batch_size']} exceeds the "
                f"{provider.display_name} limit of {provider.embedding_batch_limit} inputs"
            )
        if data.get("num_workers") is None:
            data["num_workers"] = DEFAULT_MAX_CONCURRENCY
        super().__init__(**data)
        provider.check_dimensions(provider.normalize_model(self.model_name), self.dimensions)

    def _request(self, concurrency: int) -> EmbeddingsRequest:
        return EmbeddingsRequest(
            model=self.fw_provider.normalize_model(self.model_name),
            dimensions=self.dimensions,
            batch_size=self.embed_batch_size,
            max_concurrency=concurrency,
            extra_body=self.additional_kwargs or None,
        )

    def _prefixed(self, texts: Sequence[str], kind: Kind) -> list[str]:
        # Same preparation as the LangChain classes: task prefix, an empty text sent as a
        # space (the API refuses ""), and a text far beyond the model's per-input limit
        # refused before sending.
        prefix = self.query_prefix if kind == "query" else self.text_prefix
        return prepare_texts(
            texts,
            model=self.model_name,
            kind=kind,
            prefix=prefix,
            max_chars=default_max_chars(self.model_name),
        )

    def _embed(self, texts: Sequence[str], kind: Kind) -> list[Embedding]:
        # LlamaIndex hands sync batches over one after another; fw_core spreads each over
        # up to num_workers concurrent requests (never below 64 inputs each).
        request = self._request(self.num_workers or 1)
        inputs = self._prefixed(texts, kind)
        return embed(self._client(), inputs, request, on_progress=_batch_progress()).vectors

    async def _aembed(self, texts: Sequence[str], kind: Kind) -> list[Embedding]:
        # Async: LlamaIndex already runs batches concurrently (num_workers), one request each.
        inputs, request = self._prefixed(texts, kind), self._request(1)
        result = await aembed(self._aclient(), inputs, request, on_progress=_batch_progress())
        return result.vectors

    def get_text_embedding_batch(
        self, texts: list[str], show_progress: bool = False, **kwargs: Any
    ) -> list[Embedding]:
        """Embed ``texts`` in batches; ``show_progress`` draws a bar of inputs done (tqdm)."""
        with _progress(show_progress, len(texts)):
            return super().get_text_embedding_batch(texts, show_progress=False, **kwargs)

    async def aget_text_embedding_batch(
        self, texts: list[str], show_progress: bool = False, **kwargs: Any
    ) -> list[Embedding]:
        """Async :meth:`get_text_embedding_batch`, batches running ``num_workers`` at once."""
        with _progress(show_progress, len(texts)):
            return await super().aget_text_embedding_batch(texts, show_progress=False, **kwargs)

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._embed([query], "query")[0]

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return (await self._aembed([query], "query"))[0]

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._embed([text], "document")[0]

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return (await self._aembed([text], "document"))[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return self._embed(texts, "document")

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return await self._aembed(texts, "document")


class FireworksEmbedding(FwEmbedding):
    """Fireworks embeddings (``nomic-ai/nomic-embed-text-v1.5`` by default).

    Args:
        model_name: e.g. ``fireworks/qwen3-embedding-8b``, ``nomic-ai/nomic-embed-text-v1.5``.
        dimensions: shorter vectors for models that support it.
        embed_batch_size: inputs per request, at most 2048 (the default).
        num_workers: concurrent requests for async batches (default 8).
        query_prefix, text_prefix: task prefixes; default the model's convention.
        api_key: default ``FIREWORKS_API_KEY``.

    Example:
        >>> import httpx
        >>> from fw_core.testing import WireDouble
        >>> from llamaindex_fw import FireworksEmbedding
        >>> double = WireDouble()
        >>> emb = FireworksEmbedding(
        ...     api_key="fw-example", http_client=httpx.Client(transport=double.transport())
        ... )
        >>> len(emb.get_text_embedding_batch(["a cat", "a dog"]))
        2
    """

    fw_provider: ClassVar[ProviderSpec] = FIREWORKS

    @classmethod
    def class_name(cls) -> str:
        return "llamaindex_fw.FireworksEmbedding"


class FirmwareEmbedding(FwEmbedding):
    """Firmware embeddings (``text-embedding-3-small`` by default; also ``voyage-4``...).

    Arguments as :class:`FireworksEmbedding`; ``embed_batch_size`` is at most 1000.
    ``dimensions`` is taken by the ``text-embedding-3-*`` models only; other models refuse
    it at construction.

    Example:
        >>> import httpx
        >>> from fw_core.testing import WireDouble
        >>> from llamaindex_fw import FirmwareEmbedding
        >>> double = WireDouble()
        >>> emb = FirmwareEmbedding(
        ...     api_key="fm-example", http_client=httpx.Client(transport=double.transport())
        ... )
        >>> len(emb.get_query_embedding("where is the cat?")) > 0
        True
    """

    fw_provider: ClassVar[ProviderSpec] = FIRMWARE

    @classmethod
    def class_name(cls) -> str:
        return "llamaindex_fw.FirmwareEmbedding"
