"""Turning SSE events into validated chunks, and deciding whether a stream ended whole.

:class:`ChunkReader` holds the rules both the sync and the async loops follow, so they
live once: ``[DONE]`` ends the stream; an ``event: error`` frame, or a data frame that is
an error envelope, raises :class:`~fw_core.errors.StreamError`; malformed JSON raises;
and at the end a stream that delivered nothing, or stopped before every choice had a
``finish_reason`` and without ``[DONE]``, raises instead of passing for a whole answer.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from fw_core.errors import APIError, ResponseValidationError, StreamError, parse_error_body
from fw_core.http.client import AsyncClient, Client, ResponseHeaders
from fw_core.http.event_stream import AsyncEventStream, EventStream
from fw_core.http.sse import ServerSentEvent

__all__ = [
    "ChunkReader",
    "StreamMeta",
    "aiter_chunks",
    "frame_error",
    "iter_chunks",
    "mid_stream_error",
]

C = TypeVar("C", bound=BaseModel)


def mid_stream_error(
    data: str, prefix: str, *, status_code: int | None, request_id: str | None
) -> StreamError:
    """The :class:`StreamError` for an error frame (``event: error`` or an error envelope)."""
    info = parse_error_body(data)
    return StreamError(
        f"{prefix}: {info.message}",
        status_code=status_code,
        request_id=info.request_id or request_id,
        code=info.code or info.type,
        param=info.param,
        body=data[:2000],
    )


def frame_error(
    exc: ValidationError,
    data: str,
    what: str,
    *,
    status_code: int | None,
    request_id: str | None,
) -> StreamError | ResponseValidationError:
    """The error for a frame that did not validate: malformed JSON breaks the stream
    (:class:`StreamError`); well-formed JSON of the wrong shape is a
    :class:`ResponseValidationError` naming ``what`` was expected."""
    first: dict[str, Any] = dict(exc.errors()[0]) if exc.errors() else {}
    if first.get("type") == "json_invalid":
        return StreamError(
            f"malformed JSON in a stream frame: {first.get('msg')}",
            status_code=status_code,
            request_id=request_id,
            body=data[:2000],
        )
    return ResponseValidationError(
        f"unexpected {what}: {first.get('msg', exc)}",
        status_code=status_code,
        request_id=request_id,
        body=data[:2000],
    )


class ChunkReader(Generic[C]):
    """Feed SSE events, get chunks; call :meth:`finish` when the transport ends."""

    __slots__ = (
        "_cls",
        "_finished",
        "_open",
        "after_done",
        "chunks",
        "done",
        "request_id",
        "status_code",
    )

    def __init__(
        self, cls: type[C], *, request_id: str | None = None, status_code: int | None = None
    ) -> None:
        self._cls = cls
        self.request_id = request_id
        self.status_code = status_code
        self.done = False
        self.after_done = 0  # events seen after [DONE] (see _past_done)
        self.chunks = 0
        self._open: set[int] = set()  # choice indexes seen without a finish_reason yet
        self._finished: set[int] = set()

    def _error(self, data: str, prefix: str) -> StreamError:
        return mid_stream_error(
            data, prefix, status_code=self.status_code, request_id=self.request_id
        )

    def feed(self, event: ServerSentEvent) -> C | None:
        """The chunk this event carries, or None (``[DONE]``, ping, empty frame)."""
        data = event.data
        kind = event.event
        if kind is not None:  # almost every frame has no event name
            if kind == "error":
                raise self._error(data, "the API sent an error mid-stream")
            if kind in ("ping", "keepalive"):
                return None
        if not data:
            return None
        if data == "[DONE]":
            self.done = True
            return None
        if data[0] == "{" and '"error"' in data and '"choices"' not in data:
            payload: Any
            try:
                payload = json.loads(data)
            except ValueError:
                payload = None
            if isinstance(payload, dict) and payload.get("error"):  # "error": null is no error
                raise self._error(data, "the API sent an error mid-stream")
        try:
            chunk = self._cls.model_validate_json(data)
        except ValidationError as exc:
            raise frame_error(
                exc,
                data,
                f"{self._cls.__name__} in the stream",
                status_code=self.status_code,
                request_id=self.request_id,
            ) from exc
        self.chunks += 1
        for choice in getattr(chunk, "choices", ()):
            index = choice.index
            if choice.finish_reason:
                self._finished.add(index)
                self._open.discard(index)
            elif index not in self._finished:
                self._open.add(index)
        return chunk

    def finish(self) -> None:
        """Raise if the stream did not end whole."""
        if self.chunks == 0:
            raise StreamError(
                "the API closed the stream without sending any chunk (empty response)",
                status_code=self.status_code,
                request_id=self.request_id,
            )
        if not self._finished and not self.done:
            raise StreamError(
                "the stream ended before the answer was complete (no finish_reason, no [DONE])",
                status_code=self.status_code,
                request_id=self.request_id,
            )
        if self._open and not self.done:
            raise StreamError(
                f"the stream ended with choices {sorted(self._open)} unfinished",
                status_code=self.status_code,
                request_id=self.request_id,
            )


#: Events tolerated after ``[DONE]`` while reading the body to its end; past this the
#: stream is closed (and its connection dropped) instead.
MAX_EVENTS_AFTER_DONE = 16


def _past_done(reader: ChunkReader[Any]) -> bool:
    """Count one event after ``[DONE]``; True once there were too many to keep reading.

    After ``[DONE]`` the loops keep reading to the end of the response body (normally just
    the chunked-encoding terminator, already on its way) instead of breaking off: a
    response closed before its end cannot go back to the pool, so breaking off would cost
    a new connection (a new TLS handshake on the real API) for every stream.
    """
    reader.after_done += 1
    return reader.after_done > MAX_EVENTS_AFTER_DONE


@dataclass(slots=True)
class StreamMeta:
    """What the HTTP layer knew about a stream; filled in once the response starts."""

    headers: Mapping[str, str] = field(default_factory=dict)
    request_id: str | None = None
    attempts: int = 0


def _opened(
    events: EventStream | AsyncEventStream, cls: type[C], meta: StreamMeta
) -> ChunkReader[C]:
    """Record what the opened stream's response says in ``meta``; the reader of its chunks."""
    meta.headers = ResponseHeaders(events.headers)
    meta.request_id = events.request_id
    meta.attempts = events.attempts
    return ChunkReader(cls, request_id=events.request_id, status_code=events.status_code)


def iter_chunks(
    client: Client,
    path: str,
    body: dict[str, Any],
    cls: type[C],
    meta: StreamMeta,
    headers: Mapping[str, str] | None = None,
) -> Iterator[C]:
    """POST ``body`` as a stream and yield validated chunks until the stream ends whole.

    ``headers``: the call's own request headers, laid over the client's.
    """
    with client.stream("POST", path, json_body=body, headers=headers) as events:
        reader = _opened(events, cls, meta)
        try:
            try:
                for event in events:
                    if reader.done:
                        if _past_done(reader):
                            break
                        continue
                    chunk = reader.feed(event)
                    if chunk is not None:
                        yield chunk
            except StreamError:
                # Only the transport can fail once [DONE] arrived: the answer is whole,
                # just the connection is not reusable.
                if not reader.done:
                    raise
            reader.finish()
        except APIError as exc:  # an error frame may quote the key back
            client.redact_error(exc)
            raise


async def aiter_chunks(
    client: AsyncClient,
    path: str,
    body: dict[str, Any],
    cls: type[C],
    meta: StreamMeta,
    headers: Mapping[str, str] | None = None,
) -> AsyncIterator[C]:
    """Async twin of :func:`iter_chunks`."""
    async with client.stream("POST", path, json_body=body, headers=headers) as events:
        reader = _opened(events, cls, meta)
        try:
            try:
                async for event in events:
                    if reader.done:
                        if _past_done(reader):
                            break
                        continue
                    chunk = reader.feed(event)
                    if chunk is not None:
                        yield chunk
            except StreamError:
                if not reader.done:  # after [DONE] only the connection failed (see above)
                    raise
            reader.finish()
        except APIError as exc:  # an error frame may quote the key back
            client.redact_error(exc)
            raise
