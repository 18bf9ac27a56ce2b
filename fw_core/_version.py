"""The distribution's version, in one place.

``pyproject.toml`` reads it (``[tool.hatch.version]``), so the installed metadata, the
packages' ``__version__`` and the ``User-Agent`` sent with each request all agree.
"""

__version__ = "0.1.0"
