"""The surface side of the matrix: each public way to call the API, behind one small adapter.

A :class:`Surface` builds a fresh object wired to a wire double through counting
transports (``Wiring``), runs one call style on it (``sync``, ``async``, ``stream``,
``astream``) and checks that a successful result is whole. Adding a surface is adding
one entry to :data:`SURFACES`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from fw_core import FIREWORKS, FIRMWARE, AsyncClient, Client, ProviderSpec
from fw_core.endpoints import chat as fw_chat
from fw_core.kit.stream_delta import StreamTracker
from fw_core.testing import WireDouble
from tests.reliability._faults import CALL, STREAM
from tests.reliability.conftest import AsyncCountingTransport, CountingTransport, StreamLedger

FAKE_KEY = "fw-RELIABILITY-not-a-real-key-0123456789"

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
QUESTION = "What is the weather in 'Paris'?"
TEXTS = ["alpha particle", "beta decay", "gamma ray", "delta wing"]
QUERY = "which one is about radiation?"


class Wiring:
    """A wire double plus httpx clients whose response bodies are counted."""

    def __init__(self, double: WireDouble | None = None) -> None:
        self.double = double or WireDouble()
        self.ledger = StreamLedger()
        self.http = httpx.Client(transport=CountingTransport(self.double.transport(), self.ledger))
        self.ahttp = httpx.AsyncClient(
            transport=AsyncCountingTransport(self.double.async_transport(), self.ledger)
        )

    async def aclose(self) -> None:
        self.http.close()
        await self.ahttp.aclose()


STYLE = {"sync": CALL, "async": CALL, "stream": STREAM, "astream": STREAM}


@dataclass(frozen=True)
class Surface:
    """One public entry point.

    ``build(wiring, timeout)`` returns the object; ``run(obj, mode, tools)`` performs one
    user-level operation (a coroutine for async modes) and returns what the user gets;
    ``check(result, tools)`` asserts that result is complete. ``requests`` is how many HTTP
    requests one successful operation takes; ``path`` is the endpoint the faults target.
    """

    name: str
    provider: ProviderSpec
    path: str
    modes: tuple[str, ...]
    build: Callable[[Wiring, float | None], Any]
    run: Callable[[Any, str, bool], Any]
    check: Callable[[Any, bool], None]
    requests: int = 1
    langchain: bool = False
    sse: bool = False  # the call reads an SSE stream even in sync/async style

    def style(self, mode: str) -> str:
        return STREAM if self.sse else STYLE[mode]


# ----------------------------------------------------------------------------- fw_core


def _core_clients(provider: ProviderSpec) -> Callable[[Wiring, float | None], Any]:
    def build(w: Wiring, timeout: float | None) -> tuple[Client, AsyncClient]:
        kw: dict[str, Any] = {"api_key": FAKE_KEY, "timeout": timeout}
        return (
            Client(provider, http_client=w.http, **kw),
            AsyncClient(provider, http_client=w.ahttp, **kw),
        )

    return build


def _chat_body(provider: ProviderSpec, tools: bool) -> dict[str, Any]:
    model = "llama-v3p1-8b-instruct" if provider is FIREWORKS else "openai/gpt-5.2"
    body: dict[str, Any] = {
        "model": provider.normalize_model(model),
        "messages": [{"role": "user", "content": QUESTION}],
    }
    if tools:
        body["tools"] = [WEATHER_TOOL]
        body["tool_choice"] = "required"
    return body


def _core_chat_run(provider: ProviderSpec) -> Callable[[Any, str, bool], Any]:
    def run(clients: tuple[Client, AsyncClient], mode: str, tools: bool) -> Any:
        sync, asyn = clients
        body = _chat_body(provider, tools)
        if mode == "sync":
            return fw_chat.create(sync, body).completion
        if mode == "stream":
            acc = StreamTracker()
            for chunk in fw_chat.stream(sync, body):
                acc.feed(chunk)
            return acc.result()
        if mode == "async":
            return _await_completion(asyn, body)
        return _astream_completion(asyn, body)

    return run


async def _await_completion(client: AsyncClient, body: dict[str, Any]) -> Any:
    return (await fw_chat.acreate(client, body)).completion


async def _astream_completion(client: AsyncClient, body: dict[str, Any]) -> Any:
    acc = StreamTracker()
    async for chunk in fw_chat.astream(client, body):
        acc.feed(chunk)
    return acc.result()


def _check_completion(completion: Any, tools: bool) -> None:
    choice = completion.choices[0]
    assert choice.finish_reason in ("stop", "tool_calls")
    if tools:
        call = choice.message.tool_calls[0]
        assert call.function.name == "get_weather"
        assert json.loads(call.function.arguments) == {"city": "Paris"}
    else:
        assert choice.message.content


def _check_vectors(vectors: Any, tools: bool) -> None:
    assert len(vectors) == len(TEXTS)
    assert all(v and len(v) == len(vectors[0]) for v in vectors)
    assert vectors[0] != vectors[1]


def _core_long_run(clients: tuple[Client, AsyncClient], mode: str, tools: bool) -> Any:
    # Above Fireworks' non-streaming max_tokens limit fw_core streams internally.
    sync, asyn = clients
    body = {**_chat_body(FIREWORKS, tools), "max_tokens": 5000}
    if mode == "sync":
        return fw_chat.create(sync, body).completion
    return _await_completion(asyn, body)


def _core_surfaces() -> list[Surface]:
    # fw_core's embeddings and rerank functions are exercised through every LangChain and
    # LlamaIndex embeddings/rerank surface below (the same code path), so only chat, which
    # users also call directly for streams, is a surface of its own.
    return [
        Surface(
            f"core-{provider.name}-chat",
            provider,
            "/chat/completions",
            ("sync", "async", "stream", "astream"),
            _core_clients(provider),
            _core_chat_run(provider),
            _check_completion,
        )
        for provider in (FIREWORKS, FIRMWARE)
    ] + [
        Surface(
            "core-fireworks-chat-long",
            FIREWORKS,
            "/chat/completions",
            ("sync", "async"),
            _core_clients(FIREWORKS),
            _core_long_run,
            _check_completion,
            sse=True,
        ),
    ]


# ----------------------------------------------------------------------------- LangChain


def _lc_build(cls_name: str, **options: Any) -> Callable[[Wiring, float | None], Any]:
    def build(w: Wiring, timeout: float | None) -> Any:
        import langchain_fw

        cls = getattr(langchain_fw, cls_name)
        return cls(
            api_key=FAKE_KEY,
            http_client=w.http,
            http_async_client=w.ahttp,
            timeout=timeout,
            **options,
        )

    return build


def _lc_embed_run(emb: Any, mode: str, tools: bool) -> Any:
    if mode == "sync":
        return emb.embed_documents(list(TEXTS))
    return emb.aembed_documents(list(TEXTS))


def _lc_rerank_run(reranker: Any, mode: str, tools: bool) -> Any:
    from langchain_core.documents import Document

    docs = [Document(page_content=t, metadata={"n": i}) for i, t in enumerate(TEXTS)]
    if mode == "sync":
        return reranker.compress_documents(docs, QUERY)
    return reranker.acompress_documents(docs, QUERY)


def _check_lc_documents(docs: Any, tools: bool) -> None:
    assert sorted(d.metadata["n"] for d in docs) == list(range(len(TEXTS)))
    scores = [d.metadata["relevance_score"] for d in docs]
    assert scores == sorted(scores, reverse=True)


CHAT_MODELS = {"fireworks": "llama-v3p1-8b-instruct", "firmware": "openai/gpt-5.2"}


def _lc_chat_run(llm: Any, mode: str, tools: bool) -> Any:
    runnable = llm.bind_tools([WEATHER_TOOL], tool_choice="any") if tools else llm
    if mode == "sync":
        return runnable.invoke(QUESTION)
    if mode == "async":
        return runnable.ainvoke(QUESTION)
    if mode == "stream":
        return _lc_sum(list(runnable.stream(QUESTION)))
    return _lc_astream(runnable)


async def _lc_astream(runnable: Any) -> Any:
    return _lc_sum([chunk async for chunk in runnable.astream(QUESTION)])


def _lc_sum(chunks: list[Any]) -> Any:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


def _check_lc_message(message: Any, tools: bool) -> None:
    assert message.response_metadata.get("finish_reason") in ("stop", "tool_calls")
    if tools:
        assert [(c["name"], c["args"]) for c in message.tool_calls] == [
            ("get_weather", {"city": "Paris"})
        ]
    else:
        assert message.content and not message.tool_calls


def _langchain_surfaces() -> list[Surface]:
    out = []
    for provider, prefix in ((FIREWORKS, "Fireworks"), (FIRMWARE, "Firmware")):
        p = provider.name
        out += [
            Surface(
                f"lc-{p}-chat",
                provider,
                "/chat/completions",
                ("sync", "async", "stream", "astream"),
                _lc_build(f"Chat{prefix}", model=CHAT_MODELS[p]),
                _lc_chat_run,
                _check_lc_message,
                langchain=True,
            ),
            # streaming=True: invoke streams under the hood (callbacks see each token)
            Surface(
                f"lc-{p}-chat-streaming",
                provider,
                "/chat/completions",
                ("sync", "async"),
                _lc_build(f"Chat{prefix}", model=CHAT_MODELS[p], streaming=True),
                _lc_chat_run,
                _check_lc_message,
                langchain=True,
                sse=True,
            ),
            Surface(
                f"lc-{p}-embed-batches",
                provider,
                "/embeddings",
                ("sync", "async"),
                _lc_build(f"{prefix}Embeddings", batch_size=2, max_concurrency=1),
                _lc_embed_run,
                _check_vectors,
                requests=2,
                langchain=True,
            ),
            Surface(
                f"lc-{p}-rerank",
                provider,
                "/rerank",
                ("sync", "async"),
                _lc_build(f"{prefix}Rerank", top_n=None),
                _lc_rerank_run,
                _check_lc_documents,
                langchain=True,
            ),
        ]
    return out


# ----------------------------------------------------------------------------- LlamaIndex


def _li_build(cls_name: str, **options: Any) -> Callable[[Wiring, float | None], Any]:
    def build(w: Wiring, timeout: float | None) -> Any:
        import llamaindex_fw

        cls = getattr(llamaindex_fw, cls_name)
        return cls(
            api_key=FAKE_KEY,
            http_client=w.http,
            async_http_client=w.ahttp,
            timeout=timeout,
            **options,
        )

    return build


def _li_embed_run(emb: Any, mode: str, tools: bool) -> Any:
    if mode == "sync":
        return emb.get_text_embedding_batch(list(TEXTS))
    return emb.aget_text_embedding_batch(list(TEXTS))


def _li_rerank_run(post: Any, mode: str, tools: bool) -> Any:
    from llama_index.core.schema import NodeWithScore, TextNode

    nodes = [
        NodeWithScore(node=TextNode(text=t, id_=f"n{i}"), score=0.0) for i, t in enumerate(TEXTS)
    ]
    if mode == "sync":
        return post.postprocess_nodes(nodes, query_str=QUERY)
    return post.apostprocess_nodes(nodes, query_str=QUERY)


def _check_li_nodes(nodes: Any, tools: bool) -> None:
    assert sorted(n.node.node_id for n in nodes) == [f"n{i}" for i in range(len(TEXTS))]
    scores = [n.score for n in nodes]
    assert scores == sorted(scores, reverse=True)


def _get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"sunny in {city}"


def _li_chat_run(llm: Any, mode: str, tools: bool) -> Any:
    from llama_index.core.llms import ChatMessage
    from llama_index.core.tools import FunctionTool

    if tools:
        tool = FunctionTool.from_defaults(fn=_get_weather, name="get_weather")
        kw: dict[str, Any] = {"tools": [tool], "user_msg": QUESTION, "tool_required": True}
        calls = {
            "sync": llm.chat_with_tools,
            "async": llm.achat_with_tools,
            "stream": llm.stream_chat_with_tools,
            "astream": llm.astream_chat_with_tools,
        }
        call, args = calls[mode], ()
    else:
        kw = {}
        calls = {
            "sync": llm.chat,
            "async": llm.achat,
            "stream": llm.stream_chat,
            "astream": llm.astream_chat,
        }
        call, args = calls[mode], ([ChatMessage(role="user", content=QUESTION)],)
    if mode == "sync":
        return llm, call(*args, **kw)
    if mode == "stream":
        return llm, list(call(*args, **kw))[-1]
    return _li_async(llm, mode, call(*args, **kw))


async def _li_async(llm: Any, mode: str, pending: Any) -> Any:
    if mode == "async":
        return llm, await pending
    last = None
    async for response in await pending:
        last = response
    return llm, last


def _check_li_chat(result: Any, tools: bool) -> None:
    llm, response = result
    assert response.additional_kwargs.get("finish_reason") in ("stop", "tool_calls")
    if tools:
        calls = llm.get_tool_calls_from_response(response)
        assert [(c.tool_name, c.tool_kwargs) for c in calls] == [("get_weather", {"city": "Paris"})]
    else:
        assert response.message.content


def _llamaindex_surfaces() -> list[Surface]:
    out = []
    for provider, prefix in ((FIREWORKS, "Fireworks"), (FIRMWARE, "Firmware")):
        p = provider.name
        out += [
            Surface(
                f"li-{p}-chat",
                provider,
                "/chat/completions",
                ("sync", "async", "stream", "astream"),
                _li_build(prefix, model=CHAT_MODELS[p]),
                _li_chat_run,
                _check_li_chat,
            ),
            # Sync only: LlamaIndex's own async batching runs every batch at once
            # (asyncio.gather), so its request order is not deterministic; the async
            # multi-batch path is covered by test_llamaindex_async_batches_fail_whole.
            Surface(
                f"li-{p}-embed-batches",
                provider,
                "/embeddings",
                ("sync",),
                _li_build(f"{prefix}Embedding", embed_batch_size=2),
                _li_embed_run,
                _check_vectors,
                requests=2,
            ),
            Surface(
                f"li-{p}-embed",
                provider,
                "/embeddings",
                ("async",),
                _li_build(f"{prefix}Embedding"),
                _li_embed_run,
                _check_vectors,
            ),
            Surface(
                f"li-{p}-rerank",
                provider,
                "/rerank",
                ("sync", "async"),
                _li_build(f"{prefix}Rerank", top_n=len(TEXTS)),
                _li_rerank_run,
                _check_li_nodes,
            ),
        ]
    return out


SURFACES: list[Surface] = [*_core_surfaces(), *_langchain_surfaces(), *_llamaindex_surfaces()]
