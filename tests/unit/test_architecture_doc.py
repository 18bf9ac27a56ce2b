"""docs/architecture.md stays true to the code: every module listed, nothing it names stale.

The layout tables of docs/architecture.md §1 are how someone new finds their way; issue 23
found them listing about 19 of 34 modules. These tests walk the packages instead of keeping
a list, so a module added (or split out) anywhere under ``fw_core/``, ``langchain_fw/`` or
``llamaindex_fw/`` fails here until its row is written, and the failure names the module and
the table it belongs in. The other direction holds too: a module, function or path the doc
names that the code no longer has (renamed, moved, deleted) fails, with the name.

What counts as naming a module: its dotted name (``fw_core.http.client``) or its path
(``fw_core/http/client.py``) anywhere in the file; a package is named by its dotted name
(``fw_core.http``) or its folder (``fw_core/http/``). Private modules (``_messages``) and
``__main__`` are listed too: they hold code someone will have to find.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
PACKAGES = ("fw_core", "langchain_fw", "llamaindex_fw")
#: Folders of the repository the doc's "Around the packages" table must name.
AROUND = ("benchmarks", "cassettes", "demo", "docs", "notebooks", "tests")
_SKIP_DIRS = {"__pycache__", "__snapshots__"}


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _module_names() -> Iterator[str]:
    """Every module and package of the three packages, as a dotted name."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if _SKIP_DIRS.intersection(path.parts):
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts)


def _named(doc: str, dotted: str) -> bool:
    """Whether ``doc`` names the module ``dotted`` (as a whole name, by name or by path)."""
    path = dotted.replace(".", "/")
    is_package = (ROOT / path).is_dir()
    forms = [re.escape(dotted), re.escape(path + ("/" if is_package else ".py"))]
    # not part of a longer name: ``fw_core.http`` inside ``fw_core.http.client`` does not count
    pattern = rf"(?<![\w./])(?:{'|'.join(forms)})(?![\w/]|\.\w)"
    return re.search(pattern, doc) is not None


def _table_for(dotted: str) -> str:
    """The doc's table a module's row belongs in (the report names it)."""
    top = dotted.split(".")
    if top[0] != "fw_core":
        return f"§1 `{top[0]}`"
    if len(top) > 1 and top[1] in ("http", "ratelimit", "endpoints", "kit", "testing"):
        return f"§1 `fw_core.{top[1]}`"
    return "§1.1 `fw_core`, top level"


def test_the_module_walk_finds_the_packages() -> None:
    """Guards the walk itself: an empty walk would make the next test pass vacuously."""
    names = set(_module_names())
    assert {"fw_core", "fw_core.http.client", "langchain_fw.chat_models", "llamaindex_fw.llms"} <= (
        names
    )
    assert len(names) > 100


def test_every_module_has_a_row() -> None:
    doc = _doc()
    missing = [name for name in _module_names() if not _named(doc, name)]
    assert not missing, "docs/architecture.md does not name these modules; add a row each:\n" + (
        "\n".join(f"  {name}  -> {_table_for(name)}" for name in missing)
    )


@pytest.mark.parametrize("folder", AROUND)
def test_every_folder_around_the_packages_is_named(folder: str) -> None:
    """The top-level folders, and each folder of tests/ (unit, e2e, live, scale, ...)."""
    doc = _doc()
    wanted = [folder]
    if folder == "tests":
        wanted += [
            f"tests/{d.name}"
            for d in sorted((ROOT / "tests").iterdir())
            if d.is_dir() and d.name not in _SKIP_DIRS
        ]
    missing = [w for w in wanted if not re.search(rf"(?<![\w/]){re.escape(w)}/", doc)]
    assert not missing, f"docs/architecture.md §1.9 does not name: {missing}"


# -- the other direction: what the doc names exists -------------------------------------

_DOTTED = re.compile(rf"(?<![\w./])(?:{'|'.join(PACKAGES)})(?:\.[A-Za-z_]\w*)+")
_PATH = re.compile(
    r"(?<![\w./-])(?:fw_core|langchain_fw|llamaindex_fw|tests|benchmarks|demo|notebooks|"
    r"cassettes|docs)/[\w./-]*[\w/]"
)


def _resolve(dotted: str) -> str | None:
    """None when ``dotted`` is a module, or a module's name (and its attributes), else why.

    The longest prefix that is a module or package file is imported; every later part
    must be an attribute (a class attribute, method, pydantic field or annotated slot
    counts), so a function renamed or moved out of the module fails as well.
    """
    parts = dotted.split(".")
    cut = len(parts)
    while cut > 1:
        path = ROOT.joinpath(*parts[:cut])
        if path.with_suffix(".py").is_file() or (path / "__init__.py").is_file():
            break
        cut -= 1
    module_name = ".".join(parts[:cut])
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:  # an optional dependency (ray) is missing: the file exists
        if exc.name and not exc.name.startswith(PACKAGES):
            return None
        return f"module {module_name} does not import: {exc}"
    for i, attr in enumerate(parts[cut:], start=cut):
        owner = obj
        try:
            obj = getattr(owner, attr)
            continue
        except AttributeError:
            pass
        declared: set[str] = set(getattr(owner, "__annotations__", {}))
        declared |= set(getattr(owner, "model_fields", {}) or {})
        declared |= set(getattr(owner, "__slots__", ()) or ())
        if isinstance(owner, type) and attr in declared:
            return None  # an instance attribute the class declares; nothing to look into
        return f"{'.'.join(parts[:i])} has no {attr!r}"
    return None


def test_every_dotted_name_in_the_doc_exists() -> None:
    names = sorted(set(_DOTTED.findall(_doc())))
    assert len(names) > 50  # the walk below sees the doc's names
    stale = [f"  {name}: {why}" for name in names if (why := _resolve(name)) is not None]
    assert not stale, "docs/architecture.md names what the code does not have:\n" + "\n".join(stale)


def test_every_path_in_the_doc_exists() -> None:
    paths = sorted(set(_PATH.findall(_doc())))
    assert len(paths) > 10
    missing = [p for p in paths if not (ROOT / p.rstrip("/")).exists()]
    assert not missing, f"docs/architecture.md names paths that do not exist: {missing}"
