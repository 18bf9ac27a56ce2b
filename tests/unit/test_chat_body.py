"""One body rule for both frameworks (fw_core.kit.chat_body, issue 23): the same request gives
the same ``tool_choice``, strict tool schema, ``json_schema`` format and reasoning replay
from LangChain and LlamaIndex, and the same bad ``tool_choice`` the same typed error."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from llama_index.core.base.llms.types import ChatMessage, TextBlock, ThinkingBlock
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from fw_core.errors import ConfigurationError
from fw_core.kit.chat_body import closed_schema, json_schema_format, tool_choice_to_wire
from fw_core.model_table import DEFAULTS
from fw_core.providers import FIREWORKS, FIRMWARE
from langchain_fw import ChatFireworks, ChatFirmware
from llamaindex_fw import Fireworks, Firmware

FW_MODEL = DEFAULTS["chat"]
FM_MODEL = DEFAULTS["firmware_chat"]


class Address(BaseModel):
    street: str
    tags: dict[str, str]


class Person(BaseModel):
    """A person."""

    name: str
    address: Address


def get_weather(city: str, unit: str = "C") -> str:
    """The weather in a city."""
    return city + unit


def _lc_tools(**kwargs: Any) -> dict[str, Any]:
    llm = ChatFireworks(model=FW_MODEL, api_key="k")
    bound: Any = llm.bind_tools([get_weather], **kwargs)
    return dict(bound.kwargs)


def _li_tools(**kwargs: Any) -> dict[str, Any]:
    llm = Fireworks(model=FW_MODEL, api_key="k")
    return llm._prepare_chat_with_tools([FunctionTool.from_defaults(get_weather)], **kwargs)


@pytest.mark.parametrize(("given", "sent"), [("any", "required"), ("required", "required")])
def test_any_is_sent_as_required_by_both(given: str, sent: str) -> None:
    # docs/wire.md §1.5 / §2: "required" is the form both APIs document; LlamaIndex used
    # to forward "any", which Firmware does not list
    assert _lc_tools(tool_choice=given)["tool_choice"] == sent
    assert _li_tools(tool_choice=given)["tool_choice"] == sent


def test_a_named_tool_is_forced_the_same_way() -> None:
    forced = {"type": "function", "function": {"name": "get_weather"}}
    assert _lc_tools(tool_choice="get_weather")["tool_choice"] == forced
    assert _li_tools(tool_choice="get_weather")["tool_choice"] == forced


def test_a_tool_choice_naming_no_tool_is_the_same_error_in_both() -> None:
    with pytest.raises(ConfigurationError, match="names no bound tool") as lc:
        _lc_tools(tool_choice="get_wether")
    with pytest.raises(ConfigurationError, match="names no bound tool") as li:
        _li_tools(tool_choice="get_wether")
    assert str(lc.value) == str(li.value)


def test_llamaindex_keeps_its_own_default_when_no_choice_is_given() -> None:
    assert _li_tools()["tool_choice"] == "auto"
    assert _li_tools(tool_required=True)["tool_choice"] == "required"
    assert "tool_choice" not in _lc_tools()


def test_strict_tools_are_the_same_schema_in_both() -> None:
    lc = _lc_tools(strict=True)["tools"][0]["function"]
    li = _li_tools(strict=True)["tools"][0]["function"]
    assert lc["strict"] is li["strict"] is True
    # each framework converts the function its own way (LlamaIndex keeps titles); the
    # strict rule is the same: every object closed and every property required (OpenAI's
    # strict form, which Firmware's OpenAI models insist on), an optional one included
    for params in (lc["parameters"], li["parameters"]):
        assert params["additionalProperties"] is False
        assert params["required"] == ["city", "unit"]
        assert list(params["properties"]) == ["city", "unit"]


def test_strict_json_schema_format_is_the_same_in_both() -> None:
    lc_llm: Any = ChatFireworks(model=FW_MODEL, api_key="k").with_structured_output(
        Person, method="json_schema", strict=True
    )
    lc_format = lc_llm.first.kwargs["response_format"]
    from llamaindex_fw._structured import response_format

    li_format = response_format(Person, strict=True)
    assert lc_format["json_schema"]["strict"] is li_format["json_schema"]["strict"] is True
    # LangChain's conversion inlines $defs, LlamaIndex keeps them; either way every object
    # is closed, the dict field's open object too (pydantic writes it open)
    for schema in (lc_format["json_schema"]["schema"], li_format["json_schema"]["schema"]):
        objects = list(_objects(schema))
        assert len(objects) >= 3 and all(o["additionalProperties"] is False for o in objects)
    assert li_format["json_schema"]["schema"] == closed_schema(Person.model_json_schema())


def _objects(schema: Any) -> Any:
    """Every object schema inside ``schema``."""
    if isinstance(schema, list):
        for item in schema:
            yield from _objects(item)
    elif isinstance(schema, dict):
        if schema.get("type") == "object":
            yield schema
        for value in schema.values():
            yield from _objects(value)


def test_a_non_object_schema_is_refused_before_any_request() -> None:
    llm = ChatFireworks(model=FW_MODEL, api_key="k")
    with pytest.raises(ConfigurationError, match="object schema"):
        llm.with_structured_output({"type": "array", "items": {}}, method="json_schema")
    with pytest.raises(ConfigurationError, match="object schema"):
        json_schema_format("x", {"type": "array"}, strict=True)


@pytest.mark.parametrize("bad", [3, ["auto"]])
def test_a_tool_choice_of_another_type_is_refused(bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="tool_choice"):
        tool_choice_to_wire(bad)


def _lc_replayed(cls: type[Any], model: str, **kwargs: Any) -> bool:
    llm = cls(model=model, api_key="k", **kwargs)
    answer = AIMessage("4", additional_kwargs={"reasoning_content": "2+2"})
    body = llm._payload([HumanMessage("2+2?"), answer, HumanMessage("and 3+3?")], None, {})
    return "reasoning_content" in body["messages"][1]


def _li_replayed(cls: type[Any], model: str, **kwargs: Any) -> bool:
    llm = cls(model=model, api_key="k", **kwargs)
    answer = ChatMessage(
        role="assistant", blocks=[ThinkingBlock(content="2+2"), TextBlock(text="4")]
    )
    body = llm._body([ChatMessage(role="user", content="2+2?"), answer], {})
    return "reasoning_content" in body["messages"][1]


def test_reasoning_replay_default_is_the_provider_spec_s() -> None:
    assert FIREWORKS.replays_reasoning is True and FIRMWARE.replays_reasoning is False
    assert _lc_replayed(ChatFireworks, FW_MODEL) is _li_replayed(Fireworks, FW_MODEL) is True
    assert _lc_replayed(ChatFirmware, FM_MODEL) is _li_replayed(Firmware, FM_MODEL) is False


@pytest.mark.parametrize("setting", [True, False])
def test_reasoning_replay_setting_wins_over_the_default(setting: bool) -> None:
    for lc_cls, li_cls, model in (
        (ChatFireworks, Fireworks, FW_MODEL),
        (ChatFirmware, Firmware, FM_MODEL),
    ):
        assert _lc_replayed(lc_cls, model, replay_reasoning=setting) is setting
        assert _li_replayed(li_cls, model, replay_reasoning=setting) is setting


def test_the_same_bad_temperature_is_the_same_error_and_no_cap_in_either() -> None:
    # no 2.0 cap in LlamaIndex any more (the server owns the range); the floor is
    # fw_core.kit.chat_options', so both frameworks say the same thing
    assert ChatFireworks(model=FW_MODEL, api_key="k", temperature=3.0).temperature == 3.0
    assert Fireworks(model=FW_MODEL, api_key="k", temperature=3.0).temperature == 3.0
    with pytest.raises(ConfigurationError) as lc:
        ChatFireworks(model=FW_MODEL, api_key="k", temperature=-1)
    with pytest.raises(ConfigurationError) as li:
        Fireworks(model=FW_MODEL, api_key="k", temperature=-1)
    assert str(lc.value) == str(li.value)


def test_capabilities_are_read_from_spec_fields_not_names() -> None:
    # a spec under another name (a proxy, a private deployment of the same API) gets the
    # behaviour its fields describe
    from dataclasses import replace

    from fw_core.endpoints.rerank import RerankRequest
    from fw_core.kit.file_parts import audio_part, document_part

    proxy = replace(FIREWORKS, name="my-proxy")
    assert document_part(proxy, data="JVBERi0=", mime_type="application/pdf")["type"] == (
        "image_url"
    )
    assert audio_part(proxy, data="UklG", audio_format="wav")["type"] == "audio_url"
    assert RerankRequest("m", task="Prefer docs.").body("q", ["a"], proxy)["task"]
    openai_like = replace(FIRMWARE, name="other")
    assert (
        document_part(openai_like, data="JVBERi0=", mime_type="application/pdf")["type"] == "file"
    )
    assert "task" not in RerankRequest("m", task="Prefer docs.").body("q", ["a"], openai_like)


def test_both_frameworks_build_the_same_body_from_the_same_settings() -> None:
    # one layering rule (fw_core.kit.chat_body.build_body): options, then pass-through
    # fields, then the call's own, a per-call None unsetting and a per-call model expanded
    lc = ChatFireworks(model=FW_MODEL, api_key="k", temperature=0.2, model_kwargs={"top_k": 5})
    li = Fireworks(model=FW_MODEL, api_key="k", temperature=0.2, additional_kwargs={"top_k": 5})
    call = {"temperature": None, "top_k": 7, "model": "gpt-oss-120b"}
    lc_body = lc._payload([HumanMessage("hi")], None, dict(call))
    li_body = li._body([ChatMessage(role="user", content="hi")], dict(call))
    assert lc_body == li_body
    assert li_body["model"] == "accounts/fireworks/models/gpt-oss-120b"
    assert "temperature" not in li_body and li_body["top_k"] == 7


def test_a_bad_per_call_model_is_the_same_error_in_both() -> None:
    lc = ChatFireworks(model=FW_MODEL, api_key="k")
    li = Fireworks(model=FW_MODEL, api_key="k")
    with pytest.raises(ConfigurationError) as lc_err:
        lc._payload([HumanMessage("hi")], None, {"model": "not a model"})
    with pytest.raises(ConfigurationError) as li_err:
        li._body([ChatMessage(role="user", content="hi")], {"model": "not a model"})
    assert str(lc_err.value) == str(li_err.value)


@pytest.mark.parametrize(
    "bad",
    [{"top_n": 0}, {"top_n": True}, {"top_n": "3"}, {"task": " "}, {"document_field": ""}],
    ids=["top_n-0", "top_n-bool", "top_n-str", "task-blank", "field-empty"],
)
def test_a_bad_rerank_option_is_the_same_error_in_both(bad: dict[str, object]) -> None:
    # LlamaIndex raised pydantic's ValidationError for top_n and document_field, LangChain
    # ConfigurationError: one check now (fw_core.endpoints.rerank.check_rerank_options)
    from langchain_fw import FireworksRerank as LcRerank
    from llamaindex_fw import FireworksRerank as LiRerank

    with pytest.raises(ConfigurationError) as lc:
        LcRerank(api_key="k", **bad)
    with pytest.raises(ConfigurationError) as li:
        LiRerank(api_key="k", **bad)
    assert str(lc.value) == str(li.value)
