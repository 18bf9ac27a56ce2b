"""The model table in fw_core: lookup by provider and id, the figures, merging a listing."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

from fw_core import model_table
from fw_core.endpoints.models import ModelInfo
from fw_core.model_table import UNKNOWN_CONTEXT_WINDOW, lookup, merge_listing, short_name


@pytest.mark.parametrize(
    ("provider", "model", "window"),
    [
        ("fireworks", "kimi-k2-instruct-0905", 262_144),
        ("fireworks", "accounts/fireworks/models/kimi-k2-instruct-0905", 262_144),
        ("fireworks", "accounts/fireworks/models/deepseek-v3p1", 163_840),
        ("fireworks", "llama-v3p3-70b-instruct#accounts/me/deployments/d1", 131_072),
        ("fireworks", "accounts/fireworks/models/Qwen2p5-VL-32B-Instruct", 128_000),
        ("firmware", "anthropic/claude-sonnet-4-5-20250929", 200_000),
        ("firmware", "openai/gpt-4o-mini", 128_000),
        ("firmware", "gpt-4o", 128_000),
        ("firmware", "xai/grok-4-fast-reasoning", 2_000_000),
        ("firmware", "google/gemini-3-flash-preview", 1_048_576),
    ],
)
def test_lookup_by_provider_and_any_spelling_of_the_id(
    provider: str, model: str, window: int
) -> None:
    info = lookup(provider, model)
    assert info is not None
    assert info.context_length == window
    assert info.provider == provider
    assert info.id == short_name(provider, model)


def test_unknown_models_and_providers_are_none() -> None:
    assert lookup("fireworks", "my-own-finetune-xyz") is None
    assert lookup("firmware", "no-such-model") is None
    assert lookup("elsewhere", "gpt-4o") is None
    assert model_table.table("elsewhere") == {}


def test_the_two_providers_have_separate_tables() -> None:
    # same short name, different deployments: each keeps its own source
    fireworks, firmware = lookup("fireworks", "gpt-oss-120b"), lookup("firmware", "gpt-oss-120b")
    assert fireworks is not None and firmware is not None
    assert fireworks.source != firmware.source
    assert lookup("firmware", "kimi-k2-instruct-0905") is None


def test_short_name_rules() -> None:
    assert short_name("fireworks", "accounts/fireworks/models/glm-4p5") == "glm-4p5"
    assert short_name("fireworks", "glm-4p5#accounts/me/deployments/d1") == "glm-4p5"
    assert short_name("firmware", "openai/GPT-5") == "gpt-5"
    assert short_name("firmware", "gpt-4o") == "gpt-4o"


def test_capabilities_with_their_figures() -> None:
    r1 = lookup("fireworks", "deepseek-r1")
    assert r1 is not None and r1.supports_tools is False and r1.reasoning == "inline"
    vl = lookup("fireworks", "qwen2p5-vl-32b-instruct")
    assert vl is not None and vl.supports_image_input is True and vl.supports_tools is True
    gpt5 = lookup("firmware", "openai/gpt-5")
    assert gpt5 is not None and (gpt5.context_length, gpt5.reasoning) == (400_000, "always")
    assert UNKNOWN_CONTEXT_WINDOW == 32_768


def test_every_table_entry_is_sane() -> None:
    for provider in ("fireworks", "firmware"):
        entries = model_table.table(provider)
        assert entries, provider
        for name, info in entries.items():
            assert name == name.lower() == info.id
            assert info.provider == provider
            assert info.context_length is not None
            assert 4096 <= info.context_length <= 10_000_000, name
            assert isinstance(info.supports_tools, bool), name  # the table states both flags
            assert isinstance(info.supports_image_input, bool), name
            assert info.reasoning in ("none", "field", "inline", "always"), name
            assert info.source, name


def test_table_returns_a_copy() -> None:
    model_table.table("fireworks").clear()
    assert lookup("fireworks", "glm-4p5") is not None
    assert model_table.table("fireworks")


# ------------------------------------------------------------------ merge_listing


def test_listed_figures_win_and_the_table_fills_the_gaps() -> None:
    table = lookup("fireworks", "qwen2p5-vl-32b-instruct")
    listed = ModelInfo(
        id="accounts/fireworks/models/qwen2p5-vl-32b-instruct",
        provider="fireworks",
        display_name="Qwen2.5-VL 32B",
        context_length=100_000,
        supports_tools=False,
        raw={"name": "x"},
    )
    merged = merge_listing(listed, table)
    assert merged.context_length == 100_000  # listed
    assert merged.supports_tools is False  # listed "no" beats the table's "yes"
    assert merged.supports_image_input is True  # unknown in the listing: the table's
    assert merged.reasoning == "none"  # the lists never state it
    assert merged.source == "models endpoint"
    assert (merged.id, merged.display_name, merged.raw) == (
        listed.id,
        listed.display_name,
        {"name": "x"},
    )


def test_a_listing_without_a_window_keeps_the_table_window() -> None:
    table = lookup("fireworks", "deepseek-r1")
    merged = merge_listing(ModelInfo(id="x", provider="fireworks", supports_tools=True), table)
    assert (merged.context_length, merged.supports_tools, merged.reasoning) == (
        163_840,
        True,
        "inline",
    )


def test_merging_without_a_table_entry_keeps_unknowns_unknown() -> None:
    listed = ModelInfo(id="openai/new", provider="firmware", context_length=64_000)
    merged = merge_listing(listed, None)
    assert merged.context_length == 64_000
    assert merged.supports_tools is None and merged.supports_image_input is None
    assert merged.reasoning is None and merged.source == "models endpoint"
    assert merge_listing(ModelInfo(id="y", provider="firmware"), None).context_length is None


# ------------------------------------------------------------------ one ModelInfo


def test_table_entries_are_the_one_fw_core_model_info() -> None:
    for provider in ("fireworks", "firmware"):
        for info in model_table.table(provider).values():
            assert type(info) is ModelInfo


def test_no_package_defines_another_model_info() -> None:
    for package in ("fw_core", "langchain_fw", "llamaindex_fw"):
        root = importlib.import_module(package)
        for mod in pkgutil.walk_packages(root.__path__, f"{package}."):
            module = importlib.import_module(mod.name)
            found = getattr(module, "ModelInfo", ModelInfo)
            assert found is ModelInfo, mod.name


def test_import_fw_core_does_not_load_the_table() -> None:
    code = "import sys, fw_core; print('fw_core.model_table' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"
