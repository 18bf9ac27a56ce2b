"""Pure conversions between LangChain messages and the chat-completions wire format.

Nothing here does I/O or keeps state: a stream is followed by
:class:`fw_core.kit.stream_delta.StreamTracker`, whose deltas are mapped here.

Outgoing (``message_to_wire``): each LangChain message becomes a dict holding only the keys
the strict APIs accept (``role``, ``content``, ``name``, ``tool_calls``, ``tool_call_id``,
``reasoning_content``). Whatever another provider left in a history (OpenAI ``refusal``,
``annotations``, ``audio``, ``function_call``; Anthropic ``tool_use``/``thinking`` blocks;
``reasoning`` blocks; tool-call ``index``; ``name`` on tool messages) is never copied, so a
history produced elsewhere does not earn an "Extra inputs are not permitted" 400.

Incoming (``completion_to_result``, ``stream_generation``): ``content`` is the answer text
(a string); reasoning (``reasoning_content``, or an inline ``<think>`` block) goes to
``additional_kwargs["reasoning_content"]``, which langchain-core turns into a standard
``reasoning`` content block and which :func:`message_to_wire` sends back on the next turn.

>>> from langchain_core.messages import AIMessage, HumanMessage
>>> message_to_wire(HumanMessage("hi"))
{'role': 'user', 'content': 'hi'}
>>> message_to_wire(AIMessage("", additional_kwargs={"reasoning_content": "r", "refusal": "x"}))
{'role': 'assistant', 'content': '', 'reasoning_content': 'r'}
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages.ai import UsageMetadata
from langchain_core.messages.tool import tool_call_chunk as make_tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from fw_core.kit.file_parts import (
    Provider,
    audio_part,
    data_url,
    document_part,
    from_input_audio,
    from_openai_file,
)
from fw_core.kit.reasoning import split_think
from fw_core.kit.stream_delta import StreamDelta, StreamTracker
from fw_core.kit.tool_args import ToolArgumentsError, parse_tool_arguments
from fw_core.wire import ChatCompletion, Usage

__all__ = [
    "completion_to_result",
    "content_to_wire",
    "message_to_wire",
    "messages_to_wire",
    "stream_final_generation",
    "stream_generation",
    "usage_to_metadata",
]

# Content-block types that carry no content for the API: reasoning of any provider and
# tool-call records (the calls travel in ``tool_calls``).
_DROPPED_BLOCKS = frozenset(
    {
        "reasoning",
        "thinking",
        "redacted_thinking",
        "tool_use",
        "tool_call",
        "tool_call_chunk",
        "invalid_tool_call",
        "server_tool_call",
        "server_tool_call_chunk",
        "server_tool_result",
        "function_call",
        "non_standard",
        "citation",
    }
)


# ---------------------------------------------------------------------------------------
# outgoing


def _image_part(block: Mapping[str, Any]) -> dict[str, Any]:
    # OpenAI form {"type": "image_url", "image_url": "..." | {"url", "detail"}}
    if block.get("type") == "image_url":
        raw = block.get("image_url")
        url = raw if isinstance(raw, str) else (raw or {}).get("url")
        detail = None if isinstance(raw, str) else (raw or {}).get("detail")
    elif isinstance(source := block.get("source"), Mapping):
        # Anthropic form {"type": "image", "source": {"type": "base64"|"url", ...}}
        if source.get("type") == "url":
            url = source.get("url")
        else:
            url = data_url(source.get("media_type"), source.get("data", ""))
        detail = None
    elif "url" in block:
        url, detail = block["url"], block.get("detail")
    elif "base64" in block or block.get("source_type") == "base64":
        data = block.get("base64") or block.get("data") or ""
        url, detail = data_url(block.get("mime_type"), data), None
    else:
        raise ValueError(f"image block needs a url or base64 data: keys {sorted(block)}")
    if not url:
        raise ValueError("image block has an empty url")
    image: dict[str, Any] = {"url": url}
    if detail:
        image["detail"] = detail
    return {"type": "image_url", "image_url": image}


def _file_part(block: Mapping[str, Any], provider: Provider) -> dict[str, Any]:
    # The part itself is built by fw_core (one rule per API, docs/wire.md §1.17); this maps
    # LangChain's block forms onto it.
    if block.get("source_type") == "text" and isinstance(block.get("text"), str):
        return {"type": "text", "text": block["text"]}  # v0 plain-text document
    file = block.get("file")
    if isinstance(file, Mapping):  # OpenAI form {"type": "file", "file": {...}}
        return from_openai_file(provider, file)
    extras = block.get("extras") or block.get("metadata") or {}
    base64 = "base64" in block or block.get("source_type") == "base64"
    file_id = "file_id" in block or block.get("source_type") == "id"
    if not (base64 or file_id or "url" in block):
        raise ValueError(f"file block needs base64 data, a file_id or a url: keys {sorted(block)}")
    return document_part(
        provider,
        data=(block.get("base64") or block.get("data") or "") if base64 else None,
        file_id=(block.get("file_id") or block.get("id")) if file_id else None,
        url=block.get("url"),
        mime_type=block.get("mime_type"),
        filename=block.get("filename") or extras.get("filename"),
    )


def _audio_part(block: Mapping[str, Any], provider: Provider) -> dict[str, Any]:
    # LangChain's audio block: {"type": "audio", "base64" | "url": ..., "mime_type"}, or the
    # older {"source_type": "base64" | "url", "data" | "url": ...}; docs/wire.md §1.20
    data = block.get("base64") or (block.get("data") if block.get("source_type") != "url" else None)
    url = block.get("url")
    if not data and not url:
        raise ValueError("audio blocks need base64 data or a url")
    return audio_part(
        provider,
        data=data if isinstance(data, str) else None,
        url=url if isinstance(url, str) else None,
        mime_type=block.get("mime_type"),
    )


def _block_to_part(block: Any, provider: Provider) -> dict[str, Any] | None:
    """One LangChain content block as a wire content part, or None when it carries none."""
    if isinstance(block, str):
        return {"type": "text", "text": block}
    if not isinstance(block, Mapping):
        return None
    kind = block.get("type")
    if kind == "text":
        text = block.get("text")
        return {"type": "text", "text": text} if isinstance(text, str) else None
    if kind in ("image_url", "image"):
        return _image_part(block)
    if kind == "file":
        return _file_part(block, provider)
    if kind == "input_audio":
        return from_input_audio(provider, block.get("input_audio") or {})
    if kind == "audio":
        return _audio_part(block, provider)
    if kind == "text-plain" or (kind is None and isinstance(block.get("text"), str)):
        return {"type": "text", "text": block["text"]}
    if kind in _DROPPED_BLOCKS:
        return None
    if kind in ("video_url", "audio_url"):
        return dict(block)
    raise ValueError(f"unsupported content block type {kind!r} in a chat message")


def content_to_wire(
    content: str | list[Any], *, provider: Provider = None
) -> str | list[dict[str, Any]]:
    """Message content as the API takes it: a string, or a list of parts.

    A list holding only text collapses to one string (every model accepts that); blocks
    that carry no content for the API (reasoning, tool-call records) are dropped. File
    blocks become the document part ``provider`` (a spec or its name) takes (Fireworks:
    an ``image_url`` part; Firmware or None: OpenAI's ``file`` part), see
    :mod:`fw_core.kit.file_parts`.

    >>> content_to_wire([{"type": "text", "text": "a"}, {"type": "thinking", "thinking": "t"}])
    'a'
    >>> content_to_wire([{"type": "image", "url": "https://x/y.png"}])
    [{'type': 'image_url', 'image_url': {'url': 'https://x/y.png'}}]
    """
    if isinstance(content, str):
        return content
    parts = [p for b in content if (p := _block_to_part(b, provider)) is not None]
    if all(p["type"] == "text" for p in parts):
        return "".join(p["text"] for p in parts)
    return parts


def _text_only(content: str | list[Any]) -> str:
    if isinstance(content, str):
        return content
    out = []
    for block in content:
        if isinstance(block, str):
            out.append(block)
        elif isinstance(block, Mapping) and block.get("type") == "text":
            text = block.get("text")
            if isinstance(text, str):
                out.append(text)
    return "".join(out)


def _reasoning_from_blocks(content: str | list[Any]) -> str | None:
    if isinstance(content, str):
        return None
    texts = [
        b["reasoning"]
        for b in content
        if isinstance(b, Mapping)
        and b.get("type") == "reasoning"
        and isinstance(b.get("reasoning"), str)
    ]
    return "".join(texts) if texts else None


def _arguments(args: Any) -> str:
    if isinstance(args, str):
        return args
    return json.dumps(args if args is not None else {}, ensure_ascii=False)


def _assistant_to_wire(message: AIMessage, replay_reasoning: bool) -> dict[str, Any]:
    calls: list[dict[str, Any]] = [
        {
            "id": tc["id"],
            "type": "function",
            "function": {"name": tc["name"], "arguments": _arguments(tc["args"])},
        }
        for tc in message.tool_calls
    ]
    calls.extend(
        {
            "id": tc.get("id"),
            "type": "function",
            "function": {"name": tc.get("name"), "arguments": tc.get("args") or "{}"},
        }
        for tc in message.invalid_tool_calls
    )
    text = _text_only(message.content)
    out: dict[str, Any] = {"role": "assistant", "content": text if text or not calls else None}
    if message.name:
        out["name"] = message.name
    if calls:
        out["tool_calls"] = calls
    if replay_reasoning:
        reasoning = message.additional_kwargs.get("reasoning_content")
        if not isinstance(reasoning, str):
            reasoning = _reasoning_from_blocks(message.content)
        if reasoning:
            out["reasoning_content"] = reasoning
    return out


def _tool_to_wire(message: ToolMessage, provider: Provider) -> dict[str, Any]:
    content = content_to_wire(message.content, provider=provider)
    if isinstance(content, list) and not content:
        content = ""
    return {"role": "tool", "tool_call_id": message.tool_call_id, "content": content}


def _role_to_wire(role: str, message: BaseMessage, provider: Provider) -> dict[str, Any]:
    content = content_to_wire(message.content, provider=provider)
    out: dict[str, Any] = {"role": role, "content": content}
    if message.name:
        out["name"] = message.name
    return out


_ROLES = {
    "human": "user",
    "user": "user",
    "system": "system",
    "ai": "assistant",
    "assistant": "assistant",
    "developer": "system",
    "tool": "tool",
}


def message_to_wire(
    message: BaseMessage, *, replay_reasoning: bool = True, provider: Provider = None
) -> dict[str, Any]:
    """One LangChain message as a wire message dict holding only accepted keys.

    Args:
        message: any LangChain message.
        replay_reasoning: send an assistant message's reasoning back as
            ``reasoning_content`` (Fireworks interleaved thinking).
        provider: the API the message goes to (its ``ProviderSpec`` or name); its
            ``openai_content_parts`` decides the form of file parts (see
            :func:`content_to_wire`).

    Raises:
        ValueError: for a message type or content block the APIs cannot take.
    """
    cls = type(message)
    if cls is HumanMessage:
        return _role_to_wire("user", message, provider)
    if cls is AIMessage or isinstance(message, AIMessage):
        return _assistant_to_wire(message, replay_reasoning)  # type: ignore[arg-type]
    if cls is ToolMessage or isinstance(message, ToolMessage):
        return _tool_to_wire(message, provider)  # type: ignore[arg-type]
    if cls is SystemMessage or isinstance(message, SystemMessage):
        return _role_to_wire("system", message, provider)
    if isinstance(message, HumanMessage):
        return _role_to_wire("user", message, provider)
    if isinstance(message, ChatMessage):
        role = _ROLES.get(message.role)
        if role is None:
            raise ValueError(f"unsupported chat message role {message.role!r}")
        if role == "assistant":
            return _assistant_to_wire(AIMessage(content=message.content), replay_reasoning)
        if role == "tool":
            raise ValueError("a 'tool' ChatMessage has no tool_call_id; use ToolMessage")
        return _role_to_wire(role, message, provider)
    if isinstance(message, FunctionMessage):
        raise ValueError("FunctionMessage is not supported; use ToolMessage")
    raise ValueError(f"unsupported message type {type(message).__name__}")


def messages_to_wire(
    messages: Sequence[BaseMessage],
    *,
    replay_reasoning: bool = True,
    provider: Provider = None,
) -> list[dict[str, Any]]:
    """All messages of a prompt as wire dicts (see :func:`message_to_wire`)."""
    return [
        message_to_wire(m, replay_reasoning=replay_reasoning, provider=provider) for m in messages
    ]


# ---------------------------------------------------------------------------------------
# incoming


def usage_to_metadata(usage: Usage) -> UsageMetadata:
    """Token counts as LangChain's ``usage_metadata``.

    >>> usage_to_metadata(Usage(prompt_tokens=3, completion_tokens=2, total_tokens=5))
    {'input_tokens': 3, 'output_tokens': 2, 'total_tokens': 5}
    """
    total = usage.total_tokens or usage.prompt_tokens + usage.completion_tokens
    meta = UsageMetadata(
        input_tokens=usage.prompt_tokens,
        output_tokens=usage.completion_tokens,
        total_tokens=total,
    )
    cached = usage.cached_tokens
    if cached is not None:
        meta["input_token_details"] = {"cache_read": cached}
    reasoning = usage.reasoning_tokens
    if reasoning is not None:
        meta["output_token_details"] = {"reasoning": reasoning}
    return meta


def _parse_tool_calls(
    raw_calls: Sequence[Any],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Response tool calls as LangChain ``tool_calls`` and ``invalid_tool_calls``.

    Arguments are read by :func:`fw_core.kit.tool_args.parse_tool_arguments` (empty or
    ``"null"`` is ``{}``; docs/wire.md §8); text it refuses is kept as an invalid call.
    """
    calls: list[dict[str, Any]] = []
    invalid: list[dict[str, Any]] = []
    for raw in raw_calls:
        fn = raw.function
        try:
            args = parse_tool_arguments(fn.arguments)
        except ToolArgumentsError as exc:
            invalid.append(
                {
                    "type": "invalid_tool_call",
                    "id": raw.id,
                    "name": fn.name,
                    "args": fn.arguments or "",
                    "error": str(exc),
                }
            )
            continue
        calls.append({"type": "tool_call", "id": raw.id, "name": fn.name or "", "args": args})
    return calls, invalid


def _split_content(content: Any) -> tuple[str, str | None]:
    """(answer text, inline reasoning) from a response message's content."""
    if content is None:
        return "", None
    text = content if isinstance(content, str) else _text_only(content)
    if text[:64].lstrip().startswith("<think>"):
        reasoning, answer = split_think(text)
        return answer, reasoning or None
    return text, None


def completion_to_result(
    completion: ChatCompletion,
    *,
    base_metadata: Mapping[str, Any],
    requested_model: str,
    extra_metadata: Mapping[str, Any] | None = None,
) -> ChatResult:
    """A parsed chat completion as a LangChain ``ChatResult`` (one generation per choice).

    Args:
        completion: the parsed response.
        base_metadata: put in every message's ``response_metadata`` (``model_provider``...).
        requested_model: used as ``model_name`` when the response names no model.
        extra_metadata: more ``response_metadata`` (headers, provider extras).
    """
    usage = usage_to_metadata(completion.usage) if completion.usage is not None else None
    model_name = completion.model or requested_model
    generations = []
    for choice in completion.choices:
        msg = choice.message
        text, inline_reasoning = _split_content(msg.content)
        reasoning = msg.reasoning_content or inline_reasoning
        additional: dict[str, Any] = {}
        if reasoning:
            additional["reasoning_content"] = reasoning
        if msg.refusal:
            additional["refusal"] = msg.refusal
        calls, invalid = _parse_tool_calls(msg.tool_calls or ())
        metadata: dict[str, Any] = {
            **base_metadata,
            "id": completion.id,
            "model_name": model_name,
            "finish_reason": choice.finish_reason,
        }
        if completion.system_fingerprint:
            metadata["system_fingerprint"] = completion.system_fingerprint
        if choice.logprobs is not None:
            metadata["logprobs"] = choice.logprobs
        if extra_metadata:
            metadata.update(extra_metadata)
        # Empty fields are left to their defaults: each argument given costs validation
        # (~1 us apiece, per call) and the message is the same.
        fields: dict[str, Any] = {}
        if additional:
            fields["additional_kwargs"] = additional
        if calls:
            fields["tool_calls"] = calls
        if invalid:
            fields["invalid_tool_calls"] = invalid
        if usage is not None and choice.index == 0:
            fields["usage_metadata"] = usage
        message = AIMessage(
            content=text, response_metadata=metadata, id=completion.id or None, **fields
        )
        info = {"finish_reason": choice.finish_reason}
        if choice.logprobs is not None:
            info["logprobs"] = choice.logprobs
        generations.append(ChatGeneration(message=message, generation_info=info))
    llm_output: dict[str, Any] = {"model_name": model_name, "id": completion.id}
    if completion.usage is not None:
        llm_output["token_usage"] = completion.usage.model_dump(exclude_none=True)
    return ChatResult(generations=generations, llm_output=llm_output)


def stream_generation(
    delta: StreamDelta, base_metadata: dict[str, Any], message_id: str | None
) -> ChatGenerationChunk | None:
    """One stream delta as a ``ChatGenerationChunk``, or None when it adds no message text.

    Text is the answer, reasoning goes to ``additional_kwargs["reasoning_content"]`` and
    tool-call fragments become ``tool_call_chunks`` under their stable index (so
    LangChain's merge never glues two calls together). Finish reason, usage, logprobs and
    extras are left for :func:`stream_final_generation`, so they are counted once.

    Args:
        delta: what :meth:`~fw_core.kit.stream_delta.StreamTracker.feed` returned.
        base_metadata: the ``response_metadata`` of every chunk (``model_provider``).
        message_id: the response id seen so far.
    """
    text = delta.text
    reasoning = delta.reasoning
    fragments = delta.tool_calls
    if not text and not reasoning and not fragments:
        return None
    # Per chunk: empty fields are left to their defaults (same message, less validation).
    if reasoning or fragments:
        message = AIMessageChunk(
            content=text,
            additional_kwargs={"reasoning_content": reasoning} if reasoning else {},
            tool_call_chunks=[
                make_tool_call_chunk(name=f.name, args=f.arguments, id=f.id, index=f.index)
                for f in fragments
            ],
            response_metadata=base_metadata,  # validated into a new dict per message
            id=message_id,
        )
    else:
        message = AIMessageChunk(content=text, response_metadata=base_metadata, id=message_id)
    return ChatGenerationChunk(message=message)


def stream_final_generation(
    tracker: StreamTracker,
    closing: StreamDelta,
    *,
    base_metadata: Mapping[str, Any],
    include_usage: bool,
    extra_metadata: Mapping[str, Any] | None = None,
    requested_model: str = "",
) -> ChatGenerationChunk:
    """The closing chunk (``chunk_position="last"``) of a stream.

    It carries the text the think-splitter held back (``closing``, from
    :meth:`~fw_core.kit.stream_delta.StreamTracker.finish`) and what was held for the end:
    usage, finish reason, model, system fingerprint, logprobs and response extras, so they
    are counted once whether the API sent usage on the finish chunk, on a trailing chunk
    with empty ``choices``, or not at all. Only choice 0 is streamed (LangChain streams one
    message).
    """
    choice = tracker.choice()
    finish_reason = choice.finish_reason if choice is not None else None
    metadata: dict[str, Any] = {
        **base_metadata,
        "finish_reason": finish_reason,
        "model_name": tracker.model or requested_model,
    }
    if tracker.system_fingerprint:
        metadata["system_fingerprint"] = tracker.system_fingerprint
    logprobs = choice.merged_logprobs() if choice is not None else None
    if logprobs is not None:
        metadata["logprobs"] = logprobs
    metadata.update(tracker.extra_fields())
    if extra_metadata:
        metadata.update(extra_metadata)
    usage = usage_to_metadata(tracker.usage) if include_usage and tracker.usage else None
    fields: dict[str, Any] = {}
    if closing.tool_calls:  # arguments held back while they could be ``null``
        fields["tool_call_chunks"] = [
            make_tool_call_chunk(name=f.name, args=f.arguments, id=f.id, index=f.index)
            for f in closing.tool_calls
        ]
    message = AIMessageChunk(
        content=closing.text,
        additional_kwargs={"reasoning_content": closing.reasoning} if closing.reasoning else {},
        response_metadata=metadata,
        usage_metadata=usage,
        id=tracker.id or None,
        chunk_position="last",
        **fields,
    )
    info: dict[str, Any] = {"finish_reason": finish_reason}
    if logprobs is not None:
        info["logprobs"] = logprobs
    return ChatGenerationChunk(message=message, generation_info=info)
