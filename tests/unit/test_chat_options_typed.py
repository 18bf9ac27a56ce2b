"""Issue 22 items 2 and 3: per-call request headers and the typed chat options, in both
frameworks, against the wire double.

Sources of the fields: docs/wire.md §1.4 (request table) and §1.19 (prompt caching and
session affinity, https://docs.fireworks.ai/guides/prompt-caching). Users ask for them in
langchain-ai/langchain#37143 (``service_tier``), #38522 / #38823 (``extra_headers``,
``x-session-affinity``) and vercel/ai#16354 (``prompt_cache_key``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from langchain_core.load import dumpd
from llama_index.core.base.llms.types import ChatMessage

from fw_core import errors as fe
from fw_core.kit.affinity import affinity_key
from fw_core.testing import WireDouble
from langchain_fw import ChatFireworks, ChatFirmware
from llamaindex_fw import Fireworks, Firmware

FW_MODEL = "accounts/fireworks/models/deepseek-v3p1"
FM_MODEL = "openai/gpt-5-mini"
USER = [ChatMessage(role="user", content="hi")]


def _wired(double: WireDouble, **extra: Any) -> dict[str, Any]:
    return {
        "api_key": "test-key",
        "http_client": httpx.Client(transport=double.transport()),
        "http_async_client": httpx.AsyncClient(transport=double.async_transport()),
        **extra,
    }


def _lc(double: WireDouble, provider: str = "fireworks", **options: Any) -> Any:
    cls, model = (ChatFireworks, FW_MODEL) if provider == "fireworks" else (ChatFirmware, FM_MODEL)
    return cls(model=model, **_wired(double, **options))


def _li(double: WireDouble, provider: str = "fireworks", **options: Any) -> Any:
    cls, model = (Fireworks, FW_MODEL) if provider == "fireworks" else (Firmware, FM_MODEL)
    return cls(model=model, **_wired(double, **options))


def _sent_headers(double: WireDouble, name: str) -> list[str]:
    """Every value of header ``name`` on the last request (a name sent twice shows twice)."""
    raw = double.requests[-1].headers
    return [v for k, v in raw.items() if k.lower() == name.lower()]


# ------------------------------------------------------------------ extra_headers


CALLS = {
    "lc-invoke": lambda llm, h: llm.invoke("hi", extra_headers=h),
    "lc-stream": lambda llm, h: list(llm.stream("hi", extra_headers=h)),
    "lc-ainvoke": lambda llm, h: asyncio.run(llm.ainvoke("hi", extra_headers=h)),
    "li-chat": lambda llm, h: llm.chat(USER, extra_headers=h),
    "li-stream": lambda llm, h: list(llm.stream_chat(USER, extra_headers=h)),
    "li-achat": lambda llm, h: asyncio.run(llm.achat(USER, extra_headers=h)),
    "li-complete": lambda llm, h: llm.complete("hi", extra_headers=h),
}


@pytest.mark.parametrize("call", list(CALLS))
def test_per_call_headers_are_laid_over_constructor_and_default_headers(call: str) -> None:
    double = WireDouble()
    build = _lc if call.startswith("lc") else _li
    llm = build(
        double,
        default_headers={"X-Team": "search", "X-Session-Affinity": "from-default"},
        extra_headers={"x-session-affinity": "from-field", "X-Trace": "t1"},
    )
    CALLS[call](llm, {"X-SESSION-AFFINITY": "from-call"})
    # the call's value wins, sent once although three layers spell the name differently
    assert _sent_headers(double, "x-session-affinity") == ["from-call"]
    assert _sent_headers(double, "x-trace") == ["t1"]
    assert _sent_headers(double, "x-team") == ["search"]
    assert "extra_headers" not in double.requests[-1].json  # a header, never a body field


@pytest.mark.parametrize("framework", ["langchain", "llamaindex"])
def test_constructor_headers_alone_reach_every_call(framework: str) -> None:
    double = WireDouble()
    if framework == "langchain":
        llm = _lc(double, extra_headers={"x-session-affinity": "s-1"})
        llm.invoke("hi")
        list(llm.stream("again"))
    else:
        llm = _li(double, extra_headers={"x-session-affinity": "s-1"})
        llm.chat(USER)
        list(llm.stream_chat(USER))
    assert [r.headers.get("x-session-affinity") for r in double.requests] == ["s-1", "s-1"]


@pytest.mark.parametrize("framework", ["langchain", "llamaindex"])
def test_a_bad_per_call_header_is_refused_before_the_request(framework: str) -> None:
    double = WireDouble()
    with pytest.raises(fe.ConfigurationError, match="extra_headers must map header names"):
        if framework == "langchain":
            _lc(double).invoke("hi", extra_headers={"x-n": 1})
        else:
            _li(double).chat(USER, extra_headers={"x-n": 1})
    assert double.requests == []


def test_credential_headers_in_extra_headers_are_never_serialised() -> None:
    double = WireDouble()
    lc = _lc(double, extra_headers={"Authorization": "Bearer other", "x-session-affinity": "a"})
    li = _li(double, extra_headers={"Authorization": "Bearer other", "x-session-affinity": "a"})
    for dumped in (dumpd(lc)["kwargs"], lc.model_dump(), li.model_dump(), li.to_dict()):
        assert dumped["extra_headers"] == {"x-session-affinity": "a"}
    assert "Bearer other" not in repr(dumpd(lc)) + li.to_json()


def test_callbacks_never_see_a_credential_header_passed_per_call() -> None:
    from langchain_core.callbacks import BaseCallbackHandler

    seen: list[Any] = []

    class Spy(BaseCallbackHandler):
        def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            seen.append(kwargs.get("invocation_params"))

    double = WireDouble()
    headers = {"X-Api-Key": "per-call-secret", "x-session-affinity": "a"}
    _lc(double).invoke("hi", extra_headers=headers, config={"callbacks": [Spy()]})
    assert seen and seen[0]["extra_headers"] == {"x-session-affinity": "a"}
    assert "per-call-secret" not in repr(seen)
    # the request itself still carries the header (the double records it redacted)
    assert len(_sent_headers(double, "x-api-key")) == 1


# ------------------------------------------------------------------ typed options

# (wire field, a value a user types, providers whose chat API takes it) - docs/wire.md §1.4
TYPED: list[tuple[str, Any, tuple[str, ...]]] = [
    ("service_tier", "priority", ("fireworks", "firmware")),
    ("user", "user-42", ("fireworks", "firmware")),
    ("seed", 7, ("fireworks", "firmware")),
    ("logprobs", True, ("fireworks", "firmware")),
    ("top_logprobs", 2, ("fireworks", "firmware")),
    ("perf_metrics_in_response", True, ("fireworks",)),
    ("prediction", {"type": "content", "content": "def f():\n    return 1\n"}, ("fireworks",)),
    ("prompt_cache_key", "thread-1", ("fireworks",)),
    ("prompt_cache_isolation_key", "tenant-a", ("fireworks",)),
    ("prompt_cache_max_len", 0, ("fireworks",)),
]
CELLS = [
    pytest.param(field, value, provider, id=f"{provider}-{field}")
    for field, value, providers in TYPED
    for provider in providers
]


@pytest.mark.parametrize("framework", ["langchain", "llamaindex"])
@pytest.mark.parametrize(("field", "value", "provider"), CELLS)
def test_typed_option_reaches_the_body_from_the_constructor(
    framework: str, field: str, value: Any, provider: str
) -> None:
    double = WireDouble()
    if framework == "langchain":
        llm = _lc(double, provider, **{field: value})
        assert getattr(llm, field) == value  # a declared field, not a pass-through
        llm.invoke("hi")
    else:
        llm = _li(double, provider, **{field: value})
        assert getattr(llm, field) == value
        llm.chat(USER)
    assert double.requests[-1].json[field] == value


@pytest.mark.parametrize("framework", ["langchain", "llamaindex"])
@pytest.mark.parametrize(("field", "value", "provider"), CELLS)
def test_typed_option_reaches_the_body_per_call(
    framework: str, field: str, value: Any, provider: str
) -> None:
    double = WireDouble()
    if framework == "langchain":
        _lc(double, provider).invoke("hi", **{field: value})
    else:
        _li(double, provider).chat(USER, **{field: value})
    assert double.requests[-1].json[field] == value


# (constructor options, the words of the one error both frameworks raise)
BAD: list[tuple[dict[str, Any], str]] = [
    ({"service_tier": 1}, "service_tier must be a string, got 1"),
    ({"user": 42}, "user must be a string, got 42"),
    ({"seed": "lucky"}, "seed must be an integer, got 'lucky'"),
    ({"top_logprobs": -1}, "top_logprobs must be an integer >= 0, got -1"),
    ({"logprobs": "all"}, "logprobs must be True/False (or an integer), got 'all'"),
    ({"perf_metrics_in_response": [1]}, "perf_metrics_in_response"),
    ({"prediction": "def f(): ..."}, "prediction must be a dict with a string 'type'"),
    ({"prediction": {"content": "x"}}, "prediction must be a dict with a string 'type'"),
    ({"prediction": {"type": "content", "content": 3}}, "prediction.content must be a string"),
    ({"prompt_cache_key": 9}, "prompt_cache_key must be a string, got 9"),
    ({"prompt_cache_max_len": -2}, "prompt_cache_max_len must be an integer >= 0"),
    ({"extra_headers": {"x-n": 1}}, "extra_headers must map header names to string values"),
    ({"extra_headers": "x-a: 1"}, "extra_headers must be a dict"),
]


@pytest.mark.parametrize(
    ("options", "words"), [pytest.param(o, w, id=next(iter(o))) for o, w in BAD]
)
def test_bad_option_types_give_the_same_configuration_error_in_both(
    options: dict[str, Any], words: str
) -> None:
    double = WireDouble()
    with pytest.raises(fe.ConfigurationError) as lc_err:
        _lc(double, **options)
    with pytest.raises(fe.ConfigurationError) as li_err:
        _li(double, **options)
    assert words in str(lc_err.value)
    assert str(lc_err.value) == str(li_err.value)
    assert double.requests == []


@pytest.mark.parametrize("framework", ["langchain", "llamaindex"])
def test_a_bad_option_per_call_is_refused_before_the_request(framework: str) -> None:
    double = WireDouble()
    with pytest.raises(fe.ConfigurationError, match="service_tier must be a string"):
        if framework == "langchain":
            _lc(double).invoke("hi", service_tier=3)
        else:
            _li(double).chat(USER, service_tier=3)
    assert double.requests == []


@pytest.mark.parametrize("framework", ["langchain", "llamaindex"])
def test_an_unknown_service_tier_is_sent_not_refused(framework: str) -> None:
    """The tier vocabulary is the server's (docs/architecture.md §2, tolerant reader)."""
    double = WireDouble()
    if framework == "langchain":
        _lc(double, service_tier="priority-2031").invoke("hi")
    else:
        _li(double, service_tier="priority-2031").chat(USER)
    assert double.requests[-1].json["service_tier"] == "priority-2031"


@pytest.mark.parametrize("framework", ["langchain", "llamaindex"])
def test_legacy_integer_logprobs_is_sent(framework: str) -> None:
    """docs/wire.md §1.4: ``logprobs`` is a bool or an int 0-5 (legacy form)."""
    double = WireDouble()
    if framework == "langchain":
        _lc(double, logprobs=3).invoke("hi")
    else:
        _li(double, logprobs=3).chat(USER)
    sent = double.requests[-1].json["logprobs"]
    assert sent == 3 and not isinstance(sent, bool)


# ------------------------------------------------------------------ perf_metrics


def test_perf_metrics_are_surfaced_when_asked_for_in_both_frameworks() -> None:
    """docs/wire.md §1.8 / §1.9: ``perf_metrics`` in the body, for streams on the end."""
    double = WireDouble()
    lc = _lc(double, perf_metrics_in_response=True)
    li = _li(double, perf_metrics_in_response=True)
    plain = lc.invoke("hi").response_metadata["perf_metrics"]
    chunks = list(lc.stream("hi"))
    streamed = sum(chunks[1:], chunks[0]).response_metadata["perf_metrics"]
    li_plain = li.chat(USER).additional_kwargs["perf_metrics"]
    li_streamed = list(li.stream_chat(USER))[-1].additional_kwargs["perf_metrics"]
    for metrics in (plain, streamed, li_plain, li_streamed):
        assert metrics["prompt-tokens"] > 0 and "cached-prompt-tokens" in metrics
    assert "perf_metrics" not in _lc(double).invoke("hi").response_metadata


# ------------------------------------------------------------------ LlamaIndex session_id


def test_llamaindex_session_id_sends_the_hashed_affinity_header() -> None:
    double = WireDouble()
    llm = _li(double, session_id="chat-7")
    llm.chat(USER)
    assert _sent_headers(double, "x-session-affinity") == [affinity_key("chat-7")]
    llm.chat(USER, session_id="chat-8")  # per call
    assert _sent_headers(double, "x-session-affinity") == [affinity_key("chat-8")]
    assert affinity_key("chat-7") != affinity_key("chat-8")
    assert "session_id" not in double.requests[-1].json
    llm.chat(USER, extra_headers={"x-session-affinity": "mine"})  # the caller's own wins
    assert _sent_headers(double, "x-session-affinity") == ["mine"]
    _li(double).chat(USER)
    assert _sent_headers(double, "x-session-affinity") == []


def test_llamaindex_session_id_keeps_a_chat_engine_session_on_one_replica() -> None:
    """With the double's prompt cache spread over 4 replicas (docs/wire.md §1.19 model), a
    session's second turn reads its first turn's prefix only when it carries an affinity
    key; without one, round-robin sends it elsewhere."""
    system = ChatMessage(role="system", content="You answer questions about maps. " * 40)
    turns = [[system, ChatMessage(role="user", content=f"Question {i}?")] for i in range(2)]
    shares = {}
    for session in ("s-1", None):
        double = WireDouble(prompt_cache_replicas=4)
        llm = _li(double, session_id=session)
        answers = [llm.chat(t).additional_kwargs for t in turns]
        shares[session] = answers[1]["cached_tokens"] / answers[1]["prompt_tokens"]
    assert shares["s-1"] > 0.9 and shares[None] == 0
