"""FireworksImageGeneration: a LangChain tool a chat model calls, and what the agent sees.

The agent-loop tests replay cassettes (recorded with ``FW_RECORD=double``): ChatFireworks
with the tool bound decides to call it, the tool generates the image, and the tool's
result goes back to the model. The rest run against the wire double in-process.
"""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain.agents import create_agent
from langchain_core.exceptions import ModelPermissionDeniedError
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ValidationError

from fw_core.errors import ConfigurationError, PreconditionFailedError
from fw_core.testing import Fault, WireDouble
from fw_core.testing.images import image_size
from langchain_fw import ChatFireworks
from langchain_fw.tools import FireworksImageGeneration
from tests.unit.test_double_images import decode_png

CHAT_MODEL = "kimi-k2-instruct-0905"
ASK = "Use generate_image to draw 'a red fox in the snow' with seed 42 in 16:9."


def _double_tool(double: WireDouble, **kwargs: Any) -> FireworksImageGeneration:
    return FireworksImageGeneration(
        api_key="test-key",
        http_client=httpx.Client(transport=double.transport()),
        http_async_client=httpx.AsyncClient(transport=double.async_transport()),
        **kwargs,
    )


# ------------------------------------------------------------------ agent loops (cassettes)


@pytest.mark.vcr
def test_chat_model_calls_the_tool_and_reads_its_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a relative output_dir keeps the text sent back stable
    tool = FireworksImageGeneration(output_dir=Path("images"), wire_format="binary")
    llm = ChatFireworks(model=CHAT_MODEL).bind_tools([tool])

    question = HumanMessage(ASK)
    ai = llm.invoke([question])
    assert isinstance(ai, AIMessage) and len(ai.tool_calls) == 1
    call = ai.tool_calls[0]
    assert call["name"] == "generate_image"
    assert call["args"]["prompt"] == "a red fox in the snow"
    assert call["args"]["aspect_ratio"] == "16:9" and call["args"]["seed"] == 42

    result = tool.invoke(call)
    assert isinstance(result, ToolMessage) and result.tool_call_id == call["id"]
    artifact = result.artifact
    image = base64.b64decode(artifact["base64"])
    assert artifact["type"] == "image" and artifact["mime_type"] == "image/png"
    assert decode_png(image)[:2] == image_size("16:9")
    saved = Path(artifact["extras"]["path"])
    assert saved.parent == Path("images") and saved.read_bytes() == image
    # the model reads a short description with the path, never the bytes
    assert str(saved) in result.content and "seed 42" in result.content
    assert len(result.content) < 300 and artifact["base64"] not in result.content

    final = llm.invoke([question, ai, result])
    assert not final.tool_calls
    assert str(saved) in final.content


@pytest.mark.vcr
async def test_create_agent_runs_the_tool_async_and_keeps_the_image_out_of_the_prompt() -> None:
    tool = FireworksImageGeneration()
    agent = create_agent(ChatFireworks(model=CHAT_MODEL), tools=[tool])
    state = await agent.ainvoke({"messages": [HumanMessage(ASK)]})
    messages = state["messages"]
    tool_messages = [m for m in messages if isinstance(m, ToolMessage)]
    assert len(tool_messages) == 1
    artifact = tool_messages[0].artifact
    assert decode_png(base64.b64decode(artifact["base64"]))[:2] == image_size("16:9")
    assert artifact["extras"]["seed"] == 42 and "path" not in artifact["extras"]
    assert "artifact" in tool_messages[0].content
    final = messages[-1]
    assert isinstance(final, AIMessage) and not final.tool_calls
    assert "seed 42" in final.content


@pytest.mark.vcr
def test_a_filtered_image_tells_the_agent_and_saves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    tool = FireworksImageGeneration(output_dir=Path("images"))
    agent = create_agent(ChatFireworks(model=CHAT_MODEL), tools=[tool])
    state = agent.invoke(
        {"messages": [HumanMessage("Use generate_image to draw 'an unsafe scene'.")]}
    )
    tool_message = next(m for m in state["messages"] if isinstance(m, ToolMessage))
    assert "CONTENT_FILTERED" in tool_message.content
    assert tool_message.artifact is None
    assert not Path("images").exists()
    assert "CONTENT_FILTERED" in state["messages"][-1].content


# ------------------------------------------------------------------ the tool itself


def test_schema_the_model_sees() -> None:
    spec = convert_to_openai_tool(FireworksImageGeneration(api_key="test-key"))
    params = spec["function"]["parameters"]
    assert spec["function"]["name"] == "generate_image"
    assert params["required"] == ["prompt"]
    ratio = params["properties"]["aspect_ratio"]
    options = next(o["enum"] for o in ratio["anyOf"] if "enum" in o)
    assert "16:9" in options and "16:10" not in options


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"guidance_scale": -1}, ConfigurationError),
        ({"num_inference_steps": 0}, ConfigurationError),
        ({"model": "accounts/fireworks/deployments/d1"}, ConfigurationError),
        ({"output_format": "gif"}, ValidationError),
        ({"api_key": "   "}, ConfigurationError),
    ],
)
def test_bad_settings_fail_at_construction(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        FireworksImageGeneration(**{"api_key": "test-key", **kwargs})


def test_output_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigurationError, match="not a directory"):
        FireworksImageGeneration(api_key="test-key", output_dir=tmp_path / "file")


@pytest.mark.parametrize(
    "args",
    [
        {"prompt": ""},
        {"prompt": "x", "aspect_ratio": "16:10"},
        {"prompt": "x", "seed": -1},
    ],
)
def test_bad_arguments_from_the_model_fail_before_any_request(args: dict[str, Any]) -> None:
    double = WireDouble()
    with pytest.raises(ValidationError):
        _double_tool(double).invoke(args)
    assert len(double.requests) == 0


def test_content_format_returns_the_path_or_a_data_url(tmp_path: Path) -> None:
    double = WireDouble()
    saved = _double_tool(double, response_format="content", output_dir=tmp_path).invoke(
        {"prompt": "a red fox", "seed": 1}
    )
    assert Path(saved).parent == tmp_path and Path(saved).read_bytes()[:4] == b"\x89PNG"
    url = _double_tool(double, response_format="content", output_format="jpeg").invoke(
        {"prompt": "a red fox", "seed": 1}
    )
    assert url.startswith("data:image/jpeg;base64,")
    assert double.requests[-1].headers["json-return-image-accept"] == "image/jpeg"


def test_settings_reach_the_request() -> None:
    double = WireDouble()
    tool = _double_tool(
        double, model="flux-1-dev-fp8", guidance_scale=3.5, num_inference_steps=8, safety_check=True
    )
    tool.invoke({"prompt": "a red fox", "aspect_ratio": "3:2", "seed": 5})
    rec = double.requests[0]
    assert rec.path.endswith("/workflows/accounts/fireworks/models/flux-1-dev-fp8/text_to_image")
    assert rec.json == {
        "prompt": "a red fox",
        "aspect_ratio": "3:2",
        "seed": 5,
        "guidance_scale": 3.5,
        "num_inference_steps": 8,
        "safety_check": True,
    }


def test_account_suspended_412_raises_the_langchain_flavoured_error() -> None:
    double = WireDouble()
    double.inject(Fault.status(412, error_code="PRECONDITION_FAILED"), times=3)
    with pytest.raises(PreconditionFailedError) as info:
        _double_tool(double).invoke({"prompt": "a red fox"})
    assert isinstance(info.value, ModelPermissionDeniedError)
    assert double.count("/text_to_image") == 1


def test_one_client_is_reused_across_calls() -> None:
    double = WireDouble()
    tool = _double_tool(double)
    tool.invoke({"prompt": "a"})
    first = tool._client()
    tool.invoke({"prompt": "b"})
    assert tool._client() is first and len(double.requests) == 2


async def test_async_run_writes_files_off_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[bool] = []
    original = Path.write_bytes

    def spy(self: Path, data: bytes) -> int:
        try:
            asyncio.get_running_loop()
            writes.append(True)  # written on the event loop thread: blocking
        except RuntimeError:
            writes.append(False)
        return original(self, data)

    monkeypatch.setattr(Path, "write_bytes", spy)
    double = WireDouble()
    tool = _double_tool(double, output_dir=tmp_path)
    msg = await tool.ainvoke(
        {
            "type": "tool_call",
            "id": "c1",
            "name": tool.name,
            "args": {"prompt": "a red fox", "seed": 2},
        }
    )
    assert writes == [False]
    saved = Path(msg.artifact["extras"]["path"])
    assert saved.read_bytes() == base64.b64decode(msg.artifact["base64"])
    first = tool._aclient()
    await tool.ainvoke({"prompt": "again"})
    assert tool._aclient() is first


def test_a_field_changed_after_construction_is_honoured(tmp_path: Path) -> None:
    double = WireDouble()
    tool = _double_tool(double, response_format="content")
    copy = tool.model_copy(update={"output_dir": tmp_path})
    saved = Path(copy.invoke({"prompt": "a red fox", "seed": 1}))
    assert saved.parent == tmp_path and saved.read_bytes()[:4] == b"\x89PNG"
    assert tool.invoke({"prompt": "a red fox", "seed": 1}).startswith("data:image/png")
    assert tool.model == "accounts/fireworks/models/flux-1-schnell-fp8"
