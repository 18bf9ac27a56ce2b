"""Every notebook in ``notebooks/`` runs top to bottom, offline, from its cassette.

Each notebook is executed in its own Jupyter kernel (nbclient, as nbmake does; the kernels
run side by side, as many at a time as there are CPUs) with ``FW_MODE=replay``, so its
first cell (``_replay.setup(...)``) answers every HTTP request from
``cassettes/notebooks_<name>/`` and an unrecorded request fails the cell. A cell that
raises fails that notebook's test with the cell's traceback.

Re-record (against the wire double) with
``FW_MODE=record .venv/bin/pytest tests/e2e/test_notebooks.py`` then
``.venv/bin/python -m tests.manifest``. ``FW_NOTEBOOKS=08_speech_and_images`` (names,
comma-separated) runs and re-records only those notebooks; ``-k`` alone would not, since
every notebook is executed up front.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
_ONLY = {n.strip() for n in os.environ.get("FW_NOTEBOOKS", "").split(",") if n.strip()}
BOOKS = sorted(p for p in NOTEBOOKS.glob("*.ipynb") if not _ONLY or p.stem in _ONLY)
MODE = "record" if os.environ.get("FW_MODE") == "record" else "replay"


async def _run_all() -> dict[str, Any]:
    """Execute every notebook; name -> the executed notebook, or the exception it raised."""
    limit = asyncio.Semaphore(max(1, os.cpu_count() or 1))

    async def run(path: Path) -> Any:
        book = nbformat.read(path, as_version=4)
        async with limit:
            try:
                await NotebookClient(
                    book,
                    timeout=180,
                    startup_timeout=180,
                    kernel_name="python3",
                    resources={"metadata": {"path": str(NOTEBOOKS)}},
                ).async_execute()
            except Exception as err:  # reported by that notebook's test
                return err
        return book

    results = await asyncio.gather(*(run(p) for p in BOOKS))
    return {p.stem: r for p, r in zip(BOOKS, results, strict=True)}


@pytest.fixture(scope="module")
def executed() -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FW_MODE", MODE)  # the kernels inherit it
        return asyncio.run(_run_all())


def test_there_are_notebooks() -> None:
    assert len(BOOKS) >= (len(_ONLY) if _ONLY else 9)


@pytest.mark.parametrize("name", [p.stem for p in BOOKS])
def test_notebook_runs_offline(name: str, executed: dict[str, Any]) -> None:
    book = executed[name]
    if isinstance(book, Exception):
        raise book
    code = [c for c in book.cells if c.cell_type == "code"]
    assert "_replay.setup(" in code[0].source
    shown = "".join(o.get("text", "") for o in code[0].outputs)
    assert "Offline" in shown or MODE == "record", shown
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    printed = [
        c for c in code[1:] if any(o.output_type in ("stream", "execute_result") for o in c.outputs)
    ]
    assert printed, "the notebook shows no results"
