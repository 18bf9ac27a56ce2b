"""Where the team's shared folder is: beside the project checkout (``<repo>/../shared``).

CI clones the project with ``shared/`` beside it, so the real captures are always there;
``FW_SHARED_DIR`` overrides the location. Tests that need the captures skip only outside
CI (a developer without the folder); under ``CI=true`` a missing folder fails them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FW_SHARED_DIR") or ROOT.parent / "shared")
REAL_CAPTURES = SHARED / "wire" / "real"


def require_real_captures() -> pytest.MarkDecorator:
    """A module mark: skip without the captures, except in CI, where their absence fails."""
    present = REAL_CAPTURES.is_dir()
    if not present and os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise RuntimeError(f"CI run without the real captures at {REAL_CAPTURES}")
    return pytest.mark.skipif(not present, reason=f"no real captures at {REAL_CAPTURES}")
