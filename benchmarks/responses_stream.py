"""Per-event cost of a streamed Responses API answer, at two lengths (docs/wire.md §1.18).

The project rule is that a stream costs linear time: the cost of one event must not grow
with the answer already streamed. This script streams one canned answer of N text deltas
(plus the usual created / item / completed events), or one tool call whose arguments
come in N pieces, through

* ``core``: :func:`fw_core.endpoints.responses.stream` alone (the accumulator the adapters share),
* ``lc``: ``langchain_fw.ChatFireworks(use_responses_api=True).stream``,
* ``li``: ``llamaindex_fw.FireworksResponses.stream_chat``,

each over an in-process ``httpx.MockTransport`` that replays the same SSE body (no socket,
no wire double in the timed loop), and prints microseconds per event for N = 400 and
N = 4000. Linear code gives about the same figure at both lengths; code that copies or
re-validates the whole answer per event gives a figure that grows with N.

LangChain's own ``BaseChatModel.stream`` keeps every chunk until the stream ends (to merge
them for the callbacks), so at large N its figure grows with the collector's scans of those
chunks, not with our code: ``--gc-off`` shows it flat.

Usage::

    python -m benchmarks.responses_stream              # 400 and 4000 deltas, best of 5
    python -m benchmarks.responses_stream --reps 9 --sizes 400,4000,16000 --gc-off

Every loop is bounded (``--reps`` repetitions of one stream per client and size).
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections.abc import Callable
from typing import Any

import httpx

MODEL = "accounts/fireworks/models/llama-v3p3-70b-instruct"
WORD = "word "  # one delta; the answer is N of them


def sse_body(deltas: int, kind: str = "text") -> tuple[bytes, int]:
    """A Responses stream of ``deltas`` deltas as SSE bytes, and its event count.

    ``kind="text"``: one message of ``deltas`` text deltas; ``kind="tool"``: one function
    call whose arguments (``{"text": "word word ..."}``) come in ``deltas`` pieces.
    """
    text = WORD * deltas
    if kind == "text":
        item: dict[str, Any] = {"type": "message", "id": "msg_1", "role": "assistant"}
        done = {**item, "content": [{"type": "output_text", "text": text, "annotations": []}]}
        added = {**item, "content": []}
        piece = {"type": "response.output_text.delta", "output_index": 0, "content_index": 0}
        pieces = [WORD] * deltas
    else:
        args = json.dumps({"text": text})
        item = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "say"}
        done, added = {**item, "arguments": args}, {**item, "arguments": ""}
        piece = {"type": "response.function_call_arguments.delta", "output_index": 0}
        pieces = [args[:10], *([WORD] * deltas), args[-2:]]
    final = {
        "id": "resp_bench",
        "object": "response",
        "status": "completed",
        "model": MODEL,
        "output": [{**done, "status": "completed"}],
        "usage": {"input_tokens": 5, "output_tokens": deltas, "total_tokens": deltas + 5},
    }
    shell = {**final, "status": "in_progress", "output": [], "usage": None}
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": shell},
        {"type": "response.output_item.added", "output_index": 0, "item": added},
    ]
    events += [{**piece, "delta": p} for p in pieces]
    events += [
        {"type": "response.output_item.done", "output_index": 0, "item": final["output"][0]},
        {"type": "response.completed", "response": final},
    ]
    frames = (
        f"event: {e['type']}\ndata: {json.dumps({**e, 'sequence_number': n})}\n\n"
        for n, e in enumerate(events)
    )
    return "".join(frames).encode(), len(events)


def _transport(body: bytes) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    return httpx.MockTransport(handler)


def _runners(body: bytes) -> dict[str, Callable[[], int]]:
    """One callable per client: stream the canned answer once, return its text length."""
    from langchain_core.messages import HumanMessage
    from llama_index.core.base.llms.types import ChatMessage

    from fw_core import FIREWORKS, Client
    from fw_core.endpoints import responses as rs
    from langchain_fw import ChatFireworks
    from llamaindex_fw import FireworksResponses

    core = Client(
        FIREWORKS, api_key="bench-key", http_client=httpx.Client(transport=_transport(body))
    )
    common: dict[str, Any] = {"model": MODEL, "api_key": "bench-key", "max_retries": 0}
    lc = ChatFireworks(
        **common, use_responses_api=True, http_client=httpx.Client(transport=_transport(body))
    )
    li = FireworksResponses(**common, http_client=httpx.Client(transport=_transport(body)))

    def run_core() -> int:
        s = rs.stream(core, {"model": MODEL, "input": "Say words."})
        for _ in s:
            pass
        return len(s.response.output_text)

    def run_lc() -> int:
        # the chunks' own text, not LangChain's chunk addition (its cost, not ours)
        return sum(len(chunk.text) for chunk in lc.stream([HumanMessage("Say words.")]))

    def run_li() -> int:
        last = None
        for response in li.stream_chat([ChatMessage(role="user", content="Say words.")]):
            last = response
        return len(last.message.content or "") if last is not None else 0

    return {"core": run_core, "lc": run_lc, "li": run_li}


def measure(sizes: list[int], reps: int, kinds: list[str]) -> dict[str, dict[int, float]]:
    """Best-of-``reps`` microseconds per event, per client (and stream kind) and size."""
    out: dict[str, dict[int, float]] = {}
    for kind in kinds:
        for size in sizes:
            body, events = sse_body(size, kind)
            for name, run in _runners(body).items():
                out.setdefault(f"{name}/{kind}", {})[size] = _best(run, reps, size, kind) / events
    return out


def _best(run: Callable[[], int], reps: int, size: int, kind: str) -> float:
    """Best-of-``reps`` microseconds of one stream (after a warm-up run)."""
    got = run()
    assert kind != "text" or got == len(WORD * size), "lost text"
    best = float("inf")
    for _ in range(reps):
        gc.collect()
        if GC_OFF:
            gc.disable()
        try:
            start = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
    return best * 1e6


#: ``--gc-off``: time with the cyclic collector paused (LangChain's ``stream`` keeps every
#: chunk until the end, so collections during a long stream scan more objects as it goes)
GC_OFF = False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="400,4000", help="comma-separated delta counts")
    parser.add_argument("--reps", type=int, default=5, help="repetitions per client and size")
    parser.add_argument(
        "--kinds", default="text,tool", help="text (message) and/or tool (arguments)"
    )
    parser.add_argument("--gc-off", action="store_true", help="pause the collector per run")
    args = parser.parse_args(argv)
    global GC_OFF
    GC_OFF = args.gc_off
    sizes = [int(s) for s in args.sizes.split(",") if s]
    kinds = [k for k in args.kinds.split(",") if k in ("text", "tool")]
    results = measure(sizes, max(1, args.reps), kinds)
    print(f"µs per event (best of {args.reps})")
    print("client     " + "".join(f"{n:>10}" for n in sizes) + "   growth")
    for name, row in results.items():
        cells = "".join(f"{row[n]:>10.1f}" for n in sizes)
        growth = row[sizes[-1]] / row[sizes[0]] if row[sizes[0]] else float("nan")
        print(f"{name:<11}{cells}   x{growth:.2f}")


if __name__ == "__main__":
    main()
