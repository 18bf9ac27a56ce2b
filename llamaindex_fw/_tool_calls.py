"""Tool calling for the LlamaIndex LLMs: the request with tools and the calls in an answer.

``FunctionCallingLLM``'s three hooks: :meth:`~ToolCallingMixin._prepare_chat_with_tools`
builds the request (the tool_choice words and strict schemas are
fw_core.kit.chat_body's, shared with LangChain), the other two read the answer's tool calls.
Mixed into :class:`llamaindex_fw.llms.FwLLM` before ``FunctionCallingLLM``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole, ToolCallBlock
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.llms.utils import parse_partial_json

from fw_core.kit.chat_body import strict_tool, tool_choice_to_wire

if TYPE_CHECKING:
    from llama_index.core.llms.function_calling import FunctionCallingLLM
    from llama_index.core.tools.types import BaseTool

    class _Base(FunctionCallingLLM):
        strict: bool
else:
    _Base = object

__all__ = ["ToolCallingMixin"]


class ToolCallingMixin(_Base):
    """The request with tools and the tool calls of an answer, for ``FunctionCallingLLM``."""

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
        ``"auto"``, ``"none"``, ``"required"``, ``"any"`` (sent as ``"required"``), a tool
        name or a dict (:func:`fw_core.kit.chat_body.tool_choice_to_wire`); ``strict`` (default:
        the LLM's ``strict``) marks every tool strict and closes every object of its
        parameter schema (``additionalProperties: false``).
        """
        use_strict = (self.strict if strict is None else strict) or None  # False: no flag
        specs = [
            strict_tool(tool.metadata.to_openai_tool(skip_length_check=True), use_strict)
            for tool in tools
        ]
        messages = list(chat_history or [])
        if isinstance(user_msg, str):
            user_msg = ChatMessage(role=MessageRole.USER, content=user_msg)
        if user_msg is not None:
            messages.append(user_msg)
        out: dict[str, Any] = {"messages": messages, **kwargs}
        if specs:
            out["tools"] = specs
            names = [spec["function"]["name"] for spec in specs]
            choice = tool_choice_to_wire(tool_choice, names)  # the rule both adapters share
            out["tool_choice"] = choice or ("required" if tool_required else "auto")
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
