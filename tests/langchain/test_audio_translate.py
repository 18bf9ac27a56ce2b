"""FireworksAudioParser(task="translate"): English Documents from the translations endpoint
(docs/wire.md §1.20), replayed from cassettes.

Record with ``FW_RECORD=double pytest <this file> --record-mode=once`` (or live with a key).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.document_loaders import Blob

from fw_core.errors import ConfigurationError
from langchain_fw.audio import FireworksAudioParser
from tests.audio_fixtures import write_wav

pytestmark = pytest.mark.vcr


def test_translate_parser_yields_english_documents(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "interview_de.wav", seconds=5.0)
    parser = FireworksAudioParser(task="translate", language="de")
    transcript = parser.transcribe(Blob.from_path(path))
    assert transcript.task == "translate" and transcript.language == "en"
    docs = parser.parse(Blob.from_path(path))
    assert len(docs) == 1 and docs[0].page_content == transcript.text
    assert docs[0].metadata["task"] == "translate"
    assert docs[0].metadata["language"] == "en"


async def test_async_translate_parser_by_segment(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "talk_fr.wav", seconds=4.0)
    parser = FireworksAudioParser(task="translate", chunking="segment")
    docs = await parser.aparse(Blob.from_path(path))
    assert len(docs) >= 2
    assert [d.metadata["start"] for d in docs] == sorted(d.metadata["start"] for d in docs)


def test_unknown_task_is_refused_at_construction() -> None:
    with pytest.raises(ConfigurationError, match="task"):
        FireworksAudioParser(task="summarize")
