"""Every public class pickles and deep-copies, before and after use; a fork builds new clients.

What Ray, Spark, ``multiprocessing`` and LlamaIndex worker pools do with our objects. Each
object is built with an injected httpx client on the wire double's in-process transport
and a ``base_url`` pointing at the same double's loopback server. The original calls
through the injected client; a pickled copy drops that client (it cannot be pickled), so
its successful call over a real socket to the loopback server shows that the copy built
and used its own default client. A deep copy shares the injected client but builds its
own fw_core client. The fork test runs a child process (``fork`` start method) that
inherits a used object and must build a fresh client and reach the server with it.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from fw_core import FIREWORKS, FIRMWARE, ProviderSpec
from fw_core.testing import WireDouble
from fw_core.testing.server import serve
from tests.audio_fixtures import wav_bytes

KEY = "fw-pickle-test-key-0123456789"
FW_CHAT = "llama-v3p1-8b-instruct"
FM_CHAT = "openai/gpt-4o-mini"
_PATHS = {"fireworks": "/inference/v1", "firmware": "/api/v1"}


@dataclass(frozen=True)
class Case:
    name: str
    provider: ProviderSpec
    make: Callable[..., Any]  # make(base_url=..., http_client=..., http_async_client=...)
    call: Callable[[Any], Any]  # one ordinary sync call; returns something truthy

    def connection(self, obj: Any) -> Any:
        """The object holding the connection fields (the tool spec keeps one aside)."""
        return getattr(obj, "connection", obj)


def _lc_cases() -> list[Case]:
    from langchain_core.documents import Document
    from langchain_core.documents.base import Blob

    import langchain_fw as lc

    def chat(cls: type, model: str) -> Callable[..., Any]:
        return lambda **kw: cls(model=model, api_key=KEY, max_retries=0, **kw)

    def plain(cls: type) -> Callable[..., Any]:
        return lambda **kw: cls(api_key=KEY, max_retries=0, **kw)

    def rerank(obj: Any) -> Any:
        docs = [Document(page_content=t) for t in ("Paris is in France", "Bananas")]
        return obj.compress_documents(docs, "capital of France")

    return [
        Case("lc.ChatFireworks", FIREWORKS, chat(lc.ChatFireworks, FW_CHAT), _invoke),
        Case("lc.ChatFirmware", FIRMWARE, chat(lc.ChatFirmware, FM_CHAT), _invoke),
        Case("lc.Fireworks", FIREWORKS, chat(lc.Fireworks, FW_CHAT), _invoke),
        Case("lc.FireworksEmbeddings", FIREWORKS, plain(lc.FireworksEmbeddings), _embed_lc),
        Case("lc.FirmwareEmbeddings", FIRMWARE, plain(lc.FirmwareEmbeddings), _embed_lc),
        Case("lc.FireworksRerank", FIREWORKS, plain(lc.FireworksRerank), rerank),
        Case("lc.FirmwareRerank", FIRMWARE, plain(lc.FirmwareRerank), rerank),
        Case(
            "lc.FireworksAudioParser",
            FIREWORKS,
            plain(lc.FireworksAudioParser),
            lambda obj: obj.parse(Blob.from_data(wav_bytes(1.0), path="a.wav")),
        ),
        Case(
            "lc.FireworksImageGeneration",
            FIREWORKS,
            plain(lc.FireworksImageGeneration),
            lambda obj: obj.invoke({"prompt": "a lighthouse", "seed": 1}),
        ),
    ]


def _li_cases() -> list[Case]:
    from llama_index.core.llms import ChatMessage
    from llama_index.core.schema import NodeWithScore, TextNode

    import llamaindex_fw as li

    def chat(cls: type, model: str) -> Callable[..., Any]:
        return lambda **kw: cls(model=model, api_key=KEY, max_retries=0, **kw)

    def plain(cls: type) -> Callable[..., Any]:
        return lambda **kw: cls(api_key=KEY, max_retries=0, **kw)

    def rerank(obj: Any) -> Any:
        nodes = [NodeWithScore(node=TextNode(text=t)) for t in ("Paris, France", "Bananas")]
        return obj.postprocess_nodes(nodes, query_str="capital of France")

    def llm(obj: Any) -> Any:
        return obj.chat([ChatMessage(role="user", content="hi")]).message.content

    def tool(**kw: Any) -> Any:
        kw["async_http_client"] = kw.pop("http_async_client")  # its own keyword spelling
        return li.FireworksImageToolSpec(api_key=KEY, max_retries=0, **kw)

    return [
        Case("li.Fireworks", FIREWORKS, chat(li.Fireworks, FW_CHAT), llm),
        Case("li.Firmware", FIRMWARE, chat(li.Firmware, FM_CHAT), llm),
        Case(
            "li.FireworksEmbedding",
            FIREWORKS,
            plain(li.FireworksEmbedding),
            lambda o: o.get_text_embedding("a"),
        ),
        Case(
            "li.FirmwareEmbedding",
            FIRMWARE,
            plain(li.FirmwareEmbedding),
            lambda o: o.get_text_embedding("a"),
        ),
        Case("li.FireworksRerank", FIREWORKS, plain(li.FireworksRerank), rerank),
        Case("li.FirmwareRerank", FIRMWARE, plain(li.FirmwareRerank), rerank),
        Case(
            "li.FireworksAudioReader",
            FIREWORKS,
            plain(li.FireworksAudioReader),
            lambda obj: obj.load_data(wav_bytes(1.0)),
        ),
        Case(
            "li.FireworksImageToolSpec",
            FIREWORKS,
            tool,
            lambda obj: obj.generate_image("a lighthouse", seed=1).result.image,
        ),
    ]


def _invoke(obj: Any) -> Any:
    return obj.invoke("hi")


def _embed_lc(obj: Any) -> Any:
    return obj.embed_documents(["a", "b"])


CASES = _lc_cases() + _li_cases()


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[WireDouble, str]]:
    double = WireDouble()
    with serve(double, max_lifetime=120) as base_url:
        yield double, base_url


@pytest.fixture
def wired(server: tuple[WireDouble, str]) -> Iterator[tuple[WireDouble, str, dict[str, Any]]]:
    """(double, loopback base, injected clients on the same double's in-process transport)."""
    double, base = server
    clients = {
        "http_client": httpx.Client(transport=double.transport()),
        "http_async_client": httpx.AsyncClient(transport=double.async_transport()),
    }
    yield double, base, clients
    clients["http_client"].close()


def _check_copy_calls_over_its_own_client(
    case: Case, copy_: Any, original: Any, double: WireDouble
) -> None:
    conn = case.connection(copy_)
    assert conn.http_client is None and conn.http_async_client is None  # dropped, not pickled
    assert conn.api_key.get_secret_value() == KEY  # still a SecretStr
    before = double.connections
    try:
        assert case.call(copy_)
        assert double.connections > before, "the copy did not use its own (socket) client"
        assert conn._client() is not case.connection(original)._client()
    finally:
        conn.close()  # its sockets, not left for a later test's ResourceWarning check


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_pickle_and_deepcopy_before_and_after_a_call(
    case: Case, wired: tuple[WireDouble, str, dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    double, base, clients = wired
    obj = case.make(base_url=base + _PATHS[case.provider.name], **clients)
    fresh = pickle.loads(pickle.dumps(obj))  # before any call
    _check_copy_calls_over_its_own_client(case, fresh, obj, double)

    before = double.connections
    assert case.call(obj)  # through the injected in-process transport
    assert double.connections == before
    assert case.connection(obj)._client().http_client is clients["http_client"]

    used = pickle.loads(pickle.dumps(obj))  # after a call: clients exist now
    _check_copy_calls_over_its_own_client(case, used, obj, double)

    deep = copy.deepcopy(obj)
    conn = case.connection(deep)
    assert conn.http_client is clients["http_client"]  # the caller's client is shared
    assert conn._client() is not case.connection(obj)._client()
    requests = len(double.requests)
    assert case.call(deep)
    assert len(double.requests) > requests
    # LlamaIndex logs each attribute its __getstate__ must drop; ours never reach it.
    assert not [r for r in caplog.records if "unpickleable" in r.getMessage()]


# --------------------------------------------------------------------------- fork


def _child(obj: Any, results: Any) -> None:  # runs in the forked child
    try:
        inherited = obj._fw_clients.sync
        out: dict[str, Any] = {"pid": os.getpid()}
        out["reply"] = bool(obj.invoke("hi").content)
        fresh = obj._fw_clients.sync
        out["new_client"] = fresh is not inherited and fresh is not None
        out["injected_reused"] = fresh.http_client is obj.http_client
        out["slots_pid"] = obj._fw_clients.pid
        out["async_reply"] = bool(asyncio.run(obj.ainvoke("hi")).content)
        results.put(out)
    except BaseException as exc:  # report instead of hanging the parent
        results.put({"error": repr(exc)})


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this platform"
)
@pytest.mark.parametrize("injected", [False, True], ids=["default-client", "injected-client"])
def test_forked_child_builds_its_own_client(
    injected: bool, wired: tuple[WireDouble, str, dict[str, Any]]
) -> None:
    import langchain_fw as lc

    double, base, clients = wired
    kw = clients if injected else {}
    llm = lc.ChatFireworks(
        model=FW_CHAT, api_key=KEY, base_url=base + "/inference/v1", max_retries=0, **kw
    )
    try:
        assert llm.invoke("hi").content  # the parent's client now exists
        parent_client = llm._client()
        requests = len(double.requests)

        ctx = multiprocessing.get_context("fork")
        results = ctx.Queue()
        child = ctx.Process(target=_child, args=(llm, results))
        child.start()
        try:
            out = results.get(timeout=20)
        finally:
            child.join(5)
            if child.is_alive():
                child.kill()
                child.join(5)
        assert "error" not in out, out.get("error", "")
        assert out["pid"] != os.getpid() and out["slots_pid"] == out["pid"]
        assert out["new_client"] and not out["injected_reused"]
        assert out["reply"] and out["async_reply"]
        assert len(double.requests) == requests + 2  # the child's calls reached the server
        assert child.exitcode == 0
        assert llm._client() is parent_client  # the parent keeps its own
        assert llm.invoke("again").content
    finally:
        llm.close()
