"""The Responses API of the double (docs/wire.md §1.18): create (plain and SSE), and the
stored responses behind get, list, delete and ``previous_response_id``.

A create body is turned into the chat body it means (history of the chained responses,
``instructions`` as a system message, input items as messages, flat function tools as chat
tools, ``text.format`` as ``response_format``, ``reasoning.effort`` as
``reasoning_effort``) and answered by the same planner as chat; the answer is shaped as a
response object. MCP tools are server-executed: each adds an ``mcp_call`` output item.

>>> store = ResponseStore()
>>> out = store.create({"model": "accounts/fireworks/models/qwen3-8b", "input": "Hi"}, "r1")
>>> body = json.loads(out.body())
>>> body["object"], body["status"], body["output"][-1]["type"]
('response', 'completed', 'message')
>>> store.fetch(body["id"]).status
200
"""

from __future__ import annotations

import json
import threading
from typing import Any

from fw_core.testing import generate, responses
from fw_core.testing.outcome import Outcome, sse_frame
from fw_core.testing.plan import (
    Plan,
    default_reasoning,
    plan_chat,
    reasoning_requested,
)
from fw_core.testing.script import find_scripted

__all__ = ["ResponseStore", "chat_body"]

_SSE = "text/event-stream; charset=utf-8"


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(p.get("text"))
            for p in content
            if isinstance(p, dict) and isinstance(p.get("text"), str)
        )
    return ""


def _input_messages(raw: Any) -> list[dict[str, Any]]:
    """Chat messages for the ``input`` of a create body."""
    if isinstance(raw, str):
        return [{"role": "user", "content": raw}]
    out: list[dict[str, Any]] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        kind = item.get("type", "message")
        if kind == "message" or (kind is None and "role" in item):
            out.append({"role": item.get("role", "user"), "content": _text_of(item.get("content"))})
        elif kind == "function_call":
            call = {
                "id": item.get("call_id"),
                "type": "function",
                "function": {"name": item.get("name"), "arguments": item.get("arguments", "")},
            }
            if out and out[-1]["role"] == "assistant" and "tool_calls" in out[-1]:
                out[-1]["tool_calls"].append(call)
            else:
                out.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            output = item.get("output")
            text = output if isinstance(output, str) else json.dumps(output)
            out.append({"role": "tool", "tool_call_id": item.get("call_id"), "content": text})
    return out


def _item_text(item: dict[str, Any]) -> str:
    """The generated text of one output item (what its output tokens count)."""
    if item.get("type") == "message":
        return _text_of(item.get("content"))
    if item.get("type") == "reasoning":
        return _text_of(item.get("summary"))
    return str(item.get("arguments") or "") + str(item.get("output") or "")


def _output_messages(output: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chat messages an answer's output items stand for (kept for chaining)."""
    return _input_messages([i for i in output if i.get("type") in ("message", "function_call")])


def chat_body(body: dict[str, Any], history: list[dict[str, Any]]) -> dict[str, Any]:
    """The chat body a Responses create body means, after ``history``."""
    messages = list(history)
    if isinstance(body.get("instructions"), str):
        messages.insert(0, {"role": "system", "content": body["instructions"]})
    messages += _input_messages(body.get("input"))
    out: dict[str, Any] = {"model": body.get("model"), "messages": messages}
    tools = [
        {
            "type": "function",
            "function": {
                "name": t.get("name"),
                "description": t.get("description", ""),
                "parameters": t.get("parameters") or {"type": "object", "properties": {}},
            },
        }
        for t in body.get("tools") or []
        if isinstance(t, dict) and t.get("type") == "function"
    ]
    if tools:
        out["tools"] = tools
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "function" and choice.get("name"):
        out["tool_choice"] = {"type": "function", "function": {"name": choice["name"]}}
    elif choice is not None:
        out["tool_choice"] = choice
    if body.get("parallel_tool_calls") is not None:
        out["parallel_tool_calls"] = body["parallel_tool_calls"]
    fmt = (body.get("text") or {}).get("format") if isinstance(body.get("text"), dict) else None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        out["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": fmt.get("name", "out"), "schema": fmt.get("schema") or {}},
        }
    elif isinstance(fmt, dict) and fmt.get("type") == "json_object":
        out["response_format"] = {"type": "json_object"}
    reasoning = body.get("reasoning")
    if isinstance(reasoning, dict) and reasoning.get("effort") is not None:
        out["reasoning_effort"] = reasoning["effort"]
    return out


def _mcp_items(body: dict[str, Any], rid: str, prompt: str) -> list[dict[str, Any]]:
    items = []
    for n, tool in enumerate(body.get("tools") or []):
        if not isinstance(tool, dict) or tool.get("type") not in ("mcp", "sse"):
            continue
        label = tool.get("server_label") or "mcp"
        items.append(
            {
                "type": "mcp_call",
                "id": f"mcp_{rid}{n}",
                "server_label": label,
                "name": "search",
                "arguments": json.dumps({"query": prompt[:80]}),
                "output": generate.reply_text(f"{label} {prompt}", n_words=12),
                "error": None,
                "status": "completed",
            }
        )
    return items


class ResponseStore:
    """The double's stored responses, keyed by id, with the chat history each one ends."""

    def __init__(self, scripted_hits: list[str] | None = None) -> None:
        #: Names of the scripted replies served (shared with the double's chat endpoint).
        self.scripted_hits = scripted_hits if scripted_hits is not None else []
        self._items: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
        self._order: list[str] = []
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._order.clear()

    # ------------------------------------------------------------------ errors

    @staticmethod
    def _error(status: int, message: str, request_id: str, param: str | None = None) -> Outcome:
        payload = responses.error_body(status, message, param=param, request_id=request_id)
        return Outcome.json(status, payload, [("x-request-id", request_id)])

    def _missing(self, response_id: str, request_id: str) -> Outcome:
        return self._error(404, f"Response with id '{response_id}' not found.", request_id)

    # ------------------------------------------------------------------ create

    def create(
        self, body: dict[str, Any], request_id: str, stream_chunks: int | None = None
    ) -> Outcome:
        """POST /responses."""
        model = body.get("model")
        if not isinstance(model, str) or not model:
            return self._error(400, "model is required", request_id, "model")
        raw = body.get("input")
        if not isinstance(raw, str | list):
            return self._error(
                400, "input must be a string or a list of items", request_id, "input"
            )
        prev = body.get("previous_response_id")
        history: list[dict[str, Any]] = []
        if prev is not None:
            with self._lock:
                found = self._items.get(str(prev))
            if found is None:
                return self._error(
                    404, f"Response with id '{prev}' not found.", request_id, "previous_response_id"
                )
            history = list(found[1])
        chat = chat_body(body, history)
        stream = bool(body.get("stream"))
        entry = find_scripted("fireworks", chat)  # the same scripted replies as chat
        if entry is not None:
            self.scripted_hits.append(entry.name)
            plan = entry.reply("fireworks", chat)
        else:
            plan = plan_chat("fireworks", chat, stream_chunks=stream_chunks if stream else None)
        reasoning = plan.reasoning
        if reasoning is None and reasoning_requested(chat):
            reasoning = default_reasoning(chat)
        # Deterministic (cassettes stay stable); streamed or not, the same body is one answer.
        same = {k: v for k, v in body.items() if k != "stream"}
        rid = "resp_" + generate.hex_digest("response", same, length=24)
        prompt = _text_of(chat["messages"][-1].get("content")) if chat["messages"] else ""
        output = self._output(body, plan, reasoning, rid, prompt)
        prompt_tokens = sum(
            generate.count_tokens(_text_of(m.get("content"))) + 4 for m in chat["messages"]
        )
        completion_tokens = sum(generate.count_tokens(_item_text(i)) for i in output)
        store = body.get("store", True) is not False
        response: dict[str, Any] = {
            "id": rid,
            "object": "response",
            "created_at": responses.CREATED,
            "status": "completed",
            "model": model,
            "output": output,
            "previous_response_id": prev,
            "store": store,
            "max_tool_calls": body.get("max_tool_calls"),
            "instructions": body.get("instructions"),
            "tools": body.get("tools") or [],
            "text": body.get("text") or {"format": {"type": "text"}},
            "reasoning": body.get("reasoning"),
            "error": None,
            "incomplete_details": None,
            # The field names Fireworks' guide lists (§1.18).
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
        if store:
            chained = chat["messages"] + _output_messages(output)
            with self._lock:
                self._items[rid] = (response, chained)
                if rid in self._order:
                    self._order.remove(rid)
                self._order.append(rid)
        headers = [("x-request-id", request_id)]
        if stream:
            parts = [sse_frame(e, e["type"]) for e in _events(response, stream_chunks)]
            return Outcome(200, [("content-type", _SSE), *headers], parts, stream=True)
        return Outcome.json(200, response, headers)

    @staticmethod
    def _output(
        body: dict[str, Any], plan: Plan, reasoning: str | None, rid: str, prompt: str
    ) -> list[dict[str, Any]]:
        tag = rid[5:17]
        output: list[dict[str, Any]] = []
        if reasoning:
            output.append(
                {
                    "type": "reasoning",
                    "id": f"rs_{tag}",
                    "summary": [{"type": "summary_text", "text": reasoning}],
                }
            )
        output += _mcp_items(body, tag, prompt)
        calls = plan.tool_calls
        limit = body.get("max_tool_calls")
        if isinstance(limit, int) and not isinstance(limit, bool):
            calls = calls[:limit]
        for n, call in enumerate(calls):
            args = call.arguments
            output.append(
                {
                    "type": "function_call",
                    "id": f"fc_{tag}{n}",
                    "call_id": f"call_{tag}{n}",
                    "name": call.name,
                    "arguments": args if isinstance(args, str) else json.dumps(args),
                    "status": "completed",
                }
            )
        if not calls or plan.content:
            text = plan.content or generate.reply_text(prompt)
            output.append(
                {
                    "type": "message",
                    "id": f"msg_{tag}",
                    "status": "completed",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": text, "annotations": []}],
                }
            )
        return output

    # ------------------------------------------------------------------ stored

    def fetch(self, response_id: str, request_id: str = "") -> Outcome:
        """GET /responses/{id}."""
        with self._lock:
            found = self._items.get(response_id)
        if found is None:
            return self._missing(response_id, request_id)
        return Outcome.json(200, found[0], [("x-request-id", request_id)])

    def delete(self, response_id: str, request_id: str) -> Outcome:
        """DELETE /responses/{id}: gone at once (§1.18)."""
        with self._lock:
            found = self._items.pop(response_id, None)
            if found is not None:
                self._order.remove(response_id)
        if found is None:
            return self._missing(response_id, request_id)
        body = {"id": response_id, "object": "response", "deleted": True}
        return Outcome.json(200, body, [("x-request-id", request_id)])

    def page(self, query: dict[str, list[str]], request_id: str) -> Outcome:
        """GET /responses?limit=&after=&before=&order=: newest first unless ``order=asc``."""
        try:
            limit = int(query.get("limit", ["20"])[0])
        except ValueError:
            return self._error(422, "limit must be an integer", request_id, "limit")
        if limit < 1 or limit > 100:
            return self._error(422, "limit must be between 1 and 100", request_id, "limit")
        order = query.get("order", ["desc"])[0]
        if order not in ("asc", "desc"):
            return self._error(422, "order must be 'asc' or 'desc'", request_id, "order")
        with self._lock:
            ids = list(self._order) if order == "asc" else list(reversed(self._order))
            items = dict(self._items)
        after = query.get("after", [None])[0]
        before = query.get("before", [None])[0]
        if after in ids:
            ids = ids[ids.index(after) + 1 :]
        if before in ids:
            ids = ids[: ids.index(before)]
        chosen = ids[:limit]
        body = {
            "object": "list",
            "data": [items[i][0] for i in chosen],
            "first_id": chosen[0] if chosen else None,
            "last_id": chosen[-1] if chosen else None,
            "has_more": len(ids) > limit,
        }
        return Outcome.json(200, body, [("x-request-id", request_id)])

    def handle(
        self,
        method: str,
        rest: str,
        body: dict[str, Any],
        query: dict[str, list[str]],
        request_id: str,
        stream_chunks: int | None = None,
    ) -> Outcome:
        """Route one request under ``responses``; ``rest`` is the path after it."""
        if not rest:
            if method == "POST":
                return self.create(body, request_id, stream_chunks)
            if method == "GET":
                return self.page(query, request_id)
        elif "/" not in rest:
            if method == "GET":
                return self.fetch(rest, request_id)
            if method == "DELETE":
                return self.delete(rest, request_id)
        return self._error(405, "Method Not Allowed", request_id)


def _events(response: dict[str, Any], pieces: int | None) -> list[dict[str, Any]]:
    """The SSE events of a finished response, OpenAI's event names (§1.18, inferred)."""
    events: list[dict[str, Any]] = []

    def emit(kind: str, **fields: Any) -> None:
        events.append({"type": kind, "sequence_number": len(events), **fields})

    shell = {**response, "status": "in_progress", "output": [], "usage": None}
    emit("response.created", response=shell)
    emit("response.in_progress", response=shell)
    for index, item in enumerate(response["output"]):
        kind = item["type"]
        if kind == "message":
            emit(
                "response.output_item.added",
                output_index=index,
                item={**item, "content": [], "status": "in_progress"},
            )
            text = item["content"][0]["text"]
            empty = {"type": "output_text", "text": "", "annotations": []}
            emit(
                "response.content_part.added",
                item_id=item["id"],
                output_index=index,
                content_index=0,
                part=empty,
            )
            for piece in generate.split_pieces(text, pieces):
                emit(
                    "response.output_text.delta",
                    item_id=item["id"],
                    output_index=index,
                    content_index=0,
                    delta=piece,
                )
            emit(
                "response.output_text.done",
                item_id=item["id"],
                output_index=index,
                content_index=0,
                text=text,
            )
            emit(
                "response.content_part.done",
                item_id=item["id"],
                output_index=index,
                content_index=0,
                part=item["content"][0],
            )
        elif kind == "function_call":
            emit(
                "response.output_item.added",
                output_index=index,
                item={**item, "arguments": "", "status": "in_progress"},
            )
            for piece in generate.split_pieces(item["arguments"], pieces):
                emit(
                    "response.function_call_arguments.delta",
                    item_id=item["id"],
                    output_index=index,
                    delta=piece,
                )
            emit(
                "response.function_call_arguments.done",
                item_id=item["id"],
                output_index=index,
                arguments=item["arguments"],
            )
        elif kind == "reasoning":
            emit("response.output_item.added", output_index=index, item={**item, "summary": []})
            text = item["summary"][0]["text"]
            for piece in generate.split_pieces(text, pieces):
                emit(
                    "response.reasoning_summary_text.delta",
                    item_id=item["id"],
                    output_index=index,
                    summary_index=0,
                    delta=piece,
                )
        else:
            emit("response.output_item.added", output_index=index, item=item)
        emit("response.output_item.done", output_index=index, item=item)
    emit("response.completed", response=response)
    return events
