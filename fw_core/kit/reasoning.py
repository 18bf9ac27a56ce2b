"""Inline ``<think>…</think>`` reasoning, as DeepSeek-R1 style models send it in ``content``.

Some models put their reasoning in a separate ``reasoning_content`` field; others open the
content with ``<think>`` and close it with ``</think>`` (docs/wire.md, real captures). Both end
up as the same (reasoning, answer) pair. The streaming splitter copes with tags cut
across chunks.

>>> split_think("<think>2+2 is 4</think>\\n\\nFour.")
('2+2 is 4', 'Four.')
>>> s = ThinkSplitter()
>>> [s.feed(p) for p in ["<thi", "nk>hm", "m</th", "ink>Hi"]] + [s.flush()]
[('', ''), ('hm', ''), ('m', ''), ('', 'Hi'), ('', '')]
"""

from __future__ import annotations

__all__ = ["ThinkSplitter", "split_think"]

_OPEN = "<think>"
_CLOSE = "</think>"


def split_think(text: str) -> tuple[str, str]:
    """Split content that opens with ``<think>`` into (reasoning, answer).

    Content that does not start with the tag (after whitespace) is returned unchanged with
    empty reasoning. An unclosed tag makes everything reasoning.
    """
    stripped = text.lstrip()
    if not stripped.startswith(_OPEN):
        return "", text
    body = stripped[len(_OPEN) :]
    reasoning, sep, answer = body.partition(_CLOSE)
    if not sep:
        return reasoning.strip(), ""
    return reasoning.strip(), answer.lstrip()


class ThinkSplitter:
    """Stateful splitter for streamed content deltas.

    :meth:`feed` returns the (reasoning, answer) text each delta contributes; a tag cut
    across deltas is held back until it can be recognised.
    """

    __slots__ = ("_held", "_state")

    def __init__(self) -> None:
        self._state = "start"  # start -> think -> answer, or start -> answer
        self._held = ""

    def feed(self, delta: str) -> tuple[str, str]:
        if self._state == "answer" and not self._held:
            return "", delta
        text = self._held + delta
        self._held = ""
        if self._state == "start":
            stripped = text.lstrip()
            if not stripped:
                self._held = text
                return "", ""
            if _OPEN.startswith(stripped) and len(stripped) < len(_OPEN):
                self._held = text
                return "", ""
            if stripped.startswith(_OPEN):
                self._state = "think"
                text = stripped[len(_OPEN) :]
            else:
                self._state = "answer"
                return "", text
        if self._state == "think":
            idx = text.find(_CLOSE)
            if idx >= 0:
                self._state = "answer_start"
                reasoning, rest = text[:idx], text[idx + len(_CLOSE) :]
                answer = rest.lstrip()
                if answer:
                    self._state = "answer"
                return reasoning, answer
            # hold back a possible partial "</think>" at the end
            for k in range(min(len(_CLOSE) - 1, len(text)), 0, -1):
                if _CLOSE.startswith(text[-k:]):
                    self._held = text[-k:]
                    return text[:-k], ""
            return text, ""
        # answer_start: drop whitespace between </think> and the answer
        answer = text.lstrip()
        if answer:
            self._state = "answer"
        return "", answer

    def flush(self) -> tuple[str, str]:
        """End of stream: release anything held back."""
        held, self._held = self._held, ""
        if self._state == "think":
            return held, ""
        if self._state == "start":
            return "", held
        return "", held
