"""Unknown constructor arguments: a typo is an error, anything else reaches the request.

pydantic drops arguments a model does not declare, so ``ChatFireworks(temprature=0.2)`` used
to build a model that silently ran at the default temperature, and a request field we do
not type (``ChatFireworks(speculation=...)``) never reached the server. One rule now holds
for every class of both frameworks (``fw_core.kit.connection.sort_unknown_arguments``): a name
close to an option raises ``ConfigurationError`` naming it; any other unknown name is sent
as a body field (``model_kwargs`` / ``extra_body`` / ``additional_kwargs``, with a warning,
as ``langchain_openai.ChatOpenAI`` does); a class with no body pass-through refuses it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage

import langchain_fw
import llamaindex_fw
from fw_core.errors import ConfigurationError
from fw_core.model_table import DEFAULTS
from fw_core.testing import WireDouble

CHAT = DEFAULTS["chat"]
KEY = {"api_key": "test-key"}

# (class, the arguments it needs) for every pydantic class of both frameworks
CLASSES: list[tuple[type, dict[str, Any]]] = [
    (langchain_fw.ChatFireworks, {"model": CHAT}),
    (langchain_fw.ChatFirmware, {"model": DEFAULTS["firmware_chat"]}),
    (langchain_fw.Fireworks, {"model": CHAT}),
    (langchain_fw.FireworksEmbeddings, {}),
    (langchain_fw.FireworksRerank, {}),
    (llamaindex_fw.Fireworks, {"model": CHAT}),
    (llamaindex_fw.Firmware, {"model": DEFAULTS["firmware_chat"]}),
    (llamaindex_fw.FireworksEmbedding, {}),
    (llamaindex_fw.FireworksRerank, {}),
]
IDS = [f"{c.__module__.split('.')[0]}.{c.__name__}" for c, _ in CLASSES]


@pytest.mark.parametrize(("cls", "needs"), CLASSES, ids=IDS)
def test_a_misspelt_option_is_refused_naming_the_option(cls: type, needs: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="did you mean 'max_retries'"):
        cls(**KEY, **needs, max_retrys=3)


@pytest.mark.parametrize("module", [langchain_fw, llamaindex_fw])
def test_the_same_typo_gives_the_same_error_in_both_frameworks(module: Any) -> None:
    with pytest.raises(ConfigurationError) as info:
        module.Fireworks(**KEY, model=CHAT, temprature=0.2)
    assert str(info.value) == (
        "Fireworks got an unknown argument 'temprature'; did you mean 'temperature'?"
    )


@pytest.mark.parametrize(
    ("cls", "needs"),
    [(llamaindex_fw.FireworksRerank, {})],
    ids=["llamaindex_fw.FireworksRerank"],
)
def test_a_class_without_body_pass_through_refuses_unknown_names(
    cls: type, needs: dict[str, Any]
) -> None:
    with pytest.raises(ConfigurationError, match="unknown argument 'speculation'"):
        cls(**KEY, **needs, speculation="x")


def test_names_the_class_takes_are_not_unknown() -> None:
    """Aliases and constructor aliases are known names: nothing warns, nothing moves."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chat = langchain_fw.ChatFireworks(
            model_name=CHAT, fireworks_api_key="test-key", stop_sequences=["x"]
        )
        llm = llamaindex_fw.Fireworks(model=CHAT, api_key="test-key", async_http_client=None)
    assert chat.model_kwargs == {} and chat.stop == ["x"]
    assert llm.additional_kwargs == {}


def _lc_chat(double: WireDouble, **kw: Any) -> Callable[[], Any]:
    client = httpx.Client(transport=double.transport())
    model = langchain_fw.ChatFireworks(model=CHAT, http_client=client, **KEY, **kw)
    return lambda: model.invoke("hi")


def _li_chat(double: WireDouble, **kw: Any) -> Callable[[], Any]:
    client = httpx.Client(transport=double.transport())
    llm = llamaindex_fw.Fireworks(model=CHAT, http_client=client, **KEY, **kw)
    return lambda: llm.chat([ChatMessage(role="user", content="hi")])


def _lc_embed(double: WireDouble, **kw: Any) -> Callable[[], Any]:
    client = httpx.Client(transport=double.transport())
    model = langchain_fw.FireworksEmbeddings(http_client=client, **KEY, **kw)
    return lambda: model.embed_query("hi")


def _li_embed(double: WireDouble, **kw: Any) -> Callable[[], Any]:
    client = httpx.Client(transport=double.transport())
    model = llamaindex_fw.FireworksEmbedding(http_client=client, **KEY, **kw)
    return lambda: model.get_query_embedding("hi")


# request fields Fireworks documents (docs/wire.md §1.4, §1.11) that the classes do not type
@pytest.mark.parametrize(
    ("build", "field", "value"),
    [
        (_lc_chat, "mirostat_target", 2.5),
        (_li_chat, "mirostat_target", 2.5),
        (_lc_embed, "normalize", True),
        (_li_embed, "normalize", True),
    ],
    ids=["langchain-chat", "llamaindex-chat", "langchain-embeddings", "llamaindex-embeddings"],
)
def test_an_unknown_name_warns_and_is_sent_as_a_body_field(
    build: Callable[..., Callable[[], Any]], field: str, value: Any
) -> None:
    double = WireDouble()
    with pytest.warns(UserWarning, match=f"'{field}' not among its options"):
        call = build(double, **{field: value})
    call()
    body = json.loads(double.requests[-1].content)
    assert body[field] == value


def test_a_name_given_twice_is_an_error() -> None:
    with pytest.raises(ConfigurationError, match="'echo' both as an argument and in"):
        langchain_fw.ChatFireworks(**KEY, model=CHAT, echo=True, model_kwargs={"echo": False})
