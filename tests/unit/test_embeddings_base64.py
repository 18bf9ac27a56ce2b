"""Base64 embeddings: Firmware is asked for little-endian float32 base64 (docs/wire.md §2.6,
https://docs.firmware.ai/api-reference/embeddings), Fireworks for JSON floats (its schema has
no ``encoding_format``, docs/wire.md §1.11); either response shape is read.
"""

from __future__ import annotations

import json
import random
import struct
from typing import Any

import httpx
import pytest

from fw_core import FIREWORKS, FIRMWARE
from fw_core.endpoints.embeddings import EmbeddingsRequest, aembed, decode_embedding, embed
from fw_core.errors import ResponseValidationError
from fw_core.testing import WireDouble
from fw_core.testing.generate import encode_base64
from langchain_fw import FirmwareEmbeddings
from llamaindex_fw import FirmwareEmbedding

from ._core_support import Recorder, json_response, make_async_client, make_client

FIRMWARE_URL = "https://app.firmware.ai/api/v1/embeddings"
AUTH = {"Authorization": "Bearer test-key"}


def as_float32(values: list[float]) -> list[float]:
    """What a float32 wire format can carry of ``values`` (round to nearest float32)."""
    return list(struct.unpack(f"<{len(values)}f", struct.pack(f"<{len(values)}f", *values)))


def dense_texts(n: int) -> list[str]:
    """Texts with thousands of distinct words, so the double's vectors are dense like real ones."""
    return [" ".join(f"word{i}x{j}" for i in range(3000)) for j in range(n)]


def test_base64_decodes_exactly_what_float32_carries() -> None:
    rng = random.Random(21)
    values = [rng.uniform(-1, 1) for _ in range(768)] + [0.0, -0.0, 1e-30, 3.4e38]
    decoded = decode_embedding(encode_base64(values))
    assert decoded == as_float32(values)  # exact: each value round-trips through float32
    assert decoded[:768] == pytest.approx(values[:768], rel=1e-7, abs=1e-7)


def test_malformed_base64_is_a_response_validation_error() -> None:
    with pytest.raises(ResponseValidationError):
        decode_embedding("not base64 at all!")


def payload(request: httpx.Request, *, as_list: bool) -> dict[str, Any]:
    texts = json.loads(request.content)["input"]
    vecs = [[float(i), 0.25] for i in range(len(texts))]
    data = [
        {"index": i, "object": "embedding", "embedding": v if as_list else encode_base64(v)}
        for i, v in enumerate(vecs)
    ]
    return {"object": "list", "model": "m", "data": data, "usage": {"prompt_tokens": 1}}


@pytest.mark.parametrize("as_list", [True, False], ids=["floats-anyway", "base64"])
def test_firmware_asks_for_base64_and_reads_either_shape(as_list: bool) -> None:
    rec = Recorder(lambda r, n: json_response(payload(r, as_list=as_list)))
    client, _ = make_client(rec, provider=FIRMWARE)
    result = embed(client, ["a", "b"], EmbeddingsRequest("voyage-4"))
    assert result.vectors == [[0.0, 0.25], [1.0, 0.25]]
    assert rec.bodies()[0]["encoding_format"] == "base64"


async def test_async_firmware_asks_for_base64() -> None:
    rec = Recorder(lambda r, n: json_response(payload(r, as_list=False)))
    client, _ = make_async_client(rec, provider=FIRMWARE)
    result = await aembed(client, ["a"], EmbeddingsRequest("voyage-4"))
    assert result.vectors == [[0.0, 0.25]]
    assert rec.bodies()[0]["encoding_format"] == "base64"


def test_fireworks_request_names_no_encoding_format() -> None:
    rec = Recorder(lambda r, n: json_response(payload(r, as_list=True)))
    client, _ = make_client(rec, provider=FIREWORKS)
    embed(client, ["a"], EmbeddingsRequest("nomic-ai/nomic-embed-text-v1.5"))
    assert "encoding_format" not in rec.bodies()[0]


def test_caller_asking_for_floats_gets_floats_on_the_wire() -> None:
    rec = Recorder(lambda r, n: json_response(payload(r, as_list=True)))
    client, _ = make_client(rec, provider=FIRMWARE)
    req = EmbeddingsRequest("voyage-4", extra_body={"encoding_format": "float"})
    assert embed(client, ["a"], req).vectors == [[0.0, 0.25]]
    assert rec.bodies()[0]["encoding_format"] == "float"


def test_both_frameworks_return_the_float_requests_vectors() -> None:
    double = WireDouble()
    texts = ["tea with lemon", "green tea", "coffee"]

    def lc(**kw: Any) -> FirmwareEmbeddings:
        http = httpx.Client(transport=double.transport())
        return FirmwareEmbeddings(model="voyage-4", api_key="test-key", http_client=http, **kw)

    def li(**kw: Any) -> FirmwareEmbedding:
        http = httpx.Client(transport=double.transport())
        return FirmwareEmbedding(model_name="voyage-4", api_key="test-key", http_client=http, **kw)

    floats = lc(extra_body={"encoding_format": "float"}).embed_documents(texts)
    expected = [as_float32(v) for v in floats]
    assert lc().embed_documents(texts) == expected
    li_floats = li(additional_kwargs={"encoding_format": "float"})
    assert li_floats.get_text_embedding_batch(texts) == floats
    assert li().get_text_embedding_batch(texts) == expected
    sent = [r.json.get("encoding_format") for r in double.requests]
    assert sent == ["float", "base64", "float", "base64"]


def test_base64_responses_are_smaller_for_dense_vectors() -> None:
    http = httpx.Client(transport=WireDouble().transport())
    texts = dense_texts(4)
    sizes = {}
    for fmt in ("float", "base64"):
        body = {"model": "text-embedding-3-small", "input": texts, "encoding_format": fmt}
        sizes[fmt] = len(http.post(FIRMWARE_URL, headers=AUTH, json=body).content)
    assert sizes["base64"] < 0.5 * sizes["float"]
