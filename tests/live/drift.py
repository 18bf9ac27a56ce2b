"""Field-level drift between two HTTP answers: pure functions, no I/O.

A body is reduced to its *shape* (keys and value types, never values), so the report can
say "the live answer has ``usage.prompt_tokens_details`` and the double does not" without
quoting any text. Lists merge the shapes of their items; an SSE body becomes the list of
its ``data:`` payloads.

Example:
    >>> shape({"a": 1, "b": [{"c": "x"}, {"d": None}]})
    {'a': 'int', 'b': [{'c': 'str', 'd': 'null'}]}
    >>> for entry in diff_shapes({"a": "int", "b": "str"}, {"a": "float"}):
    ...     print(entry)
    {'path': 'a', 'kind': 'type', 'live': 'int', 'double': 'float'}
    {'path': 'b', 'kind': 'missing_in_double', 'live': 'str', 'double': None}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "IGNORED_HEADERS",
    "body_shape",
    "diff_headers",
    "diff_shapes",
    "exchange_drift",
    "merge_shapes",
    "shape",
]

#: Transport-level headers a real server or proxy adds; not part of the API contract.
IGNORED_HEADERS = frozenset(
    {
        "date",
        "server",
        "connection",
        "content-length",
        "transfer-encoding",
        "keep-alive",
        "via",
        "alt-svc",
        "vary",
        "content-encoding",
        "strict-transport-security",
        "cf-ray",
        "cf-cache-status",
        "set-cookie",
        "nel",
        "report-to",
        "age",
        "expires",
        "cache-control",
        "accept-ranges",
        "x-envoy-upstream-service-time",
    }
)

Shape = Any  # str (type name) | dict[str, Shape] | list[Shape] (one merged item shape)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    return type(value).__name__


def shape(value: Any) -> Shape:
    """The shape of a JSON value: dicts keep keys, lists merge item shapes, scalars -> type.

    >>> shape([1, 2.5, None])
    ['float|int|null']
    >>> shape([])
    []
    """
    if isinstance(value, Mapping):
        return {str(k): shape(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = [shape(v) for v in value]
        if not items:
            return []
        merged = items[0]
        for item in items[1:]:
            merged = merge_shapes(merged, item)
        return [merged]
    return _type_name(value)


def _names(s: str) -> set[str]:
    return set(s.split("|"))


def merge_shapes(a: Shape, b: Shape) -> Shape:
    """One shape that covers both: union of keys, union of scalar types.

    A key present in one dict only stays (its shape as given); two different kinds (dict vs
    list vs scalar) become a ``|``-joined name of the kinds.

    >>> merge_shapes({"a": "int"}, {"a": "null", "b": "str"})
    {'a': 'int|null', 'b': 'str'}
    >>> merge_shapes({"a": "int"}, ["int"])
    'dict|list'
    """
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = merge_shapes(out[k], v) if k in out else v
        return out
    if isinstance(a, list) and isinstance(b, list):
        if not a or not b:
            return a or b
        return [merge_shapes(a[0], b[0])]
    if isinstance(a, str) and isinstance(b, str):
        return "|".join(sorted(_names(a) | _names(b)))
    return "|".join(sorted({_kind(a), _kind(b)}))


def _kind(s: Shape) -> str:
    if isinstance(s, dict):
        return "dict"
    if isinstance(s, list):
        return "list"
    return str(s)


def diff_shapes(live: Shape, double: Shape, path: str = "") -> list[dict[str, Any]]:
    """Differences between two shapes, one entry per field path, sorted by path.

    Each entry: ``path`` (dotted, ``[]`` for list items), ``kind`` (``missing_in_double``,
    ``missing_in_live`` or ``type``), and the ``live`` / ``double`` shapes (type names, or
    ``dict`` / ``list`` for containers).

    >>> diff_shapes({"xs": [{"a": "int"}]}, {"xs": [{"a": "int", "b": "str"}]})
    [{'path': 'xs[].b', 'kind': 'missing_in_live', 'live': None, 'double': 'str'}]
    >>> diff_shapes([], ["int"])  # an empty list says nothing about its items
    []
    """
    out: list[dict[str, Any]] = []
    if isinstance(live, dict) and isinstance(double, dict):
        for key in sorted(set(live) | set(double)):
            sub = f"{path}.{key}" if path else key
            if key not in double:
                out.append(_entry(sub, "missing_in_double", live[key], None))
            elif key not in live:
                out.append(_entry(sub, "missing_in_live", None, double[key]))
            else:
                out.extend(diff_shapes(live[key], double[key], sub))
        return out
    if isinstance(live, list) and isinstance(double, list):
        if live and double:
            out.extend(diff_shapes(live[0], double[0], f"{path}[]"))
        return out
    if _kind(live) != _kind(double):
        out.append(_entry(path, "type", live, double))
    return out


def _entry(path: str, kind: str, live: Shape, double: Shape) -> dict[str, Any]:
    def brief(s: Shape) -> str | None:
        return None if s is None else _kind(s)

    return {"path": path, "kind": kind, "live": brief(live), "double": brief(double)}


def diff_headers(
    live: Iterable[str], double: Iterable[str], ignored: Iterable[str] = IGNORED_HEADERS
) -> dict[str, list[str]]:
    """Header *names* present on one side only (case-insensitive; transport headers ignored).

    >>> diff_headers(["Content-Type", "X-Request-Id", "Date"], ["content-type", "fireworks-x"])
    {'missing_in_double': ['x-request-id'], 'missing_in_live': ['fireworks-x']}
    """
    skip = {h.lower() for h in ignored}
    a = {h.lower() for h in live} - skip
    b = {h.lower() for h in double} - skip
    return {"missing_in_double": sorted(a - b), "missing_in_live": sorted(b - a)}


def body_shape(content_type: str, body: bytes) -> Shape:
    """The shape of a response body by its content type.

    JSON -> :func:`shape`; ``text/event-stream`` -> the shape of the list of its ``data:``
    payloads (``[DONE]`` dropped); anything else -> ``"bytes:<media type>"``.

    >>> sse = b'data: {"a":1}\\n\\ndata: {"b":"x"}\\n\\ndata: [DONE]\\n\\n'
    >>> body_shape("text/event-stream", sse)
    [{'a': 'int', 'b': 'str'}]
    >>> body_shape("image/png", b"...")
    'bytes:image/png'
    """
    media = content_type.split(";")[0].strip().lower()
    if media == "text/event-stream":
        events = []
        for line in body.decode("utf-8", "replace").splitlines():
            if line.startswith("data:"):
                data = line[5:].strip()
                if data and data != "[DONE]":
                    try:
                        events.append(json.loads(data))
                    except ValueError:
                        events.append(data)
        return shape(events)
    if media.endswith("json") or (not media and body[:1] in (b"{", b"[")):
        try:
            return shape(json.loads(body))
        except ValueError:
            return "bytes:invalid-json"
    return f"bytes:{media or 'unknown'}"


def exchange_drift(
    live: tuple[int, Mapping[str, str], bytes], double: tuple[int, Mapping[str, str], bytes]
) -> dict[str, Any]:
    """The drift of one exchange: status, header names, body fields; values never included.

    Args:
        live: ``(status, headers, body)`` of the answer being checked.
        double: the same for the wire double's answer to the same request.

    >>> d = exchange_drift((200, {"content-type": "application/json"}, b'{"a":1}'),
    ...                    (200, {"content-type": "application/json"}, b'{"a":"x"}'))
    >>> d["clean"], d["fields"][0]["kind"]
    (False, 'type')
    """
    (ls, lh, lb), (ds, dh, db) = live, double
    l_ct = next((v for k, v in lh.items() if k.lower() == "content-type"), "")
    d_ct = next((v for k, v in dh.items() if k.lower() == "content-type"), "")
    fields = diff_shapes(body_shape(l_ct, lb), body_shape(d_ct, db))
    headers = diff_headers(lh.keys(), dh.keys())
    status = {"live": ls, "double": ds}
    clean = (
        ls == ds
        and not fields
        and not headers["missing_in_double"]
        and not (headers["missing_in_live"])
    )
    return {"status": status, "headers": headers, "fields": fields, "clean": clean}
