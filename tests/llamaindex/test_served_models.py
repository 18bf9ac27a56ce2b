"""Which models the LlamaIndex LLMs can call. On a model the API does not serve: fw_core's
ModelNotFoundError (LlamaIndex has no error taxonomy of its own), naming the model and how
to list the served ones (issue 20; https://github.com/warpdotdev/warp/issues/15107); and a
bare Fast id is sent as its router; list_models() lists the served ones.
"""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.llms import ChatMessage

from fw_core.errors import ModelNotFoundError, NotFoundError
from fw_core.testing.catalog import NOT_SERVERLESS
from llamaindex_fw import Fireworks, Firmware


def test_fireworks_chat_names_the_model(clients: dict[str, Any]) -> None:
    llm = Fireworks(
        model="nonexistent-model", api_key="test-key", max_retries=0, context_window=8192, **clients
    )
    with pytest.raises(ModelNotFoundError) as info:
        llm.chat([ChatMessage(role="user", content="hi")])
    assert isinstance(info.value, NotFoundError)
    assert info.value.model == "accounts/fireworks/models/nonexistent-model"
    assert "list_models()" in str(info.value)


async def test_firmware_astream_names_the_model(clients: dict[str, Any]) -> None:
    llm = Firmware(
        model="openai/does-not-exist",
        api_key="test-key",
        max_retries=0,
        context_window=8192,
        **clients,
    )
    with pytest.raises(ModelNotFoundError) as info:
        gen = await llm.astream_chat([ChatMessage(role="user", content="hi")])
        async for _ in gen:
            pass
    assert info.value.model == "openai/does-not-exist"


def test_a_bare_fast_id_is_sent_as_its_router(clients: dict[str, Any], double: Any) -> None:
    """docs.fireworks.ai/serverless/serving-paths: Fast ids are accounts/fireworks/routers/."""
    llm = Fireworks(model="glm-5p1-fast", api_key="test-key", context_window=8192, **clients)
    assert llm.wire_model == "accounts/fireworks/routers/glm-5p1-fast"
    llm.chat([ChatMessage(role="user", content="hi")])
    (sent,) = [r.json for r in double.requests if r.path.endswith("/chat/completions")]
    assert sent["model"] == "accounts/fireworks/routers/glm-5p1-fast"


async def test_list_models_lists_serverless_models_by_default(clients: dict[str, Any]) -> None:
    """Retired models stay in the catalog as READY; supportsServerless tells them apart
    (https://github.com/Kiln-AI/Kiln/pull/1790)."""
    llm = Fireworks(model="glm-4p5", api_key="test-key", **clients)
    served = {m.id.rsplit("/", 1)[1] for m in llm.list_models()}
    every = {m.id.rsplit("/", 1)[1] for m in await llm.alist_models(serverless=None)}
    assert served == every - NOT_SERVERLESS and served
    assert {m.id.rsplit("/", 1)[1] for m in await llm.alist_models()} == served
