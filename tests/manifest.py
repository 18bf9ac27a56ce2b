"""Keep ``cassettes/MANIFEST`` (the provenance of every cassette) in step with the files.

``python -m tests.manifest`` appends an entry for each cassette that has none, as recorded
against the wire double (or ``--source live`` after a live recording), and with ``--prune``
drops entries whose file is gone. One line per cassette, tab-separated:
``<path relative to cassettes/>  <double|live>  <YYYY-MM-DD>  <note>``.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
MANIFEST = CASSETTES / "MANIFEST"
SOURCES = {
    "double": "recorded against fw_core.testing.WireDouble (in-process), not the live API",
    "live": "recorded live against the real API (account redacted)",
}
HEADER = (
    "# Provenance of every cassette: path<TAB>source<TAB>date<TAB>note\n"
    "# source: 'double' = recorded against fw_core.testing.WireDouble; 'live' = real API.\n"
    "# Maintained by `python -m tests.manifest`; a test fails when a cassette is missing here.\n"
)


def cassette_files() -> list[str]:
    return sorted(
        p.relative_to(CASSETTES).as_posix()
        for p in CASSETTES.rglob("*")
        if p.suffix in (".yaml", ".yml", ".json") and p.is_file()
    )


def read_entries() -> dict[str, list[str]]:
    entries: dict[str, list[str]] = {}
    if not MANIFEST.exists():
        return entries
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        entries[fields[0]] = fields
    return entries


def source_of(path: str) -> str | None:
    """The provenance (``double`` or ``live``) of the cassette at ``path`` (relative to
    ``cassettes/``), or None when the MANIFEST has no entry for it."""
    fields = read_entries().get(path)
    return fields[1] if fields and len(fields) > 1 else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", choices=sorted(SOURCES), default="double")
    parser.add_argument("--prune", action="store_true", help="drop entries for missing files")
    parser.add_argument(
        "--all",
        action="store_true",
        help="set --source on every entry (after re-recording everything from that source)",
    )
    args = parser.parse_args(argv)
    entries = read_entries()
    files = cassette_files()
    today = dt.date.today().isoformat()
    added = [f for f in files if f not in entries]
    for f in added:
        entries[f] = [f, args.source, today, SOURCES[args.source]]
    if args.all:
        for f in files:
            entries[f] = [f, args.source, today, SOURCES[args.source]]
    if args.prune:
        entries = {k: v for k, v in entries.items() if k in set(files)}
    CASSETTES.mkdir(exist_ok=True)
    body = "".join("\t".join(entries[k]) + "\n" for k in sorted(entries))
    MANIFEST.write_text(HEADER + body, encoding="utf-8")
    print(f"MANIFEST: {len(entries)} entries, {len(added)} added ({args.source})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
