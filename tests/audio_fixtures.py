"""Tiny audio fixtures built in memory (a WAV header plus silence), never stored in the repo."""

from __future__ import annotations

import io
import wave
from pathlib import Path


def wav_bytes(seconds: float = 4.0, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV of ``seconds`` of silence (8 kHz: 16 kB per second)."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(int(seconds * rate) * 2))
    return buf.getvalue()


def write_wav(path: Path, seconds: float = 4.0) -> Path:
    """Write :func:`wav_bytes` to ``path`` and return it."""
    path.write_bytes(wav_bytes(seconds))
    return path
