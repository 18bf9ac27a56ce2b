"""``make demo`` replays its tour offline: every section runs and prints its results.

The demo (``python -m demo --replay``) answers every request from ``cassettes/demo/`` with
its own vcrpy cassette per section (record mode ``none``), so a change in what a class sends
fails here loudly. Re-record with ``python -m demo --record``.
"""

from __future__ import annotations

import pytest

from demo import tour
from demo.__main__ import main


# llama-index's workflow machinery runs inspect.getmembers over the agent (pydantic noise)
@pytest.mark.filterwarnings("ignore::DeprecationWarning:inspect")
def test_demo_tour_replays_every_section(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("FIREWORKS_API_KEY", "FIRMWARE_API_KEY", "FW_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(tour, "REPLAY_PACE_S", 0.0)
    assert main(["--replay"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("Offline: replaying cassettes/demo/")
    assert f"{len(tour.SECTIONS)} of {len(tour.SECTIONS)} sections ran" in out
    assert "FAILED" not in out
    if _demo_cassettes_are_live():
        return  # a real model's wording: the sections ran, which is what holds for any answer
    for expected in (
        "model calls  get_weather({'city': 'Lisbon'})",  # ChatFirmware agent
        "tool returns '18C and sunny in Lisbon'",
        "Movie(title='Inception', year=2010, director='Christopher Nolan')",
        "Zorbaville is the capital of Freedonia",  # reranked first
        "1889",  # LlamaIndex query engine
        "tool multiply({'a': 6, 'b': 7}) = 42",  # FunctionAgent
        "SPEAKER_01  2.00- 3.92s",  # transcript by speaker turn
        "the artifact holds image/png, 114x64 px",  # the image tool's artifact
    ):
        assert expected in out, expected


def _demo_cassettes_are_live() -> bool:
    """Whether any demo cassette is marked ``live`` in ``cassettes/MANIFEST`` (then the
    answers are a real model's, not the wire double's echo text)."""
    from tests.manifest import read_entries

    return any(
        path.startswith("demo/") and fields[1:2] == ["live"]
        for path, fields in read_entries().items()
    )
