"""``FireworksAudioReader``: Fireworks Whisper transcription as a LlamaIndex reader.

Works on its own (``reader.load_data("call.mp3")``) and as a ``file_extractor`` of
``SimpleDirectoryReader`` (``file_extractor={".mp3": reader, ".wav": reader}``). The HTTP
call, option checks and parsing are :mod:`fw_core.endpoints.audio`; the text/metadata mapping is
:func:`fw_core.endpoints.transcript.transcript_to_records`, shared with the LangChain parser.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePath
from typing import Any, ClassVar

from llama_index.core.readers.base import BasePydanticReader
from llama_index.core.readers.file.base import is_default_fs
from llama_index.core.schema import Document

from fw_core.endpoints.audio import (
    AudioInput,
    Transcription,
    TranscriptionFields,
    atranscribe,
    transcribe,
    transcript_to_records,
)
from fw_core.kit.connection import ConnectionMixin
from fw_core.providers import FIREWORKS, ProviderSpec

__all__ = ["FireworksAudioReader"]

#: Metadata keys kept out of the text that embeddings and LLMs see (long lists of dicts).
_HIDDEN_KEYS = [
    "segments",
    "words",
    "speakers",
    "segment_ids",
    "request_id",
    "response_format",
    "task",
]


def _source(file: Any) -> str | None:
    if isinstance(file, str | PurePath):
        return str(file)
    name = getattr(file, "name", None)
    return str(name) if isinstance(name, str) else None


class FireworksAudioReader(ConnectionMixin, TranscriptionFields, BasePydanticReader):
    """Transcribe audio files with Fireworks Whisper into LlamaIndex ``Document``\\ s.

    ``load_data(file)`` takes a path, ``bytes``, a binary file object or a public
    ``http(s)`` URL. By default one Document per file: the transcript as text; metadata
    ``source``, ``model``, ``language``, ``duration``, and ``segments`` / ``words`` (lists
    of dicts with ``start``/``end`` seconds and, with ``diarize=True``, ``speaker_id``).
    Those lists are excluded from the embedding and LLM views of the Document. With
    ``chunking="segment"`` (or ``"speaker"``, which needs ``diarize=True``) one Document per
    segment (per speaker turn) with ``start``, ``end`` and ``speaker_id``. The options
    (``model``, ``language``, ``response_format``, ``diarize``...) are the fields of
    :class:`fw_core.endpoints.audio.TranscriptionFields`, shared with the LangChain parser.

    Connection arguments as the other ``llamaindex_fw`` classes: ``api_key`` (default
    ``FIREWORKS_API_KEY``), ``base_url``, ``timeout``, ``max_retries``,
    ``default_headers``, ``http_client``, ``async_http_client``; ``audio_base_url`` sends
    to another audio endpoint. Bad options raise ConfigurationError here.

    Example:
        >>> import httpx
        >>> from fw_core.testing import WireDouble
        >>> from fw_core.testing.audio import wav_bytes
        >>> from llamaindex_fw.readers import FireworksAudioReader
        >>> reader = FireworksAudioReader(
        ...     api_key="fw-example",
        ...     http_client=httpx.Client(transport=WireDouble().transport()))
        >>> doc = reader.load_data(wav_bytes(2.0), extra_info={"topic": "demo"})[0]
        >>> doc.metadata["duration"], doc.metadata["topic"], len(doc.metadata["segments"])
        (2.0, 'demo', 1)
    """

    fw_provider: ClassVar[ProviderSpec] = FIREWORKS

    is_remote: bool = True

    def __init__(self, **data: Any) -> None:
        super().__init__(**data)
        self._check_transcription(self.base_url)  # ConfigurationError before any request

    @classmethod
    def class_name(cls) -> str:
        return "llamaindex_fw.FireworksAudioReader"

    def _documents(
        self, file: Any, result: Transcription, extra_info: dict[str, Any] | None
    ) -> list[Document]:
        records = transcript_to_records(
            result, self.chunking, source=_source(file), include_timestamps=self.include_timestamps
        )
        docs = []
        for text, meta in records:
            doc = Document(text=text, metadata={**(extra_info or {}), **meta})
            hidden = [k for k in _HIDDEN_KEYS if k in doc.metadata]
            doc.excluded_embed_metadata_keys = hidden
            doc.excluded_llm_metadata_keys = list(hidden)
            docs.append(doc)
        return docs

    @staticmethod
    def _with_fs(file: Any, fs: Any) -> Any:
        """Bytes of ``file`` when it lives on a non-local fsspec filesystem."""
        if fs is None or is_default_fs(fs) or not isinstance(file, str | PurePath) or _is_url(file):
            return file
        with fs.open(str(file), "rb") as handle:
            return handle.read()

    @staticmethod
    def _filename(file: Any) -> str | None:
        if isinstance(file, str | PurePath) and not _is_url(file):
            return Path(str(file)).name
        return None

    def transcribe(self, file: AudioInput, *, fs: Any = None) -> Transcription:
        """The typed :class:`~fw_core.endpoints.transcript.Transcription` of one file."""
        return transcribe(
            self._client(),
            self._with_fs(file, fs),
            filename=self._filename(file),
            **self._transcribe_kwargs(),
        )

    async def atranscribe(self, file: AudioInput) -> Transcription:
        """Async :meth:`transcribe` (a path is read in a worker thread)."""
        return await atranscribe(
            self._aclient(),
            file,
            filename=self._filename(file),
            **self._transcribe_kwargs(),
        )

    def lazy_load_data(
        self,
        file: AudioInput | Sequence[AudioInput],
        extra_info: dict[str, Any] | None = None,
        *,
        fs: Any = None,
    ) -> Iterator[Document]:
        """Transcribe ``file`` (or each of a list of files), one request per file.

        ``extra_info`` is merged into every Document's metadata (SimpleDirectoryReader
        passes the file's metadata here, and ``fs`` for a non-local filesystem).
        """
        for one in _files(file):
            yield from self._documents(one, self.transcribe(one, fs=fs), extra_info)

    def load_data(
        self,
        file: AudioInput | Sequence[AudioInput],
        extra_info: dict[str, Any] | None = None,
        *,
        fs: Any = None,
    ) -> list[Document]:
        """All Documents of :meth:`lazy_load_data` as a list."""
        return list(self.lazy_load_data(file, extra_info, fs=fs))

    async def aload_data(
        self,
        file: AudioInput | Sequence[AudioInput],
        extra_info: dict[str, Any] | None = None,
        *,
        fs: Any = None,
    ) -> list[Document]:
        """Async :meth:`load_data` on the async HTTP client (files read off the loop)."""
        docs: list[Document] = []
        for one in _files(file):
            data = one
            if fs is not None and not is_default_fs(fs):  # remote fs reads are sync
                data = await asyncio.to_thread(self._with_fs, one, fs)
            result = await atranscribe(
                self._aclient(),
                data,
                filename=self._filename(one),
                **self._transcribe_kwargs(),
            )
            docs.extend(self._documents(one, result, extra_info))
        return docs


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


def _files(file: Any) -> list[Any]:
    if isinstance(file, list | tuple):
        return list(file)
    return [file]
