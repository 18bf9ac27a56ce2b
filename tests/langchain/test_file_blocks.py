"""LangChain file / PDF content blocks on the wire.

The part forms come from fw_core.kit.file_parts (docs/wire.md §1.17): a document goes to
Fireworks in an ``image_url`` part, Firmware takes OpenAI ``file`` parts. Fireworks'
document inlining (``#transform=inline``) was removed on 2025-06-30, and so was our option.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain_core.messages import HumanMessage

from fw_core.errors import BadRequestError, ConfigurationError
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


def test_document_inlining_is_refused_with_the_reason() -> None:
    # removed (docs/wire.md §1.17): refused by name, never sent as an unknown body field
    with pytest.raises(ConfigurationError, match=r"document inlining.*2025-06-30"):
        ChatFireworks(model=TEXT_MODEL, api_key="k", document_inlining="auto")


def test_fireworks_sends_a_document_url_as_given() -> None:
    llm = ChatFireworks(model=TEXT_MODEL, api_key="k")
    body = llm._payload([_pdf_message(), _pdf_message(BY_URL)], None, {})
    assert body["messages"][0]["content"][1]["image_url"]["url"] == PDF_URL
    assert body["messages"][1]["content"][1]["image_url"]["url"] == "https://x/cv.pdf"


def test_firmware_gets_a_file_part() -> None:
    llm = ChatFirmware(model="openai/gpt-4o", api_key="k")
    assert llm._payload([_pdf_message()], None, {})["messages"][0]["content"][1]["type"] == "file"


def _client(double: WireDouble) -> httpx.Client:
    return httpx.Client(transport=double.transport())


def test_a_pdf_to_a_fireworks_text_model_is_refused_clearly() -> None:
    double = WireDouble()
    plain = ChatFireworks(model=TEXT_MODEL, api_key="k", http_client=_client(double))
    with pytest.raises(BadRequestError, match="not an image"):
        plain.invoke([_pdf_message()])
