"""FireworksAudioReader: files to LlamaIndex Documents, alone and in SimpleDirectoryReader.

HTTP tests replay cassettes (record with ``FW_RECORD=double pytest <this file>
--record-mode=once``); option and error tests use the wire double directly.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from llama_index.core import SimpleDirectoryReader
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import MetadataMode

from fw_core.errors import AuthenticationError, ConfigurationError, InternalServerError
from fw_core.testing import Fault, WireDouble
from llamaindex_fw.readers import FireworksAudioReader
from tests.audio_fixtures import wav_bytes, write_wav

pytestmark = pytest.mark.vcr


def test_load_data_from_a_path(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "lecture.wav", seconds=6.0)
    docs = FireworksAudioReader().load_data(path, extra_info={"course": "physics"})
    assert len(docs) == 1
    meta = docs[0].metadata
    assert meta["source"] == str(path) and meta["course"] == "physics"
    assert (meta["model"], meta["language"], meta["duration"]) == ("whisper-v3", "en", 6.0)
    assert docs[0].text == " ".join(s["text"] for s in meta["segments"])
    # the long lists stay out of what embeddings and the LLM see
    embed_view = docs[0].get_content(metadata_mode=MetadataMode.EMBED)
    assert "segments" not in embed_view and "duration" in embed_view
    assert "segments" not in docs[0].get_content(metadata_mode=MetadataMode.LLM)


def test_a_transcript_goes_through_a_node_parser(tmp_path: Path) -> None:
    """A long metadata list would break SentenceSplitter's size check; it is excluded."""
    path = write_wav(tmp_path / "long.wav", seconds=40.0)
    docs = FireworksAudioReader(timestamp_granularities=["word", "segment"]).load_data(path)
    assert len(docs[0].metadata["words"]) == 100
    nodes = SentenceSplitter(chunk_size=64, chunk_overlap=0).get_nodes_from_documents(docs)
    assert len(nodes) > 1 and all(n.metadata["source"] == str(path) for n in nodes)


def test_simple_directory_reader_uses_it_as_file_extractor(tmp_path: Path) -> None:
    write_wav(tmp_path / "one.wav", seconds=2.0)
    write_wav(tmp_path / "two.wav", seconds=4.0)
    (tmp_path / "readme.txt").write_text("A text file next to the recordings.")
    reader = FireworksAudioReader(chunking="segment")
    docs = SimpleDirectoryReader(
        input_dir=str(tmp_path),
        file_extractor={".wav": reader},
        raise_on_error=True,
    ).load_data()
    audio = [d for d in docs if d.metadata.get("file_name", "").endswith(".wav")]
    text = [d for d in docs if d.metadata.get("file_name") == "readme.txt"]
    assert len(text) == 1
    assert [(d.metadata["file_name"], d.metadata["segment_id"]) for d in audio] == [
        ("one.wav", 0),
        ("two.wav", 0),
        ("two.wav", 1),
    ]
    assert all(d.metadata["file_path"] == d.metadata["source"] for d in audio)
    assert all(d.metadata["start"] < d.metadata["end"] for d in audio)


async def test_simple_directory_reader_async(tmp_path: Path) -> None:
    write_wav(tmp_path / "a.wav", seconds=2.0)
    reader = FireworksAudioReader(model="whisper-v3-turbo")
    docs = await SimpleDirectoryReader(
        input_dir=str(tmp_path),
        file_extractor={".wav": reader},
        raise_on_error=True,
    ).aload_data()
    assert len(docs) == 1 and docs[0].metadata["model"] == "whisper-v3-turbo"
    assert docs[0].metadata["duration"] == 2.0


def test_speaker_turns_from_bytes() -> None:
    reader = FireworksAudioReader(diarize=True, min_speakers=3, chunking="speaker")
    docs = reader.load_data(wav_bytes(8.0))
    assert [d.metadata["speaker_id"] for d in docs] == [
        "SPEAKER_00",
        "SPEAKER_01",
        "SPEAKER_02",
        "SPEAKER_00",
    ]
    assert all(d.metadata["segment_ids"] == [i] for i, d in enumerate(docs))
    assert "source" not in docs[0].metadata  # bytes have no name


async def test_aload_data_with_a_file_object_and_a_url(tmp_path: Path) -> None:
    reader = FireworksAudioReader(response_format="text")
    path = write_wav(tmp_path / "memo.wav", seconds=2.0)
    with path.open("rb") as handle:
        docs = await reader.aload_data(handle)
    assert docs[0].metadata["source"] == str(path) and docs[0].text
    url = "https://example.com/talk.mp3"
    by_url = await reader.aload_data([url])
    assert by_url[0].metadata["source"] == url and by_url[0].text != docs[0].text


# --------------------------------------------------------------------------- no cassette


def _reader(double: WireDouble, **kwargs: Any) -> FireworksAudioReader:
    return FireworksAudioReader(
        api_key="test-key",
        max_retries=1,
        http_client=httpx.Client(transport=double.transport()),
        async_http_client=httpx.AsyncClient(transport=double.async_transport()),
        **kwargs,
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"chunking": "speaker"}, "needs diarize=True"),
        ({"chunking": "segment", "response_format": "text"}, "needs segments"),
        ({"model": "whisper-large"}, "unknown audio model"),
        (
            {
                "response_format": "verbose_json",
                "diarize": True,
                "timestamp_granularities": ["segment"],
            },
            "'word'",
        ),
        ({"alignment_model": ""}, "alignment_model"),
    ],
)
def test_bad_options_fail_at_construction(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        FireworksAudioReader(api_key="test-key", **kwargs)


def test_errors_and_bad_files_before_sending(tmp_path: Path) -> None:
    double = WireDouble(api_keys=["other"])
    reader = _reader(double)
    with pytest.raises(ConfigurationError, match="empty"):
        reader.load_data(io.BytesIO(b""))
    with pytest.raises(ConfigurationError, match="does not exist"):
        reader.load_data(tmp_path / "none.wav")
    assert double.requests == []
    with pytest.raises(AuthenticationError):
        reader.load_data(wav_bytes(1.0))


async def test_async_errors_are_typed() -> None:
    double = WireDouble()
    double.inject(Fault.status(503), times=4)
    with pytest.raises(InternalServerError):
        await _reader(double).aload_data(wav_bytes(1.0))
    assert double.count("/audio/transcriptions") == 2


def test_serialization_keeps_no_key() -> None:
    reader = FireworksAudioReader(api_key="very-secret-key-123", default_headers={"X-A": "1"})
    dumped = reader.to_json()
    assert "very-secret-key-123" not in dumped and "very-secret-key-123" not in repr(reader)
    assert reader.class_name() == "llamaindex_fw.FireworksAudioReader"
