"""Bad input gives a clear, typed error before any request (the double sees nothing).

Construction inputs (key, model id, base URL, timeout, retries) are tried on every public
class; call inputs (empty query, oversized batch or text, empty messages...) on the
classes they apply to. Each case asserts the error class, that its message names the
problem, that the key is not echoed in it, and that the wire double received nothing.
A plain-http base URL for a remote host is accepted with an ``InsecureBaseURLWarning``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import pydantic
import pytest

from fw_core import FIREWORKS, FIRMWARE
from fw_core import errors as fe
from fw_core.endpoints import chat as fw_chat
from fw_core.endpoints import embeddings as fw_embeddings
from fw_core.endpoints import rerank as fw_rerank
from fw_core.providers import InsecureBaseURLWarning
from tests.reliability._classes import OMIT, PUBLIC_CLASSES, PublicClass
from tests.reliability._surfaces import FAKE_KEY, QUERY, TEXTS, Wiring

_KEY_ENV = ("FIREWORKS_API_KEY", "FIREWORKS_AI_API_KEY", "FIRMWARE_API_KEY")

# A numeric field out of range: fw_core and LangChain raise ConfigurationError; LlamaIndex
# classes validate with pydantic field constraints. Both are ValueErrors.
_RANGE_ERRORS = (fe.ConfigurationError, pydantic.ValidationError)


def _ids(classes: list[PublicClass]) -> list[Any]:
    return [pytest.param(c, id=c.name) for c in classes]


# (id, constructor overrides, expected error, words the message must contain)
_CONSTRUCTION: list[tuple[str, dict[str, Any], Any, tuple[str, ...]]] = [
    ("empty-key", {"api_key": ""}, fe.ConfigurationError, ("key", "empty")),
    ("blank-key", {"api_key": "   "}, fe.ConfigurationError, ("key",)),
    (
        "key-trailing-newline",
        {"api_key": FAKE_KEY + "\n"},
        fe.ConfigurationError,
        ("key", "whitespace"),
    ),
    (
        "key-leading-space",
        {"api_key": " " + FAKE_KEY},
        fe.ConfigurationError,
        ("key", "whitespace"),
    ),
    ("key-inner-space", {"api_key": "fw abc"}, fe.ConfigurationError, ("key", "whitespace")),
    (
        "base-url-no-scheme",
        {"base_url": "api.fireworks.ai/inference/v1"},
        fe.ConfigurationError,
        ("base_url",),
    ),
    (
        "base-url-ftp",
        {"base_url": "ftp://files.example.com/v1"},
        fe.ConfigurationError,
        ("base_url",),
    ),
    ("base-url-empty", {"base_url": ""}, fe.ConfigurationError, ("base_url",)),
    ("timeout-negative", {"timeout": -1}, _RANGE_ERRORS, ("timeout",)),
    ("timeout-zero", {"timeout": 0}, _RANGE_ERRORS, ("timeout",)),
    ("max-retries-negative", {"max_retries": -1}, _RANGE_ERRORS, ("max_retries",)),
]

_FIREWORKS_MODELS = [
    ("model-with-space", "llama v3p1", ("whitespace",)),
    ("model-bad-path", "accounts/fireworks/llama-v3p1-8b-instruct", ("fireworks model id",)),
    ("model-bad-deployment", "llama-v3p1#deployments/x", ("deployment",)),
]
_FIRMWARE_MODELS = [
    ("model-with-space", "openai/gpt 5", ("whitespace",)),
    ("model-three-parts", "openai/gpt/5", ("firmware model id",)),
    ("unknown-vendor-prefix", "acme/model-1", ("vendor", "acme")),
    ("litellm-prefix", "firmware/openai/gpt-5.2", ("firmware/",)),
]


def _construction_cells() -> list[Any]:
    cells = []
    for c in PUBLIC_CLASSES:
        for case_id, overrides, error, words in _CONSTRUCTION:
            cells.append(pytest.param(c, overrides, error, words, id=f"{c.name}-{case_id}"))
        if c.model_kw is None:
            continue
        models = _FIREWORKS_MODELS if c.provider is FIREWORKS else _FIRMWARE_MODELS
        for case_id, model, words in models:
            cells.append(
                pytest.param(
                    c, {c.model_kw: model}, fe.ConfigurationError, words, id=f"{c.name}-{case_id}"
                )
            )
    return cells


def _assert_clear(err: BaseException, words: tuple[str, ...]) -> None:
    text = str(err).lower()
    for word in words:
        assert word.lower() in text, f"{word!r} not in {str(err)!r}"
    assert FAKE_KEY not in str(err) and FAKE_KEY not in repr(err.args)


@pytest.mark.parametrize(("cls", "overrides", "error", "words"), _construction_cells())
async def test_bad_construction(
    cls: PublicClass, overrides: dict[str, Any], error: Any, words: tuple[str, ...]
) -> None:
    wiring = Wiring()
    try:
        with pytest.raises(error) as info:
            cls.make(wiring, **overrides)
        _assert_clear(info.value, words)
        assert wiring.double.requests == []
    finally:
        await wiring.aclose()


@pytest.mark.parametrize("cls", _ids(PUBLIC_CLASSES))
async def test_missing_key(cls: PublicClass, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _KEY_ENV:
        monkeypatch.delenv(name, raising=False)
    wiring = Wiring()
    try:
        with pytest.raises(fe.ConfigurationError) as info:
            cls.make(wiring, api_key=OMIT)
        _assert_clear(info.value, ("key", cls.provider.api_key_env[0]))
        assert wiring.double.requests == []
    finally:
        await wiring.aclose()


@pytest.mark.parametrize("cls", _ids(PUBLIC_CLASSES))
async def test_key_from_env_with_newline(cls: PublicClass, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _KEY_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(cls.provider.api_key_env[0], FAKE_KEY + "\n")
    with pytest.raises(fe.ConfigurationError) as info:
        cls.make(None, api_key=OMIT)
    _assert_clear(info.value, ("whitespace", cls.provider.api_key_env[0]))


@pytest.mark.parametrize("cls", _ids(PUBLIC_CLASSES))
async def test_plain_http_to_a_remote_host_warns(cls: PublicClass) -> None:
    wiring = Wiring()
    try:
        with pytest.warns(InsecureBaseURLWarning, match="unencrypted"):
            cls.make(wiring, base_url="http://api.example.com/v1")
        assert wiring.double.requests == []
        with warnings.catch_warnings():
            warnings.simplefilter("error", InsecureBaseURLWarning)
            cls.make(wiring, base_url="http://127.0.0.1:9/v1")
            cls.make(wiring, base_url="http://localhost:9/v1")
            cls.make(wiring, base_url="https://api.example.com/v1")
    finally:
        await wiring.aclose()


# --------------------------------------------------------------------------- call inputs


def _of_kind(kind: str) -> list[PublicClass]:
    return [c for c in PUBLIC_CLASSES if c.kind == kind]


def _rerank_query(cls: PublicClass, obj: Any, query: str, n_docs: int, asynchronous: bool) -> Any:
    texts = list(TEXTS[:n_docs])
    if cls.framework == "langchain":
        from langchain_core.documents import Document

        docs = [Document(page_content=t) for t in texts]
        return (
            obj.acompress_documents(docs, query)
            if asynchronous
            else obj.compress_documents(docs, query)
        )
    from llama_index.core.schema import NodeWithScore, TextNode

    nodes = [NodeWithScore(node=TextNode(text=t), score=0.0) for t in texts]
    return (
        obj.apostprocess_nodes(nodes, query_str=query)
        if asynchronous
        else obj.postprocess_nodes(nodes, query_str=query)
    )


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("query", ["", "   "], ids=["empty-query", "blank-query"])
@pytest.mark.parametrize("cls", _ids(_of_kind("rerank")))
async def test_rerank_without_a_query(cls: PublicClass, query: str, asynchronous: bool) -> None:
    wiring = Wiring()
    try:
        obj = cls.make(wiring)
        with pytest.raises(fe.ConfigurationError) as info:
            result = _rerank_query(cls, obj, query, len(TEXTS), asynchronous)
            if asynchronous:
                await result
        _assert_clear(info.value, ("query",))
        assert wiring.double.requests == []
    finally:
        await wiring.aclose()


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("cls", _ids(_of_kind("rerank")))
async def test_rerank_of_no_documents_is_empty_and_sends_nothing(
    cls: PublicClass, asynchronous: bool
) -> None:
    # Decision: a retriever that found nothing is normal in a pipeline, so an empty
    # document list gives an empty ranking (no error, no request), as LangChain's and
    # LlamaIndex's own rerankers do.
    wiring = Wiring()
    try:
        obj = cls.make(wiring)
        result = _rerank_query(cls, obj, QUERY, 0, asynchronous)
        if asynchronous:
            result = await result
        assert list(result) == []
        assert wiring.double.requests == []
    finally:
        await wiring.aclose()


def _batch_kw(cls: PublicClass) -> str:
    return "batch_size" if cls.framework == "langchain" else "embed_batch_size"


@pytest.mark.parametrize("cls", _ids(_of_kind("embed")))
async def test_embedding_batch_above_the_api_limit(cls: PublicClass) -> None:
    limit = cls.provider.embedding_batch_limit
    wiring = Wiring()
    try:
        with pytest.raises(fe.ConfigurationError) as info:
            cls.make(wiring, **{_batch_kw(cls): limit + 1})
        _assert_clear(info.value, (str(limit),))
        assert wiring.double.requests == []
    finally:
        await wiring.aclose()


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("cls", _ids([c for c in _of_kind("embed") if c.framework == "langchain"]))
async def test_oversized_embedding_text(cls: PublicClass, asynchronous: bool) -> None:
    wiring = Wiring()
    try:
        obj = cls.make(wiring)
        huge = "word " * 200_000  # a million characters: far above any model's input limit
        with pytest.raises(fe.ContextLengthExceededError) as info:
            texts = ["fine", huge]
            if asynchronous:
                await obj.aembed_documents(texts)
            else:
                obj.embed_documents(texts)
        _assert_clear(info.value, ("text 1",))
        assert wiring.double.requests == []
    finally:
        await wiring.aclose()


@pytest.mark.parametrize("cls", _ids([c for c in _of_kind("embed") if c.framework == "langchain"]))
async def test_single_string_instead_of_a_list(cls: PublicClass) -> None:
    wiring = Wiring()
    try:
        obj = cls.make(wiring)
        with pytest.raises(fe.ConfigurationError) as info:
            obj.embed_documents("one long string")
        _assert_clear(info.value, ("list",))
        assert wiring.double.requests == []
    finally:
        await wiring.aclose()


@pytest.mark.parametrize("cls", _ids(_of_kind("embed")))
async def test_embedding_no_texts_is_empty_and_sends_nothing(cls: PublicClass) -> None:
    wiring = Wiring()
    try:
        obj = cls.make(wiring)
        if cls.framework == "langchain":
            assert obj.embed_documents([]) == []
            assert await obj.aembed_documents([]) == []
        else:
            assert obj.get_text_embedding_batch([]) == []
            assert await obj.aget_text_embedding_batch([]) == []
        assert wiring.double.requests == []
    finally:
        await wiring.aclose()


# --------------------------------------------------------------------------- fw_core calls

_CORE_CALLS: list[tuple[str, Callable[[Any, Any], Any], tuple[str, ...]]] = [
    (
        "chat-empty-messages",
        lambda c, a: fw_chat.create(c, {"model": "m", "messages": []}),
        ("message",),
    ),
    (
        "chat-no-model",
        lambda c, a: fw_chat.create(c, {"messages": [{"role": "user", "content": "hi"}]}),
        ("model",),
    ),
    (
        "stream-empty-messages",
        lambda c, a: list(fw_chat.stream(c, {"model": "m", "messages": []})),
        ("message",),
    ),
    (
        "embed-single-string",
        lambda c, a: fw_embeddings.embed(c, "text", fw_embeddings.EmbeddingsRequest(model="m")),
        ("list",),
    ),
    (
        "embed-batch-above-limit",
        lambda c, a: fw_embeddings.embed(
            c, list(TEXTS), fw_embeddings.EmbeddingsRequest(model="m", batch_size=10**6)
        ),
        ("batch_size",),
    ),
    (
        "embed-zero-dimensions",
        lambda c, a: fw_embeddings.embed(
            c, list(TEXTS), fw_embeddings.EmbeddingsRequest(model="m", dimensions=0)
        ),
        ("dimensions",),
    ),
    (
        "rerank-empty-query",
        lambda c, a: fw_rerank.rerank(c, "", list(TEXTS), fw_rerank.RerankRequest(model="m")),
        ("query",),
    ),
    (
        "rerank-top-n-zero",
        lambda c, a: fw_rerank.rerank(
            c, QUERY, list(TEXTS), fw_rerank.RerankRequest(model="m", top_n=0)
        ),
        ("top_n",),
    ),
]


@pytest.mark.parametrize("provider", [FIREWORKS, FIRMWARE], ids=lambda p: p.name)
@pytest.mark.parametrize(("call", "words"), [pytest.param(c, w, id=i) for i, c, w in _CORE_CALLS])
async def test_core_call_inputs(provider: Any, call: Any, words: tuple[str, ...]) -> None:
    from fw_core import Client

    wiring = Wiring()
    try:
        client = Client(provider, api_key=FAKE_KEY, http_client=wiring.http)
        with pytest.raises(fe.ConfigurationError) as info:
            call(client, None)
        _assert_clear(info.value, words)
        assert wiring.double.requests == []
    finally:
        await wiring.aclose()


def test_nan_is_not_a_timeout() -> None:
    from fw_core import Client

    with pytest.raises(fe.ConfigurationError):
        Client(FIREWORKS, api_key=FAKE_KEY, timeout=math.nan)


# --------------------------------------------------------------------------- chat options

_ARRAY_SCHEMA = {
    "type": "json_schema",
    "json_schema": {"name": "names", "schema": {"type": "array", "items": {"type": "string"}}},
}


def _lc_messages(obj: Any) -> Any:
    return "What is the weather in Paris?"


def _li_messages(obj: Any) -> Any:
    from llama_index.core.llms import ChatMessage

    return [ChatMessage(role="user", content="What is the weather in Paris?")]


# (id, constructor overrides, per-call keyword arguments, words in the message)
_CHAT_OPTIONS: list[tuple[str, dict[str, Any], dict[str, Any], tuple[str, ...]]] = [
    ("temperature-negative", {"temperature": -0.5}, {}, ("temperature",)),
    ("temperature-nan", {"temperature": math.nan}, {}, ("temperature",)),
    ("max-tokens-zero", {"max_tokens": 0}, {}, ("max_tokens",)),
    ("max-tokens-negative", {"max_tokens": -5}, {}, ("max_tokens",)),
    ("call-temperature-negative", {}, {"temperature": -1}, ("temperature",)),
    ("call-max-tokens-zero", {}, {"max_tokens": 0}, ("max_tokens",)),
    ("tool-choice-without-tools", {}, {"tool_choice": "required"}, ("tool_choice", "tools")),
    (
        "named-tool-choice-without-tools",
        {},
        {"tool_choice": {"type": "function", "function": {"name": "get_weather"}}},
        ("tool_choice", "tools"),
    ),
    ("json-schema-not-an-object", {}, {"response_format": _ARRAY_SCHEMA}, ("object",)),
]


def _chat_cells() -> list[Any]:
    return [
        pytest.param(c, overrides, call_kw, words, style, id=f"{c.name}-{case_id}-{style}")
        for c in _of_kind("chat")
        for case_id, overrides, call_kw, words in _CHAT_OPTIONS
        for style in ("sync", "astream")
    ]


@pytest.mark.parametrize(("cls", "overrides", "call_kw", "words", "style"), _chat_cells())
async def test_bad_chat_options(
    cls: PublicClass,
    overrides: dict[str, Any],
    call_kw: dict[str, Any],
    words: tuple[str, ...],
    style: str,
) -> None:
    wiring = Wiring()
    try:
        with pytest.raises((fe.ConfigurationError, pydantic.ValidationError)) as info:
            obj = cls.make(wiring, **overrides)  # refused here, or at the call below
            if cls.framework == "langchain":
                runnable = obj.bind(**call_kw) if call_kw else obj
                if style == "sync":
                    runnable.invoke(_lc_messages(obj))
                else:
                    [c async for c in runnable.astream(_lc_messages(obj))]
            elif style == "sync":
                obj.chat(_li_messages(obj), **call_kw)
            else:
                [r async for r in await obj.astream_chat(_li_messages(obj), **call_kw)]
        _assert_clear(info.value, words)
        assert wiring.double.requests == []
    finally:
        await wiring.aclose()


@pytest.mark.parametrize("style", ["sync", "async", "astream"])
@pytest.mark.parametrize("cls", _ids(_of_kind("chat")))
async def test_chat_without_messages(cls: PublicClass, style: str) -> None:
    wiring = Wiring()
    try:
        obj = cls.make(wiring)
        with pytest.raises(fe.ConfigurationError) as info:
            if cls.framework == "langchain":
                if style == "sync":
                    obj.invoke([])
                elif style == "async":
                    await obj.ainvoke([])
                else:
                    [c async for c in obj.astream([])]
            elif style == "sync":
                obj.chat([])
            elif style == "async":
                await obj.achat([])
            else:
                [r async for r in await obj.astream_chat([])]
        _assert_clear(info.value, ("message",))
        assert wiring.double.requests == []
    finally:
        await wiring.aclose()


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("cls", _ids([c for c in _of_kind("chat") if c.framework == "langchain"]))
async def test_structured_output_with_a_non_object_schema(
    cls: PublicClass, asynchronous: bool
) -> None:
    wiring = Wiring()
    try:
        obj = cls.make(wiring)
        schema = {"title": "names", "type": "array", "items": {"type": "string"}}
        with pytest.raises(fe.ConfigurationError) as info:
            structured = obj.with_structured_output(schema, method="json_schema")
            if asynchronous:
                await structured.ainvoke("List three names")
            else:
                structured.invoke("List three names")
        _assert_clear(info.value, ("object",))
        assert wiring.double.requests == []
    finally:
        await wiring.aclose()
