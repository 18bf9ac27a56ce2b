"""Progress of long work: a bar when tqdm is installed and asked for, silence otherwise.

The convention is LlamaIndex's ``show_progress``: ``True`` draws a ``tqdm`` bar (``tqdm.auto``,
so a notebook gets its widget) when tqdm can be imported, and does nothing, without an
error or a warning, when it cannot. The work reports cumulative counts (``done`` of
``total`` units: inputs embedded, requests processed) as each piece completes, from any
thread; :class:`ProgressBar` turns them into bar updates, never moves backwards, and also
passes them on to a caller's own callback.

Example:
    >>> seen = []
    >>> with ProgressBar(False, total=3, callback=lambda done, total: seen.append(done)) as bar:
    ...     bar.update_to(2)
    ...     bar.update_to(1)  # late report from another thread: ignored
    ...     bar.update_to(3)
    >>> seen, bar.done
    ([2, 3], 3)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fw_core.endpoints.batch.checks import BatchProgress

__all__ = ["ProgressBar", "ProgressCallback", "batch_job_progress", "load_tqdm"]

#: ``callback(done, total)``: cumulative units done so far, out of ``total``.
ProgressCallback = Callable[[int, int], Any]


def load_tqdm() -> Callable[..., Any] | None:
    """``tqdm.auto.tqdm`` when tqdm is importable, else None."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


class ProgressBar:
    """Counts units done out of ``total``; draws a tqdm bar if ``show`` and tqdm is there.

    Thread-safe: the batches of one call may complete on several threads. Use it as a
    context manager (the bar is closed at the end, also on an error) and feed it with
    :meth:`update_to` (cumulative) or :meth:`advance` (a step). The bar is created on
    the first report, so a call that sends nothing draws nothing.

    Args:
        show: draw a bar (when tqdm is installed).
        total: the number of units the work will report.
        desc: the bar's label.
        unit: the bar's unit (``"input"``, ``"request"``).
        callback: also called with ``(done, total)`` after every change.
    """

    def __init__(
        self,
        show: bool,
        *,
        total: int,
        desc: str = "",
        unit: str = "it",
        callback: ProgressCallback | None = None,
    ) -> None:
        self.show, self.total, self.desc, self.unit = show, total, desc, unit
        self.callback = callback
        self.done = 0
        self._bar: Any = None
        self._lock = threading.Lock()

    def _draw(self, step: int) -> None:
        if not self.show:
            return
        if self._bar is None:
            tqdm = load_tqdm()
            if tqdm is None:
                self.show = False
                return
            self._bar = tqdm(total=self.total, desc=self.desc or None, unit=self.unit)
        if step:
            self._bar.update(step)

    def update_to(self, done: int, total: int | None = None) -> None:
        """Report ``done`` units finished so far (a lower count than already seen is ignored)."""
        with self._lock:
            self._move(done, total)

    def advance(self, step: int) -> None:
        """Report ``step`` more units finished."""
        with self._lock:
            self._move(self.done + step, None)

    def _move(self, done: int, total: int | None) -> None:
        if total is not None and total != self.total:
            self.total = total
            if self._bar is not None:
                self._bar.total = total
                self._bar.refresh()
        if done <= self.done:
            return
        step, self.done = done - self.done, done
        self._draw(step)
        if self.callback is not None:
            self.callback(done, self.total)

    def __call__(self, done: int, total: int | None = None) -> None:
        """Same as :meth:`update_to`: the bar is itself a ``(done, total)`` callback."""
        self.update_to(done, total)

    def close(self) -> None:
        """Close the bar (idempotent)."""
        with self._lock:
            if self._bar is not None:
                self._bar.close()
                self._bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@contextmanager
def batch_job_progress(
    show: bool, total: int, on_progress: Callable[[BatchProgress], Any] | None = None
) -> Iterator[Callable[[BatchProgress], None]]:
    """A :class:`~fw_core.endpoints.batch.BatchRunner` ``on_progress`` that also draws a bar.

    The bar (when ``show`` and tqdm is installed) counts the requests the jobs have
    processed out of ``total`` (``jobProgress``, summed over the jobs of a run), moved at
    every poll; ``on_progress`` still gets every report. The bar closes on leaving.
    """
    with ProgressBar(show, total=total, desc="Batch job", unit="request") as bar:

        def report(update: BatchProgress) -> None:
            bar.update_to(update.progress.processed)
            if on_progress is not None:
                on_progress(update)

        yield report
