"""Connection settings of every LangChain class in this package: fw_core's mixin plus one thing.

The fields (``api_key``, ``base_url``, ``timeout``, ``max_retries``, ``default_headers``,
``http_client``, ``http_async_client``), the lazily built and reused fw_core clients,
copies, pickling and fork safety are :class:`fw_core.kit.connection.ConnectionMixin`, shared
with the LlamaIndex classes. What only LangChain needs is how its ``dumpd`` sees them:
``lc_secrets`` writes the key as a reference to the provider's env var instead of its
value, and ``lc_attributes`` gives ``dumpd`` (which reads raw field values, not
``model_dump``) the headers without credential headers and an ``httpx.Timeout`` as data.

Mix it in *before* the LangChain base class and set the ``fw_provider`` class variable::

    class FireworksEmbeddings(FwClientMixin, BaseModel, Embeddings):
        fw_provider: ClassVar[ProviderSpec] = FIREWORKS
        fw_aliases: ClassVar[Mapping[str, str]] = {"fireworks_api_key": "api_key"}

        def embed_query(self, text):
            with translate_errors():
                return fw_core.endpoints.embeddings.embed(self._client(), ...)
"""

from __future__ import annotations

from typing import Any

import httpx

from fw_core.kit.connection import ConnectionMixin, safe_headers

__all__ = ["FwClientMixin"]


class FwClientMixin(ConnectionMixin):
    """:class:`~fw_core.kit.connection.ConnectionMixin` with LangChain's serialization hooks.

    Example:
        >>> from langchain_core.load import dumpd
        >>> from langchain_fw import ChatFirmware
        >>> llm = ChatFirmware(model="openai/gpt-5", api_key="example-key")
        >>> dumpd(llm)["kwargs"]["api_key"]
        {'lc': 1, 'type': 'secret', 'id': ['FIRMWARE_API_KEY']}
    """

    @property
    def lc_secrets(self) -> dict[str, str]:
        """LangChain serialization: the key is written as a reference to its env var."""
        return {"api_key": self.fw_provider.api_key_env[0]}

    @property
    def lc_attributes(self) -> dict[str, Any]:
        """LangChain serialization: what ``dumpd`` must not take from the raw fields."""
        attrs: dict[str, Any] = {}
        if self.default_headers:
            attrs["default_headers"] = safe_headers(self.default_headers)
        if isinstance(self.timeout, httpx.Timeout):
            attrs["timeout"] = self.timeout.as_dict()
        return attrs
