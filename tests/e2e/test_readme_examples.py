"""The README's Python examples run as written, offline, from cassettes.

Each fenced ``python`` block of README.md is executed on its own (fresh globals) inside a
vcrpy cassette named after the heading above it
(``cassettes/e2e/test_readme_examples/test_readme_example[<heading>].yaml``), with the fake
keys of tests/conftest.py. What it prints is checked against ``EXPECTED``: every block must have
an entry, so a new example cannot go untested. Examples that make no request (or talk to
the wire double directly) need no cassette. Batch jobs poll without sleeping, with fixed
ids (the ``fast_batch_runs`` fixture of tests/conftest.py).

Record with ``FW_RECORD=double .venv/bin/pytest tests/e2e/test_readme_examples.py
--record-mode=once`` and ``.venv/bin/python -m tests.manifest``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"

# heading slug -> strings the printed output must contain
EXPECTED: dict[str, tuple[str, ...]] = {
    "langchain-chatfireworks": ("French", "five", "'name': 'get_weather'", "'city': 'Paris'"),
    "langchain-chatfirmware-many-vendors-thinking-structured-output": (
        "strawberry",
        "| reasoning: ",
        "name='John' age=30",
    ),
    "langchain-rag-with-embeddings-and-rerank": (
        "Zorbaville is the capital of Freedonia.",
        "zorbaville",
    ),
    "llamaindex-a-query-engine": ("1889",),
    "llamaindex-an-agent": ("42",),
    "configuration": ("accounts/my-account/deployments/my-deployment 5",),
    "audio-transcription-fireworks-whisper": ("SPEAKER_00", "SPEAKER_01"),
    "image-generation-fireworks-flux": ("image/png",),
    "models-and-quota": (
        "llama4-maverick-instruct-basic 1048576 True",
        "credits 42.5 None",
        "None\n1048576 True",  # kimi-k3's refreshed metadata: 1M window, function calling
    ),
    "batch-jobs-fireworks-batch-api": (
        "JOB_STATE_COMPLETED 100%",
        "Capital of Peru? -> ",
        "Capital of Japan? -> ",
    ),
    "responses-api": ("resp_", "['text']"),
    "prompt-caching-and-session-affinity": ("cache_read=0 share=0.00", "share=0.98"),
    "priority-tier-and-performance-metrics": ("prompt-tokens", "server-processing-time"),
    "rerank-options-and-audio-translation": ("J-3", "B-7", "Rain jacket", "\nen "),
    "errors": ("404",),
    "testing-cassettes-and-the-wire-double": ("France", "/inference/v1/chat/completions"),
    "testing-cassettes-and-the-wire-double-2": ("1 request(s) served by the double",),
}


# Strings of EXPECTED that are the wire double's wording or data (its echo of the prompt,
# its catalog and quota figures, its diarization): asserted only when the example's
# cassette was recorded against the double. A live cassette (MANIFEST) is checked with
# LIVE_PATTERNS instead: the structure of what is printed, never a model's words.
DOUBLE_WORDING: dict[str, tuple[str, ...]] = {
    "langchain-chatfireworks": ("French", "five"),
    "langchain-chatfirmware-many-vendors-thinking-structured-output": ("strawberry",),
    "langchain-rag-with-embeddings-and-rerank": ("zorbaville",),
    "llamaindex-a-query-engine": ("1889",),
    "llamaindex-an-agent": ("42",),
    "audio-transcription-fireworks-whisper": ("SPEAKER_00", "SPEAKER_01"),
    "models-and-quota": (
        "llama4-maverick-instruct-basic 1048576 True",
        "credits 42.5 None",
        "None\n1048576 True",
    ),
    # the double's cache model, its perf_metrics names, its lexical rerank scores
    "responses-api": ("['text']",),
    "prompt-caching-and-session-affinity": ("cache_read=0 share=0.00", "share=0.98"),
    "priority-tier-and-performance-metrics": ("prompt-tokens", "server-processing-time"),
    "rerank-options-and-audio-translation": ("J-3", "B-7", "Rain jacket", "\nen "),
}
LIVE_PATTERNS: dict[str, tuple[str, ...]] = {
    "langchain-rag-with-embeddings-and-rerank": (
        r"^Zorbaville is the capital of Freedonia\. -?[\d.]+",
    ),
    "audio-transcription-fireworks-whisper": (r"^\S+ [\d.]+ ",),
    "models-and-quota": (r"^\S+ \d+ (True|False|None)$", r"^\w+ (-?[\d.]+|None) (-?[\d.]+|None)$"),
    "responses-api": (r"^resp_\S+ \[", r"^resp_\S+$"),
    "prompt-caching-and-session-affinity": (r"^cache_read=\d+ share=[\d.]+$",),
    "priority-tier-and-performance-metrics": (r"^\[.*\]$",),
    "rerank-options-and-audio-translation": (r"^[A-Z]-\d -?[\d.]+ ",),
}


def _slug(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


def readme_blocks(text: str) -> list[tuple[str, str]]:
    """(name, code) for each fenced python block; name = the heading's slug (+ -2, -3...)."""
    blocks: list[tuple[str, str]] = []
    heading, seen, lines, inside = "readme", {}, [], False
    for line in text.splitlines():
        if inside:
            if line.startswith("```"):
                n = seen[heading] = seen.get(heading, 0) + 1
                blocks.append((heading if n == 1 else f"{heading}-{n}", "\n".join(lines)))
                inside = False
            else:
                lines.append(line)
        elif line.startswith("#"):
            heading = _slug(line.lstrip("#"))
        elif line.strip() == "```python":
            inside, lines = True, []
    return blocks


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))


def test_every_example_is_checked() -> None:
    names = [name for name, _ in BLOCKS]
    assert sorted(names) == sorted(EXPECTED), "README blocks and EXPECTED differ"
    for name, strings in DOUBLE_WORDING.items():
        assert set(strings) <= set(EXPECTED[name]), name


def test_examples_are_short() -> None:
    for name, code in BLOCKS:
        assert len(code.splitlines()) <= 16, f"README example {name} is too long"


@pytest.mark.vcr
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("code", [c for _, c in BLOCKS], ids=[n for n, _ in BLOCKS])
def test_readme_example(
    code: str,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
    fast_batch_runs: None,
    cassette_is_live: bool,
) -> None:
    name = request.node.callspec.id
    exec(compile(code, f"README.md[{name}]", "exec"), {"__name__": "__readme__"})
    out = capsys.readouterr().out
    assert out.strip(), f"{name} printed nothing"
    wording = DOUBLE_WORDING.get(name, ()) if cassette_is_live else ()
    for expected in EXPECTED[name]:
        if expected not in wording:
            assert expected.lower() in out.lower(), f"{name}: {expected!r} not in {out!r}"
    if cassette_is_live:
        for pattern in LIVE_PATTERNS.get(name, ()):
            assert re.search(pattern, out, re.MULTILINE), f"{name}: no line like {pattern!r}"
