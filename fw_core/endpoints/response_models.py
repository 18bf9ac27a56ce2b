"""The Responses API's wire types (docs/wire.md §1.18): a response, its output items and
usage, a listed page, a delete answer and one stream event.

Tolerant readers: unknown fields stay in ``model_extra``, unknown output item and event
types pass through unchanged. :mod:`fw_core.endpoints.responses` sends the calls;
:mod:`fw_core.endpoints.response_fold` folds a stream of events into a response.

>>> r = Response.model_validate({"id": "resp_1", "output": [
...     {"type": "message", "content": [{"type": "output_text", "text": "Hi"}]}]})
>>> r.output_text
'Hi'
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "DeletedResponse",
    "OutputItem",
    "Response",
    "ResponseEvent",
    "ResponseList",
    "ResponseUsage",
]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ResponseUsage(_Wire):
    """Token counts; reads OpenAI's names and the ``prompt_tokens`` ones Fireworks' guide lists."""

    input_tokens: int = Field(0, validation_alias=AliasChoices("input_tokens", "prompt_tokens"))
    output_tokens: int = Field(
        0, validation_alias=AliasChoices("output_tokens", "completion_tokens")
    )
    total_tokens: int = 0
    input_tokens_details: dict[str, Any] | None = None
    output_tokens_details: dict[str, Any] | None = None

    @field_validator("input_tokens", "output_tokens", "total_tokens", mode="before")
    @classmethod
    def _null_is_zero(cls, v: Any) -> Any:
        return 0 if v is None else v

    @property
    def cached_tokens(self) -> int | None:
        """Prompt tokens served from the cache, when reported."""
        d = self.input_tokens_details or (self.model_extra or {}).get("prompt_tokens_details")
        value = d.get("cached_tokens") if isinstance(d, dict) else None
        return value if isinstance(value, int) else None

    @property
    def reasoning_tokens(self) -> int | None:
        """Output tokens spent on reasoning, when reported."""
        d = self.output_tokens_details or (self.model_extra or {}).get("completion_tokens_details")
        value = d.get("reasoning_tokens") if isinstance(d, dict) else None
        return value if isinstance(value, int) else None


class OutputItem(_Wire):
    """One output item. ``type`` is the server's (``message``, ``function_call``,
    ``reasoning``, ``mcp_call``...); fields of other types stay in ``model_extra``."""

    type: str
    id: str | None = None
    status: str | None = None
    role: str | None = None
    content: list[dict[str, Any]] | None = None
    call_id: str | None = None
    name: str | None = None
    arguments: str | None = None
    summary: list[dict[str, Any]] | None = None

    @field_validator("arguments", mode="before")
    @classmethod
    def _arguments_text(cls, v: Any) -> Any:
        if isinstance(v, dict | list):
            return json.dumps(v)
        return v

    @property
    def text(self) -> str:
        """The ``output_text`` parts of a message item, joined."""
        return "".join(
            str(p.get("text") or "")
            for p in self.content or []
            if isinstance(p, dict) and p.get("type") in ("output_text", "text")
        )

    @property
    def reasoning_text(self) -> str:
        """The summary (else content) text of a reasoning item."""
        parts = self.summary or []
        if not parts and self.type == "reasoning":
            parts = self.content or []
        return "".join(str(p.get("text") or "") for p in parts if isinstance(p, dict))


class Response(_Wire):
    """A response object (docs/wire.md §1.18)."""

    id: str = ""
    object: str = "response"
    created_at: int | float | None = None
    status: str | None = None
    model: str = ""
    output: list[OutputItem] = Field(default_factory=list)
    usage: ResponseUsage | None = None
    previous_response_id: str | None = None
    store: bool | None = None
    max_tool_calls: int | None = None
    error: dict[str, Any] | None = None
    incomplete_details: dict[str, Any] | None = None

    @field_validator("output", mode="before")
    @classmethod
    def _null_output(cls, v: Any) -> Any:
        return [] if v is None else v

    @property
    def output_text(self) -> str:
        """All assistant message text, in order. A leading ``<think>`` block stays."""
        return "".join(i.text for i in self.output if i.type == "message")

    @property
    def function_calls(self) -> list[OutputItem]:
        """The client-executed tool calls to run (``function_call`` items)."""
        return [i for i in self.output if i.type == "function_call"]

    @property
    def reasoning_text(self) -> str:
        """The text of all ``reasoning`` items."""
        return "".join(i.reasoning_text for i in self.output if i.type == "reasoning")


class ResponseList(_Wire):
    """One page of stored responses (page fields inferred, §1.18)."""

    object: str = "list"
    data: list[Response] = Field(default_factory=list)
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False


class DeletedResponse(_Wire):
    """The answer to a delete; ``id`` defaults to the id deleted (§1.18)."""

    id: str = ""
    object: str = "response"
    deleted: bool = True


class ResponseEvent(_Wire):
    """One stream event; fields beyond ``type`` depend on it and stay in ``model_extra``."""

    type: str
    sequence_number: int | None = None

    def get(self, name: str, default: Any = None) -> Any:
        """A field of the event by name (``delta``, ``item``, ``response``...)."""
        return (self.model_extra or {}).get(name, default)
