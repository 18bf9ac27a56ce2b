"""Embeddings: batching to the API's limit, bounded concurrency, order kept, prefixes.

Inputs are cut into equal batches no larger than the provider's per-request limit; a large
input is also spread over up to ``max_concurrency`` batches, but never into batches smaller
than ``MIN_SPLIT_BATCH`` inputs (a few texts are one request: requests count against the
per-minute limits, and a small batch gains nothing from concurrency). Batches run
concurrently (threads on the sync client, tasks on the async client) and results are
reassembled in input order. A batch that fails raises its typed error with the batch named
(``err.batch``), and never a short list. ``on_progress(done, total)`` hears of every batch
that completes (inputs embedded so far, of all of them), from whichever thread ran it.

>>> plan_batches(10, limit=4, max_concurrency=2)
[(0, 4), (4, 8), (8, 10)]
>>> plan_batches(10, limit=2048, max_concurrency=8)
[(0, 10)]
>>> plan_batches(200, limit=2048, max_concurrency=8)
[(0, 50), (50, 100), (100, 150), (150, 200)]
>>> apply_prefix(["a"], model="nomic-ai/nomic-embed-text-v1.5", kind="query")
['search_query: a']
"""

from __future__ import annotations

import asyncio
import base64
import math
import sys
from array import array
from collections.abc import Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from fw_core.errors import (
    ConfigurationError,
    ContextLengthExceededError,
    FwError,
    ResponseValidationError,
)
from fw_core.http.client import AsyncClient, Client
from fw_core.kit.progress import ProgressBar, ProgressCallback
from fw_core.wire import EmbeddingResponse, Usage, parse_model

if TYPE_CHECKING:
    from fw_core.providers import ProviderSpec

__all__ = [
    "CHARS_PER_TOKEN_BOUND",
    "DEFAULT_MAX_CONCURRENCY",
    "MIN_SPLIT_BATCH",
    "EmbeddingResult",
    "EmbeddingsRequest",
    "aembed",
    "apply_prefix",
    "decode_embedding",
    "default_max_chars",
    "embed",
    "max_input_tokens",
    "plan_batches",
    "prepare_texts",
]

EMBEDDINGS_PATH = "/embeddings"
DEFAULT_MAX_CONCURRENCY = 8
#: Smallest batch split off only to run requests concurrently (see plan_batches).
MIN_SPLIT_BATCH = 64
_NOMIC_PREFIXES = ("search_document: ", "search_query: ", "clustering: ", "classification: ")
_BIG_ENDIAN = sys.byteorder == "big"  # the wire is little-endian float32
_NOMIC_DEFAULT = {"document": "search_document: ", "query": "search_query: "}

Kind = Literal["document", "query"]


def plan_batches(n: int, *, limit: int, max_concurrency: int = 1) -> list[tuple[int, int]]:
    """Split ``n`` inputs into contiguous ``(start, end)`` batches of at most ``limit``.

    Uses as many batches as it takes to respect ``limit``; beyond that, up to
    ``max_concurrency`` batches so concurrent requests share the work evenly, as long as
    each keeps at least ``MIN_SPLIT_BATCH`` inputs.
    """
    if n <= 0:
        return []
    if limit < 1:
        raise ConfigurationError(f"batch limit must be >= 1, got {limit}")
    spread = min(max(max_concurrency, 1), math.ceil(n / MIN_SPLIT_BATCH))
    count = max(math.ceil(n / limit), spread)
    size = math.ceil(n / count)
    return [(start, min(start + size, n)) for start in range(0, n, size)]


def default_prefix(model: str, kind: Kind) -> str:
    """The task prefix a model expects, or ''. Nomic models want ``search_query: `` etc."""
    return _NOMIC_DEFAULT[kind] if "nomic-embed" in model.lower() else ""


def apply_prefix(
    texts: Sequence[str], *, model: str, kind: Kind, prefix: str | None = None
) -> list[str]:
    """Prefix each text for ``kind``; ``prefix=None`` picks the model default.

    A text that already starts with a nomic task prefix is left alone.
    """
    p = default_prefix(model, kind) if prefix is None else prefix
    if not p:
        return list(texts)
    return [t if t.startswith(_NOMIC_PREFIXES) else p + t for t in texts]


#: Generous upper bound on characters per token: English averages about four; a text
#: above ``limit * 10`` characters is far beyond the limit, not a borderline case.
CHARS_PER_TOKEN_BOUND = 10

# Per-input token limits of known embedding models (substring of the model id -> tokens).
_TOKEN_LIMITS: tuple[tuple[str, int], ...] = (
    ("nomic-embed-text", 8192),  # docs/wire.md §1.11
    ("text-embedding-3", 8191),  # OpenAI's documented limit, served by Firmware
    ("voyage-4", 32000),  # Voyage 4 family context length
    ("qwen3-embedding", 32768),
)


def max_input_tokens(model: str) -> int | None:
    """The per-input token limit of a known embedding model, else None.

    >>> max_input_tokens("nomic-ai/nomic-embed-text-v1.5")
    8192
    >>> max_input_tokens("some-new-model") is None
    True
    """
    lowered = model.lower()
    for needle, tokens in _TOKEN_LIMITS:
        if needle in lowered:
            return tokens
    return None


def _too_long(index: int, length: int, max_chars: int, model: str) -> ContextLengthExceededError:
    tokens = max_input_tokens(model)
    limit = f"{tokens} tokens" if tokens else f"{max_chars} characters"
    return ContextLengthExceededError(
        f"text {index} has {length:,} characters, far more than {model!r} accepts per input "
        f"({limit}); split it first (e.g. with a text splitter), or raise "
        "max_input_chars if you are sure it fits"
    )


def prepare_texts(
    texts: Sequence[str],
    *,
    model: str,
    kind: Kind,
    prefix: str | None,
    max_chars: int | None,
) -> list[str]:
    """The strings to send: task prefix added, empty text made a space, length checked.

    Raises:
        ConfigurationError: ``texts`` is a single string or holds a non-string.
        ContextLengthExceededError: a text is longer than ``max_chars``.

    >>> prepare_texts(["a", ""], model="nomic-ai/nomic-embed-text-v1.5", kind="document",
    ...               prefix=None, max_chars=None)
    ['search_document: a', 'search_document: ']
    >>> prepare_texts([""], model="text-embedding-3-small", kind="query", prefix=None,
    ...               max_chars=None)
    [' ']
    """
    if isinstance(texts, str):
        raise ConfigurationError("expected a list of texts, got a single string")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise ConfigurationError(f"text {i} is {type(text).__name__}, not str")
    out = [t or " " for t in apply_prefix(texts, model=model, kind=kind, prefix=prefix)]
    if max_chars is not None:
        for i, text in enumerate(out):
            if len(text) > max_chars:
                raise _too_long(i, len(text), max_chars, model)
    return out


def default_max_chars(model: str) -> int | None:
    """The character bound :func:`prepare_texts` checks by default for ``model`` (or None)."""
    tokens = max_input_tokens(model)
    return tokens * CHARS_PER_TOKEN_BOUND if tokens else None


def decode_embedding(value: list[float] | str) -> list[float]:
    """A vector from the API: a list of floats, or base64 of little-endian float32.

    Both shapes are read whatever was asked (tolerant reader, docs/wire.md §2.6): a server
    that answers floats to ``encoding_format: "base64"`` still works.

    >>> decode_embedding("AACAPwAAAMA=")
    [1.0, -2.0]
    >>> decode_embedding([0.5])
    [0.5]
    """
    if isinstance(value, list):
        return value
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError:
        raise ResponseValidationError("embedding is neither a list nor valid base64") from None
    if len(raw) % 4:
        raise ResponseValidationError("base64 embedding is not a whole number of float32s")
    vec = array("f", raw)
    if _BIG_ENDIAN:
        vec.byteswap()
    return vec.tolist()


@dataclass(slots=True)
class EmbeddingsRequest:
    """Everything about an embeddings call except the texts."""

    model: str
    dimensions: int | None = None
    batch_size: int | None = None  # default: the provider's limit
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    extra_body: dict[str, Any] | None = None

    def body(self, texts: list[str], *, encoding: str | None = None) -> dict[str, Any]:
        """The JSON request body for ``texts``.

        ``encoding`` is the provider's default ``encoding_format`` (docs/wire.md §2.6); an
        ``encoding_format`` in ``extra_body`` wins over it (``"float"`` keeps JSON floats).

        >>> EmbeddingsRequest("m").body(["a"], encoding="base64")
        {'model': 'm', 'input': ['a'], 'encoding_format': 'base64'}
        >>> EmbeddingsRequest("m", extra_body={"encoding_format": "float"}).body(
        ...     ["a"], encoding="base64")
        {'model': 'm', 'input': ['a'], 'encoding_format': 'float'}
        """
        body: dict[str, Any] = {"model": self.model, "input": texts}
        if self.dimensions is not None:
            body["dimensions"] = self.dimensions
        if encoding is not None:
            body["encoding_format"] = encoding
        if self.extra_body:
            body.update(self.extra_body)
        return body


@dataclass(slots=True)
class EmbeddingResult:
    vectors: list[list[float]]
    usage: Usage
    model: str
    requests: int


def _check(
    texts: Sequence[str], req: EmbeddingsRequest, provider: ProviderSpec
) -> list[tuple[int, int]]:
    if isinstance(texts, str):
        raise ConfigurationError("embed() takes a list of texts, not a single string")
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise ConfigurationError(f"text {i} is {type(t).__name__}, not str")
    provider.check_dimensions(req.model, req.dimensions)
    if req.max_concurrency < 1:
        raise ConfigurationError("max_concurrency must be >= 1")
    limit = provider.embedding_batch_limit
    size = limit if req.batch_size is None else req.batch_size
    if size < 1 or size > limit:
        raise ConfigurationError(
            f"batch_size must be between 1 and the API's limit of {limit} inputs per request"
        )
    return plan_batches(len(texts), limit=size, max_concurrency=req.max_concurrency)


def _vectors(
    resp_content: bytes, n: int, request_id: str | None
) -> tuple[list[list[float]], EmbeddingResponse]:
    parsed = parse_model(EmbeddingResponse, resp_content, status_code=200, request_id=request_id)
    if len(parsed.data) != n:
        raise ResponseValidationError(
            f"asked for {n} embeddings, the API returned {len(parsed.data)}",
            status_code=200,
            request_id=request_id,
        )
    ordered: list[list[float] | None] = [None] * n
    for item in parsed.data:
        if not 0 <= item.index < n or ordered[item.index] is not None:
            raise ResponseValidationError(
                f"embedding index {item.index} out of range or repeated", request_id=request_id
            )
        ordered[item.index] = decode_embedding(item.embedding)
    return ordered, parsed  # type: ignore[return-value]


def _name_batch(err: FwError, i: int, count: int, start: int, end: int) -> FwError:
    err.batch = i  # type: ignore[attr-defined]
    err.add_note(f"embeddings batch {i + 1} of {count} (inputs {start}..{end - 1}) failed")
    return err


def _sum_usage(parts: list[EmbeddingResponse]) -> Usage:
    prompt = sum(p.usage.prompt_tokens for p in parts if p.usage)
    total = sum(p.usage.total_tokens for p in parts if p.usage)
    return Usage(prompt_tokens=prompt, total_tokens=total)


def embed(
    client: Client,
    texts: Sequence[str],
    req: EmbeddingsRequest,
    on_progress: ProgressCallback | None = None,
) -> EmbeddingResult:
    """Embed ``texts`` (already prefixed) in order; see the module doc for batching."""
    batches = _check(texts, req, client.provider)
    if not batches:
        return EmbeddingResult([], Usage(), req.model, 0)
    progress = ProgressBar(False, total=len(texts), callback=on_progress)

    def one(span: tuple[int, int]) -> tuple[list[list[float]], EmbeddingResponse]:
        chunk = list(texts[span[0] : span[1]])
        resp = client.request(
            "POST",
            EMBEDDINGS_PATH,
            json_body=req.body(chunk, encoding=client.provider.embedding_encoding),
        )
        out = _vectors(resp.content, len(chunk), resp.request_id)
        progress.advance(len(chunk))
        return out

    results: list[Any] = [None] * len(batches)
    if len(batches) == 1 or req.max_concurrency == 1:
        for i, span in enumerate(batches):
            try:
                results[i] = one(span)
            except FwError as err:
                raise _name_batch(err, i, len(batches), *span) from None
    else:
        workers = min(req.max_concurrency, len(batches))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fw-embed") as pool:
            futures = {pool.submit(one, span): i for i, span in enumerate(batches)}
            done, pending = wait(futures, return_when=FIRST_EXCEPTION)
            for f in pending:
                f.cancel()
            for f in done:
                exc = f.exception()
                if exc is not None:
                    i = futures[f]
                    if isinstance(exc, FwError):
                        raise _name_batch(exc, i, len(batches), *batches[i]) from None
                    raise exc
            for f, i in futures.items():
                results[i] = f.result()
    vectors = [v for vecs, _ in results for v in vecs]
    parsed = [p for _, p in results]
    return EmbeddingResult(vectors, _sum_usage(parsed), parsed[0].model or req.model, len(batches))


async def aembed(
    client: AsyncClient,
    texts: Sequence[str],
    req: EmbeddingsRequest,
    on_progress: ProgressCallback | None = None,
) -> EmbeddingResult:
    """Async twin of :func:`embed`: batches run as tasks, at most ``max_concurrency`` at once.

    When one batch fails the others are cancelled before the error is raised.
    """
    batches = _check(texts, req, client.provider)
    if not batches:
        return EmbeddingResult([], Usage(), req.model, 0)
    progress = ProgressBar(False, total=len(texts), callback=on_progress)
    sem = asyncio.Semaphore(req.max_concurrency)
    failed: list[FwError] = []  # once a batch failed, batches still waiting send nothing

    async def one(i: int, span: tuple[int, int]) -> tuple[list[list[float]], EmbeddingResponse]:
        chunk = list(texts[span[0] : span[1]])
        async with sem:
            if failed:
                raise failed[0]
            try:
                resp = await client.request(
                    "POST",
                    EMBEDDINGS_PATH,
                    json_body=req.body(chunk, encoding=client.provider.embedding_encoding),
                )
                out = _vectors(resp.content, len(chunk), resp.request_id)
                progress.advance(len(chunk))
                return out
            except FwError as err:
                failed.append(err)
                raise _name_batch(err, i, len(batches), *span) from None

    if len(batches) == 1:
        results = [await one(0, batches[0])]
    else:
        tasks = [asyncio.ensure_future(one(i, span)) for i, span in enumerate(batches)]
        try:
            results = list(await asyncio.gather(*tasks))
        except BaseException:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
    vectors = [v for vecs, _ in results for v in vecs]
    parsed = [p for _, p in results]
    return EmbeddingResult(vectors, _sum_usage(parsed), parsed[0].model or req.model, len(batches))
