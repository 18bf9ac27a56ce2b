"""Packaging properties users rely on: light imports, one version, typed packages."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _modules_after(stmt: str) -> set[str]:
    code = f"import sys; {stmt}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return {line.split(".")[0] for line in out.stdout.split()}


def test_import_fw_core_loads_no_framework_and_stays_light() -> None:
    # Importing the package must not drag in either framework (DESIGN: fw_core is
    # framework-free), nor httpx/pydantic, which load on first use of the client.
    loaded = _modules_after("import fw_core")
    assert not {"langchain_core", "langchain", "llama_index"} & loaded
    assert not {"httpx", "pydantic"} & loaded


def test_using_fw_core_client_still_loads_no_framework() -> None:
    loaded = _modules_after(
        "import fw_core, fw_core.endpoints.chat, fw_core.endpoints.embeddings,"
        " fw_core.endpoints.rerank, fw_core.endpoints.models"
    )
    assert "httpx" in loaded
    assert not {"langchain_core", "langchain", "llama_index"} & loaded


def test_framework_packages_do_not_import_each_other() -> None:
    assert "llama_index" not in _modules_after("import langchain_fw")
    assert "langchain_core" not in _modules_after("import llamaindex_fw")


def test_one_version_everywhere() -> None:
    # fw_core/_version.py is the only place the version is written: pyproject reads it
    # (hatch), and the packages, the User-Agent and the installed metadata report it.
    import fw_core
    import langchain_fw
    import llamaindex_fw
    from fw_core import _version
    from fw_core.http import client

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"]["path"] == "fw_core/_version.py"

    version = _version.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+(\S*)", version), version
    assert fw_core.__version__ == langchain_fw.__version__ == llamaindex_fw.__version__ == version
    assert client.USER_AGENT.startswith(f"fw-integrations/{version} ")
    try:
        installed = importlib.metadata.version("fw-integrations")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("fw-integrations is not installed (run from a source tree only)")
    assert installed == version, "reinstall (make install) after changing fw_core/_version.py"


def test_packages_are_typed() -> None:
    for pkg in ("fw_core", "langchain_fw", "llamaindex_fw"):
        assert (ROOT / pkg / "py.typed").exists(), pkg


def test_lazy_exports_are_listed_in_all() -> None:
    import langchain_fw
    import llamaindex_fw

    for pkg in (langchain_fw, llamaindex_fw):
        assert sorted(pkg.__all__) == sorted(pkg._EXPORTS), pkg.__name__
