"""A loopback HTTP/1.1 server that plays a :class:`~fw_core.testing.WireDouble`.

An ``asyncio`` server with a small hand-written HTTP/1.1 parser runs in a background
thread with its own event loop: keep-alive, ``Content-Length`` bodies, chunked transfer
for streams, latency and slow-byte faults applied with ``asyncio.sleep`` (other
connections are not blocked), resets and cut streams by closing the socket. It listens
on a loopback address only and stops itself after ``max_lifetime`` seconds.

Base URLs: Fireworks ``{base_url}/inference/v1``, Firmware ``{base_url}/api/v1``,
Fireworks catalog ``{base_url}/v1/accounts/...``.

Example:
    >>> import httpx
    >>> from fw_core.testing import WireDouble, serve
    >>> double = WireDouble()
    >>> with serve(double) as base_url, httpx.Client() as http:
    ...     r = http.get(f"{base_url}/api/v1/models", headers={"Authorization": "Bearer t"})
    >>> r.status_code, double.connections
    (200, 1)
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import threading
from collections.abc import Iterator
from http import HTTPStatus

from fw_core.testing.double import WireDouble
from fw_core.testing.outcome import Outcome

__all__ = ["LoopbackServer", "serve"]

DEFAULT_MAX_LIFETIME = 600.0
_MAX_HEADER_LINES = 200
_MAX_BODY = 64 * 1024 * 1024
#: Listen backlog. asyncio's default (100) overflows when a load test opens a thousand
#: connections at once; the kernel then drops SYNs and clients wait out SYN retries (1 s,
#: 3 s, ...). The kernel caps this at net.core.somaxconn.
LISTEN_BACKLOG = 4096


def _check_loopback(host: str) -> None:
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the wire double listens on loopback addresses only, not {host!r}")


class _BadRequest(Exception):
    pass


async def _read_request(
    reader: asyncio.StreamReader,
) -> tuple[str, str, str, dict[str, str], bytes] | None:
    """(method, target, version, headers, body), or None at a clean end of connection."""
    line = await reader.readline()
    if not line:
        return None
    try:
        method, target, version = line.decode("latin-1").strip().split(" ", 2)
    except ValueError as exc:
        raise _BadRequest("malformed request line") from exc
    headers: dict[str, str] = {}
    for _ in range(_MAX_HEADER_LINES):
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        key, _, value = raw.decode("latin-1").partition(":")
        headers[key.strip()] = value.strip()
    lower = {k.lower(): v for k, v in headers.items()}
    body = b""
    if lower.get("transfer-encoding", "").lower() == "chunked":
        pieces = []
        while True:
            size = int((await reader.readline()).split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                await reader.readline()
                break
            pieces.append(await reader.readexactly(size))
            await reader.readline()
        body = b"".join(pieces)
    elif "content-length" in lower:
        length = int(lower["content-length"])
        if length > _MAX_BODY:
            raise _BadRequest("body too large")
        body = await reader.readexactly(length)
    return method, target, version, headers, body


def _head(outcome: Outcome, chunked: bool, length: int, keep_alive: bool) -> bytes:
    try:
        phrase = HTTPStatus(outcome.status).phrase
    except ValueError:
        phrase = "Unknown"
    lines = [f"HTTP/1.1 {outcome.status} {phrase}"]
    lines += [f"{k}: {v}" for k, v in outcome.headers]
    lines.append("transfer-encoding: chunked" if chunked else f"content-length: {length}")
    lines.append("connection: keep-alive" if keep_alive else "connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class LoopbackServer:
    """The server behind :func:`serve`; start() / stop() run it in a daemon thread.

    Example:
        >>> server = LoopbackServer(WireDouble()).start()
        >>> server.base_url.startswith("http://127.0.0.1:")
        True
        >>> server.stop()
    """

    def __init__(
        self,
        double: WireDouble,
        host: str = "127.0.0.1",
        port: int = 0,
        max_lifetime: float = DEFAULT_MAX_LIFETIME,
    ) -> None:
        _check_loopback(host)
        self.double = double
        self.host = host
        self.port = port
        self.max_lifetime = max_lifetime
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._error: BaseException | None = None
        self.stopped = threading.Event()

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> LoopbackServer:
        self._thread = threading.Thread(target=self._run, name="wire-double-server", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise RuntimeError("the wire double server failed to start") from self._error
        return self

    def stop(self, timeout: float = 5.0) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(timeout)

    # ------------------------------------------------------------------ thread side

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        except BaseException as exc:  # surfaced by start()
            self._error = exc
            self._ready.set()
        finally:
            loop.close()
            self.stopped.set()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(
            self._handle, self.host, self.port, backlog=LISTEN_BACKLOG
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stop.wait(), self.max_lifetime)
        server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        tasks = [t for t in self._tasks if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with self.double._lock:
            self.double.connections += 1
        self._writers.add(writer)
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            while True:
                try:
                    request = await _read_request(reader)
                except (_BadRequest, ValueError):
                    writer.write(
                        b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n"
                        b"connection: close\r\n\r\n"
                    )
                    break
                if request is None:
                    break
                method, target, version, headers, body = request
                lower = {k.lower(): v for k, v in headers.items()}
                keep_alive = (
                    lower.get("connection", "").lower() != "close" and version.upper() == "HTTP/1.1"
                )
                url = f"http://{lower.get('host', self.host)}{target}"
                outcome = self.double.handle(method, url, headers, body)
                if not await self._play(outcome, writer, keep_alive) or not keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            if task is not None:
                self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _play(self, o: Outcome, writer: asyncio.StreamWriter, keep_alive: bool) -> bool:
        """Send ``o``; False when the connection was dropped on purpose."""
        if o.before is not None:
            if o.before == "timeout":
                await asyncio.sleep(o.delay)
            writer.transport.abort()
            return False
        if o.delay:
            await asyncio.sleep(o.delay)
        chunked = o.stream
        body = b"" if chunked else o.body()
        head = _head(o, chunked, len(body), keep_alive)
        if o.body_delay:
            writer.write(head)
            await writer.drain()
            await asyncio.sleep(o.body_delay)
            head = b""
        if not chunked:
            if o.cut_after is not None:
                writer.write(head + b"".join(o.parts[: o.cut_after]))
                await writer.drain()
                writer.transport.abort()
                return False
            writer.write(head + body)  # one write: no Nagle / delayed-ACK stall
            await writer.drain()
            return True
        writer.write(head)
        for i, part in enumerate(o.parts):
            if o.cut_after is not None and i >= o.cut_after:
                await writer.drain()
                writer.transport.abort()
                return False
            if i and o.part_delay:
                await asyncio.sleep(o.part_delay)
            if part:
                writer.write(b"%x\r\n%s\r\n" % (len(part), part))
                await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True


@contextlib.contextmanager
def serve(
    double: WireDouble | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    max_lifetime: float = DEFAULT_MAX_LIFETIME,
) -> Iterator[str]:
    """Run a loopback server for ``double`` (a new one if None); yield its base URL."""
    server = LoopbackServer(double or WireDouble(), host, port, max_lifetime).start()
    try:
        yield server.base_url
    finally:
        server.stop()
