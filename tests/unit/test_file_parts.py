"""fw_core.kit.file_parts: document and audio parts per API."""

from __future__ import annotations

import pytest

from fw_core.kit.file_parts import data_url, document_part, from_openai_file

PDF_B64 = "JVBERi0xLjEK"
PDF_URL = f"data:application/pdf;base64,{PDF_B64}"


def test_fireworks_gets_documents_as_image_url_parts() -> None:
    assert document_part("fireworks", data=PDF_B64, mime_type="application/pdf") == {
        "type": "image_url",
        "image_url": {"url": PDF_URL},
    }
    assert document_part("fireworks", url="https://x/cv.pdf") == {
        "type": "image_url",
        "image_url": {"url": "https://x/cv.pdf"},
    }
    # a whole data URL is taken as it is; data wins over a url
    assert document_part("fireworks", data=PDF_URL, url="https://x/y.pdf")["image_url"] == {
        "url": PDF_URL
    }


def test_fireworks_cannot_take_a_file_id_or_nothing() -> None:
    with pytest.raises(ValueError, match="file id"):
        document_part("fireworks", file_id="file-abc")
    # a url next to the id is used instead
    assert document_part("fireworks", file_id="f", url="https://x/a.pdf")["type"] == "image_url"
    with pytest.raises(ValueError, match="needs base64 data, a url or a file_id"):
        document_part("fireworks")


@pytest.mark.parametrize("provider", ["firmware", None])
def test_openai_form_for_firmware(provider: str | None) -> None:
    assert document_part(provider, data=PDF_B64, mime_type="application/pdf") == {
        "type": "file",
        "file": {"file_data": PDF_URL, "filename": "document.pdf"},
    }
    named = document_part(provider, data="QQ==", mime_type="text/csv", filename="t.csv")
    assert named["file"] == {"file_data": "data:text/csv;base64,QQ==", "filename": "t.csv"}
    assert document_part(provider, data="QQ==")["file"] == {
        "file_data": "data:application/octet-stream;base64,QQ==",
        "filename": "file",
    }
    assert document_part(provider, file_id="file-1") == {
        "type": "file",
        "file": {"file_id": "file-1"},
    }
    # chat completions has no file-by-URL part
    assert document_part(provider, url="https://x/a.pdf")["type"] == "image_url"


@pytest.mark.parametrize("provider", ["fireworks", "firmware"])
def test_an_image_file_is_an_image_part_everywhere(provider: str) -> None:
    assert document_part(provider, data="AAAA", mime_type="image/png") == {
        "type": "image_url",
        "image_url": {"url": "data:image/png;base64,AAAA"},
    }


def test_openai_file_payloads() -> None:
    payload = {"filename": "a.pdf", "file_data": PDF_URL, "file_id": None}
    assert from_openai_file("firmware", payload) == {
        "type": "file",
        "file": {"filename": "a.pdf", "file_data": PDF_URL},
    }
    assert from_openai_file("fireworks", payload) == {
        "type": "image_url",
        "image_url": {"url": PDF_URL},
    }
    with pytest.raises(ValueError, match="file id"):
        from_openai_file("fireworks", {"file_id": "file-1"})


def test_data_url() -> None:
    assert data_url("application/pdf", PDF_B64) == PDF_URL
    assert data_url("image/png", PDF_URL) == PDF_URL
