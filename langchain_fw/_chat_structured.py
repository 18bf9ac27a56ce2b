"""Tools and structured output for the LangChain chat models: ``bind_tools`` and
``with_structured_output``.

The request-side rules (tool_choice words, strict schemas closed with
``additionalProperties: false``, the ``json_schema`` format) are fw_core.kit.chat_body's,
shared with LlamaIndex; this module turns LangChain's schema forms (pydantic classes,
TypedDicts, functions, ``BaseTool`` objects, JSON schemas) into them and picks LangChain's
output parsers. Mixed into :class:`langchain_fw._chat_base._ChatFwBase`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.base import OutputParserLike
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import BaseModel

from fw_core.errors import ConfigurationError
from fw_core.kit.chat_body import (
    json_schema_format,
    require_object_schema,
    strict_tool,
    tool_choice_to_wire,
)

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    _Base = BaseChatModel
else:
    _Base = object

__all__ = ["StructuredOutputMixin"]


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


class StructuredOutputMixin(_Base):
    """``bind_tools`` and ``with_structured_output``; mix it in before ``BaseChatModel``."""

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
