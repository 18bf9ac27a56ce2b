"""LangChain model profiles (``chat.profile``) from fw_core's model table.

langchain-core (1.1 and later) gives every chat model a ``profile``: a ``ModelProfile``
dict of capabilities that agents and middleware consult. When the user passes none, core
(1.2.21 and later) asks the class's ``_resolve_model_profile()`` partner hook for a
default; ``ChatFireworks`` / ``ChatFirmware`` answer from :mod:`fw_core.model_table`, the
same table the LlamaIndex classes read. No request is made; a model the table does not
know keeps core's default (``None``), as does every model on an older core.

Only what the table states is mapped, and nothing is guessed:

* ``context_length`` -> ``max_input_tokens`` (the whole window; the table has no separate
  output cap, so ``max_output_tokens`` is left out);
* ``supports_tools`` -> ``tool_calling``;
* ``supports_image_input`` -> ``image_inputs``;
* ``reasoning`` -> ``reasoning_output`` (any style but ``"none"``).

>>> profile_for("fireworks", "accounts/fireworks/models/deepseek-r1")  # retired; figures kept
{'max_input_tokens': 163840, 'tool_calling': False, 'image_inputs': False, 'reasoning_output': True}
>>> profile_for("firmware", "openai/no-such-model") is None
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.language_models.model_profile import ModelProfile

    from fw_core.endpoints.models import ModelInfo

__all__ = ["profile_for", "profile_from_info"]


def profile_from_info(info: ModelInfo) -> ModelProfile:
    """The ``ModelProfile`` keys ``info`` states (a field it leaves None is left out).

    >>> from fw_core.endpoints.models import ModelInfo
    >>> profile_from_info(ModelInfo(id="m", provider="firmware", context_length=8192))
    {'max_input_tokens': 8192}
    """
    profile: ModelProfile = {}
    if info.context_length is not None:
        profile["max_input_tokens"] = info.context_length
    if info.supports_tools is not None:
        profile["tool_calling"] = info.supports_tools
    if info.supports_image_input is not None:
        profile["image_inputs"] = info.supports_image_input
    if info.reasoning is not None:
        profile["reasoning_output"] = info.reasoning != "none"
    return profile


def profile_for(provider: str, model: str | None) -> ModelProfile | None:
    """The profile of ``model`` on ``provider`` from the model table, or None when the
    table does not know it (or there is no model yet).

    The table is loaded on the first call, not when ``langchain_fw`` is imported.
    """
    if not model:
        return None
    from fw_core.model_table import lookup

    info = lookup(provider, model)
    return None if info is None else profile_from_info(info)
