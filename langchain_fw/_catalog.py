"""Model catalog and Firmware quota methods for the LangChain chat classes.

:class:`CatalogMixin` (on ``ChatFireworks`` and ``ChatFirmware``) lists the API's models;
:class:`QuotaMixin` (on ``ChatFirmware``) reads the key's quota. Both are plain methods, not
pydantic fields, that reuse the chat model's own lazily created fw_core client (see
:class:`langchain_fw._base.FwClientMixin`) and raise the LangChain-flavoured errors of
:mod:`langchain_fw._errors`. The wire work lives in :mod:`fw_core.endpoints.models` and
:mod:`fw_core.endpoints.quota`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Unpack

from langchain_fw._errors import translate_errors

if TYPE_CHECKING:
    from fw_core.endpoints import models as fw_models
    from fw_core.endpoints import quota as fw_quota
    from langchain_fw._base import FwClientMixin

    _Base = FwClientMixin
else:
    _Base = object

__all__ = ["CatalogMixin", "QuotaMixin"]


class CatalogMixin(_Base):
    """``list_models()`` / ``alist_models()`` on the chat classes.

    Fireworks lists its account catalog (``account_id`` or ``FIREWORKS_ACCOUNT_ID``, default
    ``fireworks``), Firmware its ``/models``. Filters are checked before any request, sent
    to the server where it takes them and always applied to the answer; a model whose
    value is unknown does not pass a filter on that field. The public ``fireworks``
    catalog lists only models served serverless unless ``serverless=None`` (it keeps
    retired models, still ``READY``). See :func:`fw_core.endpoints.models.list_models`.

    Example:
        >>> import httpx
        >>> from fw_core.testing import WireDouble
        >>> from langchain_fw import ChatFireworks
        >>> chat = ChatFireworks(model="kimi-k3", api_key="example-key",
        ...                      http_client=httpx.Client(transport=WireDouble().transport()))
        >>> [m.display_name for m in chat.list_models(min_context_length=200_000)]
        ['Llama 4 Maverick Instruct (Basic)', 'Kimi K3', 'DeepSeek V4.1 Flash']
        >>> len(chat.list_models(min_context_length=200_000, serverless=None))  # + a retired one
        4
    """

    def list_models(self, **filters: Unpack[fw_models.ModelFilters]) -> list[fw_models.ModelInfo]:
        """The models this API lists, normalised to :class:`fw_core.endpoints.models.ModelInfo`.

        Filters (all optional): ``supports_tools``, ``supports_image_input``,
        ``min_context_length``, ``kind``, ``serverless`` (default: only served models on the
        public catalog), ``account_id``, ``max_pages``, ``server_filter``; see
        :func:`fw_core.endpoints.models.list_models`.
        """
        from fw_core.endpoints import models  # on first use: the chat classes load without it

        with translate_errors():
            return models.list_models(self._client(), **filters)

    async def alist_models(
        self, **filters: Unpack[fw_models.ModelFilters]
    ) -> list[fw_models.ModelInfo]:
        """Async twin of :meth:`list_models`."""
        from fw_core.endpoints import models

        with translate_errors():
            return await models.alist_models(self._aclient(), **filters)


class QuotaMixin(_Base):
    """``get_quota()`` / ``aget_quota()`` on ChatFirmware: ``GET {base}/quota``.

    Every body generation Firmware has used becomes one :class:`fw_core.quota.FirmwareQuota`
    (usage shares as fractions 0-1; see :mod:`fw_core.endpoints.quota` for the percent rule). A bad
    key raises ``FwAuthenticationError`` (also a ``ModelAuthenticationError``).

    Example:
        >>> import httpx
        >>> from fw_core.testing import WireDouble
        >>> from langchain_fw import ChatFirmware
        >>> chat = ChatFirmware(model="openai/gpt-4o", api_key="example-key",
        ...                     http_client=httpx.Client(transport=WireDouble().transport()))
        >>> q = chat.get_quota()
        >>> q.generation, q.credits
        ('credits', 42.5)
    """

    def get_quota(self) -> fw_quota.FirmwareQuota:
        """This key's quota, normalised."""
        from fw_core.endpoints import quota  # on first use: the chat classes load without it

        with translate_errors():
            return quota.get_quota(self._client())

    async def aget_quota(self) -> fw_quota.FirmwareQuota:
        """Async twin of :meth:`get_quota`."""
        from fw_core.endpoints import quota

        with translate_errors():
            return await quota.aget_quota(self._aclient())
