"""Importing an adapter module whose framework is not installed: an error naming the extra.

``langchain_fw`` needs langchain-core and ``llamaindex_fw`` needs llama-index-core; both
come with the distribution's extras, not with the base install. Both packages load their
classes on first use through :func:`import_adapter_module`, so a missing framework ends in
one clear message instead of a bare ``No module named 'llama_index'``;
:func:`lazy_exports` gives each package its module ``__getattr__`` / ``__dir__`` (PEP 562)
over that.

Example:
    >>> import_adapter_module("json", framework="no_such_framework", extra="x").__name__
    'json'
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

__all__ = ["import_adapter_module", "lazy_exports"]

_DISTRIBUTIONS = {"langchain_core": "langchain-core", "llama_index": "llama-index-core"}


def import_adapter_module(
    module: str, *, framework: str, extra: str, what: str | None = None
) -> ModuleType:
    """Import ``module``; if what is missing is ``framework``, say which extra brings it.

    Args:
        module: The adapter module to import (``"llamaindex_fw.llms"``).
        framework: The framework's top-level import name (``"llama_index"``).
        extra: The distribution's extra that installs it (``"llamaindex"``).
        what: What the caller asked for, named in the message (default ``module``).

    Returns:
        The module.

    Raises:
        ImportError: the framework is not installed; the message names
            ``pip install "fw-integrations[<extra>]"``. Any other missing module is
            raised unchanged.

    Example:
        >>> import_adapter_module("no_such_framework.x", framework="no_such_framework",
        ...                       extra="demo")
        Traceback (most recent call last):
        ...
        ImportError: no_such_framework.x needs no_such_framework, which is not installed: pip install "fw-integrations[demo]"
    """  # noqa: E501
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] != framework:
            raise
        needed = _DISTRIBUTIONS.get(framework, framework)
        raise ImportError(
            f"{what or module} needs {needed}, which is not installed: "
            f'pip install "fw-integrations[{extra}]"',
            name=error.name,
        ) from error


def lazy_exports(
    package: str, exports: Mapping[str, str], *, framework: str, extra: str
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's module ``__getattr__`` and ``__dir__`` that load ``exports`` on first use.

    Args:
        package: The package's ``__name__`` (``"langchain_fw"``).
        exports: Each public name and the module that defines it.
        framework, extra: As for :func:`import_adapter_module`: a missing framework is
            named with the extra that installs it.

    Returns:
        ``(__getattr__, __dir__)``. A loaded name is cached in the package's globals, so the
        next lookup is a plain attribute read; a name not in ``exports`` raises
        ``AttributeError``.

    Example:
        >>> getattr_, dir_ = lazy_exports(
        ...     "fw_core", {"dumps": "json"}, framework="json", extra="demo")
        >>> getattr_("dumps")([1])
        '[1]'
        >>> getattr_("nothing")
        Traceback (most recent call last):
        ...
        AttributeError: module 'fw_core' has no attribute 'nothing'
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        loaded = import_adapter_module(
            module, framework=framework, extra=extra, what=f"{package}.{name}"
        )
        value = getattr(loaded, name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__
