"""fw_core.file_parts: document parts per API and Fireworks' legacy document inlining."""

from __future__ import annotations

from typing import Any

import pytest

from fw_core.file_parts import (
    INLINE_TRANSFORM,
    data_url,
    document_part,
    from_openai_file,
    inline_documents,
    inline_url,
    inlining_applies,
)

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


def test_inline_url_appends_once() -> None:
    assert inline_url("https://x/a.pdf") == "https://x/a.pdf" + INLINE_TRANSFORM
    assert inline_url(PDF_URL + INLINE_TRANSFORM) == PDF_URL + INLINE_TRANSFORM


@pytest.mark.parametrize(
    ("setting", "provider", "model", "expected"),
    [
        (False, "fireworks", "accounts/fireworks/models/llama-v3p3-70b-instruct", False),
        (True, "fireworks", "accounts/fireworks/models/llama4-maverick-instruct-basic", True),
        ("auto", "fireworks", "accounts/fireworks/models/llama-v3p3-70b-instruct", True),
        ("auto", "fireworks", "accounts/fireworks/models/llama4-maverick-instruct-basic", False),
        # a model the table does not know is left alone
        ("auto", "fireworks", "accounts/me/models/my-fine-tune", False),
        # a deployment of a known model counts as that model
        ("auto", "fireworks", "accounts/fireworks/models/kimi-k2-instruct-0905#accounts/a/d", True),
        # only Fireworks ever inlined
        (True, "firmware", "openai/gpt-4o", False),
        ("auto", "firmware", "deepseek/deepseek-chat", False),
    ],
)
def test_when_inlining_applies(
    setting: bool | str, provider: str, model: str, expected: bool
) -> None:
    assert inlining_applies(setting, provider, model) is expected  # type: ignore[arg-type]


def test_inline_documents_touches_only_user_image_urls() -> None:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "be brief"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "read"},
                {"type": "image_url", "image_url": {"url": PDF_URL, "detail": "high"}},
                {"type": "image_url", "image_url": "https://x/a.png"},
                {"type": "video_url", "video_url": {"url": "https://x/v.mp4"}},
            ],
        },
        {
            "role": "assistant",
            "content": [{"type": "image_url", "image_url": {"url": "https://x/b.png"}}],
        },
        {"role": "user", "content": "plain text"},
    ]
    before = repr(messages)
    out = inline_documents(messages)
    assert repr(messages) == before  # the input is not changed
    assert out[0] == messages[0] and out[2] == messages[2] and out[3] == messages[3]
    assert out[1]["content"] == [
        {"type": "text", "text": "read"},
        {"type": "image_url", "image_url": {"url": PDF_URL + INLINE_TRANSFORM, "detail": "high"}},
        {"type": "image_url", "image_url": "https://x/a.png" + INLINE_TRANSFORM},
        {"type": "video_url", "video_url": {"url": "https://x/v.mp4"}},
    ]
    assert inline_documents(out) == out  # idempotent
