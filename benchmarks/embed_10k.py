"""How long 10,000 short texts take to embed, sequential vs the default concurrency.

Runs against ``fw_core.testing.serve(WireDouble(latency=0.05, per_input_latency=0.0002))``
on loopback (no network, no key): each request waits 50 ms plus 0.2 ms per input, like an
API whose cost grows with the batch. By default the server runs in a child process, as a
real API runs elsewhere: in the same process the double's own CPU work (hashing words into
768-float vectors, writing ~150 MB of JSON) competes with the client for the GIL and hides
what concurrency buys; ``--in-process`` measures that setup anyway.

Three modes, interleaved round by round so drift hits them alike; the median of each is
reported with the number of requests one run sends:

- ``sequential``: ``FireworksEmbeddings(max_concurrency=1).embed_documents``
- ``default``: ``FireworksEmbeddings().embed_documents`` (threads, ``max_concurrency=8``)
- ``async default``: ``await FireworksEmbeddings().aembed_documents`` (tasks)

Usage::

    python -m benchmarks.embed_10k [--rounds 3] [--texts 10000] [--budget 180]
                                   [--dimensions N] [--firmware] [--in-process]

Stops early (and says so) when the time budget runs out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import statistics
import time
from collections.abc import Callable
from typing import Any

from pydantic import SecretStr

from fw_core.testing import WireDouble

LATENCY = 0.05
PER_INPUT_LATENCY = 0.0002


class _Server:
    """The wire double behind ``serve``: in this process, or in a child process."""

    def __init__(self, in_process: bool) -> None:
        self.in_process = in_process
        self._stack = contextlib.ExitStack()
        self.double: WireDouble | None = None
        self._conn: Any = None
        self._proc: Any = None

    def __enter__(self) -> str:
        if self.in_process:
            from fw_core.testing import serve

            self.double = WireDouble(latency=LATENCY, per_input_latency=PER_INPUT_LATENCY)
            return str(self._stack.enter_context(serve(self.double)))
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_child, args=(child,), daemon=True)
        self._proc.start()
        return str(self._conn.recv())

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._conn.send("stop")
            self._proc.join(10)
        self._stack.close()

    def _ask(self, command: str) -> int:
        if self.double is not None:
            if command == "reset":
                self.double.reset()
                return 0
            return self.double.count("/embeddings")
        self._conn.send(command)
        return int(self._conn.recv())

    def reset(self) -> None:
        self._ask("reset")

    def count(self) -> int:
        return self._ask("count")


def _child(conn: Any) -> None:
    """Child process: serve a double on loopback, answer reset/count/stop over ``conn``."""
    from fw_core.testing import serve

    double = WireDouble(latency=LATENCY, per_input_latency=PER_INPUT_LATENCY)
    with serve(double) as base_url:
        conn.send(base_url)
        while True:
            command = conn.recv()
            if command == "stop":
                return
            if command == "reset":
                double.reset()
                conn.send(0)
            else:
                conn.send(double.count("/embeddings"))


def _texts(n: int) -> list[str]:
    topics = ("retrieval", "embeddings", "vector stores", "rerankers", "chunking", "latency")
    return [f"Note {i}: a short passage about {topics[i % len(topics)]}." for i in range(n)]


def _modes(cls: type, base_url: str, dims: int | None) -> dict[str, Callable[[list[str]], Any]]:
    common = {"api_key": "bench-key", "base_url": base_url, "max_retries": 0, "dimensions": dims}
    sequential = cls(max_concurrency=1, **common)
    default = cls(**common)
    async_default = cls(**common)
    loop = asyncio.new_event_loop()  # one loop for every async run: its client is reused
    return {
        "sequential": sequential.embed_documents,
        "default": default.embed_documents,
        "async default": lambda texts: loop.run_until_complete(
            async_default.aembed_documents(texts)
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--texts", type=int, default=10_000)
    parser.add_argument("--budget", type=float, default=180.0, help="seconds, all rounds")
    parser.add_argument("--dimensions", type=int, default=None, help="Matryoshka size")
    parser.add_argument("--in-process", action="store_true", help="server in this process")
    parser.add_argument("--firmware", action="store_true", help="FirmwareEmbeddings instead")
    args = parser.parse_args(argv)

    from langchain_fw.embeddings import FireworksEmbeddings, FirmwareEmbeddings

    cls = FirmwareEmbeddings if args.firmware else FireworksEmbeddings
    prefix = "/api/v1" if args.firmware else "/inference/v1"
    texts = _texts(args.texts)
    times: dict[str, list[float]] = {}
    requests: dict[str, int] = {}
    deadline = time.monotonic() + args.budget
    server = _Server(args.in_process)
    with server as base_url:
        modes = _modes(cls, base_url + prefix, args.dimensions)
        for run in modes.values():  # warm-up: connections, imports
            run(texts[:10])
        for rnd in range(args.rounds):
            if time.monotonic() > deadline:
                print(f"time budget spent after {rnd} round(s)")
                break
            for mode, run in modes.items():
                server.reset()
                start = time.perf_counter()
                vectors = run(texts)
                times.setdefault(mode, []).append(time.perf_counter() - start)
                assert len(vectors) == len(texts)
                requests[mode] = server.count()
    model = cls(api_key=SecretStr("bench-key")).model
    where = "this process" if args.in_process else "a child process"
    dims = args.dimensions or "native"
    print(f"{len(texts):,} texts, {cls.__name__} ({model}, dimensions={dims})")
    print(f"server: fw_core.testing.serve in {where}")
    print(f"double: latency={LATENCY}s per request + {PER_INPUT_LATENCY}s per input")
    base = statistics.median(times["sequential"])
    for mode, values in times.items():
        med = statistics.median(values)
        print(
            f"  {mode:<14} median {med:6.3f}s over {len(values)} run(s), "
            f"{requests[mode]} requests, {base / med:4.1f}x vs sequential"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
