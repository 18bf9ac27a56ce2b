"""FireworksImageToolSpec: FunctionTools a LlamaIndex agent calls to generate images.

The agent tests replay cassettes from ``cassettes/llamaindex/test_image_tool/`` (recorded
with ``FW_RECORD=double``). The rest run against the wire double in-process.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from llama_index.core.agent.workflow import AgentOutput, FunctionAgent, ToolCallResult
from llama_index.core.base.llms.types import ToolCallBlock

from fw_core.errors import ConfigurationError, PreconditionFailedError
from fw_core.testing import Fault, WireDouble
from fw_core.testing.images import image_size
from llamaindex_fw import Fireworks
from llamaindex_fw.tools import FireworksImageToolSpec, GeneratedImage
from tests.unit.test_double_images import decode_png, jpeg_size

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:inspect")

ASK = "Use generate_image to draw 'a red fox in the snow' with seed 42 in 16:9."


def _spec(double: WireDouble, **kwargs: Any) -> FireworksImageToolSpec:
    return FireworksImageToolSpec(
        api_key="test-key",
        http_client=httpx.Client(transport=double.transport()),
        async_http_client=httpx.AsyncClient(transport=double.async_transport()),
        **kwargs,
    )


async def _run(spec: FireworksImageToolSpec, task: str) -> tuple[str, list[Any], list[Any]]:
    agent = FunctionAgent(tools=spec.to_tool_list(), llm=Fireworks(model="kimi-k2-instruct-0905"))
    handler = agent.run(task)
    events = [e async for e in handler.stream_events()]
    answer = str(await handler)
    return (
        answer,
        [e for e in events if isinstance(e, ToolCallResult)],
        [e for e in events if isinstance(e, AgentOutput)],
    )


# ------------------------------------------------------------------ agent loop (cassettes)


@pytest.mark.vcr
async def test_llamaindex_function_agent_generates_and_reports_the_image(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a relative output_dir keeps the text sent back stable
    spec = FireworksImageToolSpec(output_dir="images", wire_format="binary")
    answer, results, outputs = await _run(spec, ASK)
    assert [r.tool_name for r in results] == ["generate_image"]
    call = results[0]
    assert call.tool_kwargs == {
        "prompt": "a red fox in the snow",
        "aspect_ratio": "16:9",
        "seed": 42,
    }
    generated = call.tool_output.raw_output
    assert isinstance(generated, GeneratedImage) and not generated.content_filtered
    assert decode_png(generated.result.image)[:2] == image_size("16:9")
    assert generated.path is not None and generated.path.read_bytes() == generated.result.image
    # the agent read one line with the path, not the bytes, and answered from it
    assert call.tool_output.content == str(generated)
    assert str(generated.path) in call.tool_output.content and len(str(generated)) < 300
    assert str(generated.path) in answer
    assert len(outputs) == 2
    assert not any(isinstance(b, ToolCallBlock) for b in outputs[-1].response.blocks)


@pytest.mark.vcr
async def test_llamaindex_filtered_image_is_reported_to_the_agent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = FireworksImageToolSpec(output_dir="images")
    answer, results, _ = await _run(spec, "Use generate_image to draw 'an unsafe scene'.")
    generated = results[0].tool_output.raw_output
    assert generated.content_filtered and generated.path is None
    assert generated.image_block is None
    assert "CONTENT_FILTERED" in results[0].tool_output.content and "CONTENT_FILTERED" in answer
    assert not Path("images").exists()


# ------------------------------------------------------------------ the tools


def test_tool_list_has_sync_and_async_and_a_schema_with_the_ratios() -> None:
    [tool] = FireworksImageToolSpec(api_key="test-key").to_tool_list()
    assert tool.metadata.name == "generate_image"
    schema = tool.metadata.get_parameters_dict()
    assert schema["required"] == ["prompt"]
    options = next(o["enum"] for o in schema["properties"]["aspect_ratio"]["anyOf"] if "enum" in o)
    assert "21:9" in options and "16:10" not in options
    assert "description of the image" in tool.metadata.description


def test_call_returns_text_and_keeps_the_image(tmp_path: Path) -> None:
    double = WireDouble()
    [tool] = _spec(double, output_dir=tmp_path, output_format="jpeg").to_tool_list()
    out = tool.call(prompt="a red fox", aspect_ratio="9:16", seed=4)
    generated = out.raw_output
    assert jpeg_size(generated.result.image) == image_size("9:16")
    assert generated.path.parent == tmp_path and generated.path.suffix == ".jpg"
    assert generated.path.read_bytes() == generated.result.image
    assert out.content == str(generated) and "seed 4" in out.content
    assert generated.image_block.image_mimetype == "image/jpeg"
    assert double.requests[0].json == {"prompt": "a red fox", "aspect_ratio": "9:16", "seed": 4}


async def test_acall_uses_the_async_client_and_writes_off_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
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
    double = WireDouble()
    spec = _spec(double, output_dir=tmp_path)
    [tool] = spec.to_tool_list()
    out = await tool.acall(prompt="a red fox", seed=9)
    assert on_loop == [False]
    assert out.raw_output.path.read_bytes() == out.raw_output.result.image
    first = spec.connection._aclient()
    await tool.acall(prompt="again")
    assert spec.connection._aclient() is first
    assert spec.connection._fw_clients.sync is None  # sync never built
    await spec.aclose()


def test_filtered_call_writes_nothing(tmp_path: Path) -> None:
    [tool] = _spec(WireDouble(), output_dir=tmp_path).to_tool_list()
    out = tool.call(prompt="something unsafe")
    assert out.raw_output.content_filtered and "CONTENT_FILTERED" in out.content
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"guidance_scale": -1},
        {"num_inference_steps": 0},
        {"output_format": "gif"},
        {"model": "accounts/fireworks/routers/x"},
        {"timeout": -1},
        {"max_retries": -1},
        {"wire_format": "xml"},
        {"http_client": httpx.AsyncClient()},
    ],
)
def test_bad_settings_fail_at_construction(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        FireworksImageToolSpec(api_key="test-key", **kwargs)


def test_missing_key_fails_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIREWORKS_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="FIREWORKS_API_KEY"):
        FireworksImageToolSpec()


@pytest.mark.parametrize(
    "kwargs",
    [{"prompt": ""}, {"prompt": "x", "aspect_ratio": 16}, {"prompt": "x", "seed": -5}],
)
def test_bad_arguments_fail_before_any_request(kwargs: dict[str, Any]) -> None:
    double = WireDouble()
    spec = _spec(double)
    with pytest.raises(ConfigurationError):
        spec.generate_image(**kwargs)
    assert double.requests == []


def test_412_raises_the_typed_error_and_key_stays_out_of_repr() -> None:
    double = WireDouble()
    double.inject(Fault.status(412), times=3)
    spec = _spec(double)
    with pytest.raises(PreconditionFailedError):
        spec.generate_image("a red fox")
    assert double.count("/text_to_image") == 1
    assert "test-key" not in repr(spec)


def test_settings_are_shared_and_assigning_one_checks_it(tmp_path: Path) -> None:
    double = WireDouble()
    spec = _spec(double, guidance_scale=3.5)
    assert spec.model == spec.settings.model == "accounts/fireworks/models/flux-1-schnell-fp8"
    spec.output_dir = str(tmp_path)  # a string becomes a Path, as at construction
    assert spec.output_dir == tmp_path == spec.settings.output_dir
    with pytest.raises(ConfigurationError):
        spec.guidance_scale = -1
    assert spec.guidance_scale == 3.5
    out = spec.generate_image("a red fox", seed=1)
    assert out.path is not None and out.path.parent == tmp_path
    assert double.requests[0].json["guidance_scale"] == 3.5


def test_every_connection_argument_of_the_mixin_is_taken() -> None:
    # issue 23: the spec re-listed the connection arguments and missed rate_limit,
    # rate_limit_max_wait and queue_timeout; they now come from the connection mixin
    spec = FireworksImageToolSpec(
        api_key="test-key", rate_limit=False, rate_limit_max_wait=5.0, queue_timeout=1.5
    )
    conn = spec.connection
    assert (conn.rate_limit, conn.rate_limit_max_wait, conn.queue_timeout) == (False, 5.0, 1.5)


def test_a_near_miss_connection_argument_is_refused_with_a_hint() -> None:
    with pytest.raises(ConfigurationError, match="did you mean 'rate_limit'"):
        FireworksImageToolSpec(api_key="test-key", rate_limt=False)
    with pytest.raises(ConfigurationError, match="unknown argument 'colour'"):
        FireworksImageToolSpec(api_key="test-key", colour="red")


def test_a_rate_limited_call_waits_and_succeeds_without_spending_retries() -> None:
    double = WireDouble()
    double.inject(Fault.status(429, headers={"retry-after-ms": "10"}), times=1)
    spec = FireworksImageToolSpec(
        api_key="test-key",
        max_retries=0,
        rate_limit_max_wait=5.0,
        http_client=httpx.Client(transport=double.transport()),
    )
    assert spec.generate_image("a red fox").result.image
    assert double.count("/text_to_image") == 2
