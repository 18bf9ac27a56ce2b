"""A 404 about the model is a ModelNotFoundError that names the model and how to list the
served ones (issue 20; docs/wire.md §1.15).

The bodies: Fireworks' bare object, as a client printed it (warpdotdev/warp#15107, kept in
tests/data/real_captures/fw_error_404_model_not_found_PARTIAL.yaml), and the same object
wrapped in ``{"error": {...}}`` as models.dev PR 5683 quotes it
(https://github.com/warpdotdev/warp/issues/15107,
https://github.com/bobmatnyc/trusty-tools/issues/2510 asks for exactly this hint).
"""

from __future__ import annotations

import json

import httpx
import pytest

from fw_core import FIREWORKS, FIRMWARE, AsyncClient, Client
from fw_core.endpoints import chat
from fw_core.errors import ModelNotFoundError, NotFoundError, make_status_error
from fw_core.testing import Fault, WireDouble

WRAPPED = {
    "error": {
        "message": "Model not found, inaccessible, and/or not deployed",
        "param": "model",
        "code": "NOT_FOUND",
        "type": "error",
    }
}
GONE = "accounts/fireworks/models/nonexistent-model"  # the double's unknown-model marker
HI = [{"role": "user", "content": "hi"}]


def _client(double: WireDouble, provider=FIREWORKS) -> Client:  # type: ignore[no-untyped-def]
    return Client(
        provider, api_key="test-key", http_client=httpx.Client(transport=double.transport())
    )


def test_wrapped_body_is_model_not_found_naming_the_model() -> None:
    err = make_status_error(404, json.dumps(WRAPPED), model=GONE)
    assert type(err) is ModelNotFoundError and isinstance(err, NotFoundError)
    assert err.model == GONE and repr(GONE) in err.message and repr(GONE) in str(err)
    assert "list_models()" in err.message
    assert err.server_message == WRAPPED["error"]["message"]
    assert (err.status_code, err.code, err.param) == (404, "NOT_FOUND", "model")


@pytest.mark.parametrize(
    "body",
    [
        b'{"error": {"message": "Not Found"}}',  # a wrong path
        # 2024: the model exists but has no chat template (docs/wire.md §1.15)
        b'{"error": {"object": "error", "type": "invalid_request_error", "message": '
        b'"model is missing conversation_config, please use /completions API instead"}}',
    ],
)
def test_a_404_that_is_not_about_a_missing_model_stays_not_found(body: bytes) -> None:
    err = make_status_error(404, body, model=GONE)
    assert type(err) is NotFoundError


def test_chat_to_an_unknown_model_names_it_sync_and_stream() -> None:
    client = _client(WireDouble())  # the double answers an unknown model like the capture
    with pytest.raises(ModelNotFoundError) as info:
        chat.create(client, {"model": GONE, "messages": HI})
    assert info.value.model == GONE and repr(GONE) in str(info.value)
    body = {"model": GONE, "messages": HI}
    with (
        pytest.raises(ModelNotFoundError) as info,
        client.stream("POST", "/chat/completions", json_body=body),
    ):
        pass
    assert info.value.model == GONE


async def test_async_chat_to_an_unknown_model_names_it() -> None:
    double = WireDouble()
    double.inject(Fault.status(404, param="model"))  # the wrapped envelope
    client = AsyncClient(
        FIREWORKS,
        api_key="test-key",
        http_client=httpx.AsyncClient(transport=double.async_transport()),
    )
    with pytest.raises(ModelNotFoundError) as info:
        await chat.acreate(client, {"model": "accounts/fireworks/models/glm-4p5", "messages": HI})
    assert info.value.model == "accounts/fireworks/models/glm-4p5"
    assert "list_models()" in str(info.value)


def test_firmware_unknown_model_is_model_not_found() -> None:
    client = _client(WireDouble(), FIRMWARE)
    with pytest.raises(ModelNotFoundError) as info:
        chat.create(client, {"model": "openai/does-not-exist", "messages": HI})
    assert info.value.model == "openai/does-not-exist"


def test_a_request_without_a_json_model_still_says_how_to_list() -> None:
    double = WireDouble()
    double.inject(Fault.status(404, param="model"))
    client = _client(double)
    with pytest.raises(ModelNotFoundError) as info:
        client.request("POST", "/chat/completions", data={"model": "x"})  # a form body
    assert info.value.model is None
    assert info.value.message.startswith("the model is not available")
    assert "list_models()" in info.value.message
