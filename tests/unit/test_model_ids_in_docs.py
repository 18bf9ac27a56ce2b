"""No file we ship teaches a retired model id (issue 20, deliver 4).

The model table (:mod:`fw_core.model_table`) marks ids the providers have retired, with
the date and the source. A user copies ids from the README, the docs, the notebooks, the
demo, our docstrings and defaults, and the live kit; each of those naming a retired id
sends them into a 404. A line may still name one when it says so: it contains "retired"
or "deprecated" (a migration note, a changelog line).

The table's own module and the wire double's sample catalog are left out: they list
retired ids on purpose (the real catalog keeps showing them as ``READY``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fw_core.model_table import ModelStatus, retired, short_name, status, statuses

ROOT = Path(__file__).resolve().parents[2]

#: Files whose ids a user reads or runs; globs relative to the repository root.
TAUGHT = (
    "README.md",
    "docs/*.md",
    "notebooks/*.ipynb",
    "demo/**/*",
    "fw_core/**/*.py",
    "langchain_fw/**/*.py",
    "llamaindex_fw/**/*.py",
    "tests/live/**/*.py",
    "tests/live/**/*.md",
)
#: Files that list retired ids on purpose (see the module doc).
EXEMPT = {"fw_core/model_table.py", "fw_core/testing/catalog.py"}
_SAYS_RETIRED = re.compile(r"retired|deprecated", re.IGNORECASE)


def _pattern(records: list[ModelStatus]) -> re.Pattern[str]:
    """One regex for every retired short name, as a whole id (``kimi-k2p5`` matches in
    ``accounts/fireworks/models/kimi-k2p5`` but not in ``kimi-k2p5-code``; retired ids)."""
    names = sorted({r.short for r in records}, key=len, reverse=True)
    return re.compile(r"(?<![\w.-])(" + "|".join(map(re.escape, names)) + r")(?![\w-])")


def _taught_files() -> list[Path]:
    found: set[Path] = set()
    for glob in TAUGHT:
        found.update(p for p in ROOT.glob(glob) if p.is_file() and "__pycache__" not in p.parts)
    return sorted(p for p in found if p.relative_to(ROOT).as_posix() not in EXEMPT)


def offending_lines(text: str, pattern: re.Pattern[str]) -> list[tuple[int, str]]:
    """``(line number, id)`` for each retired id on a line that does not say it is retired."""
    hits: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if _SAYS_RETIRED.search(line):
            continue
        hits.extend((number, m.group(1)) for m in pattern.finditer(line))
    return hits


def test_no_taught_file_names_a_retired_model() -> None:
    pattern = _pattern(retired())
    files = _taught_files()
    assert any(p.name == "README.md" for p in files)  # the glob found what it guards
    problems = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, name in offending_lines(text, pattern):
            record = status("fireworks", name)
            instead = record.replacement if record else "?"
            problems.append(f"{path.relative_to(ROOT)}:{number}: {name} (use {instead})")
    assert not problems, "retired model ids taught:\n" + "\n".join(problems)


def test_the_guard_catches_a_retired_id_and_spares_a_line_that_says_so() -> None:
    pattern = _pattern(retired())
    text = (
        'llm = ChatFireworks(model="accounts/fireworks/models/kimi-k2-instruct-0905")\n'  # retired
        "kimi-k2p5 was retired on 2026-06-26; use kimi-k3.\n"
        "model = kimi-k3  # and kimi-k2p5-code is another id\n"  # not the retired one
    )
    assert offending_lines(text, pattern) == [(1, "kimi-k2-instruct-0905")]  # the retired id


@pytest.mark.parametrize("record", statuses(), ids=lambda r: f"{r.provider}:{r.short}")
def test_each_record_is_complete(record: ModelStatus) -> None:
    assert record.source and record.checked
    assert short_name(record.provider, record.id) == record.short
    if record.status == "retired":
        assert record.retired_on and record.replacement
        replacement = status(record.provider, record.replacement)
        assert replacement is not None and replacement.status in ("served", "router")
    if record.status == "router" or "/routers/" in record.id:
        assert record.id.startswith("accounts/fireworks/routers/")


def test_every_default_is_served_and_known() -> None:
    """The ids the docs and the live kit take from ``DEFAULTS`` are served today, a router
    is addressed as a router, and a chat default has figures (context window, tools)."""
    from fw_core.model_table import DEFAULTS, lookup

    for role, model in DEFAULTS.items():
        provider = "firmware" if role.startswith("firmware") else "fireworks"
        record = status(provider, model)
        assert record is not None, role
        assert record.status == ("router" if role == "router" else "served"), role
        if role == "router":
            assert model.startswith("accounts/fireworks/routers/")
    for role in ("chat", "vision", "small"):
        info = lookup("fireworks", DEFAULTS[role])
        assert info is not None and info.context_length and info.supports_tools, role
    vision = lookup("fireworks", DEFAULTS["vision"])
    assert vision is not None and vision.supports_image_input
