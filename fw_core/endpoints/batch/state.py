"""What a batch run must remember to survive a crash: a small JSON state file.

It holds the account, model, every row's ``custom_id`` in input order, and per part
(one input file, one job) the ids the runner chose before creating anything. Because the
ids are chosen first and written down, a run that died anywhere (before the upload, after
it, after the job was created) can be picked up by asking the API what exists.

Each part also records whether its job was ``created`` and whether this run ``cancelled``
it. The API deletes a job on cancel and then answers 404 for it (docs/wire.md §7.3), which
alone would read as "never created"; with these flags a 404 for a job that existed means
deleted, and resuming reports it cancelled instead of submitting it again.

>>> s = BatchState("acme", "accounts/fireworks/models/m", ["a", "b"],
...                [PartState("j-0", "in-0", "out-0", [0, 1])])
>>> BatchState.from_json(s.to_json()) == s
True
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from fw_core.endpoints.batch.lines import BatchInputError

__all__ = ["BatchState", "PartState"]

_VERSION = 1


@dataclass
class PartState:
    """One input file and its job: the chosen ids and which rows (input indexes) it holds."""

    job_id: str
    input_dataset_id: str
    output_dataset_id: str
    indexes: list[int]
    created: bool = False
    cancelled: bool = False


@dataclass
class BatchState:
    """Everything needed to resume or cancel a run (see the module doc)."""

    account_id: str
    model: str
    custom_ids: list[str]
    parts: list[PartState] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"version": _VERSION, **asdict(self)}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> BatchState:
        try:
            raw: Any = json.loads(text)
            if raw.get("version") != _VERSION:
                raise ValueError(f"unknown state file version {raw.get('version')!r}")
            parts = [PartState(**p) for p in raw["parts"]]
            return cls(str(raw["account_id"]), str(raw["model"]), list(raw["custom_ids"]), parts)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BatchInputError(f"not a batch state file: {exc}") from exc

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write atomically (temp file, then rename), so a crash never leaves half a file."""
        target = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=".batch-", dir=target.parent or ".")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(self.to_json())
        os.replace(tmp, target)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> BatchState:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))
