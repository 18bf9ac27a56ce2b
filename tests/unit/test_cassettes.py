"""Cassettes are evidence: each has provenance, none carries a secret, each has an owner."""

from __future__ import annotations

import json
from pathlib import PurePosixPath

import pytest
import yaml

from tests.conftest import CASSETTES, FAKE_KEYS, ROOT, SECRET_PATTERN, cassette_dir
from tests.manifest import SOURCES, cassette_files, read_entries


def test_every_cassette_has_a_provenance_entry() -> None:
    entries = read_entries()
    missing = [f for f in cassette_files() if f not in entries]
    assert not missing, f"cassettes with no MANIFEST line (python -m tests.manifest): {missing}"


def test_every_manifest_entry_is_well_formed_and_points_at_a_file() -> None:
    files = set(cassette_files())
    for path, fields in read_entries().items():
        assert len(fields) >= 3, f"MANIFEST line for {path} needs path, source and date"
        assert fields[1] in SOURCES, f"{path}: unknown source {fields[1]!r}"
        assert path in files, f"MANIFEST names {path}, which does not exist"


@pytest.mark.parametrize("name", cassette_files() or ["<none>"])
def test_cassette_carries_no_secret(name: str) -> None:
    if name == "<none>":
        pytest.skip("no cassettes recorded yet")
    text = (CASSETTES / name).read_text(encoding="utf-8")
    hit = SECRET_PATTERN.search(text)
    assert hit is None, f"{name} contains a key-shaped string"
    for fake in FAKE_KEYS.values():
        assert fake not in text, f"{name} contains the test key {fake}"
    data = yaml.safe_load(text)
    for interaction in data.get("interactions", []):
        headers = {k.lower() for k in (interaction["request"].get("headers") or {})}
        assert not headers & {"authorization", "x-api-key", "cookie"}, name
        resp_headers = {k.lower() for k in (interaction["response"].get("headers") or {})}
        assert "set-cookie" not in resp_headers, name


def test_secret_pattern_catches_key_shapes() -> None:
    # The guard above is only as good as this pattern.
    for sample in ("fw_" + "A1" * 12, "sk-" + "x" * 24, "Bearer " + "t0k3n" * 4):
        assert SECRET_PATTERN.search(sample), sample
    assert not SECRET_PATTERN.search("fireworks-prompt-tokens: 46")


def _notebook_cassette_names() -> set[str]:
    """``<name>`` of each ``_replay.setup("<name>", ...)`` call in the notebooks."""
    names = set()
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            if "_replay.setup(" in source:
                names.add(source.split("_replay.setup(", 1)[1].split('"')[1])
    return names


def test_every_cassette_folder_belongs_to_a_test_file_a_notebook_or_the_demo() -> None:
    # A test file's folder is its path under tests/ (tests/conftest.py cassette_dir), so
    # tests/langchain/test_catalog.py and tests/llamaindex/test_catalog.py never share one.
    notebooks = _notebook_cassette_names()
    for name in cassette_files():
        folder = PurePosixPath(name).parent
        if folder.as_posix() == "demo":  # demo/replay.py, one cassette per tour section
            continue
        if folder.name.startswith("notebooks_") and len(folder.parts) == 1:
            assert folder.name.removeprefix("notebooks_") in notebooks, name
            continue
        test_file = ROOT / "tests" / f"{folder}.py"
        assert test_file.is_file(), f"{name}: no test file tests/{folder}.py owns this folder"
        assert cassette_dir(test_file) == CASSETTES / folder, name


def test_test_files_with_one_name_get_separate_folders() -> None:
    a = cassette_dir(ROOT / "tests" / "langchain" / "test_catalog.py")
    b = cassette_dir(ROOT / "tests" / "llamaindex" / "test_catalog.py")
    assert a != b
    assert a.relative_to(CASSETTES).as_posix() == "langchain/test_catalog"
