"""fw_core.http.send_policy: the send loop's decisions, with plain values and no I/O.

The sync and async clients both follow one ``SendPlan``; the fault matrix
(tests/reliability/test_fault_matrix.py) checks the loops end to end, these check each
rule on its own: retries spent and not spent, the 429 wait-out budget, pacing asks.
"""

from __future__ import annotations

import pytest

from fw_core.http.send_policy import PACE_ASKS, PACE_HORIZON, SendPlan, Step
from fw_core.ratelimit import MIN_RETRY_WAIT


def test_transport_errors_spend_the_retry_budget_then_raise() -> None:
    plan = SendPlan(retries=2, max_wait=60.0)
    delays = [plan.after_transport_error() for _ in range(3)]
    assert 0 < delays[0] <= 0.5 and 0 < delays[1] <= 1.0  # backoff grows
    assert delays[2] == -1.0  # no retry left: the loop raises
    assert plan.attempt == 2


@pytest.mark.parametrize("status", [408, 409, 429, 500, 503])
def test_retryable_statuses_retry_while_retries_last(status: int) -> None:
    plan = SendPlan(retries=1, max_wait=60.0)
    step, delay = plan.after_status(status, {}, None)
    assert step is Step.RETRY and delay > 0
    assert plan.after_status(status, {}, None) == (Step.RAISE, -1.0)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_other_client_errors_raise_at_once(status: int) -> None:
    assert SendPlan(retries=5, max_wait=60.0).after_status(status, {}, None)[0] is Step.RAISE


def test_the_server_header_overrides_the_status_rule() -> None:
    plan = SendPlan(retries=2, max_wait=60.0)
    assert plan.after_status(503, {"x-should-retry": "false"}, None)[0] is Step.RAISE
    assert plan.after_status(400, {"x-should-retry": "true"}, None)[0] is Step.RETRY


def test_a_retry_honours_the_servers_hint() -> None:
    step, delay = SendPlan(1, 60.0).after_status(503, {"retry-after": "3"}, None)
    assert (step, delay) == (Step.RETRY, 3.0)


def test_an_announced_429_is_waited_out_without_spending_retries() -> None:
    plan = SendPlan(retries=0, max_wait=10.0)
    step, delay = plan.after_status(429, {"retry-after": "2"}, 2.0)
    assert (step, delay) == (Step.WAIT, 2.0)
    assert (plan.attempt, plan.refused, plan.waited, plan.paused) == (0, 1, 2.0, True)


def test_a_tiny_hint_is_raised_to_the_minimum_wait() -> None:
    step, delay = SendPlan(0, 10.0).after_status(429, {"retry-after-ms": "1"}, 0.001)
    assert (step, delay) == (Step.WAIT, MIN_RETRY_WAIT)


def test_waits_out_429s_only_within_the_max_wait() -> None:
    plan = SendPlan(retries=1, max_wait=5.0)
    hint = {"retry-after": "2"}
    assert plan.after_status(429, hint, 2.0) == (Step.WAIT, 2.0)
    assert plan.after_status(429, hint, 2.0) == (Step.WAIT, 2.0)
    # 4 s waited; 2 more would pass 5 s: the 429 is a fault, which spends the retry
    assert plan.after_status(429, hint, 2.0)[0] is Step.RETRY
    assert plan.after_status(429, hint, 2.0)[0] is Step.RAISE


def test_a_429_without_a_hint_backs_off_over_the_429s_waited_out() -> None:
    plan = SendPlan(retries=0, max_wait=60.0)
    first = plan.after_status(429, {}, 1.0)[1]
    second = plan.after_status(429, {}, 1.0)[1]
    assert 0.375 <= first <= 0.5 and 0.75 <= second <= 1.0  # not the limiter's 1.0 s


def test_x_should_retry_false_beats_a_429_wait_out() -> None:
    plan = SendPlan(retries=3, max_wait=60.0)
    assert plan.after_status(429, {"x-should-retry": "false"}, 1.0)[0] is Step.RAISE


def test_pacing_asks_with_a_horizon_until_the_last_ask() -> None:
    plan = SendPlan(0, 60.0)
    horizons = [plan.horizon() for _ in range(PACE_ASKS)]
    assert horizons[:-1] == [PACE_HORIZON] * (PACE_ASKS - 1) and horizons[-1] is None
    assert plan.granted(0.0, 3)  # a slot: the next attempt asks afresh
    assert plan.horizon() == PACE_HORIZON


def test_a_wait_without_a_ticket_means_ask_again() -> None:
    plan = SendPlan(0, 60.0)
    assert not plan.granted(0.5, 0)
    assert plan.granted(0.5, 9) and plan.ticket == 9
    assert plan.waited == 0.0  # pacing before any 429 is not time on rate limits


def test_pacing_after_a_waited_out_429_counts_towards_max_wait() -> None:
    plan = SendPlan(0, 3.0)
    assert plan.after_status(429, {"retry-after": "1"}, 1.0)[0] is Step.WAIT
    assert plan.paused  # the next ask skips the pause this request just waited out
    assert plan.granted(1.5, 4) and not plan.paused
    assert plan.waited == 2.5
    assert plan.after_status(429, {"retry-after": "1"}, 1.0)[0] is Step.RAISE  # 3.5 > 3
