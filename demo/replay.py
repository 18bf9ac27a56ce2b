"""Replay or live: the one switch the demo and the notebooks share.

Three modes:

- ``replay`` (the default without keys): HTTP is answered from a vcrpy cassette under
  ``cassettes/`` (record mode ``none``: a request that was not recorded fails loudly).
  Placeholder keys are set, so no real key is ever sent or needed.
- ``live`` (the default when the needed keys are set): nothing is patched; the classes call
  the real APIs with the keys from the environment.
- ``record``: the real API hosts are served by the wire double
  (``fw_core.testing.patch_transports``) and the traffic is written to the cassette;
  with ``FW_MODE=record-live`` it is recorded from the real APIs instead. Keys and
  key-shaped strings are scrubbed before anything is written.

``FW_MODE=replay|live|record|record-live`` overrides the choice.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
KEYS = ("FIREWORKS_API_KEY", "FIRMWARE_API_KEY")
_PLACEHOLDER = "offline-replay-placeholder"
# Environment that would send requests elsewhere than the recorded hosts.
_URL_VARS = ("FIREWORKS_BASE_URL", "FIREWORKS_API_BASE", "FIRMWARE_BASE_URL", "FIRMWARE_API_BASE")


@dataclass(frozen=True)
class Mode:
    name: str  # "replay", "live", "record" or "record-live"
    reason: str

    @property
    def offline(self) -> bool:
        return self.name in ("replay", "record")


def choose(needs: Iterable[str] = KEYS, *, forced: str | None = None) -> Mode:
    """Pick the mode: ``forced`` (or ``FW_MODE``), else live when every needed key is set."""
    needs = tuple(needs)
    env = os.environ.get("FW_MODE", "").strip().lower()
    if forced or env:
        name = forced or env
        if name not in ("replay", "live", "record", "record-live"):
            raise SystemExit(f"FW_MODE must be replay, live, record or record-live, not {name!r}")
        return Mode(name, "asked for" if forced else f"FW_MODE={env}")
    missing = [k for k in needs if not os.environ.get(k)]
    if not missing:
        return Mode("live", f"{' and '.join(needs)} set")
    return Mode("replay", f"{' and '.join(missing)} not set")


def _vcr() -> Any:
    import vcr

    from fw_core.testing.cassettes import register_matchers, vcr_options

    return register_matchers(vcr.VCR(**vcr_options()))


def _play_in_recorded_order(cassette: Any) -> None:
    """Answer repeated identical requests in the order they were recorded.

    With ``allow_playback_repeats`` alone, vcrpy answers every repeat with the first
    recorded match, so a polled batch job would never leave its first state. Here each
    request gets the first match not yet played, and once all are played the last one
    repeats (a cell run twice sees the job finished). Uses vcrpy's ``Cassette`` internals
    (``_responses``, ``play_counts``, ``data``, ``_played_interactions``; vcrpy 8).
    """
    from vcr.errors import UnhandledHTTPRequestError

    def play_response(request: Any) -> Any:
        matches = list(cassette._responses(request))
        if not matches:
            raise UnhandledHTTPRequestError(
                f"The cassette ({cassette._path!r}) doesn't contain the request ({request!r})"
            )
        fresh = [m for m in matches if cassette.play_counts[m[0]] == 0]
        index, response = fresh[0] if fresh else matches[-1]
        cassette.play_counts[index] += 1
        cassette._played_interactions.append((cassette.data[index][0], response))
        return response

    cassette.play_response = play_response


class Session:
    """An open cassette (or nothing, live). ``close()`` writes a recording to disk."""

    def __init__(self, cassette: str, mode: Mode) -> None:
        self.mode = mode
        self.path = CASSETTES / cassette
        self._stack: list[Any] = []
        self._cassette: Any = None
        if mode.name == "live":
            return
        if mode.name == "replay" and not self.path.exists():
            raise SystemExit(f"no recording at {self.path}; record it with FW_MODE=record")
        if mode.offline:
            for key in KEYS:
                os.environ[key] = _PLACEHOLDER
            for var in _URL_VARS:
                os.environ.pop(var, None)
        if mode.name.startswith("record"):
            self.path.unlink(missing_ok=True)  # a fresh recording, no stale interactions
        if mode.name == "record":
            from fw_core.testing import WireDouble, patch_transports

            self._enter(patch_transports(WireDouble()))
        record_mode = "none" if mode.name == "replay" else "all"
        # Repeats allowed: a reader may run a notebook cell twice.
        self._cassette = self._enter(
            _vcr().use_cassette(
                str(self.path), record_mode=record_mode, allow_playback_repeats=True
            )
        )
        if mode.name == "replay":
            _play_in_recorded_order(self._cassette)

    def _enter(self, cm: Any) -> Any:
        value = cm.__enter__()
        self._stack.append(cm)
        return value

    def save(self) -> None:
        """Write what was recorded so far (no-op when replaying or live)."""
        if self._cassette is not None and self.mode.name.startswith("record"):
            self._cassette._save()

    def close(self) -> None:
        while self._stack:
            self._stack.pop().__exit__(None, None, None)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_session(cassette: str, mode: Mode, *, close_at_exit: bool = False) -> Session:
    session = Session(cassette, mode)
    if close_at_exit:
        atexit.register(session.close)
    return session


def add_manifest_lines(*, live: bool) -> None:
    """Append MANIFEST lines for new cassettes (tests/manifest.py keeps the format)."""
    import sys

    sys.path.insert(0, str(ROOT))
    from tests.manifest import main

    main(["--source", "live" if live else "double"])
