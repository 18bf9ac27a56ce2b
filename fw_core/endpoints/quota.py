"""Firmware quota: ``GET {base}/quota`` in any of its three generations, as one type.

The quota body changed at least twice (docs/wire.md §2.6, §4.26):

=================  ==========================================================================
generation         body
=================  ==========================================================================
``credits``        the documented form: ``{"credits": <USD>, "reset": <end of pay period>}``
``window``         early 2026: ``{"used": <share of the 5-hour window>, "reset": <ISO|null>}``
``window+weekly``  newer: ``windowUsed``, ``windowReset``, ``weeklyUsed``, ``weeklyReset``,
                   ``windowResetsRemaining`` (legacy ``used``/``reset`` kept as fallback)
=================  ==========================================================================

Usage shares are reported as a fraction (0-1) by some clients and as a percentage (0-100)
by others. :func:`parse_quota` normalises them to a fraction with one rule per response:
if any usage figure in the body is above 1, all of that body's figures are percentages
(divided by 100); otherwise they are fractions. A body whose every figure is at most 1 is
therefore read as fractions, so a true "0.5 %" would read as 50 % (ambiguous by nature; the
raw body is kept in ``raw``). Figures above 100 % are kept, not clipped.

``POST {base}/quota/reset-window`` (:func:`reset_window`) is **undocumented**: its shapes
come from one public client (docs/wire.md §2.6, §2.7), not from Firmware's docs.

>>> q = parse_quota({"windowUsed": 26, "weeklyUsed": 11.3, "windowResetsRemaining": 2,
...                  "windowReset": "2026-01-15T17:00:00.000Z", "weeklyReset": None})
>>> q.generation, q.window_used, q.weekly_used, q.window_resets_at.hour, q.weekly_resets_at
('window+weekly', 0.26, 0.113, 17, None)
>>> parse_quota({"credits": 42.5, "reset": "2026-02-01T00:00:00Z"}).credits
42.5
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from fw_core.errors import APIError, ResponseValidationError
from fw_core.http.client import AsyncClient, Client
from fw_core.providers import FIRMWARE

__all__ = [
    "FirmwareQuota",
    "QuotaGeneration",
    "WindowReset",
    "WindowResetRefusedError",
    "aget_quota",
    "areset_window",
    "get_quota",
    "parse_quota",
    "parse_reset_window",
    "reset_window",
]

QUOTA_PATH = "/quota"
RESET_WINDOW_PATH = "/quota/reset-window"

QuotaGeneration = Literal["credits", "window", "window+weekly"]

_NEW_KEYS = ("windowUsed", "windowReset", "weeklyUsed", "weeklyReset", "windowResetsRemaining")


@dataclass(frozen=True, slots=True)
class FirmwareQuota:
    """A Firmware quota answer, normalised. ``None`` = the body did not say.

    Attributes:
        generation: which body shape was read (see the module doc).
        credits: remaining balance in USD (documented form only).
        period_ends_at: end of the pay period (documented form's ``reset``).
        window_used: share of the 5-hour window used, as a fraction (0.26 = 26 %).
        window_resets_at: when the window resets; None when no window is active.
        weekly_used: share of the weekly allowance used, as a fraction.
        weekly_resets_at: when the weekly allowance resets.
        window_resets_remaining: manual window resets left (see :func:`reset_window`).
        raw: the body exactly as received.

    Example:
        >>> q = parse_quota({"used": 0.26, "reset": None})
        >>> q.generation, q.window_used, q.window_resets_at, q.credits
        ('window', 0.26, None, None)
    """

    generation: QuotaGeneration
    credits: float | None = None
    period_ends_at: dt.datetime | None = None
    window_used: float | None = None
    window_resets_at: dt.datetime | None = None
    weekly_used: float | None = None
    weekly_resets_at: dt.datetime | None = None
    window_resets_remaining: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class WindowReset:
    """A successful ``POST /quota/reset-window`` (undocumented endpoint).

    Example:
        >>> parse_reset_window({"success": True, "windowResetsRemaining": 1})
        WindowReset(window_resets_remaining=1)
    """

    window_resets_remaining: int | None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


class WindowResetRefusedError(APIError):
    """Firmware answered ``{"success": false, "error", "message"}`` to a window reset."""


# -- pure parsers --------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _share(value: Any) -> float | None:
    number = _number(value)
    return number if number is not None and number >= 0 else None


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    number = _number(value)
    return int(number) if number is not None and number >= 0 and number.is_integer() else None


def _when(value: Any) -> dt.datetime | None:
    """An aware datetime from ISO 8601 (``Z`` allowed) or epoch seconds/milliseconds."""
    if isinstance(value, str) and value.strip():
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    number = _number(value) if not isinstance(value, str) else None
    if number is None or number <= 0:
        return None
    seconds = number / 1000 if number > 1e11 else number
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _first(body: Mapping[str, Any], *keys: str) -> Any:
    """The first of ``keys`` present with a non-null value."""
    return next((body[k] for k in keys if body.get(k) is not None), None)


def parse_quota(body: Any) -> FirmwareQuota:
    """A :class:`FirmwareQuota` from a ``/quota`` body of any known generation.

    Raises ResponseValidationError when the body is not an object or carries none of the
    known figures (an unknown future shape with nothing we can read).

    >>> parse_quota({"used": 0.5, "reset": "2026-01-15T17:00:00Z"}).window_resets_at.isoformat()
    '2026-01-15T17:00:00+00:00'
    """
    if not isinstance(body, Mapping):
        raise ResponseValidationError(f"quota response is not an object: {body!r:.200}")
    generation: QuotaGeneration
    if any(k in body for k in _NEW_KEYS):
        generation = "window+weekly"
        window_raw, window_reset = (
            _first(body, "windowUsed", "used"),
            _first(body, "windowReset", "reset"),
        )
        weekly_raw, weekly_reset = body.get("weeklyUsed"), body.get("weeklyReset")
    elif "used" in body:
        generation = "window"
        window_raw, window_reset = body.get("used"), body.get("reset")
        weekly_raw = weekly_reset = None
    else:
        generation = "credits"
        window_raw = window_reset = weekly_raw = weekly_reset = None
    window, weekly = _share(window_raw), _share(weekly_raw)
    if max((x for x in (window, weekly) if x is not None), default=0.0) > 1:
        window = None if window is None else window / 100
        weekly = None if weekly is None else weekly / 100
    credits = _number(body.get("credits"))
    quota = FirmwareQuota(
        generation=generation,
        credits=credits,
        period_ends_at=_when(body.get("reset")) if generation == "credits" else None,
        window_used=None if window is None else round(window, 12),
        window_resets_at=_when(window_reset),
        weekly_used=None if weekly is None else round(weekly, 12),
        weekly_resets_at=_when(weekly_reset),
        window_resets_remaining=_count(body.get("windowResetsRemaining")),
        raw=dict(body),
    )
    usable = (
        quota.credits,
        quota.window_used,
        quota.weekly_used,
        quota.window_resets_remaining,
        quota.period_ends_at,
    )
    if all(v is None for v in usable):
        raise ResponseValidationError(
            f"quota response has no figure this client can read: {dict(body)!r:.300}",
            body=str(dict(body))[:2000],
        )
    return quota


def parse_reset_window(body: Any) -> WindowReset:
    """A :class:`WindowReset` from a ``/quota/reset-window`` body.

    Raises WindowResetRefusedError for ``{"success": false, ...}`` and
    ResponseValidationError for a body without ``success``.

    >>> parse_reset_window({"success": False, "error": "no_resets", "message": "None left."})
    Traceback (most recent call last):
    ...
    fw_core.endpoints.quota.WindowResetRefusedError: None left. | code=no_resets
    """
    if not isinstance(body, Mapping) or not isinstance(body.get("success"), bool):
        raise ResponseValidationError(f"reset-window response has no 'success': {body!r:.200}")
    if not body["success"]:
        code = body.get("error") if isinstance(body.get("error"), str) else None
        message = body.get("message") if isinstance(body.get("message"), str) else None
        raise WindowResetRefusedError(
            message or code or "window reset refused", code=code, body=str(dict(body))[:2000]
        )
    return WindowReset(_count(body.get("windowResetsRemaining")), raw=dict(body))


# -- requests ------------------------------------------------------------------------------


def get_quota(client: Client) -> FirmwareQuota:
    """``GET {base}/quota`` on a Firmware client (ConfigurationError for any other).

    A 401 (``{"error": "Unauthorized"}``) raises AuthenticationError.

    Example:
        >>> import httpx
        >>> from fw_core import FIRMWARE, Client
        >>> from fw_core.testing import WireDouble
        >>> client = Client(FIRMWARE, api_key="example-key",
        ...                 http_client=httpx.Client(transport=WireDouble().transport()))
        >>> get_quota(client).credits
        42.5
    """
    client.provider.require(FIRMWARE, "quota")
    return parse_quota(client.request("GET", QUOTA_PATH).json())


async def aget_quota(client: AsyncClient) -> FirmwareQuota:
    """Async twin of :func:`get_quota`."""
    client.provider.require(FIRMWARE, "quota")
    return parse_quota((await client.request("GET", QUOTA_PATH)).json())


def reset_window(client: Client) -> WindowReset:
    """``POST {base}/quota/reset-window``: spend one manual reset of the 5-hour window.

    **Undocumented endpoint** (seen in one public client only); it may change or vanish.
    Raises WindowResetRefusedError when Firmware answers ``success: false`` with a 2xx, and
    the usual status errors otherwise. Not idempotent, so it is sent once, never retried
    (a retry after a lost answer could spend a second reset).
    """
    client.provider.require(FIRMWARE, "quota")
    return parse_reset_window(client.request("POST", RESET_WINDOW_PATH, max_retries=0).json())


async def areset_window(client: AsyncClient) -> WindowReset:
    """Async twin of :func:`reset_window` (same caveats)."""
    client.provider.require(FIRMWARE, "quota")
    resp = await client.request("POST", RESET_WINDOW_PATH, max_retries=0)
    return parse_reset_window(resp.json())
