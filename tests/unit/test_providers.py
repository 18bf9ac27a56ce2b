"""Provider rules: model ids, key and base-URL resolution, base-URL safety."""

from __future__ import annotations

import warnings

import pytest
from pydantic import SecretStr

from fw_core import FIREWORKS, FIRMWARE
from fw_core.errors import ConfigurationError
from fw_core.http.client import AsyncClient, Client
from fw_core.providers import (
    InsecureBaseURLWarning,
    normalize_fireworks_model,
    normalize_firmware_model,
    validate_base_url,
)

# ---------------------------------------------------------------------------------------
# Fireworks model ids


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("llama-v3p1-8b-instruct", "accounts/fireworks/models/llama-v3p1-8b-instruct"),
        ("deepseek-v3p1", "accounts/fireworks/models/deepseek-v3p1"),
        ("accounts/fireworks/models/kimi-k2", "accounts/fireworks/models/kimi-k2"),
        ("accounts/me/models/my-lora", "accounts/me/models/my-lora"),
        ("accounts/me/deployments/abc123", "accounts/me/deployments/abc123"),
        ("accounts/me/routers/r1", "accounts/me/routers/r1"),
        # Fast serving paths are routers (docs.fireworks.ai/serverless/serving-paths)
        ("glm-5p3-fast", "accounts/fireworks/routers/glm-5p3-fast"),
        ("kimi-k3-fast", "accounts/fireworks/routers/kimi-k3-fast"),
        ("kimi-k2p5-turbo", "accounts/fireworks/routers/kimi-k2p5-turbo"),  # retired; the rule
        (
            "accounts/fireworks/routers/glm-5p3-fast",
            "accounts/fireworks/routers/glm-5p3-fast",
        ),
        # a full models/ id is the caller's choice and passes untouched
        ("accounts/fireworks/models/glm-5p3-fast", "accounts/fireworks/models/glm-5p3-fast"),
        ("accounts/me/deployedModels/dm-1", "accounts/me/deployedModels/dm-1"),
        ("fireworks/qwen3-embedding-8b", "fireworks/qwen3-embedding-8b"),
        ("nomic-ai/nomic-embed-text-v1.5", "nomic-ai/nomic-embed-text-v1.5"),
        (
            "llama-v3p1-8b-instruct#accounts/me/deployments/d1",
            "accounts/fireworks/models/llama-v3p1-8b-instruct#accounts/me/deployments/d1",
        ),
        (
            "accounts/me/models/ft#accounts/me/deployments/d1",
            "accounts/me/models/ft#accounts/me/deployments/d1",
        ),
    ],
)
def test_fireworks_ids_expand_or_pass(given: str, expected: str) -> None:
    assert normalize_fireworks_model(given) == expected
    assert FIREWORKS.normalize_model(given) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        " llama",
        "llama ",
        "llama v3",
        "llama\n",
        "model#accounts/me/models/x",  # after '#' must be a deployment
        "model#deployments/d1",
        "model#",
        "accounts/me/widgets/x",
        "accounts/me/models/",
        "a/b/c",
        "-leading-dash",
        "accounts/me/models/x/extra",
    ],
)
def test_fireworks_bad_ids_are_configuration_errors(bad: str) -> None:
    with pytest.raises(ConfigurationError):
        normalize_fireworks_model(bad)


def test_non_string_model_is_rejected() -> None:
    with pytest.raises(ConfigurationError):
        normalize_fireworks_model(None)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        normalize_firmware_model(42)  # type: ignore[arg-type]


def test_bad_deployment_suffix_message_says_what_is_expected() -> None:
    with pytest.raises(ConfigurationError, match="accounts/<account>/deployments/"):
        normalize_fireworks_model("llama#oops")


# ---------------------------------------------------------------------------------------
# Firmware model ids


@pytest.mark.parametrize(
    "model",
    [
        "openai/gpt-5.2",
        "anthropic/claude-opus-4-5",
        "google/gemini-3-pro-preview",
        "gpt-4o",
        "xai/grok-4",
        "deepseek/deepseek-chat",
        "cerebras/llama-3.3-70b",
        "OpenAI/gpt-4o",
        "voyage-4",
        "claude-opus-4-7",
    ],
)
def test_firmware_ids_pass_untouched(model: str) -> None:
    assert normalize_firmware_model(model) == model
    assert FIRMWARE.normalize_model(model) == model


def test_firmware_unknown_vendor_is_refused_unless_validation_is_off() -> None:
    with pytest.raises(ConfigurationError, match="unknown vendor prefix 'acme'"):
        normalize_firmware_model("acme/model-1")
    assert normalize_firmware_model("acme/model-1", validate=False) == "acme/model-1"


def test_firmware_litellm_prefix_gets_a_hint() -> None:
    with pytest.raises(ConfigurationError, match="'openai/gpt-4o'"):
        normalize_firmware_model("firmware/openai/gpt-4o")


@pytest.mark.parametrize("bad", ["", " gpt-4o", "gpt 4o", "openai/gpt/4o", "/gpt-4o", "openai/"])
def test_firmware_malformed_ids(bad: str) -> None:
    with pytest.raises(ConfigurationError):
        normalize_firmware_model(bad)


def test_firmware_whitespace_rejected_even_without_validation() -> None:
    with pytest.raises(ConfigurationError):
        normalize_firmware_model("gpt 4o", validate=False)


# ---------------------------------------------------------------------------------------
# keys


def test_key_resolution_order() -> None:
    both = {"FIREWORKS_API_KEY": "first", "FIREWORKS_AI_API_KEY": "second"}
    assert FIREWORKS.resolve_api_key(None, both).get_secret_value() == "first"
    only_ai = {"FIREWORKS_AI_API_KEY": "second"}
    assert FIREWORKS.resolve_api_key(None, only_ai).get_secret_value() == "second"
    assert FIREWORKS.resolve_api_key("explicit", both).get_secret_value() == "explicit"
    assert FIREWORKS.resolve_api_key(SecretStr("sec"), both).get_secret_value() == "sec"
    # an empty variable counts as unset and the next one is used
    fallthrough = {"FIREWORKS_API_KEY": "", "FIREWORKS_AI_API_KEY": "second"}
    assert FIREWORKS.resolve_api_key(None, fallthrough).get_secret_value() == "second"
    assert FIRMWARE.resolve_api_key(None, {"FIRMWARE_API_KEY": "fm"}).get_secret_value() == "fm"


def test_missing_key_names_the_env_vars() -> None:
    with pytest.raises(ConfigurationError, match="FIREWORKS_API_KEY or FIREWORKS_AI_API_KEY"):
        FIREWORKS.resolve_api_key(None, {})
    with pytest.raises(ConfigurationError, match="FIRMWARE_API_KEY"):
        FIRMWARE.resolve_api_key(None, {"FIREWORKS_API_KEY": "wrong provider"})


@pytest.mark.parametrize("bad", ["", "   ", "zq91x\n", " zq91x", "zq 91x", "zq91x\t"])
def test_empty_or_whitespace_keys_rejected(bad: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        FIREWORKS.resolve_api_key(bad, {})
    assert bad.strip() == "" or bad.strip() not in str(info.value)
    with pytest.raises(ConfigurationError):
        FIREWORKS.resolve_api_key(None, {"FIREWORKS_API_KEY": bad or " "})


def test_client_reads_key_and_base_url_from_env_mapping() -> None:
    env = {"FIRMWARE_API_KEY": "k", "FIRMWARE_API_BASE": "https://app.frogbot.ai/api/v1/"}
    client = Client(FIRMWARE, env=env)
    assert client.api_key.get_secret_value() == "k"
    assert client.base_url == "https://app.frogbot.ai/api/v1"
    with pytest.raises(ConfigurationError):
        AsyncClient(FIREWORKS, env={})


# ---------------------------------------------------------------------------------------
# base URLs


def test_base_url_defaults_and_env_vars() -> None:
    assert FIREWORKS.resolve_base_url(None, {}) == "https://api.fireworks.ai/inference/v1"
    assert FIRMWARE.resolve_base_url(None, {}) == "https://app.firmware.ai/api/v1"
    env = {"FIREWORKS_BASE_URL": "https://a.example/v1", "FIREWORKS_API_BASE": "https://b.example"}
    assert FIREWORKS.resolve_base_url(None, env) == "https://a.example/v1"
    assert FIREWORKS.resolve_base_url(None, {"FIREWORKS_API_BASE": "https://b.example"}) == (
        "https://b.example"
    )
    assert FIRMWARE.resolve_base_url(None, {"FIRMWARE_BASE_URL": "https://c.example/"}) == (
        "https://c.example"
    )
    assert FIREWORKS.resolve_base_url("https://explicit.example", env) == "https://explicit.example"


@pytest.mark.parametrize(
    "bad",
    ["api.fireworks.ai/inference/v1", "ftp://api.fireworks.ai", "", "   ", "https://", "//host/v1"],
)
def test_invalid_base_url_is_a_configuration_error(bad: str) -> None:
    with pytest.raises(ConfigurationError):
        validate_base_url(bad)
    with pytest.raises(ConfigurationError):
        Client(FIREWORKS, api_key="k", base_url=bad, env={})


def test_invalid_base_url_from_env_names_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="FIREWORKS_BASE_URL"):
        FIREWORKS.resolve_base_url(None, {"FIREWORKS_BASE_URL": "api.fireworks.ai"})


def test_plain_http_to_a_remote_host_warns() -> None:
    with pytest.warns(InsecureBaseURLWarning, match="unencrypted"):
        Client(FIREWORKS, api_key="k", base_url="http://api.example.com/v1", env={})


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8000/v1",
        "http://127.0.0.1:9/v1",
        "http://[::1]:8080",
        "http://testserver",
        "http://app.localhost/v1",
        "https://api.example.com/v1",
    ],
)
def test_local_http_and_https_do_not_warn(url: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert validate_base_url(url) == url.rstrip("/")


def test_provider_facts_used_elsewhere() -> None:
    assert FIREWORKS.max_nonstream_tokens == 4096
    assert FIRMWARE.max_nonstream_tokens is None
    assert FIREWORKS.embedding_batch_limit >= FIRMWARE.embedding_batch_limit > 0


def test_provider_named_gives_the_spec_or_a_configuration_error() -> None:
    from fw_core.providers import provider_named
    from langchain_fw.rate_limiter import FwRateLimiter

    assert provider_named("fireworks") is FIREWORKS and provider_named("firmware") is FIRMWARE
    with pytest.raises(ConfigurationError, match="unknown provider 'fireworx'"):
        provider_named("fireworx")
    with pytest.raises(ConfigurationError, match="unknown provider"):
        FwRateLimiter(model="kimi-k3", api_key="k", provider="fireworx")
