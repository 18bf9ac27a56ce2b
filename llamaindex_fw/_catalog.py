"""What a LlamaIndex LLM knows about its model: the model table, the API's listing, quota.

:class:`ModelInfoMixin` gives :class:`~llamaindex_fw.llms.FwLLM` its ``metadata`` (context
window and tool support from :mod:`fw_core.model_table`, or from the API's model list once
:meth:`~ModelInfoMixin.refresh_model_info` has read it) and ``list_models``;
:class:`QuotaMixin` gives Firmware its quota. Both only call fw_core; reading ``metadata``
never makes a request.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from llama_index.core.base.llms.types import LLMMetadata, MessageRole
from llama_index.core.constants import DEFAULT_NUM_OUTPUTS

if TYPE_CHECKING:
    from typing import ClassVar, Unpack

    from llama_index.core.llms.function_calling import FunctionCallingLLM

    from fw_core.endpoints.models import ModelFilters, ModelInfo
    from fw_core.endpoints.quota import FirmwareQuota
    from fw_core.http.client import AsyncClient, Client
    from fw_core.providers import ProviderSpec

    class _Base(FunctionCallingLLM):
        """What the mixins use of :class:`~llamaindex_fw.llms.FwLLM` (for type checking)."""

        fw_provider: ClassVar[ProviderSpec]
        model: str
        context_window: int | None
        max_tokens: int | None
        _endpoint_info: ModelInfo | None

        @property
        def wire_model(self) -> str: ...
        def _client(self) -> Client: ...
        def _aclient(self) -> AsyncClient: ...
else:
    _Base = object

__all__ = ["ModelInfoMixin", "QuotaMixin"]

_warned_unknown: set[tuple[str, str]] = set()


class ModelInfoMixin(_Base):
    """``metadata``, ``model_info``, ``refresh_model_info`` and ``list_models`` for FwLLM."""

    @property
    def model_info(self) -> ModelInfo | None:
        """The refreshed listing merged over the model table, else the table entry, or None."""
        if self._endpoint_info is not None:
            return self._endpoint_info
        from fw_core.model_table import lookup

        return lookup(self.fw_provider.name, self.wire_model)

    def _context_window(self, info: ModelInfo | None) -> int:
        if self.context_window is not None:
            return self.context_window
        if info is not None and info.context_length is not None:
            return info.context_length
        from fw_core.model_table import UNKNOWN_CONTEXT_WINDOW

        key = (self.fw_provider.name, self.wire_model)
        if key not in _warned_unknown:
            _warned_unknown.add(key)
            warnings.warn(
                f"{self.fw_provider.display_name} model {self.model!r} is not in the model "
                f"table (fw_core.model_table); assuming a {UNKNOWN_CONTEXT_WINDOW}-token "
                "context window. Pass context_window=... or call refresh_model_info() to "
                "read it from the API.",
                UserWarning,
                stacklevel=3,
            )
        return UNKNOWN_CONTEXT_WINDOW

    @property
    def metadata(self) -> LLMMetadata:
        info = self.model_info
        return LLMMetadata(
            context_window=self._context_window(info),
            num_output=self.max_tokens or DEFAULT_NUM_OUTPUTS,
            is_chat_model=True,
            # no allow-list: tools unless the model is known not to call them
            is_function_calling_model=info is None or info.supports_tools is not False,
            model_name=self.model,
            system_role=MessageRole.SYSTEM,
        )

    def refresh_model_info(self) -> ModelInfo | None:
        """Read this model's entry from the API's model list and let :attr:`metadata` use it.

        Fireworks: the account catalog on the control plane, asked for the model's name.
        Firmware: ``GET {base}/models``. Afterwards ``metadata.context_window`` and
        ``metadata.is_function_calling_model`` follow the listing where it states them (an
        explicit ``context_window=`` still wins; what the listing leaves out keeps the
        model table's value). Only this call reads the list: constructing the LLM or
        reading ``metadata`` never makes a request.

        Returns:
            The listing's :class:`fw_core.endpoints.models.ModelInfo`, or None when the API does not
            list the model (deployments, routers, an unlisted id); then nothing changes.
        """
        from fw_core.endpoints.models import find_model

        return self._keep_listed(find_model(self._client(), self.wire_model))

    async def arefresh_model_info(self) -> ModelInfo | None:
        """Async twin of :meth:`refresh_model_info`."""
        from fw_core.endpoints.models import afind_model

        return self._keep_listed(await afind_model(self._aclient(), self.wire_model))

    def _keep_listed(self, listed: ModelInfo | None) -> ModelInfo | None:
        if listed is not None:
            from fw_core.model_table import lookup, merge_listing

            info = merge_listing(listed, lookup(self.fw_provider.name, self.wire_model))
            if info.context_length is not None:
                self._endpoint_info = info
        return listed

    def list_models(self, **filters: Unpack[ModelFilters]) -> list[ModelInfo]:
        """The models this API lists, as :class:`fw_core.endpoints.models.ModelInfo`, filtered.

        Same filters and rules as :func:`fw_core.endpoints.models.list_models` (``supports_tools``,
        ``supports_image_input``, ``min_context_length``, ``kind``, ``serverless``,
        ``account_id``, ``max_pages``, ``server_filter``), on this LLM's client. The public
        ``fireworks`` catalog lists only models served serverless unless ``serverless=None``.
        """
        from fw_core.endpoints.models import list_models

        return list_models(self._client(), **filters)

    async def alist_models(self, **filters: Unpack[ModelFilters]) -> list[ModelInfo]:
        """Async twin of :meth:`list_models`."""
        from fw_core.endpoints.models import alist_models

        return await alist_models(self._aclient(), **filters)


class QuotaMixin(_Base):
    """Firmware's quota (``GET {base}/quota``) on the LLM's own client."""

    def get_quota(self) -> FirmwareQuota:
        """This key's Firmware quota (``GET {base}/quota``), see :mod:`fw_core.endpoints.quota`."""
        from fw_core.endpoints.quota import get_quota

        return get_quota(self._client())

    async def aget_quota(self) -> FirmwareQuota:
        """Async twin of :meth:`get_quota`."""
        from fw_core.endpoints.quota import aget_quota

        return await aget_quota(self._aclient())
