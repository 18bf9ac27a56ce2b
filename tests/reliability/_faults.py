"""The fault side of the matrix: what goes wrong, and what docs/architecture.md says must follow.

Each :class:`FaultCase` names one misbehaviour of the API or the network (built with the
wire double's :class:`~fw_core.testing.faults.Fault` constructors) and the contract for
it: whether the client retries it, which typed error reaches the caller once retries are
spent (or at once, when the fault is not retryable), whether that error carries the
response's request id, and which call styles it applies to ("call": one request, one
response; "stream": SSE). docs/architecture.md §2, fw_core contracts:

* retry 408/409/429, every 5xx, connect errors and timeouts; never another 4xx;
* honour ``retry-after-ms``, then ``retry-after``; else exponential backoff with jitter;
* a 429 that announces its wait (``waited_out``) is waited out without spending
  ``max_retries``, until fw_core's ``rate_limit_max_wait`` is used up (docs/rate_limits.md);
* never retry after the first byte of a stream was handed over;
* a 200 whose body cannot be used is a ``ResponseValidationError``, not a retry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fw_core import errors as fe
from fw_core.http.retry import DEFAULT_INITIAL_DELAY
from fw_core.ratelimit import DEFAULT_MAX_WAIT, MIN_RETRY_WAIT
from fw_core.testing import Fault

MAX_RETRIES = 2  # fw_core's documented default; surfaces are built without overriding it

CALL = "call"
STREAM = "stream"

#: The client read timeout used for the "slow first byte" case, in seconds. The in-process
#: transport waits this long (a real, tiny wait) and then raises httpx.ReadTimeout.
SHORT_TIMEOUT = 0.02


@dataclass(frozen=True)
class FaultCase:
    id: str
    make: Callable[[], Fault]
    retryable: bool
    error: type[fe.FwError]
    applies_to: frozenset[str]
    request_id: bool  # the error must carry the response's x-request-id
    stream_error: type[fe.FwError] | None = None  # when a stream sees another class
    retry_delay: float | None = None  # the server's hint, which the client must honour
    timeout: float | None = None  # client timeout to build the surface with
    tools: bool = False  # the request asks for a tool call (the stream carries one)
    status: int | None = None
    waited_out: bool = False  # a 429 with a retry hint: does not spend max_retries

    def expected_error(self, style: str) -> type[fe.FwError]:
        if style == STREAM and self.stream_error is not None:
            return self.stream_error
        return self.error

    @property
    def attempts_to_exhaust(self) -> int:
        """Requests a call makes when every answer is this fault, before it gives up."""
        if not self.retryable:
            return 1
        if not self.waited_out or self.retry_delay is None:
            return MAX_RETRIES + 1
        waits = int(DEFAULT_MAX_WAIT // max(self.retry_delay, MIN_RETRY_WAIT))
        return 1 + waits + MAX_RETRIES


BOTH = frozenset({CALL, STREAM})
ONLY_CALL = frozenset({CALL})
ONLY_STREAM = frozenset({STREAM})

# Frame layout of a tool-call stream from the double (checked by
# test_fault_matrix.test_tool_stream_layout): 0 role, 1 call header (id + name), 2.. argument
# fragments, then the finish chunk, the usage chunk and [DONE].
BEFORE_TOOL_CALL = 1
AFTER_TOOL_CALL = 2

FAULTS: list[FaultCase] = [
    FaultCase("429", lambda: Fault.status(429), True, fe.RateLimitError, BOTH, True, status=429),
    FaultCase(
        "429-retry-after",
        lambda: Fault.status(429, headers={"retry-after": "7"}),
        True,
        fe.RateLimitError,
        BOTH,
        True,
        retry_delay=7.0,
        status=429,
        waited_out=True,
    ),
    FaultCase(
        "429-retry-after-ms",
        lambda: Fault.status(429, headers={"retry-after-ms": "1250", "retry-after": "9"}),
        True,
        fe.RateLimitError,
        BOTH,
        True,
        retry_delay=1.25,
        status=429,
        waited_out=True,
    ),
    FaultCase("408", lambda: Fault.status(408), True, fe.APIStatusError, BOTH, True, status=408),
    # Other 4xx are never retried.
    FaultCase(
        "401", lambda: Fault.status(401), False, fe.AuthenticationError, BOTH, True, status=401
    ),
    # the double's default 404 body is the model-not-found one (docs/wire.md §1.15)
    FaultCase(
        "404", lambda: Fault.status(404), False, fe.ModelNotFoundError, BOTH, True, status=404
    ),
    FaultCase(
        "500", lambda: Fault.status(500), True, fe.InternalServerError, BOTH, True, status=500
    ),
    FaultCase(
        "502-html", lambda: Fault.html(502), True, fe.InternalServerError, BOTH, True, status=502
    ),
    FaultCase(
        "503", lambda: Fault.status(503), True, fe.InternalServerError, BOTH, True, status=503
    ),
    FaultCase("reset", Fault.reset, True, fe.APIConnectionError, BOTH, False),
    FaultCase("read-timeout", lambda: Fault.timeout(0.0), True, fe.APITimeoutError, BOTH, False),
    FaultCase(
        "slow-first-byte",
        lambda: Fault.slow_first_byte(SHORT_TIMEOUT * 50),
        True,
        fe.APITimeoutError,
        BOTH,
        False,
        timeout=SHORT_TIMEOUT,
    ),
    # A JSON body cut mid-way never reached the caller: retried like a reset.
    FaultCase(
        "cut-body", lambda: Fault.cut_stream(1), True, fe.APIConnectionError, ONLY_CALL, False
    ),
    FaultCase(
        "cut-before-tool-call",
        lambda: Fault.cut_stream(BEFORE_TOOL_CALL),
        False,
        fe.StreamError,
        ONLY_STREAM,
        True,
        tools=True,
    ),
    FaultCase(
        "cut-after-tool-call",
        lambda: Fault.cut_stream(AFTER_TOOL_CALL),
        False,
        fe.StreamError,
        ONLY_STREAM,
        True,
        tools=True,
    ),
    FaultCase(
        "error-event", lambda: Fault.error_event(after=2), False, fe.StreamError, ONLY_STREAM, True
    ),
    FaultCase(
        "malformed-json",
        lambda: Fault.malformed_json(after=1),
        False,
        fe.ResponseValidationError,
        BOTH,
        True,
        stream_error=fe.StreamError,
    ),
    FaultCase("wrong-shape", Fault.wrong_shape, False, fe.ResponseValidationError, BOTH, True),
    FaultCase("empty-stream", Fault.empty_stream, False, fe.StreamError, ONLY_STREAM, True),
    FaultCase(
        "400-context-length",
        Fault.context_length,
        False,
        fe.ContextLengthExceededError,
        BOTH,
        True,
        status=400,
    ),
    FaultCase(
        "400-extra-inputs",
        Fault.extra_inputs,
        False,
        fe.UnsupportedParameterError,
        BOTH,
        True,
        status=400,
    ),
]


def backoff_bounds(retry: int) -> tuple[float, float]:
    """The range fw_core's jittered exponential backoff may pick for retry ``retry``."""
    top = DEFAULT_INITIAL_DELAY * 2**retry
    return top * 0.75, top
