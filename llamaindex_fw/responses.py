"""``FireworksResponses``: Fireworks' Responses API (docs/wire.md §1.18) as a LlamaIndex
``FunctionCallingLLM``, the way ``llama-index-llms-openai`` offers ``OpenAIResponses``.

It is :class:`~llamaindex_fw.llms.Fireworks` with the request sent to ``POST /v1/responses``:
the chat body the base class builds (messages, options, tools, ``response_format``) is
turned into a Responses body by :func:`fw_core.endpoints.responses.responses_body`, so tools
(``chat_with_tools``, agents), structured output and every option work the same way.
What the Responses API adds:

* ``track_previous_responses=True``: after each answer the LLM keeps its id, and the next
  call sends only the messages after the last answer (the newest message, or every tool
  result of a parallel call) with ``previous_response_id``; the server keeps the history.
  ``previous_response_id=`` per call works too.
* ``store``, ``max_tool_calls``, ``reasoning`` (``{"effort", "summary"}``), and
  ``built_in_tools`` (server-executed tools such as ``{"type": "mcp", ...}``), sent with
  every call; their output items land in ``message.additional_kwargs["built_in_tool_calls"]``.
* The response id is ``ChatResponse.additional_kwargs["response_id"]`` (``raw`` is the
  parsed response).

Example:
    >>> import httpx
    >>> from fw_core.testing import WireDouble
    >>> from llamaindex_fw import FireworksResponses
    >>> llm = FireworksResponses(
    ...     model="llama-v3p3-70b-instruct", api_key="fw-example",
    ...     http_client=httpx.Client(transport=WireDouble().transport()),
    ... )
    >>> r = llm.complete("Name a colour")
    >>> r.additional_kwargs["response_id"].startswith("resp_")
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    ContentBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.bridge.pydantic import Field, PrivateAttr

from fw_core.endpoints import responses as fw_responses
from fw_core.errors import ConfigurationError
from fw_core.kit.chat_body import add_responses_options
from llamaindex_fw._responses_stream import PartialMessage, arguments_kwargs
from llamaindex_fw.llms import Fireworks

__all__ = ["FireworksResponses", "response_to_message"]

_OWN_ITEMS = ("message", "reasoning", "function_call")

#: The events a stream answers with a ``ChatResponse`` (the message so far).
_DELTA_EVENTS = frozenset(
    {
        "response.output_text.delta",
        "response.function_call_arguments.delta",
        *fw_responses.REASONING_DELTAS,
        "response.output_item.done",
    }
)


def response_to_message(response: fw_responses.Response) -> ChatMessage:
    """A response as an assistant ``ChatMessage``: thinking, text and tool-call blocks;
    server-executed items in ``additional_kwargs["built_in_tool_calls"]``."""
    blocks: list[ContentBlock] = []
    built_in: list[dict[str, Any]] = []
    for item in response.output:
        if item.type == "reasoning":
            blocks.append(ThinkingBlock(content=item.reasoning_text))
        elif item.type == "message":
            blocks.append(TextBlock(text=item.text))
        elif item.type == "function_call":
            blocks.append(
                ToolCallBlock(
                    tool_call_id=item.call_id or item.id or f"call_{len(blocks)}",
                    tool_name=item.name or "",
                    tool_kwargs=arguments_kwargs(item.arguments),
                )
            )
        else:
            built_in.append(item.model_dump(exclude_none=True))
    if not any(isinstance(b, TextBlock | ToolCallBlock) for b in blocks):
        blocks.append(TextBlock(text=""))
    additional: dict[str, Any] = {}
    if built_in:
        additional["built_in_tool_calls"] = built_in
    reasoning = response.reasoning_text
    if reasoning:
        additional["reasoning_content"] = reasoning
    return ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=additional)


def _since_last_answer(messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    """The messages after the last assistant message (all tool results of a parallel
    call, say); just the last message when the history holds no answer."""
    items = list(messages)
    for index in range(len(items) - 1, -1, -1):
        if items[index].role == MessageRole.ASSISTANT:
            return items[index + 1 :]
    return items[-1:]


def _usage(usage: fw_responses.ResponseUsage | None) -> dict[str, int]:
    if usage is None:
        return {}
    out = {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens or usage.input_tokens + usage.output_tokens,
    }
    if usage.cached_tokens is not None:
        out["cached_tokens"] = usage.cached_tokens
    if usage.reasoning_tokens is not None:
        out["reasoning_tokens"] = usage.reasoning_tokens
    return out


class FireworksResponses(Fireworks):
    """Fireworks' Responses API as a LlamaIndex LLM (see the module docstring).

    Args:
        track_previous_responses: continue each call from the last answer's id, sending
            only the newest message.
        store: keep responses on the server (API default True; ``False`` cannot be
            continued).
        max_tool_calls: cap on tool calls in one response.
        reasoning: ``{"effort": ..., "summary": ...}``, sent as given.
        built_in_tools: server-executed tools sent with every call (``{"type": "mcp",
            "server_label": ..., "server_url": ...}``).
        Everything :class:`~llamaindex_fw.llms.Fireworks` takes.
    """

    track_previous_responses: bool = Field(
        default=False,
        description="Send only the newest message, continuing from the last response id.",
    )
    store: bool | None = Field(default=None, description="Keep responses on the server.")
    max_tool_calls: int | None = Field(
        default=None, ge=0, description="Cap on tool calls in one response."
    )
    reasoning: dict[str, Any] | None = Field(
        default=None, description="Reasoning options ({'effort', 'summary'}), sent as given."
    )
    built_in_tools: list[dict[str, Any]] | None = Field(
        default=None, description="Server-executed tools (e.g. MCP) sent with every call."
    )

    _previous_response_id: str | None = PrivateAttr(default=None)

    @classmethod
    def class_name(cls) -> str:
        return "llamaindex_fw.FireworksResponses"

    @property
    def previous_response_id(self) -> str | None:
        """The id the next call continues from (``track_previous_responses``)."""
        return self._previous_response_id

    def reset_previous_response(self) -> None:
        """Start a new conversation on the next call."""
        self._previous_response_id = None

    # -- request --------------------------------------------------------------------

    def _responses_body(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        previous = kwargs.get("previous_response_id")
        if previous is None and self.track_previous_responses and self._previous_response_id:
            kwargs["previous_response_id"] = self._previous_response_id
            messages = _since_last_answer(messages)
        body = fw_responses.responses_body(self._body(messages, kwargs))
        if self.built_in_tools:
            body["tools"] = [*(body.get("tools") or []), *self.built_in_tools]
        add_responses_options(body, self, kwargs)  # the rule both adapters share
        if body.get("store") is False and self.track_previous_responses:
            raise ConfigurationError(
                "track_previous_responses needs stored responses: store=False cannot be continued"
            )
        return body

    def _answer(
        self, response: fw_responses.Response, request_id: str | None, headers: Any
    ) -> ChatResponse:
        if self.track_previous_responses and response.id:
            self._previous_response_id = response.id
        kwargs: dict[str, Any] = _usage(response.usage)
        kwargs["response_id"] = response.id
        if response.model:
            kwargs["model"] = response.model
        if response.status:
            kwargs["status"] = response.status
        kwargs.update(self._response_meta(request_id, headers))
        return ChatResponse(
            message=response_to_message(response), raw=response, additional_kwargs=kwargs
        )

    # -- chat -----------------------------------------------------------------------

    def _chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        headers = self._call_headers(kwargs)
        body = self._responses_body(messages, kwargs)
        result = fw_responses.create(self._client(), body, headers)
        return self._answer(result.response, result.request_id, result.headers)

    async def _achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        headers = self._call_headers(kwargs)
        body = self._responses_body(messages, kwargs)
        result = await fw_responses.acreate(self._aclient(), body, headers)
        return self._answer(result.response, result.request_id, result.headers)

    def _stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        headers = self._call_headers(kwargs)
        body = self._responses_body(messages, kwargs)  # conversion errors surface here
        stream = fw_responses.stream(self._client(), body, headers)

        def gen() -> ChatResponseGen:
            answers = _StreamAnswers(self, stream)
            for event in stream:
                out = answers.event(event)
                if out is not None:
                    yield out
            yield answers.final()

        return gen()

    async def _astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        headers = self._call_headers(kwargs)
        body = self._responses_body(messages, kwargs)
        stream = fw_responses.astream(self._aclient(), body, headers)

        async def gen() -> ChatResponseAsyncGen:
            answers = _StreamAnswers(self, stream)
            async for event in stream:
                out = answers.event(event)
                if out is not None:
                    yield out
            yield answers.final()

        return gen()


class _StreamAnswers:
    """The chat responses of one Responses stream, sync or async: one per event that
    changes a block, then the closing answer. The message so far is built from the
    accumulator's items, not a validated response, so an event costs the same however
    long the answer is."""

    __slots__ = ("_built", "_llm", "_meta", "_stream")

    def __init__(
        self,
        llm: FireworksResponses,
        stream: fw_responses.ResponseStream | fw_responses.AsyncResponseStream,
    ) -> None:
        self._llm, self._stream = llm, stream
        self._built = PartialMessage()
        self._meta: dict[str, Any] | None = None

    def event(self, event: fw_responses.ResponseEvent) -> ChatResponse | None:
        """The response for one event (None for events that change no block)."""
        stream, meta = self._stream, self._meta
        if meta is None:  # the response has arrived: its id and headers
            meta = self._meta = self._llm._response_meta(stream.request_id, stream.headers)
        kind = event.type
        if kind not in _DELTA_EVENTS:
            return None  # nothing new to show; the closing response comes from final()
        delta = event.get("delta") if kind == "response.output_text.delta" else None
        acc = stream.accumulator
        assert acc is not None  # the stream sets it before its first event
        return ChatResponse(
            message=self._built.message(acc.items()),
            delta=delta or "",
            raw=event,
            additional_kwargs={"response_id": acc.response_id, **meta},
        )

    def final(self) -> ChatResponse:
        """The closing answer: the completed response, with no delta of its own."""
        stream = self._stream
        answer = self._llm._answer(stream.response, stream.request_id, stream.headers)
        answer.delta = ""
        return answer
