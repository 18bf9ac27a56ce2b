"""LangChain file / PDF content blocks on the wire, and ChatFireworks' ``document_inlining``.

The part forms come from fw_core.file_parts (docs/wire.md §1.17): Fireworks reads a
document from an ``image_url`` part, Firmware takes OpenAI ``file`` parts.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain_core.messages import HumanMessage

from fw_core.errors import BadRequestError
from fw_core.file_parts import INLINE_TRANSFORM
from fw_core.testing import WireDouble
from langchain_fw._messages import content_to_wire, messages_to_wire
from langchain_fw.chat_models import ChatFireworks, ChatFirmware

PDF_B64 = "JVBERi0xLjEK"
PDF_URL = f"data:application/pdf;base64,{PDF_B64}"
TEXT_MODEL = "accounts/fireworks/models/llama-v3p3-70b-instruct"
VISION_MODEL = "accounts/fireworks/models/llama4-maverick-instruct-basic"

# Every form langchain-core has for a PDF: the v1 standard block, the OpenAI chat form,
# the v0 ``source_type`` form.
STANDARD = {"type": "file", "base64": PDF_B64, "mime_type": "application/pdf"}
OPENAI = {"type": "file", "file": {"filename": "cv.pdf", "file_data": PDF_URL}}
V0 = {"type": "file", "source_type": "base64", "data": PDF_B64, "mime_type": "application/pdf"}
BY_URL = {"type": "file", "url": "https://x/cv.pdf", "mime_type": "application/pdf"}


def _pdf_message(block: dict[str, Any] = STANDARD) -> HumanMessage:
    return HumanMessage([{"type": "text", "text": "Summarize this document:"}, block])


@pytest.mark.parametrize("block", [STANDARD, OPENAI, V0], ids=["standard", "openai", "v0"])
def test_fireworks_gets_a_pdf_as_an_image_url_part(block: dict[str, Any]) -> None:
    parts = content_to_wire(["read:", block], provider="fireworks")
    assert parts[1] == {"type": "image_url", "image_url": {"url": PDF_URL}}


def test_fireworks_file_urls_and_ids() -> None:
    assert content_to_wire([BY_URL], provider="fireworks") == [
        {"type": "image_url", "image_url": {"url": "https://x/cv.pdf"}}
    ]
    with pytest.raises(ValueError, match="file id"):
        content_to_wire([{"type": "file", "file_id": "file-1"}], provider="fireworks")


def test_firmware_keeps_openai_file_parts() -> None:
    wire = messages_to_wire([_pdf_message(), _pdf_message(OPENAI)], provider="firmware")
    assert wire[0]["content"][1] == {
        "type": "file",
        "file": {"file_data": PDF_URL, "filename": "document.pdf"},
    }
    assert wire[1]["content"][1] == OPENAI
    assert content_to_wire([{"type": "file", "file_id": "file-1"}], provider="firmware") == [
        {"type": "file", "file": {"file_id": "file-1"}}
    ]


def _payload_parts(llm: ChatFireworks, block: dict[str, Any] = STANDARD) -> list[Any]:
    body = llm._payload([_pdf_message(block)], None, {})
    assert "document_inlining" not in body  # an option of ours, never a body field
    return body["messages"][0]["content"]


@pytest.mark.parametrize(
    ("model", "setting", "inlined"),
    [
        (TEXT_MODEL, False, False),
        (TEXT_MODEL, "auto", True),
        (TEXT_MODEL, True, True),
        (VISION_MODEL, "auto", False),
        (VISION_MODEL, True, True),
    ],
)
def test_document_inlining_setting(model: str, setting: bool | str, inlined: bool) -> None:
    llm = ChatFireworks(model=model, api_key="k", document_inlining=setting)
    url = _payload_parts(llm)[1]["image_url"]["url"]
    assert url == (PDF_URL + INLINE_TRANSFORM if inlined else PDF_URL)
    assert llm.document_inlining == setting


def test_auto_follows_a_per_call_model() -> None:
    llm = ChatFireworks(model=VISION_MODEL, api_key="k", document_inlining="auto")
    body = llm._payload([_pdf_message(BY_URL)], None, {"model": "llama-v3p3-70b-instruct"})
    assert body["messages"][0]["content"][1]["image_url"]["url"].endswith(INLINE_TRANSFORM)


def test_firmware_has_no_inlining() -> None:
    assert "document_inlining" not in ChatFirmware.model_fields
    llm = ChatFirmware(model="openai/gpt-4o", api_key="k")
    assert llm._payload([_pdf_message()], None, {})["messages"][0]["content"][1]["type"] == "file"


def _client(double: WireDouble) -> httpx.Client:
    return httpx.Client(transport=double.transport())


def test_an_inlined_pdf_is_answered_and_a_bare_one_refused_clearly() -> None:
    double = WireDouble()
    auto = ChatFireworks(
        model=TEXT_MODEL, api_key="k", document_inlining="auto", http_client=_client(double)
    )
    assert auto.invoke([_pdf_message()]).content
    assert auto.invoke([_pdf_message(OPENAI)]).content
    plain = ChatFireworks(model=TEXT_MODEL, api_key="k", http_client=_client(double))
    with pytest.raises(BadRequestError, match="transform=inline"):
        plain.invoke([_pdf_message()])
