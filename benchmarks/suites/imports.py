"""Import time of our packages and the anchors', each in a fresh interpreter, best of N.

Each statement runs in its own ``python -c`` process that times only the statement (not
interpreter start-up). One untimed pass first compiles bytecode caches; then N rounds,
statements in rotated order each round, and the best (minimum) per statement is kept,
the usual way to time imports on a noisy machine. ``import langchain_fw`` and
``import langchain_core.language_models`` are both lazy (classes load on first use), so
the table also times what a user pays in practice: ``from langchain_fw import
ChatFireworks`` against ``from langchain_core.language_models import BaseChatModel``.
Quick mode times only ours and langchain-core, once each.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from benchmarks.settings import Settings
from benchmarks.timing import median, rotated

__all__ = ["STATEMENTS", "run"]

# (label, statement, group) — group ties ours to the anchor it is compared with
STATEMENTS: tuple[tuple[str, str, str], ...] = (
    ("import fw_core", "import fw_core", "core"),
    ("from fw_core import Client, chat", "from fw_core import Client, chat", "core"),
    ("import httpx", "import httpx", "core"),
    ("import openai", "import openai", "core"),
    ("import langchain_core.language_models", "import langchain_core.language_models", "langchain"),
    (
        "from langchain_core.language_models import BaseChatModel",
        "from langchain_core.language_models import BaseChatModel",
        "langchain",
    ),
    ("import langchain_fw", "import langchain_fw", "langchain"),
    (
        "from langchain_fw import ChatFireworks",
        "from langchain_fw import ChatFireworks",
        "langchain",
    ),
    (
        "from langchain_fireworks import ChatFireworks",
        "from langchain_fireworks import ChatFireworks",
        "langchain",
    ),
    (
        "from langchain_openai import ChatOpenAI",
        "from langchain_openai import ChatOpenAI",
        "langchain",
    ),
    ("import llama_index.core.llms", "import llama_index.core.llms", "llamaindex"),
    ("import llamaindex_fw", "import llamaindex_fw", "llamaindex"),
    (
        "from llama_index.core.llms.function_calling import FunctionCallingLLM",
        "from llama_index.core.llms.function_calling import FunctionCallingLLM",
        "llamaindex",
    ),
    ("from llamaindex_fw import Fireworks", "from llamaindex_fw import Fireworks", "llamaindex"),
    (
        "from llama_index.llms.fireworks import Fireworks",
        "from llama_index.llms.fireworks import Fireworks",
        "llamaindex",
    ),
)

QUICK_LABELS = frozenset(
    {
        "import fw_core",
        "import langchain_core.language_models",
        "import langchain_fw",
    }
)

_TIMER = (
    "import time as _t, sys as _s\n_a = _t.perf_counter()\n{stmt}\n"
    "_s.stdout.write(repr(_t.perf_counter() - _a))"
)


def _time(stmt: str, root: str) -> float | str:
    proc = subprocess.run(
        [sys.executable, "-c", _TIMER.format(stmt=stmt)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        return lines[-1][:200] if lines else f"exit {proc.returncode}"
    return float(proc.stdout.strip())


def run(settings: Settings) -> dict[str, Any]:
    """Measure; returns the suite's JSON section (seconds)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    todo = [s for s in STATEMENTS if not settings.quick or s[0] in QUICK_LABELS]
    errors: dict[str, str] = {}
    # one pass that also writes the bytecode caches
    warm = "\n".join(f"try:\n    {stmt}\nexcept Exception:\n    pass" for _, stmt, _ in todo)
    subprocess.run(
        [sys.executable, "-c", warm], cwd=root, capture_output=True, timeout=300, check=False
    )
    samples: dict[str, list[float]] = {label: [] for label, _, _ in todo}
    stmts = {label: stmt for label, stmt, _ in todo}
    for rep in range(settings.import_reps):
        for label in rotated(list(stmts), rep):
            if label in errors:
                continue
            t = _time(stmts[label], root)
            if isinstance(t, str):
                errors[label] = t
            else:
                samples[label].append(t)
    rows = []
    for label, stmt, group in todo:
        vals = samples[label]
        rows.append(
            {
                "label": label,
                "statement": stmt,
                "group": group,
                "available": label not in errors,
                "reason": errors.get(label, ""),
                "best": min(vals) if vals else None,
                "median": median(vals) if vals else None,
                "n": len(vals),
            }
        )
    return {
        "unit": "seconds",
        "reps": settings.import_reps,
        "python": sys.version.split()[0],
        "rows": rows,
    }
