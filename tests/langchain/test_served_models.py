"""Which models ChatFireworks can call.

A model the API does not serve raises an error that is langchain-core's ModelNotFoundError
and fw_core's, naming the model and how to list the served ones (issue 20; body as in
https://github.com/warpdotdev/warp/issues/15107); a bare Fast id is sent as its router;
list_models() lists the served ones.
"""

from __future__ import annotations

import httpx
import pytest
from langchain_core import exceptions as lce

from fw_core import errors as fe
from fw_core.testing import WireDouble
from fw_core.testing.catalog import NOT_SERVERLESS
from langchain_fw import ChatFireworks

GONE = "nonexistent-model"  # the wire double answers it with the real 404 body


def _chat() -> ChatFireworks:
    transport = WireDouble()
    return ChatFireworks(
        model=GONE,
        api_key="test-key",
        max_retries=0,
        http_client=httpx.Client(transport=transport.transport()),
        http_async_client=httpx.AsyncClient(transport=transport.async_transport()),
    )


def test_invoke_raises_both_model_not_found_classes_naming_the_model() -> None:
    with pytest.raises(lce.ModelNotFoundError) as info:
        _chat().invoke("hi")
    err = info.value
    assert isinstance(err, fe.ModelNotFoundError)
    assert err.model == f"accounts/fireworks/models/{GONE}"
    assert repr(err.model) in str(err) and "list_models()" in str(err)


async def test_astream_raises_the_same() -> None:
    with pytest.raises(fe.ModelNotFoundError) as info:
        async for _ in _chat().astream("hi"):
            pass
    assert isinstance(info.value, lce.ModelNotFoundError)
    assert info.value.model == f"accounts/fireworks/models/{GONE}"


def test_a_bare_fast_id_is_sent_as_its_router() -> None:
    """docs.fireworks.ai/serverless/serving-paths: Fast ids are accounts/fireworks/routers/."""
    double = WireDouble()
    chat = ChatFireworks(
        model="kimi-k2p6-fast",
        api_key="test-key",
        http_client=httpx.Client(transport=double.transport()),
    )
    chat.invoke("hi")
    (sent,) = [r.json for r in double.requests if r.path.endswith("/chat/completions")]
    assert sent["model"] == "accounts/fireworks/routers/kimi-k2p6-fast"


def test_list_models_lists_serverless_models_by_default() -> None:
    """Retired models stay in the catalog as READY; supportsServerless tells them apart
    (https://github.com/Kiln-AI/Kiln/pull/1790)."""
    chat = ChatFireworks(
        model="glm-4p5",
        api_key="test-key",
        http_client=httpx.Client(transport=WireDouble().transport()),
    )
    served = {m.id.rsplit("/", 1)[1] for m in chat.list_models()}
    every = {m.id.rsplit("/", 1)[1] for m in chat.list_models(serverless=None)}
    assert served == every - NOT_SERVERLESS and served
    assert all(m.supports_serverless is True for m in chat.list_models())
    assert {m.id.rsplit("/", 1)[1] for m in chat.list_models(serverless=False)} == (
        every & NOT_SERVERLESS
    )
