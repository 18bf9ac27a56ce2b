"""``ChatFireworks(use_responses_api=True)``: the Responses API (docs/wire.md §1.18) in
LangChain's terms, as ``ChatOpenAI`` users know it.

Pure conversions, no I/O. The request starts from the chat body the model already builds
(options, bound tools, ``response_format``, per-call kwargs), so both modes share one
option vocabulary; :func:`fw_core.responses.responses_body` turns it into a Responses body:

* messages become input items: system/user/assistant messages, an assistant's tool calls
  as ``function_call`` items, a ``ToolMessage`` as a ``function_call_output`` item;
* ``max_tokens`` becomes ``max_output_tokens``, ``reasoning_effort`` ``reasoning.effort``;
* chat tools ``{"type": "function", "function": {...}}`` become flat function tools, other
  tools (``{"type": "mcp", ...}``) are sent as given;
* ``response_format`` becomes ``text.format``.

The answer (:func:`response_to_result`) is an ``AIMessage`` whose ``content`` is a list
of content blocks (``text`` with the item id, ``reasoning``, and server-executed items
such as ``mcp_call`` as they came), ``tool_calls`` from ``function_call`` items,
``id`` and ``response_metadata["id"]`` the response id (what ``previous_response_id=``
takes), and usage metadata. Streams (:class:`StreamMapper`) yield chunks whose content
blocks carry an ``index`` so that adding the chunks rebuilds the same blocks.

>>> responses_body({"model": "m", "messages": [{"role": "user", "content": "hi"}],
...                 "max_tokens": 5, "stream_options": {"include_usage": True}})
{'model': 'm', 'max_output_tokens': 5, 'input': [{'role': 'user', 'content': 'hi'}]}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from fw_core.endpoints.responses import (
    REASONING_DELTAS,
    Response,
    ResponseEvent,
    ResponseUsage,
    input_items,
    responses_body,
)
from fw_core.kit.tool_args import ToolArgumentsError, parse_tool_arguments

__all__ = [
    "StreamMapper",
    "input_items",
    "response_to_message",
    "response_to_result",
    "responses_body",
    "since_previous_response",
]

# ---------------------------------------------------------------------------------------
# request


def since_previous_response(
    messages: Sequence[BaseMessage],
) -> tuple[list[BaseMessage], str | None]:
    """For ``use_previous_response_id``: the messages after the last answer that came from
    the Responses API, and that answer's id (None, and all messages, when there is none).

    >>> from langchain_core.messages import HumanMessage
    >>> msgs = [HumanMessage("a"), AIMessage("b", response_metadata={"id": "resp_1"}),
    ...         HumanMessage("c")]
    >>> [m.content for m in since_previous_response(msgs)[0]], since_previous_response(msgs)[1]
    (['c'], 'resp_1')
    """
    for index in range(len(messages) - 1, -1, -1):
        msg = messages[index]
        if isinstance(msg, AIMessage):
            rid = msg.response_metadata.get("id")
            if isinstance(rid, str) and rid.startswith("resp"):
                return list(messages[index + 1 :]), rid
            return list(messages), None
    return list(messages), None


# ---------------------------------------------------------------------------------------
# answer


def usage_metadata(usage: ResponseUsage | None) -> UsageMetadata | None:
    """Response usage as LangChain's ``usage_metadata``."""
    if usage is None:
        return None
    total = usage.total_tokens or usage.input_tokens + usage.output_tokens
    meta = UsageMetadata(
        input_tokens=usage.input_tokens, output_tokens=usage.output_tokens, total_tokens=total
    )
    if usage.cached_tokens is not None:
        meta["input_token_details"] = {"cache_read": usage.cached_tokens}
    if usage.reasoning_tokens is not None:
        meta["output_token_details"] = {"reasoning": usage.reasoning_tokens}
    return meta


def _metadata(response: Response, base: Mapping[str, Any], requested_model: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        **base,
        "id": response.id,
        "model_name": response.model or requested_model,
        "status": response.status,
        "created_at": response.created_at,
        "object": response.object,
    }
    for name in ("previous_response_id", "store", "max_tool_calls", "incomplete_details"):
        value = getattr(response, name)
        if value is not None:
            meta[name] = value
    for name, value in (response.model_extra or {}).items():
        if value is not None and name not in meta and name not in ("usage", "output"):
            meta[name] = value  # fields the server adds: kept (tolerant reader)
    return meta


def _blocks_and_calls(
    response: Response,
) -> tuple[list[Any], list[dict[str, Any]], list[dict[str, Any]]]:
    blocks: list[Any] = []
    calls: list[dict[str, Any]] = []
    invalid: list[dict[str, Any]] = []
    for item in response.output:
        if item.type == "message":
            for part in item.content or []:
                if part.get("type") in ("output_text", "text"):
                    block: dict[str, Any] = {"type": "text", "text": part.get("text") or ""}
                    if item.id:
                        block["id"] = item.id
                    if part.get("annotations"):
                        block["annotations"] = part["annotations"]
                    blocks.append(block)
                else:
                    blocks.append(dict(part))  # refusal and other parts: as sent
        elif item.type == "reasoning":
            block = {"type": "reasoning", "reasoning": item.reasoning_text}
            if item.id:
                block["id"] = item.id
            blocks.append(block)
        elif item.type == "function_call":
            raw = item.arguments or ""
            try:
                args = parse_tool_arguments(raw)
            except ToolArgumentsError as exc:
                invalid.append(
                    {
                        "type": "invalid_tool_call",
                        "id": item.call_id,
                        "name": item.name,
                        "args": raw,
                        "error": str(exc),
                    }
                )
                continue
            calls.append(
                {"type": "tool_call", "id": item.call_id, "name": item.name or "", "args": args}
            )
        else:
            blocks.append(item.model_dump(exclude_none=True))  # mcp_call etc.: passed through
    return blocks, calls, invalid


def response_to_message(
    response: Response,
    *,
    base_metadata: Mapping[str, Any],
    requested_model: str = "",
    extra_metadata: Mapping[str, Any] | None = None,
) -> AIMessage:
    """One response as an ``AIMessage`` (content blocks, tool calls, id, usage)."""
    blocks, calls, invalid = _blocks_and_calls(response)
    meta = _metadata(response, base_metadata, requested_model)
    if extra_metadata:
        meta.update(extra_metadata)
    fields: dict[str, Any] = {}
    usage = usage_metadata(response.usage)
    if usage is not None:
        fields["usage_metadata"] = usage
    return AIMessage(
        content=blocks,
        tool_calls=calls,
        invalid_tool_calls=invalid,
        id=response.id or None,
        response_metadata=meta,
        **fields,
    )


def response_to_result(
    response: Response,
    *,
    base_metadata: Mapping[str, Any],
    requested_model: str = "",
    extra_metadata: Mapping[str, Any] | None = None,
) -> ChatResult:
    """One response as a ``ChatResult``."""
    message = response_to_message(
        response,
        base_metadata=base_metadata,
        requested_model=requested_model,
        extra_metadata=extra_metadata,
    )
    gen = ChatGeneration(message=message, generation_info={"status": response.status})
    return ChatResult(
        generations=[gen],
        llm_output={"model_name": message.response_metadata["model_name"], "id": response.id},
    )


class StreamMapper:
    """Turns stream events into ``ChatGenerationChunk``s; :meth:`final` closes the stream.

    Each block carries ``index`` (the output item's position) so chunks add up to the
    blocks :func:`response_to_message` gives for the same response; tool calls stream as
    ``tool_call_chunks`` keyed by the same index.
    """

    __slots__ = ("_id", "_tool_items")

    def __init__(self) -> None:
        self._id: str | None = None
        self._tool_items: set[int] = set()

    def _chunk(self, **fields: Any) -> ChatGenerationChunk:
        fields.setdefault("content", [])
        return ChatGenerationChunk(message=AIMessageChunk(id=self._id, **fields))

    def event(self, event: ResponseEvent) -> ChatGenerationChunk | None:
        """The chunk one event stands for, or None."""
        kind = event.type
        index = event.get("output_index")
        if kind in ("response.created", "response.in_progress"):
            rid = (event.get("response") or {}).get("id")
            self._id = rid if isinstance(rid, str) and rid else self._id
            return None
        if kind == "response.output_text.delta":
            block = {"type": "text", "text": event.get("delta") or "", "index": index}
            if event.get("item_id"):
                block["id"] = event.get("item_id")
            return self._chunk(content=[block])
        if kind in REASONING_DELTAS:
            block = {"type": "reasoning", "reasoning": event.get("delta") or "", "index": index}
            if event.get("item_id"):
                block["id"] = event.get("item_id")
            return self._chunk(content=[block])
        if kind == "response.output_item.added":
            item = event.get("item") or {}
            if item.get("type") == "function_call":
                self._tool_items.add(index)
                return self._chunk(
                    tool_call_chunks=[
                        tool_call_chunk(
                            name=item.get("name"),
                            args=item.get("arguments") or "",
                            id=item.get("call_id"),
                            index=index,
                        )
                    ]
                )
            return None
        if kind == "response.function_call_arguments.delta":
            return self._chunk(
                tool_call_chunks=[
                    tool_call_chunk(name=None, args=event.get("delta") or "", id=None, index=index)
                ]
            )
        if kind == "response.output_item.done":
            item = dict(event.get("item") or {})
            if item.get("type") in ("message", "reasoning", "function_call"):
                return None
            return self._chunk(content=[{**item, "index": index}])  # mcp_call etc.
        return None

    def final(
        self,
        response: Response,
        *,
        base_metadata: Mapping[str, Any],
        requested_model: str = "",
        extra_metadata: Mapping[str, Any] | None = None,
    ) -> ChatGenerationChunk:
        """The closing chunk: response metadata and usage (``chunk_position="last"``)."""
        meta = _metadata(response, base_metadata, requested_model)
        if extra_metadata:
            meta.update(extra_metadata)
        message = AIMessageChunk(
            content=[],
            id=response.id or self._id,
            response_metadata=meta,
            usage_metadata=usage_metadata(response.usage),
            chunk_position="last",
        )
        return ChatGenerationChunk(message=message, generation_info={"status": response.status})
