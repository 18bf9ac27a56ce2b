"""Framework floors: models that do no I/O, so a call costs only the framework itself.

``langchain_floor(n)`` is a trivial LangChain ``BaseChatModel`` that answers with a fixed
message (and streams ``n`` one-word chunks), with native async methods so ``ainvoke`` does
not pay for a thread hop. ``llamaindex_floor(n)`` is the LlamaIndex equivalent on
``CustomLLM``. What they cost per call is what the framework charges any integration.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

__all__ = ["langchain_floor", "llamaindex_floor"]

_ANSWER = "Hi there, nice to meet you."


def langchain_floor(stream_chunks: int) -> Any:
    """A LangChain chat model with no I/O (see the module doc)."""
    from langchain_core.callbacks import (
        AsyncCallbackManagerForLLMRun,
        CallbackManagerForLLMRun,
    )
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

    class FloorChatModel(BaseChatModel):
        chunks: int = 1000

        @property
        def _llm_type(self) -> str:
            return "bench-floor"

        def _generate(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: CallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> ChatResult:
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=_ANSWER))])

        async def _agenerate(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: AsyncCallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> ChatResult:
            return self._generate(messages, stop)

        def _stream(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: CallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> Iterator[ChatGenerationChunk]:
            for i in range(self.chunks):
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=f"w{i} "))
                if run_manager:
                    run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk

        async def _astream(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: AsyncCallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> AsyncIterator[ChatGenerationChunk]:
            for i in range(self.chunks):
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=f"w{i} "))
                if run_manager:
                    await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk

    return FloorChatModel(chunks=stream_chunks)


def llamaindex_floor(stream_chunks: int) -> Any:
    """A LlamaIndex LLM with no I/O (see the module doc)."""
    from llama_index.core.base.llms.types import (
        CompletionResponse,
        CompletionResponseGen,
        LLMMetadata,
    )
    from llama_index.core.llms.callbacks import llm_completion_callback
    from llama_index.core.llms.custom import CustomLLM

    class FloorLLM(CustomLLM):
        chunks: int = 1000

        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(model_name="bench-floor", is_chat_model=False)

        @llm_completion_callback()
        def complete(
            self, prompt: str, formatted: bool = False, **kwargs: Any
        ) -> CompletionResponse:
            return CompletionResponse(text=_ANSWER)

        @llm_completion_callback()
        def stream_complete(
            self, prompt: str, formatted: bool = False, **kwargs: Any
        ) -> CompletionResponseGen:
            def gen() -> CompletionResponseGen:
                text = ""
                for i in range(self.chunks):
                    delta = f"w{i} "
                    text += delta
                    yield CompletionResponse(text=text, delta=delta)

            return gen()

    return FloorLLM(chunks=stream_chunks)
