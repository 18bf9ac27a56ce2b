"""Model catalog and Firmware quota methods for the LangChain chat classes.

Placeholder mixins until the catalog work lands; the chat classes already inherit them.
"""

from __future__ import annotations

__all__ = ["CatalogMixin", "QuotaMixin"]


class CatalogMixin:
    """``list_models()`` / ``alist_models()`` on the chat classes."""


class QuotaMixin:
    """``get_quota()`` / ``aget_quota()`` on ChatFirmware."""
