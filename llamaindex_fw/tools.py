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

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx
from llama_index.core.base.llms.types import ImageBlock
from llama_index.core.tools.tool_spec.base import BaseToolSpec
from pydantic import SecretStr

from fw_core.connection import FireworksConnection
from fw_core.errors import ConfigurationError
from fw_core.images import (
    DEFAULT_IMAGE_MODEL,
    ImageResult,
    WireFormat,
    agenerate_image,
    check_image_options,
    describe_image,
    filtered_message,
    generate_image,
    prompt_stem,
)

__all__ = ["AspectRatio", "FireworksImageToolSpec", "GeneratedImage"]

AspectRatio = Literal[
    "1:1", "21:9", "16:9", "3:2", "5:4", "4:5", "2:3", "9:16", "9:21", "4:3", "3:4"
]
_UNSAVED = "the image is kept in the tool output, not in a file"


@dataclass(frozen=True)
class GeneratedImage:
    """What the image tool returns: the agent's text plus the image for your code.

    ``str(generated)`` is the text the agent reads. ``result`` is the full
    :class:`~fw_core.images.ImageResult` (bytes, MIME type, seed, finish reason);
    ``path`` the saved file, if any.

    Example:
        >>> r = ImageResult(b"\\x89PNG", "image/png", seed=1, finish_reason="SUCCESS")
        >>> g = GeneratedImage("Generated a PNG image", r)
        >>> str(g), g.content_filtered, g.image_block.image_mimetype
        ('Generated a PNG image', False, 'image/png')
    """

    text: str
    result: ImageResult
    path: Path | None = None

    def __str__(self) -> str:
        return self.text

    @property
    def content_filtered(self) -> bool:
        return self.result.content_filtered

    @property
    def image_block(self) -> ImageBlock | None:
        """The image as a LlamaIndex ``ImageBlock`` (None when it was filtered)."""
        if self.result.content_filtered or not self.result.image:
            return None
        return ImageBlock(image=self.result.image, image_mimetype=self.result.mime_type)


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
        api_key: default ``FIREWORKS_API_KEY``. base_url, timeout, max_retries,
            default_headers, http_client, async_http_client: the connection, as on the
            other classes of this package. One client pair is created lazily and reused.

    Every setting is checked here (ConfigurationError), before any request. A
    ``BaseToolSpec`` is not a pydantic model, so the connection lives in a
    :class:`fw_core.connection.FireworksConnection` (``connection``), the same fields and
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

    def __init__(
        self,
        *,
        model: str = DEFAULT_IMAGE_MODEL,
        output_dir: str | Path | None = None,
        output_format: Literal["png", "jpeg"] = "png",
        guidance_scale: float | None = None,
        num_inference_steps: int | None = None,
        safety_check: bool | None = None,
        wire_format: WireFormat = "json",
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        default_headers: dict[str, str] | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.model = check_image_options(
            model=model,
            guidance_scale=guidance_scale,
            num_inference_steps=num_inference_steps,
            safety_check=safety_check,
            output_format=output_format,
            wire_format=wire_format,
        )
        self.output_dir = Path(output_dir) if output_dir is not None else None
        if (
            self.output_dir is not None
            and self.output_dir.exists()
            and not self.output_dir.is_dir()
        ):
            raise ConfigurationError(f"output_dir {str(self.output_dir)!r} is not a directory")
        self.output_format = output_format
        self.guidance_scale = guidance_scale
        self.num_inference_steps = num_inference_steps
        self.safety_check = safety_check
        self.wire_format: WireFormat = wire_format
        self.connection = FireworksConnection(
            api_key=SecretStr(api_key) if isinstance(api_key, str) else api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            http_client=http_client,
            http_async_client=async_http_client,
        )

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

    def _target(self, result: ImageResult, prompt: str) -> Path | None:
        if self.output_dir is None or result.content_filtered:
            return None
        return self.output_dir / result.default_filename(stem=prompt_stem(prompt))

    def _wrap(
        self, result: ImageResult, prompt: str, aspect_ratio: str | None, path: Path | None
    ) -> GeneratedImage:
        if result.content_filtered:
            return GeneratedImage(filtered_message(prompt), result, None)
        text = describe_image(result, prompt, aspect_ratio, path=path, unsaved=_UNSAVED)
        return GeneratedImage(text, result, path)

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
        result = generate_image(
            self.connection._client(),
            prompt,
            model=self.model,
            aspect_ratio=aspect_ratio,
            seed=seed,
            guidance_scale=self.guidance_scale,
            num_inference_steps=self.num_inference_steps,
            safety_check=self.safety_check,
            output_format=self.output_format,
            wire_format=self.wire_format,
            raise_on_filter=False,
        )
        path = self._target(result, prompt)
        if path is not None:
            result.save(path)
        return self._wrap(result, prompt, aspect_ratio, path)

    async def agenerate_image(
        self,
        prompt: str,
        aspect_ratio: AspectRatio | None = None,
        seed: int | None = None,
    ) -> GeneratedImage:
        """Async twin of :meth:`generate_image` (file writes run in a worker thread)."""
        result = await agenerate_image(
            self.connection._aclient(),
            prompt,
            model=self.model,
            aspect_ratio=aspect_ratio,
            seed=seed,
            guidance_scale=self.guidance_scale,
            num_inference_steps=self.num_inference_steps,
            safety_check=self.safety_check,
            output_format=self.output_format,
            wire_format=self.wire_format,
            raise_on_filter=False,
        )
        path = self._target(result, prompt)
        if path is not None:
            await result.asave(path)
        return self._wrap(result, prompt, aspect_ratio, path)
