"""Text completions (``POST /completions``), non-streaming and streaming."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

from fw_core.errors import ConfigurationError
from fw_core.http.client import AsyncClient, Client, select_headers
from fw_core.http.streaming import StreamMeta, aiter_chunks, iter_chunks
from fw_core.wire import Completion, CompletionChunk, parse_model

__all__ = [
    "AsyncCompletionStream",
    "CompletionResponse",
    "CompletionStream",
    "acreate",
    "create",
]

COMPLETIONS_PATH = "/completions"


@dataclass(slots=True)
class CompletionResponse:
    completion: Completion
    headers: dict[str, str] = field(default_factory=dict)
    request_id: str | None = None
    attempts: int = 1


def _check(body: dict[str, Any]) -> None:
    if not body.get("model"):
        raise ConfigurationError("completion request needs a model")
    if body.get("prompt") in (None, "", []):
        raise ConfigurationError("completion request needs a non-empty prompt")


def _stream_body(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "stream": True, "stream_options": {"include_usage": True}}


def create(client: Client, body: dict[str, Any]) -> CompletionResponse:
    """POST a non-streaming text completion."""
    _check(body)
    resp = client.request("POST", COMPLETIONS_PATH, json_body=body)
    parsed = parse_model(Completion, resp.content, status_code=200, request_id=resp.request_id)
    return CompletionResponse(parsed, select_headers(resp.headers), resp.request_id, resp.attempts)


async def acreate(client: AsyncClient, body: dict[str, Any]) -> CompletionResponse:
    """Async twin of :func:`create`."""
    _check(body)
    resp = await client.request("POST", COMPLETIONS_PATH, json_body=body)
    parsed = parse_model(Completion, resp.content, status_code=200, request_id=resp.request_id)
    return CompletionResponse(parsed, select_headers(resp.headers), resp.request_id, resp.attempts)


class CompletionStream:
    """Iterate a streamed text completion; same completeness rules as chat streams."""

    def __init__(self, client: Client, body: dict[str, Any]) -> None:
        _check(body)
        self._client = client
        self._body = _stream_body(body)
        self.meta = StreamMeta()

    def __iter__(self) -> Iterator[CompletionChunk]:
        return iter_chunks(self._client, COMPLETIONS_PATH, self._body, CompletionChunk, self.meta)


class AsyncCompletionStream:
    """Async twin of :class:`CompletionStream`."""

    def __init__(self, client: AsyncClient, body: dict[str, Any]) -> None:
        _check(body)
        self._client = client
        self._body = _stream_body(body)
        self.meta = StreamMeta()

    def __aiter__(self) -> AsyncIterator[CompletionChunk]:
        return aiter_chunks(self._client, COMPLETIONS_PATH, self._body, CompletionChunk, self.meta)
