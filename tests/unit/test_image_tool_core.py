"""fw_core.kit.image_tool: the settings and call sequence both frameworks' image tools share.

Runs against the wire double in-process; the adapters' own tests cover the framework side.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any, get_args

import httpx
import pytest

from fw_core import FIREWORKS, AsyncClient, Client
from fw_core.endpoints.images import ASPECT_RATIOS, AspectRatio, ImageResult, describe_image
from fw_core.errors import ConfigurationError, NotFoundError
from fw_core.kit.image_tool import UNSAVED, ImageToolSettings, ToolImage
from fw_core.testing import WireDouble
from fw_core.testing import images as double_images
from fw_core.testing.images import image_size
from tests.unit.test_double_images import decode_png, jpeg_size

FULL = "accounts/fireworks/models/flux-1-schnell-fp8"


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


def _ok(image: bytes = b"x") -> ImageResult:
    return ImageResult(image, "image/png", seed=7, finish_reason="SUCCESS")


# ------------------------------------------------------------------ the aspect ratios


def test_aspect_ratio_literal_is_the_tuple_and_matches_the_double() -> None:
    assert get_args(AspectRatio) == ASPECT_RATIOS
    assert len(ASPECT_RATIOS) == 11 and "16:9" in ASPECT_RATIOS
    # the wire double models the API on its own; both must list the documented ratios
    assert double_images.ASPECT_RATIOS == ASPECT_RATIOS


# ------------------------------------------------------------------ settings


def test_defaults_and_model_normalised() -> None:
    s = ImageToolSettings()
    assert s.model == FULL
    assert (s.output_dir, s.output_format, s.wire_format) == (None, "png", "json")
    assert ImageToolSettings(model=FULL) == s  # the full id is kept as it is


def test_output_dir_string_becomes_a_path_and_is_not_created(tmp_path: Path) -> None:
    s = ImageToolSettings(output_dir=str(tmp_path / "new"))  # type: ignore[arg-type]
    assert s.output_dir == tmp_path / "new" and isinstance(s.output_dir, Path)
    assert not (tmp_path / "new").exists()


def test_output_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigurationError, match="not a directory"):
        ImageToolSettings(output_dir=tmp_path / "file")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"model": "accounts/fireworks/deployments/d1"},
        {"guidance_scale": -1},
        {"guidance_scale": float("nan")},
        {"num_inference_steps": 0},
        {"num_inference_steps": "4"},  # no lax coercion, unlike a pydantic field
        {"safety_check": "yes"},
        {"output_format": "gif"},
        {"wire_format": "xml"},
    ],
)
def test_bad_settings_raise_configuration_error(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        ImageToolSettings(**kwargs)


def test_settings_are_frozen_and_replace_checks_again() -> None:
    s = ImageToolSettings(guidance_scale=3.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.guidance_scale = 4.0  # type: ignore[misc]
    assert dataclasses.replace(s, guidance_scale=4.0).guidance_scale == 4.0
    with pytest.raises(ConfigurationError):
        dataclasses.replace(s, guidance_scale=-1.0)


def test_request_options_carry_every_setting_and_never_raise_on_filter() -> None:
    s = ImageToolSettings(
        model="flux-1-dev-fp8",
        output_format="jpeg",
        guidance_scale=3.5,
        num_inference_steps=8,
        safety_check=True,
        wire_format="binary",
    )
    assert s.request_options("a fox", "9:16", 4) == {
        "prompt": "a fox",
        "model": "accounts/fireworks/models/flux-1-dev-fp8",
        "aspect_ratio": "9:16",
        "seed": 4,
        "guidance_scale": 3.5,
        "num_inference_steps": 8,
        "safety_check": True,
        "output_format": "jpeg",
        "wire_format": "binary",
        "raise_on_filter": False,
    }


def test_target(tmp_path: Path) -> None:
    result = _ok()
    assert ImageToolSettings().target(result, "a fox") is None
    target = ImageToolSettings(output_dir=tmp_path).target(result, "A red fox, in snow!")
    assert target == tmp_path / result.default_filename(stem="a-red-fox-in-snow")
    filtered = dataclasses.replace(result, finish_reason="CONTENT_FILTERED")
    assert ImageToolSettings(output_dir=tmp_path).target(filtered, "a fox") is None


def test_outcome_texts(tmp_path: Path) -> None:
    s = ImageToolSettings()
    result = _ok()
    out = s.outcome(result, "a fox", "16:9", None)
    assert out == ToolImage(describe_image(result, "a fox", "16:9", unsaved=UNSAVED), result)
    assert str(out) == out.text and not out.content_filtered
    assert s.outcome(result, "a fox", None, None, unsaved="kept here").text.endswith("kept here.")
    saved = s.outcome(result, "a fox", None, tmp_path / "f.png")
    assert saved.path == tmp_path / "f.png" and str(tmp_path / "f.png") in saved.text
    filtered = dataclasses.replace(result, finish_reason="CONTENT_FILTERED")
    blocked = s.outcome(filtered, "a fox", None, tmp_path / "f.png")
    assert blocked.content_filtered and blocked.path is None
    assert "CONTENT_FILTERED" in blocked.text


# ------------------------------------------------------------------ generate / agenerate


def test_generate_saves_and_describes(client: Client, double: WireDouble, tmp_path: Path) -> None:
    s = ImageToolSettings(output_dir=tmp_path / "images", output_format="jpeg")
    out = s.generate(client, "a red fox", "9:16", seed=4, unsaved="unused")
    assert out.path is not None and out.path.parent == tmp_path / "images"
    assert out.path.read_bytes() == out.result.image
    assert jpeg_size(out.result.image) == image_size("9:16")
    assert out.text == describe_image(out.result, "a red fox", "9:16", path=out.path)
    assert double.requests[0].json == {"prompt": "a red fox", "aspect_ratio": "9:16", "seed": 4}


def test_generate_without_output_dir_keeps_the_image_in_memory(client: Client) -> None:
    out = ImageToolSettings(wire_format="binary").generate(client, "a fox", unsaved="kept")
    assert out.path is None and out.text.endswith("; kept.")
    assert decode_png(out.result.image)[:2] == image_size("1:1")


def test_filtered_image_is_an_outcome_and_writes_nothing(client: Client, tmp_path: Path) -> None:
    out = ImageToolSettings(output_dir=tmp_path).generate(client, "an unsafe scene")
    assert out.content_filtered and out.path is None and "CONTENT_FILTERED" in out.text
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [("",), ("x", 16), ("x", None, -5)],
)
def test_bad_arguments_fail_before_any_request(
    client: Client, double: WireDouble, args: tuple[Any, ...]
) -> None:
    with pytest.raises(ConfigurationError):
        ImageToolSettings().generate(client, *args)
    assert double.requests == []


def test_api_errors_raise_the_typed_error(client: Client) -> None:
    with pytest.raises(NotFoundError):
        ImageToolSettings(model="no-such-image-model").generate(client, "a fox")


async def test_agenerate_uses_the_async_client_and_writes_off_the_loop(
    double: WireDouble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_loop: list[bool] = []
    original = Path.write_bytes

    def spy(self: Path, data: bytes) -> int:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return original(self, data)

    monkeypatch.setattr(Path, "write_bytes", spy)
    async with AsyncClient(
        FIREWORKS,
        api_key="test-key",
        http_client=httpx.AsyncClient(transport=double.async_transport()),
    ) as aclient:
        out = await ImageToolSettings(output_dir=tmp_path).agenerate(aclient, "a fox", seed=2)
    assert on_loop == [False]
    assert out.path is not None and out.path.read_bytes() == out.result.image
    assert "seed 2" in out.text and double.count("/text_to_image") == 1
