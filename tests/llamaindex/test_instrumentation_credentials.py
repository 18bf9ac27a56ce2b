"""A credential header passed per call never reaches LlamaIndex instrumentation.

LlamaIndex core hands a call's arguments, as given, to span handlers (bound arguments),
to ``LLMChatStartEvent`` / ``LLMCompletionStartEvent`` (``additional_kwargs``) and to the
``CBEventType.LLM`` callback payload; tracing integrations record all three. Before
``llamaindex_fw._redact`` a per-call ``extra_headers={"Authorization": ...}`` showed up in
each of them (checked against llama-index-core 0.14). Here every public entry point is
called with a secret header while a span handler, an event handler and a callback handler
record everything they are given, and the secret must appear in none of it, while the request
itself still carries it. (LangChain's counterpart is in tests/unit/test_chat_options_typed.py.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import llama_index.core.instrumentation as instrument
import pytest
from llama_index.core.callbacks import CallbackManager
from llama_index.core.callbacks.base_handler import BaseCallbackHandler
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.span_handlers import BaseSpanHandler
from llama_index.core.llms import ChatMessage
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel, SecretStr

from fw_core.model_table import DEFAULTS
from fw_core.testing import WireDouble
from llamaindex_fw import Fireworks, FireworksResponses, Firmware

SECRET = "per-call-secret-7f3a"
USER = [ChatMessage(role="user", content="hi")]


class _Callbacks(BaseCallbackHandler):
    def __init__(self) -> None:
        super().__init__([], [])
        self.seen: list[str] = []

    def on_event_start(self, event_type: Any, payload: Any = None, event_id: str = "",
                       parent_id: str = "", **kwargs: Any) -> str:  # fmt: skip
        self.seen.append(repr(payload))
        return event_id

    def on_event_end(self, event_type: Any, payload: Any = None, event_id: str = "",
                     **kwargs: Any) -> None:  # fmt: skip
        self.seen.append(repr(payload))

    def start_trace(self, trace_id: str | None = None) -> None: ...

    def end_trace(self, trace_id: str | None = None, trace_map: Any = None) -> None: ...


@pytest.fixture
def recorded() -> Iterator[list[str]]:
    """Everything span and event handlers on the root dispatcher see during the test."""
    out: list[str] = []

    class Events(BaseEventHandler):
        def handle(self, event: Any, **kwargs: Any) -> None:
            out.append(repr(event) + event.model_dump_json())

    class Spans(BaseSpanHandler[Any]):
        def new_span(self, id_: str, bound_args: Any, *args: Any, **kwargs: Any) -> None:
            out.append(repr(bound_args))

        def prepare_to_exit_span(self, *args: Any, **kwargs: Any) -> None:
            return None

        def prepare_to_drop_span(self, *args: Any, **kwargs: Any) -> None:
            return None

    root = instrument.get_dispatcher()
    events, spans = Events(), Spans()
    root.add_event_handler(events)
    root.add_span_handler(spans)
    try:
        yield out
    finally:
        root.event_handlers.remove(events)
        root.span_handlers.remove(spans)


def _llm(cls: type, double: WireDouble, sent: list[httpx.Request], cb: _Callbacks) -> Any:
    model = DEFAULTS["firmware_chat"] if cls is Firmware else DEFAULTS["chat"]
    hook = {"request": [sent.append]}
    ahook = {"request": [lambda r: asyncio.sleep(0, sent.append(r))]}
    return cls(
        model=model,
        api_key="test-key",
        http_client=httpx.Client(transport=double.transport(), event_hooks=hook),
        async_http_client=httpx.AsyncClient(transport=double.async_transport(), event_hooks=ahook),
        callback_manager=CallbackManager([cb]),
    )


def _tool() -> FunctionTool:
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    return FunctionTool.from_defaults(fn=add)


class _Answer(BaseModel):
    text: str


async def _drain(agen: Any) -> None:
    async for _ in await agen:
        pass


CALLS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "chat": lambda llm, h: llm.chat(USER, extra_headers=h),
    "achat": lambda llm, h: asyncio.run(llm.achat(USER, extra_headers=h)),
    "stream_chat": lambda llm, h: list(llm.stream_chat(USER, extra_headers=h)),
    "astream_chat": lambda llm, h: asyncio.run(_drain(llm.astream_chat(USER, extra_headers=h))),
    "complete": lambda llm, h: llm.complete("hi", extra_headers=h),
    "stream_complete": lambda llm, h: list(llm.stream_complete("hi", extra_headers=h)),
    "chat_with_tools": lambda llm, h: llm.chat_with_tools(
        [_tool()], user_msg="Use add on 2 and 3", extra_headers=h
    ),
    "predict_and_call": lambda llm, h: llm.predict_and_call(
        [_tool()], user_msg="Use add on 2 and 3", extra_headers=h
    ),
    "structured_predict": lambda llm, h: llm.structured_predict(
        _Answer, _prompt(), llm_kwargs={"extra_headers": h}
    ),
}


def _prompt() -> Any:
    from llama_index.core.prompts import PromptTemplate

    return PromptTemplate("Answer in JSON: hi")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("cls", [Fireworks, Firmware, FireworksResponses])
@pytest.mark.parametrize("call", list(CALLS))
def test_a_per_call_credential_header_reaches_the_wire_but_no_instrumentation(
    call: str, cls: type, recorded: list[str]
) -> None:
    double, sent, cb = WireDouble(), [], _Callbacks()
    llm = _llm(cls, double, sent, cb)
    headers = {"Authorization": f"Bearer {SECRET}", "X-Api-Key": SECRET, "x-team": "search"}
    given = dict(headers)
    CALLS[call](llm, headers)

    assert headers == given  # the caller's dict is not rewritten
    assert sent and all(r.headers["x-api-key"] == SECRET for r in sent)
    assert all(r.headers["authorization"] == f"Bearer {SECRET}" for r in sent)
    assert all(r.headers["x-team"] == "search" for r in sent)
    seen = "\n".join(recorded + cb.seen)
    assert cb.seen and "x-team" in seen  # the handlers did see this call's arguments
    assert SECRET not in seen


def test_the_handlers_would_see_an_unguarded_call(recorded: list[str]) -> None:
    """The recorders work: core's own MockLLM (no guard) leaks the same header to them."""
    from llama_index.core.llms import MockLLM

    MockLLM().chat(USER, extra_headers={"Authorization": f"Bearer {SECRET}"})
    assert any(SECRET in line for line in recorded)


def test_a_secretstr_header_value_is_sent_as_its_secret() -> None:
    double, sent = WireDouble(), []
    llm = _llm(Fireworks, double, sent, _Callbacks())
    llm.chat(USER, extra_headers={"X-Api-Key": SecretStr(SECRET)})
    assert sent[-1].headers["x-api-key"] == SECRET


def test_a_subclass_that_overrides_chat_is_guarded_too(recorded: list[str]) -> None:
    """Core wraps an override in a new span; the guard wraps the override as well."""

    class Tagged(Fireworks):
        def chat(self, messages: Any, **kwargs: Any) -> Any:
            return super().chat(messages, **kwargs)

    double, sent, cb = WireDouble(), [], _Callbacks()
    llm = _llm(Tagged, double, sent, cb)
    llm.chat(USER, extra_headers={"Authorization": f"Bearer {SECRET}"})
    assert sent[-1].headers["authorization"] == f"Bearer {SECRET}"
    assert recorded and SECRET not in "\n".join(recorded + cb.seen)
