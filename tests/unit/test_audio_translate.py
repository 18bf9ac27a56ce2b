"""fw_core.endpoints.audio translation (issue 22): ``translate`` / ``atranslate`` post the
transcription form to ``/v1/audio/translations`` on the model's audio host and read the
same answer shapes (docs/wire.md §1.20, from https://docs.fireworks.ai/api-reference/
audio-translations). Runs against the wire double in-process."""

from __future__ import annotations

import httpx
import pytest

from fw_core import FIREWORKS, FIRMWARE
from fw_core.endpoints.audio import atranslate, transcribe, transcription_url, translate
from fw_core.errors import ConfigurationError
from fw_core.http.client import AsyncClient, Client
from fw_core.testing import WireDouble
from fw_core.testing.multipart import parse_multipart
from tests.audio_fixtures import wav_bytes

AUDIO = wav_bytes(4.0)


def _client(double: WireDouble, provider: object = FIREWORKS) -> Client:
    return Client(
        provider,  # type: ignore[arg-type]
        api_key="test-key",
        http_client=httpx.Client(transport=double.transport()),
    )


@pytest.mark.parametrize(
    ("model", "host"),
    [
        ("whisper-v3", "audio-prod.api.fireworks.ai"),
        ("whisper-v3-turbo", "audio-turbo.api.fireworks.ai"),
    ],
)
def test_translate_posts_the_form_to_the_translations_endpoint(model: str, host: str) -> None:
    double = WireDouble()
    result = translate(
        _client(double), AUDIO, model=model, language="de", response_format="verbose_json"
    )
    rec = double.requests[-1]
    assert rec.method == "POST" and rec.url == f"https://{host}/v1/audio/translations"
    parts = {p.name: p for p in parse_multipart(rec.content, rec.headers["content-type"])}
    assert parts["model"].value == model.encode() and parts["language"].value == b"de"
    assert parts["file"].value == AUDIO
    assert "task" not in parts  # the endpoint is the task; no form field for it
    assert result.task == "translate" and result.language == "en"
    assert result.text and result.duration == 4.0


async def test_atranslate_matches_translate() -> None:
    double = WireDouble()
    sync = translate(_client(double), AUDIO)
    client = AsyncClient(
        FIREWORKS,
        api_key="test-key",
        http_client=httpx.AsyncClient(transport=double.async_transport()),
    )
    result = await atranslate(client, AUDIO)
    assert double.requests[-1].url.endswith("/v1/audio/translations")
    assert result.text == sync.text


def test_transcribe_and_translate_differ_only_in_the_endpoint() -> None:
    double = WireDouble()
    transcribe(_client(double), AUDIO, response_format="text")
    translate(_client(double), AUDIO, response_format="text")
    first, second = double.requests
    assert first.url.endswith("/audio/transcriptions")
    assert second.url.endswith("/audio/translations")
    forms = [
        {p.name: p.value for p in parse_multipart(r.content, r.headers["content-type"])}
        for r in (first, second)
    ]
    assert forms[0] == forms[1]


def test_url_rule_applies_to_both_tasks() -> None:
    assert transcription_url("http://127.0.0.1:9/inference/v1", "whisper-v3", task="translate") == (
        "http://127.0.0.1:9/inference/v1/audio/translations"
    )
    assert transcription_url(
        "https://api.fireworks.ai/inference/v1",
        "whisper-v3",
        "https://my-endpoint.example",
        task="translate",
    ) == ("https://my-endpoint.example/v1/audio/translations")


def test_unknown_task_and_firmware_are_refused_before_sending() -> None:
    double = WireDouble()
    with pytest.raises(ConfigurationError, match="task"):
        transcribe(_client(double), AUDIO, task="summarize")
    with pytest.raises(ConfigurationError, match="translation"):
        translate(_client(double, FIRMWARE), AUDIO)
    assert double.requests == []
