"""The examples in docs/llamaindex.md run (against the wire double, in-process)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fw_core.testing import WireDouble, patch_transports

DOC = Path(__file__).resolve().parents[2] / "docs" / "llamaindex.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


# llama-index's workflow machinery inspects the agent: pydantic deprecation noise from core
@pytest.mark.filterwarnings("ignore::DeprecationWarning:inspect")
@pytest.mark.parametrize(
    "index",
    range(len(BLOCKS) - 1),
    ids=["query_engine", "agent", "responses", "prompt_caching", "typed_options"],
)
def test_doc_example_runs(index: int, capsys: pytest.CaptureFixture[str]) -> None:
    double = WireDouble()
    with patch_transports(double):
        exec(compile(BLOCKS[index], f"docs/llamaindex.md[{index}]", "exec"), {})
    printed = capsys.readouterr().out
    assert printed.strip()
    if index == 0:
        assert "1889" in printed and double.count("/rerank") == 2
    elif index == 1:
        assert "42" in printed and double.count("/chat/completions") == 2
    elif index == 2:  # the second call continues the first: only the new message is sent
        assert "resp_" in printed and double.count("/responses") == 2
        assert double.requests[-1].json["input"] == [
            {"role": "user", "content": "What is my name?"}
        ]
    elif index == 4:  # the typed options reach the wire; perf_metrics come back
        assert "server-processing-time" in printed
        sent = double.requests[-1].json
        assert sent["service_tier"] == "priority" and sent["perf_metrics_in_response"] is True
        assert (sent["seed"], sent["top_logprobs"], sent["user"]) == (7, 2, "user-42")
    else:  # the second turn reads the first turn's prefix from the cache
        first, second = (line.split() for line in printed.strip().splitlines())
        assert first[1] == "0" and 0 < int(second[1]) < int(second[3])
        sent = {r.headers.get("x-session-affinity") for r in double.requests}
        assert len(sent) == 1 and None not in sent
