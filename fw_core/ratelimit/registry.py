"""The process's limiters: one per (base URL, key id, model), or a shared one's stand-ins.

:func:`limiter_for` hands every client of one key and model the same
:class:`~fw_core.ratelimit.limiter.RateLimiter`; :func:`use_shared` (or the
``FW_RATELIMIT_SHARED`` environment variable) makes them stand-ins for a limiter several
processes consult (:mod:`fw_core.ratelimit.ray`). Keys are never stored: :func:`key_id`
is a one-way hash of one.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable

from fw_core.ratelimit.limiter import RateLimiter

__all__ = [
    "KEY_ID_PERSON",
    "SHARED_ENV",
    "SharedFactory",
    "key_id",
    "limiter_for",
    "limiters",
    "reset",
    "use_shared",
]


#: blake2b personalisation of :func:`key_id`: fixed and public, so every process (a spawned
#: worker, a Ray actor, another machine) derives the same id from the same key.
KEY_ID_PERSON = b"fw-ratelimit-id1"
_REGISTRY: dict[tuple[str, str, str], RateLimiter] = {}
_REGISTRY_LOCK = threading.Lock()


def key_id(api_key: str) -> str:
    """A stand-in for a key in registry keys: a one-way hash, the same in every process.

    ``blake2b(key, person=KEY_ID_PERSON)``, 128 bits as hex. Equal keys give equal ids in
    every process, so an object pickled into a spawned worker (``FwRateLimiter``) finds the
    limiter the worker's own clients use; the id cannot be turned back into the key.

    The trade-off (docs/rate_limits.md): the hash is unsalted, so whoever holds an id
    (a pickle, a registry dump) can test key guesses against it offline. API keys are long
    random strings, which no guessing reaches; a process salt would make the id useless
    across processes, and a deliberately slow hash (scrypt) would cost every model object
    tens of milliseconds for no gain against such keys.

    >>> key_id("fw-example") == key_id("fw-example") != key_id("fw-other")
    True
    >>> "fw-example" in key_id("fw-example"), len(key_id("fw-example"))
    (False, 32)
    """
    digest = hashlib.blake2b(api_key.encode("utf-8"), digest_size=16, person=KEY_ID_PERSON)
    return digest.hexdigest()


#: Makes the limiter for (base URL, key id, model) when one is shared between processes
#: (:func:`use_shared`); None: each process has its own.
SharedFactory = Callable[[str, str, str], RateLimiter]
_SHARED: SharedFactory | None = None
#: ``FW_RATELIMIT_SHARED=ray`` (or ``ray:<actor name>``) in a worker's environment plugs
#: it into the job's shared limiter (fw_core.ratelimit.ray) without code in the worker.
SHARED_ENV = "FW_RATELIMIT_SHARED"
_ENV_READ = False


def use_shared(factory: SharedFactory | None) -> None:
    """Take this process's limiters from ``factory(base_url, key_id, model)`` from now on.

    For a limiter that several processes consult, such as the Ray actor of
    :func:`fw_core.ratelimit.ray.use`. Call it before building models: a client keeps the
    limiter it was first given. The limiters made so far are dropped from the registry;
    ``None`` goes back to one limiter per process.
    """
    global _SHARED, _ENV_READ
    with _REGISTRY_LOCK:
        _SHARED, _ENV_READ = factory, True
        _REGISTRY.clear()


def _shared_from_env() -> None:
    global _ENV_READ
    _ENV_READ = True
    spec = os.environ.get(SHARED_ENV, "").strip()
    if not spec:
        return
    kind, _, name = spec.partition(":")
    if kind != "ray":
        raise ValueError(f"{SHARED_ENV}={spec!r}: expected 'ray' or 'ray:<actor name>'")
    from fw_core.ratelimit import ray as ray_limiter

    ray_limiter.use(name or ray_limiter.DEFAULT_NAME)


def limiter_for(base_url: str, api_key_id: str, model: str) -> RateLimiter:
    """The process's one limiter for (base URL, key id, model), created on first use.

    ``api_key_id`` is :func:`key_id` of the key (never the key itself); ``model`` is the
    model id as sent on the wire ("" for requests without one). With :func:`use_shared`
    in force, a new entry comes from its factory (one limiter several processes consult).

    >>> a = limiter_for("https://api.fireworks.ai/inference/v1", key_id("k"), "m")
    >>> a is limiter_for("https://api.fireworks.ai/inference/v1", key_id("k"), "m")
    True
    """
    key = (base_url.rstrip("/"), api_key_id, model)
    limiter = _REGISTRY.get(key)
    if limiter is None:
        if not _ENV_READ:
            _shared_from_env()
        with _REGISTRY_LOCK:
            limiter = _REGISTRY.get(key)
            if limiter is None:
                limiter = _SHARED(*key) if _SHARED is not None else RateLimiter()
                _REGISTRY[key] = limiter
    return limiter


def limiters() -> dict[tuple[str, str, str], RateLimiter]:
    """A copy of the registry: (base URL, key id, model) -> limiter."""
    with _REGISTRY_LOCK:
        return dict(_REGISTRY)


def reset() -> None:
    """Make every limiter forget what it learned (objects stay: clients hold them)."""
    for limiter in limiters().values():
        limiter.forget()


def _after_fork() -> None:
    # A lock held by another thread at fork() would stay held forever in the child.
    global _REGISTRY_LOCK
    _REGISTRY_LOCK = threading.Lock()
    for limiter in _REGISTRY.values():
        limiter._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
