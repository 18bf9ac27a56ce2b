"""Fixtures for the LlamaIndex unit tests: the wire double as a transport, event capture."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import llama_index.core.instrumentation as instrument
import pytest
from llama_index.core.callbacks import CallbackManager, LlamaDebugHandler
from llama_index.core.instrumentation.event_handlers import BaseEventHandler

from fw_core.testing import WireDouble


class Recorder(BaseEventHandler):
    """Keeps every instrumentation event it sees."""

    events: list[Any] = []

    @classmethod
    def class_name(cls) -> str:
        return "Recorder"

    def handle(self, event: Any, **kwargs: Any) -> None:
        self.events.append(event)

    def names(self) -> list[str]:
        return [type(e).__name__ for e in self.events]


@pytest.fixture
def double() -> WireDouble:
    return WireDouble()


@pytest.fixture
def clients(double: WireDouble) -> dict[str, Any]:
    """``http_client`` / ``async_http_client`` kwargs routed to the double."""
    return {
        "http_client": httpx.Client(transport=double.transport()),
        "async_http_client": httpx.AsyncClient(transport=double.async_transport()),
    }


@pytest.fixture
def events() -> Iterator[Recorder]:
    """Instrumentation events fired while the test runs (root dispatcher)."""
    recorder = Recorder(events=[])
    root = instrument.get_dispatcher()
    root.add_event_handler(recorder)
    try:
        yield recorder
    finally:
        root.event_handlers = [h for h in root.event_handlers if h is not recorder]


@pytest.fixture
def debug() -> tuple[CallbackManager, LlamaDebugHandler]:
    """A callback manager with LlamaIndex's debug handler (legacy callbacks)."""
    handler = LlamaDebugHandler()
    return CallbackManager([handler]), handler
