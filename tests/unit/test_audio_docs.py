"""The examples in docs/audio.md run (against the wire double, in-process)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fw_core.testing import WireDouble, patch_transports
from tests.audio_fixtures import wav_bytes

DOC = Path(__file__).resolve().parents[2] / "docs" / "audio.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize(
    "index", range(len(BLOCKS)), ids=["langchain", "llamaindex", "translate", "chat-audio"]
)
def test_doc_example_runs(
    index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "meeting.mp3").write_bytes(wav_bytes(8.0))
    (tmp_path / "recordings").mkdir()
    (tmp_path / "recordings" / "a.wav").write_bytes(wav_bytes(4.0))
    (tmp_path / "recordings" / "b.mp3").write_bytes(wav_bytes(2.0))
    (tmp_path / "interview_de.wav").write_bytes(wav_bytes(4.0))
    (tmp_path / "question.wav").write_bytes(wav_bytes(1.0))
    double = WireDouble()
    namespace: dict[str, object] = {}
    with patch_transports(double):
        exec(compile(BLOCKS[index], f"docs/audio.md[{index}]", "exec"), namespace)
    if index == 2:
        lines = capsys.readouterr().out.strip().splitlines()
        assert [line.split()[1] for line in lines[:-1]] == ["en", "en"]  # two segments
        assert lines[-1]  # the plain translation's text
        assert [r.url for r in double.requests] == [
            "https://audio-prod.api.fireworks.ai/v1/audio/translations",
            "https://audio-turbo.api.fireworks.ai/v1/audio/translations",
        ]
        return
    if index == 3:
        assert len(capsys.readouterr().out.strip().splitlines()) == 2  # two answers
        sent = [r.json["messages"][0]["content"][1] for r in double.requests]
        assert [p["type"] for p in sent] == ["audio_url", "audio_url"]
        assert all(p["audio_url"]["url"].startswith("data:audio/wav;base64,UklG") for p in sent)
        return
    if index == 0:
        lines = capsys.readouterr().out.strip().splitlines()
        assert [line.split()[0] for line in lines] == ["SPEAKER_00", "SPEAKER_01"] * 2
    else:
        docs = namespace["docs"]
        assert isinstance(docs, list) and len(docs) == 3  # 2 segments + 1 segment
        assert {d.metadata["file_name"] for d in docs} == {"a.wav", "b.mp3"}
    assert double.count("/audio/transcriptions") == (1 if index == 0 else 2)
    assert double.requests[0].url.startswith(
        "https://audio-prod" if index == 0 else "https://audio-turbo"
    )
