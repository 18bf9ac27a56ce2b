"""fw_core.endpoints.images: the request it sends, the answers it reads, the errors it raises.

Against the wire double in-process (every request is inspected), plus pure-function checks
of the answer shapes the double does not produce (data URLs, an empty filtered list, a
binary answer without a Finish-Reason header), and a record/replay round trip of a binary
image body through the shared vcrpy options.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import httpx
import pytest
import vcr

from fw_core import FIREWORKS, FIRMWARE, AsyncClient, Client
from fw_core.endpoints.images import (
    ASPECT_RATIOS,
    ContentFilteredError,
    ImageResult,
    agenerate_image,
    build_request,
    generate_image,
    parse_image_response,
)
from fw_core.endpoints.images import image_size as header_size
from fw_core.errors import (
    APIError,
    ConfigurationError,
    NotFoundError,
    PreconditionFailedError,
    ResponseValidationError,
)
from fw_core.testing import Fault, WireDouble, patch_transports
from fw_core.testing.cassettes import register_matchers, vcr_options
from fw_core.testing.images import image_size
from tests.unit.test_double_images import decode_png, jpeg_size

PATH = "/inference/v1/workflows/accounts/fireworks/models/flux-1-schnell-fp8/text_to_image"


@pytest.fixture
def double() -> WireDouble:
    return WireDouble()


@pytest.fixture
def client(double: WireDouble) -> Client:
    c = Client(
        FIREWORKS, api_key="test-key", http_client=httpx.Client(transport=double.transport())
    )
    c._sleep = lambda _s: None
    return c


# ------------------------------------------------------------------ request


def test_default_request_asks_for_json_with_a_png_inside(
    client: Client, double: WireDouble
) -> None:
    result = generate_image(
        client,
        "a red fox",
        aspect_ratio="16:9",
        guidance_scale=3.5,
        num_inference_steps=4,
        seed=11,
        safety_check=True,
    )
    rec = double.requests[0]
    assert rec.method == "POST" and rec.path == PATH
    assert rec.headers["accept"] == "application/json"
    assert rec.headers["json-return-image-accept"] == "image/png"
    assert rec.headers["content-type"] == "application/json"
    assert rec.json == {
        "prompt": "a red fox",
        "aspect_ratio": "16:9",
        "guidance_scale": 3.5,
        "num_inference_steps": 4,
        "seed": 11,
        "safety_check": True,
    }
    assert result.finish_reason == "SUCCESS" and not result.content_filtered
    assert result.seed == 11 and result.mime_type == "image/png"
    assert result.request_id == rec.headers.get("x-request-id", result.request_id)


def test_only_the_prompt_is_sent_when_nothing_else_is_set(
    client: Client, double: WireDouble
) -> None:
    generate_image(client, "a red fox")
    assert double.requests[0].json == {"prompt": "a red fox"}


@pytest.mark.parametrize(
    ("output_format", "mime"), [("png", "image/png"), ("jpeg", "image/jpeg"), ("JPG", "image/jpeg")]
)
def test_binary_wire_format_sends_the_image_accept(
    client: Client, double: WireDouble, output_format: str, mime: str
) -> None:
    result = generate_image(
        client, "a red fox", output_format=output_format, wire_format="binary", seed=3
    )
    assert double.requests[0].headers["accept"] == mime
    assert "json-return-image-accept" not in double.requests[0].headers
    assert result.mime_type == mime
    assert result.seed == 3 and result.finish_reason == "SUCCESS"  # from the headers


@pytest.mark.parametrize(
    ("model", "path"),
    [
        ("flux-1-dev-fp8", "/accounts/fireworks/models/flux-1-dev-fp8/"),
        ("accounts/fireworks/models/flux-1-dev-fp8", "/accounts/fireworks/models/flux-1-dev-fp8/"),
    ],
)
def test_short_and_full_model_ids_give_the_same_url(
    client: Client, double: WireDouble, model: str, path: str
) -> None:
    result = generate_image(client, "x", model=model)
    assert double.requests[0].path == f"/inference/v1/workflows{path}text_to_image"
    assert result.model == "accounts/fireworks/models/flux-1-dev-fp8"


def test_a_model_of_another_account_keeps_its_account(client: Client, double: WireDouble) -> None:
    with pytest.raises(NotFoundError):
        generate_image(client, "x", model="accounts/acme/models/my-flux")
    assert double.requests[0].path.endswith("/workflows/accounts/acme/models/my-flux/text_to_image")


def test_extra_body_is_merged(client: Client, double: WireDouble) -> None:
    with pytest.raises(APIError):  # the double, like the strict endpoints, refuses it
        generate_image(client, "x", extra_body={"negative_prompt": "blur"})
    assert double.requests[0].json == {"prompt": "x", "negative_prompt": "blur"}


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"prompt": ""}, "prompt"),
        ({"prompt": "   "}, "prompt"),
        ({"prompt": None}, "prompt"),
        # the ratio's type is ours; which ratios exist is the server's (test_tolerant_reader)
        ({"aspect_ratio": 16}, "aspect_ratio"),
        ({"aspect_ratio": ""}, "aspect_ratio"),
        ({"guidance_scale": -1}, "guidance_scale"),
        ({"guidance_scale": float("nan")}, "guidance_scale"),
        ({"guidance_scale": "3.5"}, "guidance_scale"),
        ({"num_inference_steps": 0}, "num_inference_steps"),
        ({"num_inference_steps": 2.5}, "num_inference_steps"),
        ({"num_inference_steps": True}, "num_inference_steps"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"seed": 2**40}, "seed"),
        ({"safety_check": "yes"}, "safety_check"),
        ({"output_format": "gif"}, "output_format"),
        ({"wire_format": "xml"}, "wire_format"),
        ({"model": "accounts/fireworks/deployments/abc"}, "image model"),
        ({"model": "has space"}, "whitespace"),
        ({"extra_body": ["not", "a", "dict"]}, "extra_body"),
    ],
)
def test_bad_input_fails_before_any_request(
    client: Client, double: WireDouble, kwargs: dict[str, Any], fragment: str
) -> None:
    args: dict[str, Any] = {"prompt": "a red fox", **kwargs}
    prompt = args.pop("prompt")
    with pytest.raises(ConfigurationError, match=fragment):
        generate_image(client, prompt, **args)
    assert len(double.requests) == 0


def test_firmware_client_is_refused_before_any_request() -> None:
    double = WireDouble()
    firmware = Client(
        FIRMWARE, api_key="test-key", http_client=httpx.Client(transport=double.transport())
    )
    with pytest.raises(ConfigurationError, match="Fireworks"):
        generate_image(firmware, "a red fox")
    assert len(double.requests) == 0


def test_every_documented_aspect_ratio_is_accepted() -> None:
    for ratio in ASPECT_RATIOS:
        assert build_request("x", aspect_ratio=ratio).body["aspect_ratio"] == ratio


# ------------------------------------------------------------------ answers


@pytest.mark.parametrize("wire_format", ["json", "binary"])
@pytest.mark.parametrize("ratio", ["1:1", "16:9", "9:21", "3:4"])
def test_png_bytes_decode_with_the_ratio_s_dimensions(
    client: Client, wire_format: str, ratio: str
) -> None:
    result = generate_image(client, "a red fox", aspect_ratio=ratio, wire_format=wire_format)  # type: ignore[arg-type]
    width, height, _rows = decode_png(result.image)
    assert (width, height) == image_size(ratio)
    assert result.size == (width, height)  # read from the header by fw_core itself
    a, b = (int(x) for x in ratio.split(":"))
    assert abs(width / height - a / b) < 0.02


def test_jpeg_through_the_json_form(client: Client, double: WireDouble) -> None:
    result = generate_image(client, "a red fox", output_format="jpeg", aspect_ratio="4:3")
    assert double.requests[0].headers["json-return-image-accept"] == "image/jpeg"
    assert result.mime_type == "image/jpeg" and result.suffix == ".jpg"
    assert jpeg_size(result.image) == image_size("4:3") == result.size


def test_b64_data_url_and_save(client: Client, tmp_path: Path) -> None:
    result = generate_image(client, "a red fox", seed=5)
    assert base64.b64decode(result.b64) == result.image
    assert result.data_url.startswith("data:image/png;base64,")
    path = result.save(tmp_path / "sub" / "fox.png")
    assert path.read_bytes() == result.image
    in_dir = result.save(tmp_path)
    assert in_dir.parent == tmp_path and in_dir.name.startswith("image-5-")
    assert in_dir.suffix == ".png" and in_dir.read_bytes() == result.image


def test_image_size_reads_webp_headers_and_refuses_junk() -> None:
    vp8x = (
        b"RIFF\x00\x00\x00\x00WEBPVP8X"
        + bytes(8)
        + (639).to_bytes(3, "little")
        + (479).to_bytes(3, "little")
    )
    assert header_size(vp8x) == (640, 480)
    lossless = (
        b"RIFF\x00\x00\x00\x00WEBPVP8L" + bytes(5) + ((99) | (49 << 14)).to_bytes(4, "little")
    )
    assert header_size(lossless) == (100, 50)
    assert header_size(b"GIF89a") is None and header_size(b"") is None
    assert header_size(b"\xff\xd8\xff\xe0\x00") is None  # a JPEG cut before its frame
    assert ImageResult(image=b"", mime_type="image/png").size is None


def _req(wire_format: str = "json") -> Any:
    return build_request("x", wire_format=wire_format)  # type: ignore[arg-type]


def test_a_data_url_item_is_read_and_its_type_kept() -> None:
    png = generate_png()
    payload = {
        "id": "i1",
        "base64": ["data:image/png;base64," + base64.b64encode(png).decode()],
        "finishReason": "SUCCESS",
        "seed": 12,
    }
    result = parse_image_response(_req(), 200, httpx.Headers(), b"{}", payload)
    assert result.image == png and result.seed == 12 and result.request_id == "i1"


def generate_png() -> bytes:
    from fw_core.testing.images import png_bytes

    return png_bytes(2, 2, (1, 2, 3))


@pytest.mark.parametrize(
    "payload",
    [
        {"base64": [], "finishReason": "SUCCESS", "seed": 1},
        {"base64": ["%%%"], "finishReason": "SUCCESS", "seed": 1},
        {"finishReason": "SUCCESS"},
        {"base64": ["aGk="]},
        ["not", "an", "object"],
    ],
)
def test_unusable_json_answers_are_response_validation_errors(payload: Any) -> None:
    with pytest.raises(ResponseValidationError):
        parse_image_response(_req(), 200, httpx.Headers(), b"{}", payload)


def test_binary_answer_without_finish_reason_header_is_unknown_not_success() -> None:
    headers = httpx.Headers({"content-type": "image/png"})
    result = parse_image_response(_req("binary"), 200, headers, generate_png())
    assert result.finish_reason is None and not result.content_filtered and result.seed is None


# ------------------------------------------------------------------ content filter


@pytest.mark.parametrize("wire_format", ["json", "binary"])
def test_filtered_image_raises_by_default(client: Client, wire_format: str) -> None:
    with pytest.raises(ContentFilteredError) as info:
        generate_image(client, "an unsafe picture", wire_format=wire_format)  # type: ignore[arg-type]
    err = info.value
    assert err.code == "CONTENT_FILTERED" and err.status_code == 200 and err.request_id
    assert err.result.content_filtered and err.result.finish_reason == "CONTENT_FILTERED"
    assert isinstance(err, APIError)


def test_filtered_image_returned_when_asked_and_never_saved(client: Client, tmp_path: Path) -> None:
    result = generate_image(client, "an unsafe picture", raise_on_filter=False)
    assert result.content_filtered
    with pytest.raises(ContentFilteredError):
        result.raise_for_filter()
    with pytest.raises(ContentFilteredError):
        result.save(tmp_path / "x.png")
    assert not list(tmp_path.iterdir())


def test_filtered_answer_with_an_empty_list_is_read() -> None:
    payload = {"base64": [], "finishReason": "CONTENT_FILTERED", "seed": 4}
    result = parse_image_response(_req(), 200, httpx.Headers(), b"{}", payload)
    assert result.content_filtered and result.image == b""
    with pytest.raises(ContentFilteredError):
        result.raise_for_filter()


def test_image_result_repr_leaves_the_bytes_out() -> None:
    r = ImageResult(b"x" * 10_000, "image/png", seed=1, finish_reason="SUCCESS")
    assert len(repr(r)) < 300


# ------------------------------------------------------------------ errors


# The body of tests/data/real_captures/fw_error_412_account_suspended_workflows_PARTIAL.yaml
# (account name replaced).
SUSPENDED = {
    "error": {
        "message": "Account example is suspended, possibly due to reaching the "
        "monthly spending limit or failure to pay past invoices. Please go to "
        "https://fireworks.ai/account/billing for more information.",
        "param": None,
        "code": "PRECONDITION_FAILED",
        "type": "error",
    },
    "request_id": "11650e2f-ff1b-4aac-9719-98006adf7349",
}


def test_the_real_412_maps_to_precondition_failed_and_is_not_retried(
    client: Client, double: WireDouble
) -> None:
    double.inject(Fault.status(412, body=SUSPENDED, headers={"x-request-id": ""}), times=3)
    with pytest.raises(PreconditionFailedError) as info:
        generate_image(client, "a red fox")
    err = info.value
    assert err.status_code == 412 and err.code == "PRECONDITION_FAILED"
    assert "suspended" in err.message
    assert err.request_id == "11650e2f-ff1b-4aac-9719-98006adf7349"
    assert double.count("/text_to_image") == 1


def test_503_is_retried_then_served(client: Client, double: WireDouble) -> None:
    double.inject(Fault.status(503), times=1)
    assert generate_image(client, "a red fox").finish_reason == "SUCCESS"
    assert double.count("/text_to_image") == 2


# ------------------------------------------------------------------ async


async def test_async_path(tmp_path: Path) -> None:
    double = WireDouble()
    aclient = AsyncClient(
        FIREWORKS,
        api_key="test-key",
        http_client=httpx.AsyncClient(transport=double.async_transport()),
    )
    result = await agenerate_image(
        aclient, "a red fox", aspect_ratio="21:9", seed=8, wire_format="binary"
    )
    assert decode_png(result.image)[:2] == image_size("21:9") and result.seed == 8
    saved = await result.asave(tmp_path / "fox.png")
    assert saved.read_bytes() == result.image
    with pytest.raises(ContentFilteredError):
        await agenerate_image(aclient, "unsafe")
    with pytest.raises(ConfigurationError):
        await agenerate_image(aclient, "x", seed=-3)
    assert len(double.requests) == 2


# ------------------------------------------------------------------ cassettes


def test_binary_image_bodies_record_and_replay_with_the_shared_vcr_options(tmp_path: Path) -> None:
    cassette = str(tmp_path / "image.yaml")
    recorder = register_matchers(vcr.VCR(**vcr_options()))
    with patch_transports(WireDouble()), recorder.use_cassette(cassette, record_mode="once"):
        client = Client(FIREWORKS, api_key="test-key")
        png = generate_image(client, "a red fox", wire_format="binary", seed=1)
        jpeg = generate_image(
            client, "a red fox", wire_format="binary", seed=1, output_format="jpeg"
        )
        client.close()
    text = Path(cassette).read_text()
    assert "test-key" not in text and "!!binary" in text
    with recorder.use_cassette(cassette, record_mode="none"):
        client = Client(FIREWORKS, api_key="test-key")
        again = generate_image(client, "a red fox", wire_format="binary", seed=1)
        again_jpeg = generate_image(
            client, "a red fox", wire_format="binary", seed=1, output_format="jpeg"
        )
        client.close()
    assert again.image == png.image and again.finish_reason == "SUCCESS" and again.seed == 1
    assert again_jpeg.image == jpeg.image and again_jpeg.mime_type == "image/jpeg"


# ------------------------------------------------------------------ docs


@pytest.mark.filterwarnings("ignore::DeprecationWarning:inspect")  # llama-index core noise
def test_the_examples_in_docs_images_md_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    doc = (Path(__file__).resolve().parents[2] / "docs" / "images.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", doc, re.DOTALL)
    assert len(blocks) == 4
    monkeypatch.chdir(tmp_path)
    with patch_transports(WireDouble()) as double:
        for i, block in enumerate(blocks):
            exec(compile(block, f"docs/images.md[{i}]", "exec"), {})
    assert (tmp_path / "lighthouse.png").read_bytes()[:4] == b"\x89PNG"
    assert double.count("/text_to_image") == 1
    # the FLUX Kontext example: submitted, polled, its sample fetched and saved
    assert (tmp_path / "cat-in-space.png").read_bytes()[:4] == b"\x89PNG"
    assert double.count("/get_result") >= 1


def test_every_planned_argument_is_a_keyword_of_both_calls() -> None:
    """generate_image / agenerate_image hand their arguments to the pure ``_plan`` by name
    (their ``locals()``): a name ``_plan`` reads that either signature lacks would fail
    every call, so each must be a keyword-only parameter of both."""
    import inspect

    from fw_core.endpoints import images

    read = {*images._OPTIONS, *images._KONTEXT_ARGUMENTS, "extra_body", "kontext"}
    for call in (images.generate_image, images.agenerate_image):
        params = inspect.signature(call).parameters
        keywords = {n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
        assert read <= keywords, call.__name__
        assert "prompt" in params
