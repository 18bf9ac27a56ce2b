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
from llama_index.core.base.llms.types import ChatResponse
from llama_index.core.instrumentation.events.llm import (
    LLMStructuredPredictEndEvent,
    LLMStructuredPredictStartEvent,
)
from llama_index.core.llms.llm import Model
from llama_index.core.prompts import PromptTemplate
from llama_index.core.types import PydanticProgramMode

from fw_core.chat_body import json_schema_format

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
    # strict False sends no flag (the LLM's default); the rules are fw_core.chat_body's
    return json_schema_format(name, output_cls.model_json_schema(), strict=strict or None)


class StructuredOutputMixin(_Base):
    """``structured_predict`` and its async and streamed twins on the json_schema format."""

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
