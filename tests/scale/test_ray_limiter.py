"""The shared rate limiter of a Ray job (fw_core.ratelimit.ray), on a local Ray instance.

Issue 21, deliver 2: the workers of one job consult one limiter actor, so they pace as one
client on the account's limit instead of each at the whole limit. One local Ray instance
(2 CPUs, no dashboard, no usage stats, 127.0.0.1) serves the module; the wire double runs
in limit mode in this process, and the workers reach it through ``base_url``. The figures
(four actors, 429 share, throughput) are in benchmarks/suites/multiprocess.py; these
tests check what must hold whatever the machine's speed.

Skipped only when ``ray`` cannot be imported (the optional ``scale`` group; ``make
install`` installs it, so CI runs these).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ray = pytest.importorskip(
    "ray", reason="ray is not installed: the optional `scale` group (pip install --group scale)"
)

from fw_core import ratelimit  # noqa: E402
from fw_core.model_table import DEFAULTS  # noqa: E402
from fw_core.ratelimit import ray as ray_limiter  # noqa: E402
from fw_core.testing import WireDouble  # noqa: E402
from fw_core.testing.server import serve  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
KEY = "test-key-ray-limiter"
WIRE_MODEL = DEFAULTS["small"]
RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0"}
NAME = "fw-ratelimit-test"


@pytest.fixture(scope="module")
def double() -> WireDouble:
    return WireDouble(rpm=600, burst=4)


@pytest.fixture(scope="module")
def base_url(double: WireDouble) -> Iterator[str]:
    with serve(double, max_lifetime=300) as url:
        yield url + "/inference/v1"


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    saved = {k: os.environ.get(k) for k in RAY_ENV}
    os.environ.update(RAY_ENV)
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
        logging_level="WARNING",
        runtime_env={"env_vars": {**RAY_ENV, "PYTHONPATH": path}},
    )
    ray_limiter.start(NAME)
    try:
        yield ray
    finally:
        ray_limiter.stop(NAME)
        ray.shutdown()
        ratelimit.use_shared(None)  # the driver goes back to its own limiters
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class Worker:
    """A job's worker: plugs into the shared limiter, then builds its client."""

    def __init__(self, base_url: str, plug: bool) -> None:
        from fw_core import FIREWORKS, Client

        if plug:
            ray_limiter.use(NAME)
        self.client = Client(FIREWORKS, api_key=KEY, base_url=base_url, max_retries=0)

    def kind(self) -> str:
        return type(self.client._limiter({"model": WIRE_MODEL})).__name__

    def chat(self, n: int) -> int:
        body = {"model": WIRE_MODEL, "messages": [{"role": "user", "content": "hi"}]}
        body["max_tokens"] = 4
        for _ in range(n):
            self.client.request("POST", "/chat/completions", json_body=body)
        return n

    def acquire(self, model: str) -> float:
        limiter = ratelimit.limiter_for(self.client.base_url, ratelimit.key_id(KEY), model)
        return limiter.acquire()[0]


@pytest.fixture(scope="module")
def workers(local_ray: Any, base_url: str) -> dict[str, Any]:
    """Four workers, started together (each is a process that imports fw_core): two
    plugged in by code, one by its environment, one left alone."""
    cls = ray.remote(num_cpus=0.25)(Worker)
    env = {"runtime_env": {"env_vars": {ratelimit.SHARED_ENV: f"ray:{NAME}"}}}
    out = {
        "a": cls.remote(base_url, True),
        "b": cls.remote(base_url, True),
        "by_env": cls.options(**env).remote(base_url, False),
        "alone": cls.remote(base_url, False),
    }
    ray.get([w.kind.remote() for w in out.values()], timeout=120)
    return out


def test_workers_send_through_one_limiter_and_lose_nothing(
    workers: dict[str, Any], base_url: str, double: WireDouble
) -> None:
    a, b = workers["a"], workers["b"]
    assert ray.get([a.kind.remote(), b.kind.remote()]) == ["RayLimiter", "RayLimiter"]
    # max_retries=0: an unannounced 429 would raise; the limiter's waits lose nothing
    assert ray.get([a.chat.remote(8), b.chat.remote(8)], timeout=60) == [8, 8]
    # The driver sent nothing, yet its view of the shared limiter knows the limit the
    # workers' answers announced: one limiter for the job.
    ray_limiter.use(NAME)
    limiter = ratelimit.limiter_for(base_url, ratelimit.key_id(KEY), WIRE_MODEL)
    assert isinstance(limiter, ray_limiter.RayLimiter)
    assert limiter.snapshot().limit_rpm == 600.0
    assert double.limit is not None and double.limit.admitted >= 16


def test_a_slot_one_worker_takes_is_gone_for_the_others(
    workers: dict[str, Any], base_url: str
) -> None:
    ray_limiter.use(NAME)
    model = "pace-test-model"
    shared = ratelimit.limiter_for(base_url, ratelimit.key_id(KEY), model)
    shared.set_limit(6, burst=1)  # one request every ~10.5 s, for the whole job
    assert ray.get(workers["a"].acquire.remote(model)) == 0.0
    assert ray.get(workers["b"].acquire.remote(model)) > 5.0  # b waits for a's slot
    # a worker that did not plug in paces alone: its own limiter knows nothing
    assert ray.get(workers["alone"].acquire.remote(model)) == 0.0
    assert ray.get(workers["alone"].kind.remote()) == "RateLimiter"


def test_the_environment_plugs_a_worker_in_without_code(workers: dict[str, Any]) -> None:
    assert ray.get(workers["by_env"].kind.remote()) == "RayLimiter"
