"""The live conformance check: live per provider with a key, else against the wire double.

Live mode needs all three: ``FW_LIVE_CHECK=1`` (``make live-check`` sets it), ``FW_RECORD=live``
(so the root conftest keeps the real keys) and the provider's key. Otherwise that provider's
requests go to a fresh :class:`~fw_core.testing.WireDouble`, which is how ``make test`` and CI
run this folder. Before anything is sent the session prints its cost estimate and refuses
to start above ``LIVE_CHECK_MAX_USD``; at the end it writes the drift report to
``LIVE_CHECK_REPORT`` (default ``live-check-report/``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FAKE_KEYS, ROOT
from tests.live import cost, report
from tests.live.capture import Recorder, capture
from tests.live.table_check import Verdict

KEYS = {"fireworks": "FIREWORKS_API_KEY", "firmware": "FIRMWARE_API_KEY"}


def provider_modes() -> dict[str, str]:
    """``{"fireworks": "live" | "double", "firmware": ...}`` from the environment."""
    opted_in = os.environ.get("FW_LIVE_CHECK") == "1" and os.environ.get("FW_RECORD") == "live"
    modes = {}
    for provider, var in KEYS.items():
        key = os.environ.get(var, "")
        live = opted_in and bool(key) and key != FAKE_KEYS[var]
        modes[provider] = "live" if live else "double"
    return modes


def _key_kwargs(provider: str, modes: dict[str, str]) -> dict[str, Any]:
    """Constructor kwargs: the env key when live, a fake one against the double."""
    return {} if modes[provider] == "live" else {"api_key": FAKE_KEYS[KEYS[provider]]}


class LiveKit:
    """What the checks need: modes, the budget, the recorder, and key kwargs per provider."""

    def __init__(self, modes: dict[str, str], budget: cost.Budget, rec: Recorder) -> None:
        self.modes = modes
        self.budget = budget
        self.rec = rec
        self.table: list[Verdict] = []  # the model table against the catalog (table_check)

    def kwargs(self, provider: str) -> dict[str, Any]:
        return _key_kwargs(provider, self.modes)

    def begin(self, name: str) -> None:
        """Label the next requests ``name``; skip a live check when the cap would be passed."""
        if self.modes[cost.PLAN[name].provider] == "live" and not self.budget.allow(name):
            pytest.skip(f"{name}: not sent, the estimated spend would pass the cap")
        self.rec.label = name


@pytest.fixture(scope="package")
def live_kit(request: pytest.FixtureRequest) -> Iterator[LiveKit]:
    """Package-scoped: httpx is patched only while this folder runs; the report follows."""
    modes = provider_modes()
    cap = cost.cap_from_env()
    names = [n for n, c in cost.PLAN.items()]
    live_names = [n for n in names if modes[cost.PLAN[n].provider] == "live"]
    est_all, est_live = cost.total(names), cost.total(live_names)

    def say(line: str) -> None:  # past pytest's output capture, so it shows before sending
        capman = request.config.pluginmanager.get_plugin("capturemanager")
        if capman is None:
            print(line)
            return
        with capman.global_and_fixture_disabled():
            print(f"\n{line}", flush=True)

    say(
        f"live-check: modes {modes}; estimated cost ${est_live:.4f} live "
        f"(${est_all:.4f} if every provider were live), cap ${cap:.4f} (ESTIMATES)"
    )
    if est_live > cap:
        pytest.exit(
            f"live-check refuses to start: estimate ${est_live:.4f} > cap ${cap:.4f} "
            "(raise LIVE_CHECK_MAX_USD)",
            returncode=2,
        )
    rec = Recorder(modes)
    budget = cost.Budget(cap)
    with capture(rec):
        kit = LiveKit(modes, budget, rec)
        yield kit
    folder = Path(os.environ.get("LIVE_CHECK_REPORT") or ROOT / "live-check-report")
    data = report.build(
        rec.exchanges, modes, budget.spent_usd, cap, budget.refused, table=kit.table
    )
    _json_path, md = report.write(data, folder)
    say(f"live-check: {len(rec.exchanges)} exchanges, {data['drifting']} with drift -> {md}")
