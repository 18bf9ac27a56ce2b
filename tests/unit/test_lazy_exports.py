"""The packages' lazy exports and what type checkers see name the same modules.

``fw_core``, ``langchain_fw`` and ``llamaindex_fw`` load their classes on first use in a
module ``__getattr__`` (``importlib.import_module`` of the module the name maps to), so
importing a package stays cheap. Type checkers do not run that function; they read the
``from X import name`` lines under ``if TYPE_CHECKING:`` instead. These tests keep the two
in step, so what mypy checks against is what users get.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _type_checking_imports(pkg: str) -> dict[str, str]:
    """name -> module of the ``from X import name`` lines under ``if TYPE_CHECKING:``."""
    tree = ast.parse((ROOT / pkg / "__init__.py").read_text())
    out: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for imp in node.body:
                if isinstance(imp, ast.ImportFrom) and imp.module:
                    out.update({alias.name: imp.module for alias in imp.names})
    return out


@pytest.mark.parametrize("pkg", ["langchain_fw", "llamaindex_fw"])
def test_framework_exports_match_their_type_checking_imports(pkg: str) -> None:
    module = importlib.import_module(pkg)
    assert _type_checking_imports(pkg) == module._EXPORTS


def test_fw_core_lazy_names_match_its_type_checking_imports() -> None:
    import fw_core

    seen = _type_checking_imports("fw_core")
    modules = {
        name: f"{module}.{name}" for name, module in seen.items() if name in fw_core._LAZY_MODULES
    }
    attrs = {name: module for name, module in seen.items() if name not in modules}
    assert attrs == fw_core._LAZY_ATTRS
    assert modules == fw_core._LAZY_MODULES


@pytest.mark.parametrize("name", ["chat", "embeddings", "ratelimit", "batch", "connection"])
def test_fw_core_shortcuts_are_the_modules_themselves(name: str) -> None:
    import fw_core

    module = importlib.import_module(fw_core._LAZY_MODULES[name])
    assert getattr(fw_core, name) is module
