"""A limiter shared between processes, plugged in behind fw_core's limiter interface.

``fw_core.ratelimit.registry.use_shared`` makes every limiter a process creates come from a
factory (issue 21, deliver 2); ``fw_core.ratelimit.ray`` is the factory for a Ray job: its
actor class, :class:`~fw_core.ratelimit.ray.LimiterActor`, is plain Python and is tested
here without Ray (tests/scale/test_ray_limiter.py runs it as an actor). Ray itself is
optional: importing the module must not import it.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator

import pytest

from fw_core import FIREWORKS, Client, ratelimit
from fw_core.model_table import DEFAULTS
from fw_core.ratelimit.ray import LimiterActor

BASE = FIREWORKS.default_base_url
WIRE_MODEL = DEFAULTS["small"]


@pytest.fixture
def per_process() -> Iterator[None]:
    """Whatever a test plugs in, the process goes back to its own limiters after it."""
    yield
    ratelimit.use_shared(None)


def test_a_shared_factory_supplies_the_limiters_clients_use(per_process: None) -> None:
    made: list[tuple[str, str, str]] = []

    def factory(base_url: str, key_id: str, model: str) -> ratelimit.RateLimiter:
        made.append((base_url, key_id, model))
        return ratelimit.RateLimiter()

    ratelimit.use_shared(factory)
    key = "test-key-shared"
    client = Client(FIREWORKS, api_key=key)
    limiter = client._limiter({"model": WIRE_MODEL})
    assert limiter is ratelimit.limiter_for(BASE, ratelimit.key_id(key), WIRE_MODEL)
    # one limiter per (base URL, key id, model), made once, and never with the key itself
    assert made == [(BASE.rstrip("/"), ratelimit.key_id(key), WIRE_MODEL)]
    assert all("test-key-shared" not in part for part in made[0])
    ratelimit.use_shared(None)
    assert ratelimit.limiter_for(BASE, "k", WIRE_MODEL) is not limiter
    assert len(made) == 1  # back to per-process limiters: the factory is not asked


def test_an_unknown_shared_limiter_in_the_environment_is_a_clear_error(
    per_process: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    ratelimit.use_shared(None)
    monkeypatch.setattr(ratelimit.registry, "_ENV_READ", False)
    monkeypatch.setenv(ratelimit.SHARED_ENV, "redis://somewhere")
    with pytest.raises(ValueError, match="FW_RATELIMIT_SHARED"):
        ratelimit.limiter_for(BASE, "env-test", "env-model")


def test_the_actor_keeps_one_limiter_per_key_and_learns_from_every_worker() -> None:
    actor = LimiterActor()
    a = (BASE, "id-a", WIRE_MODEL)
    b = (BASE, "id-b", WIRE_MODEL)
    # a worker's answer teaches the limit; another worker's next slots are paced by it
    wait, ticket = actor.acquire(a, False, True, None)
    assert wait == 0.0
    headers = {"x-ratelimit-limit-requests": "60", "x-ratelimit-remaining-requests": "0"}
    assert actor.observe(a, 200, headers, ticket) is None
    assert actor.snapshot(a).limit_rpm == 60.0
    waits = [actor.acquire(a, False, True, None)[0] for _ in range(2)]
    assert 0 < waits[0] < waits[1]  # one slot after the other, at 95 % of 1 per second
    # another key is another account: untouched
    assert actor.snapshot(b).limit_rpm is None
    assert actor.acquire(b, False, True, None)[0] == 0.0
    actor.set_limit(b, 6.0, 1)
    assert actor.snapshot(b).limit_rpm == 6.0
    actor.forget(b)
    assert actor.snapshot(b).limit_rpm is None
    assert actor.ticket(b) > 0


def test_only_the_limit_headers_travel() -> None:
    got = ratelimit.wanted_headers(
        {
            "X-RateLimit-Remaining-Requests": "3",
            "retry-after-ms": "250",
            "authorization": "(not sent)",
            "set-cookie": "x=y",
        }
    )
    assert got == {"x-ratelimit-remaining-requests": "3", "retry-after-ms": "250"}


def test_importing_the_ray_limiter_does_not_import_ray() -> None:
    code = "import sys, fw_core, fw_core.ratelimit.ray; print('ray' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


class _Remote:
    """A stand-in for a Ray actor handle around a plain LimiterActor: ``m.remote(...)``
    returns the call's result; ``ray.get`` returns it as it is."""

    def __init__(self, actor: LimiterActor) -> None:
        self.actor = actor
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> object:
        method = getattr(self.actor, name)
        calls = self.calls

        class _Method:
            @staticmethod
            def remote(*args: object) -> object:
                calls.append(name)
                return method(*args)

        return _Method()


class _FakeRay:
    @staticmethod
    def get(value: object) -> object:
        return value


def test_the_ray_stand_in_forwards_to_the_actor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fw_core.ratelimit import ray as ray_limiter

    monkeypatch.setattr(ray_limiter, "_ray", lambda: _FakeRay)
    remote = _Remote(LimiterActor())
    lim = ray_limiter.RayLimiter("job", (BASE, "id", WIRE_MODEL))
    lim._handle = remote
    wait, ticket = lim.acquire()
    assert wait == 0.0 and remote.calls == ["acquire"]
    headers = {
        "x-ratelimit-limit-requests": "60",
        "x-ratelimit-remaining-requests": "5",
        "x-ratelimit-limit-tokens-prompt": "100",
        "authorization": "(not for the actor)",
    }
    assert lim.observe(200, headers, ticket) is None
    assert lim.snapshot().limit_rpm == 60.0  # the actor learned it
    # token budgets are kept in this process (the actor paces requests)
    assert lim.tokens is not None
    assert lim.reserve_tokens(b'{"input": "x"}') == 0.0
    # a 429 waits for the actor's pause; the rest are one-way calls
    assert lim.observe(429, {"retry-after": "2"}, lim.acquire()[1]) == 2.0
    lim.set_limit(30, burst=1)
    assert lim.snapshot().limit_rpm == 60.0  # the announced limit; 30 caps the pacing
    lim.forget()
    assert lim.snapshot().limit_rpm is None


class _AwaitableRemote(_Remote):
    """As :class:`_Remote`, but ``m.remote(...)`` returns an awaitable, as a Ray
    ObjectRef is."""

    def __getattr__(self, name: str) -> object:
        method = getattr(self.actor, name)
        calls = self.calls

        class _Method:
            @staticmethod
            def remote(*args: object) -> object:
                calls.append(name)
                done = asyncio.get_running_loop().create_future()
                done.set_result(method(*args))
                return done

        return _Method()


class _NoBlockingRay:
    @staticmethod
    def get(value: object) -> object:
        raise AssertionError("ray.get blocks the event loop")


def test_async_callers_await_the_actor_instead_of_blocking_the_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An async fw_core client awaits a remote limiter's round trips (fw_core.http.client checks
    ``limiter.remote``): ``ray.get`` in a coroutine would stall every other task of the
    loop for the round trip, once per request."""
    from fw_core.ratelimit import ray as ray_limiter

    monkeypatch.setattr(ray_limiter, "_ray", lambda: _NoBlockingRay)
    remote = _AwaitableRemote(LimiterActor())
    lim = ray_limiter.RayLimiter("job", (BASE, "id", WIRE_MODEL))
    lim._handle = remote
    headers = {"x-ratelimit-limit-requests": "60", "x-ratelimit-remaining-requests": "5"}

    async def run() -> tuple[float | None, float | None]:
        wait, ticket = await lim.aacquire()
        assert wait == 0.0
        first = await lim.aobserve(200, headers, ticket)  # the first limit: waited for
        later = await lim.aobserve(200, headers, ticket)  # then one-way
        refused = await lim.aobserve(429, {"retry-after": "2"}, (await lim.aacquire())[1])
        return first, refused if later is None else -1.0

    first, refused = asyncio.run(run())
    assert first is None and refused == 2.0
    assert remote.calls == ["acquire", "observe", "observe", "acquire", "observe"]
    assert lim.remote and not ratelimit.RateLimiter.remote
