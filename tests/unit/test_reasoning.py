"""Inline <think> reasoning: split_think and the streaming ThinkSplitter."""

from __future__ import annotations

import pytest

from fw_core.kit.reasoning import ThinkSplitter, split_think


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>2+2 is 4</think>\n\nFour.", ("2+2 is 4", "Four.")),
        ("  \n<think>\nhmm\n</think>Answer", ("hmm", "Answer")),
        ("No reasoning here.", ("", "No reasoning here.")),
        ("Answer mentions <think> later", ("", "Answer mentions <think> later")),
        ("<think>never closed", ("never closed", "")),
        ("<think></think>", ("", "")),
        ("", ("", "")),
        ("<think>a</think>b</think>c", ("a", "b</think>c")),
    ],
)
def test_split_think(text: str, expected: tuple[str, str]) -> None:
    assert split_think(text) == expected


def run(parts: list[str]) -> tuple[str, str]:
    splitter = ThinkSplitter()
    reasoning, answer = [], []
    for part in parts:
        r, a = splitter.feed(part)
        reasoning.append(r)
        answer.append(a)
    r, a = splitter.flush()
    reasoning.append(r)
    answer.append(a)
    return "".join(reasoning), "".join(answer)


CASES = [
    ("<think>Let me think.</think>\n\nThe answer is 4.", ("Let me think.", "The answer is 4.")),
    ("\n<think>a < b and c </ d</think>Done", ("a < b and c </ d", "Done")),
    ("Plain answer, no tags.", ("", "Plain answer, no tags.")),
    ("<thin>not a tag", ("", "<thin>not a tag")),
    ("<think>unfinished </thi", ("unfinished </thi", "")),
    ("<think>x</think>", ("x", "")),
    ("  ", ("", "  ")),
    ("<", ("", "<")),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_splitter_whole_string(text: str, expected: tuple[str, str]) -> None:
    assert run([text]) == expected


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_splitter_same_totals_at_every_split_point(text: str, expected: tuple[str, str]) -> None:
    for i in range(len(text) + 1):
        assert run([text[:i], text[i:]]) == expected, i
    for i in range(len(text) + 1):
        for j in range(i, len(text) + 1):
            assert run([text[:i], text[i:j], text[j:]]) == expected, (i, j)
    assert run(list(text)) == expected


def test_splitter_agrees_with_split_think_on_the_answer() -> None:
    text = "<think>step one\nstep two</think>\n\nResult: 42"
    reasoning, answer = run(list(text))
    assert (reasoning.strip(), answer) == split_think(text)


def test_splitter_passes_answer_deltas_straight_through() -> None:
    s = ThinkSplitter()
    assert s.feed("<think>r</think>") == ("r", "")
    assert s.feed("  ") == ("", "")  # whitespace between </think> and the answer dropped
    assert s.feed(" Hi") == ("", "Hi")
    assert s.feed(" there") == ("", " there")
    assert s.flush() == ("", "")
