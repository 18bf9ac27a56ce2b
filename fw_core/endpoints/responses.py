"""The Responses API (docs/wire.md §1.18): create, stream, get, list and delete.

Requests go through the same :class:`~fw_core.http.client.Client` / ``AsyncClient`` as chat
(retries, rate limiting, redaction); streams are read with the same SSE decoder. The parts:
:mod:`~fw_core.endpoints.response_models` (the wire types),
:mod:`~fw_core.endpoints.response_body` (building a request body),
:mod:`~fw_core.endpoints.response_fold` (folding a stream) and this module (the calls);
every name stays importable from here.

>>> acc = ResponseAccumulator()
>>> for raw in [
...     {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress"}},
...     {"type": "response.output_item.added", "output_index": 0,
...      "item": {"type": "message", "id": "msg_1", "role": "assistant", "content": []}},
...     {"type": "response.output_text.delta", "output_index": 0, "content_index": 0,
...      "delta": "Hel"},
...     {"type": "response.output_text.delta", "output_index": 0, "content_index": 0,
...      "delta": "lo"},
... ]:
...     acc.add(ResponseEvent.model_validate(raw))
>>> acc.partial().output_text
'Hello'
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError

from fw_core.endpoints.response_body import (
    RESPONSES_SWITCHES,
    input_items,
    prepare_body,
    refuse_responses_switches,
    responses_body,
)
from fw_core.endpoints.response_fold import REASONING_DELTAS, TERMINAL_EVENTS, ResponseAccumulator
from fw_core.endpoints.response_models import (
    DeletedResponse,
    OutputItem,
    Response,
    ResponseEvent,
    ResponseList,
    ResponseUsage,
)
from fw_core.errors import APIError, ConfigurationError, StreamError
from fw_core.http.client import AsyncClient, Client, ResponseHeaders
from fw_core.http.event_stream import AsyncEventStream, EventStream
from fw_core.http.sse import ServerSentEvent
from fw_core.http.streaming import frame_error, mid_stream_error
from fw_core.wire import parse_model

__all__ = [
    "REASONING_DELTAS",
    "RESPONSES_SWITCHES",
    "TERMINAL_EVENTS",
    "AsyncResponseStream",
    "DeletedResponse",
    "OutputItem",
    "Response",
    "ResponseAccumulator",
    "ResponseEvent",
    "ResponseList",
    "ResponseResult",
    "ResponseStream",
    "ResponseUsage",
    "acreate",
    "adelete",
    "aget",
    "alist",
    "astream",
    "create",
    "delete",
    "get",
    "input_items",
    "list_responses",
    "prepare_body",
    "refuse_responses_switches",
    "responses_body",
    "stream",
]

RESPONSES_PATH = "/responses"


@dataclass(slots=True)
class ResponseResult:
    """A finished call: the response plus what the HTTP layer knew."""

    response: Response
    headers: Mapping[str, str] = field(default_factory=dict)
    request_id: str | None = None
    attempts: int = 1


def _id_path(response_id: str) -> str:
    if not isinstance(response_id, str) or not response_id.strip():
        raise ConfigurationError("a response id must be a non-empty string")
    return f"{RESPONSES_PATH}/{quote(response_id, safe='')}"


def _result(resp: Any) -> ResponseResult:
    parsed = parse_model(
        Response, resp.content, status_code=resp.status_code, request_id=resp.request_id
    )
    return ResponseResult(parsed, ResponseHeaders(resp.headers), resp.request_id, resp.attempts)


def _list_params(
    limit: int | None, after: str | None, before: str | None, order: str | None
) -> dict[str, Any]:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ConfigurationError(f"limit must be a positive int, got {limit!r}")
    params = {"limit": limit, "after": after, "before": before, "order": order}
    return {k: v for k, v in params.items() if v is not None}


def _deleted(resp: Any, response_id: str) -> DeletedResponse:
    try:
        raw = json.loads(resp.content) if resp.content else {}
    except ValueError:  # the delete happened; the body is not ours to require (§1.18)
        raw = {}
    body = {k: v for k, v in raw.items() if v is not None} if isinstance(raw, dict) else {}
    return DeletedResponse.model_validate({"id": response_id, **body})


def create(
    client: Client, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> ResponseResult:
    """POST a (non-streaming) response and parse it; ``headers`` are this call's extra ones."""
    sent = prepare_body(body)
    sent.pop("stream", None)
    return _result(client.request("POST", RESPONSES_PATH, json_body=sent, headers=headers))


async def acreate(
    client: AsyncClient, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> ResponseResult:
    """Async twin of :func:`create`."""
    sent = prepare_body(body)
    sent.pop("stream", None)
    return _result(await client.request("POST", RESPONSES_PATH, json_body=sent, headers=headers))


def get(client: Client, response_id: str) -> ResponseResult:
    """GET a stored response (a deleted or unknown id raises NotFoundError)."""
    return _result(client.request("GET", _id_path(response_id)))


async def aget(client: AsyncClient, response_id: str) -> ResponseResult:
    """Async twin of :func:`get`."""
    return _result(await client.request("GET", _id_path(response_id)))


def _listed(resp: Any) -> ResponseList:
    return parse_model(
        ResponseList, resp.content, status_code=resp.status_code, request_id=resp.request_id
    )


def list_responses(
    client: Client,
    *,
    limit: int | None = None,
    after: str | None = None,
    before: str | None = None,
    order: str | None = None,
) -> ResponseList:
    """One page of stored responses."""
    params = _list_params(limit, after, before, order)
    return _listed(client.request("GET", RESPONSES_PATH, params=params or None))


async def alist(
    client: AsyncClient,
    *,
    limit: int | None = None,
    after: str | None = None,
    before: str | None = None,
    order: str | None = None,
) -> ResponseList:
    """Async twin of :func:`list_responses`."""
    params = _list_params(limit, after, before, order)
    return _listed(await client.request("GET", RESPONSES_PATH, params=params or None))


def delete(client: Client, response_id: str) -> DeletedResponse:
    """DELETE a stored response, now and for good."""
    return _deleted(client.request("DELETE", _id_path(response_id)), response_id)


async def adelete(client: AsyncClient, response_id: str) -> DeletedResponse:
    """Async twin of :func:`delete`."""
    return _deleted(await client.request("DELETE", _id_path(response_id)), response_id)


# ---------------------------------------------------------------------------------------
# streams


class _EventReader:
    """Turns SSE events into :class:`ResponseEvent` and folds them; raises on errors."""

    __slots__ = ("acc", "request_id", "status_code")

    def __init__(self, request_id: str | None, status_code: int | None) -> None:
        self.acc = ResponseAccumulator()
        self.request_id = request_id
        self.status_code = status_code

    def _error(self, data: str) -> StreamError:
        return mid_stream_error(
            data,
            "the API sent an error mid-stream",
            status_code=self.status_code,
            request_id=self.request_id,
        )

    def feed(self, sse: ServerSentEvent) -> ResponseEvent | None:
        data = sse.data
        if sse.event in ("ping", "keepalive") or not data or data == "[DONE]":
            return None
        if sse.event == "error":
            raise self._error(data)
        try:
            event = ResponseEvent.model_validate_json(data)
        except ValidationError as exc:
            error = frame_error(
                exc,
                data,
                "responses stream event",
                status_code=self.status_code,
                request_id=self.request_id,
            )
            if isinstance(error, StreamError) or '"error"' not in data:
                raise error from exc
            raise self._error(data) from exc
        if event.type == "error":
            raise self._error(data)
        self.acc.add(event)
        return event

    def finish(self) -> Response:
        final = self.acc.final
        if final is None:
            raise StreamError(
                "the responses stream ended before response.completed (the stream was cut)",
                status_code=self.status_code,
                request_id=self.request_id,
            )
        if self.acc.terminal == "response.failed":
            err = final.error or {}
            raise StreamError(
                f"the response failed: {err.get('message') or 'no message'}",
                status_code=self.status_code,
                request_id=self.request_id,
                code=err.get("code"),
            )
        return final


class _StreamBase:
    def __init__(self, body: Mapping[str, Any]) -> None:
        sent = prepare_body(body)
        sent["stream"] = True
        self._body = sent
        self.headers: Mapping[str, str] = {}
        self.request_id: str | None = None
        self.attempts = 0
        self._response: Response | None = None
        #: The events folded so far (set when reading starts): a consumer that shows the
        #: response as it grows reads it here instead of folding every event again.
        self.accumulator: ResponseAccumulator | None = None

    def _start(self, events: EventStream | AsyncEventStream) -> _EventReader:
        """Record what the opened stream's response says; the reader that folds it."""
        self.headers = ResponseHeaders(events.headers)
        self.request_id = events.request_id
        self.attempts = events.attempts
        reader = _EventReader(events.request_id, events.status_code)
        self.accumulator = reader.acc
        return reader

    @property
    def response(self) -> Response:
        """The final response, once the stream was read to its end."""
        if self._response is None:
            raise StreamError("the stream was not read to its end yet")
        return self._response


class ResponseStream(_StreamBase):
    """Iterate a streamed response event by event; :attr:`response` holds the result.

    The request is sent when iteration starts (retrying only before the first byte). A
    stream that carries an error, or stops before a terminal event, raises
    :class:`~fw_core.errors.StreamError` from the iterator.
    """

    def __init__(
        self, client: Client, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(body)
        self._client = client
        self._headers = headers

    def __iter__(self) -> Iterator[ResponseEvent]:
        with self._client.stream(
            "POST", RESPONSES_PATH, json_body=self._body, headers=self._headers
        ) as events:
            reader = self._start(events)
            try:
                for sse in events:
                    event = reader.feed(sse)
                    if event is not None:
                        yield event
                self._response = reader.finish()
            except APIError as exc:
                self._client.redact_error(exc)
                raise


class AsyncResponseStream(_StreamBase):
    """Async twin of :class:`ResponseStream`."""

    def __init__(
        self,
        client: AsyncClient,
        body: Mapping[str, Any],
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(body)
        self._client = client
        self._headers = headers

    async def __aiter__(self) -> AsyncIterator[ResponseEvent]:
        async with self._client.stream(
            "POST", RESPONSES_PATH, json_body=self._body, headers=self._headers
        ) as events:
            reader = self._start(events)
            try:
                async for sse in events:
                    event = reader.feed(sse)
                    if event is not None:
                        yield event
                self._response = reader.finish()
            except APIError as exc:
                self._client.redact_error(exc)
                raise


def stream(
    client: Client, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> ResponseStream:
    """Start a streamed response (sent when you start iterating)."""
    return ResponseStream(client, body, headers)


def astream(
    client: AsyncClient, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> AsyncResponseStream:
    """Async twin of :func:`stream`."""
    return AsyncResponseStream(client, body, headers)
