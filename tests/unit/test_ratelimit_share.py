"""Several processes on one account limit, paced by the server's ``remaining`` alone.

fw_core.ratelimit.share estimates a process's share of an account's request limit from
the ``x-ratelimit-remaining-requests`` counts every answer carries (issue 21, deliver 2;
docs/rate_limits.md "Several processes"). The pure arithmetic is checked with plain
values; then four limiters (standing for four worker processes: they share nothing but
the server) are driven on a fake clock against the wire double's own limit logic
(:class:`fw_core.testing.limits.RequestLimit`, one bucket per key and model, as the
account's). The simulation is deterministic: no threads, no sleeping, no real time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fw_core.ratelimit import MIN_RETRY_WAIT, RateLimiter
from fw_core.ratelimit.share import ALONE, DRIFT, MIN_SHARE, AccountShare, share_of
from fw_core.testing.limits import RequestLimit

RPS = 20.0  # the account's limit: 1,200 requests/minute, burst 20 (the figure)


def test_share_is_ours_over_everything_the_account_admitted() -> None:
    # the bucket stayed empty for a second: it admitted its refill (20), 5 of them ours
    assert share_of(5, 0, 0, 20.0) == 0.25
    # it fell 19 -> 1 and refilled 10: 28 admitted, 7 ours
    assert share_of(7, 19, 1, 10.0) == 0.25
    # all of the drop is ours (or more, by rounding): the whole limit
    assert share_of(18, 19, 1, 0.0) == 1.0
    assert share_of(20, 19, 1, 0.0) == 1.0
    # never below the floor, however many others there are
    assert share_of(1, 0, 0, 1000.0) == MIN_SHARE


def test_a_span_under_pressure_sets_the_share_and_room_grows_it_back() -> None:
    now = [0.0]
    est = AccountShare(clock=lambda: now[0])
    assert est.update(remaining=19, admitted=1, rate=RPS) == 1.0  # opens the span
    now[0] = 1.0  # 19 -> 0 and 20 refilled: 39 admitted, 13 ours (plus the drift)
    assert est.update(remaining=0, admitted=14, rate=RPS) == 13 / 39 + DRIFT
    now[0] = 2.0  # the bucket stayed empty: 20 admitted, 5 ours
    assert est.update(remaining=0, admitted=19, rate=RPS) == 0.25 + DRIFT
    # the others left: the bucket refills (5 per 0.25 s, less our 1) back to the most it
    # has shown, and stays there; the share climbs back, additively, to the whole limit
    shares = []
    for step in range(1, 41):
        now[0] = 2.0 + step * 0.25
        shares.append(est.update(remaining=min(4 * step, 19), admitted=19 + step, rate=RPS))
    assert shares == sorted(shares)
    assert shares[7] > 0.5  # within two seconds
    assert shares[-1] == 1.0


def test_the_first_wave_of_answers_gives_a_share_at_once() -> None:
    # remaining is the server's count at each admission: the drop between two answers a
    # few milliseconds apart is exact. 15 -> 3 in 30 ms (and 0.6 refilled): the account
    # admitted 12.6, 3 of them ours. Every process used to pace at the whole limit
    # until the span was 0.2 s long.
    now = [0.0]
    est = AccountShare(clock=lambda: now[0])
    est.update(remaining=15, admitted=1, rate=RPS)
    now[0] = 0.03
    assert est.update(remaining=3, admitted=4, rate=RPS) == 3 / 12.6 + DRIFT


def test_a_fraction_of_the_bucket_a_late_joiner_saw_is_no_room() -> None:
    # A process that joined when the bucket was nearly empty has seen at most 3 left.
    now = [0.0]
    est = AccountShare(clock=lambda: now[0])
    est.update(remaining=3, admitted=1, rate=RPS)
    now[0] = 0.5  # 3 -> 2 and 10 refilled: 11 admitted, 2 of them ours
    assert est.update(remaining=2, admitted=3, rate=RPS) == 2 / 11 + DRIFT
    # Over the next second it stays at 2: the account admitted its whole refill (20), 5
    # of them ours. That is pressure, not room to grow into (2 of the 4 it has seen).
    now[0] = 1.5
    assert est.update(remaining=2, admitted=8, rate=RPS) == 5 / 20 + DRIFT


def test_a_short_span_or_one_with_few_admitted_decides_nothing() -> None:
    now = [0.0]
    est = AccountShare(clock=lambda: now[0])
    est.update(remaining=0, admitted=1, rate=RPS)
    now[0] = 0.05  # too short
    assert est.update(remaining=0, admitted=1, rate=RPS) == 1.0
    now[0] = 0.3  # long enough, but only 6 admitted by everyone: too few to count
    assert est.update(remaining=0, admitted=2, rate=RPS) == 1.0


# -- four limiters, one account -------------------------------------------------------


@dataclass
class Worker:
    """One process's client: ``slots`` calls in flight, each re-sent until admitted."""

    limiter: RateLimiter
    slots: int = 3
    due: list[tuple[float, int]] = field(default_factory=list)  # (send at, ticket)
    ready_at: list[float] = field(default_factory=list)  # per idle slot: next acquire
    admitted: int = 0
    refused: int = 0
    active: bool = True


def _simulate(
    workers: list[Worker], limit: RequestLimit, clock: list[float], until: float, dt: float
) -> None:
    """Step the fake clock to ``until``: acquire, send, answer (no latency), repeat."""
    for w in workers:
        if not w.ready_at and not w.due:
            w.ready_at = [clock[0]] * w.slots
    while clock[0] < until:
        now = clock[0]
        for w in workers:
            if not w.active:
                continue
            idle: list[float] = []
            for at in w.ready_at:
                if at > now:
                    idle.append(at)
                    continue
                wait, ticket = w.limiter.acquire(horizon=1.0)
                if ticket:
                    w.due.append((now + wait, ticket))
                else:  # no slot within the horizon: ask again then
                    idle.append(now + wait)
            w.ready_at = idle
            for sent in [d for d in w.due if d[0] <= now]:
                w.due.remove(sent)
                admission = limit.admit("one-account-key", "m")
                status = 200 if admission.allowed else 429
                pause = w.limiter.observe(status, dict(admission.headers), sent[1])
                if admission.allowed:
                    w.admitted += 1
                    w.ready_at.append(now)
                else:
                    w.refused += 1
                    w.ready_at.append(now + max(pause or 0.0, MIN_RETRY_WAIT))
        clock[0] = round(now + dt, 6)


def _world(n: int) -> tuple[list[Worker], RequestLimit, list[float]]:
    clock = [0.0]
    limit = RequestLimit(rpm=RPS * 60, burst=20, clock=lambda: clock[0])
    workers = [Worker(RateLimiter(clock=lambda: clock[0])) for _ in range(n)]
    return workers, limit, clock


def test_four_processes_on_one_account_converge_on_its_limit() -> None:
    workers, limit, clock = _world(4)
    _simulate(workers, limit, clock, until=5.0, dt=0.002)  # settle in
    before = [(w.admitted, w.refused) for w in workers]
    _simulate(workers, limit, clock, until=15.0, dt=0.002)
    admitted = sum(w.admitted - a for w, (a, _) in zip(workers, before, strict=True))
    refused = sum(w.refused - r for w, (_, r) in zip(workers, before, strict=True))
    # Each paced at 95 % of the whole account's limit before: four times what it takes,
    # three requests in four refused. Now the shares add up to about the limit.
    assert refused / (admitted + refused) < 0.1, (admitted, refused)
    assert admitted >= 0.85 * RPS * 10, admitted
    shares = [w.limiter.snapshot().share for w in workers]
    assert all(s < 0.75 for s in shares), shares
    assert 0.6 <= sum(shares) <= 1.6, shares


def test_a_process_left_alone_takes_the_whole_limit_back() -> None:
    workers, limit, clock = _world(4)
    _simulate(workers, limit, clock, until=5.0, dt=0.002)
    assert workers[0].limiter.snapshot().share < 0.75
    for w in workers[1:]:
        w.active = False  # the other processes finish
    _simulate(workers[:1], limit, clock, until=15.0, dt=0.002)
    state = workers[0].limiter.snapshot()
    assert state.share >= ALONE
    assert state.rate is not None and state.rate > 0.9 * RPS * 0.95


def test_one_process_alone_keeps_the_whole_limit() -> None:
    workers, limit, clock = _world(1)
    _simulate(workers, limit, clock, until=10.0, dt=0.002)
    w = workers[0]
    assert w.limiter.snapshot().share >= ALONE
    assert w.admitted >= 0.9 * (20 + RPS * 10)  # the burst, then the limit
    assert w.refused <= 2
