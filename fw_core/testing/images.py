"""The double's image generation endpoint (``POST .../workflows/<model>/text_to_image``).

Placeholder until the full endpoint lands.
"""

from __future__ import annotations

from typing import Any

from fw_core.testing.outcome import Outcome

__all__ = ["text_to_image"]


def text_to_image(endpoint: str, headers: dict[str, str], body: dict[str, Any],
                  request_id: str, knobs: Any) -> Outcome:
    """Answer one text-to-image request."""
    return Outcome.json(404, {"detail": "Not Found"}, [("x-request-id", request_id)])
