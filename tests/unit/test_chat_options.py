"""The provider spec's chat options, response extras and model rules (fw_core alone)."""

from __future__ import annotations

import pickle
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from fw_core import FIREWORKS, FIRMWARE
from fw_core import errors as fe
from fw_core.endpoints import chat as fw_chat
from fw_core.endpoints import embeddings as fw_embeddings
from fw_core.endpoints.audio import OPTION_NAMES, TranscriptionFields
from fw_core.http.client import Client
from fw_core.kit.chat_options import COMMON_CHAT_PARAMS, chat_options_of, check_chat_options
from fw_core.providers import ProviderSpec

MESSAGES = [{"role": "user", "content": "hi"}]


def _refusing_client(provider: ProviderSpec, sent: list[httpx.Request]) -> Client:
    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    return Client(
        provider,
        api_key="test-key",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        max_retries=0,
    )


@pytest.mark.parametrize(
    ("provider", "options", "words"),
    [
        (FIREWORKS, {"temperature": -1}, "temperature must be a finite number >= 0"),
        (FIREWORKS, {"temperature": float("nan")}, "temperature"),
        (FIRMWARE, {"max_tokens": 0}, "max_tokens must be an integer >= 1"),
        (FIRMWARE, {"max_completion_tokens": True}, "max_completion_tokens"),
        (FIREWORKS, {"n": 1.5}, "n must be an integer >= 1"),
        (FIREWORKS, {"tool_choice": "required"}, "has no tools"),
        (
            FIRMWARE,
            {"response_format": {"type": "json_schema", "json_schema": {"schema": {}}}},
            None,
        ),
        (
            FIREWORKS,
            {"response_format": {"type": "json_schema", "json_schema": {"schema": []}}},
            "object schema at the root",
        ),
        # server-owned vocabularies: any string is sent, only the type is checked
        (FIREWORKS, {"context_length_exceeded_behavior": "drop"}, None),
        (FIREWORKS, {"context_length_exceeded_behavior": 1}, "must be a string"),
        (FIREWORKS, {"reasoning_effort": "xhigh"}, None),
        (FIRMWARE, {"reasoning_effort": "minimal"}, None),
        (FIREWORKS, {"reasoning_effort": 2048}, None),
        (FIREWORKS, {"reasoning_effort": ["high"]}, "reasoning_effort must be a string"),
        (FIRMWARE, {"thinking": {"type": "adaptive"}}, None),
        (FIRMWARE, {"thinking": {"budget_tokens": 2048}}, "string 'type'"),
        (FIRMWARE, {"thinking": {"type": "adaptive", "budget_tokens": "x"}}, "an integer"),
        (FIRMWARE, {"thinking": {"type": "enabled", "budget_tokens": 1023}}, "at least 1024"),
        (FIRMWARE, {"thinking": {"type": "enabled", "budget_tokens": "2k"}}, "an integer"),
        (FIRMWARE, {"thinking": "on"}, "thinking must be a dict"),
        (
            FIRMWARE,
            {"thinking": {"type": "enabled", "budget_tokens": 2048}, "max_tokens": 2048},
            "smaller than max_tokens",
        ),
        (FIRMWARE, {"thinking": {"type": "enabled", "budget_tokens": 2048}}, None),
        (FIRMWARE, {"thinking": {"type": "enabled"}, "max_tokens": 10}, None),
        (FIRMWARE, {"thinking": {"type": "disabled", "budget_tokens": 10}}, None),
        # a rule belongs to its API: Fireworks has no thinking rule, Firmware no
        # context_length_exceeded_behavior rule
        (FIREWORKS, {"thinking": {"type": "enabled", "budget_tokens": 10}}, None),
        (FIRMWARE, {"context_length_exceeded_behavior": "drop"}, None),
        (FIRMWARE, {"tool_choice": "auto", "temperature": None, "n": None}, None),
    ],
)
def test_check_chat_options(
    provider: ProviderSpec, options: dict[str, Any], words: str | None
) -> None:
    if words is None:
        check_chat_options(provider, options)
    else:
        with pytest.raises(fe.ConfigurationError, match=words):
            check_chat_options(provider, options)


def test_checks_run_in_a_fixed_order() -> None:
    # the first refused field wins: the order of fw_core.endpoints.chat's checks before the spec
    body = {"temperature": -1, "max_tokens": 0, "tool_choice": "required"}
    with pytest.raises(fe.ConfigurationError, match="temperature"):
        check_chat_options(FIREWORKS, body)
    with pytest.raises(fe.ConfigurationError, match="max_tokens"):
        check_chat_options(FIREWORKS, {**body, "temperature": 0})


def test_spec_names_each_api_s_params_and_extras() -> None:
    common = tuple(p.name for p in COMMON_CHAT_PARAMS)
    assert FIREWORKS.chat_param_names[: len(common)] == common
    assert FIRMWARE.chat_param_names[len(common) :] == (
        "mcp_servers",
        "thinking",
        "generation_config",
        "safety_settings",
    )
    assert "top_k" in FIREWORKS.chat_param_names and "top_k" not in FIRMWARE.chat_param_names
    assert FIREWORKS.response_extras == ("perf_metrics",)
    assert FIRMWARE.response_extras == ("tools_executed", "mcp_tool_results", "mcp_server_errors")


def test_specs_survive_pickling() -> None:
    # LlamaIndex objects pickle their client holder, which holds the spec
    for spec in (FIREWORKS, FIRMWARE):
        clone = pickle.loads(pickle.dumps(spec))
        assert clone == spec and clone.chat_checks == spec.chat_checks


def test_chat_options_of_reads_declared_fields_in_spec_order() -> None:
    class Options(BaseModel):
        thinking: dict[str, Any] | None = None
        temperature: float | None = None
        top_k: int | None = None  # a Fireworks option: not Firmware's
        label: str = "not an option"

    held = Options(thinking={"type": "disabled"}, temperature=0.1, top_k=3)
    assert chat_options_of(FIRMWARE, held) == {
        "temperature": 0.1,
        "thinking": {"type": "disabled"},
    }
    assert list(chat_options_of(FIREWORKS, held)) == ["temperature", "top_k"]
    assert chat_options_of(FIRMWARE, Options()) == {}


def test_chat_calls_refuse_before_sending() -> None:
    sent: list[httpx.Request] = []
    client = _refusing_client(FIRMWARE, sent)
    body = {
        "model": "anthropic/claude-sonnet-4-5-20250929",
        "messages": MESSAGES,
        "thinking": {"type": "enabled", "budget_tokens": 10},
    }
    with pytest.raises(fe.ConfigurationError, match="at least 1024"):
        fw_chat.create(client, body)
    with pytest.raises(fe.ConfigurationError, match="at least 1024"):
        fw_chat.stream(client, body)
    assert sent == []


@pytest.mark.parametrize(
    ("provider", "model", "dimensions", "words"),
    [
        (FIRMWARE, "voyage-4", 256, "Firmware model 'voyage-4' does not take 'dimensions'"),
        (FIRMWARE, "text-embedding-3-small", 0, "positive integer"),
        (FIREWORKS, "nomic-ai/nomic-embed-text-v1.5", True, "positive integer"),
        (FIRMWARE, "text-embedding-3-large", 256, None),
        (FIREWORKS, "fireworks/qwen3-embedding-8b", 256, None),
        (FIRMWARE, "voyage-4", None, None),
    ],
)
def test_embedding_dimensions_rule(
    provider: ProviderSpec, model: str, dimensions: Any, words: str | None
) -> None:
    if words is None:
        provider.check_dimensions(model, dimensions)
        return
    with pytest.raises(fe.ConfigurationError, match=words):
        provider.check_dimensions(model, dimensions)
    sent: list[httpx.Request] = []
    request = fw_embeddings.EmbeddingsRequest(model=model, dimensions=dimensions)
    with pytest.raises(fe.ConfigurationError, match=words):
        fw_embeddings.embed(_refusing_client(provider, sent), ["a"], request)
    assert sent == []


def test_transcription_fields_cover_every_form_option() -> None:
    assert set(OPTION_NAMES) <= set(TranscriptionFields.model_fields)
