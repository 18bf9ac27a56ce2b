"""LlamaIndex ``DocumentBlock`` on the wire, and the Fireworks LLM's ``document_inlining``.

The part forms come from fw_core.file_parts (docs/wire.md §1.17): Fireworks reads a
document from an ``image_url`` part, Firmware takes OpenAI ``file`` parts.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage, DocumentBlock, TextBlock

from fw_core.errors import BadRequestError
from fw_core.file_parts import INLINE_TRANSFORM
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
VISION_MODEL = "accounts/fireworks/models/llama4-maverick-instruct-basic"


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


def _sent_url(llm: Fireworks) -> str:
    body = llm._body([_message(DocumentBlock(data=PDF))], {})
    assert "document_inlining" not in body
    url: str = body["messages"][0]["content"][1]["image_url"]["url"]
    return url


@pytest.mark.parametrize(
    ("model", "setting", "inlined"),
    [
        (TEXT_MODEL, False, False),
        (TEXT_MODEL, "auto", True),
        (VISION_MODEL, "auto", False),
        (VISION_MODEL, True, True),
    ],
)
def test_document_inlining_setting(model: str, setting: Any, inlined: bool) -> None:
    llm = Fireworks(model=model, api_key="k", document_inlining=setting)
    assert _sent_url(llm) == (PDF_URL + INLINE_TRANSFORM if inlined else PDF_URL)


def test_firmware_has_no_inlining() -> None:
    assert "document_inlining" not in Firmware.model_fields


def test_chat_with_an_inlined_document_and_a_clear_refusal_without(
    clients: dict[str, Any],
) -> None:
    auto = Fireworks(model=TEXT_MODEL, api_key="k", document_inlining="auto", **clients)
    assert auto.chat([_message(DocumentBlock(data=PDF))]).message.content
    plain = Fireworks(model=TEXT_MODEL, api_key="k", **clients)
    with pytest.raises(BadRequestError, match="transform=inline"):
        plain.chat([_message(DocumentBlock(data=PDF))])


async def test_async_chat_with_an_inlined_document(clients: dict[str, Any]) -> None:
    auto = Fireworks(model=TEXT_MODEL, api_key="k", document_inlining=True, **clients)
    response = await auto.achat([_message(DocumentBlock(url="https://x/cv.pdf"))])
    assert response.message.content
