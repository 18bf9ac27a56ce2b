"""LlamaIndex tools backed by Fireworks APIs: :class:`FireworksImageToolSpec` (FLUX).

``FireworksImageToolSpec(...).to_tool_list()`` gives one ``FunctionTool`` named
``generate_image`` with a sync and an async function, ready for ``FunctionAgent`` or
``ReActAgent``. The tool returns a :class:`GeneratedImage`: its text (what the agent reads,
via ``str()``) is one line describing the image and, when ``output_dir`` is set, the file
path; the image itself stays in ``ToolOutput.raw_output`` (``.result``, ``.image_block``)
and never enters the model's context.

A content-filtered image (``finishReason: CONTENT_FILTERED``) comes back as a message
saying so (``GeneratedImage.content_filtered`` is True), with no file written, so the
agent can rephrase and retry; other API errors raise fw_core's typed errors. The async
function writes files through ``asyncio.to_thread``.

(No ``from __future__ import annotations`` here: LlamaIndex builds the tool's schema from
the method signatures at runtime and must be able to resolve ``AspectRatio``.)
"""

from dataclasses import replace
from pathlib import Path
from typing import Any

from llama_index.core.base.llms.types import ImageBlock
from llama_index.core.tools.tool_spec.base import BaseToolSpec

from fw_core.endpoints.images import DEFAULT_IMAGE_MODEL, AspectRatio, OutputFormat, WireFormat
from fw_core.kit.connection import FireworksConnection
from fw_core.kit.image_tool import ImageToolSettings, ToolImage

__all__ = ["AspectRatio", "FireworksImageToolSpec", "GeneratedImage"]

_UNSAVED = "the image is kept in the tool output, not in a file"


class GeneratedImage(ToolImage):
    """What the image tool returns: the agent's text plus the image for your code.

    ``str(generated)`` is the text the agent reads. ``result`` is the full
    :class:`~fw_core.endpoints.images.ImageResult` (bytes, MIME type, seed, finish reason);
    ``path`` the saved file, if any. The fields are those of
    :class:`fw_core.kit.image_tool.ToolImage`; this class adds the LlamaIndex ``ImageBlock``.

    Example:
        >>> from fw_core.endpoints.images import ImageResult
        >>> r = ImageResult(b"\\x89PNG", "image/png", seed=1, finish_reason="SUCCESS")
        >>> g = GeneratedImage("Generated a PNG image", r)
        >>> str(g), g.content_filtered, g.image_block.image_mimetype
        ('Generated a PNG image', False, 'image/png')
    """

    @property
    def image_block(self) -> ImageBlock | None:
        """The image as a LlamaIndex ``ImageBlock`` (None when it was filtered)."""
        if self.result.content_filtered or not self.result.image:
            return None
        return ImageBlock(image=self.result.image, image_mimetype=self.result.mime_type)


def _setting(name: str) -> Any:
    """A spec attribute read from (and written through) its :class:`ImageToolSettings`."""

    def get(self: "FireworksImageToolSpec") -> Any:
        return getattr(self.settings, name)

    def set_(self: "FireworksImageToolSpec", value: Any) -> None:
        self.settings = replace(self.settings, **{name: value})  # checked again

    return property(get, set_, doc=f"``settings.{name}``; assigning it checks it again.")


class FireworksImageToolSpec(BaseToolSpec):
    """Fireworks FLUX text-to-image as a LlamaIndex tool spec.

    Args:
        model: image model, short name or ``accounts/<account>/models/<model>``
            (default ``flux-1-schnell-fp8``).
        output_dir: save each image there and tell the agent the path; None keeps the
            image only in the tool output.
        output_format: ``"png"`` (default) or ``"jpeg"``.
        guidance_scale, num_inference_steps, safety_check: sent with every call when set.
        wire_format: ``"json"`` (default, finish reason always known) or ``"binary"``.
        **connection: the connection, every field of
            :class:`fw_core.kit.connection.ConnectionMixin` (``api_key``, default
            ``FIREWORKS_API_KEY``; ``base_url``, ``timeout``, ``max_retries``,
            ``default_headers``, ``rate_limit``, ``rate_limit_max_wait``,
            ``queue_timeout``, ``http_client``, ``async_http_client``), as on the other
            classes of this package. One client pair is created lazily and reused.

    Every setting is checked here (ConfigurationError), before any request. The image
    settings live in a :class:`fw_core.kit.image_tool.ImageToolSettings` (``settings``,
    shared with the LangChain tool); ``model``, ``output_dir`` and the others read it, and
    assigning one checks the new value. A
    ``BaseToolSpec`` is not a pydantic model, so the connection lives in a
    :class:`fw_core.kit.connection.FireworksConnection` (``connection``), the same fields and
    rules as every other class: it pickles, deep-copies and survives ``fork()`` the same
    way (an injected httpx client is not pickled; the copy builds a default one).

    Example:
        >>> import httpx
        >>> from fw_core.testing import WireDouble
        >>> spec = FireworksImageToolSpec(
        ...     api_key="example-key",
        ...     http_client=httpx.Client(transport=WireDouble().transport()))
        >>> [tool] = spec.to_tool_list()
        >>> tool.metadata.name
        'generate_image'
        >>> out = tool.call(prompt="a lighthouse at dusk", seed=3)
        >>> out.content
        "Generated a PNG image (1:1, seed 3) for 'a lighthouse at dusk'; the image is kept \
in the tool output, not in a file."
        >>> out.raw_output.result.image[:4]
        b'\\x89PNG'
    """

    spec_functions = [("generate_image", "agenerate_image")]

    model = _setting("model")
    output_dir = _setting("output_dir")
    output_format = _setting("output_format")
    guidance_scale = _setting("guidance_scale")
    num_inference_steps = _setting("num_inference_steps")
    safety_check = _setting("safety_check")
    wire_format = _setting("wire_format")

    def __init__(
        self,
        *,
        model: str = DEFAULT_IMAGE_MODEL,
        output_dir: str | Path | None = None,
        output_format: OutputFormat = "png",
        guidance_scale: float | None = None,
        num_inference_steps: int | None = None,
        safety_check: bool | None = None,
        wire_format: WireFormat = "json",
        **connection: Any,
    ) -> None:
        self.settings = ImageToolSettings(
            model=model,
            output_dir=Path(output_dir) if output_dir is not None else None,
            output_format=output_format,
            guidance_scale=guidance_scale,
            num_inference_steps=num_inference_steps,
            safety_check=safety_check,
            wire_format=wire_format,
        )
        # every connection argument is the mixin's (rate_limit, queue_timeout, ... and any
        # added later): named once there, checked there, a near-miss refused with a hint
        self.connection = FireworksConnection(**connection)

    @property
    def base_url(self) -> str | None:
        """The resolved inference base URL."""
        return self.connection.base_url

    def close(self) -> None:
        """Close the sync HTTP client this tool created (an injected one is left open)."""
        self.connection.close()

    async def aclose(self) -> None:
        """Async twin of :meth:`close`."""
        await self.connection.aclose()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(model={self.model!r}, output_dir={self.output_dir!r}, "
            f"base_url={self.base_url!r})"
        )

    def generate_image(
        self,
        prompt: str,
        aspect_ratio: AspectRatio | None = None,
        seed: int | None = None,
    ) -> GeneratedImage:
        """Generate an image from a text description and describe the result.

        Args:
            prompt: a detailed description of the image to draw.
            aspect_ratio: width:height of the image, e.g. "16:9"; default square (1:1).
            seed: a seed (0 or more) to reproduce an earlier image; leave empty for a new one.
        """
        out = self.settings.generate(
            self.connection._client(), prompt, aspect_ratio, seed, unsaved=_UNSAVED
        )
        return GeneratedImage(out.text, out.result, out.path)

    async def agenerate_image(
        self,
        prompt: str,
        aspect_ratio: AspectRatio | None = None,
        seed: int | None = None,
    ) -> GeneratedImage:
        """Async twin of :meth:`generate_image` (file writes run in a worker thread)."""
        out = await self.settings.agenerate(
            self.connection._aclient(), prompt, aspect_ratio, seed, unsaved=_UNSAVED
        )
        return GeneratedImage(out.text, out.result, out.path)
