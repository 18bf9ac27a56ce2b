"""Canaries for what langchain_fw relies on inside langchain-core (not its public API).

``langchain_fw/chat_models.py`` precomputes ``__signature__`` on ``_ChatFwBase._generate``
and ``_agenerate``: langchain-core asks ``inspect.signature`` on every non-streaming call
whether they take a ``run_manager`` (~17 us a call with langchain-core 1.8), and
``inspect`` returns a function's ``__signature__`` when it has one. That is only worth
keeping while core still asks, and only correct while the cached signature is the one
``inspect`` would compute. These tests fail, saying what to do, when either stops being
true after a langchain-core (or Python) upgrade.
"""

from __future__ import annotations

import inspect
from typing import Any

import httpx
import langchain_core
import pytest

from fw_core.testing import WireDouble
from langchain_fw.chat_models import ChatFireworks, ChatFirmware, _ChatFwBase

PATCHED = ("_generate", "_agenerate")

STOPPED_ASKING = (
    "langchain-core {version} no longer calls inspect.signature() on {name} during "
    "{how}, so the __signature__ precomputed at the bottom of langchain_fw/chat_models.py "
    "saves nothing: check how BaseChatModel._generate_with_cache / _agenerate_with_cache "
    "decide whether to pass run_manager now, and delete the precomputation (and this test) "
    "if nothing asks any more."
)
STALE = (
    "the __signature__ precomputed on _ChatFwBase.{name} differs from what inspect computes "
    "now (Python / langchain-core changed something): recompute it the way inspect does, "
    "or delete the precomputation at the bottom of langchain_fw/chat_models.py."
)


def _model(cls: type[_ChatFwBase], double: WireDouble) -> Any:
    model = "kimi-k2-instruct-0905" if cls is ChatFireworks else "openai/gpt-4o"
    return cls(
        model=model,
        api_key="example-key",
        max_retries=0,
        http_client=httpx.Client(transport=double.transport()),
        http_async_client=httpx.AsyncClient(transport=double.async_transport()),
    )


def _spy_on_signature(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, inspect.Signature]]:
    """Record every inspect.signature() call langchain-core makes about our two methods."""
    seen: list[tuple[str, inspect.Signature]] = []
    real = inspect.signature
    ours = {_ChatFwBase.__dict__[name] for name in PATCHED}

    def spy(obj: Any, *args: Any, **kwargs: Any) -> inspect.Signature:
        sig = real(obj, *args, **kwargs)
        func = getattr(obj, "__func__", obj)
        if func in ours:
            seen.append((func.__name__, sig))
        return sig

    monkeypatch.setattr(inspect, "signature", spy)
    return seen


@pytest.mark.parametrize("cls", [ChatFireworks, ChatFirmware])
async def test_core_still_asks_for_the_signature_on_every_call(
    cls: type[_ChatFwBase], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _model(cls, WireDouble())
    seen = _spy_on_signature(monkeypatch)
    version = langchain_core.__version__
    for _ in range(2):  # every call, not once per model
        before = len(seen)
        model.invoke("hi")
        asked = [sig for name, sig in seen[before:] if name == "_generate"]
        assert asked, STOPPED_ASKING.format(version=version, name="_generate", how="invoke")
        assert all("run_manager" in sig.parameters for sig in asked)
        before = len(seen)
        await model.ainvoke("hi")
        asked = [sig for name, sig in seen[before:] if name == "_agenerate"]
        assert asked, STOPPED_ASKING.format(version=version, name="_agenerate", how="ainvoke")
        assert all("run_manager" in sig.parameters for sig in asked)


@pytest.mark.parametrize("name", PATCHED)
def test_inspect_returns_the_precomputed_signature(name: str) -> None:
    func = _ChatFwBase.__dict__[name]
    cached = func.__signature__
    assert inspect.signature(func) is cached, (
        f"inspect.signature() no longer returns a function's __signature__ as it is, so the "
        f"precomputation for {name} in langchain_fw/chat_models.py saves nothing: delete it."
    )
    bound = getattr(ChatFireworks(model="glm-4p5", api_key="example-key"), name)
    assert list(inspect.signature(bound).parameters) == list(cached.parameters)[1:]


@pytest.mark.parametrize("name", PATCHED)
def test_the_precomputed_signature_is_what_inspect_would_compute(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    func = _ChatFwBase.__dict__[name]
    cached = func.__signature__
    monkeypatch.delattr(func, "__signature__")
    fresh = inspect.signature(func)
    assert fresh == cached, STALE.format(name=name)
    assert "run_manager" in fresh.parameters, STALE.format(name=name)


def test_a_subclass_that_overrides_generate_is_inspected_afresh() -> None:
    class Custom(ChatFireworks):
        def _generate(self, messages: Any, stop: Any = None, **kwargs: Any) -> Any:
            return super()._generate(messages, stop=stop, **kwargs)

    assert "run_manager" not in inspect.signature(Custom._generate).parameters
    assert not hasattr(Custom.__dict__["_generate"], "__signature__")
