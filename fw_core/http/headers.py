"""HTTP header work shared by the clients: merging request headers, keeping response ones.

Request side: :func:`merge_headers` layers header mappings (defaults, the caller's
``default_headers``, per-call headers) so that a later layer wins and no name is sent
twice in two spellings.

Response side: a response carries dozens of headers; the ones worth handing to a caller
are its request id, the ``fireworks-*`` ones, the rate-limit ones and the retry hints.
:func:`select_headers` picks those out; :class:`ResponseHeaders` does the same lazily,
for the chat path where most callers never look.

>>> merge_headers({"Accept": "application/json"}, {"accept": "text/event-stream"})
{'accept': 'text/event-stream'}
>>> request_id(httpx.Headers({"X-Request-Id": "r1"}))
'r1'
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import httpx

__all__ = [
    "KEPT_NAMES",
    "KEPT_PREFIXES",
    "ResponseHeaders",
    "merge_headers",
    "request_id",
    "select_headers",
]

#: Response headers kept by name prefix (lower-case).
KEPT_PREFIXES = ("fireworks-", "x-ratelimit-")
#: Response headers kept by exact name (lower-case).
KEPT_NAMES = frozenset({"x-request-id", "retry-after", "retry-after-ms"})
_KEPT_PREFIXES_B = tuple(p.encode() for p in KEPT_PREFIXES)
_KEPT_NAMES_B = frozenset(n.encode() for n in KEPT_NAMES)


def merge_headers(*layers: Mapping[str, str] | None) -> dict[str, str]:
    """Later layers win; names compare case-insensitively, so no header is sent twice.

    The winning layer's spelling of a name is the one kept; ``None`` layers are skipped.

    >>> merge_headers({"User-Agent": "a", "X-A": "1"}, None, {"user-agent": "b"})
    {'X-A': '1', 'user-agent': 'b'}
    """
    out: dict[str, str] = {}
    spelled: dict[str, str] = {}  # lower-case name -> the spelling kept in ``out``
    for layer in layers:
        for name, value in (layer or {}).items():
            previous = spelled.get(name.lower())
            if previous is not None:
                del out[previous]
            spelled[name.lower()] = name
            out[name] = value
    return out


def request_id(headers: Mapping[str, str]) -> str | None:
    """The server's ``x-request-id`` (any spelling in an ``httpx.Headers``), else None.

    >>> request_id({}) is None
    True
    """
    return headers.get("x-request-id")


def select_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The response headers worth surfacing: request id, ``fireworks-*``, rate limits.

    Names come back lower-case; a name sent twice keeps both values joined by ", " (as
    ``httpx.Headers.items()`` joins them).

    >>> select_headers(httpx.Headers([("X-Request-Id", "r1"), ("Server", "x"),
    ...                               ("x-ratelimit-remaining", "9"), ("Fireworks-A", "1"),
    ...                               ("fireworks-a", "2")]))
    {'x-request-id': 'r1', 'x-ratelimit-remaining': '9', 'fireworks-a': '1, 2'}
    """
    out: dict[str, str] = {}
    if isinstance(headers, httpx.Headers):
        # Per call on every response: test the raw byte names and decode only the kept
        # ones, instead of decoding every name and value as ``items()`` does.
        encoding = headers.encoding
        for raw_key, raw_value in headers.raw:
            low = raw_key.lower()
            if low in _KEPT_NAMES_B or low.startswith(_KEPT_PREFIXES_B):
                name, value = low.decode(encoding), raw_value.decode(encoding)
                previous = out.get(name)
                out[name] = value if previous is None else f"{previous}, {value}"
        return out
    for key, value in headers.items():
        k = key.lower()
        if k in KEPT_NAMES or k.startswith(KEPT_PREFIXES):
            out[k] = value
    return out


class ResponseHeaders(Mapping[str, str]):
    """:func:`select_headers` of a response, worked out on first read, not per call.

    Most callers never look at the headers; decoding them on every chat call cost ~17 us.
    It reads like the dict :func:`select_headers` returns (and compares equal to it).

    >>> kept = ResponseHeaders(httpx.Headers({"x-request-id": "r1", "server": "x"}))
    >>> kept == {"x-request-id": "r1"}, dict(kept), len(kept)
    (True, {'x-request-id': 'r1'}, 1)
    """

    __slots__ = ("_kept", "_raw")

    def __init__(self, raw: Mapping[str, str]) -> None:
        self._raw = raw
        self._kept: dict[str, str] | None = None

    def _selected(self) -> dict[str, str]:
        if self._kept is None:
            self._kept = select_headers(self._raw)
        return self._kept

    def __getitem__(self, name: str) -> str:
        return self._selected()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._selected())

    def __len__(self) -> int:
        return len(self._selected())

    def __repr__(self) -> str:
        return repr(self._selected())
