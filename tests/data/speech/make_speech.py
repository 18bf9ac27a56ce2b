"""Regenerate ``quick_brown_fox_16k.wav``: espeak-ng speech, resampled to 16 kHz mono.

Run from the repository root (needs the ``espeak-ng`` program, Debian package
``espeak-ng``, and numpy)::

    python tests/data/speech/make_speech.py

espeak-ng writes 22 050 Hz 16-bit mono; the samples are resampled to 16 000 Hz in the
frequency domain (band-limited, no aliasing) and written as 16-bit PCM. The output is
deterministic for a given espeak-ng version (README.md in this folder names the one used).
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SENTENCE = "The quick brown fox jumps over the lazy dog."
COMMAND = ["espeak-ng", "-v", "en-us", "-s", "150", "-w"]  # + the output path, the sentence
RATE = 16_000


def resample(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Band-limited resampling by truncating (or padding) the spectrum."""
    n_out = round(len(samples) * rate_out / rate_in)
    spectrum = np.fft.rfft(samples.astype(np.float64))
    out = np.fft.irfft(spectrum[: n_out // 2 + 1], n_out) * (n_out / len(samples))
    return np.clip(np.round(out), -32768, 32767).astype("<i2")


def main() -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "speech.wav"
        subprocess.run([*COMMAND, str(raw), SENTENCE], check=True)
        with wave.open(str(raw), "rb") as w:
            assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
            rate_in = w.getframerate()
            samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    target = HERE / "quick_brown_fox_16k.wav"
    with wave.open(str(target), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(resample(samples, rate_in, RATE).tobytes())
    return target


if __name__ == "__main__":
    print(main())
