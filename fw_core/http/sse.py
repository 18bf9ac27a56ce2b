"""A byte-level Server-Sent Events decoder.

Bytes go in as they arrive (any split, even inside a UTF-8 sequence or between ``\\r``
and ``\\n``); whole events come out. Lines are found in the byte stream before any text
decoding, so a ``U+2028 LINE SEPARATOR`` inside a JSON string (bytes ``E2 80 A8``) never
splits an event, which ``str.splitlines`` would do.

Follows the WHATWG event-stream rules that matter here: ``\\r\\n``, ``\\r`` and ``\\n``
end lines; a blank line dispatches; repeated ``data:`` lines join with ``\\n``; lines
starting with ``:`` are comments; one space after the colon is dropped; an event with no
``data`` is not dispatched. The decoder does no I/O: :meth:`SSEDecoder.decode` and
:meth:`SSEDecoder.flush` are the whole interface, like httpx's content decoders.

>>> d = SSEDecoder()
>>> d.decode(b'data: {"a"') + d.decode(b': 1}\\n\\ndata: [DONE]\\n\\n')
[ServerSentEvent(data='{"a": 1}', event=None, id=None, retry=None), \
ServerSentEvent(data='[DONE]', event=None, id=None, retry=None)]
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SSEDecoder", "ServerSentEvent"]

_BOM = b"\xef\xbb\xbf"


@dataclass(slots=True)
class ServerSentEvent:
    """One dispatched event. ``event`` is None for the default ``message`` type."""

    data: str
    event: str | None = None
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Incremental decoder: feed bytes with :meth:`decode`, finish with :meth:`flush`."""

    __slots__ = ("_data", "_event", "_has_data", "_head", "_id", "_pending", "_retry")

    def __init__(self) -> None:
        # Bytes of a line not yet terminated, kept as pieces: joining them only once a line
        # ending arrives keeps a long line fed in tiny chunks linear, not quadratic.
        self._pending: list[bytes] = []
        # The first bytes, held until we know whether they are a UTF-8 byte order mark,
        # which the event-stream rules drop; None once that is decided.
        self._head: bytes | None = b""
        self._data: list[str] = []
        self._has_data = False
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None

    def decode(self, chunk: bytes) -> list[ServerSentEvent]:
        """Feed the next bytes; return the events they complete (possibly none)."""
        if not chunk:
            return []
        if self._head is not None:
            chunk = self._head + chunk
            if len(chunk) < len(_BOM) and _BOM.startswith(chunk):
                self._head = chunk
                return []
            self._head = None
            chunk = chunk.removeprefix(_BOM)
            if not chunk:
                return []
        if b"\n" not in chunk and b"\r" not in chunk:
            self._pending.append(chunk)
            return []
        if self._pending:
            self._pending.append(chunk)
            buffer = b"".join(self._pending)
            self._pending = []
        else:
            buffer = chunk
        lines = buffer.splitlines(keepends=True)
        # An unterminated last line waits for more bytes; so does one ending in a lone "\r",
        # because the "\n" of a "\r\n" pair may be the first byte of the next chunk.
        if not lines[-1].endswith(b"\n"):
            self._pending.append(lines.pop())
        return self._lines(lines)

    def flush(self) -> list[ServerSentEvent]:
        """End of stream: process a last unterminated line and dispatch a pending event.

        A stream that ends without the final blank line still yields its last event.
        """
        events: list[ServerSentEvent] = []
        if self._head:  # the stream was only part of a byte order mark
            self._pending.append(self._head)
        self._head = None
        if self._pending:
            buffer = b"".join(self._pending)
            self._pending = []
            lines = buffer.splitlines(keepends=True)
            if not lines[-1].endswith((b"\n", b"\r")):
                lines[-1] += b"\n"
            events = self._lines(lines)
        event = self._dispatch()
        if event is not None:
            events.append(event)
        return events

    def _lines(self, lines: list[bytes]) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        for raw in lines:
            line = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
            # The two lines of almost every frame, handled inline (this runs per chunk):
            # a blank line dispatches; "data:" appends (one space after the colon dropped).
            if not line:
                event = self._dispatch()
                if event is not None:
                    events.append(event)
            elif line.startswith(b"data:"):
                self._data.append(
                    line[6:].decode("utf-8", "replace")
                    if line[5:6] == b" "
                    else line[5:].decode("utf-8", "replace")
                )
                self._has_data = True
            else:
                self._line(line)
        return events

    def _line(self, line: bytes) -> None:
        """One non-blank line: a comment or a field (``_lines`` handles ``data:`` itself,
        this any spelling of it too)."""
        if line[:1] == b":":
            return None
        name, sep, value = line.partition(b":")
        if sep and value[:1] == b" ":
            value = value[1:]
        field = name.decode("utf-8", "replace")
        if field == "data":
            self._data.append(value.decode("utf-8", "replace"))
            self._has_data = True
        elif field == "event":
            self._event = value.decode("utf-8", "replace") or None
        elif field == "id":
            if b"\x00" not in value:
                self._id = value.decode("utf-8", "replace")
        elif field == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        if not self._has_data:
            self._event = None
            return None
        data = self._data
        event = ServerSentEvent(
            data=data[0] if len(data) == 1 else "\n".join(data),
            event=self._event,
            id=self._id,
            retry=self._retry,
        )
        self._data = []
        self._has_data = False
        self._event = None
        return event
