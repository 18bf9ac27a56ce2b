"""LangChain tools backed by Fireworks APIs: :class:`FireworksImageGeneration` (FLUX).

The tool is built for agents. By default (``response_format="content_and_artifact"``) the
model reads a one-line description of what was generated (format, aspect ratio, seed,
and the file path when ``output_dir`` is set) while the image itself travels in the
``ToolMessage.artifact`` as a standard LangChain image content block
(``{"type": "image", "base64": ..., "mime_type": ...}``), which is never sent back to the
model. An image's base64 (tens to hundreds of KB) would swamp a model's context and cost
tokens for nothing. With ``response_format="content"`` the tool returns the saved path,
or, when no ``output_dir`` is set, a ``data:`` URL (explicit opt-in: it is large).

A content-filtered image (Fireworks' safety checker, ``finishReason: CONTENT_FILTERED``)
is returned as a plain message saying so, with no artifact and no file: the agent can
rephrase and retry, and the loop does not crash (raising ``ToolException`` would need
``handle_tool_error=True`` to be set to keep the loop alive). The black image is never
saved or attached. Every other API error (401, 412 account suspended, 429 after retries)
raises the LangChain-flavoured fw_core error, as the chat models do: those are not
something the model can fix.

Sync ``_run`` writes files directly; async ``_arun`` generates on the async client and
writes through ``asyncio.to_thread``, so the event loop never blocks on the disk. The
settings checks and the generate/save/describe sequence are
:class:`fw_core.kit.image_tool.ImageToolSettings`, shared with the LlamaIndex tool spec; this
module maps its outcome to LangChain's content and artifact.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.messages.content import create_image_block
from langchain_core.tools import BaseTool
from pydantic import BaseModel, Field, model_validator

from fw_core import errors as fe
from fw_core.endpoints.images import (
    DEFAULT_IMAGE_MODEL,
    MAX_SEED,
    AspectRatio,
    OutputFormat,
    WireFormat,
)
from fw_core.kit.image_tool import ImageToolSettings, ToolImage
from fw_core.providers import FIREWORKS, ProviderSpec
from langchain_fw._base import FwClientMixin
from langchain_fw._errors import map_error

__all__ = ["FireworksImageGeneration", "ImageGenerationInput"]


class ImageGenerationInput(BaseModel):
    """What the model fills in when it calls the image tool."""

    prompt: str = Field(min_length=1, description="A detailed description of the image.")
    aspect_ratio: AspectRatio | None = Field(
        default=None, description="Width:height of the image; default square (1:1)."
    )
    seed: int | None = Field(
        default=None,
        ge=0,
        le=MAX_SEED,
        description="Seed to reproduce an earlier image; leave empty for a new one.",
    )


_UNSAVED = "the image is attached to this result as an artifact"


class FireworksImageGeneration(FwClientMixin, BaseTool):
    """Text-to-image with Fireworks FLUX models, as a LangChain tool.

    Args:
        model: image model, short name or ``accounts/<account>/models/<model>``
            (default ``flux-1-schnell-fp8``).
        output_dir: save each image there and tell the model the path; None keeps
            images only in the artifact.
        output_format: ``"png"`` (default) or ``"jpeg"``.
        guidance_scale / num_inference_steps / safety_check: sent with every call when set.
        response_format: ``"content_and_artifact"`` (default) or ``"content"``.
        api_key / base_url / timeout / max_retries / default_headers / http_client /
            http_async_client: the connection, as on every class of this package
            (key default ``FIREWORKS_API_KEY``).

    Example:
        >>> import httpx
        >>> from fw_core.testing import WireDouble
        >>> tool = FireworksImageGeneration(
        ...     api_key="example-key",
        ...     http_client=httpx.Client(transport=WireDouble().transport()))
        >>> msg = tool.invoke({"type": "tool_call", "id": "call_1", "name": tool.name,
        ...                    "args": {"prompt": "a lighthouse at dusk", "seed": 3}})
        >>> msg.content
        "Generated a PNG image (1:1, seed 3) for 'a lighthouse at dusk'; the image is \
attached to this result as an artifact."
        >>> msg.artifact["type"], msg.artifact["mime_type"]
        ('image', 'image/png')
    """

    fw_provider: ClassVar[ProviderSpec] = FIREWORKS
    fw_aliases: ClassVar[Mapping[str, str]] = {
        "fireworks_api_key": "api_key",
        "fireworks_api_base": "base_url",
    }

    name: str = "generate_image"
    description: str = (
        "Generate an image from a text description (Fireworks FLUX). Input: a detailed "
        "prompt, optionally an aspect ratio and a seed. Returns a short description of the "
        "image (and its file path when images are saved)."
    )
    args_schema: type[BaseModel] = ImageGenerationInput
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"

    model: str = DEFAULT_IMAGE_MODEL
    """Image model id; a short name gets ``accounts/fireworks/models/``."""
    output_dir: Path | None = None
    """Directory to save images in (created on first save); None: do not save."""
    output_format: OutputFormat = "png"
    guidance_scale: float | None = None
    num_inference_steps: int | None = None
    safety_check: bool | None = None
    wire_format: WireFormat = "json"
    """How the API sends the image: ``json`` (finish reason always known) or ``binary``."""

    @model_validator(mode="after")
    def _check_image_settings(self) -> Any:
        object.__setattr__(self, "model", self._settings().model)  # the full model id
        return self

    def _settings(self) -> ImageToolSettings:
        # Built from the fields on each call (a check of a few microseconds), so a field
        # changed after construction or by ``model_copy(update=...)`` is honoured.
        return ImageToolSettings.from_attributes(self)

    def _answer(self, out: ToolImage) -> Any:
        if out.content_filtered:
            pair = self.response_format == "content_and_artifact"
            return (out.text, None) if pair else out.text
        result, path = out.result, out.path
        if self.response_format == "content":
            return str(path) if path is not None else result.data_url
        artifact = create_image_block(
            base64=result.b64,
            mime_type=result.mime_type,
            seed=result.seed,
            finish_reason=result.finish_reason,
            model=result.model,
            path=str(path) if path is not None else None,
        )
        return out.text, artifact

    def _run(
        self,
        prompt: str,
        aspect_ratio: str | None = None,
        seed: int | None = None,
        run_manager: CallbackManagerForToolRun | None = None,
    ) -> Any:
        try:
            out = self._settings().generate(
                self._client(), prompt, aspect_ratio, seed, unsaved=_UNSAVED
            )
        except fe.FwError as exc:
            raise map_error(exc) from exc
        return self._answer(out)

    async def _arun(
        self,
        prompt: str,
        aspect_ratio: str | None = None,
        seed: int | None = None,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
    ) -> Any:
        try:
            out = await self._settings().agenerate(
                self._aclient(), prompt, aspect_ratio, seed, unsaved=_UNSAVED
            )
        except fe.FwError as exc:
            raise map_error(exc) from exc
        return self._answer(out)
