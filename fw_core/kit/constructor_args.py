"""The rules for a constructor's arguments, one for every class of both frameworks:
unknown names (a typo raises, a server field passes through with a warning, a removed
option is refused with its reason) and the credential headers left out of what is dumped
or recorded.

Used by :class:`fw_core.kit.connection.ConnectionMixin` (every name here is importable
from :mod:`fw_core.kit.connection` too) and by the adapters' own serializers.

>>> sort_unknown_arguments("Embed", {"dimensions": 8}, {"dimensions"}, None)
{}
"""

from __future__ import annotations

import difflib
import functools
import sys
import warnings
from collections.abc import Collection, Mapping
from typing import Any

from pydantic import AliasChoices, BaseModel, SecretStr

from fw_core.errors import ConfigurationError

__all__ = [
    "BASE_ALIASES",
    "CREDENTIAL_HEADERS",
    "REMOVED_ARGUMENTS",
    "hide_credential_headers",
    "safe_headers",
    "sort_unknown_arguments",
]

#: Constructor names every class takes besides its field names: LlamaIndex spells the
#: async client ``async_http_client``, LangChain (and the field) ``http_async_client``.
BASE_ALIASES: Mapping[str, str] = {"async_http_client": "http_async_client"}

#: Constructor options this package no longer offers, each with why: refused by name
#: (:func:`sort_unknown_arguments`) rather than sent to the API as an unknown body field.
REMOVED_ARGUMENTS: Mapping[str, str] = {
    "document_inlining": "Fireworks removed document inlining (#transform=inline) on "
    "2025-06-30 (docs/wire.md §1.17); send a document to a model that reads it, or its "
    "text",
}

#: Header names whose values are credentials; left out when ``default_headers`` is dumped.
CREDENTIAL_HEADERS = frozenset(
    {"authorization", "x-api-key", "api-key", "cookie", "proxy-authorization"}
)


def sort_unknown_arguments(
    owner: str, given: Mapping[str, Any], known: Collection[str], extra_field: str | None
) -> dict[str, Any]:
    """The constructor arguments in ``given`` that are not in ``known``, to pass through.

    The rule for every class (docs/architecture.md#tolerant-reader): a name a letter or two
    away from an option (``temprature``) is a typo and raises
    :class:`~fw_core.errors.ConfigurationError` naming the option; any other unknown name is
    a request field the server owns, returned to be sent in ``extra_field`` (LangChain's
    ``model_kwargs``, LlamaIndex's ``additional_kwargs``) with a warning, as ``ChatOpenAI``
    does. A class without such a field (embeddings, rerankers) refuses it. An option this
    package removed (:data:`REMOVED_ARGUMENTS`) is refused with the reason.

    >>> sort_unknown_arguments("Chat", {"top_k": 5, "seed": 1}, {"seed"}, "model_kwargs")
    {'top_k': 5}
    >>> sort_unknown_arguments("Chat", {"sed": 1}, {"seed"}, "model_kwargs")
    Traceback (most recent call last):
    fw_core.errors.ConfigurationError: Chat got an unknown argument 'sed'; did you mean 'seed'?
    """
    unknown = {name: value for name, value in given.items() if name not in known}
    for name in unknown:
        if name in REMOVED_ARGUMENTS:
            raise ConfigurationError(f"{owner} no longer takes {name!r}: {REMOVED_ARGUMENTS[name]}")
        near = difflib.get_close_matches(name, [k for k in known if k[:1] != "_"], 1, 0.8)
        if near:
            raise ConfigurationError(
                f"{owner} got an unknown argument {name!r}; did you mean {near[0]!r}?"
            )
        if extra_field is None:
            raise ConfigurationError(f"{owner} got an unknown argument {name!r}")
    if unknown:
        names = ", ".join(map(repr, unknown))
        warnings.warn(
            f"{owner}: {names} not among its options, sent in the request body as "
            f"{extra_field} (pass {extra_field}={{...}} to say so and silence this)",
            UserWarning,
            stacklevel=_user_stacklevel(),
        )
    return unknown


_OUR_STACK = frozenset(
    {"fw_core", "langchain_fw", "llamaindex_fw", "pydantic", "langchain_core", "llama_index"}
)


def _user_stacklevel() -> int:
    """``warnings.warn``'s stacklevel for the first frame outside this package's and the
    frameworks' construction code: the warning points at the user's line."""
    frame, level = sys._getframe(2), 2
    while frame.f_back is not None:
        if frame.f_globals.get("__name__", "").partition(".")[0] not in _OUR_STACK:
            break
        frame, level = frame.f_back, level + 1
    return level


@functools.cache
def _known_arguments(cls: type[BaseModel]) -> frozenset[str]:
    """Every name ``cls`` takes: its fields, their aliases and the constructor aliases."""
    names = {*BASE_ALIASES, *getattr(cls, "fw_aliases", {})}
    for name, field in cls.model_fields.items():
        names.add(name)
        for alias in (field.alias, field.validation_alias):
            if isinstance(alias, str):
                names.add(alias)
            elif isinstance(alias, AliasChoices):
                names.update(c for c in alias.choices if isinstance(c, str))
    return frozenset(names)


def safe_headers(headers: Mapping[str, str] | None) -> dict[str, str] | None:
    """``headers`` without credential-bearing entries, for serialization.

    >>> safe_headers({"Authorization": "Bearer k", "X-Team": "search"})
    {'X-Team': 'search'}
    """
    if headers is None:
        return None
    return {k: v for k, v in headers.items() if k.lower() not in CREDENTIAL_HEADERS}


def hide_credential_headers(headers: Mapping[str, Any]) -> dict[str, Any]:
    """``headers`` with each credential header's value wrapped in ``SecretStr``.

    For what a framework records about a call (its arguments, its events): a ``SecretStr``
    prints and dumps as ``'**********'``, and ``fw_core.kit.affinity.check_extra_headers`` reads
    the value back for the request itself. The caller's mapping is not changed.

    >>> hide_credential_headers({"Authorization": "Bearer k", "X-Team": "search"})
    {'Authorization': SecretStr('**********'), 'X-Team': 'search'}
    """
    return {
        k: SecretStr(v) if k.lower() in CREDENTIAL_HEADERS and isinstance(v, str) else v
        for k, v in headers.items()
    }
