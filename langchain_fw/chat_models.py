"""LangChain chat models for Fireworks AI (:class:`ChatFireworks`) and Firmware.ai
(:class:`ChatFirmware`).

Both are thin subclasses of one base class that builds the request body, calls fw_core
(``fw_core.endpoints.chat``: retries, SSE, stream completeness, the large-``max_tokens`` rule) and
turns the answer into LangChain messages with the pure functions of
:mod:`langchain_fw._messages`. The provider spec (:mod:`fw_core.providers`) names each
API's options, their checks and its metadata extras; the subclasses declare the typed
fields and the model-id and reasoning-replay rules.

Example:
    >>> from langchain_fw import ChatFireworks
    >>> llm = ChatFireworks(model="kimi-k3", api_key="example-key")
    >>> llm.model
    'accounts/fireworks/models/kimi-k3'
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NotRequired

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LanguageModelInput
from langchain_core.language_models.chat_models import BaseChatModel, LangSmithParams
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.base import OutputParserLike
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import BaseModel, Field, ValidationError, field_serializer, model_validator
from typing_extensions import TypedDict

from fw_core.endpoints import chat as fw_chat
from fw_core.endpoints import responses as fw_responses
from fw_core.errors import ConfigurationError
from fw_core.http.headers import merge_headers
from fw_core.kit.affinity import check_extra_headers
from fw_core.kit.chat_body import (
    build_body,
    json_schema_format,
    replays_reasoning,
    require_object_schema,
    strict_tool,
    tool_choice_to_wire,
)
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
from fw_core.providers import FIREWORKS, FIRMWARE, ProviderSpec, normalize_firmware_model
from langchain_fw import _responses as fw_responses_lc
from langchain_fw._base import FwClientMixin
from langchain_fw._catalog import CatalogMixin, QuotaMixin
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

__all__ = ["ChatFireworks", "ChatFirmware", "SafetySetting", "ThinkingConfig"]


def _is_pydantic_class(obj: Any) -> bool:
    return isinstance(obj, type) and is_basemodel_subclass(obj)


def _json_schema_format(schema: Any, strict: bool | None) -> dict[str, Any]:
    """The ``json_schema`` response format for a LangChain schema (pydantic class,
    TypedDict or JSON schema); the rules (object root, strict closing) are fw_core's."""
    if isinstance(schema, dict):
        require_object_schema(schema)  # before conversion, which would hide the root
    fn = convert_to_openai_tool(schema)["function"]
    parameters = fn.get("parameters")
    if not isinstance(parameters, dict):
        raise ConfigurationError("json_schema structured output needs an object schema")
    return json_schema_format(
        fn["name"], parameters, strict=strict, description=fn.get("description")
    )


def _with_raw(llm: Runnable[Any, Any], parser: Runnable[Any, Any]) -> Runnable[Any, Any]:
    """``{"raw", "parsed", "parsing_error"}``: a parse failure is returned, not raised."""
    parsed = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    )
    failed = RunnablePassthrough.assign(parsed=lambda _: None)
    return RunnableMap(raw=llm) | parsed.with_fallbacks([failed], exception_key="parsing_error")


class _ChatFwBase(TokenEstimateMixin, CatalogMixin, FwClientMixin, BaseChatModel):
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
    extra_headers: dict[str, str] | None = None
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

    # --- tools and structured output ---
    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: dict[str, Any] | str | bool | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (pydantic classes, functions, ``BaseTool``s or OpenAI tool dicts).

        Args:
            tools: the tools the model may call.
            tool_choice: ``"auto"``, ``"none"``, ``"required"`` or ``"any"`` (both sent as
                the API's ``"required"``), ``True`` (same), a tool name (force that tool),
                or an API ``tool_choice`` dict sent as is.
            strict: sent as each function's ``strict`` flag (schema-exact arguments);
                True also closes every object of its parameters
                (``additionalProperties: false``, fw_core.kit.chat_body).
            parallel_tool_calls: allow (or forbid) several calls in one turn.
            **kwargs: more request fields bound with the tools.
        """
        formatted = [strict_tool(convert_to_openai_tool(t), strict) for t in tools]
        names = [t["function"]["name"] for t in formatted if "function" in t]
        choice = tool_choice_to_wire(tool_choice, names)
        if choice is not None:
            kwargs["tool_choice"] = choice
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: Literal["json_schema", "function_calling", "json_mode"] = "json_schema",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Return answers parsed into ``schema`` (a pydantic class, TypedDict or JSON schema).

        Args:
            schema: the output schema; may be omitted with ``method="json_mode"``, which
                then returns the parsed JSON as a dict.
            method: ``"json_schema"`` (default: the API's native structured output, with
                ``strict`` sent), ``"function_calling"`` (a forced tool call) or
                ``"json_mode"`` (``{"type": "json_object"}``; say "JSON" in the prompt).
            include_raw: return ``{"raw", "parsed", "parsing_error"}`` instead of raising
                on a parse error.
            strict: ask the API to follow the schema exactly (json_schema and
                function_calling).
            **kwargs: more request fields.

        Example:
            >>> from pydantic import BaseModel
            >>> from langchain_fw import ChatFireworks
            >>> class Person(BaseModel):
            ...     name: str
            >>> llm = ChatFireworks(model="kimi-k3", api_key="example-key")
            >>> runnable = llm.with_structured_output(Person)  # .invoke("John is 30") -> Person
        """
        if kwargs:
            raise ValueError(f"unexpected arguments: {sorted(kwargs)}")
        if schema is None and method != "json_mode":
            raise ConfigurationError(f"method {method!r} needs a schema (json_mode does not)")
        is_model = schema is not None and _is_pydantic_class(schema)
        ls_format = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
        parser: OutputParserLike[Any]
        if method == "function_calling":
            assert schema is not None  # checked above
            name = convert_to_openai_tool(schema)["function"]["name"]
            llm = self.bind_tools(
                [schema], tool_choice=name, strict=strict, ls_structured_output_format=ls_format
            )
            parser = (
                PydanticToolsParser(tools=[schema], first_tool_only=True)  # type: ignore[list-item]
                if is_model
                else JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
            )
        elif method in ("json_schema", "json_mode"):
            response_format = (
                _json_schema_format(schema, strict)
                if method == "json_schema"
                else {"type": "json_object"}
            )
            llm = self.bind(response_format=response_format, ls_structured_output_format=ls_format)
            parser = (
                PydanticOutputParser(pydantic_object=schema)  # type: ignore[arg-type]
                if is_model
                else JsonOutputParser()
            )
        else:
            raise ValueError(
                f"unknown method {method!r}; use 'json_schema', 'function_calling' or 'json_mode'"
            )
        if include_raw:
            return _with_raw(llm, parser)
        return llm | parser


class ChatFireworks(_ChatFwBase):
    """Fireworks AI chat completions as a LangChain chat model.

    Model ids: a bare serverless name (``"kimi-k3"``, expanded to
    ``accounts/fireworks/models/...``), a full ``accounts/<a>/models/<m>`` id, a deployment
    (``accounts/<a>/deployments/<d>`` or ``<model>#accounts/<a>/deployments/<d>``), or any
    model on a direct-route ``base_url``.

    A non-streaming call with ``max_tokens`` above 4096 (which the API refuses) is streamed
    internally and merged, so ``invoke`` still returns one complete message.

    Args:
        model: model id (alias ``model_name``).
        api_key: default ``FIREWORKS_API_KEY`` (or ``FIREWORKS_AI_API_KEY``); alias
            ``fireworks_api_key``.
        base_url: default ``https://api.fireworks.ai/inference/v1`` or ``FIREWORKS_BASE_URL``;
            alias ``fireworks_api_base``.
        top_k, min_p, repetition_penalty: Fireworks sampling options.
        context_length_exceeded_behavior: ``"truncate"`` (API default) or ``"error"``.
        prompt_cache_key: session-affinity key for prompt-cache hits (docs/wire.md §1.19).
        prompt_cache_isolation_key: partitions the prompt cache: no sharing across keys.
        prompt_cache_max_len: longest prompt prefix (tokens) considered for caching.
        perf_metrics_in_response: ask for ``perf_metrics`` in the body (for streams: on the
            last chunk); it lands in ``response_metadata["perf_metrics"]``.
        prediction: predicted output, ``{"type": "content", "content": "..."}``.
        service_tier: ``"priority"`` for the priority tier (any string is sent).
        user, extra_headers: see the base fields; ``extra_headers`` also per call.
        prompt_truncate_len: truncate the prompt to this many tokens.
        grammar: a GBNF grammar; sends ``response_format={"type": "grammar", ...}``.

    Example:
        >>> from langchain_fw import ChatFireworks
        >>> llm = ChatFireworks(model="kimi-k3", temperature=0, api_key="k")
        >>> llm.model, llm._llm_type
        ('accounts/fireworks/models/kimi-k3', 'fireworks-chat')
        >>> # llm.invoke("Hello").content
    """

    fw_provider: ClassVar[ProviderSpec] = FIREWORKS
    fw_aliases: ClassVar[Mapping[str, str]] = {
        "fireworks_api_key": "api_key",
        "fireworks_api_base": "base_url",
    }

    top_k: int | None = None
    min_p: float | None = None
    repetition_penalty: float | None = None
    context_length_exceeded_behavior: Literal["truncate", "error"] | str | None = None
    """``"truncate"`` (API default) or ``"error"``; another string is sent as it is."""
    prompt_cache_key: str | None = None
    """Prompt-cache affinity key: requests with the same key go to the same replica."""
    prompt_cache_isolation_key: str | None = None
    """Partitions the prompt cache: requests with different keys share no cached prefix."""
    prompt_cache_max_len: int | None = None
    """Longest prompt prefix (tokens) considered for caching; 0 turns caching off."""
    perf_metrics_in_response: bool | None = None
    """Ask for ``perf_metrics`` in the response body (streams: on the last chunk); it is
    surfaced as ``response_metadata["perf_metrics"]``."""
    prediction: dict[str, Any] | None = None
    """Predicted output, ``{"type": "content", "content": "..."}``: a draft the answer
    is expected to mostly repeat (an edit of a document or code), for faster output."""
    prompt_truncate_len: int | None = None
    grammar: str | None = None
    """GBNF grammar the output must follow (Fireworks grammar mode)."""
    use_responses_api: bool = False
    """Call the Responses API (``POST /v1/responses``, docs/wire.md §1.18) instead of chat
    completions: content blocks, ``response_metadata["id"]``, ``previous_response_id=``."""
    use_previous_response_id: bool = False
    """Responses API: send only the messages after the last answer, continuing it with
    ``previous_response_id`` (the server keeps the history)."""
    store: bool | None = None
    """Responses API: keep the response on the server (API default True)."""
    max_tool_calls: int | None = None
    """Responses API: cap on tool calls in one response."""
    reasoning: dict[str, Any] | None = None
    """Responses API: ``{"effort": ..., "summary": ...}``, sent as given."""

    @classmethod
    def _example_model(cls) -> str:
        return "accounts/fireworks/models/kimi-k3"

    def _option_params(self) -> dict[str, Any]:
        out = super()._option_params()
        if self.grammar is not None and "response_format" not in out:
            out["response_format"] = {"type": "grammar", "grammar": self.grammar}
        return out

    @model_validator(mode="after")
    def _fw_check_responses_options(self) -> Any:
        if not self.use_responses_api:
            named = [
                n for n in ("store", "max_tool_calls", "reasoning") if getattr(self, n) is not None
            ]
            if self.use_previous_response_id:
                named.append("use_previous_response_id")
            if named:
                raise ConfigurationError(
                    f"{', '.join(named)} apply to the Responses API: "
                    "set use_responses_api=True as well"
                )
        if self.use_previous_response_id and self.store is False:
            raise ConfigurationError(
                "use_previous_response_id needs stored responses: store=False cannot be continued"
            )
        if self.max_tool_calls is not None and self.max_tool_calls < 0:
            raise ConfigurationError(f"max_tool_calls must be >= 0, got {self.max_tool_calls}")
        return self

    # --- the Responses API (langchain_fw._responses, docs/wire.md §1.18) ---
    def _use_responses(self, kwargs: Mapping[str, Any]) -> bool:
        return self.use_responses_api or kwargs.get("previous_response_id") is not None

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if not self._use_responses(kwargs):
            return super()._generate(messages, stop, run_manager, **kwargs)
        return self._responses_generate(messages, stop, kwargs, self._call_headers(kwargs))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if not self._use_responses(kwargs):
            return await super()._agenerate(messages, stop, run_manager, **kwargs)
        headers = self._call_headers(kwargs)
        return await self._responses_agenerate(messages, stop, kwargs, headers)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        if not self._use_responses(kwargs):
            return super()._stream(messages, stop, run_manager, **kwargs)
        headers = self._call_headers(kwargs)
        return self._responses_stream(messages, stop, run_manager, kwargs, headers)

    def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        if not self._use_responses(kwargs):
            return super()._astream(messages, stop, run_manager, **kwargs)
        headers = self._call_headers(kwargs)
        return self._responses_astream(messages, stop, run_manager, kwargs, headers)

    def _responses_body(
        self, messages: Sequence[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        kwargs.pop("stream_usage", None)
        kwargs.pop("stream", None)
        if self.use_previous_response_id and kwargs.get("previous_response_id") is None:
            messages, previous = fw_responses_lc.since_previous_response(messages)
            if previous is not None:
                kwargs["previous_response_id"] = previous
        body = fw_responses_lc.responses_body(self._payload(messages, stop, kwargs))
        for name in ("store", "max_tool_calls"):
            value = getattr(self, name)
            if value is not None and name not in kwargs:
                body[name] = value
        if self.reasoning is not None and "reasoning" not in kwargs:
            body["reasoning"] = {**(body.get("reasoning") or {}), **self.reasoning}
        return body

    def _responses_result(self, result: fw_responses.ResponseResult, model: str) -> ChatResult:
        return fw_responses_lc.response_to_result(
            result.response,
            base_metadata=self._base_metadata(),
            requested_model=model,
            extra_metadata=self._extra_metadata(None, result.headers),
        )

    def _responses_generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        kwargs: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> ChatResult:
        body = self._responses_body(messages, stop, kwargs)
        with translate_errors():
            result = fw_responses.create(self._client(), body, headers)
        return self._responses_result(result, body["model"])

    async def _responses_agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        kwargs: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> ChatResult:
        body = self._responses_body(messages, stop, kwargs)
        with translate_errors():
            result = await fw_responses.acreate(self._aclient(), body, headers)
        return self._responses_result(result, body["model"])

    def _responses_stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        run_manager: CallbackManagerForLLMRun | None,
        kwargs: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> Iterator[ChatGenerationChunk]:
        body = self._responses_body(messages, stop, kwargs)
        mapper = fw_responses_lc.StreamMapper()
        stream = fw_responses.stream(self._client(), body, headers)
        with translate_errors():
            for event in stream:
                gen = mapper.event(event)
                if gen is not None:
                    if run_manager is not None:
                        run_manager.on_llm_new_token(gen.text, chunk=gen)
                    yield gen
        final = mapper.final(
            stream.response,
            base_metadata=self._base_metadata(),
            requested_model=body["model"],
            extra_metadata=self._extra_metadata(None, stream.headers),
        )
        if run_manager is not None:
            run_manager.on_llm_new_token(final.text, chunk=final)
        yield final

    async def _responses_astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        run_manager: AsyncCallbackManagerForLLMRun | None,
        kwargs: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> AsyncIterator[ChatGenerationChunk]:
        body = self._responses_body(messages, stop, kwargs)
        mapper = fw_responses_lc.StreamMapper()
        stream = fw_responses.astream(self._aclient(), body, headers)
        with translate_errors():
            async for event in stream:
                gen = mapper.event(event)
                if gen is not None:
                    if run_manager is not None:
                        await run_manager.on_llm_new_token(gen.text, chunk=gen)
                    yield gen
        final = mapper.final(
            stream.response,
            base_metadata=self._base_metadata(),
            requested_model=body["model"],
            extra_metadata=self._extra_metadata(None, stream.headers),
        )
        if run_manager is not None:
            await run_manager.on_llm_new_token(final.text, chunk=final)
        yield final


class ThinkingConfig(TypedDict):
    """Extended thinking, as Firmware takes it. ``type`` names are the server's
    (``"enabled"``, ``"disabled"``, ``"adaptive"``, ...); any string is sent."""

    type: Literal["enabled", "disabled", "adaptive"] | str
    budget_tokens: NotRequired[int]


class SafetySetting(TypedDict):
    """One Google safety setting, e.g. ``HARM_CATEGORY_HARASSMENT`` / ``BLOCK_NONE``."""

    category: str
    threshold: str


class ChatFirmware(QuotaMixin, _ChatFwBase):
    """Firmware.ai chat completions (OpenAI, Anthropic, Google, xAI, DeepSeek, Cerebras
    models behind one API) as a LangChain chat model.

    Model ids are ``vendor/model`` (``"openai/gpt-4o"``, ``"anthropic/claude-sonnet-4-5-20250929"``)
    or bare ids, sent untouched; an unknown vendor prefix is refused at construction unless
    ``validate_model=False``.

    Server-side MCP tools (``mcp_servers``) run inside the API; the names of the tools it
    ran arrive in ``response_metadata["tools_executed"]`` (and ``mcp_tool_results`` /
    ``mcp_server_errors`` where sent), for streams on the final chunk. Reasoning text
    (Anthropic thinking, DeepSeek, Gemini) lands in ``additional_kwargs["reasoning_content"]``
    and the standard reasoning content block, as for Fireworks. A stream that ends with no
    chunk at all raises a ``StreamError`` instead of returning an empty message.

    Args:
        model: model id (alias ``model_name``).
        api_key: default ``FIRMWARE_API_KEY``; alias ``firmware_api_key``.
        base_url: default ``https://app.firmware.ai/api/v1`` or ``FIRMWARE_BASE_URL``;
            alias ``firmware_api_base``.
        mcp_servers: MCP servers run server-side (slugs, URLs or spec dicts).
        thinking: ``{"type": "enabled", "budget_tokens": 2048}`` for Anthropic models.
        generation_config: Google ``generationConfig`` fields.
        safety_settings: Google safety settings.
        validate_model: refuse unknown vendor prefixes (default True).

    Example:
        >>> from langchain_fw import ChatFirmware
        >>> llm = ChatFirmware(model="anthropic/claude-sonnet-4-5-20250929", api_key="k",
        ...                    thinking={"type": "enabled", "budget_tokens": 2048})
        >>> llm._llm_type
        'firmware-chat'
        >>> # llm.invoke("Hello").additional_kwargs.get("reasoning_content")
    """

    fw_provider: ClassVar[ProviderSpec] = FIRMWARE
    fw_aliases: ClassVar[Mapping[str, str]] = {
        "firmware_api_key": "api_key",
        "firmware_api_base": "base_url",
    }

    mcp_servers: list[str | dict[str, Any]] | None = None
    thinking: dict[str, Any] | None = None
    """Extended thinking, shaped like :class:`ThinkingConfig`: a plain dict, so keys the
    server adds later are sent too; the shape rules are fw_core.kit.chat_options' (the same
    ConfigurationError as in LlamaIndex)."""
    generation_config: dict[str, Any] | None = None
    safety_settings: list[SafetySetting] | None = None
    validate_model: bool = True

    @model_validator(mode="before")
    @classmethod
    def _fw_no_responses_api(cls, data: Any) -> Any:
        # Firmware documents no Responses endpoint (docs/wire.md §2): refuse the switch at
        # construction instead of ignoring it as an unknown argument
        if isinstance(data, Mapping):
            return fw_responses.refuse_responses_switches("Firmware", data)
        return data

    def _payload(
        self, messages: Sequence[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        # a per-call ``previous_response_id`` is refused before the request (no Responses API)
        kwargs = fw_responses.refuse_responses_switches("Firmware", kwargs)
        return super()._payload(messages, stop, kwargs)

    @classmethod
    def _example_model(cls) -> str:
        return "openai/gpt-4o"

    def _normalize_model(self, model: str) -> str:
        return normalize_firmware_model(model, validate=self.validate_model)
