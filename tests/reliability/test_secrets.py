"""The API key never leaks: not in reprs, dumps, errors, logs or cassettes.

A property-style sweep: each public class is built with a known canary key, called on
the success path (sync and async) and then through every error path the fault matrix
knows (including servers that echo the key back in an error body or an ``event: error``
frame), and everything a user could print, serialize, log or record is searched for
the key. Also: TLS verification is on in the clients fw_core creates, and an injected
``http_client`` that follows redirects does not carry the key to another host.
"""

from __future__ import annotations

import json
import logging
import ssl
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fw_core import errors as fe
from fw_core.model_table import DEFAULTS
from fw_core.testing import Fault, WireDouble, patch_transports
from tests.reliability._classes import OMIT, PUBLIC_CLASSES, PublicClass
from tests.reliability._faults import FAULTS
from tests.reliability._surfaces import Wiring

CANARY = "fw-canary-7f3a9c2e1b5d4f6a8c0e2b4d6f8a1c3e"
# A long slice of the key is as bad as the whole; a masked tail ("...1c3e") is fine.
_NEEDLES = (CANARY, CANARY[3:27])

# Servers that quote the key back (some gateways do, in 401 and 400 bodies).
_ECHOES = [
    ("401-echo", lambda: Fault.status(401, message=f"Incorrect API key provided: {CANARY}")),
    ("400-echo", lambda: Fault.status(400, message=f"bad request from Bearer {CANARY}")),
    ("429-echo-html", lambda: Fault.status(429, body=f"<html>slow down {CANARY}</html>")),
]
_STREAM_ECHO = (
    "error-event-echo",
    lambda: Fault.error_event(after=1, message=f"upstream rejected key {CANARY}"),
)


_EVERY = 1000


def _texts_of_error(exc: BaseException) -> list[str]:
    out = ["".join(traceback.format_exception(exc))]
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        out += [str(cur), repr(cur), repr(cur.args), *getattr(cur, "__notes__", ())]
        out += [str(v) for k, v in vars(cur).items() if k != "__traceback__"]
        cur = cur.__cause__ or cur.__context__
    return out


def _texts_of_object(obj: Any) -> list[str]:
    out = [repr(obj), str(obj)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # .dict() and .json() are deprecated aliases
        for name in ("model_dump", "dict", "to_dict"):
            fn = getattr(obj, name, None)
            if callable(fn):
                out.append(repr(fn()))
        for name in ("model_dump_json", "json", "to_json"):
            fn = getattr(obj, name, None)
            if callable(fn):
                out.append(str(fn()))
        if hasattr(obj, "model_dump"):
            out.append(json.dumps(obj.model_dump(mode="json")))
    if hasattr(obj, "lc_secrets"):  # a LangChain object
        from langchain_core.load import dumpd, dumps

        out += [json.dumps(dumpd(obj)), dumps(obj, pretty=True)]
    return out


def _assert_clean(texts: list[str], where: str) -> None:
    for text in texts:
        for needle in _NEEDLES:
            assert needle not in text, f"the key leaked into {where}: {text[:300]!r}"


def _error_faults() -> list[tuple[str, Any]]:
    """(id, fault factory) for every error path of a one-shot call."""
    out = [
        (case.id, case.make)
        for case in FAULTS
        # the timeout path is covered by "read-timeout"
        if "call" in case.applies_to and case.timeout is None
    ]
    return out + _ECHOES


def _stream_faults() -> list[tuple[str, Any]]:
    """(id, fault factory) for every error path of a stream."""
    out = [
        (case.id, case.make)
        for case in FAULTS
        if "stream" in case.applies_to and case.timeout is None
    ]
    return [*out, *_ECHOES, _STREAM_ECHO]


@pytest.mark.parametrize("cls", [pytest.param(c, id=c.name) for c in PUBLIC_CLASSES])
async def test_key_never_leaks(cls: PublicClass, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wiring = Wiring()
    try:
        obj = cls.make(wiring, api_key=CANARY)
        _assert_clean(_texts_of_object(obj), "the fresh object")
        if cls.kind != "client" or "Async" not in cls.name:
            cls.call(obj)
        await cls.acall(obj)
        _assert_clean(_texts_of_object(obj), "the object after use")
        assert wiring.double.requests, "the success path made no request"
        for fault_id, make in _error_faults():
            # Every request fails (concurrent embedding batches included), retries too.
            wiring.double.inject(make(), times=_EVERY)
            with pytest.raises(fe.FwError) as info:
                await cls.acall(obj)
            _assert_clean(_texts_of_error(info.value), f"the error of {fault_id}")
            wiring.double.clear_faults()
        if cls.astream is not None:  # chat: the stream error paths too
            for fault_id, make in _stream_faults():
                wiring.double.inject(make(), times=_EVERY)
                with pytest.raises(fe.FwError) as info:
                    await cls.astream(obj)
                _assert_clean(_texts_of_error(info.value), f"the stream error of {fault_id}")
                wiring.double.clear_faults()
        records = [
            logging.Formatter("%(name)s %(message)s %(args)s").format(r) for r in caplog.records
        ]
        assert records, "nothing was logged at DEBUG; the log check would be vacuous"
        _assert_clean(records, "the logs")
    finally:
        await wiring.aclose()


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
async def test_key_echoed_in_a_stream_error_frame(asynchronous: bool) -> None:
    from fw_core import FIREWORKS, AsyncClient, Client
    from fw_core.endpoints import chat as fw_chat

    wiring = Wiring()
    try:
        body = {
            "model": DEFAULTS["chat"],
            "messages": [{"role": "user", "content": "hi"}],
        }
        wiring.double.inject(_STREAM_ECHO[1]())
        with pytest.raises(fe.StreamError) as info:
            if asynchronous:
                client = AsyncClient(FIREWORKS, api_key=CANARY, http_client=wiring.ahttp)
                async for _ in fw_chat.astream(client, body):
                    pass
            else:
                sync = Client(FIREWORKS, api_key=CANARY, http_client=wiring.http)
                for _ in fw_chat.stream(sync, body):
                    pass
        _assert_clean(_texts_of_error(info.value), "a stream error")
    finally:
        await wiring.aclose()


# --------------------------------------------------------------------------- cassettes


@pytest.fixture
def real_transports() -> Iterator[WireDouble]:
    """Requests to the real API hosts go to a double, below vcrpy (as ``make record``)."""
    with patch_transports(WireDouble()) as double:
        yield double


@pytest.mark.parametrize(
    "cls", [pytest.param(c, id=c.name) for c in PUBLIC_CLASSES if "Async" not in c.name]
)
async def test_recorded_cassettes_hold_no_key(
    cls: PublicClass,
    vcr_config: dict[str, Any],
    tmp_path: Path,
    real_transports: WireDouble,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Recorded the way ``make record`` does: the key comes from the environment."""
    import vcr

    from fw_core.testing.cassettes import json_body_matcher

    recorder = vcr.VCR(**{**vcr_config, "record_mode": "all"})
    recorder.register_matcher("json_body", json_body_matcher)
    path = tmp_path / "cassette.yaml"
    monkeypatch.setenv(cls.provider.api_key_env[0], CANARY)
    obj = cls.make(None, api_key=OMIT)
    with recorder.use_cassette(str(path)):
        cls.call(obj)
        real_transports.inject(Fault.status(401, message=f"Incorrect API key: {CANARY}"))
        with pytest.raises(fe.FwError):
            cls.call(obj)
    text = path.read_text()
    assert real_transports.requests and "interactions" in text
    _assert_clean([text], "a recorded cassette")


# --------------------------------------------------------------------------- transport


def _created_clients(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    made: list[Any] = []
    for cls in (httpx.Client, httpx.AsyncClient):
        original = cls.__init__

        def init(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> None:
            __original(self, *args, **kwargs)
            made.append(self)

        monkeypatch.setattr(cls, "__init__", init)
    return made


@pytest.mark.parametrize("cls", [pytest.param(c, id=c.name) for c in PUBLIC_CLASSES])
async def test_tls_verification_is_on_by_default(
    cls: PublicClass, monkeypatch: pytest.MonkeyPatch, real_transports: WireDouble
) -> None:
    made = _created_clients(monkeypatch)
    obj = cls.make(None, api_key=CANARY)
    if cls.kind != "client" or "Async" not in cls.name:
        cls.call(obj)
    await cls.acall(obj)
    assert made, "no httpx client was created"
    assert real_transports.requests
    for http in made:
        ctx = http._transport.ssl_context  # fw_core.http.slots: one context for every connection
        assert ctx.verify_mode == ssl.CERT_REQUIRED
        assert ctx.check_hostname is True


class _Redirector(httpx.BaseTransport):
    """API hosts answer 307 to another host; the other host records what it received."""

    def __init__(self, double: WireDouble) -> None:
        self.inner = double.transport()
        self.elsewhere: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != "elsewhere.example.net":
            target = request.url.copy_with(host="elsewhere.example.net")
            return httpx.Response(307, headers={"location": str(target)}, request=request)
        self.elsewhere.append(request)
        return self.inner.handle_request(request)


class _AsyncRedirector(httpx.AsyncBaseTransport):
    def __init__(self, sync: _Redirector) -> None:
        self.sync = sync

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = self.sync.handle_request(request)
        body = b"".join(response.stream)  # type: ignore[union-attr]
        return httpx.Response(
            response.status_code, headers=response.headers, content=body, request=request
        )


@pytest.mark.parametrize("follow", [True, False], ids=["follow", "no-follow"])
@pytest.mark.parametrize("cls", [pytest.param(c, id=c.name) for c in PUBLIC_CLASSES])
async def test_injected_client_keeps_the_key_off_redirects(cls: PublicClass, follow: bool) -> None:
    double = WireDouble()
    sync = _Redirector(double)
    http = httpx.Client(transport=sync, follow_redirects=follow)
    ahttp = httpx.AsyncClient(transport=_AsyncRedirector(sync), follow_redirects=follow)
    try:
        assert cls.http_kw is not None
        obj = cls.make(None, api_key=CANARY, **{cls.http_kw[0]: http, cls.http_kw[1]: ahttp})
        try:
            if cls.kind != "client" or "Async" not in cls.name:
                cls.call(obj)
            await cls.acall(obj)
        except fe.FwError as exc:  # a 401 from the other host, or an unfollowed 307
            _assert_clean(_texts_of_error(exc), "a redirect error")
        if follow:
            assert sync.elsewhere, "the redirect was not followed"
        else:
            assert sync.elsewhere == []
        for request in sync.elsewhere:
            assert "authorization" not in request.headers
            _assert_clean(
                [repr(dict(request.headers)), request.content.decode()], "a redirected request"
            )
    finally:
        http.close()
        await ahttp.aclose()


def test_fw_core_client_and_key_reprs_are_clean() -> None:
    from fw_core import FIREWORKS, Client

    client = Client(FIREWORKS, api_key=CANARY)
    _assert_clean(
        [
            repr(client),
            str(client),
            repr(client.api_key),
            str(client.api_key),
            repr(vars(client).get("_api_key")),
        ],
        "an fw_core client",
    )


def _chat_classes() -> list[Any]:
    from langchain_fw import ChatFireworks, ChatFirmware
    from llamaindex_fw import Fireworks, Firmware

    return [ChatFireworks, ChatFirmware, Fireworks, Firmware]


def _model_for(cls: Any) -> str:
    return DEFAULTS["firmware_chat" if "Firmware" in cls.__name__ else "chat"]


@pytest.mark.parametrize("cls", _chat_classes(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_a_credential_in_extra_headers_stays_out_of_reprs_and_dumps(cls: Any) -> None:
    """A key in ``extra_headers`` showed in the object's repr (``default_headers`` did not)."""
    obj = cls(
        model=_model_for(cls),
        api_key="test-key-unused",
        extra_headers={"Authorization": f"Bearer {CANARY}", "x-session-affinity": "s1"},
    )
    _assert_clean(_texts_of_object(obj), f"a {cls.__name__} with a credential extra header")
