"""Importing a framework class without its framework names the extra to install."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fw_core.kit.pip_extras import import_adapter_module

ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter where one framework cannot be imported, as if not installed.
_BLOCKED = """
import sys

class Missing:
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] == {framework!r}:
            raise ModuleNotFoundError(f"No module named {{fullname!r}}", name=fullname)
        return None

sys.meta_path.insert(0, Missing())
try:
    from {package} import {name}
except ImportError as error:
    print("ImportError:", error)
else:
    print("imported", {name}.__name__)
"""


def _run(framework: str, package: str, name: str) -> str:
    code = textwrap.dedent(_BLOCKED.format(framework=framework, package=package, name=name))
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    ).stdout


@pytest.mark.parametrize(
    ("framework", "package", "name", "extra"),
    [
        ("llama_index", "llamaindex_fw", "Fireworks", "llamaindex"),
        ("llama_index", "llamaindex_fw", "FireworksEmbedding", "llamaindex"),
        ("langchain_core", "langchain_fw", "ChatFireworks", "langchain"),
        ("langchain_core", "langchain_fw", "FireworksEmbeddings", "langchain"),
    ],
)
def test_missing_framework_names_the_extra(
    framework: str, package: str, name: str, extra: str
) -> None:
    out = _run(framework, package, name)
    assert f'pip install "fw-integrations[{extra}]"' in out
    assert f"{package}.{name} needs" in out


def test_the_framework_free_helpers_still_import() -> None:
    assert "imported tokenizer" in _run("llama_index", "llamaindex_fw", "tokenizer")


def test_other_missing_modules_are_not_disguised() -> None:
    with pytest.raises(ModuleNotFoundError, match="no_such_module"):
        import_adapter_module("no_such_module", framework="llama_index", extra="llamaindex")
