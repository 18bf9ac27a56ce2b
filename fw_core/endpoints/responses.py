"""The Responses API (docs/wire.md §1.18): create, stream, get, list and delete.

Requests go through the same :class:`~fw_core.http.client.Client` / ``AsyncClient`` as chat
(retries, rate limiting, redaction); streams are read with the same SSE decoder. The models
are tolerant readers: unknown fields stay in ``model_extra``, unknown output item types and
stream event types pass through unchanged.

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
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from fw_core.errors import (
    APIError,
    ConfigurationError,
    StreamError,
)
from fw_core.http.client import AsyncClient, Client, ResponseHeaders
from fw_core.http.sse import ServerSentEvent
from fw_core.http.streaming import frame_error, mid_stream_error
from fw_core.kit.stream_delta import _joined  # the one lazy join of stream pieces
from fw_core.wire import parse_model

__all__ = [
    "REASONING_DELTAS",
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

#: Switches that only mean something on an API with a Responses endpoint. Firmware documents
#: none (docs/wire.md §2.1, §2.6: chat completions, embeddings, rerank, messages, quota).
RESPONSES_SWITCHES = (
    "use_responses_api",
    "use_previous_response_id",
    "track_previous_responses",
    "previous_response_id",
)


def refuse_responses_switches(api: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """Raise ``ConfigurationError`` when ``options`` turn on a Responses API ``api`` lacks.

    A switch set to ``None`` / ``False`` is no request for it: it passes, and is left out
    of the options returned (it is no request field either).

    >>> refuse_responses_switches("Firmware", {"use_responses_api": False, "seed": 1})
    {'seed': 1}
    >>> refuse_responses_switches("Firmware", {"use_responses_api": True})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fw_core.errors.ConfigurationError: use_responses_api: Firmware has no Responses API ...
    """
    named = [name for name in RESPONSES_SWITCHES if options.get(name)]
    if named:
        raise ConfigurationError(
            f"{', '.join(named)}: {api} has no Responses API (its documented endpoints are "
            "chat completions, embeddings, rerank, messages and quota; docs/wire.md §2); "
            "use its chat completions, or ChatFireworks(use_responses_api=True) / "
            "llamaindex_fw.FireworksResponses for Fireworks' Responses API"
        )
    return {name: value for name, value in options.items() if name not in RESPONSES_SWITCHES}


#: The events that stream reasoning: a summary, or the reasoning text itself.
REASONING_DELTAS = ("response.reasoning_summary_text.delta", "response.reasoning_text.delta")

#: The events that end a whole stream, each carrying the final response (§1.18).
TERMINAL_EVENTS = frozenset({"response.completed", "response.incomplete", "response.failed"})


# ---------------------------------------------------------------------------------------
# models


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ResponseUsage(_Wire):
    """Token counts; reads OpenAI's names and the ``prompt_tokens`` ones Fireworks' guide lists."""

    input_tokens: int = Field(0, validation_alias=AliasChoices("input_tokens", "prompt_tokens"))
    output_tokens: int = Field(
        0, validation_alias=AliasChoices("output_tokens", "completion_tokens")
    )
    total_tokens: int = 0
    input_tokens_details: dict[str, Any] | None = None
    output_tokens_details: dict[str, Any] | None = None

    @field_validator("input_tokens", "output_tokens", "total_tokens", mode="before")
    @classmethod
    def _null_is_zero(cls, v: Any) -> Any:
        return 0 if v is None else v

    @property
    def cached_tokens(self) -> int | None:
        """Prompt tokens served from the cache, when reported."""
        d = self.input_tokens_details or (self.model_extra or {}).get("prompt_tokens_details")
        value = d.get("cached_tokens") if isinstance(d, dict) else None
        return value if isinstance(value, int) else None

    @property
    def reasoning_tokens(self) -> int | None:
        """Output tokens spent on reasoning, when reported."""
        d = self.output_tokens_details or (self.model_extra or {}).get("completion_tokens_details")
        value = d.get("reasoning_tokens") if isinstance(d, dict) else None
        return value if isinstance(value, int) else None


class OutputItem(_Wire):
    """One output item. ``type`` is the server's (``message``, ``function_call``,
    ``reasoning``, ``mcp_call``...); fields of other types stay in ``model_extra``."""

    type: str
    id: str | None = None
    status: str | None = None
    role: str | None = None
    content: list[dict[str, Any]] | None = None
    call_id: str | None = None
    name: str | None = None
    arguments: str | None = None
    summary: list[dict[str, Any]] | None = None

    @field_validator("arguments", mode="before")
    @classmethod
    def _arguments_text(cls, v: Any) -> Any:
        if isinstance(v, dict | list):
            return json.dumps(v)
        return v

    @property
    def text(self) -> str:
        """The ``output_text`` parts of a message item, joined."""
        return "".join(
            str(p.get("text") or "")
            for p in self.content or []
            if isinstance(p, dict) and p.get("type") in ("output_text", "text")
        )

    @property
    def reasoning_text(self) -> str:
        """The summary (else content) text of a reasoning item."""
        parts = self.summary or []
        if not parts and self.type == "reasoning":
            parts = self.content or []
        return "".join(str(p.get("text") or "") for p in parts if isinstance(p, dict))


class Response(_Wire):
    """A response object (docs/wire.md §1.18)."""

    id: str = ""
    object: str = "response"
    created_at: int | float | None = None
    status: str | None = None
    model: str = ""
    output: list[OutputItem] = Field(default_factory=list)
    usage: ResponseUsage | None = None
    previous_response_id: str | None = None
    store: bool | None = None
    max_tool_calls: int | None = None
    error: dict[str, Any] | None = None
    incomplete_details: dict[str, Any] | None = None

    @field_validator("output", mode="before")
    @classmethod
    def _null_output(cls, v: Any) -> Any:
        return [] if v is None else v

    @property
    def output_text(self) -> str:
        """All assistant message text, in order. A leading ``<think>`` block stays."""
        return "".join(i.text for i in self.output if i.type == "message")

    @property
    def function_calls(self) -> list[OutputItem]:
        """The client-executed tool calls to run (``function_call`` items)."""
        return [i for i in self.output if i.type == "function_call"]

    @property
    def reasoning_text(self) -> str:
        """The text of all ``reasoning`` items."""
        return "".join(i.reasoning_text for i in self.output if i.type == "reasoning")


class ResponseList(_Wire):
    """One page of stored responses (page fields inferred, §1.18)."""

    object: str = "list"
    data: list[Response] = Field(default_factory=list)
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False


class DeletedResponse(_Wire):
    """The answer to a delete; ``id`` defaults to the id deleted (§1.18)."""

    id: str = ""
    object: str = "response"
    deleted: bool = True


class ResponseEvent(_Wire):
    """One stream event; fields beyond ``type`` depend on it and stay in ``model_extra``."""

    type: str
    sequence_number: int | None = None

    def get(self, name: str, default: Any = None) -> Any:
        """A field of the event by name (``delta``, ``item``, ``response``...)."""
        return (self.model_extra or {}).get(name, default)


# ---------------------------------------------------------------------------------------
# folding a stream


def _item(raw: Any) -> dict[str, Any]:
    return dict(raw) if isinstance(raw, dict) else {}


class _Text:
    """A growing text field of an output item: ``target[key]`` is the pieces, joined."""

    __slots__ = ("key", "pieces", "target")

    def __init__(self, target: dict[str, Any], key: str) -> None:
        self.target = target
        self.key = key
        first = str(target.get(key) or "")
        self.pieces = [first] if first else []

    def flush(self) -> None:
        self.target[self.key] = _joined(self.pieces)


class ResponseAccumulator:
    """Folds stream events into the response they describe.

    The terminal event (``response.completed`` / ``incomplete`` / ``failed``) carries the
    whole response and wins; until then :meth:`partial` rebuilds it from the deltas.
    Deltas are kept as lists of pieces and joined when read (:meth:`items`,
    :meth:`partial`), and a joined list collapses to its one string, so an event costs
    the same however long the answer already is: reading after every event copies the
    growing text once per read, never once per piece.
    """

    __slots__ = ("_items", "_snapshot", "_texts", "final", "terminal")

    def __init__(self) -> None:
        self._snapshot: dict[str, Any] = {}
        self._items: dict[int, dict[str, Any]] = {}
        # output index -> the growing text fields of that item, by (id(dict), key); an
        # entry holds its dict, so the id is not reused while the entry lives
        self._texts: dict[int, dict[tuple[int, str], _Text]] = {}
        self.final: Response | None = None
        self.terminal: str | None = None

    def _slot(self, event: ResponseEvent) -> tuple[int, dict[str, Any]]:
        index = event.get("output_index")
        index = index if isinstance(index, int) else max(self._items, default=-1)
        return index, self._items.setdefault(index, {"type": "message", "content": []})

    def _part(self, event: ResponseEvent, kind: str) -> tuple[int, dict[str, Any]]:
        index, item = self._slot(event)
        parts = item.setdefault("content", None) or []
        item["content"] = parts
        position = event.get("content_index")
        position = position if isinstance(position, int) else max(len(parts) - 1, 0)
        while len(parts) <= position:
            parts.append({"type": kind, "text": ""})
        return index, parts[position]

    def _grow(self, index: int, target: dict[str, Any], key: str, event: ResponseEvent) -> None:
        texts = self._texts.setdefault(index, {})
        text = texts.get((id(target), key))
        if text is None:
            text = texts[(id(target), key)] = _Text(target, key)
        delta = str(event.get("delta") or "")
        if delta:
            text.pieces.append(delta)

    def add(self, event: ResponseEvent) -> None:
        """Merge one event; unknown event types change nothing."""
        kind = event.type
        if kind in TERMINAL_EVENTS or kind in ("response.created", "response.in_progress"):
            snapshot = _item(event.get("response"))
            self._snapshot.update({k: v for k, v in snapshot.items() if k != "output"})
            if kind in TERMINAL_EVENTS:
                self.terminal = kind
                self.final = Response.model_validate(snapshot)
        elif kind in ("response.output_item.added", "response.output_item.done"):
            index = event.get("output_index")
            index = index if isinstance(index, int) else len(self._items)
            self._items[index] = _item(event.get("item"))
            self._texts.pop(index, None)  # the new item carries its text so far
        elif kind == "response.output_text.delta":
            index, part = self._part(event, "output_text")
            self._grow(index, part, "text", event)
        elif kind == "response.function_call_arguments.delta":
            index, item = self._slot(event)
            self._grow(index, item, "arguments", event)
        elif kind in REASONING_DELTAS:
            # a summary, or the raw reasoning text (OpenAI's two event names, §1.18)
            index, item = self._slot(event)
            field = "summary" if kind == REASONING_DELTAS[0] else "content"
            parts = item.get(field) or []
            item[field] = parts
            if not parts:
                parts.append({"type": f"{field}_text" if field == "summary" else "reasoning_text"})
            self._grow(index, parts[-1], "text", event)

    @property
    def response_id(self) -> str:
        """The response id announced so far (``""`` before ``response.created``)."""
        if self.final is not None:
            return self.final.id
        value = self._snapshot.get("id")
        return value if isinstance(value, str) else ""

    def items(self) -> list[dict[str, Any]]:
        """The output items so far, in output order, as the server's dicts with the
        streamed text written in (not validated; :meth:`partial` validates).

        Costs one join per text field that grew since the last call, and nothing per
        field that did not, so calling it after every event keeps a stream linear.
        """
        for texts in self._texts.values():
            for text in texts.values():
                text.flush()
        return [self._items[i] for i in sorted(self._items)]

    def partial(self) -> Response:
        """The response as far as the events went (validates every item: a whole-response
        read, not one to make per event)."""
        if self.final is not None:
            return self.final
        body = dict(self._snapshot)
        body["output"] = self.items()
        return Response.model_validate(body)

    def result(self) -> Response:
        """The finished response; raise :class:`StreamError` when the stream never ended."""
        if self.final is None:
            raise StreamError(
                "the responses stream ended before response.completed (the stream was cut)"
            )
        return self.final


# ---------------------------------------------------------------------------------------
# requests


@dataclass(slots=True)
class ResponseResult:
    """A finished call: the response plus what the HTTP layer knew."""

    response: Response
    headers: Mapping[str, str] = field(default_factory=dict)
    request_id: str | None = None
    attempts: int = 1


def _system_for_developer(item: Any) -> Any:
    if isinstance(item, dict) and item.get("role") == "developer":
        return {**item, "role": "system"}
    return item


def prepare_body(body: Mapping[str, Any]) -> dict[str, Any]:
    """Check a create body and return what is sent.

    Needs ``model`` and an ``input`` (a string or a list of items). ``developer`` input
    items go as ``system`` (as LiteLLM's Fireworks provider does, §1.18). Everything else is
    sent as given: tools, ``reasoning``, ``text`` and the rest are the server's vocabulary.
    """
    if not body.get("model"):
        raise ConfigurationError("a responses request needs a model")
    raw = body.get("input")
    if not isinstance(raw, str | list) or (isinstance(raw, list) and not raw):
        raise ConfigurationError("a responses request needs an input (a string or a list)")
    if isinstance(raw, str) and not raw and not body.get("previous_response_id"):
        raise ConfigurationError("a responses request needs a non-empty input")
    mtc = body.get("max_tool_calls")
    if mtc is not None and (isinstance(mtc, bool) or not isinstance(mtc, int) or mtc < 0):
        raise ConfigurationError(f"max_tool_calls must be a non-negative int, got {mtc!r}")
    out = dict(body)
    if isinstance(raw, list):
        out["input"] = [_system_for_developer(i) for i in raw]
    return out


# ---------------------------------------------------------------------------------------
# from a chat-completions body (both frameworks build one; docs/wire.md §1.18)

#: Chat-body keys with no Responses meaning: dropped (``stream_options``) or renamed.
_CHAT_ONLY = ("stream", "stream_options", "messages")


def _part(part: Any) -> dict[str, Any] | None:
    if not isinstance(part, Mapping):
        return None
    kind = part.get("type")
    if kind == "text":
        return {"type": "input_text", "text": part.get("text", "")}
    if kind == "image_url":
        raw = part.get("image_url")
        url = raw.get("url") if isinstance(raw, Mapping) else raw
        out: dict[str, Any] = {"type": "input_image", "image_url": url}
        if isinstance(raw, Mapping) and raw.get("detail"):
            out["detail"] = raw["detail"]
        return out
    return dict(part)  # another part type: the server's vocabulary, sent as given


def _content(content: Any) -> Any:
    if content is None or isinstance(content, str):
        return content or ""
    return [p for raw in content if (p := _part(raw)) is not None]


def input_items(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Chat-wire messages (as both frameworks build them for chat completions) as
    Responses input items.

    >>> input_items([{"role": "assistant", "content": None, "tool_calls": [
    ...     {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
    ...     {"role": "tool", "tool_call_id": "c1", "content": "42"}])
    [{'type': 'function_call', 'call_id': 'c1', 'name': 'f', 'arguments': '{}'}, \
{'type': 'function_call_output', 'call_id': 'c1', 'output': '42'}]
    """
    items: list[dict[str, Any]] = []
    for msg in messages:
        role = msg.get("role")
        if role == "tool":
            output = msg.get("content")
            text = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)
            items.append(
                {"type": "function_call_output", "call_id": msg.get("tool_call_id"), "output": text}
            )
            continue
        content = _content(msg.get("content"))
        if role == "assistant":
            if content:
                items.append({"role": "assistant", "content": content})
            for call in msg.get("tool_calls") or []:
                fn = call.get("function") or {}
                items.append(
                    {
                        "type": "function_call",
                        "call_id": call.get("id"),
                        "name": fn.get("name"),
                        "arguments": fn.get("arguments") or "{}",
                    }
                )
            continue
        # developer becomes system in fw_core.endpoints.responses.prepare_body (docs/wire.md §1.18)
        items.append({"role": role or "user", "content": content})
    return items


def _flat_tool(tool: Any) -> Any:
    if isinstance(tool, Mapping) and tool.get("type") == "function" and "function" in tool:
        return {"type": "function", **tool["function"]}
    return tool


def _flat_choice(choice: Any) -> Any:
    if isinstance(choice, Mapping) and choice.get("type") == "function" and "function" in choice:
        return {"type": "function", "name": choice["function"].get("name")}
    return choice


def _text_format(response_format: Any) -> Any:
    if isinstance(response_format, Mapping) and response_format.get("type") == "json_schema":
        spec = response_format.get("json_schema") or {}
        return {"type": "json_schema", **spec}
    return response_format  # json_object and anything else: as given


def responses_body(chat: Mapping[str, Any]) -> dict[str, Any]:
    """The Responses body for a chat body (see the module docstring)."""
    body = {k: v for k, v in chat.items() if k not in _CHAT_ONLY}
    n = body.pop("n", None)
    if isinstance(n, int) and n > 1:
        raise ConfigurationError("the Responses API returns one answer per call: n must be 1")
    if "max_tokens" in body:
        body.setdefault("max_output_tokens", body.pop("max_tokens"))
    if "max_completion_tokens" in body:
        body.setdefault("max_output_tokens", body.pop("max_completion_tokens"))
    if "reasoning_effort" in body:
        effort = body.pop("reasoning_effort")
        reasoning = dict(body.get("reasoning") or {})
        reasoning.setdefault("effort", effort)
        body["reasoning"] = reasoning
    if "tools" in body:
        body["tools"] = [_flat_tool(t) for t in body["tools"] or []]
    if "tool_choice" in body:
        body["tool_choice"] = _flat_choice(body["tool_choice"])
    if "response_format" in body:
        text = dict(body.get("text") or {})
        text["format"] = _text_format(body.pop("response_format"))
        body["text"] = text
    body["input"] = input_items(chat.get("messages") or [])
    return body


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
            self.headers = ResponseHeaders(events.headers)
            self.request_id = events.request_id
            self.attempts = events.attempts
            reader = _EventReader(events.request_id, events.status_code)
            self.accumulator = reader.acc
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
            self.headers = ResponseHeaders(events.headers)
            self.request_id = events.request_id
            self.attempts = events.attempts
            reader = _EventReader(events.request_id, events.status_code)
            self.accumulator = reader.acc
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
