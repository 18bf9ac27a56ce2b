"""The wire double reads content parts as Fireworks would (docs/wire.md §1.17): no ``file``
parts, no documents (document inlining was removed on 2025-06-30: the old
``#transform=inline`` form is refused like any other document), images only for models
that take them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fw_core.testing import WireDouble
from fw_core.testing.validation import check_chat

TEXT_MODEL = "accounts/fireworks/models/llama-v3p3-70b-instruct"
VISION_MODEL = "accounts/fireworks/models/llama4-maverick-instruct-basic"
PDF_URL = "data:application/pdf;base64,JVBERi0xLjEK"
PNG_URL = "data:image/png;base64,iVBORw0KGgo="


def _body(model: str, *parts: dict[str, Any]) -> dict[str, Any]:
    content = [{"type": "text", "text": "Summarize this document:"}, *parts]
    return {"model": model, "messages": [{"role": "user", "content": content}]}


def _image(url: str) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url}}


@pytest.mark.parametrize("model", [TEXT_MODEL, VISION_MODEL])
@pytest.mark.parametrize(
    "url",
    [
        PDF_URL,
        "https://x/resume.pdf",
        "https://x/r.PDF?sig=1",
        "https://x/resume.pdf#transform=inline",  # the removed inlining form
        PDF_URL + "#transform=inline",
    ],
)
def test_a_document_is_refused(model: str, url: str) -> None:
    bad = check_chat("fireworks", _body(model, _image(url)))
    assert bad is not None and bad.status == 400 and bad.param == "messages"
    assert "not an image" in bad.message


def test_images_need_a_model_that_takes_them() -> None:
    assert check_chat("fireworks", _body(VISION_MODEL, _image(PNG_URL))) is None
    assert check_chat("fireworks", _body(VISION_MODEL, _image("https://x/a.png"))) is None
    bad = check_chat("fireworks", _body(TEXT_MODEL, _image(PNG_URL)))
    assert bad is not None and "image input" in bad.message
    # a model the double's catalog does not list is given the benefit of the doubt
    assert check_chat("fireworks", _body("accounts/me/models/ft", _image(PNG_URL))) is None


def test_file_parts_and_empty_urls_are_refused_by_fireworks_only() -> None:
    file_part = {"type": "file", "file": {"filename": "a.pdf", "file_data": PDF_URL}}
    bad = check_chat("fireworks", _body(VISION_MODEL, file_part))
    assert bad is not None and "'file'" in bad.message
    assert check_chat("firmware", _body("openai/gpt-4o", file_part)) is None
    empty = check_chat("fireworks", _body(VISION_MODEL, {"type": "image_url", "image_url": {}}))
    assert empty is not None and "image_url.url" in empty.message


def test_the_double_refuses_a_pdf_over_http() -> None:
    double = WireDouble()
    http = httpx.Client(transport=double.transport())
    url = "https://api.fireworks.ai/inference/v1/chat/completions"
    headers = {"Authorization": "Bearer fw-test"}
    refused = http.post(url, headers=headers, json=_body(TEXT_MODEL, _image(PDF_URL)))
    assert refused.status_code == 400
    assert refused.json()["error"]["param"] == "messages"
