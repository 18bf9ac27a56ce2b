"""FLUX Kontext: the async workflow (submit, poll ``get_result``), not ``/text_to_image``.

The wire shapes are those of Fireworks' API reference (docs/wire.md §1.14):
https://docs.fireworks.ai/api-reference/generate-or-edit-image-using-flux-kontext and
https://docs.fireworks.ai/api-reference/get-generated-image-from-flux-kontex
(statuses Pending / Ready / Error / Request Moderated / Content Moderated / Task not found).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from fw_core import FIREWORKS, AsyncClient, Client
from fw_core import errors as fe
from fw_core.endpoints.images import (
    ContentFilteredError,
    agenerate_image,
    build_request,
    check_image_options,
    generate_image,
)
from fw_core.endpoints.kontext import (
    KontextTimeoutError,
    KontextWorkflowError,
    get_kontext_result,
    read_request_id,
    read_status,
)
from fw_core.testing import Fault, WireDouble
from fw_core.testing.kontext import DELIVERY_HOST

FAST = {"poll_interval": 0.001}
SUBMIT = "/inference/v1/workflows/accounts/fireworks/models/flux-kontext-pro"


def _client(double: WireDouble) -> Client:
    return Client(
        FIREWORKS, api_key="test-key", http_client=httpx.Client(transport=double.transport())
    )


def _aclient(double: WireDouble) -> AsyncClient:
    return AsyncClient(
        FIREWORKS,
        api_key="test-key",
        http_client=httpx.AsyncClient(transport=double.async_transport()),
    )


def test_submit_then_poll_then_fetch_the_sample_without_the_key() -> None:
    double = WireDouble()
    double.kontext.pending_polls = 2
    image = generate_image(
        _client(double),
        "a red fox",
        model="flux-kontext-pro",
        aspect_ratio="16:9",
        seed=11,
        kontext=FAST,
    )
    assert image.finish_reason == "SUCCESS" and image.seed == 11
    assert image.mime_type == "image/png" and image.size == (114, 64)
    assert image.request_id and image.model.endswith("/flux-kontext-pro")
    paths = [(r.method, r.path) for r in double.requests]
    assert paths[0] == ("POST", SUBMIT)  # no /text_to_image
    assert paths[1:4] == [("POST", SUBMIT + "/get_result")] * 3  # 2 pending, then ready
    assert double.requests[0].json == {
        "prompt": "a red fox",
        "output_format": "png",
        "aspect_ratio": "16:9",
        "seed": 11,
    }
    assert double.requests[1].json == {"id": image.request_id}
    fetch = double.requests[-1]
    assert fetch.method == "GET" and DELIVERY_HOST in fetch.url
    assert "authorization" not in fetch.headers  # the signed URL is the grant


def test_async_kontext_max_with_a_base64_sample_and_jpeg() -> None:
    double = WireDouble()
    double.kontext.sample_form = "base64"

    async def run() -> Any:
        return await agenerate_image(
            _aclient(double),
            "a blue door",
            model="flux-kontext-max",
            output_format="jpeg",
            kontext=FAST,
        )

    image = asyncio.run(run())
    assert image.mime_type == "image/jpeg" and image.image[:2] == b"\xff\xd8"
    assert image.size == (64, 64)
    assert not any(r.method == "GET" for r in double.requests)


def test_input_image_and_tolerance_go_through_extra_body() -> None:
    double = WireDouble()
    generate_image(
        _client(double),
        "make the sky green",
        model="flux-kontext-pro",
        extra_body={"input_image": "https://example.com/in.png", "safety_tolerance": 2},
        kontext=FAST,
    )
    body = double.requests[0].json
    assert body["input_image"] == "https://example.com/in.png" and body["safety_tolerance"] == 2


@pytest.mark.parametrize("aio", [False, True])
def test_moderated_status_is_a_content_filtered_error(aio: bool) -> None:
    double = WireDouble()
    with pytest.raises(ContentFilteredError) as info:
        if aio:
            asyncio.run(
                agenerate_image(
                    _aclient(double), "an unsafe scene", model="flux-kontext-pro", kontext=FAST
                )
            )
        else:
            generate_image(
                _client(double), "an unsafe scene", model="flux-kontext-pro", kontext=FAST
            )
    assert "Content Moderated" in str(info.value)
    assert info.value.result.content_filtered and info.value.request_id


def test_moderated_without_raising_returns_a_filtered_result() -> None:
    double = WireDouble()
    result = generate_image(
        _client(double),
        "an unsafe scene",
        model="flux-kontext-pro",
        raise_on_filter=False,
        kontext=FAST,
    )
    assert result.content_filtered and result.image == b""


@pytest.mark.parametrize("aio", [False, True])
def test_error_status_is_a_typed_workflow_error(aio: bool) -> None:
    double = WireDouble()
    with pytest.raises(KontextWorkflowError) as info:
        if aio:
            asyncio.run(
                agenerate_image(
                    _aclient(double),
                    "please fail-workflow now",
                    model="flux-kontext-pro",
                    kontext=FAST,
                )
            )
        else:
            generate_image(
                _client(double), "please fail-workflow now", model="flux-kontext-pro", kontext=FAST
            )
    assert info.value.code == "Error" and info.value.details
    assert not isinstance(info.value, KontextTimeoutError)


@pytest.mark.parametrize("aio", [False, True])
def test_a_job_that_never_finishes_times_out_within_the_bound(aio: bool) -> None:
    double = WireDouble()
    double.kontext.pending_polls = 10**6
    waits = {"max_wait": 0.2, "poll_interval": 0.01}
    started = time.monotonic()
    with pytest.raises(KontextTimeoutError) as info:
        if aio:
            asyncio.run(
                agenerate_image(_aclient(double), "x", model="flux-kontext-pro", kontext=waits)
            )
        else:
            generate_image(_client(double), "x", model="flux-kontext-pro", kontext=waits)
    assert time.monotonic() - started < 2.0
    assert info.value.request_id and "Pending" in str(info.value)
    # the job can be looked up later by its id
    later = get_kontext_result(_client(double), info.value.request_id)
    assert later["status"] == "Pending"


def test_an_unknown_status_is_waited_on_like_pending() -> None:
    double = WireDouble()
    double.inject(
        Fault.wrong_shape({"id": "kontext-000000", "status": "Queued", "result": None}),
        path="/get_result",
    )
    image = generate_image(_client(double), "a red fox", model="flux-kontext-pro", kontext=FAST)
    assert image.finish_reason == "SUCCESS"


def test_unknown_request_id_is_task_not_found() -> None:
    assert get_kontext_result(_client(WireDouble()), "nope")["status"] == "Task not found"


def test_a_400_on_submit_is_the_servers_typed_error() -> None:
    double = WireDouble()
    with pytest.raises(fe.UnsupportedParameterError):
        generate_image(
            _client(double), "x", model="flux-kontext-pro", extra_body={"steps": 4}, kontext=FAST
        )
    assert len(double.requests) == 1


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"guidance_scale": 3.5}, "guidance_scale is not an option"),
        ({"num_inference_steps": 4}, "num_inference_steps"),
        ({"safety_check": False}, "safety_tolerance"),
        ({"wire_format": "binary"}, "wire_format"),
        ({"kontext": {"max_wait": 0}}, "max_wait must be a positive"),
        ({"kontext": {"timeout": 3}}, "max_wait and poll_interval"),
        ({"seed": -1}, "seed"),
    ],
)
def test_options_kontext_does_not_take_fail_before_any_request(
    kwargs: dict[str, Any], words: str
) -> None:
    double = WireDouble()
    with pytest.raises(fe.ConfigurationError, match=words):
        generate_image(_client(double), "x", model="flux-kontext-pro", **kwargs)
    assert double.requests == []


def test_construction_time_check_and_no_text_to_image_request() -> None:
    with pytest.raises(fe.ConfigurationError, match="guidance_scale"):
        check_image_options(model="flux-kontext-max", guidance_scale=2.0)
    assert check_image_options(model="flux-kontext-max").endswith("/flux-kontext-max")
    with pytest.raises(fe.ConfigurationError, match="async workflow"):
        build_request("x", model="flux-kontext-pro")


def test_reading_the_answers() -> None:
    assert read_request_id({"request_id": "a"}) == "a"
    assert read_request_id({"id": "b"}) == "b"
    with pytest.raises(fe.ResponseValidationError):
        read_request_id({"status": "ok"})
    assert read_status({"status": "Ready", "result": {"sample": "u"}}) == ("Ready", {"sample": "u"})
    with pytest.raises(fe.ResponseValidationError):
        read_status({"result": None})


def test_both_frameworks_image_tools_run_kontext(tmp_path: Any) -> None:
    from langchain_fw.tools import FireworksImageGeneration
    from llamaindex_fw.tools import FireworksImageToolSpec

    double = WireDouble()
    double.kontext.pending_polls = 0  # ready on the first poll: no sleep in this test
    http = httpx.Client(transport=double.transport())
    lc = FireworksImageGeneration(
        api_key="test-key", http_client=http, model="flux-kontext-pro", output_dir=tmp_path
    )
    assert "Generated a PNG image" in lc.invoke({"prompt": "a red fox", "aspect_ratio": "1:1"})
    li = FireworksImageToolSpec(
        api_key="test-key", http_client=http, model="flux-kontext-max", output_dir=tmp_path
    )
    assert "Generated a PNG image" in str(li.generate_image("a red fox"))
    submits = [
        r.path for r in double.requests if r.method == "POST" and not r.path.endswith("get_result")
    ]
    assert [p.rsplit("/", 1)[-1] for p in submits] == ["flux-kontext-pro", "flux-kontext-max"]
