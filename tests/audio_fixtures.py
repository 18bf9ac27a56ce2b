"""Tiny audio fixtures built in memory (a WAV header plus silence), never stored in the repo."""

from __future__ import annotations

import io
import wave
from pathlib import Path


def wav_bytes(seconds: float = 4.0, rate: int = 500) -> bytes:
    """A mono 8-bit WAV of ``seconds`` of silence (500 Hz: 500 bytes per second, so cassettes
    that carry the upload stay small)."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(b"\x80" * int(seconds * rate))
    return buf.getvalue()


def write_wav(path: Path, seconds: float = 4.0) -> Path:
    """Write :func:`wav_bytes` to ``path`` and return it."""
    path.write_bytes(wav_bytes(seconds))
    return path
