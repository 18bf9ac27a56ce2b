"""What the double decided to do with one request, independent of how it is delivered.

The in-process transports and the loopback server both play an :class:`Outcome`: they
wait ``delay`` seconds, then either fail before the response (``before``), or send the
status and headers, wait ``body_delay``, and send ``parts`` one by one, cutting the
connection after ``cut_after`` parts when that is set.

>>> o = Outcome.json(200, {"ok": True})
>>> o.status, o.body()
(200, b'{"ok":true}')
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Before", "Outcome", "sse_frame"]

#: How a request fails before any response byte: connection reset, refused connect,
#: or a read timeout (the server never answers in time).
Before = Literal["reset", "connect", "timeout"]


def sse_frame(payload: Any, event: str | None = None) -> bytes:
    """One SSE frame: optional ``event:`` line, a ``data:`` line, a blank line."""
    data = (
        payload
        if isinstance(payload, str)
        else json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    )
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {data}\n\n".encode()


@dataclass
class Outcome:
    """A response plan: status, headers, body parts and the ways to misbehave.

    Example:
        >>> o = Outcome(200, [("content-type", "text/event-stream")],
        ...             [sse_frame({"x": 1}), sse_frame("[DONE]")], stream=True, cut_after=1)
        >>> o.header("Content-Type"), o.parts[0]
        ('text/event-stream', b'data: {"x":1}\\n\\n')
    """

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    parts: list[bytes] = field(default_factory=list)
    stream: bool = False
    before: Before | None = None
    delay: float = 0.0
    body_delay: float = 0.0
    cut_after: int | None = None
    part_delay: float = 0.0

    @classmethod
    def json(
        cls, status: int, payload: Any, headers: list[tuple[str, str]] | None = None
    ) -> Outcome:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        extra = list(headers or [])
        if not any(k.lower() == "content-type" for k, _ in extra):
            extra.insert(0, ("content-type", "application/json"))
        return cls(status=status, headers=extra, parts=[body])

    def body(self) -> bytes:
        return b"".join(self.parts)

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None
