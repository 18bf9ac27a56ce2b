"""Model listing: the OpenAI-style list, the paged Fireworks catalog, ModelInfo and filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from fw_core import FIREWORKS, FIRMWARE
from fw_core.endpoints import models
from fw_core.errors import ConfigurationError, ResponseValidationError
from fw_core.http.client import AsyncClient, Client
from fw_core.testing import WireDouble
from fw_core.testing.catalog import FIREWORKS_MODELS, NOT_SERVERLESS

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


def test_list_model_entries() -> None:
    payload = {"object": "list", "data": [{"id": "a"}, "junk", {"id": "b"}]}
    rec = Recorder([json_response(payload)])
    client, _ = make_client(rec, provider=FIRMWARE)
    assert models.list_model_entries(client) == [{"id": "a"}, {"id": "b"}]
    assert rec.requests[0].method == "GET"
    assert str(rec.requests[0].url) == "https://app.firmware.ai/api/v1/models"


def test_list_model_entries_wrong_shape() -> None:
    client, _ = make_client(Recorder([json_response({"models": []})]))
    with pytest.raises(ResponseValidationError):
        models.list_model_entries(client)
    fm, _ = make_client(Recorder([json_response({"models": []})]), provider=FIRMWARE)
    with pytest.raises(ResponseValidationError):
        models.list_models(fm)


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
    with pytest.warns(RuntimeWarning, match="max_pages=2"):
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
    assert await models.alist_model_entries(client) == [{"id": "x"}]
    rec = AsyncRecorder(pages(3))
    client, _ = make_async_client(rec)
    got = [m async for m in models.acatalog(client, page_size=2)]
    assert len(got) == 6 and rec.calls == 3
    rec = AsyncRecorder(pages(10))
    client, _ = make_async_client(rec)
    with pytest.warns(RuntimeWarning):
        assert len([m async for m in models.acatalog(client, max_pages=1)]) == 2


# ------------------------------------------------------------------ ModelInfo parsers


def test_catalog_entry_is_normalised_and_unknowns_stay_none() -> None:
    entry = {
        "name": "accounts/fireworks/models/qwen2p5-vl-32b-instruct",
        "displayName": "Qwen2.5-VL 32B Instruct",
        "contextLength": "128000",
        "supportsImageInput": True,
        "supportsTools": False,
        "kind": "HF_BASE_MODEL",
        "state": "READY",
        "deprecationDate": {"year": 2026, "month": 6, "day": 30},
    }
    info = models.parse_catalog_entry(entry)
    assert info == models.ModelInfo(
        id=entry["name"],
        provider="fireworks",
        display_name="Qwen2.5-VL 32B Instruct",
        context_length=128000,
        supports_tools=False,
        supports_image_input=True,
        kind="HF_BASE_MODEL",
        state="READY",
        owned_by="fireworks",
        deprecation_date=dt.date(2026, 6, 30),
    )
    assert info.raw == entry
    bare = models.parse_catalog_entry(
        {
            "name": "accounts/me/models/ft",
            "supportsTools": "yes",
            "contextLength": 0,
            "deprecationDate": {"year": 0},
        }
    )
    assert (
        bare.supports_tools,
        bare.supports_image_input,
        bare.context_length,
        bare.deprecation_date,
        bare.display_name,
    ) == (None, None, None, None, None)
    with pytest.raises(ResponseValidationError):
        models.parse_catalog_entry({"displayName": "no name"})


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"batchInferenceSupported": True}, True),
        ({"batchInferenceSupported": False}, False),
        ({"batch_inference_supported": True}, True),  # the guide's (firectl's) spelling
        ({"batchInferenceSupported": "true"}, None),  # not a boolean: not stated
        ({}, None),  # absent (the REST Model has no batch field): not stated
    ],
)
def test_catalog_entry_batch_flag(entry: dict[str, Any], expected: bool | None) -> None:
    info = models.parse_catalog_entry({"name": "accounts/fireworks/models/m", **entry})
    assert info.supports_batch is expected
    listed = models.parse_model_entry({"id": "m", **entry}, provider="fireworks")
    assert listed.supports_batch is expected


# The fields of the real Model resource: the official Fireworks SDK's Model type
# (https://github.com/fw-ai-external/python-sdk/blob/8399c127e558602d78782c96904b01e76fa14497/src/fireworks/types/model.py),
# in their JSON spelling. It has no batch flag in any version of that file.
SDK_MODEL_FIELDS = {
    "baseModelDetails", "calibrated", "cluster", "contextLength", "conversationConfig",
    "createTime", "defaultDraftModel", "defaultDraftTokenCount", "defaultSamplingParams",
    "deployedModelRefs", "deprecationDate", "description", "displayName", "fineTuningJob",
    "githubUrl", "huggingFaceUrl", "importedFrom", "kind", "name", "peftDetails", "public",
    "rlTunable", "snapshotType", "state", "status", "supportedPrecisions",
    "supportedPrecisionsWithCalibration", "supportsImageInput", "supportsLora",
    "supportsServerless", "supportsTools", "teftDetails", "trainingContextLength", "tunable",
    "updateTime", "useHfApplyChatTemplate",
}  # fmt: skip


def test_the_double_serves_catalog_entries_shaped_like_the_real_model() -> None:
    client = _double_client(WireDouble())
    entries = list(models.catalog(client))
    assert len(entries) == len(FIREWORKS_MODELS)
    for entry in entries:
        assert set(entry) <= SDK_MODEL_FIELDS, set(entry) - SDK_MODEL_FIELDS
        tail = entry["name"].rsplit("/", 1)[1]
        assert entry["supportsServerless"] is (tail not in NOT_SERVERLESS)
    retired_rows = ("qwen2p5-vl-32b-instruct", "deepseek-v3p1")  # retired: served False
    for tail in ("qwen3-embedding-8b", *retired_rows):
        found = models.find_model(client, f"accounts/fireworks/models/{tail}")
        if found is not None:  # the sample rows may change; the shape may not
            assert found.supports_batch is None
            assert found.supports_serverless is (tail not in NOT_SERVERLESS)


def test_openai_style_entry_reads_what_is_there() -> None:
    info = models.parse_model_entry(
        {
            "id": "accounts/fireworks/models/x",
            "object": "model",
            "owned_by": "fireworks",
            "kind": "HF_BASE_MODEL",
            "supports_chat": True,
            "context_length": 32768,
            "supports_image_input": False,
        },
        provider="fireworks",
    )
    assert (
        info.context_length,
        info.supports_image_input,
        info.supports_tools,
        info.kind,
        info.owned_by,
    ) == (32768, False, None, "HF_BASE_MODEL", "fireworks")
    firmware = models.parse_model_entry({"id": "openai/gpt-4o"}, provider="firmware")
    assert firmware.context_length is None and firmware.supports_tools is None
    with pytest.raises(ResponseValidationError):
        models.parse_model_entry({"object": "model"}, provider="firmware")


def test_filter_rules_leave_unknown_values_out() -> None:
    unknown = models.ModelInfo(id="m", provider="firmware")
    assert models.matches(unknown)
    for kwargs in (
        {"supports_tools": True},
        {"supports_tools": False},
        {"supports_image_input": True},
        {"min_context_length": 1},
        {"kind": "HF_BASE_MODEL"},
    ):
        assert not models.matches(unknown, **kwargs), kwargs
    known = models.ModelInfo(
        id="m",
        provider="fireworks",
        context_length=4096,
        supports_tools=False,
        kind="EMBEDDING_MODEL",
    )
    assert models.matches(
        known, supports_tools=False, kind="embedding_model", min_context_length=4096
    )
    assert not models.matches(known, min_context_length=4097)


def test_catalog_filter_string() -> None:
    assert models.catalog_filter() is None
    assert models.catalog_filter(
        supports_tools=False,
        supports_image_input=True,
        min_context_length=8192,
        kind="HF_BASE_MODEL",
    ) == (
        "supports_tools=false AND supports_image_input=true AND context_length>=8192 "
        'AND kind="HF_BASE_MODEL"'
    )


# ------------------------------------------------------------------ list_models


def _double_client(double: WireDouble, provider=FIREWORKS) -> Client:
    return Client(
        provider, api_key="test-key", env={}, http_client=httpx.Client(transport=double.transport())
    )


@pytest.fixture(autouse=True)
def _no_account_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIREWORKS_ACCOUNT_ID", raising=False)


def test_list_models_reads_every_page_of_the_catalog() -> None:
    rec = Recorder(pages(3))
    client, _ = make_client(rec)
    got = models.list_models(client, serverless=None)
    assert [m.id for m in got] == [
        f"accounts/fireworks/models/m{p}-{i}" for p in range(3) for i in range(2)
    ]
    assert all(isinstance(m, models.ModelInfo) for m in got)
    assert rec.calls == 3
    assert [r.url.params.get("pageToken") for r in rec.requests] == [None, "1", "2"]
    assert "filter" not in rec.requests[0].url.params


def test_repeated_page_token_is_an_error_not_a_loop() -> None:
    def same_token(request: httpx.Request, n: int) -> httpx.Response:
        return json_response(
            {"models": [{"name": f"accounts/fireworks/models/m{n}"}], "nextPageToken": "again"}
        )

    rec = Recorder(same_token)
    client, _ = make_client(rec)
    with pytest.raises(ResponseValidationError, match="twice"):
        models.list_models(client)
    assert rec.calls == 2


def test_account_comes_from_argument_then_env(monkeypatch: pytest.MonkeyPatch) -> None:
    rec = Recorder([json_response({"models": []})])
    client, _ = make_client(rec)
    monkeypatch.setenv("FIREWORKS_ACCOUNT_ID", "acme")
    models.list_models(client)
    models.list_models(client, account_id="other")
    assert [r.url.path for r in rec.requests] == [
        "/v1/accounts/acme/models",
        "/v1/accounts/other/models",
    ]


@pytest.mark.parametrize(
    ("kwargs", "server_filter", "expected"),
    [
        (
            {"supports_tools": False},
            "supports_tools=false",
            {r[0] for r in FIREWORKS_MODELS if not r[3]} - NOT_SERVERLESS,
        ),
        (
            {"supports_image_input": True},
            "supports_image_input=true",
            {r[0] for r in FIREWORKS_MODELS if r[4]} - NOT_SERVERLESS,
        ),
        (
            {"min_context_length": 200_000},
            "context_length>=200000",
            {r[0] for r in FIREWORKS_MODELS if r[2] >= 200_000} - NOT_SERVERLESS,
        ),
        (
            {"kind": "EMBEDDING_MODEL"},
            'kind="EMBEDDING_MODEL"',
            {r[0] for r in FIREWORKS_MODELS if r[5] == "EMBEDDING_MODEL"} - NOT_SERVERLESS,
        ),
        (
            {"supports_tools": True, "min_context_length": 150_000},
            "supports_tools=true AND context_length>=150000",
            {r[0] for r in FIREWORKS_MODELS if r[3] and r[2] >= 150_000} - NOT_SERVERLESS,
        ),
    ],
)
def test_each_filter_is_sent_and_honoured(
    kwargs: dict[str, Any], server_filter: str, expected: set[str]
) -> None:
    double = WireDouble()
    # the public catalog lists only serverless models by default (``serverless="auto"``)
    got = models.list_models(_double_client(double), **kwargs)
    assert {m.id.rsplit("/", 1)[1] for m in got} == expected and expected
    assert httpx.URL(double.requests[0].url).params["filter"] == server_filter


def test_filters_are_applied_client_side_when_the_server_ignores_them() -> None:
    everything = {
        "models": [
            {"name": "accounts/fireworks/models/a", "supportsTools": True, "contextLength": 8192},
            {"name": "accounts/fireworks/models/b", "supportsTools": False, "contextLength": 8192},
            {"name": "accounts/fireworks/models/c", "contextLength": 8192},  # tools unknown
        ]
    }
    client, _ = make_client(Recorder([json_response(everything)]))
    listed = models.list_models(client, supports_tools=True, serverless=None)
    assert [m.id[-1] for m in listed] == ["a"]
    listed = models.list_models(client, supports_tools=False, serverless=None)
    assert [m.id[-1] for m in listed] == ["b"]


def test_a_refused_server_filter_falls_back_to_client_side() -> None:
    def script(request: httpx.Request, n: int) -> httpx.Response:
        if "filter" in request.url.params:
            return json_response(
                {"error": {"message": "unknown field", "code": "INVALID_ARGUMENT"}}, status=400
            )
        return json_response(
            {
                "models": [
                    {"name": "accounts/fireworks/models/a", "supportsImageInput": True},
                    {"name": "accounts/fireworks/models/b", "supportsImageInput": False},
                ]
            }
        )

    rec = Recorder(script)
    client, _ = make_client(rec)
    listed = models.list_models(client, supports_image_input=True, serverless=None)
    assert [m.id[-1] for m in listed] == ["a"]
    assert rec.calls == 2
    rec2 = Recorder(script)
    client, _ = make_client(rec2)
    models.list_models(client, supports_image_input=True, server_filter=False, serverless=None)
    assert rec2.calls == 1 and "filter" not in rec2.requests[0].url.params


def test_firmware_list_models_filters_client_side() -> None:
    double = WireDouble()
    client = _double_client(double, FIRMWARE)
    every = models.list_models(client)
    assert {"openai/gpt-4o", "voyage-4"} <= {m.id for m in every}
    assert all(m.provider == "firmware" and m.supports_tools is None for m in every)
    big = models.list_models(client, min_context_length=1_000_000)
    assert {m.id for m in big} == {
        "google/gemini-3-pro-preview",
        "google/gemini-2.5-flash",
        "xai/grok-4-fast-reasoning",
    }
    assert models.list_models(client, supports_tools=True) == []  # unknown is not "yes"
    assert all(r.path == "/api/v1/models" and "filter" not in r.url for r in double.requests)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"supports_tools": "yes"},
        {"min_context_length": 0},
        {"min_context_length": True},
        {"kind": 'X" OR name="y'},
        {"max_pages": 0},
        {"account_id": "bad/account"},
    ],
)
def test_bad_arguments_fail_before_any_request(kwargs: dict[str, Any]) -> None:
    rec = Recorder([json_response({"models": []})])
    client, _ = make_client(rec)
    with pytest.raises(ConfigurationError):
        models.list_models(client, **kwargs)
    assert rec.calls == 0


def test_account_id_on_firmware_is_refused() -> None:
    rec = Recorder([json_response({"data": []})])
    client, _ = make_client(rec, provider=FIRMWARE)
    with pytest.raises(ConfigurationError):
        models.list_models(client, account_id="fireworks")
    assert rec.calls == 0


def test_find_model() -> None:
    double = WireDouble()
    client = _double_client(double)
    info = models.find_model(client, "accounts/fireworks/models/kimi-k2-instruct-0905")
    assert info is not None and info.context_length == 262144
    assert httpx.URL(double.requests[-1].url).params["filter"] == (
        'name="accounts/fireworks/models/kimi-k2-instruct-0905"'
    )
    assert models.find_model(client, "accounts/fireworks/models/nope") is None
    n = len(double.requests)
    assert models.find_model(client, "accounts/me/deployments/d1") is None
    assert len(double.requests) == n  # a deployment has no catalog entry: no request
    fm = _double_client(double, FIRMWARE)
    found = models.find_model(fm, "gpt-4o")
    assert found is not None and found.id == "openai/gpt-4o"


def _async_double_client(double: WireDouble, provider=FIREWORKS) -> AsyncClient:
    return AsyncClient(
        provider,
        api_key="test-key",
        env={},
        http_client=httpx.AsyncClient(transport=double.async_transport()),
    )


async def test_async_list_models_and_find() -> None:
    double = WireDouble()
    client = _async_double_client(double)
    got = await models.alist_models(client, supports_image_input=True, min_context_length=200_000)
    assert [m.id for m in got] == [
        "accounts/fireworks/models/llama4-maverick-instruct-basic",
        "accounts/fireworks/models/kimi-k3",
    ]
    fm = _async_double_client(double, FIRMWARE)
    assert len(await models.alist_models(fm)) == len(
        models.list_model_entries(_double_client(double, FIRMWARE))
    )
    info = await models.afind_model(client, "accounts/fireworks/models/glm-4p5")
    assert info is not None and info.display_name == "GLM-4.5"
    rec = AsyncRecorder(
        lambda request, n: json_response(
            {"models": [{"name": f"accounts/fireworks/models/m{n}"}], "nextPageToken": "t"}
        )
    )
    looping, _ = make_async_client(rec)
    with pytest.raises(ResponseValidationError):
        await models.alist_models(looping)


def test_the_double_refuses_a_filter_it_does_not_understand() -> None:
    http = httpx.Client(transport=WireDouble().transport())
    url = "https://api.fireworks.ai/v1/accounts/fireworks/models"
    r = http.get(url, params={"filter": "colour=blue"}, headers={"Authorization": "Bearer k"})
    assert r.status_code == 400 and "colour" in r.text
    r = http.get(
        url,
        params={"filter": 'name="accounts/fireworks/models/glm-4p5"'},
        headers={"Authorization": "Bearer k"},
    )
    assert [m["name"] for m in r.json()["models"]] == ["accounts/fireworks/models/glm-4p5"]


def test_kind_is_sent_in_the_enum_spelling() -> None:
    double = WireDouble()
    got = models.list_models(_double_client(double), kind="embedding_model")
    assert {m.id.rsplit("/", 1)[1] for m in got} == {"qwen3-embedding-8b", "nomic-embed-text-v1p5"}
    assert httpx.URL(double.requests[0].url).params["filter"] == 'kind="EMBEDDING_MODEL"'


# ------------------------------------------------------------------ serverless filter
# supportsServerless is the signal that tracks retirements: Kiln-AI/Kiln PR 1790 found every
# retired Fireworks model reporting false (still state READY) and every served one true
# (https://github.com/Kiln-AI/Kiln/pull/1790).


def test_the_public_catalog_lists_serverless_models_by_default() -> None:
    double = WireDouble()
    client = _double_client(double)
    served = {m.id.rsplit("/", 1)[1] for m in models.list_models(client)}
    every = {m.id.rsplit("/", 1)[1] for m in models.list_models(client, serverless=None)}
    retired = {m.id.rsplit("/", 1)[1] for m in models.list_models(client, serverless=False)}
    assert every == {r[0] for r in FIREWORKS_MODELS}
    assert served == every - NOT_SERVERLESS and served
    assert retired == every & NOT_SERVERLESS
    assert models.list_models(client, serverless=True) == models.list_models(client)
    # applied to the answer, not sent: the request is the same either way
    assert len({r.url for r in double.requests}) == 1


def test_serverless_reads_the_flag_and_a_missing_one_is_not_serverless() -> None:
    listing = {
        "models": [
            {"name": "accounts/fireworks/models/a", "supportsServerless": True},
            {"name": "accounts/fireworks/models/b", "supportsServerless": False},
            {"name": "accounts/fireworks/models/c"},  # proto3 JSON leaves a false bool out
        ]
    }
    client, _ = make_client(Recorder(lambda request, n: json_response(listing)))
    assert [m.id[-1] for m in models.list_models(client)] == ["a"]
    assert [m.id[-1] for m in models.list_models(client, serverless=False)] == ["b", "c"]
    assert models.list_models(client, serverless=None)[0].supports_serverless is True


def test_another_account_is_not_filtered_unless_asked() -> None:
    listing = {"models": [{"name": "accounts/acme/models/ft-1"}]}  # own models: no flag
    client, _ = make_client(Recorder(lambda request, n: json_response(listing)))
    assert [m.id for m in models.list_models(client, account_id="acme")] == [
        "accounts/acme/models/ft-1"
    ]
    assert models.list_models(client, account_id="acme", serverless=True) == []


async def test_async_list_models_filters_serverless_too() -> None:
    double = WireDouble()
    client = AsyncClient(
        FIREWORKS,
        api_key="test-key",
        env={},
        http_client=httpx.AsyncClient(transport=double.async_transport()),
    )
    got = {m.id.rsplit("/", 1)[1] for m in await models.alist_models(client)}
    assert got == {r[0] for r in FIREWORKS_MODELS} - NOT_SERVERLESS


def test_bad_serverless_values_are_refused_before_any_request() -> None:
    double = WireDouble()
    with pytest.raises(ConfigurationError, match="serverless must be"):
        models.list_models(_double_client(double), serverless="yes")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="Fireworks catalog only"):
        models.list_models(_double_client(double, FIRMWARE), serverless=True)
    assert double.requests == []
