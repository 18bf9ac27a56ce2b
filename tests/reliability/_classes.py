"""Every public class, with how to construct it against a wire double and call it once.

Used by the bad-input and secrets suites, which go over each public class in turn.
``make(wiring, **overrides)`` builds the object with a fake key and the wiring's
transports; pass ``api_key=OMIT`` to build it without a key argument. ``call(obj)`` and
``acall(obj)`` perform one ordinary operation (sync / async).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fw_core import FIREWORKS, FIRMWARE, AsyncClient, Client, ProviderSpec
from fw_core.endpoints import chat as fw_chat
from tests.reliability._surfaces import CHAT_MODELS, FAKE_KEY, QUERY, QUESTION, TEXTS, Wiring

OMIT = object()


@dataclass(frozen=True)
class PublicClass:
    name: str
    provider: ProviderSpec
    kind: str  # "client", "embed", "rerank", "chat"
    framework: str  # "core", "langchain", "llamaindex"
    factory: Callable[..., Any]
    http_kw: tuple[str, str] | None  # names of the sync / async httpx client arguments
    model_kw: str | None
    call: Callable[[Any], Any]
    acall: Callable[[Any], Any]
    defaults: tuple[tuple[str, Any], ...] = ()
    # chat classes: consume one stream (async), for the stream error paths
    astream: Callable[[Any], Any] | None = None

    def make(self, wiring: Wiring | None, **overrides: Any) -> Any:
        kw: dict[str, Any] = {"api_key": FAKE_KEY, **dict(self.defaults)}
        if wiring is not None and self.http_kw is not None:
            kw[self.http_kw[0]] = wiring.http
            kw[self.http_kw[1]] = wiring.ahttp
        kw.update(overrides)
        if kw.get("api_key") is OMIT:
            del kw["api_key"]
        return self.factory(**kw)


def _chat_body(provider: ProviderSpec) -> dict[str, Any]:
    model = "llama-v3p1-8b-instruct" if provider is FIREWORKS else "openai/gpt-5.2"
    return {
        "model": provider.normalize_model(model),
        "messages": [{"role": "user", "content": QUESTION}],
    }


def _core(provider: ProviderSpec, asynchronous: bool) -> PublicClass:
    cls = AsyncClient if asynchronous else Client

    def factory(**kw: Any) -> Any:
        http = kw.pop("http_async_client" if asynchronous else "http_client", None)
        kw.pop("http_client", None)
        kw.pop("http_async_client", None)
        return cls(provider, http_client=http, **kw)

    def call(client: Any) -> Any:
        assert not asynchronous, "use acall"
        return fw_chat.create(client, _chat_body(provider))

    async def acall(client: Any) -> Any:
        if asynchronous:
            return await fw_chat.acreate(client, _chat_body(provider))
        return fw_chat.create(client, _chat_body(provider))

    return PublicClass(
        f"core.{cls.__name__}[{provider.name}]",
        provider,
        "client",
        "core",
        factory,
        ("http_client", "http_async_client"),
        None,
        call,
        acall,
    )


def _lc(cls_name: str, provider: ProviderSpec, kind: str) -> PublicClass:
    import langchain_fw

    cls = getattr(langchain_fw, cls_name)
    if kind == "embed":

        def call(obj: Any) -> Any:
            return obj.embed_documents(list(TEXTS))

        async def acall(obj: Any) -> Any:
            return await obj.aembed_documents(list(TEXTS))
    else:
        from langchain_core.documents import Document

        def call(obj: Any) -> Any:
            return obj.compress_documents([Document(page_content=t) for t in TEXTS], QUERY)

        async def acall(obj: Any) -> Any:
            docs = [Document(page_content=t) for t in TEXTS]
            return await obj.acompress_documents(docs, QUERY)

    return PublicClass(
        f"langchain.{cls_name}",
        provider,
        kind,
        "langchain",
        cls,
        ("http_client", "http_async_client"),
        "model",
        call,
        acall,
    )


def _li(cls_name: str, provider: ProviderSpec, kind: str) -> PublicClass:
    import llamaindex_fw

    cls = getattr(llamaindex_fw, cls_name)
    if kind == "embed":

        def call(obj: Any) -> Any:
            return obj.get_text_embedding_batch(list(TEXTS))

        async def acall(obj: Any) -> Any:
            return await obj.aget_text_embedding_batch(list(TEXTS))

        model_kw = "model_name"
    else:
        from llama_index.core.schema import NodeWithScore, TextNode

        def nodes() -> list[Any]:
            return [NodeWithScore(node=TextNode(text=t), score=0.0) for t in TEXTS]

        def call(obj: Any) -> Any:
            return obj.postprocess_nodes(nodes(), query_str=QUERY)

        async def acall(obj: Any) -> Any:
            return await obj.apostprocess_nodes(nodes(), query_str=QUERY)

        model_kw = "model"
    return PublicClass(
        f"llamaindex.{cls_name}",
        provider,
        kind,
        "llamaindex",
        cls,
        ("http_client", "async_http_client"),
        model_kw,
        call,
        acall,
    )


def _lc_chat(provider: ProviderSpec, prefix: str) -> PublicClass:
    import langchain_fw

    cls = getattr(langchain_fw, f"Chat{prefix}")

    def call(obj: Any) -> Any:
        return obj.invoke(QUESTION)

    async def acall(obj: Any) -> Any:
        return await obj.ainvoke(QUESTION)

    async def astream(obj: Any) -> Any:
        return [chunk async for chunk in obj.astream(QUESTION)]

    return PublicClass(
        f"langchain.Chat{prefix}",
        provider,
        "chat",
        "langchain",
        cls,
        ("http_client", "http_async_client"),
        "model",
        call,
        acall,
        (("model", CHAT_MODELS[provider.name]),),
        astream,
    )


def _li_chat(provider: ProviderSpec, prefix: str) -> PublicClass:
    from llama_index.core.llms import ChatMessage

    import llamaindex_fw

    cls = getattr(llamaindex_fw, prefix)

    def msgs() -> list[Any]:
        return [ChatMessage(role="user", content=QUESTION)]

    def call(obj: Any) -> Any:
        return obj.chat(msgs())

    async def acall(obj: Any) -> Any:
        return await obj.achat(msgs())

    async def astream(obj: Any) -> Any:
        return [r async for r in await obj.astream_chat(msgs())]

    return PublicClass(
        f"llamaindex.{prefix}",
        provider,
        "chat",
        "llamaindex",
        cls,
        ("http_client", "async_http_client"),
        "model",
        call,
        acall,
        (("model", CHAT_MODELS[provider.name]),),
        astream,
    )


def _lc_completion_llm() -> PublicClass:
    import langchain_fw

    def call(obj: Any) -> Any:
        return obj.invoke("The sky is")

    async def acall(obj: Any) -> Any:
        return await obj.ainvoke("The sky is")

    async def astream(obj: Any) -> Any:
        return [chunk async for chunk in obj.astream("The sky is")]

    return PublicClass(
        "langchain.Fireworks",
        FIREWORKS,
        "llm",
        "langchain",
        langchain_fw.Fireworks,
        ("http_client", "http_async_client"),
        "model",
        call,
        acall,
        (("model", CHAT_MODELS["fireworks"]),),
        astream,
    )


def public_classes() -> list[PublicClass]:
    out = [_core(p, a) for p in (FIREWORKS, FIRMWARE) for a in (False, True)]
    out.append(_lc_completion_llm())
    for provider, prefix in ((FIREWORKS, "Fireworks"), (FIRMWARE, "Firmware")):
        out += [
            _lc_chat(provider, prefix),
            _li_chat(provider, prefix),
            _lc(f"{prefix}Embeddings", provider, "embed"),
            _lc(f"{prefix}Rerank", provider, "rerank"),
            _li(f"{prefix}Embedding", provider, "embed"),
            _li(f"{prefix}Rerank", provider, "rerank"),
        ]
    return out


PUBLIC_CLASSES = public_classes()
