"""A stand-in ``tqdm`` for the progress tests, and a way to make tqdm not importable.

:func:`fake_tqdm` installs modules ``tqdm`` and ``tqdm.auto`` whose ``tqdm`` class records
every bar made (total, unit, each ``update``, whether it was closed) and prints nothing;
:func:`without_tqdm` makes ``import tqdm`` raise ``ImportError`` as if it were not
installed. Both undo themselves with the test's ``monkeypatch``.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest

__all__ = ["FakeBar", "fake_tqdm", "without_tqdm"]


class FakeBar:
    """Records what a progress bar was told."""

    made: list[FakeBar]

    def __init__(self, iterable: Any = None, *, total: int | None = None, **kwargs: Any) -> None:
        self.iterable = iterable
        self.total = total
        self.kwargs = kwargs
        self.updates: list[int] = []
        self.closed = False
        type(self).made.append(self)

    def __iter__(self) -> Iterator[Any]:
        for item in self.iterable:
            yield item
            self.update(1)

    @property
    def n(self) -> int:
        return sum(self.updates)

    def update(self, n: int = 1) -> None:
        assert not self.closed, "update after close"
        self.updates.append(n)

    def refresh(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def fake_tqdm(monkeypatch: pytest.MonkeyPatch) -> list[FakeBar]:
    """Install the stand-in; returns the list every bar made is appended to."""
    made: list[FakeBar] = []
    bar = type("tqdm", (FakeBar,), {"made": made})
    top = types.ModuleType("tqdm")
    auto = types.ModuleType("tqdm.auto")
    top.tqdm = bar  # type: ignore[attr-defined]
    auto.tqdm = bar  # type: ignore[attr-defined]
    top.auto = auto  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tqdm", top)
    monkeypatch.setitem(sys.modules, "tqdm.auto", auto)
    return made


def without_tqdm(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import tqdm`` (and ``tqdm.auto``, ``tqdm.asyncio``) fail with ImportError."""
    for name in ("tqdm", "tqdm.auto", "tqdm.asyncio"):
        monkeypatch.setitem(sys.modules, name, None)
