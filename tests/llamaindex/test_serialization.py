"""to_dict()/from_dict() round-trip and never carry the key; construction-time checks."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest

from fw_core.errors import ConfigurationError
from llamaindex_fw import (
    Fireworks,
    FireworksEmbedding,
    FireworksRerank,
    Firmware,
    FirmwareEmbedding,
    FirmwareRerank,
)

SECRET = "sekrit-value-0123456789"

OBJECTS: list[tuple[type[Any], dict[str, Any]]] = [
    (
        Fireworks,
        {
            "model": "kimi-k2-instruct-0905",
            "temperature": 0.2,
            "max_tokens": 99,
            "reasoning_effort": "low",
            "context_window": 4096,
        },
    ),
    (
        Firmware,
        {
            "model": "anthropic/claude-opus-4-5",
            "mcp_servers": ["dedalus-labs/brave-search"],
            "thinking": {"type": "enabled", "budget_tokens": 2048},
            "safety_settings": [
                {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}
            ],
        },
    ),
    (FireworksEmbedding, {"model_name": "nomic-ai/nomic-embed-text-v1.5", "dimensions": 256}),
    (FirmwareEmbedding, {"model_name": "voyage-4", "embed_batch_size": 100}),
    (FireworksRerank, {"top_n": 2}),
    (FirmwareRerank, {"model": "rerank-2.5-lite", "top_n": 4}),
]


@pytest.mark.parametrize(("cls", "kwargs"), OBJECTS, ids=[c.__name__ for c, _ in OBJECTS])
def test_to_dict_round_trips_without_the_key(cls: type[Any], kwargs: dict[str, Any]) -> None:
    obj = cls(
        api_key=SECRET,
        default_headers={"Authorization": f"Bearer {SECRET}", "X-Team": "search"},
        **kwargs,
    )
    data = obj.to_dict()
    dumped = json.dumps(data, default=str)
    assert SECRET not in dumped
    assert SECRET not in repr(obj) and SECRET not in str(obj)
    assert SECRET not in obj.to_json()
    assert data["default_headers"] == {"X-Team": "search"}
    for key, value in kwargs.items():
        assert data[key] == value
    clone = cls.from_dict(data)  # key comes back from the environment (test fakes)
    assert type(clone) is cls
    assert clone.to_dict() == data
    assert clone.api_key.get_secret_value() != SECRET


def test_instrumentation_payload_has_no_key() -> None:
    llm = Firmware(model="openai/gpt-5", api_key=SECRET)
    assert SECRET not in json.dumps(llm.to_payload(), default=str)
    emb = FirmwareEmbedding(api_key=SECRET)
    assert SECRET not in json.dumps(emb.to_payload(), default=str)


def test_pickled_llm_keeps_working_settings_without_live_clients() -> None:
    llm = Fireworks(model="glm-4p5", api_key="test-key", temperature=0.5)
    clone = pickle.loads(pickle.dumps(llm))
    assert clone.temperature == 0.5 and clone.wire_model == "accounts/fireworks/models/glm-4p5"


@pytest.mark.parametrize("cls", [Fireworks, Firmware])
def test_missing_key_fails_at_construction(cls: type[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FIREWORKS_API_KEY", "FIREWORKS_AI_API_KEY", "FIRMWARE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError, match="API key"):
        cls(model="gpt-oss-120b")


def test_bad_model_ids_fail_at_construction() -> None:
    with pytest.raises(ConfigurationError):
        Firmware(model="firmware/openai/gpt-5", api_key="k")
    with pytest.raises(ConfigurationError):
        Fireworks(model="has space", api_key="k")
    assert Firmware(model="acme/x", api_key="k", validate_model=False).wire_model == "acme/x"


def test_fireworks_short_names_expand_but_the_given_name_is_kept() -> None:
    llm = Fireworks("kimi-k2-instruct-0905", api_key="k")
    assert llm.model == "kimi-k2-instruct-0905"
    assert llm.wire_model == "accounts/fireworks/models/kimi-k2-instruct-0905"


def test_embedding_batch_size_defaults_to_the_api_limit_and_is_capped() -> None:
    assert FireworksEmbedding(api_key="k").embed_batch_size == 2048
    assert FirmwareEmbedding(api_key="k").embed_batch_size == 1000
    with pytest.raises(ConfigurationError, match="1000"):
        FirmwareEmbedding(api_key="k", embed_batch_size=1500)


def test_wrong_http_client_kinds_are_refused() -> None:
    import httpx

    with pytest.raises(ConfigurationError):
        Fireworks(model="glm-4p5", api_key="k", http_client=httpx.AsyncClient())


def test_an_httpx_timeout_is_taken_and_serialized() -> None:
    import httpx

    timeout = httpx.Timeout(20.0, connect=3.0)
    for obj in (
        Fireworks(model="glm-4p5", api_key="k", timeout=timeout),
        FirmwareEmbedding(api_key="k", timeout=timeout),
        FireworksRerank(api_key="k", timeout=timeout),
    ):
        assert obj.timeout == timeout and obj._client().timeout == timeout
        data = obj.to_dict()
        assert data["timeout"] == {"connect": 3.0, "read": 20.0, "write": 20.0, "pool": 20.0}
        assert json.loads(obj.to_json())["timeout"] == data["timeout"]
        assert type(obj).from_dict(data).timeout == timeout


def test_both_async_client_spellings_are_taken() -> None:
    import httpx

    aio = httpx.AsyncClient()
    for kw in ("async_http_client", "http_async_client"):
        llm = Firmware(model="openai/gpt-5", api_key="k", **{kw: aio})
        assert llm.http_async_client is aio and llm._aclient().http_client is aio


@pytest.mark.parametrize(("cls", "kwargs"), OBJECTS, ids=[c.__name__ for c, _ in OBJECTS])
def test_json_schema_builds(cls: type[Any], kwargs: dict[str, Any]) -> None:
    schema = cls.model_json_schema()  # LlamaIndex tooling reads it; no field may break it
    assert {"api_key", "base_url", "timeout", "max_retries"} <= set(schema["properties"])
