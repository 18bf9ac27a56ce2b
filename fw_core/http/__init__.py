"""The HTTP layer: clients, their connection gate, the send loop's decisions, SSE."""
