"""Tiny audio fixtures built in memory (a WAV header plus silence), never stored in the repo.

:func:`wav_bytes` is the wire double's public helper (``fw_core.testing.audio``), the one
the docstring examples use; the cassettes that carry an upload were recorded with it.
"""

from __future__ import annotations

from pathlib import Path

from fw_core.testing.audio import wav_bytes

__all__ = ["wav_bytes", "write_wav"]


def write_wav(path: Path, seconds: float = 4.0) -> Path:
    """Write :func:`wav_bytes` to ``path`` and return it."""
    path.write_bytes(wav_bytes(seconds))
    return path
