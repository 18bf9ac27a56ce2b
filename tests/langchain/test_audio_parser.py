"""FireworksAudioParser: blobs (path, bytes, URL) to Documents, replayed from cassettes.

Record with ``FW_RECORD=double pytest <this file> --record-mode=once`` (or live with a key).
The error-mapping and option tests use the wire double directly (no cassette).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pytest
from langchain_core.document_loaders import BaseLoader, Blob, BlobLoader
from langchain_core.documents import Document
from langchain_core.exceptions import ModelAuthenticationError, ModelRateLimitError

from fw_core.errors import AuthenticationError, ConfigurationError, RateLimitError
from fw_core.testing import Fault, WireDouble
from langchain_fw._errors import FwResponseValidationError
from langchain_fw.audio import FireworksAudioParser
from tests.audio_fixtures import wav_bytes, write_wav

pytestmark = pytest.mark.vcr


class DirectoryBlobLoader(BlobLoader):
    """The smallest blob loader: every ``*.wav`` of a directory, sorted by name."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def yield_blobs(self) -> Iterable[Blob]:
        for path in sorted(self.directory.glob("*.wav")):
            yield Blob.from_path(path)


class BlobParserLoader(BaseLoader):
    """Loader + parser, the way ``langchain_community``'s ``GenericLoader`` composes them."""

    def __init__(self, blob_loader: BlobLoader, parser: FireworksAudioParser) -> None:
        self.blob_loader, self.parser = blob_loader, parser

    def lazy_load(self) -> Iterator[Document]:
        for blob in self.blob_loader.yield_blobs():
            yield from self.parser.lazy_parse(blob)


def test_path_blob_gives_one_document_with_timing_metadata(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "standup.wav", seconds=6.0)
    docs = FireworksAudioParser().parse(Blob.from_path(path))
    assert len(docs) == 1
    meta = docs[0].metadata
    assert meta["source"] == str(path)
    assert (meta["model"], meta["language"], meta["duration"]) == ("whisper-v3", "en", 6.0)
    segments = meta["segments"]
    assert len(segments) == 3
    assert docs[0].page_content == " ".join(s["text"] for s in segments)
    assert [s["start"] for s in segments] == sorted(s["start"] for s in segments)
    assert all(s["start"] < s["end"] <= 6.0 for s in segments)


def test_bytes_blob_chunked_per_segment_with_words() -> None:
    parser = FireworksAudioParser(
        chunking="segment", model="whisper-v3-turbo", timestamp_granularities=["word", "segment"]
    )
    blob = Blob.from_data(wav_bytes(6.0), path="memo.wav", metadata={"team": "core"})
    docs = parser.parse(blob)
    assert len(docs) == 3
    assert [d.metadata["segment_id"] for d in docs] == [0, 1, 2]
    assert all(d.metadata["source"] == "memo.wav" and d.metadata["team"] == "core" for d in docs)
    assert all(d.metadata["model"] == "whisper-v3-turbo" for d in docs)
    for doc in docs:
        words = doc.metadata["words"]
        assert len(words) == 5
        assert doc.page_content == " ".join(w["word"] for w in words)
        assert doc.metadata["start"] == words[0]["start"]
        assert doc.metadata["end"] == words[-1]["end"]
    assert docs[0].metadata["end"] <= docs[1].metadata["start"]


def test_diarized_audio_chunked_per_speaker_turn() -> None:
    parser = FireworksAudioParser(diarize=True, max_speakers=2, chunking="speaker")
    docs = parser.parse(Blob.from_data(wav_bytes(8.0), path="call.wav"))
    speakers = [d.metadata["speaker_id"] for d in docs]
    assert speakers == ["SPEAKER_00", "SPEAKER_01", "SPEAKER_00", "SPEAKER_01"]
    assert all(d.metadata["speakers"] == ["SPEAKER_00", "SPEAKER_01"] for d in docs)
    assert [d.metadata["turn"] for d in docs] == [0, 1, 2, 3]
    ends = [(d.metadata["start"], d.metadata["end"]) for d in docs]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(ends))


def test_a_url_blob_is_transcribed_by_url() -> None:
    url = "https://example.com/episode-12.mp3"
    docs = FireworksAudioParser(response_format="json").parse(Blob(path=url))
    assert len(docs) == 1 and docs[0].page_content
    meta = dict(docs[0].metadata)
    assert meta.pop("request_id")
    assert meta == {"source": url, "model": "whisper-v3", "response_format": "json"}


def test_a_blob_loader_feeds_the_parser(tmp_path: Path) -> None:
    for name, seconds in (("a.wav", 2.0), ("b.wav", 3.0)):
        write_wav(tmp_path / name, seconds)
    (tmp_path / "notes.txt").write_text("not audio")
    loader = BlobParserLoader(
        DirectoryBlobLoader(tmp_path), FireworksAudioParser(include_timestamps=False)
    )
    docs = loader.load()
    assert [Path(d.metadata["source"]).name for d in docs] == ["a.wav", "b.wav"]
    assert [d.metadata["duration"] for d in docs] == [2.0, 3.0]
    assert all("segments" not in d.metadata and "words" not in d.metadata for d in docs)


def test_srt_output_is_the_page_content() -> None:
    docs = FireworksAudioParser(response_format="srt").parse(
        Blob.from_data(wav_bytes(4.0), path="clip.wav")
    )
    assert docs[0].page_content.startswith("1\n00:00:00,000 --> ")
    assert len(docs[0].metadata["segments"]) == 2


async def test_async_parse(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "async.wav", seconds=4.0)
    parser = FireworksAudioParser(chunking="segment")
    docs = await parser.aparse(Blob.from_path(path))
    assert len(docs) == 2 and all(d.metadata["source"] == str(path) for d in docs)
    assert (await parser.atranscribe(Blob.from_path(path))).duration == 4.0


# --------------------------------------------------------------------------- no cassette


def _parser(double: WireDouble, **kwargs: object) -> FireworksAudioParser:
    return FireworksAudioParser(
        api_key="test-key",
        max_retries=1,
        http_client=httpx.Client(transport=double.transport()),
        **kwargs,
    )  # type: ignore[arg-type]


def test_api_errors_are_the_langchain_twins() -> None:
    double = WireDouble(api_keys=["another-key"])
    with pytest.raises(ModelAuthenticationError) as auth:
        _parser(double).parse(Blob.from_data(wav_bytes(1.0)))
    assert isinstance(auth.value, AuthenticationError) and auth.value.status_code == 401
    double = WireDouble()
    # a 429 without a wait hint: one with retry-after is waited out (docs/rate_limits.md)
    double.inject(Fault.status(429), times=3)
    with pytest.raises(ModelRateLimitError) as limited:
        _parser(double).parse(Blob.from_data(wav_bytes(1.0)))
    assert isinstance(limited.value, RateLimitError)
    double = WireDouble()
    double.inject(Fault.wrong_shape({"nothing": True}))
    with pytest.raises(FwResponseValidationError):
        _parser(double, response_format="json").parse(Blob.from_data(wav_bytes(1.0)))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"chunking": "speaker"}, "needs diarize=True"),
        ({"chunking": "segment", "response_format": "json"}, "needs segments"),
        ({"chunking": "page"}, "chunking"),
        ({"model": "whisper-large"}, "unknown audio model"),
        ({"diarize": True, "response_format": "text"}, "verbose_json"),
        ({"min_speakers": 2}, "diarize=True"),
        ({"preprocessing": " "}, "preprocessing"),
    ],
)
def test_bad_options_fail_at_construction(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises((ConfigurationError, ValueError), match=message):
        FireworksAudioParser(api_key="test-key", **kwargs)  # type: ignore[arg-type]


def test_bad_blobs_fail_before_any_request(tmp_path: Path) -> None:
    double = WireDouble()
    parser = _parser(double)
    with pytest.raises(ConfigurationError, match="holds text"):
        parser.parse(Blob.from_data("hello"))
    with pytest.raises(ConfigurationError, match="empty"):
        parser.parse(Blob.from_data(b""))
    with pytest.raises(ConfigurationError, match="does not exist"):
        parser.parse(Blob.from_path(tmp_path / "missing.wav"))
    assert double.requests == []


def test_one_client_is_reused_across_blobs() -> None:
    double = WireDouble()
    parser = _parser(double)
    parser.parse(Blob.from_data(wav_bytes(1.0)))
    first = parser._client()
    parser.parse(Blob.from_data(wav_bytes(2.0)))
    assert parser._client() is first and double.count("/audio/transcriptions") == 2
    assert "test-key" not in repr(parser)
