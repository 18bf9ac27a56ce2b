"""Render one run's JSON as Markdown (benchmarks/RESULTS.md): machine, tables, targets."""

from __future__ import annotations

from typing import Any

from benchmarks.targets import evaluate

__all__ = ["render"]


def _ms(v: float | None) -> str:
    return "—" if v is None else f"{v * 1e3:.2f}"


def _us(v: float | None) -> str:
    return "—" if v is None else f"{v * 1e6:.0f}"


def _ratio(v: float | None, ref: float | None) -> str:
    if v is None or ref is None or ref <= 0:
        return "—"
    return f"{v / ref:.2f}x"


def _avail(row: dict[str, Any]) -> str:
    return "" if row.get("available") else f" (not available: {row.get('reason', '')})"


def _anchor_for(row: dict[str, Any]) -> str:
    return (
        "llama_index.llms.fireworks.Fireworks"
        if row["family"] == "llamaindex"
        else "langchain_fireworks.ChatFireworks"
    )


def _find(rows: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((r for r in rows if r["name"] == name and r.get("available")), None)


def _percall(sec: dict[str, Any]) -> list[str]:
    rows = sec["rows"]
    out = [
        f"### Per-call overhead, small non-streaming chat (ms per call; {sec['reps']} "
        f"interleaved reps x {sec['calls_per_batch']} calls, medians)",
        "",
        "Overhead = median over reps of (client - raw httpx in the same rep); floors do "
        "no I/O, so their column is their whole cost. Ratio = overhead / the framework "
        "anchor's overhead (langchain-fireworks, or llama-index's Fireworks).",
        "",
        "| client | kind | sync median | sync overhead | ratio | async median "
        "| async overhead | ratio | new conns/call (sync/async) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if not r.get("available"):
            out.append(f"| {r['name']}{_avail(r)} | {r['kind']} | | | | | | | |")
            continue
        anchor = _find(rows, _anchor_for(r))
        cells = [f"{r['name']}", r["kind"]]
        conns = []
        for mode in ("sync", "async"):
            m = r.get(mode) or {}
            a = (anchor or {}).get(mode) or {}
            ov = m.get("overhead")
            cells += [
                _ms(m.get("median")),
                _ms(ov if ov is not None else None),
                _ratio(ov, a.get("overhead")) if r["kind"] != "baseline" else "",
            ]
            n = m.get("new_connections_per_call")
            conns.append("—" if n is None else f"{n:g}")
        if r.get("async_reason"):
            cells[-1] += f" ({r['async_reason']})"
        out.append("| " + " | ".join(cells) + f" | {'/'.join(conns)} |")
    return out


def _streaming(sec: dict[str, Any]) -> list[str]:
    rows = sec["rows"]
    out = [
        f"### Streaming a {sec['chunks_requested']}-chunk response ({sec['reps']} "
        "interleaved reps, medians)",
        "",
        "Per chunk = stream time / content chunks; overhead = paired (client - raw "
        "httpx) / chunks. Peak = tracemalloc peak of one sync stream (Python "
        "allocations). New conns = connections the double accepted per back-to-back "
        "stream (0 = keep-alive survives the stream).",
        "",
        "| client | chunks | sync us/chunk | sync overhead us/chunk | ratio | TTFT ms "
        "| async us/chunk | async overhead | ratio | new conns/stream (sync/async) "
        "| peak KiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if not r.get("available"):
            out.append(f"| {r['name']}{_avail(r)} | | | | | | | | | | |")
            continue
        anchor = _find(rows, _anchor_for(r))
        s, a = r.get("sync") or {}, r.get("async") or {}
        sa, aa = (anchor or {}).get("sync") or {}, (anchor or {}).get("async") or {}
        sov = (s.get("per_chunk") or {}).get("overhead")
        aov = (a.get("per_chunk") or {}).get("overhead")
        base = r["kind"] == "baseline"
        conns = "/".join(
            "—"
            if m.get("new_connections_per_stream") is None
            else f"{m['new_connections_per_stream']:g}"
            for m in (s, a)
        )
        peak = r.get("tracemalloc_peak_bytes")
        cells = [
            r["name"],
            str(s.get("chunks", "—")),
            _us((s.get("per_chunk") or {}).get("median")),
            _us(sov),
            "" if base else _ratio(sov, (sa.get("per_chunk") or {}).get("overhead")),
            _ms((s.get("ttft") or {}).get("median")),
            _us((a.get("per_chunk") or {}).get("median")),
            _us(aov),
            "" if base else _ratio(aov, (aa.get("per_chunk") or {}).get("overhead")),
            conns,
            "—" if peak is None else f"{peak / 1024:.0f}",
        ]
        out.append("| " + " | ".join(cells) + " |")
    return out


def _embeddings(sec: dict[str, Any]) -> list[str]:
    out = [
        f"### Embedding {sec['texts']:,} short texts ({sec['reps']} interleaved reps, "
        f"median seconds)",
        "",
        f"The double charges {sec['latency_per_request'] * 1e3:g} ms per request plus "
        f"{sec['latency_per_input'] * 1e3:g} ms per input; its per-request input limit "
        f"is lifted so an oversize request can be timed (the real limit is "
        f"{sec['input_limit']}).",
        "",
        "| client | kind | median s | requests | max inputs/request | within limit |",
        "|---|---|---:|---:|---:|---|",
    ]
    for r in sec["rows"]:
        if not r.get("available"):
            out.append(f"| {r['name']}{_avail(r)} | {r['kind']} | | | | |")
            continue
        out.append(
            f"| {r['name']} | {r['kind']} | {r.get('median_seconds', 0):.2f} | "
            f"{r.get('requests')} | {r.get('max_inputs_per_request')} | "
            f"{'yes' if r.get('within_input_limit') else 'NO'} |"
        )
    return out


def _ratelimit(sec: dict[str, Any]) -> list[str]:
    out = [
        f"### Bulk work at a rate limit ({sec['rpm']:g} requests/minute per key and model, "
        f"burst {sec['burst']})",
        "",
        f"Each client in turn, with its own key: {sec['embed_inputs']:,} embeddings inputs "
        f"in calls of {sec['embed_per_call']}, and {sec['chat_calls']:,} chat calls "
        f"(`abatch`, LlamaIndex `asyncio.gather`), {sec['concurrency']} in flight. "
        "Throughput: the fastest run the limit allows (burst, then rpm/60 per second) over "
        "the measured time.",
        "",
        "| client | kind | work | calls | seconds | requests | throughput | 429 share | failures |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sec["rows"]:
        if not r.get("available"):
            out.append(f"| {r['name']}{_avail(r)} | {r['kind']} | {r['workload']} | | | | | | |")
            continue
        out.append(
            f"| {r['name']} | {r['kind']} | {r['workload']} | {r['calls']:,} | "
            f"{r['seconds']:.1f} | {r['requests']:,} | {r['throughput_share']:.1%} | "
            f"{r['share_429']:.1%} | {r['failures']:,} |"
        )
    return out


def _ray(sec: dict[str, Any]) -> list[str]:
    head = f"### Ray Data: {sec['texts']:,} texts on a local {sec['cpus']}-CPU Ray instance"
    if not sec.get("available"):
        return [head, "", f"Not run: {sec.get('reason', '?')}"]
    return [
        head,
        "",
        f"`map_batches` with a callable class (one `FireworksEmbeddings` per actor, "
        f"{sec['actors']} actors, {sec['ray_batch_size']:,} texts per Ray batch) vs "
        f"`FireworksEmbeddings().embed_documents` in one process; same double "
        f"({sec['latency_per_request'] * 1e3:g} ms per request plus "
        f"{sec['latency_per_input'] * 1e3:g} ms per input), {sec['reps']} interleaved reps.",
        "",
        "| | seconds |",
        "|---|---:|",
        f"| single process (median) | {sec['single_median_seconds']:.2f} |",
        f"| Ray Data, 2 actors (median) | {sec['ray_median_seconds']:.2f} |",
        f"| ratio single / Ray | {sec['ratio_single_over_ray']:.2f}x |",
        f"| Ray actors' span, first batch to last (median; no actor start-up) | "
        f"{sec['ray_actor_span_median_seconds']:.2f} |",
        f"| ratio single / actors' span | {sec['ratio_single_over_ray_span']:.2f}x |",
        f"| Ray start-up (`ray.init`) | {sec['ray_startup_seconds']:.2f} |",
        f"| Ray first run (untimed warm-up) | {sec['ray_first_run_seconds']:.2f} |",
    ]


def _imports(sec: dict[str, Any]) -> list[str]:
    out = [
        f"### Import time (fresh interpreter, best of {sec['reps']}; ms)",
        "",
        "| statement | best | median |",
        "|---|---:|---:|",
    ]
    for r in sec["rows"]:
        if not r.get("available"):
            out.append(f"| `{r['label']}` (not available: {r['reason']}) | | |")
            continue
        out.append(f"| `{r['label']}` | {_ms(r['best'])} | {_ms(r['median'])} |")
    return out


def _memory(sec: dict[str, Any]) -> list[str]:
    out = [
        f"### Memory: RSS over {sec['calls']:,} calls and {sec['streams']} streams of "
        f"{sec['chunks_per_stream']} chunks (fresh process per client, after "
        f"{sec['warmup_calls']} warm-up calls; KiB)",
        "",
        "| client | calls: growth | calls: 2nd-half growth | streams: growth "
        "| streams: 2nd-half growth | connections opened |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in sec["rows"]:
        if not r.get("available"):
            out.append(f"| {r['name']}{_avail(r)} | | | | | |")
            continue
        c, s = r["calls"], r["streams"]
        out.append(
            f"| {r['name']} | {c['growth'] / 1024:+.0f} | "
            f"{c['growth_second_half'] / 1024:+.0f} | {s['growth'] / 1024:+.0f} | "
            f"{s['growth_second_half'] / 1024:+.0f} | {r['connections_opened']} |"
        )
    return out


def _burst(sec: dict[str, Any]) -> list[str]:
    out = [
        f"### Concurrent burst: {sec['calls']} async calls at once, {sec['latency']:g} s server "
        f"latency, {sec['connections']} connections ({sec['reps']} reps, median)",
        "",
        f"Ideal: {sec['ideal_seconds']:g} s (waves of {sec['connections']} calls). New "
        "connections: what the double accepted during one burst (per rep); a client that "
        f"keeps its pool opens at most {sec['connections']}. Client CPU: this process's CPU "
        "time during the burst (the floor row shows what the double and the machine allow)."
        + (f" Load average before / after the bursts: {sec['load']}." if sec.get("load") else ""),
        "",
        "| client | kind | seconds | ratio to ideal | client CPU s | new connections "
        "| failed calls |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in sec["rows"]:
        if not r.get("available"):
            out.append(f"| {r['name']}{_avail(r)} | {r['kind']} | | | | | |")
            continue
        conns = " / ".join(str(c) for c in r["new_connections"])
        failed = " / ".join(str(c) for c in r["failed"])
        cpu = r.get("cpu_median")
        out.append(
            f"| {r['name']} | {r['kind']} | {r['median']:.2f} | {r['ratio_to_ideal']:.2f}x "
            f"| {'—' if cpu is None else f'{cpu:.2f}'} | {conns} | {failed} |"
        )
    return out


def _multiprocess(sec: dict[str, Any]) -> list[str]:
    from benchmarks.suites.multiprocess import render as render_multiprocess

    return render_multiprocess(sec)


def render(results: dict[str, Any]) -> str:
    """The whole RESULTS.md text for one run."""
    m = results["machine"]
    lines = ["# Benchmark results", ""]
    if results.get("provisional"):
        lines += [f"> **Provisional.** {results['provisional']}", ""]
    lines += [
        f"Run: {results['date']} — `{results['command']}` — mode: "
        f"{'quick' if results['quick'] else 'full'} — commit {results.get('commit', '?')}",
        "",
        f"Machine: {m['cpu']} ({m['cores']} cores), {m['memory_gib']:.0f} GiB, "
        f"{m['platform']}, Python {m['python']}. Load average before / after the run: "
        f"{m['load_before']} / {m['load_after']}. Server: {results['server']} (separate "
        "process, 127.0.0.1).",
        "",
        "Packages: " + ", ".join(f"{k} {v}" for k, v in results["packages"].items()),
        "",
        "Figures are medians of interleaved repetitions and ratios from this one run; "
        "absolute times depend on the machine and its load and are shown for context "
        "only.",
        "",
        "## Targets",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
    ]
    for c in evaluate(results):
        lines.append(f"| {c.target} | {c.measured} | **{c.verdict}** |")
    lines.append("")
    renderers = {
        "percall": _percall,
        "streaming": _streaming,
        "embeddings": _embeddings,
        "imports": _imports,
        "memory": _memory,
        "burst": _burst,
        "ratelimit": _ratelimit,
        "ray": _ray,
        "multiprocess": _multiprocess,
    }
    lines += ["## Details", ""]
    for key, fn in renderers.items():
        sec = results["suites"].get(key)
        if sec is None:
            continue
        if "error" in sec:
            lines += [f"### {key}: failed — {sec['error']}", ""]
            continue
        lines += [*fn(sec), ""]
    if results.get("notes"):
        lines += ["## Notes", "", *[f"- {n}" for n in results["notes"]], ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """``python -m benchmarks.report RUN.json [--note TEXT]...``: re-render RESULTS.md.

    Notes (e.g. hot spots found while profiling the run) are stored in the JSON too.
    """
    import argparse
    import json
    from pathlib import Path

    p = argparse.ArgumentParser(prog="python -m benchmarks.report")
    p.add_argument("json_path")
    p.add_argument("--note", action="append", default=[])
    args = p.parse_args(argv)
    path = Path(args.json_path)
    results = json.loads(path.read_text())
    if args.note:
        results.setdefault("notes", []).extend(args.note)
        path.write_text(json.dumps(results, indent=1, default=str))
    out = Path(__file__).resolve().parent / "RESULTS.md"
    out.write_text(render(results))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
