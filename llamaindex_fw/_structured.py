"""Native structured output for the LlamaIndex LLMs: the API's ``json_schema`` format.

With LlamaIndex's default ``pydantic_program_mode`` our ``structured_predict`` (sync, async,
streamed) asks the API for a ``json_schema`` response and parses it into the output class,
firing core's structured-predict events. Any other mode runs LlamaIndex's own programs,
with ``tool_choice="required"`` so function calling always calls the tool.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, Generator
from typing import TYPE_CHECKING, Any

import llama_index.core.instrumentation as instrument
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole
from llama_index.core.instrumentation.events.llm import (
    LLMStructuredPredictEndEvent,
    LLMStructuredPredictInProgressEvent,
    LLMStructuredPredictStartEvent,
)
from llama_index.core.llms.llm import Model
from llama_index.core.prompts import PromptTemplate
from llama_index.core.types import PydanticProgramMode

from fw_core.kit.chat_body import json_schema_format

if TYPE_CHECKING:
    from llama_index.core.llms.function_calling import FunctionCallingLLM
    from llama_index.core.program.utils import FlexibleModel

    class _Base(FunctionCallingLLM):
        strict: bool
else:
    _Base = object

__all__ = ["StructuredOutputMixin", "response_format"]

dispatcher = instrument.get_dispatcher(__name__)


def response_format(output_cls: type[Model], strict: bool) -> dict[str, Any]:
    """The json_schema ``response_format`` for a pydantic class."""
    name = re.sub(r"[^a-zA-Z0-9_-]", "_", output_cls.__name__)[:64] or "output"
    # strict False sends no flag (the LLM's default); the rules are fw_core.kit.chat_body's
    return json_schema_format(name, output_cls.model_json_schema(), strict=strict or None)


class StructuredOutputMixin(_Base):
    """``structured_predict`` and its async and streamed twins on the json_schema format.

    Only public names of llama-index-core are used: the four public methods are
    overridden (not core's private ``_structured_stream_call`` hooks), the system prompt
    is added from the public ``system_prompt`` field (not core's private
    ``_extend_messages``), and the events fired are core's public structured-predict
    events."""

    def _with_system_prompt(self, messages: list[ChatMessage]) -> list[ChatMessage]:
        """``messages`` after the LLM's ``system_prompt`` (a public field), when set: what
        core's chat path adds, done here with public names only."""
        if not self.system_prompt:
            return messages
        return [ChatMessage(role=MessageRole.SYSTEM, content=self.system_prompt), *messages]

    def _use_native_structured_output(self) -> bool:
        return self.pydantic_program_mode == PydanticProgramMode.DEFAULT

    def _schema_kwargs(
        self, llm_kwargs: dict[str, Any] | None, output_cls: type[Model]
    ) -> dict[str, Any]:
        kwargs = {k: v for k, v in (llm_kwargs or {}).items() if k != "tool_choice"}
        kwargs["response_format"] = response_format(output_cls, self.strict)
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
        messages = self._with_system_prompt(prompt.format_messages(**prompt_args))
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
        messages = self._with_system_prompt(prompt.format_messages(**prompt_args))
        response = await self.achat(messages, **self._schema_kwargs(llm_kwargs, output_cls))
        result = self._parse_structured(output_cls, response)
        dispatcher.event(LLMStructuredPredictEndEvent(output=result))
        return result

    @dispatcher.span
    def stream_structured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Generator[Model | FlexibleModel, None, None]:
        """Streamed :meth:`structured_predict`: partial objects as the JSON arrives, the
        last one whole, with core's structured-predict events (start, one in-progress
        per partial, end)."""
        if not self._use_native_structured_output():
            llm_kwargs = {"tool_choice": "required", **(llm_kwargs or {})}
            yield from super().stream_structured_predict(
                output_cls, prompt, llm_kwargs, **prompt_args
            )
            return
        from llama_index.core.program.streaming_utils import (
            process_streaming_content_incremental,
        )

        dispatcher.event(
            LLMStructuredPredictStartEvent(
                output_cls=output_cls, template=prompt, template_args=prompt_args
            )
        )
        messages = self._with_system_prompt(prompt.format_messages(**prompt_args))
        responses = self.stream_chat(messages, **self._schema_kwargs(llm_kwargs, output_cls))
        current: Any = None
        for response in responses:
            if response.delta:
                current = process_streaming_content_incremental(response, output_cls, current)
                dispatcher.event(LLMStructuredPredictInProgressEvent(output=current))
                yield current
        dispatcher.event(LLMStructuredPredictEndEvent(output=current))

    @dispatcher.span
    async def astream_structured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> AsyncGenerator[Model | FlexibleModel, None]:
        """Async twin of :meth:`stream_structured_predict`."""
        if not self._use_native_structured_output():
            llm_kwargs = {"tool_choice": "required", **(llm_kwargs or {})}
            return await super().astream_structured_predict(
                output_cls, prompt, llm_kwargs, **prompt_args
            )
        from llama_index.core.program.streaming_utils import (
            process_streaming_content_incremental,
        )

        messages = self._with_system_prompt(prompt.format_messages(**prompt_args))
        kwargs = self._schema_kwargs(llm_kwargs, output_cls)

        async def gen() -> AsyncGenerator[Model | FlexibleModel, None]:
            dispatcher.event(
                LLMStructuredPredictStartEvent(
                    output_cls=output_cls, template=prompt, template_args=prompt_args
                )
            )
            current: Any = None
            async for response in await self.astream_chat(messages, **kwargs):
                if response.delta:
                    current = process_streaming_content_incremental(response, output_cls, current)
                    dispatcher.event(LLMStructuredPredictInProgressEvent(output=current))
                    yield current
            dispatcher.event(LLMStructuredPredictEndEvent(output=current))

        return gen()
