"""fw_core.ratelimit (the shared adaptive limiter) and the double's limit mode, piece by piece.

End-to-end behaviour (batches over a limited double, sharing between objects, the
switch) is in tests/reliability/test_rate_limits.py.
"""

from __future__ import annotations

import itertools
import threading

import httpx
import pytest

from fw_core import FIREWORKS, Client, ratelimit
from fw_core.model_table import DEFAULTS
from fw_core.ratelimit import (
    DECREASE,
    DEFAULT_HEADROOM,
    INCREASE,
    MIN_RATE_SHARE,
    RECOVERY,
    Announced,
    RateLimiter,
    decreased,
    increased,
    key_id,
    limiter_for,
    read_headers,
    recovered,
    reserve,
    tat_for_remaining,
)
from fw_core.ratelimit.token_limits import TokenLimits
from fw_core.testing import WireDouble
from fw_core.testing.limits import RequestLimit, refill

URL = "https://api.fireworks.ai/inference/v1/chat/completions"
MODEL = DEFAULTS["small"]
BODY = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limited(limit: str = "600", remaining: str = "19", **extra: str) -> dict[str, str]:
    return {
        "x-ratelimit-limit-requests": limit,
        "x-ratelimit-remaining-requests": remaining,
        **extra,
    }


# ------------------------------------------------------------------------------ headers


def test_read_headers_from_httpx_and_plain_mappings() -> None:
    raw = httpx.Headers(
        [
            ("X-RateLimit-Limit-Requests", "60"),
            ("x-ratelimit-remaining-requests", "59"),
            ("x-ratelimit-over-limit", "no"),
            ("x-ratelimit-limit-tokens-prompt", "60000"),
            ("server", "envoy"),
        ]
    )
    # the token limit is read too (issue 21: token limits; fw_core.ratelimit.token_limits)
    tokens = TokenLimits(prompt=60000.0)
    expected = Announced(
        limit_rpm=60.0, remaining=59, retry_after=None, over_limit=False, tokens=tokens
    )
    assert read_headers(raw) == expected
    assert read_headers(dict(raw.items())) == expected
    assert read_headers(httpx.Headers({"server": "x"})) is None
    assert read_headers({}) is None


def test_read_headers_retry_hints_and_nonsense() -> None:
    assert read_headers({"retry-after-ms": "250", "retry-after": "9"}).retry_after == 0.25
    assert read_headers({"Retry-After": "3"}).retry_after == 3.0
    seen = read_headers(
        {"x-ratelimit-limit-requests": "lots", "x-ratelimit-remaining-requests": "-1"}
    )
    assert seen == Announced()
    assert read_headers({"x-ratelimit-limit-requests": "0"}).limit_rpm is None
    assert read_headers({"x-ratelimit-over-limit": "yes"}).over_limit


def test_read_headers_over_limit_and_retry_only_when_said() -> None:
    """The per-response fast path parses the over-limit flag and retry hints only when
    their headers are there; what they say is read as before, whatever the case."""
    said = httpx.Headers(
        [("X-RateLimit-Over-Limit", " TRUE "), ("Retry-After-Ms", "1500"), ("x-a", "b")]
    )
    seen = read_headers(said)
    assert seen is not None and (seen.over_limit, seen.retry_after) == (True, 1.5)
    quiet = read_headers(httpx.Headers([("x-ratelimit-remaining-requests", "3")]))
    assert quiet == Announced(remaining=3)
    assert read_headers({"x-ratelimit-over-limit": "maybe"}) == Announced()


def test_real_capture_headers_announce_60_rpm() -> None:
    from tests._captures import load_capture

    cap = load_capture("fw_chat_llama33_70b_nonstream_via_hfrouter_20250211.yaml")
    headers = {k: v[0] for k, v in cap["response"]["headers"].items()}
    seen = read_headers(headers)
    assert seen is not None and (seen.limit_rpm, seen.remaining) == (60.0, 59)


# ------------------------------------------------------------------------------ arithmetic


def test_reserve_is_gcra() -> None:
    interval, tau = 0.1, 0.2  # burst of 3
    tat, waits = 0.0, []
    for _ in range(5):
        tat, wait = reserve(tat, 0.0, interval, tau)
        waits.append(round(wait, 6))
    assert waits == [0.0, 0.0, 0.0, 0.1, 0.2]
    # after an idle spell the bucket is full again, never fuller
    tat, wait = reserve(tat, 10.0, interval, tau)
    assert wait == 0.0 and tat == pytest.approx(10.1)


def test_tat_for_remaining() -> None:
    assert tat_for_remaining(5.0, 0.5, 4, 4) == 5.0  # full: no wait
    assert tat_for_remaining(5.0, 0.5, 4, 10) == 5.0  # more than our burst: still full
    assert tat_for_remaining(5.0, 0.5, 4, 1) == 6.5
    assert tat_for_remaining(5.0, 0.5, 4, 1, sent_since=3) == 8.0  # 2 promised beyond


def test_aimd_steps() -> None:
    assert decreased(10.0) == pytest.approx(10.0 * DECREASE)
    assert decreased(1.0, factor=0.5, floor=0.8) == 0.8
    assert increased(5.0, step=1.0, ceiling=5.5) == 5.5
    assert increased(5.0, step=0.25, ceiling=9.0) == 5.25


# ------------------------------------------------------------------------------ limiter


def test_nothing_learned_never_waits() -> None:
    lim = RateLimiter(clock=Clock())
    assert all(lim.acquire()[0] == 0.0 for _ in range(1000))
    lim.observe(200, {"server": "x"}, 1)
    lim.observe(429, {}, 2)  # a bare 429 is a fault, not a limit
    assert lim.acquire()[0] == 0.0
    assert lim.snapshot().rate is None


def test_announced_limit_paces_at_the_headroom() -> None:
    clock = Clock()
    lim = RateLimiter(clock=clock)
    _, t = lim.acquire()
    lim.observe(200, limited("600", "0"), t)
    rate = lim.snapshot().rate
    assert rate == pytest.approx(10.0 * DEFAULT_HEADROOM)
    waits = [lim.acquire()[0] for _ in range(5)]
    assert waits == pytest.approx([(n + 1) / rate for n in range(5)])


def test_remaining_resets_the_bucket_both_ways() -> None:
    clock = Clock()
    lim = RateLimiter(clock=clock)
    _, t = lim.acquire()
    lim.observe(200, limited("600", "19"), t)  # a full server bucket: burst learned
    burst = lim.snapshot().burst
    assert burst == int(20 * DEFAULT_HEADROOM)
    assert [lim.acquire()[0] for _ in range(burst)] == [0.0] * burst
    assert lim.acquire(commit=False)[0] > 0  # our own bucket is empty now
    # the server says it still has room (a static header, a limit reset): go
    _, t = lim.acquire(commit=False)
    lim.observe(200, limited("600", "19"), t)
    assert lim.acquire()[0] == 0.0
    # and when it says it has none, the next slot is one interval out
    _, t = lim.acquire(commit=False)
    lim.observe(200, limited("600", "0"), t)
    assert lim.acquire()[0] == pytest.approx(1 / lim.snapshot().rate)


def test_refused_requests_do_not_count_as_sent() -> None:
    lim = RateLimiter(clock=Clock())
    tickets = [lim.acquire()[1] for _ in range(10)]  # nothing known: all go at once
    for t in tickets[5:]:
        lim.observe(429, limited("600", "0", **{"retry-after-ms": "0"}), t)
    # the answer to the first says 4 were left: the 4 admitted after it used them, the
    # 5 refused ones did not, so the bucket is empty, not 5 in debt
    lim.observe(200, limited("600", "4"), tickets[0])
    rate = lim.snapshot().rate
    assert rate is not None
    assert 0.5 / rate < lim.acquire()[0] < 1.5 / rate  # about one interval, not six


def test_a_429_with_retry_after_pauses_every_caller() -> None:
    clock = Clock()
    lim = RateLimiter(clock=clock)
    _, t = lim.acquire()
    assert lim.observe(429, {"retry-after": "2"}, t) == 2.0
    assert lim.acquire()[0] == 2.0
    assert lim.acquire(skip_pause=True)[0] == 0.0  # the caller that slept it already
    clock.now += 2.5
    assert lim.acquire()[0] == 0.0
    assert lim.snapshot().paused_for == 0.0


def test_a_429_with_only_the_limit_pauses_one_request_worth() -> None:
    lim = RateLimiter(clock=Clock())
    _, t = lim.acquire()
    assert lim.observe(429, limited("600", "0"), t) == pytest.approx(0.1)


def test_one_decrease_per_episode_then_additive_increase() -> None:
    lim = RateLimiter(clock=Clock())
    _, first = lim.acquire()
    lim.observe(200, limited("6000", "99"), first)
    ceiling = lim.snapshot().rate
    assert ceiling is not None
    tickets = [lim.acquire()[1] for _ in range(10)]
    for t in tickets:  # ten 429s for requests sent at the old rate: one cut
        lim.observe(429, limited("6000", "0", **{"retry-after-ms": "0"}), t)
    assert lim.snapshot().rate == pytest.approx(ceiling * DECREASE)
    _, later = lim.acquire()
    lim.observe(429, limited("6000", "0", **{"retry-after-ms": "0"}), later)
    assert lim.snapshot().rate == pytest.approx(ceiling * DECREASE**2)
    for _ in range(3):
        lim.observe(200, limited("6000", "50"), lim.acquire(commit=False)[1])
    assert lim.snapshot().rate == pytest.approx(ceiling * (DECREASE**2 + 3 * INCREASE))
    for _ in range(200):
        lim.observe(200, {}, 0)
    assert lim.snapshot().rate == pytest.approx(ceiling)  # back up, never above


def _after_a_storm(clock: Clock, limit: str = "1200") -> tuple[RateLimiter, float]:
    """A limiter that learned ``limit`` rpm, then met 429s until its rate hit the floor."""
    lim = RateLimiter(clock=clock)
    _, t = lim.acquire()
    lim.observe(200, limited(limit, "19"), t)
    ceiling = lim.snapshot().rate
    assert ceiling is not None
    for _ in range(20):  # one cut per episode: each 429 answers a request sent after the cut
        _, t = lim.acquire(skip_pause=True, commit=False)  # the storm reserves nothing ahead
        lim.observe(429, {"retry-after": "0"}, t)
    assert lim.snapshot().rate == pytest.approx(ceiling * MIN_RATE_SHARE)
    return lim, ceiling


def test_recovered_is_linear_in_time_to_the_ceiling() -> None:
    assert recovered(1.0, 19.0, -1.0) == 1.0
    assert recovered(1.0, 19.0, RECOVERY / 2) == pytest.approx(10.0)
    assert recovered(1.0, 19.0, RECOVERY) == 19.0
    assert recovered(30.0, 19.0, 1.0) <= 19.0  # a ceiling lowered since the cut wins


def test_rate_returns_to_the_learned_limit_within_seconds_after_a_storm() -> None:
    """Measured before: after a storm, successes without rate-limit headers won back 2 %
    of the limit each, so the rate stayed near the floor for minutes (a 600-call batch took
    505 s instead of ~2 s). Now it is back at the ceiling RECOVERY seconds after the last
    cut, successes or not."""
    clock = Clock()
    lim, ceiling = _after_a_storm(clock)
    clock.now += RECOVERY / 2
    lim.observe(200, {}, lim.acquire(skip_pause=True)[1])  # a success without headers
    assert lim.snapshot().rate == pytest.approx(ceiling * (0.5 + MIN_RATE_SHARE / 2 + INCREASE))
    clock.now += RECOVERY / 2
    assert lim.snapshot().rate == pytest.approx(ceiling)


def test_a_batch_queued_right_after_a_storm_is_not_held_at_the_storms_rate() -> None:
    """600 callers ask at once, right after the storm, each with a 1 s horizon (as the
    fw_core clients do) and asking again when told to: they are all served within about
    RECOVERY plus 600 intervals at the ceiling, not 600 at the floor rate (631 s here)."""
    clock = Clock()
    lim, ceiling = _after_a_storm(clock)
    started = clock.now
    due: dict[int, float] = {}  # caller -> its slot's time
    ask_at = dict.fromkeys(range(600), started)
    while ask_at:
        clock.now = min(ask_at.values())
        for caller in [c for c, t in ask_at.items() if t <= clock.now]:
            wait, ticket = lim.acquire(horizon=1.0)
            if ticket:
                due[caller] = clock.now + wait
                del ask_at[caller]
            else:
                assert 0 < wait <= 1.0 + 0.1  # the horizon (plus what is left of a pause)
                ask_at[caller] = clock.now + wait
    slots = sorted(due.values())
    span = slots[-1] - started
    assert span <= RECOVERY + 600 / ceiling + 1.0  # was 600 / (ceiling * MIN_RATE_SHARE)
    assert len(slots) == 600
    gaps_after_recovery = [
        b - a for a, b in itertools.pairwise(slots) if a > started + RECOVERY + 1
    ]
    assert min(gaps_after_recovery) >= 1 / ceiling * 0.999  # never faster than the ceiling


def test_without_a_horizon_a_slot_is_reserved_however_far() -> None:
    clock = Clock()
    lim, ceiling = _after_a_storm(clock)
    waits = [lim.acquire()[0] for _ in range(50)]
    assert waits[-1] - waits[0] >= 45 / (ceiling * MIN_RATE_SHARE)  # at the rate now


def test_a_new_cut_stops_the_recovery() -> None:
    clock = Clock()
    lim, ceiling = _after_a_storm(clock)
    clock.now += RECOVERY * 0.8
    rate = lim.snapshot().rate
    assert rate is not None and rate > ceiling * 0.8
    _, t = lim.acquire(skip_pause=True)
    lim.observe(429, {}, t)
    assert lim.snapshot().rate == pytest.approx(rate * DECREASE)
    clock.now += RECOVERY
    assert lim.snapshot().rate == pytest.approx(ceiling)


def test_over_limit_answer_slows_down_without_pausing() -> None:
    lim = RateLimiter(clock=Clock())
    _, t = lim.acquire()
    lim.observe(200, limited("600", "19"), t)
    rate = lim.snapshot().rate
    _, t = lim.acquire()
    assert lim.observe(200, limited("600", "19", **{"x-ratelimit-over-limit": "yes"}), t) is None
    assert lim.snapshot().rate == pytest.approx(rate * DECREASE)
    assert lim.snapshot().paused_for == 0.0


def test_set_limit_and_forget() -> None:
    lim = RateLimiter(clock=Clock())
    lim.set_limit(60, burst=1)
    assert [round(lim.acquire()[0], 4) for _ in range(2)] == [0.0, round(1 / 0.95, 4)]
    with pytest.raises(ValueError):
        lim.set_limit(0)
    lim.forget()
    assert lim.acquire()[0] == 0.0 and lim.snapshot().limit_rpm is None


def test_non_blocking_look_reserves_nothing() -> None:
    lim = RateLimiter(clock=Clock())
    lim.set_limit(600, burst=1)
    assert lim.acquire()[0] == 0.0
    look = lim.acquire(commit=False)[0]
    assert look > 0 and lim.acquire(commit=False)[0] == look


def test_threads_share_one_schedule() -> None:
    lim = RateLimiter(clock=Clock())
    lim.set_limit(60_000 / DEFAULT_HEADROOM, burst=1)  # 1,000 per second, one at a time
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        mine = [lim.acquire()[0] for _ in range(100)]
        with lock:
            waits.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    # every slot handed out once: 0, 1 ms, 2 ms, ... 799 ms
    assert sorted(round(w * 1000) for w in waits) == list(range(800))


# ------------------------------------------------------------------------------ registry


def test_registry_shares_per_url_key_model_and_hides_the_key() -> None:
    secret = "fw_SECRET_canary_key_123456"
    a = limiter_for("https://h/v1", key_id(secret), "m")
    assert a is limiter_for("https://h/v1/", key_id(secret), "m")
    assert a is not limiter_for("https://h/v1", key_id(secret), "other")
    assert a is not limiter_for("https://h/v1", key_id("another-key"), "m")
    client = Client(FIREWORKS, api_key=secret)
    client._limiter(BODY)
    shown = repr(ratelimit.limiters()) + repr(client) + repr(vars(client).get("_limiters"))
    assert secret not in shown and secret[:12] not in shown
    assert all(secret not in part for key in ratelimit.limiters() for part in key)


def test_client_switch_and_budget_are_checked() -> None:
    from fw_core.errors import ConfigurationError

    assert Client(FIREWORKS, api_key="k", rate_limit=False)._limiter(BODY) is None
    assert Client(FIREWORKS, api_key="k")._limiter(BODY) is not None
    with pytest.raises(ConfigurationError):
        Client(FIREWORKS, api_key="k", rate_limit_max_wait=-1)


def test_reset_keeps_the_objects_clients_hold() -> None:
    lim = limiter_for("https://h/v1", key_id("k"), "m")
    lim.set_limit(60)
    ratelimit.reset()
    assert limiter_for("https://h/v1", key_id("k"), "m") is lim
    assert lim.snapshot().limit_rpm is None


# ------------------------------------------------------------------------------ the double


def test_request_limit_buckets() -> None:
    clock = Clock()
    limit = RequestLimit(rpm=120, burst=3, clock=clock)
    assert [limit.admit("a", "m").allowed for _ in range(4)] == [True, True, True, False]
    assert limit.admit("b", "m").allowed and limit.admit("a", "other").allowed  # per key+model
    refused = limit.admit("a", "m")
    assert refused.retry_after == pytest.approx(0.5)
    assert dict(refused.headers)["retry-after"] == "1"
    assert dict(refused.headers)["retry-after-ms"] == "500"
    clock.now += 0.5
    ok = limit.admit("a", "m")
    assert ok.allowed and dict(ok.headers)["x-ratelimit-remaining-requests"] == "0"
    assert (limit.admitted, limit.rejected) == (6, 2)
    assert refill(0.0, 100.0, 2.0, 3.0) == 3.0
    with pytest.raises(ValueError):
        RequestLimit(rpm=0)
    assert RequestLimit(rpm=30).burst == 1


@pytest.mark.parametrize(
    ("url", "model", "envelope"),
    [
        (URL, MODEL, "error"),
        ("https://app.firmware.ai/api/v1/embeddings", "voyage-4", "error"),
    ],
)
def test_double_limit_mode_headers_and_429(url: str, model: str, envelope: str) -> None:
    double = WireDouble(rpm=60, burst=2)
    http = httpx.Client(transport=double.transport())
    body = (
        {"model": model, "input": "hi"} if url.endswith("embeddings") else {**BODY, "model": model}
    )
    answers = [http.post(url, json=body, headers={"Authorization": "Bearer k"}) for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 429]
    for r, left in zip(answers, ("1", "0", "0"), strict=True):
        assert r.headers["x-ratelimit-limit-requests"] == "60"
        assert r.headers["x-ratelimit-remaining-requests"] == left
        assert r.headers.get_list("x-ratelimit-limit-requests") == ["60"]  # not twice
    assert int(answers[2].headers["retry-after"]) >= 1
    assert int(answers[2].headers["retry-after-ms"]) > 0
    assert envelope in answers[2].json()
    assert len(double.requests) == 3  # the refused request is recorded too
    other_key = http.post(url, json=body, headers={"Authorization": "Bearer other"})
    assert other_key.status_code == 200
    double.reset()
    assert http.post(url, json=body, headers={"Authorization": "Bearer k"}).status_code == 200


def test_double_without_limit_mode_is_unchanged() -> None:
    double = WireDouble()
    http = httpx.Client(transport=double.transport())
    codes = {
        http.post(URL, json=BODY, headers={"Authorization": "Bearer k"}).status_code
        for _ in range(30)
    }
    assert codes == {200} and double.limit is None


def test_cli_limit_mode(capsys: pytest.CaptureFixture[str]) -> None:
    from fw_core.testing.__main__ import main

    assert main(["--port", "0", "--lifetime", "0.2", "--rpm", "600", "--burst", "20"]) == 0
    assert "limit: 600 requests/minute, burst 20" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--port", "0", "--burst", "3"])
