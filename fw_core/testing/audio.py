"""The double's audio transcription endpoint (``POST /v1/audio/transcriptions``).

Placeholder until the full endpoint lands: answers ``{"text": ...}`` naming the file.
"""

from __future__ import annotations

import re
from typing import Any

from fw_core.testing.outcome import Outcome

__all__ = ["transcribe"]


def transcribe(provider: str, endpoint: str, headers: dict[str, str], content: bytes,
               request_id: str, knobs: Any) -> Outcome:
    """Answer one multipart transcription request."""
    name = re.search(rb'filename="([^"]{1,200})"', content)
    label = name.group(1).decode("utf-8", "replace") if name else "the audio"
    return Outcome.json(200, {"text": f"Transcript of {label}."},
                        [("x-request-id", request_id)])
