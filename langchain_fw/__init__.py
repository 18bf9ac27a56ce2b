"""LangChain integrations for Fireworks AI and Firmware.ai, on the shared fw_core.

>>> from langchain_fw import ChatFireworks  # doctest: +SKIP
>>> ChatFireworks(model="kimi-k3").invoke("Hello")  # doctest: +SKIP

Classes load on first use, so ``import langchain_fw`` costs little more than langchain-core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fw_core.kit.pip_extras import lazy_exports

if TYPE_CHECKING:
    from fw_core._version import __version__
    from langchain_fw.audio import FireworksAudioParser
    from langchain_fw.batch import arun_batch, cancel_batch, run_batch
    from langchain_fw.chat_models import ChatFireworks, ChatFirmware
    from langchain_fw.embeddings import FireworksEmbeddings, FirmwareEmbeddings
    from langchain_fw.llms import Fireworks
    from langchain_fw.middleware import FireworksPromptCachingMiddleware, cached_token_share
    from langchain_fw.rate_limiter import FwRateLimiter
    from langchain_fw.rerank import FireworksRerank, FirmwareRerank
    from langchain_fw.tools import FireworksImageGeneration

_EXPORTS = {
    "__version__": "fw_core._version",  # the distribution's, from its one source
    "run_batch": "langchain_fw.batch",
    "arun_batch": "langchain_fw.batch",
    "cancel_batch": "langchain_fw.batch",
    "ChatFireworks": "langchain_fw.chat_models",
    "ChatFirmware": "langchain_fw.chat_models",
    "Fireworks": "langchain_fw.llms",
    "FireworksEmbeddings": "langchain_fw.embeddings",
    "FirmwareEmbeddings": "langchain_fw.embeddings",
    "FireworksRerank": "langchain_fw.rerank",
    "FirmwareRerank": "langchain_fw.rerank",
    "FireworksImageGeneration": "langchain_fw.tools",
    "FireworksAudioParser": "langchain_fw.audio",
    "FwRateLimiter": "langchain_fw.rate_limiter",
    "FireworksPromptCachingMiddleware": "langchain_fw.middleware",
    "cached_token_share": "langchain_fw.middleware",
}

__all__ = [
    "ChatFireworks",
    "ChatFirmware",
    "Fireworks",
    "FireworksAudioParser",
    "FireworksEmbeddings",
    "FireworksImageGeneration",
    "FireworksPromptCachingMiddleware",
    "FireworksRerank",
    "FirmwareEmbeddings",
    "FirmwareRerank",
    "FwRateLimiter",
    "__version__",
    "arun_batch",
    "cached_token_share",
    "cancel_batch",
    "run_batch",
]


# a missing framework is named with the extra that installs it (fw_core.kit.pip_extras)
__getattr__, __dir__ = lazy_exports(
    __name__, _EXPORTS, framework="langchain_core", extra="langchain"
)
