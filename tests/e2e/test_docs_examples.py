"""The Python examples in the docs pages run as written, against the wire double.

Each fenced ``python`` block of the pages below is executed on its own (fresh globals, a
temporary working directory) inside ``patch_transports(WireDouble())``, so every request
to the API hosts is answered by the double, in-process. A block that raises fails; a
block must reach the API or print something, so an example that silently does nothing
fails too.
Batch jobs poll without sleeping (the ``fast_batch_runs`` fixture of tests/conftest.py).
(docs/audio.md, docs/images.md and docs/llamaindex.md have tests of their own that check
what their examples print; docs/wire_double.md opens with a cheat sheet, not a program.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fw_core.testing import WireDouble, patch_transports

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = ("batch.md", "langchain_chat.md", "langchain_rag.md", "models_and_quota.md")


def _blocks() -> list[tuple[str, str]]:
    out = []
    for page in PAGES:
        text = (DOCS / page).read_text(encoding="utf-8")
        for i, code in enumerate(re.findall(r"```python\n(.*?)```", text, re.S)):
            out.append((f"{page}[{i}]", code))
    return out


BLOCKS = _blocks()


def test_every_page_has_examples() -> None:
    assert {name.split("[")[0] for name, _ in BLOCKS} == set(PAGES)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("code", [c for _, c in BLOCKS], ids=[n for n, _ in BLOCKS])
def test_doc_example_runs(
    code: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fast_batch_runs: None,
) -> None:
    monkeypatch.chdir(tmp_path)
    name = request.node.callspec.id
    double = WireDouble()
    with patch_transports(double):
        exec(compile(code, f"docs/{name}", "exec"), {"__name__": "__docs__"})
    assert double.requests or capsys.readouterr().out.strip(), f"{name} did nothing visible"
