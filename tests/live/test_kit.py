"""Unit tests of the live kit's pure parts: the shape diff, the header diff, the cap."""

from __future__ import annotations

import json

from tests.live import cost, report
from tests.live.capture import Exchange
from tests.live.drift import body_shape, diff_headers, diff_shapes, exchange_drift, shape


def test_nested_dicts_and_lists() -> None:
    live = shape({"choices": [{"message": {"content": "a", "refusal": None}}], "usage": {"n": 1}})
    double = shape({"choices": [{"message": {"content": "b"}, "logprobs": None}], "usage": {}})
    assert diff_shapes(live, double) == [
        {"path": "choices[].logprobs", "kind": "missing_in_live", "live": None, "double": "null"},
        {
            "path": "choices[].message.refusal",
            "kind": "missing_in_double",
            "live": "null",
            "double": None,
        },
        {"path": "usage.n", "kind": "missing_in_double", "live": "int", "double": None},
    ]


def test_types_differ_including_container_kinds() -> None:
    assert diff_shapes(shape({"a": 1, "b": []}), shape({"a": "1", "b": {}})) == [
        {"path": "a", "kind": "type", "live": "int", "double": "str"},
        {"path": "b", "kind": "type", "live": "list", "double": "dict"},
    ]
    assert diff_shapes(shape({"x": 1.5}), shape({"x": 2.5})) == []


def test_list_items_are_merged_before_comparing() -> None:
    live = shape([{"a": 1}, {"b": 2}])
    assert diff_shapes(live, shape([{"a": 1, "b": 3}])) == []
    assert diff_shapes(shape([1, None]), shape([2])) == [
        {"path": "[]", "kind": "type", "live": "int|null", "double": "int"}
    ]


def test_header_names_case_insensitive_and_transport_headers_ignored() -> None:
    assert diff_headers(
        ["X-Request-Id", "Date", "Server"], ["x-request-id", "fireworks-server-time"]
    ) == {
        "missing_in_double": [],
        "missing_in_live": ["fireworks-server-time"],
    }


def test_sse_bodies_compare_their_events() -> None:
    live = b'data: {"choices":[{"delta":{"content":"x"}}]}\n\ndata: [DONE]\n\n'
    double = b'data: {"choices":[{"delta":{"content":"y"}}],"usage":null}\n\ndata: [DONE]\n\n'
    assert body_shape("text/event-stream", live) == [{"choices": [{"delta": {"content": "str"}}]}]
    drift = exchange_drift(
        (200, {"content-type": "text/event-stream"}, live),
        (200, {"content-type": "text/event-stream"}, double),
    )
    assert [f["path"] for f in drift["fields"]] == ["[].usage"]
    assert not drift["clean"]


def test_status_difference_is_drift() -> None:
    same = (200, {"content-type": "application/json"}, b"{}")
    other = (404, {"content-type": "application/json"}, b"{}")
    assert exchange_drift(same, same)["clean"]
    assert exchange_drift(same, other)["status"] == {"live": 200, "double": 404}
    assert not exchange_drift(same, other)["clean"]


def test_budget_refuses_the_call_that_passes_the_cap() -> None:
    one = cost.estimate(cost.PLAN["fm_thinking"])
    budget = cost.Budget(cap_usd=one * 1.5)
    assert budget.allow("fm_thinking")
    assert not budget.allow("fm_thinking")
    assert budget.refused == ["fm_thinking"] and budget.spent_usd == one


def test_default_plan_fits_the_default_cap(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("LIVE_CHECK_MAX_USD", raising=False)
    assert cost.total(list(cost.PLAN)) < cost.cap_from_env() == cost.DEFAULT_CAP_USD
    monkeypatch.setenv("LIVE_CHECK_MAX_USD", "0.001")
    assert cost.cap_from_env() == 0.001


def test_report_carries_no_values_no_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret = "fw_" + "3ZkSECRETSECRETSECRET9Q"  # key-shaped, built so no scan flags the source
    ex = Exchange(
        "fw_chat_plain",
        "fireworks",
        "POST",
        "https://api.fireworks.ai/inference/v1/chat/completions?key=" + secret,
        {"authorization": "Bearer " + secret, "content-type": "application/json"},
        json.dumps(
            {
                "model": "accounts/fireworks/models/kimi-k3",
                "messages": [{"role": "user", "content": secret}],
            }
        ).encode(),
        200,
        {"content-type": "application/json", "x-echo": secret},
        json.dumps({"id": secret, "choices": [], "object": "chat.completion"}).encode(),
    )
    data = report.build([ex], {"fireworks": "live", "firmware": "double"}, 0.0, 0.05, [])
    js, md = report.write(data, tmp_path)
    for path in (js, md):
        assert secret not in path.read_text()
    assert "x-echo" in js.read_text()  # names are reported, values never


# -- the model table against the catalog (tests/live/table_check.py) --------------------------


def test_table_check_flags_a_served_id_the_catalog_does_not_serve() -> None:
    from fw_core.model_table import status
    from tests.live.table_check import judge

    served = status("fireworks", "kimi-k3")
    assert served is not None
    assert judge(served, {"supportsServerless": True}).drift is None
    assert judge(served, {"state": "READY"}).drift is None  # no flag: not contradicted
    assert "supportsServerless=false" in (judge(served, {"supportsServerless": False}).drift or "")
    assert "not listed" in (judge(served, None).drift or "")


def test_table_check_reads_retired_and_unverified_ids() -> None:
    from fw_core.model_table import status
    from tests.live.table_check import judge

    gone = status("fireworks", "kimi-k2-instruct-0905")  # retired in the table
    assert gone is not None and gone.status == "retired"
    # the real catalog keeps retired models READY, flag false: that agrees with the table
    assert judge(gone, {"state": "READY", "supportsServerless": False}).drift is None
    assert judge(gone, None).drift is None
    assert "supportsServerless=true" in (judge(gone, {"supportsServerless": True}).drift or "")
    unsure = status("fireworks", "whisper-v3")
    assert unsure is not None and unsure.status == "unverified"
    verdict = judge(unsure, {"supportsServerless": False})
    assert verdict.drift is None and verdict.note == "catalog suggests retired"


def test_report_lists_the_table_verdicts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fw_core.model_table import status
    from tests.live.table_check import judge

    served = status("fireworks", "kimi-k3")
    assert served is not None
    verdicts = [judge(served, {"supportsServerless": False})]
    data = report.build([], {"fireworks": "live", "firmware": "double"}, 0.0, 0.05, [], verdicts)
    assert data["model_table_drifting"] == 1
    _js, md = report.write(data, tmp_path)
    assert "accounts/fireworks/models/kimi-k3 | served | yes | false |" in md.read_text()
