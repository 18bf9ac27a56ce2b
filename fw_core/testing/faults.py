"""Faults the double can inject: each one a way the real APIs (or the network) misbehave.

Build one with a :class:`Fault` constructor and queue it with
``WireDouble.inject(fault, times=1, path=None)``. A fault either replaces the response
(status codes, resets, timeouts, wrong shapes) or alters the normal one (a stream cut
after N chunks, an ``event: error`` frame, a malformed frame, a slow first byte).

==========================  =============================================================
constructor                 what the client sees
==========================  =============================================================
``status(code, ...)``       that status with an error body in a chosen envelope
``html(502)``               a non-JSON proxy error page
``context_length()``        400 "The prompt is too long ... maximum context length"
``extra_inputs(field)``     400 "Extra inputs are not permitted"
``reset()``                 connection closed before any response byte
``connect_error()``         connection refused (transport only; the server resets)
``timeout(seconds)``        no response byte in time (transport: ``httpx.ReadTimeout``)
``slow_first_byte(s)``      headers after ``s`` seconds, then the normal response
``slow_body(s)``            headers at once, the first body byte after ``s`` seconds
``cut_stream(after)``       the body stops after ``after`` parts, connection closed
``error_event(after)``      an SSE ``event: error`` frame after ``after`` chunks, then end
``malformed_json(after)``   a ``data:`` frame with broken JSON after ``after`` chunks
``wrong_shape(body)``       200 with a body of the wrong shape (``{"choices": "nope"}``)
``empty_stream(done)``      200 SSE with zero chunks (just ``[DONE]``, or nothing)
==========================  =============================================================

>>> Fault.status(429, headers={"retry-after": "1"}).kind
'status'
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from fw_core.testing.outcome import Outcome, sse_frame
from fw_core.testing.responses import Envelope, error_body

__all__ = ["Fault"]

_DEFAULT_MESSAGES = {
    400: "Invalid request",
    401: "The API key you provided is invalid.",
    402: "Usage limit exceeded, please add a payment method.",
    403: "Permission denied",
    404: "Model not found, inaccessible, and/or not deployed",
    408: "Request timed out",
    409: "Conflict",
    412: "Account is suspended",
    413: "Request too large",
    422: "Validation error",
    429: "Request rate limit exceeded, please try again later.",
    500: "Internal server error",
    502: "Bad Gateway",
    503: "Service Overloaded, please try again later.",
    504: "Gateway Timeout",
}


@dataclass(frozen=True)
class Fault:
    """One injected misbehaviour. Use the constructors, not the fields.

    Example:
        >>> from fw_core.testing import WireDouble, Fault
        >>> double = WireDouble()
        >>> double.inject(Fault.status(503), times=2, path="/chat/completions")
    """

    kind: str
    status_code: int = 200
    envelope: Envelope = "wrapped"
    message: str | None = None
    param: str | None = None
    code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    seconds: float = 0.0
    after: int = 1
    done: bool = True

    # ----------------------------------------------------------------- constructors

    @classmethod
    def status(
        cls,
        code: int,
        *,
        envelope: Envelope = "wrapped",
        message: str | None = None,
        param: str | None = None,
        error_code: str | None = None,
        headers: dict[str, str] | None = None,
        body: Any = None,
    ) -> Fault:
        """An HTTP error. ``body`` (dict or str) overrides the built envelope."""
        return cls(
            "status",
            status_code=code,
            envelope=envelope,
            message=message,
            param=param,
            code=error_code,
            headers=dict(headers or {}),
            body=body,
        )

    @classmethod
    def html(cls, code: int = 502, headers: dict[str, str] | None = None) -> Fault:
        return cls.status(code, envelope="html", headers=headers)

    @classmethod
    def context_length(cls, prompt_tokens: int = 140000, limit: int = 131072) -> Fault:
        return cls.status(
            400,
            message=f"The prompt is too long: {prompt_tokens}, model maximum context "
            f"length: {limit}",
            param="messages",
        )

    @classmethod
    def extra_inputs(cls, field_name: str = "unexpected_field") -> Fault:
        return cls.status(
            400, message=f"Extra inputs are not permitted, field: '{field_name}'", param=field_name
        )

    @classmethod
    def reset(cls) -> Fault:
        return cls("reset")

    @classmethod
    def connect_error(cls) -> Fault:
        return cls("connect")

    @classmethod
    def timeout(cls, seconds: float = 30.0) -> Fault:
        return cls("timeout", seconds=seconds)

    @classmethod
    def slow_first_byte(cls, seconds: float) -> Fault:
        return cls("slow_first_byte", seconds=seconds)

    @classmethod
    def slow_body(cls, seconds: float) -> Fault:
        return cls("slow_body", seconds=seconds)

    @classmethod
    def cut_stream(cls, after: int = 2) -> Fault:
        return cls("cut_stream", after=after)

    @classmethod
    def error_event(
        cls, after: int = 1, message: str = "upstream model error", code: int = 500
    ) -> Fault:
        return cls("error_event", after=after, message=message, status_code=code)

    @classmethod
    def malformed_json(cls, after: int = 1) -> Fault:
        return cls("malformed_json", after=after)

    @classmethod
    def wrong_shape(cls, body: Any = None) -> Fault:
        return cls("wrong_shape", body={"choices": "nope"} if body is None else body)

    @classmethod
    def empty_stream(cls, done: bool = True) -> Fault:
        return cls("empty_stream", done=done)

    # ----------------------------------------------------------------- application

    @property
    def replaces_response(self) -> bool:
        """True when the normal response need not be computed at all."""
        return self.kind in ("status", "reset", "connect", "timeout", "wrong_shape", "empty_stream")

    def apply(self, normal: Outcome | None, request_id: str, stream: bool) -> Outcome:
        """The outcome with this fault applied (``normal`` unused for replacing kinds)."""
        if self.kind == "status":
            return self._status(request_id)
        if self.kind in ("reset", "connect", "timeout"):
            before = "connect" if self.kind == "connect" else self.kind
            return Outcome(before=before, delay=self.seconds)  # type: ignore[arg-type]
        if self.kind == "wrong_shape":
            if stream:
                return Outcome(
                    200,
                    [("content-type", "text/event-stream; charset=utf-8")],
                    [sse_frame(self.body), sse_frame("[DONE]")],
                    stream=True,
                )
            return Outcome.json(200, self.body, [("x-request-id", request_id)])
        if self.kind == "empty_stream":
            parts = [sse_frame("[DONE]")] if self.done else []
            return Outcome(
                200,
                [
                    ("content-type", "text/event-stream; charset=utf-8"),
                    ("x-request-id", request_id),
                ],
                parts,
                stream=True,
            )
        if normal is None:
            raise ValueError(f"fault {self.kind!r} needs the normal response")
        if self.kind == "slow_first_byte":
            return replace(normal, delay=normal.delay + self.seconds)
        if self.kind == "slow_body":
            return replace(normal, body_delay=self.seconds)
        if self.kind == "cut_stream":
            parts = normal.parts
            if len(parts) == 1 and not normal.stream:  # a JSON body: cut it in the middle
                parts = [parts[0][: len(parts[0]) // 2], parts[0][len(parts[0]) // 2 :]]
                return replace(normal, parts=parts, cut_after=1)
            return replace(normal, cut_after=min(self.after, max(len(parts) - 1, 0)))
        if self.kind == "error_event":
            err = error_body(self.status_code, self.message or "error", request_id=request_id)
            frame = sse_frame(err, event="error")
            return replace(normal, parts=[*normal.parts[: self.after], frame])
        if self.kind == "malformed_json":
            bad = b'data: {"id":"' + request_id.encode() + b'","choices":[{"index":0,"delta\n\n'
            return replace(
                normal, parts=[*normal.parts[: self.after], bad, *normal.parts[self.after :]]
            )
        raise ValueError(f"unknown fault kind {self.kind!r}")

    def _status(self, request_id: str) -> Outcome:
        message = self.message or _DEFAULT_MESSAGES.get(self.status_code, "Error")
        body = (
            self.body
            if self.body is not None
            else error_body(
                self.status_code,
                message,
                envelope=self.envelope,
                param=self.param,
                code=self.code,
                request_id=request_id,
            )
        )
        given = {k.lower() for k in self.headers}
        headers = [("x-request-id", request_id)] if "x-request-id" not in given else []
        headers += list(self.headers.items())
        if isinstance(body, str):
            ctype = "text/html" if self.envelope == "html" else "text/plain"
            return Outcome(self.status_code, [("content-type", ctype), *headers], [body.encode()])
        return Outcome(
            self.status_code,
            [("content-type", "application/json"), *headers],
            [json.dumps(body).encode()],
        )
