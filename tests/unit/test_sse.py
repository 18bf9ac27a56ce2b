"""The byte-level SSE decoder: chunk boundaries never change the events."""

from __future__ import annotations

import time

import pytest

from fw_core.http.sse import ServerSentEvent, SSEDecoder


def decode_all(chunks: list[bytes]) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events.extend(decoder.decode(chunk))
    events.extend(decoder.flush())
    return events


# Every feature at once: U+2028/U+2029/U+0085 inside JSON, CRLF, bare CR, a comment,
# multi-line data, an error event, id and retry fields, [DONE].
MIXED = (
    'data: {"t":"a\u2028b\u2029c\u0085d"}\r\n'
    "\r\n"
    ": keep-alive comment\n"
    "data: line one\n"
    "data: line two\n"
    "\n"
    "event: error\n"
    'data: {"error":{"message":"boom"}}\r'
    "\r"
    "id: 42\n"
    "retry: 1500\n"
    "data:no-space\n"
    "\n"
    "data: [DONE]\n"
    "\n"
).encode()

MIXED_EVENTS = [
    ServerSentEvent(data='{"t":"a\u2028b\u2029c\u0085d"}'),
    ServerSentEvent(data="line one\nline two"),
    ServerSentEvent(data='{"error":{"message":"boom"}}', event="error"),
    ServerSentEvent(data="no-space", id="42", retry=1500),
    ServerSentEvent(data="[DONE]", id="42", retry=1500),
]


def test_whole_stream_decodes_to_the_expected_events() -> None:
    assert decode_all([MIXED]) == MIXED_EVENTS


def test_every_single_split_point_gives_identical_events() -> None:
    for i in range(len(MIXED) + 1):
        assert decode_all([MIXED[:i], MIXED[i:]]) == MIXED_EVENTS, i


def test_every_pair_of_split_points_on_a_short_stream() -> None:
    short = 'data: {"a":"\u2028"}\r\n\r\nevent: error\rdata: x\r\r: c\ndata: y'.encode()
    expected = [
        ServerSentEvent(data='{"a":"\u2028"}'),
        ServerSentEvent(data="x", event="error"),
        ServerSentEvent(data="y"),
    ]
    assert decode_all([short]) == expected
    n = len(short)
    for i in range(n + 1):
        for j in range(i, n + 1):
            assert decode_all([short[:i], short[i:j], short[j:]]) == expected, (i, j)


def test_one_byte_at_a_time() -> None:
    assert decode_all([MIXED[i : i + 1] for i in range(len(MIXED))]) == MIXED_EVENTS


@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1c"])
def test_unicode_line_separators_inside_json_do_not_split(sep: str) -> None:
    data = f'{{"content":"left{sep}right"}}'
    events = decode_all([f"data: {data}\n\n".encode()])
    assert events == [ServerSentEvent(data=data)]


def test_utf8_sequence_split_across_chunks_is_rebuilt() -> None:
    raw = 'data: "é\u2028ü"\n\n'.encode()
    cut = raw.index("\u2028".encode()) + 1  # inside the 3-byte sequence
    assert decode_all([raw[:cut], raw[cut:]]) == [ServerSentEvent(data='"é\u2028ü"')]


def test_crlf_split_between_cr_and_lf_does_not_make_an_extra_blank_line() -> None:
    # If "\r" and "\n" were treated as two line ends, "data: b" would be dispatched alone.
    decoder = SSEDecoder()
    assert decoder.decode(b"data: a\r") == []
    assert decoder.decode(b"\ndata: b\r") == []
    assert decoder.decode(b"\n\r") == []
    assert decoder.decode(b"\n") == [ServerSentEvent(data="a\nb")]


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_each_line_ending_style(eol: str) -> None:
    raw = f"data: 1{eol}{eol}data: 2{eol}data: 3{eol}{eol}".encode()
    assert decode_all([raw]) == [ServerSentEvent(data="1"), ServerSentEvent(data="2\n3")]


def test_comments_and_events_without_data_are_not_dispatched() -> None:
    raw = b": ping\n\nevent: ping\n\nid: 9\n\ndata: real\n\n"
    assert decode_all([raw]) == [ServerSentEvent(data="real", id="9")]


def test_event_type_does_not_leak_into_the_next_event() -> None:
    raw = b"event: error\ndata: e\n\ndata: m\n\n"
    assert decode_all([raw]) == [
        ServerSentEvent(data="e", event="error"),
        ServerSentEvent(data="m"),
    ]


def test_field_without_colon_and_empty_data_line() -> None:
    # "data" alone is a data field with an empty value; two of them join with "\n".
    assert decode_all([b"data\ndata\n\n"]) == [ServerSentEvent(data="\n")]


def test_invalid_retry_and_id_with_nul_are_ignored() -> None:
    raw = b"retry: soon\nid: a\x00b\ndata: x\n\n"
    assert decode_all([raw]) == [ServerSentEvent(data="x", id=None, retry=None)]


def test_unknown_fields_are_ignored() -> None:
    assert decode_all([b"foo: bar\ndata: x\n\n"]) == [ServerSentEvent(data="x")]


def test_stream_ending_without_blank_line_and_without_done_yields_last_event() -> None:
    raw = b'data: {"a":1}\n\ndata: {"b":2}'
    assert decode_all([raw]) == [
        ServerSentEvent(data='{"a":1}'),
        ServerSentEvent(data='{"b":2}'),
    ]
    # ... also when the last line did end but the blank line never came
    assert decode_all([b"data: x\n"]) == [ServerSentEvent(data="x")]
    assert decode_all([b"data: x\r"]) == [ServerSentEvent(data="x")]


def test_flush_of_an_empty_or_already_dispatched_stream_yields_nothing() -> None:
    decoder = SSEDecoder()
    assert decoder.decode(b"") == []
    assert decoder.flush() == []
    decoder = SSEDecoder()
    assert decoder.decode(b"data: x\n\n") == [ServerSentEvent(data="x")]
    assert decoder.flush() == []


def feed_timed(raw: bytes, size: int, budget: float) -> tuple[list[ServerSentEvent], float]:
    """Feed ``raw`` in ``size``-byte chunks; fail as soon as ``budget`` seconds are spent."""
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    start = time.perf_counter()
    for n, i in enumerate(range(0, len(raw), size)):
        events.extend(decoder.decode(raw[i : i + size]))
        if n % 4096 == 0 and time.perf_counter() - start > budget:
            pytest.fail(f"decoding slowed down past {budget}s after {i} bytes: not linear")
    events.extend(decoder.flush())
    return events, time.perf_counter() - start


def test_long_line_fed_one_byte_at_a_time_stays_linear() -> None:
    raw = b"data: " + b"x" * 200_000 + b"\n\n"
    # ~1 s when linear (even under coverage on a busy machine it stays well inside this)
    events, _ = feed_timed(raw, 1, budget=30.0)
    assert [len(e.data) for e in events] == [200_000]


def test_multi_megabyte_line_in_small_chunks_stays_linear() -> None:
    # The sharper check: re-joining the pending bytes on every chunk would copy ~130 GB
    # here (minutes); buffering the pieces and joining once takes well under a second.
    raw = b"data: " + b"x" * 4_000_000 + b"\n\n"
    events, _ = feed_timed(raw, 64, budget=15.0)
    assert [len(e.data) for e in events] == [4_000_000]


def test_leading_byte_order_mark_is_dropped_at_every_split() -> None:
    raw = b"\xef\xbb\xbfdata: first\n\ndata: second\n\n"
    expected = [ServerSentEvent(data="first"), ServerSentEvent(data="second")]
    assert decode_all([raw]) == expected
    for i in range(len(raw) + 1):
        for j in range(i, min(len(raw), 6) + 1):
            assert decode_all([raw[:i], raw[i:j], raw[j:]]) == expected, (i, j)
    assert decode_all([raw[k : k + 1] for k in range(len(raw))]) == expected


def test_only_the_first_byte_order_mark_is_special() -> None:
    # A second BOM, or one later in the stream, is part of the line (an unknown field here).
    assert decode_all([b"\xef\xbb\xbf\xef\xbb\xbfdata: x\n\ndata: y\n\n"]) == [
        ServerSentEvent(data="y")
    ]
    assert decode_all([b"data: x\n\n\xef\xbb\xbfdata: y\n\n"]) == [ServerSentEvent(data="x")]


def test_stream_of_only_a_partial_byte_order_mark_yields_nothing() -> None:
    assert decode_all([b"\xef"]) == []
    assert decode_all([b"\xef\xbb\xbf"]) == []
    assert decode_all([b"\xefdata: x\n\n"]) == []  # not a BOM: the line is an unknown field
