"""Fireworks audio transcription (Whisper) as a LangChain blob parser.

:class:`FireworksAudioParser` is a ``BaseBlobParser``: hand it a ``Blob`` (from a path,
from bytes, or whose ``path`` is a public ``http(s)`` URL) or put it behind any blob loader
(``langchain_community``'s ``GenericLoader`` included) and it yields ``Document``s with
the transcript. The HTTP call, option checks and response parsing live in
:mod:`fw_core.endpoints.audio`; the Document text/metadata mapping is
:func:`fw_core.endpoints.transcript.transcript_to_records`, shared with the LlamaIndex reader.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import PurePath
from typing import Any, ClassVar

from langchain_core.document_loaders import BaseBlobParser
from langchain_core.document_loaders.blob_loaders import Blob
from langchain_core.documents import Document
from pydantic import model_validator

from fw_core.endpoints.audio import (
    Transcription,
    TranscriptionFields,
    atranscribe,
    transcribe,
    transcript_to_records,
)
from fw_core.errors import ConfigurationError
from fw_core.providers import FIREWORKS, ProviderSpec
from langchain_fw._base import FwClientMixin
from langchain_fw._errors import translate_errors

__all__ = ["FireworksAudioParser"]


def _blob_file(blob: Blob) -> tuple[Any, str | None]:
    """What to upload for ``blob`` (bytes, a path or a URL) and the filename to send."""
    path = blob.path
    name = PurePath(str(path)).name if path is not None else None
    if blob.data is not None:
        if isinstance(blob.data, str):
            raise ConfigurationError(
                "the blob holds text, not audio bytes; create it with Blob.from_path(...) "
                "or Blob.from_data(<bytes>)"
            )
        return blob.data, name
    if path is None:
        raise ConfigurationError("the blob has neither data nor a path")
    text = str(path)
    if text.lower().startswith(("http://", "https://")):
        return text, None
    return path, name


class FireworksAudioParser(FwClientMixin, TranscriptionFields, BaseBlobParser):
    """Transcribe audio blobs with Fireworks Whisper (``whisper-v3``, ``whisper-v3-turbo``).

    By default each blob becomes one ``Document``: the transcript as ``page_content``;
    ``metadata`` with ``source``, ``model``, ``language``, ``duration`` and, as lists of
    dicts, the ``segments`` and ``words`` with their ``start``/``end`` seconds (and
    ``speaker_id`` with ``diarize=True``). ``chunking="segment"`` yields one Document per
    segment, ``chunking="speaker"`` one per speaker turn (needs ``diarize=True``), each
    with ``start``, ``end`` and ``speaker_id`` in metadata. The options (``model``,
    ``language``, ``response_format``, ``diarize``...) are the fields of
    :class:`fw_core.endpoints.audio.TranscriptionFields`, shared with the LlamaIndex reader.

    The connection fields are those of every ``langchain_fw`` class (``api_key`` /
    ``FIREWORKS_API_KEY``, ``base_url``, ``timeout``, ``max_retries``,
    ``default_headers``, ``http_client``, ``http_async_client``). The request goes to the
    model's audio host unless ``base_url`` (the client base) was changed or
    ``audio_base_url`` is set (see :mod:`fw_core.endpoints.audio`). Bad options raise
    :class:`~fw_core.errors.ConfigurationError` here, at construction.

    Example:
        >>> import httpx
        >>> from langchain_core.document_loaders import Blob
        >>> from fw_core.testing import WireDouble
        >>> from fw_core.testing.audio import wav_bytes
        >>> from langchain_fw.audio import FireworksAudioParser
        >>> parser = FireworksAudioParser(
        ...     api_key="fw-example", chunking="segment",
        ...     http_client=httpx.Client(transport=WireDouble().transport()))
        >>> docs = parser.parse(Blob.from_data(wav_bytes(4.0), path="call.wav"))
        >>> [(d.metadata["start"], d.metadata["source"]) for d in docs]
        [(0.0, 'call.wav'), (2.0, 'call.wav')]
    """

    fw_provider: ClassVar[ProviderSpec] = FIREWORKS
    fw_aliases: ClassVar[Mapping[str, str]] = {
        "fireworks_api_key": "api_key",
        "fireworks_api_base": "base_url",
    }

    @model_validator(mode="after")
    def _check_audio_options(self) -> Any:
        self._check_transcription(self.base_url)  # ConfigurationError before any request
        return self

    def _documents(self, blob: Blob, result: Transcription) -> list[Document]:
        source = blob.source if blob.source is not None else None
        records = transcript_to_records(
            result, self.chunking, source=source, include_timestamps=self.include_timestamps
        )
        return [
            Document(page_content=text, metadata={**blob.metadata, **meta})
            for text, meta in records
        ]

    def transcribe(self, blob: Blob) -> Transcription:
        """The typed :class:`~fw_core.endpoints.transcript.Transcription` of one blob."""
        file, filename = _blob_file(blob)
        with translate_errors():
            return transcribe(self._client(), file, filename=filename, **self._transcribe_kwargs())

    async def atranscribe(self, blob: Blob) -> Transcription:
        """Async :meth:`transcribe`: the async client; paths are read in a worker thread."""
        file, filename = _blob_file(blob)
        with translate_errors():
            return await atranscribe(
                self._aclient(), file, filename=filename, **self._transcribe_kwargs()
            )

    def lazy_parse(self, blob: Blob) -> Iterator[Document]:
        """Transcribe ``blob`` and yield its Documents (one request per blob)."""
        yield from self._documents(blob, self.transcribe(blob))

    async def alazy_parse(self, blob: Blob) -> AsyncIterator[Document]:
        """Async twin of :meth:`lazy_parse`."""
        for doc in self._documents(blob, await self.atranscribe(blob)):
            yield doc

    async def aparse(self, blob: Blob) -> list[Document]:
        """Async twin of :meth:`parse`."""
        return [doc async for doc in self.alazy_parse(blob)]
