"""Token limits (``x-ratelimit-*-tokens-*``): read, and paced as well as requests.

Issue 21, deliver 5; docs/rate_limits.md "Token limits"; header names and units from
docs/wire.md §1.16 (Fireworks' rate-limit page: https://docs.fireworks.ai/serverless/rate-limits,
limits "described in tokens per second", enforcement per minute). The pure parts are
checked with plain values; then the limiter against the wire double's token mode
(:class:`fw_core.testing.limits.RequestLimit` with ``prompt_tps``), on a fake clock for
the double and recorded (not slept) waits for the client.
"""

from __future__ import annotations

import json

import httpx
import pytest

from fw_core import FIREWORKS, AsyncClient, Client, ratelimit
from fw_core.kit.tokens import estimate_message_tokens
from fw_core.model_table import DEFAULTS
from fw_core.ratelimit import DEFAULT_HEADROOM, RateLimiter, read_headers
from fw_core.ratelimit.token_limits import (
    WINDOW,
    TokenLimits,
    TokenPacer,
    read_token_limits,
    request_tokens,
    token_wait,
)
from fw_core.testing import WireDouble
from fw_core.testing.limits import RequestLimit

WIRE_MODEL = DEFAULTS["small"]


# -- pure parts -----------------------------------------------------------------------


def test_token_headers_are_read_as_the_server_spells_them() -> None:
    found = {
        b"x-ratelimit-limit-tokens-prompt": b"60000",
        b"x-ratelimit-remaining-tokens-prompt": b"59000",
        b"x-ratelimit-limit-tokens-generated": b"600",
        b"x-ratelimit-remaining-tokens-generated": b"12",
    }
    assert read_token_limits(found) == TokenLimits(60000.0, 59000.0, 600.0, 12.0)
    # a remaining count without its limit is not acted on; nor is a limit of 0 or junk
    assert read_token_limits({b"x-ratelimit-remaining-tokens-prompt": b"5"}) is None
    assert read_token_limits({b"x-ratelimit-limit-tokens-prompt": b"0"}) is None
    assert read_token_limits({b"x-ratelimit-limit-tokens-generated": b"lots"}) is None
    # through the limiter's one header scan, any case, next to the request headers
    seen = read_headers(
        {"X-Ratelimit-Limit-Tokens-Prompt": "60000", "x-ratelimit-limit-requests": "6000"}
    )
    assert seen is not None and seen.limit_rpm == 6000.0
    assert seen.tokens == TokenLimits(prompt=60000.0)
    # the cache-adjusted limit is not paced (cache hits cannot be known before sending)
    assert read_headers({"x-ratelimit-limit-tokens-cache-adjusted-prompt": "15000"}) is None


def test_a_request_is_charged_its_estimated_prompt_and_its_max_tokens() -> None:
    messages = [{"role": "user", "content": "Summarise the report in three lines."}]
    body = {"model": WIRE_MODEL, "messages": messages, "max_tokens": 200}
    assert request_tokens(json.dumps(body).encode()) == (estimate_message_tokens(messages), 200)
    assert request_tokens(b'{"messages": [], "max_completion_tokens": 64}') == (0, 64)
    assert request_tokens(b'{"prompt": "Hello, world!", "max_tokens": true}') == (9, 0)
    assert request_tokens(b'{"input": "Hello, world!"}') == (9, 0)
    assert request_tokens(b"[1, 2]") == (0, 0)
    assert request_tokens(b'{"input": ') == (0, 0)


def test_token_budget_arithmetic() -> None:
    # 100 tokens/s, a 10 s window: 1,000 tokens held
    assert token_wait(0.0, 0.0, 1000.0, 100.0, 10.0) == (10.0, 0.0)
    assert token_wait(10.0, 0.0, 100.0, 100.0, 10.0) == (11.0, 1.0)
    # time passed refills: 5 s later, 500 tokens are back
    assert token_wait(10.0, 5.0, 500.0, 100.0, 10.0) == (15.0, 0.0)


def test_the_pacer_follows_what_the_server_says_is_left() -> None:
    now = [0.0]
    pacer = TokenPacer(1.0, clock=lambda: now[0])
    assert pacer.reserve(10**6, 10**6) == 0.0  # nothing announced: nothing paced
    pacer.learn(TokenLimits(prompt=100.0, prompt_remaining=6000.0))  # a full minute's worth
    assert pacer.reserve(6000, 0) == 0.0
    assert pacer.reserve(100, 0) == 1.0  # the budget is spent: one second per 100 tokens
    # the server says 3,000 are left after all (others' usage is on the same account)
    pacer.learn(TokenLimits(prompt=100.0, prompt_remaining=3000.0))
    assert pacer.reserve(3000, 0) == 0.0
    assert pacer.reserve(200, 0) == 2.0
    # generated tokens have their own budget
    pacer.learn(TokenLimits(generated=10.0, generated_remaining=0.0))
    assert pacer.reserve(0, 50) == 5.0


def test_nothing_is_counted_until_a_token_limit_is_announced() -> None:
    now = [0.0]
    lim = RateLimiter(clock=lambda: now[0])
    lim.observe(200, {"x-ratelimit-limit-requests": "600"}, lim.acquire()[1])
    assert lim.tokens is None and lim.reserve_tokens(b'{"input": "x"}') == 0.0
    lim.observe(200, {"x-ratelimit-limit-tokens-generated": "10"}, lim.acquire()[1])
    assert lim.tokens is not None
    # a minute of the limit held (600), refilled at 95 % of it: 9.5 tokens a second
    assert lim.reserve_tokens(b'{"input": "x", "max_tokens": 600}') == 0.0
    assert lim.reserve_tokens(b'{"input": "x", "max_tokens": 19}') == pytest.approx(2.0)
    lim.forget()
    assert lim.tokens is None


# -- against the double's token mode ----------------------------------------------------


def _simulate(limiter: RateLimiter, limit: RequestLimit, clock: list[float], body: bytes) -> None:
    """Send ``body`` back to back for 10 simulated minutes, as a client does: token wait,
    request slot, send, answer (no latency); a 429 waits its hint."""
    while clock[0] < 600.0:
        clock[0] += limiter.reserve_tokens(body) if limiter.tokens is not None else 0.0
        wait, ticket = limiter.acquire()
        clock[0] += wait
        admission = limit.admit("key", "m", request_tokens(body)[0])
        pause = limiter.observe(200 if admission.allowed else 429, dict(admission.headers), ticket)
        if not admission.allowed:
            clock[0] += max(pause or 0.0, admission.retry_after)
        clock[0] += 0.001


def test_a_client_under_a_prompt_token_limit_is_paced_by_it_not_refused() -> None:
    clock = [0.0]
    # 600 requests a minute allowed, but only 100 prompt tokens a second: the tokens bind
    limit = RequestLimit(rpm=600, burst=10, prompt_tps=100.0, clock=lambda: clock[0])
    limiter = RateLimiter(clock=lambda: clock[0])
    messages = [{"role": "user", "content": "A question of some length. " * 20}]
    body = json.dumps({"model": WIRE_MODEL, "messages": messages}).encode()
    cost = request_tokens(body)[0]
    _simulate(limiter, limit, clock, body)
    # Without token pacing, every request after the minute's budget would go out at the
    # request pace and most would be refused; paced on tokens, the first refusal teaches
    # the limit and after it none.
    assert limit.rejected <= 1, (limit.admitted, limit.rejected)
    possible = (100.0 * WINDOW + 100.0 * clock[0]) / cost  # the budget, then the refill
    assert limit.admitted >= 0.9 * DEFAULT_HEADROOM * possible, (limit.admitted, possible)


def _token_double(clock: list[float]) -> WireDouble:
    double = WireDouble(rpm=6000, burst=50, prompt_tps=100.0)
    assert double.limit is not None and double.limit.prompt_tps == 100.0
    double.limit = RequestLimit(6000, 50, prompt_tps=100.0, clock=lambda: clock[0])
    return double


def _big_body() -> dict[str, object]:
    text = "word " * 1600  # about 3,600 prompt tokens by fw_core.kit.tokens
    return {"model": WIRE_MODEL, "messages": [{"role": "user", "content": text}]}


def test_the_client_waits_for_prompt_tokens_before_sending(request: pytest.FixtureRequest) -> None:
    clock = [0.0]
    double = _token_double(clock)
    paces: list[float] = []

    def pace(seconds: float) -> None:  # the double's time passes; nobody sleeps
        paces.append(seconds)
        clock[0] += seconds

    body = _big_body()
    cost = request_tokens(json.dumps(body).encode())[0]
    assert 3000 < cost < 6000  # one fits the minute's 6,000; two do not
    key = f"key-{request.node.name}"
    http = httpx.Client(transport=double.transport())
    with Client(FIREWORKS, api_key=key, max_retries=0, http_client=http) as client:
        client._pace = pace
        client._sleep = pace
        first = client.request("POST", "/chat/completions", json_body=body)
        assert first.headers["x-ratelimit-limit-tokens-prompt"] == "100"
        second = client.request("POST", "/chat/completions", json_body=body)
    assert second.status_code == 200
    assert double.limit.rejected == 0  # the second went when its tokens were there
    (waited,) = paces
    needed = (cost - (6000 - cost)) / 100.0  # what the double's bucket lacked
    assert needed <= waited <= needed / DEFAULT_HEADROOM + 1.0, (waited, needed)
    ratelimit.limiter_for(client.base_url, ratelimit.key_id(key), WIRE_MODEL).forget()


async def test_the_async_client_waits_for_prompt_tokens_too(
    request: pytest.FixtureRequest,
) -> None:
    clock = [0.0]
    double = _token_double(clock)
    paces: list[float] = []

    async def apace(seconds: float) -> None:
        paces.append(seconds)
        clock[0] += seconds

    key = f"key-{request.node.name}"
    http = httpx.AsyncClient(transport=double.async_transport())
    async with AsyncClient(FIREWORKS, api_key=key, max_retries=0, http_client=http) as client:
        client._apace = apace
        client._asleep = apace
        for _ in range(2):
            await client.request("POST", "/chat/completions", json_body=_big_body())
    assert double.limit is not None and double.limit.rejected == 0
    assert len(paces) == 1 and paces[0] > 10.0
    ratelimit.limiter_for(client.base_url, ratelimit.key_id(key), WIRE_MODEL).forget()


def test_while_the_budget_has_room_nothing_is_estimated(monkeypatch: pytest.MonkeyPatch) -> None:
    import fw_core.ratelimit.token_limits as rt

    counted: list[int] = []
    real = rt._count
    monkeypatch.setattr(rt, "_count", lambda body: counted.append(1) or real(body))
    now = [0.0]
    pacer = TokenPacer(1.0, clock=lambda: now[0])
    pacer.learn(TokenLimits(prompt=100.0))  # 6,000 tokens held
    body = json.dumps({"messages": [{"role": "user", "content": "x " * 1000}]}).encode()
    assert pacer.reserve_body(body) == 0.0  # about 2 KB: the byte bound fits, is charged
    assert counted == []
    for _ in range(2):
        pacer.reserve_body(body)
    assert counted  # the budget ran short: now each request is estimated
