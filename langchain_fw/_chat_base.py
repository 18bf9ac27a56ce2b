"""The base class of :class:`~langchain_fw.chat_models.ChatFireworks` and
:class:`~langchain_fw.chat_models.ChatFirmware`: one chat-completions model.

It holds the typed fields both APIs take, builds the request body, calls fw_core
(``fw_core.endpoints.chat``: retries, SSE, stream completeness, the large-``max_tokens``
rule) and turns the answer into LangChain messages with the pure functions of
:mod:`langchain_fw._messages`. The provider spec (:mod:`fw_core.providers`) names each
API's options, their checks and its metadata extras. Tools and structured output are
:mod:`langchain_fw._chat_structured`'s; the public classes, their own fields and the
Responses API path stay in :mod:`langchain_fw.chat_models`, where LangChain's
serialization and pickles find them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel, LangSmithParams
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field, ValidationError, field_serializer, model_validator

from fw_core.endpoints import chat as fw_chat
from fw_core.errors import ConfigurationError
from fw_core.http.headers import merge_headers
from fw_core.kit.affinity import check_extra_headers
from fw_core.kit.chat_body import build_body, replays_reasoning
from fw_core.kit.chat_options import (
    ReasoningEffort,
    ServiceTier,
    chat_options_of,
    check_chat_options,
    refuse_option_types,
)
from fw_core.kit.connection import safe_headers
from fw_core.kit.stream_delta import StreamTracker
from fw_core.kit.tokens import estimate_message_tokens
from langchain_fw._base import FwClientMixin
from langchain_fw._catalog import CatalogMixin
from langchain_fw._chat_structured import StructuredOutputMixin
from langchain_fw._errors import translate_errors
from langchain_fw._messages import (
    completion_to_result,
    messages_to_wire,
    stream_final_generation,
    stream_generation,
)
from langchain_fw._profile import profile_for
from langchain_fw._tokens import TokenEstimateMixin

if TYPE_CHECKING:
    from langchain_core.language_models.model_profile import ModelProfile

__all__ = ["_ChatFwBase"]


class _ChatFwBase(
    StructuredOutputMixin, TokenEstimateMixin, CatalogMixin, FwClientMixin, BaseChatModel
):
    """What ChatFireworks and ChatFirmware share; not used directly."""

    model: str | None = Field(default=None, alias="model_name")
    """Model id; ``model_name`` is accepted as an alias."""
    temperature: float | None = None
    max_tokens: int | None = None
    """Output cap. For Fireworks, above 4096 the call is streamed internally (see docs)."""
    stop: list[str] | str | None = Field(default=None, alias="stop_sequences")
    n: int | None = None
    top_p: float | None = None
    seed: int | None = None
    logprobs: bool | int | None = None
    """True for OpenAI-style token logprobs; an int N is Fireworks' legacy form (docs/wire.md
    §1.4), sent as it is."""
    top_logprobs: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    reasoning_effort: ReasoningEffort | None = None
    """``"low"``/``"medium"``/``"high"``, ``"none"``, ``"max"``/``"xhigh"``, ``"minimal"``...:
    any string is sent as it is (the server owns the vocabulary; docs/architecture.md §2,
    tolerant reader), as is an int or a bool."""
    response_format: dict[str, Any] | None = None
    user: str | None = None
    """End-user id sent as ``user``; Fireworks also routes on it for prompt-cache affinity
    (docs/wire.md §1.19)."""
    service_tier: ServiceTier | None = None
    """``"priority"`` for the priority tier; any string is sent (the server owns the
    vocabulary; docs/wire.md §1.4)."""
    extra_headers: dict[str, str] | None = Field(default=None, repr=False)
    """Request headers sent with every chat call, over ``default_headers`` (names compare
    case-insensitively); ``invoke(..., extra_headers={...})`` adds per-call ones on top,
    e.g. ``{"x-session-affinity": "..."}`` (docs/wire.md §1.19)."""
    streaming: bool = False
    """Make ``invoke`` stream internally (callbacks then see every token)."""
    stream_usage: bool = True
    """Ask for usage in streams and put it on the final chunk's ``usage_metadata``."""
    replay_reasoning: bool | None = None
    """Send a previous answer's reasoning back as ``reasoning_content`` (interleaved
    thinking in tool loops). None: the API's default (``ProviderSpec.replays_reasoning``):
    on for Fireworks; off for Firmware, whose vendors differ (DeepSeek refuses it,
    Anthropic needs signed blocks)."""
    include_response_headers: bool = False
    """Add the response's ``x-request-id``, ``fireworks-*`` and rate-limit headers to
    ``response_metadata["headers"]``."""
    fw_extra_field: ClassVar[str | None] = "model_kwargs"
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra body fields sent with every call (after the typed options)."""
    extra_body: dict[str, Any] | None = None
    """Same as ``model_kwargs``; applied after it."""
    disabled_params: dict[str, Any] | None = None
    """Fields never to send: ``{"parallel_tool_calls": None}`` drops the field always,
    ``{"tool_choice": ["required"]}`` drops it only for the listed values."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().__init__(*args, **kwargs)
        except ValidationError as exc:
            # a type error on a chat option: the same ConfigurationError as in LlamaIndex
            check_extra_headers(kwargs.get("extra_headers"))
            refuse_option_types(self.fw_provider, kwargs, exc, also=("extra_headers",))
            raise

    @model_validator(mode="after")
    def _fw_check_model(self) -> Any:
        if self.model is None:
            raise ConfigurationError(
                f"{type(self).__name__} needs a model, e.g. model={self._example_model()!r}"
            )
        object.__setattr__(self, "model", self._normalize_model(self.model))
        return self

    @model_validator(mode="after")
    def _fw_check_options(self) -> Any:
        # the provider spec's rules (e.g. Firmware's thinking budget), before any request;
        # fw_core checks every request body again, options passed per call included
        check_chat_options(self.fw_provider, self._option_params())
        check_extra_headers(self.extra_headers)
        return self

    @field_serializer("extra_headers")
    def _fw_dump_extra_headers(self, value: dict[str, str] | None) -> dict[str, str] | None:
        return safe_headers(value)  # a credential header is never dumped

    @property
    def lc_attributes(self) -> dict[str, Any]:
        """LangChain serialization: ``extra_headers`` without credential headers too."""
        attrs = super().lc_attributes
        if self.extra_headers:
            attrs["extra_headers"] = safe_headers(self.extra_headers)
        return attrs

    # --- hooks ---
    @classmethod
    def _example_model(cls) -> str:
        return ""

    def _normalize_model(self, model: str) -> str:
        return self.fw_provider.normalize_model(model)

    def _replay_reasoning(self) -> bool:
        return replays_reasoning(self.fw_provider, self.replay_reasoning)

    # --- LangChain identity ---
    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_fw", "chat_models"]

    @property
    def model_name(self) -> str:
        """The model id (read-only alias of ``model``)."""
        return self.model or ""

    def _resolve_model_profile(self) -> ModelProfile | None:
        # core fills ``profile`` from this when none was passed: fw_core's model table
        return profile_for(self.fw_provider.name, self.model)

    @property
    def _llm_type(self) -> str:
        return f"{self.fw_provider.name}-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        params = {"model_name": self.model}
        params.update(self._option_params())
        return params

    def _get_invocation_params(
        self, stop: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        # what callbacks and tracers see (and the LLM-cache key): per-call extra_headers
        # without credential headers, like default_headers when dumped
        headers = kwargs.get("extra_headers")
        if isinstance(headers, Mapping):
            kwargs["extra_headers"] = safe_headers(headers)
        return super()._get_invocation_params(stop=stop, **kwargs)

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider=self.fw_provider.name,
            ls_model_name=kwargs.get("model") or self.model or "",
            ls_model_type="chat",
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        stops = stop or self.stop
        if stops:
            params["ls_stop"] = [stops] if isinstance(stops, str) else list(stops)
        return params

    # --- request headers and body ---
    def _call_headers(self, kwargs: dict[str, Any]) -> dict[str, str] | None:
        """This call's request headers: ``extra_headers`` with the per-call ones on top.

        Pops ``extra_headers`` from ``kwargs`` (it is no body field); the client lays the
        result over ``default_headers`` (fw_core.endpoints.chat.create).
        """
        per_call = check_extra_headers(kwargs.pop("extra_headers", None))
        if not per_call:
            return self.extra_headers or None
        return merge_headers(self.extra_headers, per_call)

    def _option_params(self) -> dict[str, Any]:
        # the provider spec names the fields sent in the body (when not None)
        return chat_options_of(self.fw_provider, self)

    def _payload(
        self, messages: Sequence[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        stops = stop if stop is not None else self.stop
        body = build_body(  # the layering rule is fw_core's, shared with LlamaIndex
            str(self.model),
            messages_to_wire(
                messages, replay_reasoning=self._replay_reasoning(), provider=self.fw_provider
            ),
            [
                self._option_params(),
                {"stop": stops} if stops else None,
                self.model_kwargs,
                self.extra_body,
            ],
            {k: v for k, v in kwargs.items() if not k.startswith("ls_")},  # LangSmith's
            self._normalize_model,
        )
        if self.disabled_params:
            for key, disabled in self.disabled_params.items():
                if key in body and (disabled is None or body[key] in disabled):
                    del body[key]
        return body

    def _base_metadata(self) -> dict[str, str]:
        return {"model_provider": self.fw_provider.name}

    def _extra_metadata(
        self, completion_extra: Mapping[str, Any] | None, headers: Mapping[str, str]
    ) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if completion_extra:
            # every top-level field the wire model does not declare: the provider extras
            # (perf_metrics, tools_executed...) and fields the server adds later, kept rather
            # than dropped (docs/architecture.md §2, tolerant reader)
            for name, value in completion_extra.items():
                if value is not None:
                    extra[name] = value
        if self.include_response_headers:
            extra["headers"] = dict(headers)
        return extra

    def _result(self, response: fw_chat.ChatResponse, model: str) -> ChatResult:
        completion = response.completion
        return completion_to_result(
            completion,
            base_metadata=self._base_metadata(),
            requested_model=model,
            extra_metadata=self._extra_metadata(completion.model_extra, response.headers),
        )

    # --- token counting (an estimate: langchain_fw._tokens, fw_core.kit.tokens) ---
    def get_num_tokens_from_messages(
        self,
        messages: list[BaseMessage],
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool] | None = None,
    ) -> int:
        """A conservative estimate of the prompt tokens of ``messages`` (and ``tools``).

        Counts the messages as they are sent (role markers, tool calls, tool results,
        replayed reasoning, a fixed cost per image) and the tools' JSON schemas, with
        :func:`fw_core.kit.tokens.estimate_message_tokens`. It never needs a tokenizer package
        or the network, and it over-counts, so ``trim_messages(..., token_counter=llm)``
        keeps a history under the budget. With ``custom_get_token_ids`` set, texts are
        counted by it and only the fixed costs are estimated.

        Example:
            >>> from langchain_core.messages import HumanMessage
            >>> from langchain_fw import ChatFireworks
            >>> llm = ChatFireworks(model="kimi-k3", api_key="example-key")
            >>> llm.get_num_tokens_from_messages([HumanMessage("Hello, world!")])
            23
        """
        wire = messages_to_wire(messages, replay_reasoning=self._replay_reasoning())
        wire_tools = [convert_to_openai_tool(t) for t in tools] if tools else None
        return estimate_message_tokens(wire, tools=wire_tools, count_text=self._fw_text_counter())

    # --- calls ---
    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        headers = self._call_headers(kwargs)
        kwargs.pop("stream_usage", None)
        body = self._payload(messages, stop, kwargs)
        with translate_errors():
            response = fw_chat.create(self._client(), body, headers)
        return self._result(response, body["model"])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        headers = self._call_headers(kwargs)
        kwargs.pop("stream_usage", None)
        body = self._payload(messages, stop, kwargs)
        with translate_errors():
            response = await fw_chat.acreate(self._aclient(), body, headers)
        return self._result(response, body["model"])

    def _stream_body(
        self, messages: Sequence[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], bool]:
        usage = kwargs.pop("stream_usage", None)
        include_usage = self.stream_usage if usage is None else bool(usage)
        kwargs.pop("stream", None)
        body = self._payload(messages, stop, kwargs)
        body["stream_options"] = {"include_usage": include_usage}
        return body, include_usage

    def _stream_final(
        self,
        tracker: StreamTracker,
        base: dict[str, str],
        include_usage: bool,
        headers: Mapping[str, str],
        model: str,
    ) -> ChatGenerationChunk:
        """The closing chunk of a stream: held-back text, usage, finish reason, extras."""
        return stream_final_generation(
            tracker,
            tracker.finish(),
            base_metadata=base,
            include_usage=include_usage,
            extra_metadata=self._extra_metadata(None, headers),
            requested_model=model,
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        headers = self._call_headers(kwargs)
        body, include_usage = self._stream_body(messages, stop, kwargs)
        base = self._base_metadata()
        tracker = StreamTracker(extras=self.fw_provider.response_extras, split_think=True)
        stream = fw_chat.stream(self._client(), body, headers)
        with translate_errors():
            for raw in stream:
                gen = stream_generation(tracker.feed(raw), base, tracker.id or None)
                if gen is not None:
                    if run_manager is not None:
                        run_manager.on_llm_new_token(gen.text, chunk=gen)
                    yield gen
        final = self._stream_final(tracker, base, include_usage, stream.headers, body["model"])
        if run_manager is not None:
            run_manager.on_llm_new_token(final.text, chunk=final)
        yield final

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        headers = self._call_headers(kwargs)
        body, include_usage = self._stream_body(messages, stop, kwargs)
        base = self._base_metadata()
        tracker = StreamTracker(extras=self.fw_provider.response_extras, split_think=True)
        stream = fw_chat.astream(self._aclient(), body, headers)
        with translate_errors():
            async for raw in stream:
                gen = stream_generation(tracker.feed(raw), base, tracker.id or None)
                if gen is not None:
                    if run_manager is not None:
                        await run_manager.on_llm_new_token(gen.text, chunk=gen)
                    yield gen
        final = self._stream_final(tracker, base, include_usage, stream.headers, body["model"])
        if run_manager is not None:
            await run_manager.on_llm_new_token(final.text, chunk=final)
        yield final
