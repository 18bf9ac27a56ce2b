"""A pickled ``FwRateLimiter`` keeps its identity in a spawned worker, without the key.

Ray, Spark and ``multiprocessing`` with the ``spawn`` start method (the default on macOS
and Windows) send the limiter to a fresh interpreter as a pickle. There it must resolve to
the same registry entry (base URL, key id, model) as a client the worker builds with the
same key, so the two pace together; and the pickle must not carry the key or a reversible
form of it (issue 20, deliver 7; docs/rate_limits.md).
"""

from __future__ import annotations

import base64
import multiprocessing
import pickle
from typing import Any

from fw_core import FIREWORKS, Client, ratelimit
from fw_core.model_table import DEFAULTS
from langchain_fw import FwRateLimiter

KEY = "fw-spawn-test-" + "k3y" * 12
WIRE_MODEL = DEFAULTS["small"]  # a served model from the model table
MODEL = WIRE_MODEL.rsplit("/", 1)[1]  # as a user types it


def _in_spawned_worker(blob: bytes, key: str) -> dict[str, Any]:
    """Runs in the child: unpickle the limiter, build a client on the same key, compare."""
    limiter = pickle.loads(blob)
    client = Client(FIREWORKS, api_key=key)
    theirs = client._limiter({"model": WIRE_MODEL})
    return {
        "same_limiter": theirs is limiter.limiter,
        "client_sees_limit": theirs.snapshot().limit_rpm if theirs is not None else None,
        "key_id": ratelimit.key_id(key),
    }


def test_unpickled_limiter_in_a_spawned_worker_shares_the_workers_client_limiter() -> None:
    limiter = FwRateLimiter(model=MODEL, api_key=KEY, requests_per_minute=600, burst=2)
    blob = pickle.dumps(limiter)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        out = pool.apply(_in_spawned_worker, (blob, KEY))
    assert out["same_limiter"], "the worker's client uses another limiter"
    # the limit the pickled limiter brought is the one the worker's client paces at
    assert out["client_sees_limit"] == 600
    # the id is the same in both processes (no per-process salt)
    assert out["key_id"] == ratelimit.key_id(KEY)


def test_the_pickle_holds_no_key_nor_a_reversible_form() -> None:
    blob = pickle.dumps(FwRateLimiter(model=MODEL, api_key=KEY))
    raw = KEY.encode()
    for form in (
        raw,
        raw[:16],
        raw.hex().encode(),
        base64.b64encode(raw),
        base64.urlsafe_b64encode(raw),
        raw[::-1],
    ):
        assert form not in blob
    # what it holds instead is the one-way id
    assert ratelimit.key_id(KEY).encode() in blob


def test_key_id_is_process_independent_and_one_way() -> None:
    # a function of the key alone (the spawn test above shows another process agrees),
    # 128 bits, with no part of the key in it
    assert ratelimit.key_id("fw-example") == ratelimit.key_id("fw-example")
    assert ratelimit.key_id("fw-example") != ratelimit.key_id("fw-exampl3")
    assert len(ratelimit.key_id(KEY)) == 32
    assert KEY[:8] not in ratelimit.key_id(KEY)
