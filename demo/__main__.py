"""``python -m demo``: a short tour of fw-integrations that prints real results.

Offline by default: with no ``FIREWORKS_API_KEY`` / ``FIRMWARE_API_KEY`` in the environment
every request is answered from the cassettes in ``cassettes/demo/`` (recorded against the
wire double, ``fw_core.testing``). With a key set it calls the real APIs; sections that need
the other key are skipped with a note.

    python -m demo                 # offline replay, or live when a key is set
    python -m demo --live          # live (keys required)
    python -m demo --replay        # offline even when keys are set
    python -m demo --record        # re-record cassettes/demo/ against the wire double
    python -m demo --only rag      # one section (see --list)
"""

from __future__ import annotations

import argparse
import os
import time
import traceback

from demo import replay, tour

_OFFLINE_NOTE = (
    "Offline: replaying cassettes/demo/ (no FIREWORKS_API_KEY or FIRMWARE_API_KEY set). "
    "They were recorded against the wire double, a deterministic fake of both APIs, so "
    "answers are its echo-style text; set a key for live answers."
)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument("--live", action="store_true", help="call the real APIs (keys required)")
    g.add_argument("--replay", action="store_true", help="replay cassettes even with keys set")
    g.add_argument(
        "--record", action="store_true", help="re-record cassettes/demo/ against the wire double"
    )
    p.add_argument(
        "--only", action="append", metavar="SECTION", help="run only this section (repeatable)"
    )
    p.add_argument("--list", action="store_true", help="list the sections and exit")
    p.add_argument("--traceback", action="store_true", help="show tracebacks of failures")
    return p.parse_args(argv)


def _mode(args: argparse.Namespace) -> replay.Mode:
    forced = "live" if args.live else "replay" if args.replay else "record" if args.record else None
    if forced is None and not os.environ.get("FW_MODE"):
        have = [k for k in replay.KEYS if os.environ.get(k)]
        if have:  # live with whatever keys there are; sections needing others are skipped
            return replay.Mode("live", f"{' and '.join(have)} set")
        return replay.Mode("replay", "no key set")
    return replay.choose(forced=forced)


def _headline(mode: replay.Mode) -> str:
    if mode.name == "replay":
        return _OFFLINE_NOTE
    if mode.name == "record":
        return "Recording cassettes/demo/ against the wire double (fw_core.testing)."
    if mode.name == "record-live":
        return "Recording cassettes/demo/ from the live APIs (keys scrubbed)."
    return f"Live: calling the real APIs ({mode.reason})."


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.list:
        for s in tour.SECTIONS:
            print(f"{s.name:18} {s.title}")
        return 0
    sections = [tour.find(n) for n in args.only] if args.only else tour.SECTIONS
    mode = _mode(args)
    print(_headline(mode), flush=True)
    tour.REPLAYING = mode.name == "replay"
    start = time.perf_counter()
    ran, skipped, failed = 0, 0, 0
    for i, section in enumerate(sections, 1):
        print(f"\n[{i}/{len(sections)}] {section.title}", flush=True)
        missing = [k for k in section.needs if not os.environ.get(k)]
        if mode.name in ("live", "record-live") and missing:
            print(f"  skipped: needs {', '.join(missing)}")
            skipped += 1
            continue
        try:
            with replay.open_session(f"demo/{section.name}.yaml", mode):
                section.run()
            ran += 1
        except Exception as err:
            failed += 1
            print(f"  FAILED: {type(err).__name__}: {err}")
            if args.traceback:
                traceback.print_exc()
    if mode.name.startswith("record"):
        replay.add_manifest_lines(live=mode.name == "record-live")
    took = time.perf_counter() - start
    summary = f"{ran} of {len(sections)} sections ran in {took:.1f} s"
    summary += f", {skipped} skipped" if skipped else ""
    summary += f", {failed} failed (--traceback for details)" if failed else ""
    print(f"\n{summary}.")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
