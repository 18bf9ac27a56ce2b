"""``Fireworks`` and ``Firmware``: LlamaIndex ``FunctionCallingLLM`` classes on fw_core.

One shared base (:class:`FwLLM`) holds everything; the two public classes only say which
API they talk to and which extra options it takes. HTTP, retries, streaming, errors and
wire shapes live in :mod:`fw_core`; this module converts LlamaIndex messages and options
and fires LlamaIndex's instrumentation the way core's own LLMs do (``llm_chat_callback``
/ ``llm_completion_callback`` on every public call, structured-predict events).
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import AsyncGenerator, Generator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import llama_index.core.instrumentation as instrument
from llama_index.core.base.llms.generic_utils import (
    achat_to_completion_decorator,
    astream_chat_to_completion_decorator,
    chat_to_completion_decorator,
    stream_chat_to_completion_decorator,
)
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    LogProb,
    MessageRole,
    ToolCallBlock,
)
from llama_index.core.bridge.pydantic import Field, PrivateAttr
from llama_index.core.constants import DEFAULT_NUM_OUTPUTS
from llama_index.core.instrumentation.events.llm import (
    LLMStructuredPredictEndEvent,
    LLMStructuredPredictStartEvent,
)
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import Model, ToolSelection
from llama_index.core.llms.utils import parse_partial_json
from llama_index.core.prompts import PromptTemplate
from llama_index.core.types import PydanticProgramMode

from fw_core import chat as fw_chat
from fw_core.chat_options import chat_options_of, check_chat_options
from fw_core.connection import ConnectionMixin
from fw_core.errors import ResponseValidationError
from fw_core.providers import FIREWORKS, FIRMWARE, ProviderSpec, normalize_firmware_model
from fw_core.stream_delta import StreamTracker
from llamaindex_fw._messages import (
    closed_schema,
    from_wire_message,
    resolve_tool_choice,
    to_wire_messages,
    usage_to_kwargs,
)
from llamaindex_fw._stream import stream_response

if TYPE_CHECKING:
    from typing import Unpack

    from llama_index.core.program.utils import FlexibleModel
    from llama_index.core.tools.types import BaseTool

    from fw_core.models import ModelFilters, ModelInfo
    from fw_core.quota import FirmwareQuota

__all__ = ["Fireworks", "Firmware", "FwLLM"]

dispatcher = instrument.get_dispatcher(__name__)

ReasoningEffort = Literal["none", "low", "medium", "high"]

_warned_unknown: set[tuple[str, str]] = set()


def _response_format(output_cls: type[Model], strict: bool) -> dict[str, Any]:
    """The json_schema ``response_format`` for a pydantic class."""
    name = re.sub(r"[^a-zA-Z0-9_-]", "_", output_cls.__name__)[:64] or "output"
    schema = output_cls.model_json_schema()
    spec: dict[str, Any] = {"name": name, "schema": closed_schema(schema) if strict else schema}
    if strict:
        spec["strict"] = True
    return {"type": "json_schema", "json_schema": spec}


def _logprobs(raw: Any) -> list[list[LogProb]] | None:
    """OpenAI-style ``{"content": [{token, logprob, bytes, top_logprobs}]}`` as LlamaIndex's."""
    if not isinstance(raw, dict) or not isinstance(raw.get("content"), list):
        return None
    out: list[list[LogProb]] = []
    for item in raw["content"]:
        if not isinstance(item, dict):
            continue
        tops = item.get("top_logprobs") or [item]
        row = [
            LogProb(
                token=t.get("token", ""), logprob=t.get("logprob", 0.0), bytes=t.get("bytes") or []
            )
            for t in tops
            if isinstance(t, dict)
        ]
        if row:
            out.append(row)
    return out or None


class FwLLM(ConnectionMixin, FunctionCallingLLM):
    """Shared implementation of :class:`Fireworks` and :class:`Firmware`; use those."""

    model: str = Field(
        description="Model id as the API takes it (Fireworks short names "
        "are expanded to accounts/fireworks/models/...)."
    )
    temperature: float | None = Field(
        default=None, ge=0.0, le=2.0, description="Sampling temperature; None = API default."
    )
    max_tokens: int | None = Field(default=None, gt=0, description="Output token cap.")
    context_window: int | None = Field(
        default=None,
        gt=0,
        description="Overrides the context window from the model table / models endpoint.",
    )
    reasoning_effort: ReasoningEffort | None = Field(
        default=None, description="Reasoning effort for reasoning models."
    )
    strict: bool = Field(
        default=False,
        description="Ask for strict schema adherence in tools and structured output.",
    )
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra fields merged into every request body."
    )
    replay_reasoning: bool = Field(
        default=True,
        description="Send an assistant message's reasoning back as "
        "reasoning_content (interleaved thinking in tool loops).",
    )
    include_response_headers: bool = Field(
        default=False,
        description="Put the API's response headers (request id, rate "
        "limits, fireworks-* timings) in additional_kwargs['headers'].",
    )

    _wire_model: str = PrivateAttr()
    _wire_for: str = PrivateAttr()
    _endpoint_info: ModelInfo | None = PrivateAttr(default=None)

    def __init__(self, model: str | None = None, **data: Any) -> None:
        if model is not None:
            data["model"] = model
        if "model" not in data:
            raise TypeError(f"{type(self).__name__} needs a model, e.g. model='...'")
        wire_model = self._normalize_model(data["model"], data)
        super().__init__(**data)
        check_chat_options(self.fw_provider, self._options())  # bad options refused here
        self._wire_model, self._wire_for = wire_model, self.model

    @classmethod
    def _normalize_model(cls, model: str, data: dict[str, Any]) -> str:
        return cls.fw_provider.normalize_model(model)

    # -- identity and metadata ----------------------------------------------------------

    @property
    def wire_model(self) -> str:
        """The model id sent on the wire (follows later changes to ``model``)."""
        if self._wire_for != self.model:
            validate = {"validate_model": getattr(self, "validate_model", True)}
            self._wire_model = self._normalize_model(self.model, validate)
            self._wire_for = self.model
            self._endpoint_info = None
        return self._wire_model

    @property
    def model_info(self) -> ModelInfo | None:
        """The refreshed listing merged over the model table, else the table entry, or None."""
        if self._endpoint_info is not None:
            return self._endpoint_info
        from fw_core.model_table import lookup

        return lookup(self.fw_provider.name, self.wire_model)

    def _context_window(self, info: ModelInfo | None) -> int:
        if self.context_window is not None:
            return self.context_window
        if info is not None and info.context_length is not None:
            return info.context_length
        from fw_core.model_table import UNKNOWN_CONTEXT_WINDOW

        key = (self.fw_provider.name, self.wire_model)
        if key not in _warned_unknown:
            _warned_unknown.add(key)
            warnings.warn(
                f"{self.fw_provider.display_name} model {self.model!r} is not in the model "
                f"table (fw_core.model_table); assuming a {UNKNOWN_CONTEXT_WINDOW}-token "
                "context window. Pass context_window=... or call refresh_model_info() to "
                "read it from the API.",
                UserWarning,
                stacklevel=3,
            )
        return UNKNOWN_CONTEXT_WINDOW

    @property
    def metadata(self) -> LLMMetadata:
        info = self.model_info
        return LLMMetadata(
            context_window=self._context_window(info),
            num_output=self.max_tokens or DEFAULT_NUM_OUTPUTS,
            is_chat_model=True,
            # no allow-list: tools unless the model is known not to call them
            is_function_calling_model=info is None or info.supports_tools is not False,
            model_name=self.model,
            system_role=MessageRole.SYSTEM,
        )

    def refresh_model_info(self) -> ModelInfo | None:
        """Read this model's entry from the API's model list and let :attr:`metadata` use it.

        Fireworks: the account catalog on the control plane, asked for the model's name.
        Firmware: ``GET {base}/models``. Afterwards ``metadata.context_window`` and
        ``metadata.is_function_calling_model`` follow the listing where it states them (an
        explicit ``context_window=`` still wins; what the listing leaves out keeps the
        model table's value). Only this call reads the list: constructing the LLM or
        reading ``metadata`` never makes a request.

        Returns:
            The listing's :class:`fw_core.models.ModelInfo`, or None when the API does not
            list the model (deployments, routers, an unlisted id); then nothing changes.
        """
        from fw_core.models import find_model

        return self._keep_listed(find_model(self._client(), self.wire_model))

    async def arefresh_model_info(self) -> ModelInfo | None:
        """Async twin of :meth:`refresh_model_info`."""
        from fw_core.models import afind_model

        return self._keep_listed(await afind_model(self._aclient(), self.wire_model))

    def _keep_listed(self, listed: ModelInfo | None) -> ModelInfo | None:
        if listed is not None:
            from fw_core.model_table import lookup, merge_listing

            info = merge_listing(listed, lookup(self.fw_provider.name, self.wire_model))
            if info.context_length is not None:
                self._endpoint_info = info
        return listed

    def list_models(self, **filters: Unpack[ModelFilters]) -> list[ModelInfo]:
        """The models this API lists, as :class:`fw_core.models.ModelInfo`, filtered.

        Same filters and rules as :func:`fw_core.models.list_models` (``supports_tools``,
        ``supports_image_input``, ``min_context_length``, ``kind``, ``account_id``,
        ``max_pages``, ``server_filter``), on this LLM's client.
        """
        from fw_core.models import list_models

        return list_models(self._client(), **filters)

    async def alist_models(self, **filters: Unpack[ModelFilters]) -> list[ModelInfo]:
        """Async twin of :meth:`list_models`."""
        from fw_core.models import alist_models

        return await alist_models(self._aclient(), **filters)

    # -- request building ---------------------------------------------------------------

    @property
    def _response_extras(self) -> tuple[str, ...]:
        """Top-level response fields surfaced in ``ChatResponse.additional_kwargs``."""
        return self.fw_provider.response_extras

    def _options(self) -> dict[str, Any]:
        """The option fields sent in every body (the provider spec names them)."""
        return chat_options_of(self.fw_provider, self)

    def _body(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.wire_model,
            "messages": to_wire_messages(messages, replay_reasoning=self.replay_reasoning),
        }
        body.update(self._options())
        body.update(self.additional_kwargs)
        for key, value in kwargs.items():
            if value is not None:
                body[key] = value
        return body

    def _response_meta(self, request_id: str | None, headers: Mapping[str, str]) -> dict[str, Any]:
        meta: dict[str, Any] = {"request_id": request_id} if request_id else {}
        if self.include_response_headers:
            meta["headers"] = dict(headers)
        return meta

    def _chat_response(self, resp: fw_chat.ChatResponse) -> ChatResponse:
        completion = resp.completion
        if not completion.choices:
            raise ResponseValidationError(
                "the chat response has no choices", status_code=200, request_id=resp.request_id
            )
        choice = completion.choices[0]
        kwargs: dict[str, Any] = usage_to_kwargs(completion.usage)
        if choice.finish_reason:
            kwargs["finish_reason"] = choice.finish_reason
        if completion.model:
            kwargs["model"] = completion.model
        kwargs.update(self._response_meta(resp.request_id, resp.headers))
        extra = completion.model_extra or {}
        for key in self._response_extras:
            if extra.get(key) is not None:
                kwargs[key] = extra[key]
        return ChatResponse(
            message=from_wire_message(choice.message),
            raw=completion,
            logprobs=_logprobs(choice.logprobs),
            additional_kwargs=kwargs,
        )

    # -- chat / complete, undecorated ---------------------------------------------------

    def _chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        body = self._body(messages, kwargs)
        return self._chat_response(fw_chat.create(self._client(), body))

    async def _achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        body = self._body(messages, kwargs)
        return self._chat_response(await fw_chat.acreate(self._aclient(), body))

    def _stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        body = self._body(messages, kwargs)  # conversion errors surface here, not mid-stream
        stream = fw_chat.stream(self._client(), body)

        def gen() -> ChatResponseGen:
            tracker = StreamTracker(extras=self._response_extras, split_think=True)
            meta: dict[str, Any] | None = None
            chunks = iter(stream)
            try:
                for chunk in chunks:
                    if meta is None:  # the response has arrived: its id and headers
                        meta = self._response_meta(stream.request_id, stream.headers)
                    response = stream_response(tracker, tracker.feed(chunk), meta)
                    if response is not None:
                        yield response
            finally:  # a consumer that stops early releases the connection now
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()
            last = stream_response(tracker, tracker.finish(), meta)
            if last is not None:
                yield last

        return gen()

    async def _astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        body = self._body(messages, kwargs)
        stream = fw_chat.astream(self._aclient(), body)

        async def gen() -> ChatResponseAsyncGen:
            tracker = StreamTracker(extras=self._response_extras, split_think=True)
            meta: dict[str, Any] | None = None
            chunks = aiter(stream)
            try:
                async for chunk in chunks:
                    if meta is None:  # the response has arrived: its id and headers
                        meta = self._response_meta(stream.request_id, stream.headers)
                    response = stream_response(tracker, tracker.feed(chunk), meta)
                    if response is not None:
                        yield response
            finally:  # a consumer that stops early releases the connection now
                aclose = getattr(chunks, "aclose", None)
                if aclose is not None:
                    await aclose()
            last = stream_response(tracker, tracker.finish(), meta)
            if last is not None:
                yield last

        return gen()

    # -- public LLM surface -------------------------------------------------------------

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return self._chat(messages, **kwargs)

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return await self._achat(messages, **kwargs)

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        return self._stream_chat(messages, **kwargs)

    @llm_chat_callback()
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        return await self._astream_chat(messages, **kwargs)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return chat_to_completion_decorator(self._chat)(prompt, **kwargs)

    @llm_completion_callback()
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        return await achat_to_completion_decorator(self._achat)(prompt, **kwargs)

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        return stream_chat_to_completion_decorator(self._stream_chat)(prompt, **kwargs)

    @llm_completion_callback()
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        return await astream_chat_to_completion_decorator(self._astream_chat)(prompt, **kwargs)

    # -- tools --------------------------------------------------------------------------

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: str | dict[str, Any] | None = None,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Request arguments for a chat with tools.

        ``tool_required`` asks for ``tool_choice="required"``; ``tool_choice`` may be
        ``"auto"``, ``"none"``, ``"required"``, a tool name or a dict; ``strict`` (default:
        the LLM's ``strict``) marks every tool strict and closes every object of its
        parameter schema (``additionalProperties: false``).
        """
        use_strict = self.strict if strict is None else strict
        specs = [tool.metadata.to_openai_tool(skip_length_check=True) for tool in tools]
        if use_strict:
            for spec in specs:
                function = spec["function"]
                function["strict"] = True
                function["parameters"] = closed_schema(function["parameters"])
        messages = list(chat_history or [])
        if isinstance(user_msg, str):
            user_msg = ChatMessage(role=MessageRole.USER, content=user_msg)
        if user_msg is not None:
            messages.append(user_msg)
        out: dict[str, Any] = {"messages": messages, **kwargs}
        if specs:
            out["tools"] = specs
            out["tool_choice"] = resolve_tool_choice(tool_choice, tool_required)
            out["parallel_tool_calls"] = allow_parallel_tool_calls
        return out

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[BaseTool],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        """Keep only the first tool call when parallel calls were not allowed."""
        if not allow_parallel_tool_calls:
            blocks = response.message.blocks
            calls = [b for b in blocks if isinstance(b, ToolCallBlock)]
            if len(calls) > 1:
                response.message.blocks = [
                    b for b in blocks if not isinstance(b, ToolCallBlock)
                ] + [calls[0]]
        return response

    def get_tool_calls_from_response(
        self,
        response: ChatResponse,
        error_on_no_tool_call: bool = True,
        **kwargs: Any,
    ) -> list[ToolSelection]:
        """The tool calls of a (possibly partial, streamed) response.

        Arguments that are not a complete JSON object yet (mid-stream) are parsed as far as
        they go; unparseable arguments become ``{}``.

        Raises:
            ValueError: no tool call and ``error_on_no_tool_call`` is true.
        """
        selections: list[ToolSelection] = []
        for block in response.message.blocks:
            if not isinstance(block, ToolCallBlock):
                continue
            args: Any = block.tool_kwargs
            if isinstance(args, str):
                try:
                    args = parse_partial_json(args) if args.strip() else {}
                except (ValueError, TypeError):
                    args = {}
            selections.append(
                ToolSelection(
                    tool_id=block.tool_call_id or "",
                    tool_name=block.tool_name,
                    tool_kwargs=args if isinstance(args, dict) else {},
                )
            )
        if not selections and error_on_no_tool_call:
            raise ValueError("Expected at least one tool call, but the model called none.")
        return selections

    # -- structured output (native json_schema) -----------------------------------------

    def _use_native_structured_output(self) -> bool:
        return self.pydantic_program_mode == PydanticProgramMode.DEFAULT

    def _schema_kwargs(
        self, llm_kwargs: dict[str, Any] | None, output_cls: type[Model]
    ) -> dict[str, Any]:
        kwargs = {k: v for k, v in (llm_kwargs or {}).items() if k != "tool_choice"}
        kwargs["response_format"] = _response_format(output_cls, self.strict)
        return kwargs

    @staticmethod
    def _parse_structured(output_cls: type[Model], response: ChatResponse) -> Model:
        text = response.message.content or ""
        try:
            return output_cls.model_validate_json(text)
        except ValueError:
            # tolerate a fenced block some vendors add despite the schema
            stripped = text.strip().removeprefix("```json").removeprefix("```")
            return output_cls.model_validate(json.loads(stripped.removesuffix("```")))

    @dispatcher.span
    def structured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """Structured output through the API's ``json_schema`` response format.

        With ``pydantic_program_mode`` other than DEFAULT, LlamaIndex's own programs run
        (function calling forces a tool call).
        """
        if not self._use_native_structured_output():
            llm_kwargs = {"tool_choice": "required", **(llm_kwargs or {})}
            return super().structured_predict(output_cls, prompt, llm_kwargs, **prompt_args)
        dispatcher.event(
            LLMStructuredPredictStartEvent(
                output_cls=output_cls, template=prompt, template_args=prompt_args
            )
        )
        messages = self._extend_messages(prompt.format_messages(**prompt_args))
        response = self.chat(messages, **self._schema_kwargs(llm_kwargs, output_cls))
        result = self._parse_structured(output_cls, response)
        dispatcher.event(LLMStructuredPredictEndEvent(output=result))
        return result

    @dispatcher.span
    async def astructured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """Async twin of :meth:`structured_predict`."""
        if not self._use_native_structured_output():
            llm_kwargs = {"tool_choice": "required", **(llm_kwargs or {})}
            return await super().astructured_predict(output_cls, prompt, llm_kwargs, **prompt_args)
        dispatcher.event(
            LLMStructuredPredictStartEvent(
                output_cls=output_cls, template=prompt, template_args=prompt_args
            )
        )
        messages = self._extend_messages(prompt.format_messages(**prompt_args))
        response = await self.achat(messages, **self._schema_kwargs(llm_kwargs, output_cls))
        result = self._parse_structured(output_cls, response)
        dispatcher.event(LLMStructuredPredictEndEvent(output=result))
        return result

    def _structured_stream_call(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Generator[Model | list[Model] | FlexibleModel | list[FlexibleModel], None, None]:
        if not self._use_native_structured_output():
            llm_kwargs = {"tool_choice": "required", **(llm_kwargs or {})}
            return super()._structured_stream_call(output_cls, prompt, llm_kwargs, **prompt_args)
        from llama_index.core.program.streaming_utils import (
            process_streaming_content_incremental,
        )

        messages = self._extend_messages(prompt.format_messages(**prompt_args))
        responses = self.stream_chat(messages, **self._schema_kwargs(llm_kwargs, output_cls))

        def gen() -> Generator[Model | FlexibleModel, None, None]:
            current = None
            for response in responses:
                if response.delta:
                    current = process_streaming_content_incremental(response, output_cls, current)
                    yield current

        return gen()

    async def _structured_astream_call(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> AsyncGenerator[Model | list[Model] | FlexibleModel | list[FlexibleModel], None]:
        if not self._use_native_structured_output():
            llm_kwargs = {"tool_choice": "required", **(llm_kwargs or {})}
            return await super()._structured_astream_call(
                output_cls, prompt, llm_kwargs, **prompt_args
            )
        from llama_index.core.program.streaming_utils import (
            process_streaming_content_incremental,
        )

        messages = self._extend_messages(prompt.format_messages(**prompt_args))
        responses = await self.astream_chat(messages, **self._schema_kwargs(llm_kwargs, output_cls))

        async def gen() -> AsyncGenerator[Model | FlexibleModel, None]:
            current = None
            async for response in responses:
                if response.delta:
                    current = process_streaming_content_incremental(response, output_cls, current)
                    yield current

        return gen()


class Fireworks(FwLLM):
    """Fireworks AI chat models as a LlamaIndex ``FunctionCallingLLM``.

    Args:
        model: ``kimi-k2-instruct-0905`` (expanded to ``accounts/fireworks/models/...``),
            a full ``accounts/<account>/models/<id>``, a deployment or router id.
        api_key: default ``FIREWORKS_API_KEY`` (or ``FIREWORKS_AI_API_KEY``); a missing key
            raises :class:`fw_core.ConfigurationError` here, before any request.
        base_url: default ``FIREWORKS_BASE_URL`` or ``https://api.fireworks.ai/inference/v1``.
        temperature, max_tokens, reasoning_effort, strict: request options.
        replay_reasoning: send earlier reasoning back as ``reasoning_content`` (default on).
        context_window: overrides the model table (see :mod:`fw_core.model_table`).
        additional_kwargs: extra body fields (``top_k``, ``prompt_cache_key``...).
        timeout, max_retries, default_headers, http_client, async_http_client: transport.

    Example:
        >>> import httpx
        >>> from fw_core.testing import WireDouble
        >>> from llamaindex_fw import Fireworks
        >>> double = WireDouble()
        >>> llm = Fireworks(
        ...     model="kimi-k2-instruct-0905", api_key="fw-example",
        ...     http_client=httpx.Client(transport=double.transport()),
        ... )
        >>> llm.metadata.context_window
        262144
        >>> bool(llm.complete("Name a colour").text)
        True
    """

    fw_provider: ClassVar[ProviderSpec] = FIREWORKS

    @classmethod
    def class_name(cls) -> str:
        return "llamaindex_fw.Fireworks"


class Firmware(FwLLM):
    """Firmware.ai's OpenAI-style gateway as a LlamaIndex ``FunctionCallingLLM``.

    Takes everything :class:`Fireworks` takes, plus Firmware's own options:

    Args:
        model: ``openai/gpt-5``, ``anthropic/claude-sonnet-4-5-20250929``, a bare id... sent
            untouched; an unknown vendor prefix is refused unless ``validate_model=False``.
        mcp_servers: MCP servers Firmware runs tools on server-side
            (``["dedalus-labs/brave-search"]``); the tools it ran come back in
            ``response.additional_kwargs["tools_executed"]`` and ``response.raw``.
        thinking: Anthropic extended thinking, ``{"type": "enabled", "budget_tokens": 2048}``.
        generation_config: Google ``generationConfig`` fields.
        safety_settings: Google safety settings, ``[{"category": ..., "threshold": ...}]``.
        replay_reasoning: send earlier reasoning back as ``reasoning_content`` (default
            off here; on for Fireworks).
        api_key: default ``FIRMWARE_API_KEY``.
        base_url: default ``FIRMWARE_BASE_URL`` or ``https://app.firmware.ai/api/v1``.

    Example:
        >>> import httpx
        >>> from fw_core.testing import WireDouble
        >>> from llamaindex_fw import Firmware
        >>> double = WireDouble()
        >>> llm = Firmware(
        ...     model="openai/gpt-4o-mini", api_key="fm-example",
        ...     http_client=httpx.Client(transport=double.transport()),
        ... )
        >>> llm.metadata.is_function_calling_model
        True
        >>> bool(llm.complete("Name a colour").text)
        True
    """

    fw_provider: ClassVar[ProviderSpec] = FIRMWARE

    mcp_servers: list[str | dict[str, Any]] | None = Field(
        default=None, description="MCP servers for server-side tool execution."
    )
    thinking: dict[str, Any] | None = Field(
        default=None, description="Anthropic extended thinking configuration."
    )
    generation_config: dict[str, Any] | None = Field(
        default=None, description="Google generationConfig, merged by Firmware."
    )
    safety_settings: list[dict[str, Any]] | None = Field(
        default=None, description="Google safety settings."
    )
    validate_model: bool = Field(
        default=True, description="Refuse model ids with an unknown vendor prefix."
    )
    replay_reasoning: bool = Field(
        default=False,
        description="Send an assistant message's reasoning back as "
        "reasoning_content. Off by default: vendors behind Firmware differ (DeepSeek refuses "
        "it, Anthropic needs signed thinking blocks).",
    )

    @classmethod
    def class_name(cls) -> str:
        return "llamaindex_fw.Firmware"

    @classmethod
    def _normalize_model(cls, model: str, data: dict[str, Any]) -> str:
        return normalize_firmware_model(model, validate=data.get("validate_model", True))

    def get_quota(self) -> FirmwareQuota:
        """This key's Firmware quota (``GET {base}/quota``), see :mod:`fw_core.quota`."""
        from fw_core.quota import get_quota

        return get_quota(self._client())

    async def aget_quota(self) -> FirmwareQuota:
        """Async twin of :meth:`get_quota`."""
        from fw_core.quota import aget_quota

        return await aget_quota(self._aclient())
