"""One small adapter per chat client: the same call, stream and async forms for each.

Every adapter sends the same request (one short user message, same model, same
``max_tokens``) to the double and reads the answer the way a user of that client would.
A client that is not installed, or whose class is missing, is reported as not available
with the reason, and the run goes on without it.

Kinds: ``baseline`` (raw httpx: what any client must at least spend), ``ours``,
``anchor`` (other integrations, pointed at the double) and ``floor`` (the framework with
a model that does no I/O: the framework's own cost).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = [
    "CHAT_SPECS",
    "FIREWORKS_MODEL",
    "FIRMWARE_MODEL",
    "PROMPT",
    "ChatAdapter",
    "ChatSpec",
    "Endpoints",
    "StreamResult",
    "build",
]

FIREWORKS_MODEL = "accounts/fireworks/models/llama-v3p1-8b-instruct"
FIRMWARE_MODEL = "openai/gpt-4o-mini"
PROMPT = "Say hi in one short sentence."
API_KEY = "bench-key"


@dataclass(frozen=True)
class Endpoints:
    """Where the double listens, per provider."""

    fireworks: str
    firmware: str


@dataclass
class StreamResult:
    """One consumed stream: content chunks seen and time to the first one (seconds)."""

    chunks: int
    ttft: float


class ChatAdapter:
    """A client under test. Subclasses set the four operations they support."""

    def call(self) -> str:
        raise NotImplementedError

    async def acall(self) -> str:
        raise NotImplementedError

    def stream(self) -> StreamResult:
        raise NotImplementedError

    async def astream(self) -> StreamResult:
        raise NotImplementedError

    def close(self) -> None:
        """Release connections (best effort)."""

    async def aclose(self) -> None:
        """Release async connections, on the loop that opened them (best effort)."""


@dataclass(frozen=True)
class ChatSpec:
    """An entry of the registry: identity plus a factory."""

    name: str
    kind: str  # baseline | ours | anchor | floor
    family: str  # http | langchain | llamaindex
    provider: str  # fireworks | firmware | none
    factory: Callable[[Endpoints, int, int], ChatAdapter]  # (urls, max_tokens, floor_chunks)


def build(
    spec: ChatSpec, urls: Endpoints, max_tokens: int, floor_chunks: int
) -> tuple[ChatAdapter | None, str]:
    """(adapter, "") or (None, why it is not available)."""
    try:
        return spec.factory(urls, max_tokens, floor_chunks), ""
    except Exception as exc:  # any import/constructor failure means "not available"
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"


# ----------------------------------------------------------------------------- helpers


def _timed_stream(
    open_stream: Callable[[], Any], has_content: Callable[[Any], bool]
) -> StreamResult:
    """Open the stream and consume it; time to first token counts from before the open."""
    start = time.perf_counter()
    ttft = 0.0
    n = 0
    for item in open_stream():
        if has_content(item):
            if n == 0:
                ttft = time.perf_counter() - start
            n += 1
    return StreamResult(n, ttft)


async def _atimed_stream(
    open_stream: Callable[[], Any], has_content: Callable[[Any], bool]
) -> StreamResult:
    """Async twin of :func:`_timed_stream`; ``open_stream`` may return an awaitable."""
    start = time.perf_counter()
    ttft = 0.0
    n = 0
    items = open_stream()
    if hasattr(items, "__await__"):
        items = await items
    async for item in items:
        if has_content(item):
            if n == 0:
                ttft = time.perf_counter() - start
            n += 1
    return StreamResult(n, ttft)


def _lc_content(chunk: Any) -> bool:
    return bool(chunk.content)


def _li_delta(resp: Any) -> bool:
    return bool(resp.delta)


# ----------------------------------------------------------------------------- raw httpx


class RawHttpx(ChatAdapter):
    """httpx with a kept-alive client, json in, json out: the floor of any HTTP client."""

    def __init__(self, base: str, model: str, max_tokens: int) -> None:
        self.url = base + "/chat/completions"
        self.headers = {"Authorization": f"Bearer {API_KEY}"}
        self.body = {
            "model": model,
            "messages": [{"role": "user", "content": PROMPT}],
            "max_tokens": max_tokens,
        }
        self.sbody = {**self.body, "stream": True}
        self.http = httpx.Client(timeout=60)
        self.ahttp: httpx.AsyncClient | None = None

    def call(self) -> str:
        r = self.http.post(self.url, json=self.body, headers=self.headers)
        r.raise_for_status()
        return r.json()["choices"][0]["message"]["content"]

    async def acall(self) -> str:
        if self.ahttp is None:
            self.ahttp = httpx.AsyncClient(timeout=60)
        r = await self.ahttp.post(self.url, json=self.body, headers=self.headers)
        r.raise_for_status()
        return r.json()["choices"][0]["message"]["content"]

    @staticmethod
    def _content(line: str) -> str | None:
        """The delta text of one SSE line (None for other lines); json.loads per frame."""
        if not line.startswith("data: ") or line == "data: [DONE]":
            return None
        choices = json.loads(line[6:]).get("choices") or [{}]
        return choices[0].get("delta", {}).get("content")

    def stream(self) -> StreamResult:
        def lines() -> Any:
            with self.http.stream("POST", self.url, json=self.sbody, headers=self.headers) as r:
                r.raise_for_status()
                yield from (self._content(line) for line in r.iter_lines())

        return _timed_stream(lines, bool)

    async def astream(self) -> StreamResult:
        if self.ahttp is None:
            self.ahttp = httpx.AsyncClient(timeout=60)
        http = self.ahttp

        async def lines() -> Any:
            async with http.stream("POST", self.url, json=self.sbody, headers=self.headers) as r:
                r.raise_for_status()
                async for line in r.aiter_lines():
                    yield self._content(line)

        return await _atimed_stream(lines, bool)

    def close(self) -> None:
        self.http.close()


# ----------------------------------------------------------------------------- openai SDK


class OpenAISDK(ChatAdapter):
    def __init__(self, base: str, model: str, max_tokens: int) -> None:
        import openai

        self.client = openai.OpenAI(api_key=API_KEY, base_url=base)
        self.aclient = openai.AsyncOpenAI(api_key=API_KEY, base_url=base)
        self.kw = {
            "model": model,
            "messages": [{"role": "user", "content": PROMPT}],
            "max_tokens": max_tokens,
        }

    def call(self) -> str:
        return self.client.chat.completions.create(**self.kw).choices[0].message.content or ""

    async def acall(self) -> str:
        r = await self.aclient.chat.completions.create(**self.kw)
        return r.choices[0].message.content or ""

    @staticmethod
    def _has(chunk: Any) -> bool:
        return bool(chunk.choices and chunk.choices[0].delta.content)

    def stream(self) -> StreamResult:
        return _timed_stream(
            lambda: self.client.chat.completions.create(**self.kw, stream=True), self._has
        )

    async def astream(self) -> StreamResult:
        return await _atimed_stream(
            lambda: self.aclient.chat.completions.create(**self.kw, stream=True), self._has
        )

    def close(self) -> None:
        self.client.close()


# ----------------------------------------------------------------------------- LangChain


class LangChainChat(ChatAdapter):
    """Any LangChain BaseChatModel: invoke / ainvoke / stream / astream."""

    def __init__(self, model: Any) -> None:
        from langchain_core.messages import HumanMessage

        self.model = model
        self.messages = [HumanMessage(content=PROMPT)]

    def call(self) -> str:
        return str(self.model.invoke(self.messages).content)

    async def acall(self) -> str:
        return str((await self.model.ainvoke(self.messages)).content)

    def stream(self) -> StreamResult:
        return _timed_stream(lambda: self.model.stream(self.messages), _lc_content)

    async def astream(self) -> StreamResult:
        return await _atimed_stream(lambda: self.model.astream(self.messages), _lc_content)

    async def aclose(self) -> None:
        close = getattr(self.model, "aclose", None)  # langchain-fireworks: its aiohttp session
        if close is not None:
            await close()


def _ours_lc_fireworks(u: Endpoints, max_tokens: int, _: int) -> ChatAdapter:
    from langchain_fw import ChatFireworks

    return LangChainChat(
        ChatFireworks(
            model=FIREWORKS_MODEL, api_key=API_KEY, base_url=u.fireworks, max_tokens=max_tokens
        )
    )


def _ours_lc_firmware(u: Endpoints, max_tokens: int, _: int) -> ChatAdapter:
    from langchain_fw import ChatFirmware

    return LangChainChat(
        ChatFirmware(
            model=FIRMWARE_MODEL, api_key=API_KEY, base_url=u.firmware, max_tokens=max_tokens
        )
    )


def _anchor_lc_fireworks(u: Endpoints, max_tokens: int, _: int) -> ChatAdapter:
    from langchain_fireworks import ChatFireworks

    # Its SDK (fireworks-ai) appends /v1/... to an overridden base, so it gets .../inference.
    root = u.fireworks.removesuffix("/v1")
    return LangChainChat(
        ChatFireworks(model=FIREWORKS_MODEL, api_key=API_KEY, base_url=root, max_tokens=max_tokens)
    )


def _anchor_lc_openai(u: Endpoints, max_tokens: int, _: int) -> ChatAdapter:
    from langchain_openai import ChatOpenAI

    return LangChainChat(
        ChatOpenAI(
            model=FIREWORKS_MODEL, api_key=API_KEY, base_url=u.fireworks, max_tokens=max_tokens
        )
    )


def _floor_lc(u: Endpoints, max_tokens: int, floor_chunks: int) -> ChatAdapter:
    from benchmarks.floors import langchain_floor

    return LangChainChat(langchain_floor(floor_chunks))


# ----------------------------------------------------------------------------- LlamaIndex


class LlamaIndexChat(ChatAdapter):
    """Any LlamaIndex LLM: chat / achat / stream_chat / astream_chat."""

    def __init__(self, llm: Any) -> None:
        from llama_index.core.llms import ChatMessage

        self.llm = llm
        self.messages = [ChatMessage(role="user", content=PROMPT)]

    def call(self) -> str:
        return str(self.llm.chat(self.messages).message.content)

    async def acall(self) -> str:
        return str((await self.llm.achat(self.messages)).message.content)

    def stream(self) -> StreamResult:
        return _timed_stream(lambda: self.llm.stream_chat(self.messages), _li_delta)

    async def astream(self) -> StreamResult:
        return await _atimed_stream(lambda: self.llm.astream_chat(self.messages), _li_delta)


def _ours_li_fireworks(u: Endpoints, max_tokens: int, _: int) -> ChatAdapter:
    from llamaindex_fw import Fireworks

    return LlamaIndexChat(
        Fireworks(
            model=FIREWORKS_MODEL, api_key=API_KEY, base_url=u.fireworks, max_tokens=max_tokens
        )
    )


def _anchor_li_fireworks(u: Endpoints, max_tokens: int, _: int) -> ChatAdapter:
    from llama_index.llms.fireworks import Fireworks

    return LlamaIndexChat(
        Fireworks(
            model=FIREWORKS_MODEL, api_key=API_KEY, api_base=u.fireworks, max_tokens=max_tokens
        )
    )


def _floor_li(u: Endpoints, max_tokens: int, floor_chunks: int) -> ChatAdapter:
    from benchmarks.floors import llamaindex_floor

    return LlamaIndexChat(llamaindex_floor(floor_chunks))


# ----------------------------------------------------------------------------- registry

CHAT_SPECS: tuple[ChatSpec, ...] = (
    ChatSpec(
        "raw httpx",
        "baseline",
        "http",
        "fireworks",
        lambda u, m, _: RawHttpx(u.fireworks, FIREWORKS_MODEL, m),
    ),
    ChatSpec(
        "raw httpx (firmware)",
        "baseline",
        "http",
        "firmware",
        lambda u, m, _: RawHttpx(u.firmware, FIRMWARE_MODEL, m),
    ),
    ChatSpec(
        "openai SDK",
        "anchor",
        "http",
        "fireworks",
        lambda u, m, _: OpenAISDK(u.fireworks, FIREWORKS_MODEL, m),
    ),
    ChatSpec("langchain_fw.ChatFireworks", "ours", "langchain", "fireworks", _ours_lc_fireworks),
    ChatSpec("langchain_fw.ChatFirmware", "ours", "langchain", "firmware", _ours_lc_firmware),
    ChatSpec(
        "langchain_fireworks.ChatFireworks",
        "anchor",
        "langchain",
        "fireworks",
        _anchor_lc_fireworks,
    ),
    ChatSpec("langchain_openai.ChatOpenAI", "anchor", "langchain", "fireworks", _anchor_lc_openai),
    ChatSpec("langchain-core floor (no I/O)", "floor", "langchain", "none", _floor_lc),
    ChatSpec("llamaindex_fw.Fireworks", "ours", "llamaindex", "fireworks", _ours_li_fireworks),
    ChatSpec(
        "llama_index.llms.fireworks.Fireworks",
        "anchor",
        "llamaindex",
        "fireworks",
        _anchor_li_fireworks,
    ),
    ChatSpec("llama-index floor (no I/O)", "floor", "llamaindex", "none", _floor_li),
)
