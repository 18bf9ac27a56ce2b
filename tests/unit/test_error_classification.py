"""400 bodies are told apart by what they say, not by field names they happen to quote."""

from __future__ import annotations

import pytest

from fw_core.errors import (
    BadRequestError,
    ContextLengthExceededError,
    UnsupportedParameterError,
    make_status_error,
)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # Found by the wire double: the rejected field's name contains "context_length".
        (
            "Extra inputs are not permitted, field: 'context_length_exceeded_behavior'",
            UnsupportedParameterError,
        ),
        (
            "The prompt is too long: 9000 tokens, maximum context length is 8192",
            ContextLengthExceededError,
        ),
        ("Requests with max_tokens > 4096 must have stream=true", BadRequestError),
    ],
)
def test_bad_request_subclass_follows_the_message(
    message: str, expected: type[BadRequestError]
) -> None:
    err = make_status_error(400, f'{{"error": {{"message": "{message}"}}}}')
    assert type(err) is expected
