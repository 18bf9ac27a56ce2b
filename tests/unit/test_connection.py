"""fw_core.kit.connection.ConnectionMixin on a bare pydantic model: no framework, no HTTP."""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Mapping
from typing import ClassVar

import httpx
import pytest
from pydantic import BaseModel

from fw_core import FIREWORKS, ProviderSpec
from fw_core.errors import ConfigurationError
from fw_core.kit import connection as conn
from fw_core.kit.connection import ConnectionMixin, FireworksConnection, FirmwareConnection


class Demo(ConnectionMixin, BaseModel):
    fw_provider: ClassVar[ProviderSpec] = FIREWORKS
    fw_aliases: ClassVar[Mapping[str, str]] = {"fireworks_api_key": "api_key"}


def _pair() -> tuple[httpx.Client, httpx.AsyncClient]:
    return httpx.Client(), httpx.AsyncClient()


def test_both_async_client_spellings_are_taken() -> None:
    aio = httpx.AsyncClient()
    a = Demo(api_key="k", http_async_client=aio)
    b = Demo(api_key="k", async_http_client=aio)
    assert a.http_async_client is b.http_async_client is aio
    assert b._aclient().http_client is aio


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"http_client": httpx.AsyncClient()}, "http_client must be an httpx.Client"),
        ({"async_http_client": httpx.Client()}, "http_async_client must be an httpx.AsyncClient"),
        ({"timeout": 0}, "timeout must be a positive number"),
        ({"timeout": -1.5}, "timeout must be a positive number"),
        ({"timeout": {"connect": 1.0, "nonsense": 2}}, "timeout"),
        ({"max_retries": -1}, "max_retries must be an integer >= 0"),
        ({"base_url": "ftp://example.com"}, "base_url"),
    ],
)
def test_bad_settings_raise_configuration_error(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Demo(api_key="k", **kwargs)


def test_key_is_secret_and_never_dumped() -> None:
    demo = Demo(fireworks_api_key="sekrit-0123456789", default_headers={"Authorization": "x"})
    assert demo.api_key is not None and demo.api_key.get_secret_value() == "sekrit-0123456789"
    for text in (repr(demo), str(demo.model_dump()), demo.model_dump_json()):
        assert "sekrit" not in text
    assert demo.model_dump()["default_headers"] == {}


def test_an_httpx_timeout_is_taken_and_round_trips_through_json() -> None:
    timeout = httpx.Timeout(12.0, connect=2.0)
    demo = Demo(api_key="k", timeout=timeout)
    assert demo._client().timeout == timeout
    data = json.loads(demo.model_dump_json())
    assert data["timeout"] == {"connect": 2.0, "read": 12.0, "write": 12.0, "pool": 12.0}
    assert Demo(api_key="k", **data).timeout == timeout


def test_copies_have_their_own_clients_and_share_an_injected_one() -> None:
    sync, aio = _pair()
    demo = Demo(api_key="k", http_client=sync, http_async_client=aio)
    original = demo._client()
    for other in (copy.copy(demo), demo.model_copy(), copy.deepcopy(demo)):
        assert other._client() is not original
        assert other._client().http_client is sync  # the caller's client, not copied
        assert other._aclient().http_client is aio
    assert demo._client() is original
    sync.close()


def test_a_pickle_drops_injected_clients_and_builds_defaults() -> None:
    sync, aio = _pair()
    demo = FirmwareConnection(
        api_key="k", http_client=sync, http_async_client=aio, timeout=7.0, max_retries=1
    )
    demo._client()  # a used object pickles too
    clone = pickle.loads(pickle.dumps(demo))
    assert clone.http_client is None and clone.http_async_client is None
    built = clone._client()
    assert built.http_client is not sync and built.max_retries == 1
    assert built.timeout.read == 7.0 and built.base_url == demo.base_url
    assert clone.api_key is not None and clone.api_key.get_secret_value() == "k"
    assert demo.http_client is sync  # the original keeps its client
    sync.close()


def test_another_process_builds_fresh_clients_without_the_injected_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a fork looks like to the getter: the process id changed since the clients were
    built (the real fork is in tests/reliability/test_pickle_fork.py)."""
    sync, aio = _pair()
    demo = FireworksConnection(api_key="k", http_client=sync, http_async_client=aio)
    parent_sync, parent_async = demo._client(), demo._aclient()
    monkeypatch.setattr(conn, "_pid", conn._pid + 100_000)
    child_sync, child_async = demo._client(), demo._aclient()
    assert child_sync is not parent_sync and child_async is not parent_async
    assert child_sync.http_client is not sync and child_async.http_client is not aio
    assert demo._client() is child_sync  # then reused
    demo.close()  # closes the child's own client only
    assert not parent_sync.http_client.is_closed
    sync.close()


def test_close_leaves_an_injected_client_open() -> None:
    sync = httpx.Client()
    demo = Demo(api_key="k", http_client=sync)
    demo._client()
    demo.close()
    assert not sync.is_closed
    assert demo._fw_clients.sync is None
    sync.close()


def test_json_schema_describes_the_fields() -> None:
    props = Demo.model_json_schema()["properties"]
    assert {"number", "object"} <= {s.get("type") for s in props["timeout"]["anyOf"]}
    assert {"api_key", "http_client", "http_async_client", "default_headers"} <= set(props)


def test_rate_limit_settings_reach_the_fw_core_clients() -> None:
    from fw_core import ratelimit
    from fw_core.kit.connection import FireworksConnection

    default = FireworksConnection(api_key="example-key")
    assert default._client().rate_limit is True
    assert default.rate_limit_max_wait == ratelimit.DEFAULT_MAX_WAIT
    off = FireworksConnection(api_key="example-key", rate_limit=False, rate_limit_max_wait=5)
    assert off._client().rate_limit is False
    assert off._aclient().rate_limit_max_wait == 5.0


@pytest.mark.parametrize("bad", [-1, "soon", True])
def test_a_bad_rate_limit_max_wait_is_refused_at_construction(bad: object) -> None:
    from fw_core.errors import ConfigurationError
    from fw_core.kit.connection import FireworksConnection

    with pytest.raises(ConfigurationError, match="rate_limit_max_wait"):
        FireworksConnection(api_key="example-key", rate_limit_max_wait=bad)


def test_queue_timeout_reaches_the_fw_core_clients_and_their_transports() -> None:
    from fw_core.http.client import DEFAULT_QUEUE_TIMEOUT
    from fw_core.kit.connection import FireworksConnection

    default = FireworksConnection(api_key="example-key")
    assert default.queue_timeout == DEFAULT_QUEUE_TIMEOUT == 600.0
    assert default._client().http_client._transport.queue_timeout == 600.0  # type: ignore[attr-defined]
    unbounded = FireworksConnection(api_key="example-key", queue_timeout=None)
    assert unbounded._aclient().queue_timeout is None
    short = FireworksConnection(api_key="example-key", queue_timeout=2)
    assert short._client().queue_timeout == 2.0
    assert FireworksConnection.model_validate(short.model_dump()).queue_timeout == 2.0


@pytest.mark.parametrize("bad", [0, -1, "soon", True])
def test_a_bad_queue_timeout_is_refused_at_construction(bad: object) -> None:
    from fw_core.errors import ConfigurationError
    from fw_core.kit.connection import FireworksConnection

    with pytest.raises(ConfigurationError, match="queue_timeout"):
        FireworksConnection(api_key="example-key", queue_timeout=bad)
