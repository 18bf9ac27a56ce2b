"""The LangChain-facing error twins and the shared connection mixin (no HTTP)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import httpx
import pytest
from langchain_core import exceptions as lce
from pydantic import BaseModel

from fw_core import FIREWORKS, FIRMWARE, ProviderSpec
from fw_core import errors as fe
from fw_core.model_table import DEFAULTS
from langchain_fw._base import FwClientMixin
from langchain_fw._errors import map_error, translate_errors

CASES = [
    (fe.AuthenticationError, lce.ModelAuthenticationError),
    (fe.PermissionDeniedError, lce.ModelPermissionDeniedError),
    (fe.PaymentRequiredError, lce.ModelPermissionDeniedError),
    (fe.BadRequestError, lce.ModelInvalidRequestError),
    (fe.ContextLengthExceededError, lce.ContextOverflowError),
    (fe.ContextLengthExceededError, lce.ModelInvalidRequestError),
    (fe.UnsupportedParameterError, lce.ModelInvalidRequestError),
    (fe.NotFoundError, lce.ModelNotFoundError),
    (fe.RateLimitError, lce.ModelRateLimitError),
    (fe.InternalServerError, lce.ModelAPIError),
    (fe.APIConnectionError, lce.ModelConnectionError),
    (fe.APITimeoutError, lce.ModelTimeoutError),
    (fe.StreamError, lce.ModelAPIError),
]


@pytest.mark.parametrize(("fw_cls", "lc_cls"), CASES)
def test_mapped_error_is_both(fw_cls: type[fe.APIError], lc_cls: type[Exception]) -> None:
    original = fw_cls("boom", status_code=418, request_id="req-1", code="c", body="{}")
    with pytest.raises(lc_cls) as info, translate_errors():
        raise original
    err = info.value
    assert isinstance(err, fw_cls)
    assert (err.message, err.status_code, err.request_id, err.code, err.body) == (
        "boom",
        418,
        "req-1",
        "c",
        "{}",
    )
    assert err.__cause__ is original


def test_retryable_flags_follow_langchain() -> None:
    assert map_error(fe.RateLimitError("x")).is_retryable  # type: ignore[attr-defined]
    assert not map_error(fe.AuthenticationError("x")).is_retryable  # type: ignore[attr-defined]


def test_other_errors_pass_through() -> None:
    cfg = fe.ConfigurationError("bad")
    assert map_error(cfg) is cfg
    with pytest.raises(KeyError), translate_errors():
        raise KeyError("k")


async def test_translate_errors_in_async_code() -> None:
    async def failing() -> None:
        raise fe.NotFoundError("no model", status_code=404)

    with pytest.raises(lce.ModelNotFoundError), translate_errors():
        await failing()


class _Demo(FwClientMixin, BaseModel):
    fw_provider: ClassVar[ProviderSpec] = FIREWORKS
    fw_aliases: ClassVar[Mapping[str, str]] = {"fireworks_api_key": "api_key"}


class _DemoFirmware(FwClientMixin, BaseModel):
    fw_provider: ClassVar[ProviderSpec] = FIRMWARE


def test_missing_key_raises_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*FIREWORKS.api_key_env, *FIRMWARE.api_key_env):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(fe.ConfigurationError, match="FIREWORKS_API_KEY"):
        _Demo()
    with pytest.raises(fe.ConfigurationError, match="FIRMWARE_API_KEY"):
        _DemoFirmware()


def test_key_from_env_alias_and_secrecy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREWORKS_API_KEY", "env-key-value")
    assert _Demo().api_key.get_secret_value() == "env-key-value"  # type: ignore[union-attr]
    demo = _Demo(fireworks_api_key="alias-key-value")
    assert demo.api_key.get_secret_value() == "alias-key-value"  # type: ignore[union-attr]
    assert "alias-key-value" not in repr(demo)
    assert "alias-key-value" not in str(demo.model_dump())


def test_bad_settings_fail_at_construction() -> None:
    with pytest.raises(fe.ConfigurationError):
        _Demo(api_key="k", max_retries=-1)
    with pytest.raises(fe.ConfigurationError):
        _Demo(api_key="k", timeout=0)
    with pytest.raises(fe.ConfigurationError):
        _Demo(api_key="k", base_url="ftp://example.com")


def test_clients_are_lazy_reused_and_injected() -> None:
    http = httpx.Client()
    demo = _Demo(api_key="k", http_client=http, base_url="http://127.0.0.1:9")
    assert demo._fw_clients.sync is None
    client = demo._client()
    assert client is demo._client()
    assert client.http_client is http
    assert client.base_url == "http://127.0.0.1:9"
    assert demo._aclient() is demo._aclient()
    demo.close()
    assert not http.is_closed  # an injected client is the caller's to close
    http.close()


def test_llamaindex_spelling_of_the_async_client_is_taken() -> None:
    aio = httpx.AsyncClient()
    demo = _Demo(api_key="k", async_http_client=aio)
    assert demo.http_async_client is aio and demo._aclient().http_client is aio


def test_dumpd_has_no_credential_header_and_a_timeout_as_data() -> None:
    from langchain_core.load import dumpd, dumps, load

    from langchain_fw import ChatFireworks

    llm = ChatFireworks(
        model=DEFAULTS["chat"],
        api_key="k",
        default_headers={"Authorization": "Bearer hdr-fake", "X-Team": "search"},
        timeout=httpx.Timeout(9.0, connect=2.0),
    )
    kwargs = dumpd(llm)["kwargs"]
    assert "hdr-fake" not in dumps(llm)
    assert kwargs["default_headers"] == {"X-Team": "search"}
    assert kwargs["timeout"] == {"connect": 2.0, "read": 9.0, "write": 9.0, "pool": 9.0}
    loaded = load(
        dumpd(llm),
        secrets_map={"FIREWORKS_API_KEY": "k"},
        allowed_objects=[ChatFireworks],
        valid_namespaces=["langchain_fw"],
    )
    assert loaded.timeout == llm.timeout


def test_copies_build_their_own_clients() -> None:
    demo = _Demo(api_key="k", base_url="http://127.0.0.1:9")
    original = demo._client()
    copy = demo.model_copy(update={"base_url": "http://127.0.0.1:10"})
    assert demo._client() is original
    assert copy._client() is not original
    assert copy._client().base_url == "http://127.0.0.1:10"
    assert demo.model_copy(deep=True)._client() is not original


def test_threads_share_one_client() -> None:
    from concurrent.futures import ThreadPoolExecutor

    demo = _Demo(api_key="k")
    with ThreadPoolExecutor(8) as pool:
        clients = list(pool.map(lambda _: demo._client(), range(64)))
    assert all(c is clients[0] for c in clients)


def test_a_subclass_the_table_lacks_keeps_its_own_class_and_fields() -> None:
    """``run_batch`` raised ``DatasetNotReadyError`` as a plain ``FwAPITimeoutError``, so
    ``except DatasetNotReadyError`` (what the Batch docs show) missed it in LangChain."""
    from fw_core.endpoints.batch import DatasetNotReadyError

    original = DatasetNotReadyError(
        "dataset not READY; no job was created", dataset_id="ds-1", state="UPLOADING", waited=30.0
    )
    original.add_note("part 1 of 2")
    with pytest.raises(DatasetNotReadyError) as info, translate_errors():
        raise original
    err = info.value
    assert err is not original and isinstance(err, lce.ModelTimeoutError)
    assert isinstance(err, fe.APITimeoutError)
    assert (err.dataset_id, err.state, err.waited) == ("ds-1", "UPLOADING", 30.0)
    assert str(err) == str(original) and err.__notes__ == ["part 1 of 2"]
    assert type(map_error(original)) is type(err)  # one twin class, made once
