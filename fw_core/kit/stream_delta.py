"""A chat stream read once: each chunk as a normalised delta, and the merge of them all.

fw_core's internal streaming and both framework adapters read a streamed chat completion
through one :class:`StreamTracker`, so the stream rules are written here and nowhere else:

- content, reasoning and refusal pieces concatenate per choice. With ``split_think=True``
  an inline ``<think>…</think>`` block at the start of ``content`` is reasoning
  (:class:`~fw_core.kit.reasoning.ThinkSplitter`; tags cut across chunks are held back until
  :meth:`StreamTracker.finish`); otherwise content is kept as sent.
- tool-call fragments: a fragment continues the call its wire ``index`` last opened. A wire
  index not seen before, or one seen before but now with a *different* non-empty ``id``
  (servers that number every call 0), opens a new call. Calls are numbered 0, 1, 2… in the
  order they open; that number is every fragment's stable ``index``. The first non-empty
  ``id``, ``type`` and ``name`` are kept; ``arguments`` pieces concatenate. A fragment
  reports ``id`` and ``name`` only when they are its call's first non-empty ones: a server
  that repeats them on every fragment (Fireworks does for some models) sends the same
  call again, not more text. Arguments text that is, so far, blank or the start of
  ``null`` is left out of fragments until it cannot be (then passed on whole, or by
  :meth:`StreamTracker.finish` if the stream ends first): a no-argument call answered
  ``null`` is a call with ``{}`` (docs/wire.md §8). The merged result keeps it as sent.
- id: the first non-empty; model and system fingerprint: the last non-empty; created: the
  first sent; usage: the last sent (on the finish chunk or a trailing chunk with empty
  ``choices``); finish reason: the last non-empty per choice; response extras (top-level
  fields such as Fireworks ``perf_metrics`` or Firmware ``tools_executed``): the last
  non-null value per name; logprobs: merged per choice.

Pieces are kept in lists and joined when asked for (a joined list collapses to its one
string, so asking after every chunk still costs one copy per chunk), so a long stream costs
linear time. :meth:`StreamTracker.result` gives the merged
:class:`~fw_core.wire.ChatCompletion` at any point.

>>> from fw_core.wire import ChatCompletionChunk
>>> t = StreamTracker(split_think=True)
>>> for raw in [
...     {"id": "c1", "choices": [{"delta": {"content": "<think>hm</th"}}]},
...     {"id": "c1", "choices": [{"delta": {"content": "ink>Hi"}, "finish_reason": "stop"}]},
...     {"id": "c1", "choices": [], "usage": {"prompt_tokens": 3, "total_tokens": 5}},
... ]:
...     d = t.feed(ChatCompletionChunk.model_validate(raw))
...     print(repr(d.reasoning), repr(d.text), d.finish_reason, d.usage is not None)
'hm' '' None False
'' 'Hi' stop False
'' '' None True
>>> r = t.result()
>>> r.choices[0].message.content, r.choices[0].message.reasoning_content, r.usage.total_tokens
('Hi', 'hm', 5)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fw_core.kit.reasoning import ThinkSplitter
from fw_core.wire import (
    ChatChoice,
    ChatCompletion,
    ChatCompletionChunk,
    ChatMessage,
    FunctionCall,
    ToolCall,
    ToolCallDelta,
    Usage,
)

__all__ = [
    "ChoiceState",
    "StreamDelta",
    "StreamTracker",
    "ToolCallState",
    "ToolFragment",
    "merge_logprobs",
]


def merge_logprobs(parts: list[Any]) -> Any:
    """The logprobs pieces of one streamed choice as one value.

    OpenAI-shaped pieces (``{"content": [...]}``) merge into one such dict; pieces of any
    other shape are returned as the list of pieces; no pieces give None.

    >>> merge_logprobs([{"content": [1]}, {"content": [2]}])
    {'content': [1, 2]}
    >>> merge_logprobs([{"tokens": ["x"]}])
    [{'tokens': ['x']}]
    """
    if not parts:
        return None
    if all(isinstance(p, dict) and isinstance(p.get("content"), list) for p in parts):
        return {"content": [item for p in parts for item in p["content"]]}
    return parts


def _joined(parts: list[str]) -> str:
    """The pieces as one string; the list collapses to that string (one copy per call)."""
    if len(parts) > 1:
        text = "".join(parts)
        parts[:] = (text,)
        return text
    return parts[0] if parts else ""


class ToolFragment:
    """One tool-call fragment of a chunk, with its call's stable ``index``.

    ``arguments`` is the piece as sent; ``id`` and ``name`` are set only on the fragment
    that gave the call its first non-empty id / name (None on every later one, whether
    the server left them out or repeated them), so concatenating fragments field by field
    gives the call.
    """

    __slots__ = ("arguments", "id", "index", "name")

    def __init__(self, index: int, id: str | None, name: str | None, arguments: str | None) -> None:
        self.index = index
        self.id = id
        self.name = name
        self.arguments = arguments

    def __repr__(self) -> str:
        return (
            f"ToolFragment(index={self.index}, id={self.id!r}, name={self.name!r}, "
            f"arguments={self.arguments!r})"
        )


class ToolCallState:
    """One tool call merged so far: the first non-empty id/type/name, argument pieces.

    ``held`` is the arguments text not yet passed on in fragments because, so far, it
    could still be a JSON ``null`` (whitespace and a prefix of ``null``); None once the
    arguments are known to be something else.
    """

    __slots__ = ("args", "held", "id", "name", "type")

    def __init__(self) -> None:
        self.id: str | None = None
        self.type: str | None = None
        self.name: str | None = None
        self.args: list[str] = []
        self.held: str | None = ""

    def arguments(self) -> str:
        """The arguments text so far."""
        return _joined(self.args)


class ChoiceState:
    """One choice merged so far (``role``, text pieces, calls in opening order, finish)."""

    __slots__ = (
        "calls",
        "content",
        "finish_reason",
        "logprobs",
        "reasoning",
        "refusal",
        "role",
        "splitter",
        "wire",
    )

    def __init__(self, split_think: bool) -> None:
        self.role = "assistant"
        self.content: list[str] = []
        self.reasoning: list[str] = []
        self.refusal: list[str] = []
        self.calls: list[ToolCallState] = []
        self.wire: dict[int, int] = {}  # wire index -> position of the call it last opened
        self.finish_reason: str | None = None
        self.logprobs: list[Any] = []
        self.splitter = ThinkSplitter() if split_think else None

    def text(self) -> str:
        """The answer text so far."""
        return _joined(self.content)

    def reasoning_text(self) -> str:
        """The reasoning text so far."""
        return _joined(self.reasoning)

    def merged_logprobs(self) -> Any:
        """This choice's logprobs so far (see :func:`merge_logprobs`)."""
        return merge_logprobs(self.logprobs)


class StreamDelta:
    """What one chunk (or :meth:`StreamTracker.finish`) adds to the followed choice.

    ``text`` and ``reasoning`` are after think-splitting; ``tool_calls`` are the chunk's
    fragments with stable indexes; ``finish_reason``, ``logprobs`` and ``usage`` are the
    ones this chunk carried (None when it carried none). ``has_choice`` says whether the
    chunk carried the followed choice at all; ``chunk`` is the wire chunk (None for the
    closing delta of :meth:`StreamTracker.finish`).
    """

    __slots__ = (
        "chunk",
        "finish_reason",
        "has_choice",
        "logprobs",
        "reasoning",
        "refusal",
        "text",
        "tool_calls",
        "usage",
    )

    def __init__(
        self,
        chunk: ChatCompletionChunk | None,
        usage: Usage | None = None,
        has_choice: bool = False,
        text: str = "",
        reasoning: str = "",
        tool_calls: list[ToolFragment] | tuple[()] = (),
        finish_reason: str | None = None,
        logprobs: Any = None,
        refusal: str = "",
    ) -> None:
        self.chunk = chunk
        self.usage = usage
        self.has_choice = has_choice
        self.text = text
        self.reasoning = reasoning
        self.tool_calls = tool_calls
        self.finish_reason = finish_reason
        self.logprobs = logprobs
        self.refusal = refusal

    def __repr__(self) -> str:
        return (
            f"StreamDelta(text={self.text!r}, reasoning={self.reasoning!r}, "
            f"tool_calls={list(self.tool_calls)!r}, finish_reason={self.finish_reason!r}, "
            f"usage={self.usage!r})"
        )


class StreamTracker:
    """Follows one streamed chat completion chunk by chunk (rules: see the module doc).

    Args:
        extras: names of top-level response fields to keep (Fireworks ``perf_metrics``,
            Firmware ``tools_executed``...); None keeps every extra field.
        split_think: turn an inline ``<think>`` block in ``content`` into reasoning.
        follow: the choice index whose deltas :meth:`feed` returns (every choice is
            merged for :meth:`result` either way).

    Attributes:
        id, model, created, system_fingerprint, usage: as merged so far.
        extras: the extra fields seen so far (last non-null value per name).

    A server that numbers every call 0 but gives each its own id gets two calls:

    >>> t = StreamTracker()
    >>> for call_id, args in [("a", '{"x": 1}'), ("b", '{"y": '), (None, "2}")]:
    ...     call = {"index": 0, "id": call_id, "function": {"name": "f", "arguments": args}}
    ...     d = t.feed(ChatCompletionChunk(choices=[{"delta": {"tool_calls": [call]}}]))
    ...     print(d.tool_calls)
    [ToolFragment(index=0, id='a', name='f', arguments='{"x": 1}')]
    [ToolFragment(index=1, id='b', name='f', arguments='{"y": ')]
    [ToolFragment(index=1, id=None, name=None, arguments='2}')]
    >>> [(c.id, c.function.arguments) for c in t.result().choices[0].message.tool_calls]
    [('a', '{"x": 1}'), ('b', '{"y": 2}')]
    """

    __slots__ = (
        "_choices",
        "_follow",
        "_names",
        "_split",
        "created",
        "extras",
        "id",
        "model",
        "system_fingerprint",
        "usage",
    )

    def __init__(
        self,
        *,
        extras: Iterable[str] | None = None,
        split_think: bool = False,
        follow: int = 0,
    ) -> None:
        self._names = None if extras is None else tuple(extras)
        self._split = split_think
        self._follow = follow
        self._choices: dict[int, ChoiceState] = {}
        self.id = ""
        self.model = ""
        self.created: int | None = None
        self.system_fingerprint: str | None = None
        self.usage: Usage | None = None
        self.extras: dict[str, Any] = {}

    # -- per chunk ----------------------------------------------------------------------

    def feed(self, chunk: ChatCompletionChunk) -> StreamDelta:
        """Merge one chunk; what it adds to the followed choice."""
        if chunk.id and not self.id:
            self.id = chunk.id
        if chunk.model:
            self.model = chunk.model
        if self.created is None and chunk.created is not None:
            self.created = chunk.created
        if chunk.system_fingerprint:
            self.system_fingerprint = chunk.system_fingerprint
        usage = chunk.usage
        if usage is not None:
            self.usage = usage
        extra = chunk.model_extra
        if extra:
            self._keep_extras(extra)
        out: StreamDelta | None = None
        for choice in chunk.choices:
            index = choice.index
            state = self._choices.get(index)
            if state is None:
                state = self._choices[index] = ChoiceState(self._split)
            delta = choice.delta
            if delta.role:
                state.role = delta.role
            text = delta.content or ""
            reasoning = delta.reasoning_content or ""
            if text and state.splitter is not None:
                think, text = state.splitter.feed(text)
                if think:
                    reasoning += think
            if text:
                state.content.append(text)
            if reasoning:
                state.reasoning.append(reasoning)
            refusal = delta.refusal or ""
            if refusal:
                state.refusal.append(refusal)
            fragments: list[ToolFragment] | tuple[()] = ()
            if delta.tool_calls:
                fragments = _merge_calls(state, delta.tool_calls)
            finish = choice.finish_reason
            if finish:
                state.finish_reason = finish
            logprobs = choice.logprobs
            if logprobs is not None:
                state.logprobs.append(logprobs)
            if index == self._follow and out is None:
                out = StreamDelta(
                    chunk, usage, True, text, reasoning, fragments, finish, logprobs, refusal
                )
        return out if out is not None else StreamDelta(chunk, usage)

    def _keep_extras(self, extra: dict[str, Any]) -> None:
        names = self._names
        if names is None:
            for key, value in extra.items():
                if value is not None:
                    self.extras[key] = value
            return
        for name in names:
            value = extra.get(name)
            if value is not None:
                self.extras[name] = value

    def finish(self) -> StreamDelta:
        """End of stream: release text the think-splitters held back.

        Tool-call arguments held back while they could still be ``null`` are passed on
        as fragments of the closing delta unless they are ``null`` or blank (the call then
        has no arguments). Returns the closing delta of the followed choice (``chunk`` None;
        empty when nothing was held back).
        """
        out = StreamDelta(None)
        for index, state in self._choices.items():
            if index == self._follow and state.calls:
                released = _release_held(state.calls)
                if released:
                    out.has_choice, out.tool_calls = True, released
            if state.splitter is None:
                continue
            think, text = state.splitter.flush()
            if text:
                state.content.append(text)
            if think:
                state.reasoning.append(think)
            if index == self._follow:
                out.has_choice, out.text, out.reasoning = True, text, think
        return out

    # -- state --------------------------------------------------------------------------

    def choice(self, index: int | None = None) -> ChoiceState | None:
        """The merged state of a choice (default: the followed one), None if none came."""
        return self._choices.get(self._follow if index is None else index)

    @property
    def finished(self) -> bool:
        """Every choice seen so far has a finish reason."""
        return bool(self._choices) and all(c.finish_reason for c in self._choices.values())

    def extra_fields(self) -> dict[str, Any]:
        """The extras seen so far, in the order of the names asked for."""
        if self._names is None:
            return dict(self.extras)
        return {name: self.extras[name] for name in self._names if name in self.extras}

    def result(self) -> ChatCompletion:
        """The merged completion (valid at any point; complete once the stream ended)."""
        choices = []
        for index in sorted(self._choices):
            st = self._choices[index]
            tool_calls = [
                ToolCall(
                    id=c.id,
                    type=c.type or "function",
                    function=FunctionCall(name=c.name, arguments=c.arguments()),
                )
                for c in st.calls
            ]
            message = ChatMessage(
                role=st.role,
                content=st.text() if st.content or not tool_calls else None,
                reasoning_content=st.reasoning_text() if st.reasoning else None,
                tool_calls=tool_calls or None,
                refusal=_joined(st.refusal) if st.refusal else None,
            )
            choices.append(
                ChatChoice(
                    index=index,
                    message=message,
                    finish_reason=st.finish_reason,
                    logprobs=st.merged_logprobs(),
                )
            )
        return ChatCompletion(
            id=self.id,
            created=self.created,
            model=self.model,
            choices=choices,
            usage=self.usage,
            system_fingerprint=self.system_fingerprint,
            **self.extra_fields(),
        )


def _merge_calls(state: ChoiceState, deltas: Iterable[ToolCallDelta]) -> list[ToolFragment]:
    """Merge one chunk's tool-call fragments into ``state``; the fragments, re-indexed."""
    calls = state.calls
    wire = state.wire
    out: list[ToolFragment] = []
    for tc in deltas:
        call_id = tc.id
        position = wire.get(tc.index, -1)
        call = calls[position] if position >= 0 else None
        if call is None or (call_id and call.id and call.id != call_id):
            position = len(calls)
            call = ToolCallState()
            calls.append(call)
            wire[tc.index] = position
        # Some servers repeat id, type and name on every fragment of a call (docs/wire.md
        # §8): a fragment carries the id and name only when they are the call's first
        # non-empty ones, so a consumer that concatenates string fields (LangChain's
        # chunk merge) never sees a repeat.
        first_id: str | None = None
        first_name: str | None = None
        if call_id and not call.id:
            call.id = first_id = call_id
        if tc.type and not call.type:
            call.type = tc.type
        fn = tc.function
        arguments = None
        if fn is not None:
            name, arguments = fn.name, fn.arguments
            if name and not call.name:
                call.name = first_name = name
            if arguments:
                call.args.append(arguments)
                if call.held is not None:
                    arguments = _hold_null(call, arguments)
        out.append(ToolFragment(position, first_id, first_name, arguments))
    return out


def _release_held(calls: list[ToolCallState]) -> list[ToolFragment]:
    """Fragments for held arguments text that did not end as ``null`` or blank (``nu``)."""
    out = []
    for position, call in enumerate(calls):
        held = call.held
        call.held = None
        if held and held.strip() not in ("", _NULL):
            out.append(ToolFragment(position, None, None, held))
    return out


def _hold_null(call: ToolCallState, piece: str) -> str | None:
    """The arguments text a fragment passes on, while the call's text could be ``null``.

    A no-argument call answered with arguments ``null`` is a call with ``{}`` (docs/wire.md
    §8), so that text is not passed on: a consumer that concatenates fragments and parses
    the result (LangChain) then sees no arguments, not the non-object ``null``. Text is
    held only while it is whitespace and a prefix of ``null``; the first piece that
    cannot be is passed on with what was held. Only a call's first pieces get here.
    """
    text = call.held + piece if call.held else piece
    if _NULL.startswith(text.strip()):
        call.held = text
        return None
    call.held = None
    return text


_NULL = "null"
