"""Run the wire double as a loopback server in its own process, and talk to it.

The double's CPU must not land on the measured client's GIL, so it runs in a child
process: ``python -m benchmarks.server [options]`` prints one JSON line
(``{"base_url": ..., "server": ...}``), then answers commands on stdin, one per line:

* ``stats``: JSON with accepted connections (total) and, since the previous ``stats``, the
  number of requests, embeddings requests and the most inputs any embeddings request
  carried, and in limit mode (``--rpm``) how many requests were admitted and refused (429);
* ``quit`` (or end of input): stop.

It also stops by itself after ``--max-seconds``. :class:`DoubleServer` is the parent's
handle (a context manager). The server is ``fw_core.testing.serve`` when that exists, else
the harness's own loopback player (:mod:`benchmarks._loopback`), and the JSON says which.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import subprocess
import sys
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

__all__ = ["DoubleServer", "ServerOptions"]


@dataclass(frozen=True)
class ServerOptions:
    """How the double behaves in one benchmark suite."""

    latency: float = 0.0
    per_input_latency: float = 0.0
    stream_chunks: int | None = None
    embedding_dims: int | None = None  # override the double's native vector size
    lift_embedding_limit: bool = False  # let an anchor's oversize batch through
    max_seconds: float = 1800.0
    rpm: float | None = None  # the double's limit mode: requests/minute per key and model
    burst: int | None = None

    def argv(self) -> list[str]:
        out = [
            "--latency",
            str(self.latency),
            "--per-input-latency",
            str(self.per_input_latency),
            "--max-seconds",
            str(self.max_seconds),
        ]
        if self.stream_chunks:
            out += ["--stream-chunks", str(self.stream_chunks)]
        if self.embedding_dims:
            out += ["--embedding-dims", str(self.embedding_dims)]
        if self.lift_embedding_limit:
            out.append("--lift-embedding-limit")
        if self.rpm is not None:
            out += ["--rpm", str(self.rpm)]
        if self.burst is not None:
            out += ["--burst", str(self.burst)]
        return out


class DoubleServer(AbstractContextManager["DoubleServer"]):
    """A wire-double server in a child process (parent side).

    Example:
        >>> with DoubleServer(ServerOptions(stream_chunks=10)) as srv:  # doctest: +SKIP
        ...     srv.fireworks_url, srv.stats()["connections"]
    """

    def __init__(self, options: ServerOptions, python: str | None = None) -> None:
        self.options = options
        self.python = python or sys.executable
        self.base_url = ""
        self.server = ""
        self._proc: subprocess.Popen[str] | None = None

    @property
    def fireworks_url(self) -> str:
        return self.base_url + "/inference/v1"

    @property
    def firmware_url(self) -> str:
        return self.base_url + "/api/v1"

    def __enter__(self) -> DoubleServer:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self._proc = subprocess.Popen(
            [self.python, "-m", "benchmarks.server", *self.options.argv()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=root,
            bufsize=1,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            self._proc.wait(5)
            raise RuntimeError("the double's server process did not start")
        info = json.loads(line)
        self.base_url = info["base_url"]
        self.server = info["server"]
        return self

    def stats(self) -> dict[str, Any]:
        """Connections so far, and request counts since the previous call."""
        assert self._proc is not None and self._proc.stdin and self._proc.stdout
        self._proc.stdin.write("stats\n")
        self._proc.stdin.flush()
        return json.loads(self._proc.stdout.readline())

    def __exit__(self, *exc: object) -> None:
        proc = self._proc
        if proc is None:
            return
        try:
            if proc.stdin:
                proc.stdin.write("quit\n")
                proc.stdin.flush()
                proc.stdin.close()
            proc.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait(5)
        self._proc = None


# ------------------------------------------------------------------------------ child


def _configure(args: argparse.Namespace) -> Any:
    from fw_core.testing import WireDouble, generate

    # A pure function of (text, dims): cached so a text the double has embedded once costs
    # nothing the next time, whatever batch it arrives in.
    generate.embed_text = functools.lru_cache(maxsize=65536)(generate.embed_text)

    if args.embedding_dims:
        dims = int(args.embedding_dims)
        # responses.py calls generate.embedding_dims(model) through the module attribute
        generate.embedding_dims = lambda model: dims  # type: ignore[assignment]
    if args.lift_embedding_limit:
        from fw_core.testing import validation

        for key in list(validation.EMBEDDING_LIMITS):
            validation.EMBEDDING_LIMITS[key] = 1_000_000
    return WireDouble(
        latency=args.latency,
        per_input_latency=args.per_input_latency,
        stream_chunks=args.stream_chunks,
        rpm=args.rpm,
        burst=args.burst,
    )


class _Memo:
    """Replays the double's outcome for a request it has already answered.

    The double is deterministic, but deciding an answer costs it milliseconds of Python
    (about 3 ms for a small chat, 200 ms for a 1,000-chunk stream), which would sit in
    series with every measured call. The first request with a given method, path and body
    is answered by the double in full; identical repeats replay that outcome. The counters
    the harness reports are kept here, for every request.
    """

    def __init__(self, double: Any) -> None:
        self._handle = double.respond
        self._cache: dict[tuple[str, str, bytes], Any] = {}
        self._lock = threading.Lock()
        self.requests = 0
        self.embed_requests = 0
        self.embed_max_inputs = 0

    def __call__(self, method: str, url: str, headers: dict[str, str], content: bytes) -> Any:
        path = url.split("://", 1)[-1].partition("/")[2]
        if path.endswith("embeddings"):
            try:
                n = len(json.loads(content).get("input") or [])
            except (ValueError, AttributeError, TypeError):
                n = 0
            with self._lock:
                self.embed_requests += 1
                self.embed_max_inputs = max(self.embed_max_inputs, n)
        key = (method, path, content)
        with self._lock:
            self.requests += 1
            hit = self._cache.get(key)
        if hit is not None:
            return hit
        outcome = self._handle(method, url, headers, content)
        if outcome.status == 200 and outcome.before is None:
            with self._lock:
                if len(self._cache) < 512:
                    self._cache[key] = outcome
        return outcome

    def drain(self) -> dict[str, int]:
        with self._lock:
            out = {
                "requests": self.requests,
                "embed_requests": self.embed_requests,
                "embed_max_inputs": self.embed_max_inputs,
            }
            self.requests = self.embed_requests = self.embed_max_inputs = 0
        return out


def _serve(double: Any, max_seconds: float) -> tuple[Any, str]:
    try:
        from fw_core.testing.server import serve
    except ImportError:
        from benchmarks._loopback import serve_fallback

        return serve_fallback(double), "bench-loopback"
    return serve(double, max_lifetime=max_seconds), "fw_core.testing.serve"


def main(argv: list[str] | None = None) -> None:
    """Child process entry point."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.server")
    p.add_argument("--latency", type=float, default=0.0)
    p.add_argument("--per-input-latency", type=float, default=0.0)
    p.add_argument("--stream-chunks", type=int, default=None)
    p.add_argument("--embedding-dims", type=int, default=None)
    p.add_argument("--lift-embedding-limit", action="store_true")
    p.add_argument("--max-seconds", type=float, default=1800.0)
    p.add_argument("--rpm", type=float, default=None)
    p.add_argument("--burst", type=int, default=None)
    args = p.parse_args(argv)
    double = _configure(args)
    timer = threading.Timer(args.max_seconds, lambda: os._exit(3))
    timer.daemon = True
    timer.start()
    memo = _Memo(double)
    # The server calls double.handle(...) for every request; that applies the limit mode
    # (when set) and then double.respond(...), which the memo stands in for.
    double.respond = memo
    ctx, kind = _serve(double, args.max_seconds)
    with ctx as base_url:
        print(json.dumps({"base_url": str(base_url).rstrip("/"), "server": kind}), flush=True)
        for line in sys.stdin:
            cmd = line.strip()
            if cmd == "stats":
                with contextlib.suppress(Exception):
                    double.requests.clear()  # the double's own log; counters are in memo
                out = {"connections": double.connections, **memo.drain()}
                if double.limit is not None:
                    out["admitted"], out["rejected"] = double.limit.admitted, double.limit.rejected
                    double.limit.admitted = double.limit.rejected = 0
                print(json.dumps(out), flush=True)
            elif cmd == "quit":
                break
    timer.cancel()


if __name__ == "__main__":
    main()
