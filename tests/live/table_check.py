"""The model table against the live catalog: is each id still what the table says?

For every Fireworks id in :mod:`fw_core.model_table` (routers aside: they have no catalog
entry), the live check reads the catalog entry, the ``Model`` resource that
``GET /v1/accounts/fireworks/models/{id}`` returns, asked through the catalog list with a
``name="<id>"`` filter (:func:`fw_core.endpoints.models.find_model`). Its ``supportsServerless`` is
the signal other clients found reliable: the catalog keeps a retired model listed with
``state: READY``, while ``supportsServerless`` turns false (Kiln-AI/Kiln PR 1790,
https://github.com/Kiln-AI/Kiln/pull/1790). :func:`judge` compares the two; a verdict with
``drift`` set goes into the drift report, and a ``served`` id that the catalog says is not
served fails the check.

>>> from fw_core.model_table import status
>>> v = judge(status("fireworks", "kimi-k3"), {"supportsServerless": False})
>>> v.drift
'the table says served; the catalog says supportsServerless=false'
>>> judge(status("fireworks", "kimi-k2-instruct-0905"), {"state": "READY"}).note  # retired
'retired 2026-04; use accounts/fireworks/models/kimi-k3'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from fw_core.model_table import ModelStatus

__all__ = ["Verdict", "judge"]


@dataclass(frozen=True)
class Verdict:
    """What the catalog said about one table id.

    Attributes:
        id: the table id.
        table: the table's status.
        listed: the catalog has an entry for it.
        serverless: the entry's ``supportsServerless`` (None: absent, or no entry).
        drift: why the table and the catalog disagree (None when they agree, or when the
            catalog says nothing that contradicts the table).
        note: a hint for an ``unverified`` id (what the catalog suggests it is).
    """

    id: str
    table: str
    listed: bool
    serverless: bool | None
    drift: str | None = None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _flag(entry: Mapping[str, Any] | None) -> bool | None:
    if entry is None:
        return None
    value = entry.get("supportsServerless", entry.get("supports_serverless"))
    return value if isinstance(value, bool) else None


def judge(record: ModelStatus, entry: Mapping[str, Any] | None) -> Verdict:
    """Compare the table's ``record`` with the catalog ``entry`` (None: not listed).

    - ``served``: drift when the catalog does not list it or says ``supportsServerless``
      is false; an entry without the flag is not contradicted.
    - ``retired``: drift only when the catalog says ``supportsServerless: true`` (back in
      service?); a listed ``READY`` entry is what retired models look like.
    - ``unverified``: never drift; the note says what the catalog suggests.
    """
    flag = _flag(entry)

    def verdict(drift: str | None = None, note: str | None = None) -> Verdict:
        return Verdict(record.id, record.status, entry is not None, flag, drift, note)

    if record.status == "served":
        if entry is None:
            return verdict("the table says served; not listed")
        if flag is False:
            return verdict("the table says served; the catalog says supportsServerless=false")
        return verdict()
    if record.status == "retired":
        if flag is True:
            return verdict("the table says retired; the catalog says supportsServerless=true")
        return verdict(note=f"retired {record.retired_on}; use {record.replacement}")
    if flag is None:
        return verdict(note="not listed" if entry is None else "catalog does not say")
    return verdict(note="catalog suggests served" if flag else "catalog suggests retired")
