"""ChatFireworks / ChatFirmware ``profile``: filled from fw_core's model table, no request."""

from __future__ import annotations

import warnings
from typing import Any

import httpx
import pytest
from langchain_core.load import dumpd

from fw_core.model_table import lookup
from langchain_fw._profile import profile_for
from langchain_fw.chat_models import ChatFireworks, ChatFirmware


def _no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"profile made a request: {request.url}")


@pytest.mark.parametrize(
    ("cls", "model", "expected"),
    [
        (
            ChatFireworks,
            "kimi-k2-instruct-0905",
            {
                "max_input_tokens": 262_144,
                "tool_calling": True,
                "image_inputs": False,
                "reasoning_output": False,
            },
        ),
        (
            ChatFireworks,
            "accounts/fireworks/models/deepseek-r1",
            {
                "max_input_tokens": 163_840,
                "tool_calling": False,
                "image_inputs": False,
                "reasoning_output": True,
            },
        ),
        (
            ChatFireworks,
            "accounts/fireworks/models/qwen2p5-vl-32b-instruct#accounts/me/deployments/d1",
            {
                "max_input_tokens": 128_000,
                "tool_calling": True,
                "image_inputs": True,
                "reasoning_output": False,
            },
        ),
        (
            ChatFirmware,
            "anthropic/claude-sonnet-4-5-20250929",
            {
                "max_input_tokens": 200_000,
                "tool_calling": True,
                "image_inputs": True,
                "reasoning_output": True,
            },
        ),
        (
            ChatFirmware,
            "gpt-4o",
            {
                "max_input_tokens": 128_000,
                "tool_calling": True,
                "image_inputs": True,
                "reasoning_output": False,
            },
        ),
    ],
)
def test_known_models_get_a_profile_from_the_table(
    cls: type[Any], model: str, expected: dict[str, Any]
) -> None:
    client = httpx.Client(transport=httpx.MockTransport(_no_network))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # core warns on keys ModelProfile does not declare
        chat = cls(model=model, api_key="test-key", http_client=client)
    assert chat.profile == expected


def test_the_profile_follows_the_same_figures_as_the_table() -> None:
    chat = ChatFirmware(model="xai/grok-4-fast-reasoning", api_key="test-key")
    info = lookup("firmware", "xai/grok-4-fast-reasoning")
    assert info is not None and chat.profile is not None
    assert chat.profile.get("max_input_tokens") == info.context_length == 2_000_000


def test_unknown_model_keeps_cores_default() -> None:
    assert ChatFireworks(model="my-own-finetune-xyz", api_key="test-key").profile is None
    assert ChatFirmware(model="openai/brand-new-model", api_key="test-key").profile is None
    assert ChatFireworks(model="accounts/me/deployments/abc123", api_key="test-key").profile is None


def test_a_profile_the_user_passes_wins() -> None:
    mine = {"max_input_tokens": 4096, "structured_output": True}
    chat = ChatFireworks(model="glm-4p5", api_key="test-key", profile=mine)
    assert chat.profile == mine


def test_the_providers_tables_stay_apart() -> None:
    # "gpt-oss-120b" is in both tables; a Firmware-only name is unknown on Fireworks
    assert ChatFireworks(model="gpt-oss-120b", api_key="k").profile is not None
    assert ChatFireworks(model="gpt-5", api_key="k").profile is None
    assert ChatFirmware(model="openai/gpt-5", api_key="k").profile is not None


def test_each_instance_gets_its_own_dict() -> None:
    first = ChatFireworks(model="glm-4p5", api_key="k")
    assert first.profile is not None
    first.profile["max_input_tokens"] = 1
    assert ChatFireworks(model="glm-4p5", api_key="k").profile == profile_for(
        "fireworks", "glm-4p5"
    )


def test_profile_is_not_serialized() -> None:
    chat = ChatFireworks(model="glm-4p5", api_key="k")
    assert chat.profile is not None
    assert "profile" not in dumpd(chat)["kwargs"]


def test_profile_for_without_a_model_is_none() -> None:
    assert profile_for("fireworks", None) is None
    assert profile_for("fireworks", "") is None
