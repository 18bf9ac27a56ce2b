"""LlamaIndex ``ChatMessage`` <-> chat-completions wire dicts, as pure functions.

Going out (:func:`to_wire_messages`): text blocks become a string (or ``text`` parts next to
images), ``ImageBlock``/``VideoBlock`` become ``image_url``/``video_url`` parts, a
``DocumentBlock`` the document part the API takes (:func:`fw_core.kit.file_parts.document_part`:
an ``image_url`` part for Fireworks, an OpenAI ``file`` part for Firmware), an
``AudioBlock`` the audio part it takes (:func:`fw_core.kit.file_parts.audio_part`: ``audio_url``
for Fireworks, ``input_audio`` for Firmware),
``ThinkingBlock`` (or ``additional_kwargs["reasoning_content"]``) becomes the assistant's
``reasoning_content`` so interleaved thinking survives a tool loop, ``ToolCallBlock`` (or the
legacy ``additional_kwargs["tool_calls"]``) becomes ``tool_calls``, and a tool result takes
its ``tool_call_id`` from ``additional_kwargs``. Only keys the APIs document are sent.

Coming back (:func:`from_wire_message`): ``reasoning_content``, or a leading inline
``<think>`` block, becomes a ``ThinkingBlock`` (and ``additional_kwargs["reasoning_content"]``),
the answer a ``TextBlock``, each tool call a ``ToolCallBlock``.

>>> from llama_index.core.base.llms.types import ChatMessage
>>> to_wire_messages([ChatMessage(role="user", content="Hi")])
[{'role': 'user', 'content': 'Hi'}]
>>> from fw_core.wire import ChatMessage as WireMessage
>>> msg = from_wire_message(WireMessage(content="<think>easy</think>Paris."))
>>> msg.content, msg.additional_kwargs["reasoning_content"]
('Paris.', 'easy')
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from llama_index.core.base.llms.types import (
    AudioBlock,
    CachePoint,
    ChatMessage,
    ContentBlock,
    DocumentBlock,
    ImageBlock,
    LogProb,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)

from fw_core.kit.file_parts import Provider, audio_part, document_part
from fw_core.kit.reasoning import split_think
from fw_core.kit.tool_args import ToolArgumentsError, parse_tool_arguments
from fw_core.wire import ChatMessage as WireMessage
from fw_core.wire import ToolCall, Usage

__all__ = [
    "from_wire_message",
    "logprobs_from_wire",
    "to_wire_message",
    "to_wire_messages",
    "tool_call_block",
    "usage_to_kwargs",
]

_ROLE_TO_WIRE = {
    MessageRole.SYSTEM: "system",
    MessageRole.DEVELOPER: "system",  # neither API documents "developer"
    MessageRole.USER: "user",
    MessageRole.ASSISTANT: "assistant",
    MessageRole.TOOL: "tool",
    MessageRole.FUNCTION: "tool",
    MessageRole.CHATBOT: "assistant",
    MessageRole.MODEL: "assistant",
}


# ---------------------------------------------------------------------------------------
# out


def _image_part(block: ImageBlock) -> dict[str, Any]:
    if block.url is not None and block.image is None and block.path is None:
        url = str(block.url)
    else:
        data = block.resolve_image(as_base64=True).read().decode("ascii")
        url = f"data:{block.image_mimetype or 'image/jpeg'};base64,{data}"
    image_url: dict[str, Any] = {"url": url}
    if block.detail:
        image_url["detail"] = block.detail
    return {"type": "image_url", "image_url": image_url}


def _video_part(block: VideoBlock) -> dict[str, Any]:
    if block.url is not None and block.video is None and block.path is None:
        url = str(block.url)
    else:
        data = block.resolve_video(as_base64=True).read().decode("ascii")
        url = f"data:{block.video_mimetype or 'video/mp4'};base64,{data}"
    video_url: dict[str, Any] = {"url": url}
    if block.detail:
        video_url["detail"] = block.detail
    return {"type": "video_url", "video_url": video_url}


def _audio_part(block: AudioBlock, provider: Provider) -> dict[str, Any]:
    # docs/wire.md §1.20: Fireworks audio_url (data URL), OpenAI input_audio for Firmware
    if block.url is not None and block.audio is None and block.path is None:
        return audio_part(provider, url=str(block.url), audio_format=block.format)
    data = block.resolve_audio(as_base64=True).read().decode("ascii")
    return audio_part(provider, data=data, audio_format=block.format)


def _document_part(block: DocumentBlock, provider: Provider) -> dict[str, Any]:
    if block.url is not None and block.data is None and block.path is None:
        return document_part(provider, url=str(block.url), mime_type=block.document_mimetype)
    raw = block.resolve_document().read()
    return document_part(
        provider,
        data=base64.b64encode(raw).decode("ascii"),
        mime_type=block.document_mimetype,
        filename=_filename(block),
    )


def _filename(block: DocumentBlock) -> str | None:
    if block.path is not None:
        return Path(str(block.path)).name
    if block.title and block.title != "input_document":  # core's placeholder title
        return block.title
    return None


def _arguments_text(kwargs: Any) -> str:
    if isinstance(kwargs, str):
        return kwargs or "{}"
    return json.dumps(kwargs if kwargs is not None else {}, ensure_ascii=False)


def _wire_tool_call(block: ToolCallBlock, position: int) -> dict[str, Any]:
    return {
        "id": block.tool_call_id or f"call_{position}",
        "type": "function",
        "function": {"name": block.tool_name, "arguments": _arguments_text(block.tool_kwargs)},
    }


def _legacy_tool_call(call: Any) -> dict[str, Any]:
    """A tool call kept in ``additional_kwargs["tool_calls"]`` (dict or SDK object)."""
    data = call.model_dump() if hasattr(call, "model_dump") else dict(call)
    function = dict(data.get("function") or {})
    return {
        "id": data.get("id"),
        "type": "function",
        "function": {
            "name": function.get("name") or "",
            "arguments": _arguments_text(function.get("arguments")),
        },
    }


def _unsupported(block: ContentBlock, role: str) -> ValueError:
    return ValueError(
        f"{type(block).__name__} is not supported in a {role} message by the "
        "Fireworks/Firmware chat API"
    )


def to_wire_message(
    message: ChatMessage, *, replay_reasoning: bool = True, provider: Provider = None
) -> dict[str, Any]:
    """One ``ChatMessage`` as a chat-completions message dict.

    ``replay_reasoning=False`` leaves an assistant message's reasoning out (some vendors
    behind Firmware refuse ``reasoning_content`` in the input). ``provider`` (a
    ``ProviderSpec`` or its name; None = OpenAI's form) decides how a ``DocumentBlock`` is
    sent (its ``openai_content_parts``).

    Raises:
        ValueError: a block the API cannot take in that role (images, audio and documents
            outside user messages; a document file id for Fireworks), or a tool result
            without ``tool_call_id``.
    """
    role = _ROLE_TO_WIRE.get(message.role, "user")
    texts: list[str] = []
    parts: list[dict[str, Any]] = []
    has_media = False
    thinking: list[str] = []
    calls: list[dict[str, Any]] = []
    for block in message.blocks:
        if isinstance(block, TextBlock):
            texts.append(block.text)
            parts.append({"type": "text", "text": block.text})
        elif isinstance(block, ImageBlock) and role == "user":
            parts.append(_image_part(block))
            has_media = True
        elif isinstance(block, VideoBlock) and role == "user":
            parts.append(_video_part(block))
            has_media = True
        elif isinstance(block, DocumentBlock) and role == "user":
            parts.append(_document_part(block, provider))
            has_media = True
        elif isinstance(block, AudioBlock) and role == "user":
            parts.append(_audio_part(block, provider))
            has_media = True
        elif isinstance(block, ThinkingBlock):
            if role == "assistant" and block.content:
                thinking.append(block.content)
        elif isinstance(block, ToolCallBlock):
            if role == "assistant":
                calls.append(_wire_tool_call(block, len(calls)))
        elif isinstance(block, CachePoint):
            continue  # a prompt-caching hint for other vendors; both APIs cache on their own
        else:
            raise _unsupported(block, role)

    kwargs = message.additional_kwargs
    out: dict[str, Any] = {"role": role}
    text = "\n".join(texts)
    if has_media:
        out["content"] = parts
    elif role == "assistant":
        if not calls and kwargs.get("tool_calls"):
            calls = [_legacy_tool_call(c) for c in kwargs["tool_calls"]]
        out["content"] = text if (text or not calls) else None
        reasoning = "\n".join(thinking) or kwargs.get("reasoning_content")
        if replay_reasoning and isinstance(reasoning, str) and reasoning:
            out["reasoning_content"] = reasoning
        if calls:
            out["tool_calls"] = calls
    else:
        out["content"] = text
    if role == "tool":
        call_id = kwargs.get("tool_call_id")
        if not call_id:
            raise ValueError("a tool message needs additional_kwargs['tool_call_id']")
        out["tool_call_id"] = str(call_id)
    name = kwargs.get("name")
    if isinstance(name, str) and name and role in ("user", "system", "assistant"):
        out["name"] = name
    return out


def to_wire_messages(
    messages: Iterable[ChatMessage],
    *,
    replay_reasoning: bool = True,
    provider: Provider = None,
) -> list[dict[str, Any]]:
    """Every message through :func:`to_wire_message`, in order."""
    return [
        to_wire_message(m, replay_reasoning=replay_reasoning, provider=provider) for m in messages
    ]


# ---------------------------------------------------------------------------------------
# in


def _parse_arguments(arguments: str | None) -> dict[str, Any] | str:
    """Arguments as a dict (empty or ``"null"`` is ``{}``, docs/wire.md §8), else the raw text."""
    try:
        return parse_tool_arguments(arguments)
    except ToolArgumentsError:
        return arguments or ""


def tool_call_block(call: ToolCall, position: int) -> ToolCallBlock:
    """A wire tool call as a ``ToolCallBlock`` (a missing id becomes ``call_<position>``)."""
    return ToolCallBlock(
        tool_call_id=call.id or f"call_{position}",
        tool_name=call.function.name or "",
        tool_kwargs=_parse_arguments(call.function.arguments),
    )


def _content_text(content: str | list[Any] | None) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(
        p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"
    )


def from_wire_message(message: WireMessage) -> ChatMessage:
    """The assistant message of a response as a ``ChatMessage``."""
    text = _content_text(message.content)
    reasoning = message.reasoning_content or ""
    if not reasoning and text:
        reasoning, text = split_think(text)
    calls = message.tool_calls or []
    blocks: list[ContentBlock] = []
    additional: dict[str, Any] = {}
    if reasoning:
        blocks.append(ThinkingBlock(content=reasoning))
        additional["reasoning_content"] = reasoning
    if text or not calls:
        blocks.append(TextBlock(text=text))
    blocks.extend(tool_call_block(c, i) for i, c in enumerate(calls))
    if message.refusal:
        additional["refusal"] = message.refusal
    return ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=additional)


# ---------------------------------------------------------------------------------------
# options and usage


def usage_to_kwargs(usage: Usage | None) -> dict[str, int]:
    """Token counts as LlamaIndex reports them in ``additional_kwargs``.

    ``prompt_tokens``/``completion_tokens``/``total_tokens`` as the OpenAI integration
    names them, plus ``cached_tokens`` and ``reasoning_tokens`` when the API sent them.
    """
    if usage is None:
        return {}
    out = {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }
    if usage.cached_tokens is not None:
        out["cached_tokens"] = usage.cached_tokens
    if usage.reasoning_tokens is not None:
        out["reasoning_tokens"] = usage.reasoning_tokens
    return out


def logprobs_from_wire(raw: Any) -> list[list[LogProb]] | None:
    """OpenAI-style ``{"content": [{token, logprob, bytes, top_logprobs}]}`` as LlamaIndex's."""
    if not isinstance(raw, dict) or not isinstance(raw.get("content"), list):
        return None
    out: list[list[LogProb]] = []
    for item in raw["content"]:
        if not isinstance(item, dict):
            continue
        tops = item.get("top_logprobs") or [item]
        row = [
            LogProb(
                token=t.get("token", ""), logprob=t.get("logprob", 0.0), bytes=t.get("bytes") or []
            )
            for t in tops
            if isinstance(t, dict)
        ]
        if row:
            out.append(row)
    return out or None
