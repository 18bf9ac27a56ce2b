"""Pydantic models of the response bodies both APIs send.

Strict where a wrong shape would silently lose data (``choices`` must be a list of objects,
a tool call must have a function, token counts must be integers), lenient elsewhere:
unknown fields are kept in ``model_extra`` (Fireworks ``perf_metrics``, Firmware
``tools_executed``/``mcp_tool_results``), and fields the APIs omit or null default
sensibly. Parse with :func:`parse_model`, which turns a pydantic failure into
:class:`~fw_core.errors.ResponseValidationError`.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from fw_core.errors import ResponseValidationError

__all__ = [
    "ChatChoice",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatMessage",
    "ChunkChoice",
    "ChunkDelta",
    "Completion",
    "CompletionChoice",
    "CompletionChunk",
    "CompletionTokensDetails",
    "EmbeddingItem",
    "EmbeddingResponse",
    "FunctionCall",
    "PromptTokensDetails",
    "ToolCall",
    "ToolCallDelta",
    "Usage",
    "parse_model",
]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=False, populate_by_name=True)


class PromptTokensDetails(_Wire):
    cached_tokens: int | None = None
    audio_tokens: int | None = None


class CompletionTokensDetails(_Wire):
    reasoning_tokens: int | None = None
    audio_tokens: int | None = None


class Usage(_Wire):
    """Token counts. Fireworks may omit ``completion_tokens``; Firmware rerank only totals."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: PromptTokensDetails | None = None
    completion_tokens_details: CompletionTokensDetails | None = None

    @field_validator("prompt_tokens", "completion_tokens", "total_tokens", mode="before")
    @classmethod
    def _null_is_zero(cls, v: Any) -> Any:
        return 0 if v is None else v

    @property
    def cached_tokens(self) -> int | None:
        d = self.prompt_tokens_details
        return d.cached_tokens if d is not None else None

    @property
    def reasoning_tokens(self) -> int | None:
        d = self.completion_tokens_details
        return d.reasoning_tokens if d is not None else None


def _arguments_to_text(v: Any) -> Any:
    # Docs say a JSON string; the Fireworks SDK type also allows an object (docs/wire.md §4.9).
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False)
    return v


class FunctionCall(_Wire):
    name: str | None = None
    arguments: str | None = None

    @field_validator("arguments", mode="before")
    @classmethod
    def _args_text(cls, v: Any) -> Any:
        return _arguments_to_text(v)


class ToolCall(_Wire):
    id: str | None = None
    type: str = "function"
    function: FunctionCall


class ToolCallDelta(_Wire):
    index: int = 0
    id: str | None = None
    type: str | None = None
    function: FunctionCall | None = None


_REASONING = AliasChoices("reasoning_content", "reasoning")


class ChatMessage(_Wire):
    """The assistant message. Reasoning arrives as ``reasoning_content`` (or ``reasoning``)."""

    role: str = "assistant"
    content: str | list[Any] | None = None
    reasoning_content: str | None = Field(default=None, validation_alias=_REASONING)
    tool_calls: list[ToolCall] | None = None
    refusal: str | None = None

    @field_validator("reasoning_content", mode="before")
    @classmethod
    def _reasoning_text(cls, v: Any) -> Any:
        return v if v is None or isinstance(v, str) else None  # structured "reasoning": ignore


class ChatChoice(_Wire):
    index: int = 0
    message: ChatMessage
    finish_reason: str | None = None
    logprobs: Any = None


class ChatCompletion(_Wire):
    """A non-streaming chat completion (also what a finished stream accumulates to)."""

    id: str = ""
    object: str = "chat.completion"
    created: int | None = None
    model: str = ""
    choices: list[ChatChoice]
    usage: Usage | None = None
    system_fingerprint: str | None = None


class ChunkDelta(_Wire):
    role: str | None = None
    content: str | None = None
    reasoning_content: str | None = Field(default=None, validation_alias=_REASONING)
    tool_calls: list[ToolCallDelta] | None = None
    refusal: str | None = None

    @field_validator("reasoning_content", mode="before")
    @classmethod
    def _reasoning_text(cls, v: Any) -> Any:
        return v if v is None or isinstance(v, str) else None


class ChunkChoice(_Wire):
    index: int = 0
    delta: ChunkDelta = Field(default_factory=ChunkDelta)
    finish_reason: str | None = None
    logprobs: Any = None


class ChatCompletionChunk(_Wire):
    """One SSE ``data`` frame of a chat stream. ``choices`` may be empty (the usage chunk)."""

    id: str = ""
    object: str = "chat.completion.chunk"
    created: int | None = None
    model: str = ""
    choices: list[ChunkChoice] = Field(default_factory=list)
    usage: Usage | None = None
    system_fingerprint: str | None = None

    @field_validator("choices", mode="before")
    @classmethod
    def _null_choices(cls, v: Any) -> Any:
        return [] if v is None else v


class CompletionChoice(_Wire):
    index: int = 0
    text: str = ""
    finish_reason: str | None = None
    logprobs: Any = None


class Completion(_Wire):
    """A ``/completions`` response (text completion)."""

    id: str = ""
    object: str = "text_completion"
    created: int | None = None
    model: str = ""
    choices: list[CompletionChoice]
    usage: Usage | None = None


class CompletionChunk(_Wire):
    id: str = ""
    object: str = "text_completion"
    created: int | None = None
    model: str = ""
    choices: list[CompletionChoice] = Field(default_factory=list)
    usage: Usage | None = None

    @field_validator("choices", mode="before")
    @classmethod
    def _null_choices(cls, v: Any) -> Any:
        return [] if v is None else v


class EmbeddingItem(_Wire):
    index: int
    # A list of floats, or a base64 string of little-endian float32 when encoding_format=base64.
    embedding: list[float] | str


class EmbeddingResponse(_Wire):
    data: list[EmbeddingItem]
    model: str = ""
    usage: Usage | None = None


M = TypeVar("M", bound=BaseModel)


def parse_model(
    cls: type[M],
    payload: bytes | str | dict[str, Any],
    *,
    status_code: int | None = None,
    request_id: str | None = None,
) -> M:
    """Validate a body into ``cls``; a shape we cannot use becomes ResponseValidationError."""
    try:
        if isinstance(payload, dict):
            return cls.model_validate(payload)
        return cls.model_validate_json(payload)
    except ValidationError as exc:
        raw = (
            payload
            if isinstance(payload, str)
            else (
                payload.decode("utf-8", "replace")
                if isinstance(payload, bytes)
                else json.dumps(payload)[:2000]
            )
        )
        first: dict[str, Any] = dict(exc.errors()[0]) if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ResponseValidationError(
            f"unexpected {cls.__name__} body from the API: {first.get('msg', exc)}"
            + (f" at {where}" if where else ""),
            status_code=status_code,
            request_id=request_id,
            body=raw[:2000],
        ) from exc
