"""LlamaIndex integrations for Fireworks AI and Firmware.ai, on the shared fw_core.

>>> from llamaindex_fw import Fireworks  # doctest: +SKIP
>>> Fireworks(model="kimi-k3").complete("Hello")  # doctest: +SKIP

Classes load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fw_core.kit.pip_extras import lazy_exports

if TYPE_CHECKING:
    from fw_core._version import __version__
    from llamaindex_fw._tokens import tokenizer
    from llamaindex_fw.batch import arun_batch, cancel_batch, run_batch
    from llamaindex_fw.embeddings import FireworksEmbedding, FirmwareEmbedding
    from llamaindex_fw.llms import Fireworks, Firmware
    from llamaindex_fw.postprocessor import FireworksRerank, FirmwareRerank
    from llamaindex_fw.rate_limiter import FwRateLimiter
    from llamaindex_fw.readers import FireworksAudioReader
    from llamaindex_fw.responses import FireworksResponses
    from llamaindex_fw.tools import FireworksImageToolSpec, GeneratedImage

_EXPORTS = {
    "__version__": "fw_core._version",  # the distribution's, from its one source
    "run_batch": "llamaindex_fw.batch",
    "arun_batch": "llamaindex_fw.batch",
    "cancel_batch": "llamaindex_fw.batch",
    "Fireworks": "llamaindex_fw.llms",
    "Firmware": "llamaindex_fw.llms",
    "FireworksResponses": "llamaindex_fw.responses",
    "FireworksEmbedding": "llamaindex_fw.embeddings",
    "FirmwareEmbedding": "llamaindex_fw.embeddings",
    "FireworksRerank": "llamaindex_fw.postprocessor",
    "FirmwareRerank": "llamaindex_fw.postprocessor",
    "FireworksImageToolSpec": "llamaindex_fw.tools",
    "GeneratedImage": "llamaindex_fw.tools",
    "FireworksAudioReader": "llamaindex_fw.readers",
    "FwRateLimiter": "llamaindex_fw.rate_limiter",
    "tokenizer": "llamaindex_fw._tokens",
}

__all__ = [
    "Fireworks",
    "FireworksAudioReader",
    "FireworksEmbedding",
    "FireworksImageToolSpec",
    "FireworksRerank",
    "FireworksResponses",
    "Firmware",
    "FirmwareEmbedding",
    "FirmwareRerank",
    "FwRateLimiter",
    "GeneratedImage",
    "__version__",
    "arun_batch",
    "cancel_batch",
    "run_batch",
    "tokenizer",
]


# a missing framework is named with the extra that installs it (fw_core.kit.pip_extras)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, framework="llama_index", extra="llamaindex")
