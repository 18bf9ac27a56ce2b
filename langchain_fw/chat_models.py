"""LangChain chat models for Fireworks AI (:class:`ChatFireworks`) and Firmware.ai
(:class:`ChatFirmware`).

Both are thin subclasses of one base class (:mod:`langchain_fw._chat_base`: the request
body, the fw_core calls, streaming; tools and structured output from
:mod:`langchain_fw._chat_structured`). This module declares what each API adds: the typed
fields, the model-id rules and, for Fireworks, the Responses API path. The classes are
defined here, so pickles and LangChain's serialization (``["langchain_fw", "chat_models",
<class>]``) name this module.

Example:
    >>> from langchain_fw import ChatFireworks
    >>> llm = ChatFireworks(model="kimi-k3", api_key="example-key")
    >>> llm.model
    'accounts/fireworks/models/kimi-k3'
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Literal, NotRequired

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import model_validator
from typing_extensions import TypedDict

from fw_core.endpoints import responses as fw_responses
from fw_core.errors import ConfigurationError
from fw_core.kit.chat_body import add_responses_options
from fw_core.providers import FIREWORKS, FIRMWARE, ProviderSpec, normalize_firmware_model
from langchain_fw import _responses as fw_responses_lc
from langchain_fw._catalog import QuotaMixin
from langchain_fw._chat_base import _ChatFwBase
from langchain_fw._errors import translate_errors

__all__ = ["ChatFireworks", "ChatFirmware", "SafetySetting", "ThinkingConfig"]


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
    def _responses_call(
        self, messages: Sequence[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, str] | None] | None:
        """This call's Responses body and headers, or None for a chat-completions call."""
        if not self.use_responses_api and kwargs.get("previous_response_id") is None:
            return None
        headers = self._call_headers(kwargs)
        return self._responses_body(messages, stop, kwargs), headers

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = self._responses_call(messages, stop, kwargs)
        if call is None:
            return super()._generate(messages, stop, run_manager, **kwargs)
        body, headers = call
        with translate_errors():
            result = fw_responses.create(self._client(), body, headers)
        return self._responses_result(result, body["model"])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = self._responses_call(messages, stop, kwargs)
        if call is None:
            return await super()._agenerate(messages, stop, run_manager, **kwargs)
        body, headers = call
        with translate_errors():
            result = await fw_responses.acreate(self._aclient(), body, headers)
        return self._responses_result(result, body["model"])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        call = self._responses_call(messages, stop, kwargs)
        if call is None:
            return super()._stream(messages, stop, run_manager, **kwargs)
        return self._responses_stream(*call, run_manager)

    def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        call = self._responses_call(messages, stop, kwargs)
        if call is None:
            return super()._astream(messages, stop, run_manager, **kwargs)
        return self._responses_astream(*call, run_manager)

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
        return add_responses_options(body, self, kwargs)  # the rule both adapters share

    def _responses_result(self, result: fw_responses.ResponseResult, model: str) -> ChatResult:
        return fw_responses_lc.response_to_result(
            result.response,
            base_metadata=self._base_metadata(),
            requested_model=model,
            extra_metadata=self._extra_metadata(None, result.headers),
        )

    def _responses_final(
        self,
        mapper: fw_responses_lc.StreamMapper,
        stream: fw_responses.ResponseStream | fw_responses.AsyncResponseStream,
        model: str,
    ) -> ChatGenerationChunk:
        """The closing chunk of a Responses stream: the completed response's metadata."""
        return mapper.final(
            stream.response,
            base_metadata=self._base_metadata(),
            requested_model=model,
            extra_metadata=self._extra_metadata(None, stream.headers),
        )

    def _responses_stream(
        self,
        body: dict[str, Any],
        headers: dict[str, str] | None,
        run_manager: CallbackManagerForLLMRun | None,
    ) -> Iterator[ChatGenerationChunk]:
        mapper = fw_responses_lc.StreamMapper()
        stream = fw_responses.stream(self._client(), body, headers)
        with translate_errors():
            for event in stream:
                gen = mapper.event(event)
                if gen is not None:
                    if run_manager is not None:
                        run_manager.on_llm_new_token(gen.text, chunk=gen)
                    yield gen
        final = self._responses_final(mapper, stream, body["model"])
        if run_manager is not None:
            run_manager.on_llm_new_token(final.text, chunk=final)
        yield final

    async def _responses_astream(
        self,
        body: dict[str, Any],
        headers: dict[str, str] | None,
        run_manager: AsyncCallbackManagerForLLMRun | None,
    ) -> AsyncIterator[ChatGenerationChunk]:
        mapper = fw_responses_lc.StreamMapper()
        stream = fw_responses.astream(self._aclient(), body, headers)
        with translate_errors():
            async for event in stream:
                gen = mapper.event(event)
                if gen is not None:
                    if run_manager is not None:
                        await run_manager.on_llm_new_token(gen.text, chunk=gen)
                    yield gen
        final = self._responses_final(mapper, stream, body["model"])
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
