"""LlamaIndex ``DocumentBlock`` on the wire.

The part forms come from fw_core.kit.file_parts (docs/wire.md §1.17): a document goes to
Fireworks in an ``image_url`` part, Firmware takes OpenAI ``file`` parts. Fireworks'
document inlining (``#transform=inline``) was removed on 2025-06-30, and so was our option.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage, DocumentBlock, TextBlock

from fw_core.errors import BadRequestError, ConfigurationError
from llamaindex_fw import Fireworks, Firmware
from llamaindex_fw._messages import to_wire_message

PDF = (
    b"%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PDF_URL = "data:application/pdf;base64," + base64.b64encode(PDF).decode()
TEXT_MODEL = "accounts/fireworks/models/llama-v3p3-70b-instruct"


def _message(block: DocumentBlock) -> ChatMessage:
    return ChatMessage(role="user", blocks=[TextBlock(text="Summarize this document:"), block])


def test_fireworks_gets_document_bytes_as_a_data_url() -> None:
    wire = to_wire_message(_message(DocumentBlock(data=PDF)), provider="fireworks")
    assert wire["content"] == [
        {"type": "text", "text": "Summarize this document:"},
        {"type": "image_url", "image_url": {"url": PDF_URL}},
    ]


def test_a_document_url_is_sent_as_it_is_not_downloaded() -> None:
    block = DocumentBlock(url="https://example.com/cv.pdf")
    wire = to_wire_message(_message(block), provider="fireworks")
    assert wire["content"][1] == {
        "type": "image_url",
        "image_url": {"url": "https://example.com/cv.pdf"},
    }


def test_firmware_gets_an_openai_file_part(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(PDF)
    wire = to_wire_message(_message(DocumentBlock(path=path)), provider="firmware")
    assert wire["content"][1] == {
        "type": "file",
        "file": {"file_data": PDF_URL, "filename": "report.pdf"},
    }
    titled = to_wire_message(_message(DocumentBlock(data=PDF, title="cv.pdf")))
    assert titled["content"][1]["file"]["filename"] == "cv.pdf"
    untitled = to_wire_message(_message(DocumentBlock(data=PDF)))
    assert untitled["content"][1]["file"]["filename"] == "document.pdf"


def test_documents_only_in_user_messages() -> None:
    msg = ChatMessage(role="assistant", blocks=[DocumentBlock(data=PDF)])
    with pytest.raises(ValueError, match="DocumentBlock"):
        to_wire_message(msg)


def test_document_inlining_is_refused_with_the_reason() -> None:
    # removed (docs/wire.md §1.17): refused by name, never sent as an unknown body field
    with pytest.raises(ConfigurationError, match=r"document inlining.*2025-06-30"):
        Fireworks(model=TEXT_MODEL, api_key="k", document_inlining="auto")


def test_fireworks_sends_document_bytes_as_given() -> None:
    llm = Fireworks(model=TEXT_MODEL, api_key="k")
    body = llm._body([_message(DocumentBlock(data=PDF))], {})
    assert body["messages"][0]["content"][1]["image_url"]["url"] == PDF_URL


def test_firmware_chat_sends_a_file_part(clients: dict[str, Any]) -> None:
    llm = Firmware(model="openai/gpt-4o", api_key="k", **clients)
    body = llm._body([_message(DocumentBlock(data=PDF))], {})
    assert body["messages"][0]["content"][1]["type"] == "file"
    assert llm.chat([_message(DocumentBlock(data=PDF))]).message.content


def test_a_document_to_a_fireworks_text_model_is_refused_clearly(
    clients: dict[str, Any],
) -> None:
    plain = Fireworks(model=TEXT_MODEL, api_key="k", **clients)
    with pytest.raises(BadRequestError, match="not an image"):
        plain.chat([_message(DocumentBlock(data=PDF))])


async def test_async_a_document_url_to_a_text_model_is_refused(clients: dict[str, Any]) -> None:
    plain = Fireworks(model=TEXT_MODEL, api_key="k", **clients)
    with pytest.raises(BadRequestError, match="PDF is not an image"):
        await plain.achat([_message(DocumentBlock(url="https://x/cv.pdf"))])
