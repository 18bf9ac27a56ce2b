"""Write the drift report: ``report.json`` (every exchange) and ``report.md`` (a summary).

Only shapes, header names, paths and status codes are written: no body value, no header
value, no query string, so no key or key-shaped string can reach the report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.live.capture import Exchange, double_answer
from tests.live.drift import exchange_drift
from tests.live.table_check import Verdict

__all__ = ["build", "write"]


def build(
    exchanges: list[Exchange],
    modes: dict[str, str],
    spent: float,
    cap: float,
    refused: list[str],
    table: list[Verdict] | None = None,
) -> dict[str, Any]:
    """The report as a JSON-ready dict; ``table``: the model table against the catalog."""
    verdicts = [v.as_dict() for v in table or []]
    rows = []
    for ex in exchanges:
        drift = exchange_drift((ex.status, ex.headers, ex.body), double_answer(ex))
        rows.append(
            {
                "check": ex.label,
                "provider": ex.provider,
                "mode": modes[ex.provider],
                "method": ex.method,
                "path": ex.path,
                **drift,
            }
        )
    return {
        "modes": modes,
        "estimated_spend_usd": round(spent, 6),
        "cap_usd": cap,
        "refused_by_cap": refused,
        "exchanges": rows,
        "drifting": sum(1 for r in rows if not r["clean"]),
        "model_table": verdicts,
        "model_table_drifting": sum(1 for v in verdicts if v["drift"]),
    }


def _markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Live check: drift report",
        "",
        "Modes: " + ", ".join(f"{p} = {m}" for p, m in sorted(report["modes"].items())),
        f"Estimated spend: ${report['estimated_spend_usd']:.4f} (cap ${report['cap_usd']:.4f})",
        f"Exchanges: {len(report['exchanges'])}, with drift: {report['drifting']}",
    ]
    if report["refused_by_cap"]:
        lines.append("Not sent (cap): " + ", ".join(report["refused_by_cap"]))
    lines += [
        "",
        "| check | provider | mode | request | status live/double | drift |",
        "|---|---|---|---|---|---|",
    ]
    for r in report["exchanges"]:
        parts = [f"{f['kind']} `{f['path'] or '(body)'}`" for f in r["fields"][:6]]
        if len(r["fields"]) > 6:
            parts.append(f"+{len(r['fields']) - 6} more")
        for side in ("missing_in_double", "missing_in_live"):
            if r["headers"][side]:
                parts.append(f"headers {side}: " + ", ".join(r["headers"][side]))
        st = r["status"]
        lines.append(
            f"| {r['check']} | {r['provider']} | {r['mode']} | {r['method']} {r['path']} "
            f"| {st['live']}/{st['double']} | {'; '.join(parts) or 'none'} |"
        )
    lines += _table_lines(report.get("model_table", []))
    return "\n".join(lines) + "\n"


def _table_lines(verdicts: list[dict[str, Any]]) -> list[str]:
    """The model table section: retired, drifting and unverified ids first."""
    if not verdicts:
        return []
    order = {"retired": 1, "unverified": 2, "served": 3}
    rows = sorted(verdicts, key=lambda v: (not v["drift"], order.get(v["table"], 9), v["id"]))
    out = [
        "",
        "## Model table against the catalog (fw_core/model_table.py)",
        "",
        "| id | table | listed | supportsServerless | drift / note |",
        "|---|---|---|---|---|",
    ]
    for v in rows:
        flag = {True: "true", False: "false"}.get(v["serverless"], "-")
        out.append(
            f"| {v['id']} | {v['table']} | {'yes' if v['listed'] else 'no'} | {flag} "
            f"| {v['drift'] or v['note'] or 'agrees'} |"
        )
    return out


def write(report: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    """Write ``report.json`` and ``report.md`` into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    js, md = folder / "report.json", folder / "report.md"
    js.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    md.write_text(_markdown(report), encoding="utf-8")
    return js, md
