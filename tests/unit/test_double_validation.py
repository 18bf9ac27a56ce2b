"""The double refuses chat options outside the documented ranges, like a strict API.

Tests of our clients against the double only mean something if the double says no where
the real API would (docs/wire.md §1.4: ranges, ``n`` 1-128, up to 4 stop sequences, tool
names ``[A-Za-z0-9_-]{1,64}``, ``tool_choice`` forms of §1.5).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fw_core.testing import WireDouble
from fw_core.testing.validation import check_chat

MSG = [{"role": "user", "content": "hi"}]
TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}},
}


def _chat(**extra: Any) -> dict[str, Any]:
    return {"model": "accounts/fireworks/models/deepseek-v3p1", "messages": MSG, **extra}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("temperature", 2.5),
        ("temperature", -0.1),
        ("top_p", 1.5),
        ("top_k", 101),
        ("top_k", 1.5),
        ("min_p", -0.5),
        ("typical_p", 2),
        ("frequency_penalty", -3),
        ("presence_penalty", 2.01),
        ("repetition_penalty", 3),
        ("top_logprobs", 6),
        ("temperature", "hot"),
        ("temperature", True),
    ],
)
def test_fireworks_sampling_ranges(field: str, value: Any) -> None:
    bad = check_chat("fireworks", _chat(**{field: value}))
    assert bad is not None and bad.param == field and bad.status == 400


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("temperature", 0),
        ("temperature", 2),
        ("top_p", 1),
        ("top_k", 0),
        ("top_k", 100),
        ("frequency_penalty", -2),
        ("repetition_penalty", 1.1),
        ("top_logprobs", 5),
        ("logprobs", True),
        ("logprobs", 3),
        ("n", 128),
        ("stop", ["a", "b", "c", "d"]),
    ],
)
def test_values_at_the_documented_edges_pass(field: str, value: Any) -> None:
    assert check_chat("fireworks", _chat(**{field: value})) is None


@pytest.mark.parametrize("provider", ["fireworks", "firmware"])
@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"n": 0}, "n"),
        ({"n": 129}, "n"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"max_tokens": "10"}, "max_tokens"),
        ({"max_tokens": 10, "max_completion_tokens": 10}, "max_completion_tokens"),
        ({"stop": ["a", "b", "c", "d", "e"]}, "stop"),
        ({"stop": [1]}, "stop"),
        ({"tool_choice": "required"}, "tool_choice"),
        ({"tools": [TOOL], "tool_choice": "sometimes"}, "tool_choice"),
        (
            {"tools": [TOOL], "tool_choice": {"type": "function", "function": {"name": "other"}}},
            "tool_choice",
        ),
        ({"tools": [{"type": "function", "function": {"name": "has space"}}]}, "tools"),
        ({"tools": [{"type": "function", "function": {"name": "x" * 65}}]}, "tools"),
        ({"tools": [{"type": "retrieval"}]}, "tools"),
        (
            {
                "tools": [
                    {"type": "function", "function": {"name": "f", "parameters": {"type": "array"}}}
                ]
            },
            "tools",
        ),
    ],
)
def test_counts_and_tools_both_providers(provider: str, extra: dict[str, Any], param: str) -> None:
    bad = check_chat(provider, _chat(**extra))
    assert bad is not None and bad.param == param


@pytest.mark.parametrize(
    "choice",
    [
        "auto",
        "none",
        "required",
        "any",
        {"type": "function", "function": {"name": "get_weather"}},
        {"type": "function", "name": "get_weather"},
    ],
)
def test_every_documented_tool_choice_form_passes(choice: Any) -> None:
    assert check_chat("fireworks", _chat(tools=[TOOL], tool_choice=choice)) is None


def test_firmware_is_not_held_to_fireworks_sampling_ranges() -> None:
    # Firmware forwards to other vendors whose ranges differ; only counts/tools are checked.
    assert check_chat("firmware", {"model": "openai/gpt-5", "messages": MSG, "top_k": 500}) is None


def test_a_refused_option_is_a_400_naming_the_param_over_http() -> None:
    double = WireDouble()
    http = httpx.Client(transport=double.transport())
    r = http.post(
        "https://api.fireworks.ai/inference/v1/chat/completions",
        headers={"Authorization": "Bearer test"},
        json=_chat(top_p=3),
    )
    assert r.status_code == 400
    assert r.json()["error"]["param"] == "top_p"
