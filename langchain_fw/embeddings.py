"""LangChain embeddings for Fireworks AI and Firmware.ai.

:class:`FireworksEmbeddings` and :class:`FirmwareEmbeddings` are thin subclasses of one
base; batching, bounded concurrency, order, retries and wire parsing all live in
:mod:`fw_core.endpoints.embeddings`. What this layer adds is what a LangChain user expects:

- **Task prefixes.** Nomic models are trained with ``search_document: `` and
  ``search_query: `` prefixes; they are added automatically (``embed_documents`` vs
  ``embed_query``). ``document_prefix`` / ``query_prefix`` override them (``""`` turns
  them off). Text already carrying a nomic task prefix is left alone.
- **Empty strings.** The APIs reject an empty input string; a vector store fed from a
  loader would then fail the whole job over one blank chunk. An empty text is sent as a
  single space instead, so it gets a real vector of the right length (and scores low
  against everything). ``embed_documents([])`` returns ``[]`` without a request.
- **Oversize input.** Each model has a per-input token limit (8192 for
  ``nomic-embed-text-v1.5``). A text longer than ``max_input_chars`` (by default ten
  characters per token of the model's limit, which no real text of an acceptable length
  reaches) raises :class:`~fw_core.errors.ContextLengthExceededError` (also LangChain's
  ``ContextOverflowError``) before anything is sent, naming the text's index. Split long
  documents with a text splitter first. ``max_input_chars=None`` disables the check.
- **Errors.** Every API error is also the matching ``langchain_core.exceptions`` class; a
  failed batch names itself (``err.batch``, and a note with the input range), and never
  yields a short list.
- **Progress.** ``show_progress=True`` draws a tqdm bar for ``embed_documents`` /
  ``aembed_documents``, counting inputs and moving as each request completes; without
  tqdm installed it stays silent (LlamaIndex's convention, :mod:`fw_core.kit.progress`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from langchain_core.embeddings import Embeddings
from pydantic import Field, model_validator

from fw_core import errors as fe
from fw_core.endpoints.embeddings import (
    CHARS_PER_TOKEN_BOUND,
    DEFAULT_MAX_CONCURRENCY,
    EmbeddingResult,
    EmbeddingsRequest,
    Kind,
    aembed,
    embed,
    max_input_tokens,
    prepare_texts,
)
from fw_core.kit.progress import ProgressBar
from fw_core.providers import FIREWORKS, FIRMWARE, ProviderSpec
from langchain_fw._base import FwClientMixin
from langchain_fw._errors import map_error

__all__ = [
    "CHARS_PER_TOKEN_BOUND",
    "FireworksEmbeddings",
    "FirmwareEmbeddings",
    "max_input_tokens",
    "prepare_texts",
]


class _FwEmbeddings(FwClientMixin, Embeddings):
    """Shared implementation; use :class:`FireworksEmbeddings` or :class:`FirmwareEmbeddings`."""

    model: str = ""
    """Embedding model id; empty means the provider's default."""
    dimensions: int | None = None
    """Output size (Matryoshka truncation) for models that support it; None = native size."""
    batch_size: int | None = None
    """Most inputs per request; None = the API's limit (Fireworks 2048, Firmware 1000)."""
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    """Most requests in flight at once for one call; 1 sends batches one after another."""
    document_prefix: str | None = None
    """Prefix for ``embed_documents``; None = the model's default (nomic: ``search_document: ``)."""
    query_prefix: str | None = None
    """Prefix for ``embed_query``; None = the model's default (nomic: ``search_query: ``)."""
    max_input_chars: int | None = Field(default=None)
    """Longest text sent, in characters; unset = derived from the model's token limit,
    explicit None = no check."""
    fw_extra_field: ClassVar[str | None] = "extra_body"
    extra_body: dict[str, Any] | None = None
    """Extra JSON fields sent with every request (e.g. ``{"normalize": True}``)."""
    show_progress: bool = False
    """Draw a tqdm progress bar (inputs done) for ``embed_documents`` when tqdm is installed."""

    @model_validator(mode="after")
    def _check_embedding_options(self) -> Any:
        provider = self.fw_provider
        model = provider.normalize_model(self.model or provider.default_embedding_model)
        object.__setattr__(self, "model", model)
        if "max_input_chars" not in self.model_fields_set:
            tokens = max_input_tokens(model)
            derived = tokens * CHARS_PER_TOKEN_BOUND if tokens else None
            object.__setattr__(self, "max_input_chars", derived)
        provider.check_dimensions(model, self.dimensions)
        if self.max_concurrency < 1:
            raise fe.ConfigurationError("max_concurrency must be >= 1")
        limit = provider.embedding_batch_limit
        if self.batch_size is not None and not 1 <= self.batch_size <= limit:
            raise fe.ConfigurationError(
                f"batch_size must be between 1 and {limit} (the API's inputs per request)"
            )
        if self.max_input_chars is not None and self.max_input_chars < 1:
            raise fe.ConfigurationError("max_input_chars must be >= 1 (or None for no check)")
        return self

    def _request(self) -> EmbeddingsRequest:
        return EmbeddingsRequest(
            model=self.model,
            dimensions=self.dimensions,
            batch_size=self.batch_size,
            max_concurrency=self.max_concurrency,
            extra_body=self.extra_body,
        )

    def _inputs(self, texts: Sequence[str], kind: Kind) -> list[str]:
        prefix = self.document_prefix if kind == "document" else self.query_prefix
        return prepare_texts(
            texts, model=self.model, kind=kind, prefix=prefix, max_chars=self.max_input_chars
        )

    def _progress(self, total: int, kind: Kind) -> ProgressBar:
        # A query is one input: a bar for it would only be noise.
        show = self.show_progress and kind == "document"
        return ProgressBar(show, total=total, desc="Embedding", unit="input")

    def _run(self, texts: Sequence[str], kind: Kind) -> EmbeddingResult:
        try:
            inputs = self._inputs(texts, kind)
            with self._progress(len(inputs), kind) as bar:
                return embed(self._client(), inputs, self._request(), on_progress=bar)
        except fe.FwError as exc:
            raise map_error(exc) from exc

    async def _arun(self, texts: Sequence[str], kind: Kind) -> EmbeddingResult:
        try:
            inputs = self._inputs(texts, kind)
            with self._progress(len(inputs), kind) as bar:
                return await aembed(self._aclient(), inputs, self._request(), on_progress=bar)
        except fe.FwError as exc:
            raise map_error(exc) from exc

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed documents (with the document prefix), in input order."""
        return self._run(texts, "document").vectors

    def embed_query(self, text: str) -> list[float]:
        """Embed one search query (with the query prefix)."""
        return self._run([text], "query").vectors[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Async :meth:`embed_documents` on the async HTTP client (no thread pool)."""
        return (await self._arun(texts, "document")).vectors

    async def aembed_query(self, text: str) -> list[float]:
        """Async :meth:`embed_query` on the async HTTP client (no thread pool)."""
        return (await self._arun([text], "query")).vectors[0]


class FireworksEmbeddings(_FwEmbeddings):
    """Fireworks AI embeddings (``POST /embeddings``) for LangChain.

    The key comes from ``api_key`` or ``FIREWORKS_API_KEY`` (``FIREWORKS_AI_API_KEY``);
    the default model is ``nomic-ai/nomic-embed-text-v1.5``, whose task prefixes are
    added for you. Up to 2048 texts go in one request; larger lists are split and sent
    ``max_concurrency`` at a time, and the vectors come back in input order.

    Example:
        >>> from langchain_fw import FireworksEmbeddings
        >>> emb = FireworksEmbeddings(api_key="example-key", dimensions=256)
        >>> emb.model, emb.max_input_chars
        ('nomic-ai/nomic-embed-text-v1.5', 81920)
        >>> emb.embed_documents([])
        []
        >>> vectors = emb.embed_documents(["RAG combines retrieval"])  # doctest: +SKIP
    """

    fw_provider: ClassVar[ProviderSpec] = FIREWORKS
    fw_aliases: ClassVar[Mapping[str, str]] = {
        "fireworks_api_key": "api_key",
        "fireworks_api_base": "base_url",
    }


class FirmwareEmbeddings(_FwEmbeddings):
    """Firmware.ai embeddings (``POST /embeddings``) for LangChain.

    The key comes from ``api_key`` or ``FIRMWARE_API_KEY``; the default model is
    ``text-embedding-3-small``; ``text-embedding-3-large``, ``voyage-4`` and
    ``voyage-4-large`` are also served. ``dimensions`` is accepted for the
    ``text-embedding-3-*`` models only (docs/wire.md §2.6); other models refuse it at
    construction. Up to 1000 texts go in one request.

    Example:
        >>> from langchain_fw import FirmwareEmbeddings
        >>> emb = FirmwareEmbeddings(api_key="example-key", model="voyage-4")
        >>> emb.model, emb.max_input_chars
        ('voyage-4', 320000)
        >>> vectors = emb.embed_documents(["RAG combines retrieval"])  # doctest: +SKIP
    """

    fw_provider: ClassVar[ProviderSpec] = FIRMWARE
    fw_aliases: ClassVar[Mapping[str, str]] = {"firmware_api_key": "api_key"}
