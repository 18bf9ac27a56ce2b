"""A minimal HTTP/1.1 loopback server that plays a WireDouble's outcomes (fallback only).

The harness prefers ``fw_core.testing.serve``. This module exists so the harness can run
while that server is unavailable; every result produced with it is labelled
``server: "bench-loopback"`` in the JSON and in RESULTS.md. It answers with the double's
own :class:`~fw_core.testing.outcome.Outcome` (status, headers, parts, delays), supports
keep-alive, chunked streaming and counts accepted connections in ``double.connections``.
Listens on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["serve_fallback"]

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    length = int(headers.get("content-length", "0") or 0)
    body = await reader.readexactly(length) if length else b""
    return method, target, headers, body


async def _play(writer: asyncio.StreamWriter, outcome: Any, keep_alive: bool) -> bool:
    """Write one outcome; returns False when the connection must close."""
    if outcome.before is not None:
        return False
    if outcome.delay:
        await asyncio.sleep(outcome.delay)
    status = outcome.status
    hdrs = [
        (k, v)
        for k, v in outcome.headers
        if k.lower() not in ("content-length", "transfer-encoding", "connection")
    ]
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    lines += [f"{k}: {v}" for k, v in hdrs]
    lines.append("connection: " + ("keep-alive" if keep_alive else "close"))
    if outcome.stream:
        lines.append("transfer-encoding: chunked")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        for i, part in enumerate(outcome.parts):
            if outcome.cut_after is not None and i >= outcome.cut_after:
                return False
            writer.write(b"%x\r\n%s\r\n" % (len(part), part))
            if i % 16 == 0:
                await writer.drain()
        writer.write(b"0\r\n\r\n")
    else:
        body = b"".join(outcome.parts)
        lines.append(f"content-length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
    await writer.drain()
    return keep_alive


def _handler(double: Any) -> Any:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        double.connections += 1
        host = "127.0.0.1"
        try:
            while True:
                try:
                    method, target, headers, body = await _read_request(reader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    break
                url = f"http://{headers.get('host', host)}{target}"
                outcome = double.handle(method, url, headers, body)
                keep = headers.get("connection", "").lower() != "close"
                if not await _play(writer, outcome, keep):
                    break
        except ConnectionError:
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    return handle


@contextlib.contextmanager
def serve_fallback(double: Any, port: int = 0) -> Iterator[str]:
    """Serve ``double`` on 127.0.0.1 in a background thread; yields the base URL."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    box: dict[str, Any] = {}

    async def start() -> None:
        server = await asyncio.start_server(_handler(double), "127.0.0.1", port, backlog=256)
        box["server"] = server
        box["port"] = server.sockets[0].getsockname()[1]
        ready.set()

    def run() -> None:
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=run, name="bench-loopback", daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("loopback server did not start")
    try:
        yield f"http://127.0.0.1:{box['port']}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
