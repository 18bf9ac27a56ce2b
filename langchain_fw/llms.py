"""Fireworks text completions (``POST /completions``) as a LangChain ``BaseLLM``.

For chat models use :class:`~langchain_fw.chat_models.ChatFireworks`; this class is for
base (non-chat) models and raw prompts.

Example:
    >>> from langchain_fw import Fireworks
    >>> llm = Fireworks(model="gpt-oss-120b", max_tokens=16, api_key="example-key")
    >>> llm.model
    'accounts/fireworks/models/gpt-oss-120b'
    >>> # llm.invoke("The sky is")
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any, ClassVar

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.llms import BaseLLM
from langchain_core.messages import BaseMessage, get_buffer_string
from langchain_core.outputs import Generation, GenerationChunk, LLMResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field, model_validator

from fw_core.endpoints import completions as fw_completions
from fw_core.errors import ConfigurationError
from fw_core.kit.tokens import estimate_tool_tokens
from fw_core.providers import FIREWORKS, ProviderSpec
from fw_core.wire import Completion, Usage
from langchain_fw._base import FwClientMixin
from langchain_fw._errors import translate_errors
from langchain_fw._tokens import TokenEstimateMixin

__all__ = ["Fireworks"]

_PARAMS = (
    "temperature",
    "max_tokens",
    "top_p",
    "top_k",
    "min_p",
    "n",
    "seed",
    "logprobs",
    "presence_penalty",
    "frequency_penalty",
    "repetition_penalty",
    "context_length_exceeded_behavior",
)


def _add_usage(total: dict[str, int], usage: Usage | None) -> None:
    if usage is None:
        return
    total["prompt_tokens"] = total.get("prompt_tokens", 0) + usage.prompt_tokens
    total["completion_tokens"] = total.get("completion_tokens", 0) + usage.completion_tokens
    total["total_tokens"] = total.get("total_tokens", 0) + (
        usage.total_tokens or usage.prompt_tokens + usage.completion_tokens
    )


def _generations(completion: Completion) -> list[Generation]:
    return [
        Generation(
            text=c.text,
            generation_info={
                "finish_reason": c.finish_reason,
                **({"logprobs": c.logprobs} if c.logprobs is not None else {}),
            },
        )
        for c in completion.choices
    ]


class Fireworks(TokenEstimateMixin, FwClientMixin, BaseLLM):
    """Fireworks AI text completions.

    Each prompt is one ``/completions`` request; ``stream``/``astream`` yield the text as it
    arrives. Token usage of all prompts is summed in ``llm_output["token_usage"]``.

    Args:
        model: model id (bare names get ``accounts/fireworks/models/``); alias ``model_name``.
        api_key: default ``FIREWORKS_API_KEY``; alias ``fireworks_api_key``.
        max_tokens, temperature, top_p, top_k, min_p, n, seed, logprobs, stop,
        presence_penalty, frequency_penalty, repetition_penalty,
        context_length_exceeded_behavior: sampling options, sent when set.
        model_kwargs: more body fields sent with every call.

    Example:
        >>> from langchain_fw import Fireworks
        >>> Fireworks(model="gpt-oss-120b", api_key="k")._llm_type
        'fireworks'
    """

    fw_provider: ClassVar[ProviderSpec] = FIREWORKS
    fw_aliases: ClassVar[Mapping[str, str]] = {
        "fireworks_api_key": "api_key",
        "fireworks_api_base": "base_url",
    }

    model: str | None = Field(default=None, alias="model_name")
    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    top_k: int | None = None
    min_p: float | None = None
    n: int | None = None
    seed: int | None = None
    logprobs: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    repetition_penalty: float | None = None
    context_length_exceeded_behavior: str | None = None
    stop: list[str] | None = None
    fw_extra_field: ClassVar[str | None] = "model_kwargs"
    model_kwargs: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _fw_check_model(self) -> Any:
        if self.model is None:
            raise ConfigurationError("Fireworks needs a model, e.g. model='gpt-oss-120b'")
        object.__setattr__(self, "model", FIREWORKS.normalize_model(self.model))
        return self

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_fw", "llms"]

    @property
    def _llm_type(self) -> str:
        return "fireworks"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model, **self._params()}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> Any:
        params = super()._get_ls_params(stop=stop, **kwargs)
        params["ls_provider"] = "fireworks"
        params["ls_model_name"] = kwargs.get("model") or self.model or ""
        return params

    def _params(self) -> dict[str, Any]:
        out = {name: v for name in _PARAMS if (v := getattr(self, name)) is not None}
        if self.model_kwargs:
            out.update(self.model_kwargs)
        return out

    def _body(self, prompt: str, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "prompt": prompt, **self._params()}
        stops = stop if stop is not None else self.stop
        if stops:
            body["stop"] = stops
        for key, value in kwargs.items():
            if value is None:
                body.pop(key, None)
            elif key == "model":
                body["model"] = FIREWORKS.normalize_model(value)
            else:
                body[key] = value
        return body

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """A conservative estimate of the tokens of ``messages`` rendered as this model's
        prompt (LangChain's buffer string), plus ``tools`` as JSON when given.

        Example:
            >>> from langchain_core.messages import HumanMessage
            >>> llm = Fireworks(model="gpt-oss-120b", api_key="example-key")
            >>> llm.get_num_tokens_from_messages([HumanMessage("Hello, world!")])
            11
        """
        total = self.get_num_tokens(get_buffer_string(messages))
        if tools:
            wire_tools = [convert_to_openai_tool(t) for t in tools]
            total += estimate_tool_tokens(wire_tools, count_text=self._fw_text_counter())
        return total

    def _generate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        generations: list[list[Generation]] = []
        usage: dict[str, int] = {}
        model_name = self.model
        client = self._client()
        for prompt in prompts:
            body = self._body(prompt, stop, kwargs)
            with translate_errors():
                response = fw_completions.create(client, body)
            generations.append(_generations(response.completion))
            _add_usage(usage, response.completion.usage)
            model_name = response.completion.model or body["model"]
        return LLMResult(
            generations=generations, llm_output={"token_usage": usage, "model_name": model_name}
        )

    async def _agenerate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        generations: list[list[Generation]] = []
        usage: dict[str, int] = {}
        model_name = self.model
        client = self._aclient()
        for prompt in prompts:
            body = self._body(prompt, stop, kwargs)
            with translate_errors():
                response = await fw_completions.acreate(client, body)
            generations.append(_generations(response.completion))
            _add_usage(usage, response.completion.usage)
            model_name = response.completion.model or body["model"]
        return LLMResult(
            generations=generations, llm_output={"token_usage": usage, "model_name": model_name}
        )

    @staticmethod
    def _chunk(raw: Any) -> GenerationChunk | None:
        for choice in raw.choices:
            if choice.index == 0 and (choice.text or choice.finish_reason):
                info = {"finish_reason": choice.finish_reason} if choice.finish_reason else None
                return GenerationChunk(text=choice.text, generation_info=info)
        return None

    def _stream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[GenerationChunk]:
        stream = fw_completions.CompletionStream(self._client(), self._body(prompt, stop, kwargs))
        with translate_errors():
            for raw in stream:
                chunk = self._chunk(raw)
                if chunk is not None:
                    if run_manager is not None:
                        run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                    yield chunk

    async def _astream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[GenerationChunk]:
        stream = fw_completions.AsyncCompletionStream(
            self._aclient(), self._body(prompt, stop, kwargs)
        )
        with translate_errors():
            async for raw in stream:
                chunk = self._chunk(raw)
                if chunk is not None:
                    if run_manager is not None:
                        await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                    yield chunk
