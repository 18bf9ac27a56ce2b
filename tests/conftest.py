"""Test harness: cassettes (vcrpy via pytest-recording), fake keys, and the record switch.

- Replay (the default, and CI): ``--record-mode=none``; a request with no recorded match
  fails. Keys in the environment are replaced by fakes so a developer's real key is never
  used or recorded, and provider base-URL variables are cleared.
- ``FW_RECORD=double``: the whole session runs inside ``patch_transports(WireDouble())``,
  so recording (``--record-mode=once``) captures the wire double's answers under the real
  API URLs. ``make record`` does this when no key is set.
- ``FW_RECORD=live``: real keys from the environment, real APIs (``make record`` with keys).

Cassettes live in a folder named by the test file's path under ``tests/``:
``tests/langchain/test_catalog.py`` replays ``cassettes/langchain/test_catalog/<test>.yaml``,
so two test files with one name never share a folder. Each cassette needs a line in
``cassettes/MANIFEST`` (``python -m tests.manifest`` appends missing ones).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fw_core.testing.cassettes import SECRET_PATTERN, register_matchers, vcr_options

__all__ = [
    "CASSETTES",
    "FAKE_KEYS",
    "ROOT",
    "SECRET_PATTERN",
    "cassette_dir",
    "cassette_is_live",
    "fast_batch_runs",
]

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
RECORD = os.environ.get("FW_RECORD", "").strip().lower()  # "", "double" or "live"

FAKE_KEYS = {
    "FIREWORKS_API_KEY": "FIREWORKS_API_KEY_FAKE",
    "FIRMWARE_API_KEY": "FIRMWARE_API_KEY_FAKE",
}
_CLEARED = (
    "FIREWORKS_AI_API_KEY",
    "FIREWORKS_BASE_URL",
    "FIREWORKS_API_BASE",
    "FIRMWARE_BASE_URL",
    "FIRMWARE_API_BASE",
)


def _use_fake_keys() -> None:
    if RECORD == "live":
        return
    for name in _CLEARED:
        os.environ.pop(name, None)
    os.environ.update(FAKE_KEYS)


_use_fake_keys()  # at import, before any test module constructs a model


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    register_matchers(vcr)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    # The fake keys are scrubbed too; live keys come from the environment when recording.
    return {**vcr_options(), "record_on_exception": False}


def cassette_dir(test_file: Path) -> Path:
    """The cassette folder of a test file: its path under ``tests/``, without the suffix.

    >>> path = cassette_dir(ROOT / "tests" / "e2e" / "test_readme_examples.py")
    >>> path.relative_to(CASSETTES).as_posix()
    'e2e/test_readme_examples'
    """
    return CASSETTES / test_file.resolve().relative_to(ROOT / "tests").with_suffix("")


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(cassette_dir(request.path))


@pytest.fixture
def cassette_is_live(request: pytest.FixtureRequest) -> bool:
    """Whether this test's cassette is marked ``live`` in ``cassettes/MANIFEST``.

    A live cassette holds a real model's wording, so a test asserts the structure of an
    answer (types, fields, tool calls) instead of the wire double's echo text. Also true
    while recording live (``FW_RECORD=live``), when no MANIFEST entry exists yet.
    """
    from tests.manifest import source_of

    if RECORD == "live":
        return True
    cls = request.cls.__name__ + "." if request.cls is not None else ""
    name = f"{cls}{request.node.name}.yaml"
    path = (cassette_dir(request.path) / name).relative_to(CASSETTES).as_posix()
    return source_of(path) == "live"


@pytest.fixture(scope="session", autouse=True)
def _record_against_double() -> Iterator[None]:
    """With FW_RECORD=double, every request to the real API hosts goes to the wire double."""
    if RECORD != "double":
        yield
        return
    from fw_core.testing import WireDouble, patch_transports

    with patch_transports(WireDouble()):
        yield


@pytest.fixture
def fast_batch_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Examples that run batch jobs as written: no sleeping between polls, fixed ids.

    ``BatchRunner`` polls without waiting (the wire double, and a cassette recorded from
    it, move a job one state per poll) and, when the example passes no ``run_id``, uses
    ``"example"`` so the dataset and job ids in a cassette repeat. Not applied when
    recording live (``FW_RECORD=live``), where real jobs need real waiting.
    """
    if RECORD == "live":
        return
    from fw_core.endpoints.batch import BatchRunner

    original = BatchRunner.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.run_id = self.run_id or "example"

        async def no_wait(_seconds: float) -> None:
            return None

        self._sleep = lambda _seconds: None
        self._asleep = no_wait

    monkeypatch.setattr(BatchRunner, "__init__", init)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Every test starts with rate limiters that know nothing: fw_core shares them per
    process (one per base URL, key and model), so a 429 one test provokes would pace the
    next test that uses the same fake key."""
    from fw_core import ratelimit

    ratelimit.reset()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Name the random order's seed at the end, where `make test` (``-q``, no header) shows
    it, so a failing order can be repeated with ``make test ARGS="--randomly-seed=<n>"``."""
    try:
        seed = config.getoption("randomly_seed")
    except ValueError:  # pytest-randomly not installed, or switched off with -p no:randomly
        return
    if isinstance(seed, int):
        terminalreporter.write_line(f"random order: --randomly-seed={seed}")
