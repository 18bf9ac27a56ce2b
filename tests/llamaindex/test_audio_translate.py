"""FireworksAudioReader(task="translate"): English Documents from the translations
endpoint (docs/wire.md §1.20), replayed from cassettes.

Record with ``FW_RECORD=double pytest <this file> --record-mode=once``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fw_core.errors import ConfigurationError
from llamaindex_fw.readers import FireworksAudioReader
from tests.audio_fixtures import write_wav

pytestmark = pytest.mark.vcr


def test_translate_reader_loads_english_documents(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "lecture_es.wav", seconds=5.0)
    docs = FireworksAudioReader(task="translate", language="es").load_data(path)
    assert len(docs) == 1
    meta = docs[0].metadata
    assert (meta["task"], meta["language"], meta["duration"]) == ("translate", "en", 5.0)
    assert docs[0].text


async def test_async_translate_reader(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "memo_it.wav", seconds=3.0)
    docs = await FireworksAudioReader(task="translate").aload_data(path)
    assert docs[0].metadata["task"] == "translate" and docs[0].text


def test_unknown_task_is_refused_at_construction() -> None:
    with pytest.raises(ConfigurationError, match="task"):
        FireworksAudioReader(task="dub")
