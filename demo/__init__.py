"""The offline-first tour of fw-integrations (``make demo`` / ``python -m demo``).

Not part of the wheel. ``demo.replay`` is the replay/live switch the notebooks use too.
"""
