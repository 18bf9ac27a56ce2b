"""Firmware quota: the three body generations, the percent rule, errors, the reset call."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest

from fw_core import FIREWORKS, FIRMWARE
from fw_core.endpoints import quota
from fw_core.errors import (
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    InternalServerError,
    ResponseValidationError,
)
from fw_core.http.client import AsyncClient, Client
from fw_core.testing import WireDouble, endpoints
from fw_core.testing.catalog import QUOTA_SHAPES, quota_generation

from ._core_support import AsyncRecorder, Recorder, json_response, make_async_client, make_client

WINDOW_RESET = dt.datetime(2026, 1, 15, 17, 0, tzinfo=dt.UTC)
WEEKLY_RESET = dt.datetime(2026, 1, 19, 0, 0, tzinfo=dt.UTC)


def _double_client(double: WireDouble) -> Client:
    return Client(
        FIRMWARE, api_key="test-key", env={}, http_client=httpx.Client(transport=double.transport())
    )


# ------------------------------------------------------------------ parsing


def test_documented_credits_form() -> None:
    q = quota.parse_quota({"credits": 42.5, "reset": "2026-02-01T00:00:00.000Z"})
    assert q.generation == "credits"
    assert q.credits == 42.5
    assert q.period_ends_at == dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    assert (q.window_used, q.window_resets_at, q.weekly_used, q.window_resets_remaining) == (
        None,
        None,
        None,
        None,
    )


def test_early_2026_window_form_and_null_reset() -> None:
    q = quota.parse_quota({"used": 0.26, "reset": "2026-01-15T17:00:00Z"})
    assert (q.generation, q.window_used, q.window_resets_at) == ("window", 0.26, WINDOW_RESET)
    assert q.credits is None and q.period_ends_at is None
    idle = quota.parse_quota({"used": 0, "reset": None})
    assert idle.window_used == 0.0 and idle.window_resets_at is None


def test_newer_window_and_weekly_form() -> None:
    q = quota.parse_quota(QUOTA_SHAPES["window+weekly"])
    assert q.generation == "window+weekly"
    assert (q.window_used, q.weekly_used) == (0.26, 0.113)
    assert (q.window_resets_at, q.weekly_resets_at) == (WINDOW_RESET, WEEKLY_RESET)
    assert q.window_resets_remaining == 2


def test_percent_figures_become_fractions() -> None:
    q = quota.parse_quota(QUOTA_SHAPES["window+weekly-percent"])
    assert (q.window_used, q.weekly_used) == (0.26, 0.113)
    # one rule per body: a percent body with a small figure is still read as percent
    mixed = quota.parse_quota({"windowUsed": 40, "weeklyUsed": 0.5})
    assert (mixed.window_used, mixed.weekly_used) == (0.4, 0.005)
    # all figures <= 1: fractions (documented ambiguity)
    assert quota.parse_quota({"windowUsed": 1, "weeklyUsed": 0.5}).window_used == 1.0
    assert quota.parse_quota({"used": 73}).window_used == 0.73
    over = quota.parse_quota({"windowUsed": 120})
    assert over.window_used == 1.2  # kept, not clipped


def test_legacy_fields_are_the_fallback_in_the_newer_form() -> None:
    q = quota.parse_quota(
        {"windowResetsRemaining": 1, "used": 0.5, "reset": "2026-01-15T17:00:00Z"}
    )
    assert (q.generation, q.window_used, q.window_resets_at) == ("window+weekly", 0.5, WINDOW_RESET)
    assert q.weekly_used is None and q.weekly_resets_at is None


def test_unknown_fields_are_kept_and_bad_values_stay_unknown() -> None:
    body: dict[str, Any] = {"used": "0.4", "reset": "not a date", "plan": "pro"}
    q = quota.parse_quota(body)
    assert q.window_used == 0.4 and q.window_resets_at is None
    assert q.raw == body
    assert quota.parse_quota({"windowUsed": -3, "weeklyUsed": 0.2}).window_used is None
    epoch = quota.parse_quota({"used": 0.1, "reset": 1768496400000})  # milliseconds
    assert epoch.window_resets_at == WINDOW_RESET


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"balance": 3},
        {"used": None, "reset": None},
        {"credits": "lots"},
        [],
        "Unauthorized",
        None,
    ],
)
def test_nothing_usable_is_an_error(body: Any) -> None:
    with pytest.raises(ResponseValidationError):
        quota.parse_quota(body)


# ------------------------------------------------------------------ requests


@pytest.mark.parametrize("generation", sorted(QUOTA_SHAPES))
def test_get_quota_against_each_generation_the_double_serves(generation: str) -> None:
    double = WireDouble()
    with quota_generation(generation):
        q = quota.get_quota(_double_client(double))
    assert q.raw == QUOTA_SHAPES[generation]
    assert q.generation == {"credits": "credits", "window": "window", "window-idle": "window"}.get(
        generation, "window+weekly"
    )
    request = double.requests[0]
    assert request.method == "GET" and request.path == "/api/v1/quota"


def test_unauthorized_string_envelope_is_an_authentication_error() -> None:
    double = WireDouble(api_keys={"the-right-key"})
    with pytest.raises(AuthenticationError) as info:
        quota.get_quota(_double_client(double))
    assert info.value.status_code == 401
    assert "Unauthorized" in str(info.value)


def test_fireworks_client_is_refused_before_any_request() -> None:
    rec = Recorder([json_response({"credits": 1})])
    client, _ = make_client(rec, provider=FIREWORKS)
    with pytest.raises(ConfigurationError, match="Firmware"):
        quota.get_quota(client)
    with pytest.raises(ConfigurationError):
        quota.reset_window(client)
    assert rec.calls == 0


async def test_async_get_quota() -> None:
    rec = AsyncRecorder([json_response({"used": 0.5, "reset": None})])
    client, _ = make_async_client(rec, provider=FIRMWARE)
    q = await quota.aget_quota(client)
    assert (q.generation, q.window_used) == ("window", 0.5)
    assert str(rec.requests[0].url) == "https://app.firmware.ai/api/v1/quota"
    fw = AsyncClient(FIREWORKS, api_key="test-key", env={})
    with pytest.raises(ConfigurationError):
        await quota.aget_quota(fw)
    await fw.aclose()


# ------------------------------------------------------------------ reset-window (undocumented)


def test_reset_window_success() -> None:
    rec = Recorder([json_response({"success": True, "windowResetsRemaining": 1})])
    client, _ = make_client(rec, provider=FIRMWARE)
    assert quota.reset_window(client).window_resets_remaining == 1
    sent = rec.requests[0]
    assert sent.method == "POST" and sent.url.path == "/api/v1/quota/reset-window"
    assert sent.content == b""


def test_reset_window_refusal_is_typed() -> None:
    body = {"success": False, "error": "no_resets_remaining", "message": "None left."}
    client, _ = make_client(Recorder([json_response(body)]), provider=FIRMWARE)
    with pytest.raises(quota.WindowResetRefusedError) as info:
        quota.reset_window(client)
    assert (info.value.code, info.value.message) == ("no_resets_remaining", "None left.")
    # the same body with an error status goes through the usual status errors
    client, _ = make_client(Recorder([json_response(body, status=400)]), provider=FIRMWARE)
    with pytest.raises(BadRequestError, match="None left"):
        quota.reset_window(client)
    client, _ = make_client(Recorder([json_response({"ok": 1})]), provider=FIRMWARE)
    with pytest.raises(ResponseValidationError):
        quota.reset_window(client)


def test_reset_window_is_sent_once_even_when_the_client_retries() -> None:
    # Not idempotent: a 503 after the reset may have been spent must not be retried.
    rec = Recorder(
        [
            json_response({"error": "busy"}, status=503),
            json_response({"success": True, "windowResetsRemaining": 1}),
        ]
    )
    client, sleeps = make_client(rec, provider=FIRMWARE, max_retries=3)
    with pytest.raises(InternalServerError):
        quota.reset_window(client)
    assert len(rec.requests) == 1 and sleeps == []
    assert client.max_retries == 3  # the client itself still retries other calls


async def test_async_reset_window_is_sent_once() -> None:
    rec = AsyncRecorder([json_response({"error": "busy"}, status=503)])
    client, _ = make_async_client(rec, provider=FIRMWARE, max_retries=3)
    with pytest.raises(InternalServerError):
        await quota.areset_window(client)
    assert len(rec.requests) == 1


async def test_async_reset_window() -> None:
    rec = AsyncRecorder([json_response({"success": True, "windowResetsRemaining": 0})])
    client, _ = make_async_client(rec, provider=FIRMWARE)
    assert (await quota.areset_window(client)).window_resets_remaining == 0


def test_the_double_takes_the_generation_per_request() -> None:
    http = httpx.Client(transport=WireDouble().transport())
    auth = {"Authorization": "Bearer test-key"}
    url = "https://app.firmware.ai/api/v1/quota"
    assert http.get(url, headers=auth).json() == QUOTA_SHAPES["credits"]
    assert http.get(url, params={"double_quota": "window-idle"}, headers=auth).json() == {
        "used": 0,
        "reset": None,
    }
    assert http.get(url, params={"double_quota": "nope"}, headers=auth).status_code == 400


def test_the_double_reset_window_endpoint() -> None:
    ok = endpoints.reset_window("firmware", "rid", {})
    assert ok.status == 200
    assert quota.parse_reset_window(json.loads(ok.body())).window_resets_remaining == 1
    refused = endpoints.reset_window("firmware", "rid", {"double_resets": ["0"]})
    with pytest.raises(quota.WindowResetRefusedError):
        quota.parse_reset_window(json.loads(refused.body()))
    assert endpoints.reset_window("fireworks", "rid", {}).status == 404
