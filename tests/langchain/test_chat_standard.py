"""langchain-tests standard suites for ChatFireworks and ChatFirmware.

Unit suites run without HTTP. Integration suites replay cassettes from
``cassettes/langchain/test_chat_standard/`` (recorded with ``FW_RECORD=double``; see
tests/conftest.py).

Opt-outs, each the suite's documented property:
- ``supports_pdf_inputs`` False for Fireworks: its chat API has no file part and reads
  no PDF (document inlining, the one way it did, was removed on 2025-06-30, docs/wire.md
  §1.17); True for Firmware, which takes OpenAI-style ``file`` parts.
- ``supports_audio_inputs`` / ``supports_video_inputs`` False: Fireworks documents audio and
  video parts only for omni models on dedicated deployments (docs/wire.md §1.20), none of
  them the serverless suite models; Firmware documents neither.
- ``supports_anthropic_inputs`` False: Anthropic-native blocks (``cache_control``,
  signed ``thinking``) are not part of either OpenAI-style API.

The Responses mode (``ChatFireworks(use_responses_api=True)``, docs/wire.md §1.18) runs both
suites again. Its own opt-outs: ``supports_pdf_inputs`` False (Fireworks documents no file
input for the Responses API); usage
details none (the Responses guide lists only token totals).
"""

from __future__ import annotations

import base64
import importlib
import uuid
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests

from fw_core.model_table import DEFAULTS
from langchain_fw.chat_models import ChatFireworks, ChatFirmware

FW_MODEL = DEFAULTS["chat"]
# The integration suite also sends images, so it runs on a serverless model that takes them
# (and tools, structured output): Llama 4 Maverick.
FW_SUITE_MODEL = "accounts/fireworks/models/llama4-maverick-instruct-basic"
FW_OVERRIDE = DEFAULTS["small"]  # a served model other than the suite's
FM_MODEL = "openai/gpt-4o"
FM_OVERRIDE = "gpt-4o-mini"  # Firmware answers with the bare id, so the override is bare too

# A valid 1x1 PNG, served in place of the suite's image download (tests run offline).
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

# A minimal one-page PDF, served in place of the suite's PDF download.
_PDF = (
    b"%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class _OfflineResponse:
    def __init__(self, content: bytes) -> None:
        self.content = content


class _OfflineHttpx:
    """Stands in for ``httpx`` inside the suite module: image downloads come from memory."""

    @staticmethod
    def get(url: str, **_: Any) -> _OfflineResponse:
        if url.endswith(".png"):
            return _OfflineResponse(_PNG)
        if url.endswith(".pdf"):
            return _OfflineResponse(_PDF)
        raise RuntimeError(f"offline test run: refusing to download {url}")


@pytest.fixture
def _offline_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    import langchain_tests.integration_tests.chat_models as suite

    monkeypatch.setattr(suite, "httpx", _OfflineHttpx)


@pytest.fixture
def _repeatable_example_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """``tool_example_to_messages`` names its example tool calls with ``uuid4()``; a replayed
    cassette matches request bodies exactly, so the ids are made repeatable."""
    fc = importlib.import_module("langchain_core.utils.function_calling")
    counter = iter(range(1, 1_000_000))

    class _RepeatableUUID:
        @staticmethod
        def uuid4() -> uuid.UUID:
            return uuid.UUID(int=next(counter))

    monkeypatch.setattr(fc, "uuid", _RepeatableUUID)


@pytest.fixture
def vcr_config(vcr_config: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    """The harness config; ``test_stream_time`` (the suite's benchmark) replays its one
    recorded stream many times, so only it may repeat playback (as langchain-tests'
    own ``base_vcr_config`` allows)."""
    if request.node.originalname == "test_stream_time":
        return {**vcr_config, "allow_playback_repeats": True}
    return vcr_config


# ---------------------------------------------------------------------------------------
# unit suites


@pytest.fixture
def _allow_our_classes_in_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """Admit our classes to ``load(..., allowed_objects="all")`` for the suite's test_serdes.

    ``"all"`` means the classes in langchain-core's own serialization mapping (the partner
    packages it ships a list for); a package outside that list is loaded by naming its
    classes (``allowed_objects=[ChatFireworks]``, tested in test_chat_behaviour.py). Here
    our class paths are added to that list for the duration of the test, so the suite's
    own assertions (snapshot of ``dumpd``, round trip through ``load``) run unchanged.
    """
    lc_load = importlib.import_module("langchain_core.load.load")  # the module, not load()
    original = lc_load._get_default_allowed_class_paths
    ours = {
        ("langchain_fw", "chat_models", "ChatFireworks"),
        ("langchain_fw", "chat_models", "ChatFirmware"),
    }

    def with_ours(mode: Any) -> set[tuple[str, ...]]:
        return original(mode) | ours if mode == "all" else original(mode)

    monkeypatch.setattr(lc_load, "_get_default_allowed_class_paths", with_ours)


@pytest.mark.usefixtures("_allow_our_classes_in_load")
class TestChatFireworksUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatFireworks]:
        return ChatFireworks

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": FW_MODEL}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"FIREWORKS_API_KEY": "key-from-env", "FIREWORKS_BASE_URL": "https://fw.example/v1"},
            {"model": FW_MODEL},
            {"api_key": "key-from-env", "base_url": "https://fw.example/v1"},
        )

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return FW_OVERRIDE


@pytest.mark.usefixtures("_allow_our_classes_in_load")
class TestChatFirmwareUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatFirmware]:
        return ChatFirmware

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": FM_MODEL}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"FIRMWARE_API_KEY": "key-from-env", "FIRMWARE_BASE_URL": "https://fm.example/api/v1"},
            {"model": FM_MODEL},
            {"api_key": "key-from-env", "base_url": "https://fm.example/api/v1"},
        )

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return FM_OVERRIDE


@pytest.mark.usefixtures("_allow_our_classes_in_load")
class TestChatFireworksResponsesUnit(TestChatFireworksUnit):
    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": DEFAULTS["chat"], "use_responses_api": True}


# ---------------------------------------------------------------------------------------
# integration suites (cassettes)


@pytest.mark.vcr
@pytest.mark.usefixtures("_offline_downloads", "_repeatable_example_ids")
class TestChatFireworksIntegration(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[ChatFireworks]:
        return ChatFireworks

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": FW_SUITE_MODEL}

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_pdf_inputs(self) -> bool:
        return False  # Fireworks chat reads no PDF (docs/wire.md §1.17)

    @property
    def supported_usage_metadata_details(self) -> dict[str, list[Any]]:
        return {"invoke": ["cache_read_input"], "stream": ["cache_read_input"]}

    @property
    def model_override_value(self) -> str:
        return FW_OVERRIDE

    @property
    def enable_vcr_tests(self) -> bool:
        return True

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        # The same long prefix twice: the second call reads it from the prompt cache.
        llm = ChatFireworks(model=FW_SUITE_MODEL, prompt_cache_key="standard-suite")
        prompt = "Background: " + "the quick brown fox jumps over the lazy dog. " * 60
        llm.invoke(prompt + "First question: what jumps?")
        question = prompt + "Second question: over what?"
        if stream:
            full = None
            for chunk in llm.stream(question):
                full = chunk if full is None else full + chunk
            assert isinstance(full, AIMessage)
            return full
        return llm.invoke(question)


@pytest.mark.vcr
@pytest.mark.usefixtures("_offline_downloads", "_repeatable_example_ids")
class TestChatFirmwareIntegration(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[ChatFirmware]:
        return ChatFirmware

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": FM_MODEL}

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_pdf_inputs(self) -> bool:
        return True  # sent as OpenAI-style file parts

    @property
    def supported_usage_metadata_details(self) -> dict[str, list[Any]]:
        return {"invoke": ["reasoning_output"], "stream": ["reasoning_output"]}

    @property
    def model_override_value(self) -> str:
        return FM_OVERRIDE

    @property
    def enable_vcr_tests(self) -> bool:
        return True

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        llm = ChatFirmware(
            model="anthropic/claude-sonnet-4-5-20250929",
            max_tokens=4096,
            thinking={"type": "enabled", "budget_tokens": 2048},
        )
        question = "How many r's are in strawberry? Think it through."
        if stream:
            full = None
            for chunk in llm.stream(question):
                full = chunk if full is None else full + chunk
            assert isinstance(full, AIMessage)
            return full
        return llm.invoke(question)


@pytest.mark.vcr
@pytest.mark.usefixtures("_offline_downloads", "_repeatable_example_ids")
class TestChatFireworksResponsesIntegration(ChatModelIntegrationTests):
    """The Responses mode: the same suite against ``POST /v1/responses``."""

    @property
    def chat_model_class(self) -> type[ChatFireworks]:
        return ChatFireworks

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": FW_SUITE_MODEL, "use_responses_api": True}

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True  # sent as ``input_image`` parts (docs/wire.md §1.18, inferred)

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_pdf_inputs(self) -> bool:
        return False  # no documented file input for the Responses API (module docstring)

    @property
    def supported_usage_metadata_details(self) -> dict[str, list[Any]]:
        return {"invoke": [], "stream": []}

    @property
    def model_override_value(self) -> str:
        return FW_OVERRIDE

    @property
    def enable_vcr_tests(self) -> bool:
        return True
