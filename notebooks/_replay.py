"""Replay or live for these notebooks, in one call: ``_replay.setup("quickstart")``.

With the keys a notebook needs in the environment, nothing happens: the notebook calls the
real APIs. Without them, its HTTP traffic is answered from
``cassettes/notebooks_<name>/<name>.yaml`` (recorded against the wire double,
``fw_core.testing``), so it runs offline. ``FW_MODE=replay|live|record`` overrides the
choice (``record`` re-records the cassette against the wire double).
The machinery is shared with the demo: see ``demo/replay.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demo import replay

#: The mode :func:`setup` chose (``mode.offline`` is True when replaying or recording).
mode: replay.Mode | None = None


def setup(name: str, needs: tuple[str, ...] = ("FIREWORKS_API_KEY",)) -> None:
    global mode
    mode = replay.choose(needs)
    session = replay.open_session(f"notebooks_{name}/{name}.yaml", mode, close_at_exit=True)
    if mode.name.startswith("record"):
        from IPython import get_ipython

        get_ipython().events.register("post_run_cell", lambda _result: session.save())
    if mode.name == "replay":
        print(f"Offline ({mode.reason}): replaying cassettes/notebooks_{name}/, recorded "
              "against the wire double, a deterministic stand-in for the API. "
              f"Set {' and '.join(needs)} to run live.")
    else:
        print(f"Mode: {mode.name} ({mode.reason}).")
