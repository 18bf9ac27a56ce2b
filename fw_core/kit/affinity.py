"""Prompt caching and session affinity: header names, affinity keys, the cached share.

Fireworks caches prompt prefixes per replica; requests that carry the same affinity key
(the ``x-session-affinity`` header, or the ``user`` body field) are routed to the same
replica, so a conversation's growing prefix is found warm. ``prompt_cache_isolation_key``
(body) or ``x-prompt-cache-isolation-key`` (header) partitions the cache: no sharing
between different keys. Both are in docs/wire.md §1.19, with their sources.

This module holds the pure parts both frameworks use: :func:`affinity_key` (a thread or
session id as a header-safe key), :func:`check_extra_headers` (per-call headers are ours to
type-check) and :func:`cached_share` (the cached fraction of a prompt).

>>> affinity_key("thread-1") == affinity_key("thread-1") != affinity_key("thread-2")
True
>>> cached_share(prompt_tokens=200, cached_tokens=150)
0.75
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr

from fw_core.errors import ConfigurationError

__all__ = [
    "ISOLATION_HEADER",
    "SESSION_AFFINITY_HEADER",
    "affinity_key",
    "cached_share",
    "check_extra_headers",
    "has_header",
]

#: The routing hint header (docs/wire.md §1.19).
SESSION_AFFINITY_HEADER = "x-session-affinity"
#: The cache-partition header; the body field ``prompt_cache_isolation_key`` is the same.
ISOLATION_HEADER = "x-prompt-cache-isolation-key"


def affinity_key(session: object) -> str:
    """A header-safe affinity key for a thread / session id: the SHA-256 hex of its text.

    Hashing keeps any id (Unicode, spaces, very long) valid in an HTTP header and stable
    across processes, and does not put the raw id on the wire.

    >>> len(affinity_key("Gespräch 1")), affinity_key(42) == affinity_key("42")
    (64, True)
    """
    return hashlib.sha256(str(session).encode("utf-8")).hexdigest()


def has_header(name: str, *layers: Mapping[str, str] | None) -> bool:
    """Whether any layer sets ``name`` (compared case-insensitively).

    >>> has_header("x-session-affinity", None, {"X-Session-Affinity": "a"})
    True
    """
    low = name.lower()
    return any(key.lower() == low for layer in layers if layer for key in layer)


def check_extra_headers(value: Any, name: str = "extra_headers") -> dict[str, str] | None:
    """Refuse (ConfigurationError) headers that are not a mapping of strings to strings.

    Returns them as a plain dict of strings (None stays None). A value may be a
    ``pydantic.SecretStr`` (how a credential travels through framework instrumentation,
    ``fw_core.kit.connection.hide_credential_headers``): its secret is what is sent. The names
    and values are the caller's: any header is sent (docs/architecture.md §2, tolerant
    reader).

    >>> check_extra_headers({"x-session-affinity": "abc"})
    {'x-session-affinity': 'abc'}
    >>> try:
    ...     check_extra_headers({"x-n": 1})
    ... except ConfigurationError as err:
    ...     print(err)
    extra_headers must map header names to string values, got 'x-n': 1
    """
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"{name} must be a dict of header name -> value, got {value!r}")
    out: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, SecretStr):
            item = item.get_secret_value()
        if not isinstance(key, str) or not isinstance(item, str):
            raise ConfigurationError(
                f"{name} must map header names to string values, got {key!r}: {item!r}"
            )
        out[key] = item
    return out


def cached_share(*, prompt_tokens: int | None, cached_tokens: int | None) -> float | None:
    """The fraction of the prompt that was read from the cache, or None if unknown.

    >>> cached_share(prompt_tokens=0, cached_tokens=0) is None
    True
    """
    if not prompt_tokens or cached_tokens is None:
        return None
    return round(cached_tokens / prompt_tokens, 4)
