"""The tolerant-reader contract (docs/architecture.md §2, tolerant reader), in both frameworks.

What the server owns (enum vocabularies) is sent unchanged, even a value nobody knows
today; what we own (types, documented limits, shapes) is refused with the same error by
LangChain and LlamaIndex before any request; a value the server refuses comes back as the
server's 400, typed; response fields we do not declare are kept.

The unknown values are deliberately invented: the point is that *any* string reaches the
wire. The known-new ones come from issue 20 (``max`` / ``xhigh`` on Kimi K3 and DeepSeek V4,
``minimal`` for OpenAI models through Firmware, Firmware ``thinking={"type": "adaptive"}``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage

from fw_core import FIREWORKS, Client
from fw_core import errors as fe
from fw_core.endpoints.audio import transcribe
from fw_core.endpoints.images import generate_image
from fw_core.testing import Fault, WireDouble
from langchain_fw import ChatFireworks, ChatFirmware
from llamaindex_fw import Fireworks, Firmware

FW_MODEL = "accounts/fireworks/models/deepseek-v3p1"
FM_MODEL = "openai/gpt-5-mini"
USER = [ChatMessage(role="user", content="hi")]


def _lc(double: WireDouble) -> dict[str, Any]:
    return {"api_key": "test-key", "http_client": httpx.Client(transport=double.transport())}


def _li(double: WireDouble) -> dict[str, Any]:
    return {"api_key": "test-key", "http_client": httpx.Client(transport=double.transport())}


# (id, provider, wire field, value nobody refuses client-side, typed constructor field?)
# A typed field is set as a constructor argument; any other goes in model_kwargs (LangChain)
# / additional_kwargs (LlamaIndex), the documented way to send a field we do not type.
SERVER_OWNED: list[tuple[str, str, str, Any, bool]] = [
    ("fw-effort-xhigh", "fireworks", "reasoning_effort", "xhigh", True),
    ("fw-effort-max", "fireworks", "reasoning_effort", "max", True),
    ("fw-effort-invented", "fireworks", "reasoning_effort", "ludicrous", True),
    ("fm-effort-minimal", "firmware", "reasoning_effort", "minimal", True),
    ("fm-thinking-adaptive", "firmware", "thinking", {"type": "adaptive"}, True),
    ("fm-thinking-invented", "firmware", "thinking", {"type": "fancy-2030", "x": 1}, True),
    ("fw-service-tier", "fireworks", "service_tier", "priority-plus", True),
    ("fm-service-tier", "firmware", "service_tier", "scale", True),
    (
        "fw-context-behaviour",
        "fireworks",
        "context_length_exceeded_behavior",
        "shrink-middle",
        False,
    ),
]


def _build(framework: str, provider: str, field: str, value: Any, typed: bool, d: WireDouble):
    if framework == "langchain":
        lc_cls = ChatFireworks if provider == "fireworks" else ChatFirmware
        model = FW_MODEL if provider == "fireworks" else FM_MODEL
        # LangChain types context_length_exceeded_behavior as well
        lc_typed = typed or field == "context_length_exceeded_behavior"
        options = {field: value} if lc_typed else {"model_kwargs": {field: value}}
        return lc_cls(model=model, **options, **_lc(d))
    li_cls = Fireworks if provider == "fireworks" else Firmware
    model = FW_MODEL if provider == "fireworks" else FM_MODEL
    options = {field: value} if typed else {"additional_kwargs": {field: value}}
    return li_cls(model=model, **options, **_li(d))


def _call(framework: str, llm: Any) -> None:
    if framework == "langchain":
        llm.invoke("hi")
    else:
        llm.chat(USER)


@pytest.mark.parametrize("framework", ["langchain", "llamaindex"])
@pytest.mark.parametrize(
    ("provider", "field", "value", "typed"),
    [pytest.param(p, f, v, t, id=i) for i, p, f, v, t in SERVER_OWNED],
)
def test_server_owned_value_reaches_the_body_unchanged(
    framework: str, provider: str, field: str, value: Any, typed: bool
) -> None:
    double = WireDouble()
    llm = _build(framework, provider, field, value, typed, double)
    _call(framework, llm)
    assert double.requests[-1].json[field] == value


@pytest.mark.parametrize(
    ("call", "field", "value"),
    [
        pytest.param(
            lambda d: ChatFireworks(model=FW_MODEL, **_lc(d)).invoke("hi", reasoning_effort="max"),
            "reasoning_effort",
            "max",
            id="lc-invoke",
        ),
        pytest.param(
            lambda d: list(
                ChatFirmware(model=FM_MODEL, **_lc(d)).stream("hi", thinking={"type": "adaptive"})
            ),
            "thinking",
            {"type": "adaptive"},
            id="lc-stream",
        ),
        pytest.param(
            lambda d: Fireworks(model=FW_MODEL, **_li(d)).chat(USER, reasoning_effort="xhigh"),
            "reasoning_effort",
            "xhigh",
            id="li-chat",
        ),
        pytest.param(
            lambda d: list(
                Firmware(model=FM_MODEL, **_li(d)).stream_chat(USER, reasoning_effort="minimal")
            ),
            "reasoning_effort",
            "minimal",
            id="li-stream",
        ),
    ],
)
def test_server_owned_value_per_call_reaches_the_body(
    call: Callable[[WireDouble], Any], field: str, value: Any
) -> None:
    double = WireDouble()
    call(double)
    assert double.requests[-1].json[field] == value


# Options we own: the same bad value, the same error, in both frameworks, at construction.
OWNED: list[tuple[str, str, dict[str, Any], str]] = [
    ("temperature", "fireworks", {"temperature": -0.5}, "temperature must be a finite number"),
    ("max-tokens", "fireworks", {"max_tokens": 0}, "max_tokens must be an integer >= 1"),
    ("thinking-shape", "firmware", {"thinking": {"budget_tokens": 2048}}, "string 'type'"),
    (
        "thinking-budget",
        "firmware",
        {"thinking": {"type": "enabled", "budget_tokens": 10}},
        "at least 1024",
    ),
    (
        "thinking-budget-type",
        "firmware",
        {"thinking": {"type": "adaptive", "budget_tokens": "lots"}},
        "budget_tokens must be an integer",
    ),
]


@pytest.mark.parametrize("framework", ["langchain", "llamaindex"])
@pytest.mark.parametrize(
    ("provider", "options", "words"), [pytest.param(p, o, w, id=i) for i, p, o, w in OWNED]
)
def test_owned_option_is_refused_at_construction_in_both(
    framework: str, provider: str, options: dict[str, Any], words: str
) -> None:
    double = WireDouble()
    model = FW_MODEL if provider == "fireworks" else FM_MODEL
    if framework == "langchain":
        lc_cls = ChatFireworks if provider == "fireworks" else ChatFirmware
        with pytest.raises(fe.ConfigurationError, match=words):
            lc_cls(model=model, **options, **_lc(double))
    else:
        li_cls = Fireworks if provider == "fireworks" else Firmware
        with pytest.raises(fe.ConfigurationError, match=words):
            li_cls(model=model, **options, **_li(double))
    assert double.requests == []


@pytest.mark.parametrize("framework", ["langchain", "llamaindex"])
def test_a_value_the_server_refuses_comes_back_as_its_typed_400(framework: str) -> None:
    """gpt-oss takes only low/medium/high (docs/wire.md §1.7): the double answers 400
    "Invalid reasoning effort" as the live API does, and we raise BadRequestError with the
    server's message and param rather than guessing per model."""
    double = WireDouble()
    model = "accounts/fireworks/models/gpt-oss-120b"
    llm = _build(framework, "fireworks", "reasoning_effort", "max", True, double)
    llm.model = model
    with pytest.raises(fe.BadRequestError, match="Invalid reasoning effort: max") as info:
        _call(framework, llm)
    assert info.value.status_code == 400 and info.value.param == "reasoning_effort"
    assert double.requests[-1].json["reasoning_effort"] == "max"


@pytest.mark.parametrize("framework", ["langchain", "llamaindex"])
def test_an_unsupported_value_400_is_an_unsupported_parameter_error(framework: str) -> None:
    double = WireDouble()
    double.inject(
        Fault.status(
            400,
            message="Unsupported value: 'reasoning_effort' does not support 'xhigh' with "
            "this model.",
            param="reasoning_effort",
        )
    )
    llm = _build(framework, "firmware", "reasoning_effort", "xhigh", True, double)
    with pytest.raises(fe.UnsupportedParameterError) as info:
        _call(framework, llm)
    assert info.value.param == "reasoning_effort"


def test_image_aspect_ratio_is_sent_and_the_server_answers() -> None:
    """The ratio list is the server's: an unlisted one is sent, and the double (which keeps
    the documented list, docs/wire.md §1.14) refuses it with a typed 400."""
    double = WireDouble()
    client = Client(
        FIREWORKS, api_key="test-key", http_client=httpx.Client(transport=double.transport())
    )
    with pytest.raises(fe.BadRequestError, match="aspect_ratio"):
        generate_image(client, "a red fox", aspect_ratio="7:3")
    assert double.requests[-1].json["aspect_ratio"] == "7:3"


@pytest.mark.parametrize(
    ("option", "value"),
    [("vad_model", "vad-2030"), ("alignment_model", "ctc"), ("preprocessing", "loud")],
)
def test_audio_vocabularies_are_sent_and_the_server_answers(option: str, value: str) -> None:
    double = WireDouble()
    client = Client(
        FIREWORKS, api_key="test-key", http_client=httpx.Client(transport=double.transport())
    )
    with pytest.raises(fe.BadRequestError):
        transcribe(client, b"RIFF" + b"\0" * 64, **{option: value})
    assert double.requests, "the request was sent"
    assert f'name="{option}"'.encode() in double.requests[-1].content
    assert value.encode() in double.requests[-1].content


# ------------------------------------------------------------------ responses


def _answer_with_unknown_fields(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "r1",
            "model": FW_MODEL,
            "service_tier": "priority",
            "routing": {"region": "us-east-9", "replica": 3},
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "Hi"},
                    "finish_reason": "stop",
                }
            ],
        },
    )


def test_unknown_response_fields_survive_in_both() -> None:
    transport = httpx.MockTransport(_answer_with_unknown_fields)
    lc = ChatFireworks(
        model=FW_MODEL, api_key="test-key", http_client=httpx.Client(transport=transport)
    )
    meta = lc.invoke("hi").response_metadata
    assert meta["service_tier"] == "priority"
    assert meta["routing"] == {"region": "us-east-9", "replica": 3}

    li = Fireworks(
        model=FW_MODEL, api_key="test-key", http_client=httpx.Client(transport=transport)
    )
    raw = li.chat(USER).raw
    assert raw is not None
    extra = raw.model_extra or {}
    assert extra["service_tier"] == "priority" and extra["routing"]["replica"] == 3
