"""The real Fireworks captures the tests replay, kept in this repository.

They live in ``tests/data/real_captures/`` (provenance in its ``README.md``), so every test
that reads them runs from a plain clone: nothing outside the repository is needed.

>>> sorted(p.name for p in REAL_CAPTURES.glob("*.yaml"))[0]
'fw_chat_llama33_70b_nonstream_via_hfrouter_20250211.yaml'
>>> load_capture("fw_error_404_model_not_found_PARTIAL.yaml")["response"]["status"]["code"]
404
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["REAL_CAPTURES", "capture_files", "load_capture"]

REAL_CAPTURES = Path(__file__).resolve().parent / "data" / "real_captures"


def capture_files() -> list[str]:
    """The capture file names, sorted."""
    return sorted(p.name for p in REAL_CAPTURES.glob("*.yaml"))


def load_capture(name: str) -> dict[str, Any]:
    """The one interaction of capture ``name`` (its ``request`` and ``response``).

    Loaded with ``yaml.safe_load``, as vcrpy stores it.
    """
    data = yaml.safe_load((REAL_CAPTURES / name).read_text(encoding="utf-8"))
    (interaction,) = data["interactions"]
    return dict(interaction)
