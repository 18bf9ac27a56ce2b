"""Model listing: the OpenAI-style list and the paged Fireworks catalog."""

from __future__ import annotations

import httpx
import pytest

from fw_core import FIRMWARE, models
from fw_core.errors import ConfigurationError, ResponseValidationError

from ._core_support import AsyncRecorder, Recorder, json_response, make_async_client, make_client


def test_control_plane_url() -> None:
    assert models.control_plane_url("https://api.fireworks.ai/inference/v1") == (
        "https://api.fireworks.ai"
    )
    assert models.control_plane_url("http://localhost:9000/inference/v1") == (
        "http://localhost:9000"
    )
    assert models.control_plane_url("https://me-abc.us-east.direct.fireworks.ai/v1") == (
        "https://api.fireworks.ai"
    )


def test_list_models() -> None:
    payload = {"object": "list", "data": [{"id": "a"}, "junk", {"id": "b"}]}
    rec = Recorder([json_response(payload)])
    client, _ = make_client(rec, provider=FIRMWARE)
    assert models.list_models(client) == [{"id": "a"}, {"id": "b"}]
    assert rec.requests[0].method == "GET"
    assert str(rec.requests[0].url) == "https://app.firmware.ai/api/v1/models"


def test_list_models_wrong_shape() -> None:
    client, _ = make_client(Recorder([json_response({"models": []})]))
    with pytest.raises(ResponseValidationError):
        models.list_models(client)


def pages(total_pages: int):
    def script(request: httpx.Request, n: int) -> httpx.Response:
        token = request.url.params.get("pageToken")
        page = int(token) if token else 0
        body = {"models": [{"name": f"accounts/fireworks/models/m{page}-{i}"} for i in range(2)]}
        if page + 1 < total_pages:
            body["nextPageToken"] = str(page + 1)
        else:
            body["nextPageToken"] = ""
        return json_response(body)

    return script


def test_catalog_follows_page_tokens() -> None:
    rec = Recorder(pages(3))
    client, _ = make_client(rec)
    names = [m["name"] for m in models.catalog(client, page_size=2, filter="supports_tools=true")]
    assert names == [f"accounts/fireworks/models/m{p}-{i}" for p in range(3) for i in range(2)]
    assert rec.calls == 3
    first, second = rec.requests[0].url, rec.requests[1].url
    assert first.host == "api.fireworks.ai" and first.path == "/v1/accounts/fireworks/models"
    assert dict(first.params) == {"pageSize": "2", "filter": "supports_tools=true"}
    assert second.params["pageToken"] == "1"


def test_catalog_stops_at_max_pages() -> None:
    rec = Recorder(pages(100))
    client, _ = make_client(rec)
    got = list(models.catalog(client, account_id="me", max_pages=2))
    assert len(got) == 4 and rec.calls == 2
    assert rec.requests[0].url.path == "/v1/accounts/me/models"


def test_catalog_checks() -> None:
    rec = Recorder(pages(1))
    fm, _ = make_client(rec, provider=FIRMWARE)
    with pytest.raises(ConfigurationError):
        list(models.catalog(fm))
    fw, _ = make_client(rec)
    for size in (0, 201):
        with pytest.raises(ConfigurationError):
            list(models.catalog(fw, page_size=size))
    assert rec.calls == 0
    fw, _ = make_client(Recorder([json_response({"models": "nope"})]))
    with pytest.raises(ResponseValidationError):
        list(models.catalog(fw))
    fw, _ = make_client(Recorder([json_response({})]))
    assert list(models.catalog(fw)) == []  # an empty account


async def test_async_list_and_catalog() -> None:
    client, _ = make_async_client(AsyncRecorder([json_response({"data": [{"id": "x"}]})]))
    assert await models.alist_models(client) == [{"id": "x"}]
    rec = AsyncRecorder(pages(3))
    client, _ = make_async_client(rec)
    got = [m async for m in models.acatalog(client, page_size=2)]
    assert len(got) == 6 and rec.calls == 3
    rec = AsyncRecorder(pages(10))
    client, _ = make_async_client(rec)
    assert len([m async for m in models.acatalog(client, max_pages=1)]) == 2
