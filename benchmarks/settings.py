"""How big a run is: the full run and the quick mode (under 60 s), in one place."""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["FULL", "QUICK", "Settings", "override"]


@dataclass(frozen=True)
class Settings:
    """Sizes of every suite. ``reps`` are interleaved repetitions."""

    quick: bool
    call_reps: int  # per-call suite: repetitions ...
    call_batch: int  # ... of this many calls per client
    stream_reps: int  # streaming suite: repetitions of one stream per client
    stream_chunks: int  # content chunks per stream
    embed_texts: int  # texts per embeddings run
    embed_reps: int
    embed_latency: float  # the double's charge per embeddings request (s) ...
    embed_per_input: float  # ... and per input (s)
    import_reps: int  # fresh interpreters per module (best of)
    mem_calls: int  # memory suite: calls after warm-up ...
    mem_streams: int  # ... and streams of ``stream_chunks`` chunks
    rl_embed_inputs: int = 20_000  # rate-limit suite: embeddings inputs per client ...
    rl_embed_per_call: int = 20  # ... in calls (one request each) of this many
    rl_chat_calls: int = 2_000  # ... and chat calls per client
    rl_rpm: float = 600.0  # the double's limit (requests/minute per key and model) ...
    rl_burst: int = 20  # ... and burst
    rl_concurrency: int = 32  # calls in flight (abatch max_concurrency)
    only_adapters: tuple[str, ...] = ()  # substrings; empty = all
    burst_calls: int = 1000  # burst suite: concurrent async calls (0.5 s each, 100 conns)
    burst_reps: int = 2

    def with_reps(self, reps: int) -> Settings:
        """The same run with every repetition count set to ``reps``."""
        return replace(
            self, call_reps=reps, stream_reps=reps, embed_reps=max(1, reps // 3), import_reps=reps
        )


FULL = Settings(
    quick=False,
    call_reps=15,
    call_batch=40,
    stream_reps=7,
    stream_chunks=1000,
    embed_texts=10_000,
    embed_reps=3,
    embed_latency=0.05,
    embed_per_input=0.0002,
    import_reps=5,
    mem_calls=10_000,
    mem_streams=10,
)

QUICK = Settings(
    quick=True,
    call_reps=3,
    call_batch=5,
    stream_reps=2,
    stream_chunks=250,
    embed_texts=1_000,
    embed_reps=1,
    embed_latency=0.05,
    embed_per_input=0.0002,
    import_reps=1,
    mem_calls=300,
    mem_streams=2,
    burst_calls=200,
    burst_reps=1,
    rl_embed_inputs=2_000,
    rl_embed_per_call=20,
    rl_chat_calls=100,
)


def override(settings: Settings, assignments: list[str]) -> Settings:
    """``settings`` with ``name=value`` assignments applied (ints and floats parsed).

    >>> override(QUICK, ["embed_texts=2000"]).embed_texts
    2000
    """
    changes: dict[str, object] = {}
    for item in assignments:
        name, _, raw = item.partition("=")
        current = getattr(settings, name.strip())
        changes[name.strip()] = type(current)(raw.strip())
    return replace(settings, **changes)
