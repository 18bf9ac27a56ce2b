"""``Fireworks`` and ``Firmware``: LlamaIndex ``FunctionCallingLLM`` classes on fw_core.

One shared base (:class:`FwLLM`) holds the request and streaming code; the two public
classes only say which API they talk to and which extra options it takes. Model metadata
and the catalog come from :mod:`llamaindex_fw._catalog`, native structured output from
:mod:`llamaindex_fw._structured`, tool calling from :mod:`llamaindex_fw._tool_calls`.
HTTP, retries, streaming, errors and wire shapes live in :mod:`fw_core`; this module
converts LlamaIndex messages and options and fires LlamaIndex's instrumentation the way
core's own LLMs do (``llm_chat_callback`` / ``llm_completion_callback`` on every public
call).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

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
)
from llama_index.core.bridge.pydantic import Field, PrivateAttr, field_serializer
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from pydantic import ValidationError

from fw_core.endpoints import chat as fw_chat
from fw_core.endpoints import responses as fw_responses
from fw_core.errors import ConfigurationError, ResponseValidationError
from fw_core.http.headers import merge_headers
from fw_core.kit.affinity import (
    SESSION_AFFINITY_HEADER,
    affinity_key,
    check_extra_headers,
)
from fw_core.kit.chat_body import build_body, replays_reasoning
from fw_core.kit.chat_options import (
    ReasoningEffort,
    ServiceTier,
    chat_options_of,
    check_chat_options,
    refuse_option_types,
)
from fw_core.kit.connection import ConnectionMixin, safe_headers
from fw_core.kit.stream_delta import StreamTracker
from fw_core.providers import FIREWORKS, FIRMWARE, ProviderSpec, normalize_firmware_model
from llamaindex_fw._catalog import ModelInfoMixin, QuotaMixin
from llamaindex_fw._messages import (
    from_wire_message,
    logprobs_from_wire,
    to_wire_messages,
    usage_to_kwargs,
)
from llamaindex_fw._redact import guard_call_credentials
from llamaindex_fw._stream import stream_response
from llamaindex_fw._structured import StructuredOutputMixin
from llamaindex_fw._tokens import TokenEstimator, tokenizer
from llamaindex_fw._tool_calls import ToolCallingMixin

if TYPE_CHECKING:
    from fw_core.endpoints.models import ModelInfo

__all__ = ["Fireworks", "Firmware", "FwLLM"]

dispatcher = instrument.get_dispatcher(__name__)


class FwLLM(
    ConnectionMixin, ModelInfoMixin, StructuredOutputMixin, ToolCallingMixin, FunctionCallingLLM
):
    """Shared implementation of :class:`Fireworks` and :class:`Firmware`; use those."""

    model: str = Field(
        description="Model id as the API takes it (Fireworks short names "
        "are expanded to accounts/fireworks/models/...)."
    )
    # value rules (temperature >= 0, max_tokens >= 1) are fw_core.kit.chat_options', shared
    # with LangChain: the same bad value gives the same ConfigurationError in both
    temperature: float | None = Field(
        default=None, description="Sampling temperature; None = API default."
    )
    max_tokens: int | None = Field(default=None, description="Output token cap.")
    context_window: int | None = Field(
        default=None,
        gt=0,
        description="Overrides the context window from the model table / models endpoint.",
    )
    reasoning_effort: ReasoningEffort | None = Field(
        default=None,
        description="Reasoning effort for reasoning models ('low', 'high', 'max', ...; any "
        "string the server takes).",
    )
    seed: int | None = Field(default=None, description="Sampling seed.")
    logprobs: bool | int | None = Field(
        default=None,
        description="True: token log probabilities in ChatResponse.logprobs (an int N is "
        "Fireworks' legacy form, sent as it is).",
    )
    top_logprobs: int | None = Field(
        default=None, description="Alternatives per token with logprobs=True."
    )
    user: str | None = Field(
        default=None,
        description="End-user id; Fireworks also routes on it for prompt-cache affinity.",
    )
    service_tier: ServiceTier | None = Field(
        default=None,
        description="'priority' for the priority tier; any string is sent (server-owned).",
    )
    extra_headers: dict[str, str] | None = Field(
        default=None,
        repr=False,  # may hold a credential header, as default_headers may
        description="Request headers on every chat call, over default_headers; chat(..., "
        "extra_headers={...}) adds per-call ones on top.",
    )
    strict: bool = Field(
        default=False,
        description="Ask for strict schema adherence in tools and structured output.",
    )
    fw_extra_field: ClassVar[str | None] = "additional_kwargs"
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra fields merged into every request body."
    )
    replay_reasoning: bool | None = Field(
        default=None,
        description="Send an assistant message's reasoning back as reasoning_content "
        "(interleaved thinking in tool loops). None: the API's default "
        "(ProviderSpec.replays_reasoning): on for Fireworks; off for Firmware, whose vendors "
        "differ (DeepSeek refuses it, Anthropic needs signed thinking blocks).",
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
        try:
            super().__init__(**data)
        except ValidationError as exc:
            # a type error on a chat option: the same ConfigurationError as in LangChain
            check_extra_headers(data.get("extra_headers"))
            refuse_option_types(self.fw_provider, data, exc, also=("extra_headers",))
            raise
        check_chat_options(self.fw_provider, self._options())  # bad options refused here
        check_extra_headers(self.extra_headers)
        self._wire_model, self._wire_for = wire_model, self.model

    @classmethod
    def _normalize_model(cls, model: str, data: dict[str, Any]) -> str:
        return cls.fw_provider.normalize_model(model)

    @field_serializer("extra_headers")
    def _fw_dump_extra_headers(self, value: dict[str, str] | None) -> dict[str, str] | None:
        return safe_headers(value)  # a credential header is never dumped

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
    def tokenizer(self) -> TokenEstimator:
        """A conservative token estimator for this model, for a memory's ``tokenizer_fn``
        or ``Settings.tokenizer`` (see :func:`llamaindex_fw.tokenizer`); no network, no
        tokenizer file."""
        return tokenizer(self.model)

    # -- request building ---------------------------------------------------------------

    @property
    def _response_extras(self) -> tuple[str, ...]:
        """Top-level response fields surfaced in ``ChatResponse.additional_kwargs``."""
        return self.fw_provider.response_extras

    def _session_headers(self, kwargs: dict[str, Any]) -> dict[str, str] | None:
        """Headers derived from a session option (Fireworks: ``session_id``); none here."""
        return None

    def _call_headers(self, kwargs: dict[str, Any]) -> dict[str, str] | None:
        """This call's request headers, popped from ``kwargs`` (they are no body fields).

        ``extra_headers`` (field, then per call) over the session header; the client lays
        the result over ``default_headers`` (fw_core.endpoints.chat.create).
        """
        per_call = check_extra_headers(kwargs.pop("extra_headers", None))
        session = self._session_headers(kwargs)
        if not per_call and not session:
            return self.extra_headers or None
        return merge_headers(session, self.extra_headers, per_call)

    def _options(self) -> dict[str, Any]:
        """The option fields sent in every body (the provider spec names them)."""
        return chat_options_of(self.fw_provider, self)

    def _body(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> dict[str, Any]:
        validate = {"validate_model": getattr(self, "validate_model", True)}
        return build_body(  # the layering rule is fw_core's, shared with LangChain
            self.wire_model,
            to_wire_messages(
                messages,
                replay_reasoning=replays_reasoning(self.fw_provider, self.replay_reasoning),
                provider=self.fw_provider,
            ),
            [self._options(), self.additional_kwargs],
            kwargs,
            lambda model: self._normalize_model(model, validate),
        )

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
            logprobs=logprobs_from_wire(choice.logprobs),
            additional_kwargs=kwargs,
        )

    # -- chat / complete, undecorated ---------------------------------------------------

    def _chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        headers = self._call_headers(kwargs)
        body = self._body(messages, kwargs)
        return self._chat_response(fw_chat.create(self._client(), body, headers))

    async def _achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        headers = self._call_headers(kwargs)
        body = self._body(messages, kwargs)
        return self._chat_response(await fw_chat.acreate(self._aclient(), body, headers))

    def _stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        headers = self._call_headers(kwargs)
        body = self._body(messages, kwargs)  # conversion errors surface here, not mid-stream
        stream = fw_chat.stream(self._client(), body, headers)

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
        headers = self._call_headers(kwargs)
        body = self._body(messages, kwargs)
        stream = fw_chat.astream(self._aclient(), body, headers)

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

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        guard_call_credentials(cls, own_only=True)  # a subclass's own overrides too


# per-call credential headers never reach core's spans, events or callbacks (_redact)
guard_call_credentials(FwLLM)


class Fireworks(FwLLM):
    """Fireworks AI chat models as a LlamaIndex ``FunctionCallingLLM``.

    Args:
        model: ``kimi-k3`` (expanded to ``accounts/fireworks/models/...``),
            a full ``accounts/<account>/models/<id>``, a deployment or router id.
        api_key: default ``FIREWORKS_API_KEY`` (or ``FIREWORKS_AI_API_KEY``); a missing key
            raises :class:`fw_core.ConfigurationError` here, before any request.
        base_url: default ``FIREWORKS_BASE_URL`` or ``https://api.fireworks.ai/inference/v1``.
        temperature, max_tokens, reasoning_effort, strict: request options.
        replay_reasoning: send earlier reasoning back as ``reasoning_content`` (default on).
        context_window: overrides the model table (see :mod:`fw_core.model_table`).
        seed, logprobs, top_logprobs, user, service_tier: typed request options
            (``service_tier="priority"``: the priority tier; any string is sent).
        prompt_cache_key, prompt_cache_isolation_key, prompt_cache_max_len: prompt caching
            (docs/wire.md §1.19).
        session_id: a chat session's id; sent hashed as the ``x-session-affinity`` header so
            the session's requests reach the replica that holds its cached prefix. Also per
            call: ``llm.chat(messages, session_id="...")``.
        perf_metrics_in_response: ask for ``perf_metrics`` in the body; it lands in
            ``additional_kwargs["perf_metrics"]``.
        prediction: predicted output, ``{"type": "content", "content": "..."}``.
        extra_headers: request headers on every call (and per call as a keyword).
        additional_kwargs: extra body fields (``top_k``...).
        timeout, max_retries, default_headers, http_client, async_http_client: transport.

    Example:
        >>> import httpx
        >>> from fw_core.testing import WireDouble
        >>> from llamaindex_fw import Fireworks
        >>> double = WireDouble()
        >>> llm = Fireworks(
        ...     model="kimi-k3", api_key="fw-example",
        ...     http_client=httpx.Client(transport=double.transport()),
        ... )
        >>> llm.metadata.context_window
        1048576
        >>> bool(llm.complete("Name a colour").text)
        True
    """

    fw_provider: ClassVar[ProviderSpec] = FIREWORKS

    prompt_cache_key: str | None = Field(
        default=None, description="Prompt-cache affinity key (docs/wire.md §1.19)."
    )
    prompt_cache_isolation_key: str | None = Field(
        default=None, description="Partitions the prompt cache: no sharing across keys."
    )
    prompt_cache_max_len: int | None = Field(
        default=None, description="Longest prompt prefix (tokens) considered for caching."
    )
    perf_metrics_in_response: bool | None = Field(
        default=None,
        description="Ask for perf_metrics in the body; surfaced in additional_kwargs.",
    )
    prediction: dict[str, Any] | None = Field(
        default=None,
        description="Predicted output: {'type': 'content', 'content': '...'}.",
    )
    session_id: str | None = Field(
        default=None,
        description="Chat session id, sent hashed as the x-session-affinity header "
        "(prompt-cache routing, docs/wire.md §1.19); per call too.",
    )

    @classmethod
    def class_name(cls) -> str:
        return "llamaindex_fw.Fireworks"

    def _session_headers(self, kwargs: dict[str, Any]) -> dict[str, str] | None:
        # docs/wire.md §1.19: the affinity header routes a session to one replica; a
        # caller's own x-session-affinity header (field or per call) is laid over it
        session = kwargs.pop("session_id", None)
        if session is None:
            session = self.session_id
        if session is None:
            return None
        return {SESSION_AFFINITY_HEADER: affinity_key(session)}


def _refuse_session_id(options: Mapping[str, Any]) -> None:
    """Firmware documents no session-affinity header (docs/wire.md §2): refuse ``session_id``
    rather than drop it (constructor) or send it as an unknown body field (per call)."""
    if options.get("session_id") is not None:
        raise ConfigurationError(
            "session_id is a Fireworks option (the x-session-affinity header); Firmware "
            "documents no session affinity: pass prompt_cache_key (additional_kwargs or per "
            "call) if the vendor behind it caches prompts"
        )


class Firmware(QuotaMixin, FwLLM):
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
        >>> from llamaindex_fw import Firmware
        >>> llm = Firmware(
        ...     model="anthropic/claude-sonnet-4-5-20250929", api_key="fm-example",
        ...     thinking={"type": "enabled", "budget_tokens": 2048},
        ... )
        >>> llm.metadata.is_function_calling_model
        True
        >>> Firmware(model="openai/gpt-4o-mini", api_key="fm-example",
        ...          thinking={"type": "enabled", "budget_tokens": 10})
        Traceback (most recent call last):
        ...
        fw_core.errors.ConfigurationError: thinking.budget_tokens must be at least 1024
    """

    fw_provider: ClassVar[ProviderSpec] = FIRMWARE

    mcp_servers: list[str | dict[str, Any]] | None = Field(
        default=None, description="MCP servers for server-side tool execution."
    )
    thinking: dict[str, Any] | None = Field(
        default=None,
        description="Extended thinking: {'type': 'enabled', 'budget_tokens': 2048}, "
        "{'type': 'adaptive'}, ... (the type names are the server's).",
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

    def __init__(self, model: str | None = None, **data: Any) -> None:
        # Firmware documents no Responses endpoint (docs/wire.md §2): refuse the switch
        # rather than ignore it as an unknown argument
        data = fw_responses.refuse_responses_switches("Firmware", data)
        _refuse_session_id(data)
        if model is not None:
            data["model"] = model
        super().__init__(**data)

    @classmethod
    def class_name(cls) -> str:
        return "llamaindex_fw.Firmware"

    def _body(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs = fw_responses.refuse_responses_switches("Firmware", kwargs)  # before sending
        _refuse_session_id(kwargs)
        return super()._body(messages, kwargs)

    @classmethod
    def _normalize_model(cls, model: str, data: dict[str, Any]) -> str:
        return normalize_firmware_model(model, validate=data.get("validate_model", True))
