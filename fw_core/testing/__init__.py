"""The wire double: a fake Fireworks + Firmware API for tests, benchmarks and demos.

A deterministic, scriptable implementation of both APIs' wire formats (docs/wire.md and the
real captures), usable in-process as an httpx transport or out-of-process as a loopback
HTTP server. Imports only the standard library, httpx and pydantic.

Example:
    >>> import httpx
    >>> from fw_core import FIREWORKS, Client, chat
    >>> from fw_core.testing import Fault, WireDouble
    >>> double = WireDouble()
    >>> client = Client(FIREWORKS, api_key="test-key",
    ...                 http_client=httpx.Client(transport=double.transport()))
    >>> body = {"model": "accounts/fireworks/models/deepseek-v4p1-flash",
    ...         "messages": [{"role": "user", "content": "Capital of France?"}]}
    >>> chat.create(client, body).completion.choices[0].finish_reason
    'stop'
    >>> double.inject(Fault.status(429, headers={"retry-after": "0"}))
    >>> _ = chat.create(client, body)  # retried once, then served
    >>> double.count("/chat/completions")
    3

Modules: ``double`` (WireDouble, routing, RecordedRequest), ``responses`` (body and chunk
builders), ``generate`` (text, JSON-from-schema, vectors, scores), ``plan`` (what the
"model" answers), ``script`` (the scripted-reply table), ``faults`` (Fault kinds),
``validation`` (what the real APIs refuse), ``catalog`` (model lists), ``transport``
(httpx transports, ``patch_transports``), ``server`` (loopback server, ``serve``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fw_core.testing.double import RecordedRequest, WireDouble
from fw_core.testing.faults import Fault
from fw_core.testing.outcome import Outcome
from fw_core.testing.plan import Plan, PlannedCall
from fw_core.testing.script import SCRIPTED, ScriptedReply, register
from fw_core.testing.transport import (
    AsyncDoubleTransport,
    DoubleTransport,
    is_api_host,
    patch_transports,
)

if TYPE_CHECKING:
    from fw_core.testing.server import serve

__all__ = [
    "SCRIPTED",
    "AsyncDoubleTransport",
    "DoubleTransport",
    "Fault",
    "Outcome",
    "Plan",
    "PlannedCall",
    "RecordedRequest",
    "ScriptedReply",
    "WireDouble",
    "is_api_host",
    "patch_transports",
    "register",
    "serve",
]


def __getattr__(name: str) -> Any:
    if name == "serve":
        from fw_core.testing.server import serve

        return serve
    raise AttributeError(f"module 'fw_core.testing' has no attribute {name!r}")
