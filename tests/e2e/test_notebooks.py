"""Every notebook in ``notebooks/`` runs top to bottom, offline, from its cassette.

Each notebook is executed in a fresh Jupyter kernel (nbclient, as nbmake does) with
``FW_MODE=replay``, so its first cell (``_replay.setup(...)``) answers every HTTP request
from ``cassettes/notebooks_<name>/`` and an unrecorded request fails the cell. A cell that
raises fails the test with the cell's traceback.

Re-record (against the wire double) with
``FW_MODE=record .venv/bin/pytest tests/e2e/test_notebooks.py`` then
``.venv/bin/python -m tests.manifest``.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
BOOKS = sorted(NOTEBOOKS.glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    assert len(BOOKS) >= 7


@pytest.mark.parametrize("path", BOOKS, ids=[p.stem for p in BOOKS])
def test_notebook_runs_offline(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mode = os.environ.get("FW_MODE", "replay")
    monkeypatch.setenv("FW_MODE", mode if mode == "record" else "replay")
    book = nbformat.read(path, as_version=4)
    NotebookClient(book, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    first = book.cells[[c.cell_type for c in book.cells].index("code")]
    assert "_replay.setup(" in first.source
    shown = "".join(o.get("text", "") for o in first.outputs)
    assert "Offline" in shown or mode == "record", shown
    errors = [o for c in book.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    printed = [c for c in book.cells[1:] if c.cell_type == "code"
               and any(o.output_type in ("stream", "execute_result") for o in c.outputs)]
    assert printed, "the notebook shows no results"
