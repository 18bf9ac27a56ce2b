"""The adapter kit: what both framework adapters share that is not HTTP."""
