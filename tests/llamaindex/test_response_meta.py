"""Request id on every response, and the API's headers when asked (include_response_headers).

The request id is what a user quotes to Fireworks support; streams carry it too, from the
first chunk. Headers (rate limits, ``fireworks-*`` timings) are opt-in, as in
langchain_fw's ``include_response_headers``.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.llms import ChatMessage

from fw_core.testing import WireDouble
from llamaindex_fw import Fireworks, Firmware

MSGS = [ChatMessage(role="user", content="Capital of France?")]


def test_chat_has_the_request_id_and_no_headers_by_default(
    clients: dict[str, Any], double: WireDouble
) -> None:
    resp = Fireworks(model="deepseek-v3p1", **clients).chat(MSGS)
    assert resp.additional_kwargs["request_id"] == resp.raw.id
    assert "headers" not in resp.additional_kwargs


def test_chat_headers_when_asked(clients: dict[str, Any]) -> None:
    llm = Fireworks(model="deepseek-v3p1", include_response_headers=True, **clients)
    headers = llm.chat(MSGS).additional_kwargs["headers"]
    assert isinstance(headers, dict)
    assert headers["x-request-id"] and any(k.startswith("fireworks-") for k in headers)
    assert "content-type" not in headers  # only the useful ones, as fw_core selects them


def test_every_streamed_response_has_the_request_id(clients: dict[str, Any]) -> None:
    llm = Fireworks(model="deepseek-v3p1", include_response_headers=True, **clients)
    responses = list(llm.stream_chat(MSGS))
    ids = {r.additional_kwargs.get("request_id") for r in responses}
    assert len(ids) == 1 and None not in ids
    assert all(r.additional_kwargs["headers"]["x-request-id"] in ids for r in responses)


async def test_async_stream_and_firmware(clients: dict[str, Any]) -> None:
    llm = Firmware(model="openai/gpt-4o", include_response_headers=True, **clients)
    gen = await llm.astream_chat(MSGS)
    responses = [r async for r in gen]
    assert responses and all(r.additional_kwargs.get("request_id") for r in responses)
    assert all("x-request-id" in r.additional_kwargs["headers"] for r in responses)
    plain = Firmware(model="openai/gpt-4o", **clients)
    assert "headers" not in (await plain.achat(MSGS)).additional_kwargs
