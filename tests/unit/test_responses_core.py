"""fw_core.endpoints.responses against the wire double: the Responses API (docs/wire.md §1.18).

What a user relies on: a created response carries its text, usage and id; function tools
come back as ``function_call`` items and a ``function_call_output`` round-trips;
``previous_response_id`` continues a stored response, ``store=False`` does not store;
get, list and delete act on the store; a stream folds into the same response as the
plain call, and a cut stream raises. Sources: https://docs.fireworks.ai/guides/response-api,
https://docs.fireworks.ai/api-reference/delete-response.md.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from fw_core import FIREWORKS, AsyncClient, Client, ConfigurationError, NotFoundError, StreamError
from fw_core.endpoints import responses as rs
from fw_core.testing import Fault, WireDouble

MODEL = "accounts/fireworks/models/llama-v3p3-70b-instruct"
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


@pytest.fixture
def double() -> WireDouble:
    return WireDouble()


def _client(double: WireDouble) -> Client:
    return Client(
        FIREWORKS, api_key="test-key", http_client=httpx.Client(transport=double.transport())
    )


def test_create_returns_text_usage_and_a_stored_id(double: WireDouble) -> None:
    with _client(double) as client:
        result = rs.create(client, {"model": MODEL, "input": "Name the capital of France."})
    response = result.response
    assert response.id.startswith("resp_")
    assert response.status == "completed"
    assert "France" in response.output_text
    assert response.usage is not None and response.usage.input_tokens > 0
    assert response.usage.total_tokens == response.usage.input_tokens + response.usage.output_tokens
    assert double.requests[-1].path == "/inference/v1/responses"
    assert result.request_id


def test_usage_reads_both_the_guide_and_the_openai_field_names() -> None:
    guide = rs.ResponseUsage.model_validate(
        {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
    )
    openai = rs.ResponseUsage.model_validate(
        {
            "input_tokens": 7,
            "output_tokens": 3,
            "total_tokens": 10,
            "input_tokens_details": {"cached_tokens": 4},
            "output_tokens_details": {"reasoning_tokens": 2},
        }
    )
    assert (guide.input_tokens, guide.output_tokens) == (7, 3)
    assert (openai.input_tokens, openai.output_tokens) == (7, 3)
    assert (openai.cached_tokens, openai.reasoning_tokens) == (4, 2)


def test_unknown_item_types_and_fields_pass_through() -> None:
    response = rs.Response.model_validate(
        {
            "id": "resp_x",
            "output": [
                {"type": "mcp_list_tools", "server_label": "docs", "tools": [{"name": "q"}]},
                {"type": "message", "content": [{"type": "output_text", "text": "ok"}]},
            ],
            "service_tier": "priority",
        }
    )
    assert response.output[0].type == "mcp_list_tools"
    assert response.output[0].model_extra == {"server_label": "docs", "tools": [{"name": "q"}]}
    assert response.model_extra == {"service_tier": "priority"}
    assert response.output_text == "ok"


def test_function_tool_call_round_trips(double: WireDouble) -> None:
    with _client(double) as client:
        first = rs.create(
            client,
            {"model": MODEL, "input": "Use get_weather for Paris", "tools": [WEATHER]},
        ).response
        [call] = first.function_calls
        assert call.name == "get_weather" and json.loads(call.arguments or "")["city"]
        second = rs.create(
            client,
            {
                "model": MODEL,
                "previous_response_id": first.id,
                "tools": [WEATHER],
                "input": [
                    {"type": "function_call_output", "call_id": call.call_id, "output": "sunny 21C"}
                ],
            },
        ).response
    assert second.previous_response_id == first.id
    assert not second.function_calls
    assert "sunny" in second.output_text


def test_mcp_tools_run_on_the_server_and_their_items_pass_through(double: WireDouble) -> None:
    mcp = {"type": "mcp", "server_label": "gitmcp", "server_url": "https://gitmcp.io/docs"}
    with _client(double) as client:
        response = rs.create(
            client, {"model": MODEL, "input": "What is reward-kit?", "tools": [mcp]}
        ).response
    kinds = [i.type for i in response.output]
    assert kinds == ["mcp_call", "message"]
    assert response.output[0].model_extra is not None
    assert response.output[0].model_extra["server_label"] == "gitmcp"


def test_max_tool_calls_is_sent_and_caps_calls(double: WireDouble) -> None:
    other = {**WEATHER, "name": "get_time"}
    with _client(double) as client:
        response = rs.create(
            client,
            {
                "model": MODEL,
                "input": "Call get_weather and get_time",
                "tools": [WEATHER, other],
                "max_tool_calls": 1,
            },
        ).response
    assert double.requests[-1].json["max_tool_calls"] == 1
    assert len(response.function_calls) == 1 and response.max_tool_calls == 1


def test_previous_response_id_continues_and_store_false_does_not_store(
    double: WireDouble,
) -> None:
    with _client(double) as client:
        first = rs.create(client, {"model": MODEL, "input": "My name is Ada."}).response
        assert rs.get(client, first.id).response.id == first.id
        unstored = rs.create(client, {"model": MODEL, "input": "Say hi.", "store": False}).response
        assert unstored.store is False
        with pytest.raises(NotFoundError):
            rs.get(client, unstored.id)
        with pytest.raises(NotFoundError):
            rs.create(
                client, {"model": MODEL, "input": "Again?", "previous_response_id": unstored.id}
            )


def test_list_pages_newest_first_and_delete_removes_for_good(double: WireDouble) -> None:
    with _client(double) as client:
        ids = [
            rs.create(client, {"model": MODEL, "input": f"Question number {n}"}).response.id
            for n in range(3)
        ]
        page = rs.list_responses(client, limit=2)
        assert [r.id for r in page.data] == ids[::-1][:2] and page.has_more
        rest = rs.list_responses(client, limit=2, after=page.last_id)
        assert [r.id for r in rest.data] == [ids[0]] and not rest.has_more
        gone = rs.delete(client, ids[1])
        assert (gone.id, gone.deleted) == (ids[1], True)
        with pytest.raises(NotFoundError):
            rs.get(client, ids[1])
        assert [r.id for r in rs.list_responses(client).data] == [ids[2], ids[0]]
        assert [r.id for r in rs.list_responses(client, order="asc").data] == [ids[0], ids[2]]


def test_stream_folds_into_the_plain_answer(double: WireDouble) -> None:
    body: dict[str, Any] = {"model": MODEL, "input": "Use get_weather for Rome", "tools": [WEATHER]}
    with _client(double) as client:
        plain = rs.create(client, body).response
        s = rs.stream(client, body)
        events = list(s)
    assert events[0].type == "response.created" and events[-1].type == "response.completed"
    assert any(e.type == "response.function_call_arguments.delta" for e in events)
    assert s.response.model_dump() == plain.model_dump()
    # the deltas alone rebuild the same calls (the accumulator, not just the final event)
    acc = rs.ResponseAccumulator()
    for e in events[:-1]:
        acc.add(e)
    assert [c.arguments for c in acc.partial().function_calls] == [
        c.arguments for c in plain.function_calls
    ]


def test_text_deltas_rebuild_the_text(double: WireDouble) -> None:
    with _client(double) as client:
        s = rs.stream(client, {"model": MODEL, "input": "Describe the sea in a sentence."})
        deltas = [e.get("delta") for e in s if e.type == "response.output_text.delta"]
    assert len(deltas) > 1
    assert "".join(deltas) == s.response.output_text


def test_a_cut_stream_raises_stream_error(double: WireDouble) -> None:
    double.inject(Fault.cut_stream(after=3), path="/responses")
    with _client(double) as client:
        s = rs.stream(client, {"model": MODEL, "input": "Describe the sea."})
        with pytest.raises(StreamError):
            list(s)


def test_an_error_event_raises_stream_error() -> None:
    frames = (
        b'event: response.created\ndata: {"type":"response.created","response":{"id":"r"}}\n\n'
        b'event: error\ndata: {"type":"error","code":"server_error","message":"boom"}\n\n'
    )
    transport = httpx.MockTransport(
        lambda req: httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=frames
        )
    )
    http = httpx.Client(transport=transport)
    with (
        Client(FIREWORKS, api_key="k", http_client=http) as client,
        pytest.raises(StreamError, match="boom"),
    ):
        list(rs.stream(client, {"model": MODEL, "input": "x"}))


def test_unknown_events_pass_through_unchanged() -> None:
    frames = (
        b'data: {"type":"response.created","response":{"id":"r","status":"in_progress"}}\n\n'
        b'data: {"type":"response.new_thing","payload":{"a":1}}\n\n'
        b'data: {"type":"response.completed","response":{"id":"r","status":"completed",'
        b'"output":[]}}\n\n'
    )
    transport = httpx.MockTransport(
        lambda req: httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=frames
        )
    )
    with Client(FIREWORKS, api_key="k", http_client=httpx.Client(transport=transport)) as client:
        s = rs.stream(client, {"model": MODEL, "input": "x"})
        events = list(s)
    assert events[1].type == "response.new_thing" and events[1].get("payload") == {"a": 1}
    assert s.response.status == "completed"


def test_async_create_and_stream_match(double: WireDouble) -> None:
    async def run() -> tuple[rs.Response, rs.Response]:
        http = httpx.AsyncClient(transport=double.async_transport())
        async with AsyncClient(FIREWORKS, api_key="test-key", http_client=http) as client:
            body = {"model": MODEL, "input": "Name three rivers."}
            plain = (await rs.acreate(client, body)).response
            s = rs.astream(client, body)
            async for _ in s:
                pass
            listed = await rs.alist(client, limit=1)
            assert listed.data[0].id == plain.id
            assert (await rs.aget(client, plain.id)).response.id == plain.id
            assert (await rs.adelete(client, plain.id)).deleted
            return plain, s.response

    plain, streamed = asyncio.run(run())
    assert streamed.output_text == plain.output_text


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ({"input": "x"}, "model"),
        ({"model": MODEL}, "input"),
        ({"model": MODEL, "input": []}, "input"),
        ({"model": MODEL, "input": "x", "max_tool_calls": -1}, "max_tool_calls"),
    ],
)
def test_bad_bodies_are_refused_before_sending(body: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        rs.prepare_body(body)


def test_developer_items_go_as_system_and_reasoning_is_sent_as_given(double: WireDouble) -> None:
    with _client(double) as client:
        response = rs.create(
            client,
            {
                "model": MODEL,
                "input": [
                    {"role": "developer", "content": "Be brief."},
                    {"role": "user", "content": "Why is the sky blue?"},
                ],
                "reasoning": {"effort": "low", "summary": "auto"},
            },
        ).response
    sent = double.requests[-1].json
    assert sent["input"][0]["role"] == "system"
    assert sent["reasoning"] == {"effort": "low", "summary": "auto"}
    assert response.reasoning_text


def test_bad_response_ids_are_refused(double: WireDouble) -> None:
    with _client(double) as client, pytest.raises(ConfigurationError):
        rs.get(client, " ")


def test_raw_reasoning_text_deltas_fold_into_the_reasoning_item() -> None:
    acc = rs.ResponseAccumulator()
    for raw in [
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {"type": "reasoning", "id": "rs_1", "summary": []},
        },
        {"type": "response.reasoning_text.delta", "output_index": 0, "delta": "Think "},
        {"type": "response.reasoning_text.delta", "output_index": 0, "delta": "twice."},
    ]:
        acc.add(rs.ResponseEvent.model_validate(raw))
    assert acc.partial().reasoning_text == "Think twice."
