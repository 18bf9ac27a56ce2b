"""Cassettes are evidence: each has provenance, none carries a secret."""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import CASSETTES, FAKE_KEYS, SECRET_PATTERN
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
