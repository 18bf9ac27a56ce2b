"""Text completions: one call and streams (sync and async)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fw_core.endpoints import completions
from fw_core.errors import ConfigurationError, ResponseValidationError, StreamError

from ._core_support import (
    AsyncRecorder,
    Recorder,
    json_response,
    make_async_client,
    make_client,
    sse,
    sse_response,
)

MODEL = "accounts/fireworks/models/llama-v3p1-8b-instruct"
BODY = {"model": MODEL, "prompt": "The sky is", "max_tokens": 8}
RESPONSE = {
    "id": "c1",
    "object": "text_completion",
    "created": 1760000004,
    "model": MODEL,
    "choices": [{"index": 0, "text": " blue today.", "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 4, "completion_tokens": 3, "total_tokens": 7},
}


def chunk(text: str, finish: str | None = None, index: int = 0, **top: Any) -> dict[str, Any]:
    return {
        "id": "c2",
        "object": "text_completion",
        "model": MODEL,
        "choices": [{"index": index, "text": text, "finish_reason": finish}],
        **top,
    }


def test_create() -> None:
    rec = Recorder(
        [json_response(RESPONSE, headers={"x-request-id": "c1", "fireworks-prompt-tokens": "4"})]
    )
    client, _ = make_client(rec)
    resp = completions.create(client, BODY)
    assert rec.bodies()[0] == BODY
    assert str(rec.requests[0].url).endswith("/inference/v1/completions")
    assert resp.completion.choices[0].text == " blue today."
    assert resp.completion.choices[0].finish_reason == "stop"
    assert resp.completion.usage.total_tokens == 7
    assert resp.request_id == "c1" and resp.attempts == 1
    assert resp.headers == {"x-request-id": "c1", "fireworks-prompt-tokens": "4"}


def test_create_rejects_wrong_shape() -> None:
    client, _ = make_client(Recorder([json_response({"id": "c", "choices": None})]))
    with pytest.raises(ResponseValidationError):
        completions.create(client, BODY)


@pytest.mark.parametrize(
    "body",
    [
        {"prompt": "x"},
        {"model": MODEL},
        {"model": MODEL, "prompt": ""},
        {"model": MODEL, "prompt": []},
    ],
)
def test_body_checked_before_any_request(body: dict[str, Any]) -> None:
    rec = Recorder([json_response(RESPONSE)])
    client, _ = make_client(rec)
    with pytest.raises(ConfigurationError):
        completions.create(client, body)
    with pytest.raises(ConfigurationError):
        completions.CompletionStream(client, body)
    assert rec.calls == 0


def test_stream_and_accumulate() -> None:
    raw = sse(
        chunk(" blue"),
        chunk(" sky", "length"),
        {
            "id": "c2",
            "choices": [],
            "usage": {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6},
        },
    )
    rec = Recorder([sse_response(raw, {"x-request-id": "s"}, size=5)])
    client, _ = make_client(rec)
    s = completions.CompletionStream(client, BODY)
    got = list(s)
    sent = rec.bodies()[0]
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert {c.id for c in got} == {"c2"} and got[0].model == MODEL
    assert "".join(ch.text for c in got for ch in c.choices) == " blue sky"
    assert got[-2].choices[0].finish_reason == "length"
    assert got[-1].usage is not None and got[-1].usage.total_tokens == 6
    assert s.meta.request_id == "s"


def test_truncated_completion_stream_raises() -> None:
    client, _ = make_client(Recorder([sse_response(sse(chunk("a"), done=False))]))
    with pytest.raises(StreamError):
        list(completions.CompletionStream(client, BODY))


async def test_async_create_and_stream() -> None:
    client, _ = make_async_client(AsyncRecorder([json_response(RESPONSE)]))
    resp = await completions.acreate(client, BODY)
    assert resp.completion.choices[0].text == " blue today."
    rec = AsyncRecorder([sse_response(sse(chunk("x"), chunk("y", "stop")))])
    client, _ = make_async_client(rec)
    texts = [
        ch.text async for c in completions.AsyncCompletionStream(client, BODY) for ch in c.choices
    ]
    assert "".join(texts) == "xy"
    assert json.loads(rec.requests[0].content)["stream"] is True
