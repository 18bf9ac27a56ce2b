"""What an agent's image tool does, once for both frameworks: :class:`ImageToolSettings`.

The LangChain tool (``langchain_fw.tools.FireworksImageGeneration``) and the LlamaIndex
tool spec (``llamaindex_fw.tools.FireworksImageToolSpec``) take the same settings and run
the same sequence on every call: build the request options from the settings and the
model's arguments, generate without raising on a filtered image, save the image to
``output_dir`` unless it was filtered, and write the one line the agent reads. That
sequence lives here; each adapter only maps the outcome, a :class:`ToolImage`, to its
framework's types (LangChain: content plus an image content block as the artifact;
LlamaIndex: ``GeneratedImage``) and applies its own error conventions.

The settings are a frozen dataclass rather than a pydantic model: every check raises
:class:`~fw_core.errors.ConfigurationError` directly with its plain message (no
``ValidationError`` wrapper, no lax coercion of ``"4"`` into ``4``), which is what the
non-pydantic LlamaIndex spec exposes, while the LangChain tool keeps its own pydantic
fields (their types checked by pydantic first) and builds the settings from them.

Example:
    >>> import httpx
    >>> from fw_core import FIREWORKS, Client
    >>> from fw_core.testing import WireDouble
    >>> settings = ImageToolSettings(output_format="jpeg", num_inference_steps=4)
    >>> settings.model
    'accounts/fireworks/models/flux-1-schnell-fp8'
    >>> client = Client(FIREWORKS, api_key="example-key",
    ...                 http_client=httpx.Client(transport=WireDouble().transport()))
    >>> out = settings.generate(client, "a lighthouse at dusk", "16:9", seed=3)
    >>> out.text
    "Generated a JPEG image (16:9, seed 3) for 'a lighthouse at dusk'; it was not saved \
to a file."
    >>> out.result.mime_type, out.path
    ('image/jpeg', None)
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from fw_core.endpoints.images import (
    DEFAULT_IMAGE_MODEL,
    ImageResult,
    OutputFormat,
    WireFormat,
    agenerate_image,
    check_image_options,
    describe_image,
    filtered_message,
    generate_image,
    prompt_stem,
)
from fw_core.errors import ConfigurationError
from fw_core.http.client import AsyncClient, Client

__all__ = ["UNSAVED", "ImageToolSettings", "ToolImage"]

#: What :func:`~fw_core.endpoints.images.describe_image` says of an image that was not saved.
UNSAVED = "it was not saved to a file"


@dataclass(frozen=True)
class ToolImage:
    """One image tool call's outcome: the line the agent reads, the image, the saved file.

    ``str(out)`` is the text. ``path`` is None when nothing was saved (no ``output_dir``,
    or the image was filtered).

    Example:
        >>> r = ImageResult(b"", "image/png", seed=1, finish_reason="CONTENT_FILTERED")
        >>> out = ToolImage("No image: ...", r)
        >>> str(out), out.content_filtered, out.path
        ('No image: ...', True, None)
    """

    text: str
    result: ImageResult
    path: Path | None = None

    def __str__(self) -> str:
        return self.text

    @property
    def content_filtered(self) -> bool:
        """True when the safety filter blocked the image (then nothing was saved)."""
        return self.result.content_filtered


@dataclass(frozen=True)
class ImageToolSettings:
    """An image tool's settings, checked once when built (ConfigurationError).

    Args:
        model: image model, short name or ``accounts/<account>/models/<model>``; kept as
            the full id.
        output_dir: save each image there (created on first save) and tell the agent the
            path; None does not save. A string becomes a ``Path``; an existing file is
            refused.
        output_format: ``"png"`` or ``"jpeg"``.
        guidance_scale, num_inference_steps, safety_check: sent with every call when set.
        wire_format: ``"json"`` (the finish reason is always known) or ``"binary"``.

    Example:
        >>> ImageToolSettings(output_dir="images").request_options("a fox", "16:9", 7)
        ... # doctest: +NORMALIZE_WHITESPACE
        {'prompt': 'a fox', 'model': 'accounts/fireworks/models/flux-1-schnell-fp8',
         'aspect_ratio': '16:9', 'seed': 7, 'guidance_scale': None,
         'num_inference_steps': None, 'safety_check': None, 'output_format': 'png',
         'wire_format': 'json', 'raise_on_filter': False}
        >>> ImageToolSettings(guidance_scale=-1)
        Traceback (most recent call last):
        ...
        fw_core.errors.ConfigurationError: guidance_scale must be between 0 and 50, got -1
    """

    model: str = DEFAULT_IMAGE_MODEL
    output_dir: Path | None = None
    output_format: OutputFormat = "png"
    guidance_scale: float | None = None
    num_inference_steps: int | None = None
    safety_check: bool | None = None
    wire_format: WireFormat = "json"

    def __post_init__(self) -> None:
        full = check_image_options(
            model=self.model,
            guidance_scale=self.guidance_scale,
            num_inference_steps=self.num_inference_steps,
            safety_check=self.safety_check,
            output_format=self.output_format,
            wire_format=self.wire_format,
        )
        object.__setattr__(self, "model", full)
        out = self.output_dir
        if out is not None:
            out = Path(out)
            if out.exists() and not out.is_dir():
                raise ConfigurationError(f"output_dir {str(out)!r} is not a directory")
            object.__setattr__(self, "output_dir", out)

    @classmethod
    def from_attributes(cls, obj: Any) -> ImageToolSettings:
        """The settings read from ``obj``'s attributes of the same names (a tool's fields).

        >>> class Tool:
        ...     model, output_dir, output_format = "flux-1-dev-fp8", None, "jpeg"
        ...     guidance_scale = num_inference_steps = safety_check = None
        ...     wire_format = "json"
        >>> ImageToolSettings.from_attributes(Tool()).model
        'accounts/fireworks/models/flux-1-dev-fp8'
        """
        return cls(**{f.name: getattr(obj, f.name) for f in fields(cls)})

    def request_options(
        self, prompt: str, aspect_ratio: str | None = None, seed: int | None = None
    ) -> dict[str, Any]:
        """The keyword arguments of :func:`~fw_core.endpoints.images.generate_image` for one call.

        A filtered image is returned, not raised (``raise_on_filter=False``): a tool
        tells the agent, which can rephrase and retry.
        """
        return {
            "prompt": prompt,
            "model": self.model,
            "aspect_ratio": aspect_ratio,
            "seed": seed,
            "guidance_scale": self.guidance_scale,
            "num_inference_steps": self.num_inference_steps,
            "safety_check": self.safety_check,
            "output_format": self.output_format,
            "wire_format": self.wire_format,
            "raise_on_filter": False,
        }

    def target(self, result: ImageResult, prompt: str) -> Path | None:
        """Where to save ``result``: a name from the prompt, seed and content hash in
        ``output_dir``; None without ``output_dir`` or for a filtered image.

        >>> r = ImageResult(b"x", "image/png", seed=7, finish_reason="SUCCESS")
        >>> ImageToolSettings(output_dir="out").target(r, "A red fox!").as_posix()
        'out/a-red-fox-7-2d711642b7.png'
        """
        if self.output_dir is None or result.content_filtered:
            return None
        return self.output_dir / result.default_filename(stem=prompt_stem(prompt))

    def outcome(
        self,
        result: ImageResult,
        prompt: str,
        aspect_ratio: str | None,
        path: Path | None,
        *,
        unsaved: str = UNSAVED,
    ) -> ToolImage:
        """The :class:`ToolImage` for a generated (and maybe saved) result.

        ``unsaved`` is what the agent reads instead of a path when nothing was saved.
        """
        if result.content_filtered:
            return ToolImage(filtered_message(prompt), result, None)
        text = describe_image(result, prompt, aspect_ratio, path=path, unsaved=unsaved)
        return ToolImage(text, result, path)

    def generate(
        self,
        client: Client,
        prompt: str,
        aspect_ratio: str | None = None,
        seed: int | None = None,
        *,
        unsaved: str = UNSAVED,
    ) -> ToolImage:
        """Generate one image, save it unless it was filtered, and describe it.

        Raises fw_core's typed errors (bad arguments: ConfigurationError before any
        request; API errors after it); a filtered image is an outcome, not an error.
        """
        result = generate_image(client, **self.request_options(prompt, aspect_ratio, seed))
        path = self.target(result, prompt)
        if path is not None:
            result.save(path)
        return self.outcome(result, prompt, aspect_ratio, path, unsaved=unsaved)

    async def agenerate(
        self,
        client: AsyncClient,
        prompt: str,
        aspect_ratio: str | None = None,
        seed: int | None = None,
        *,
        unsaved: str = UNSAVED,
    ) -> ToolImage:
        """Async twin of :meth:`generate`; the file is written in a worker thread."""
        result = await agenerate_image(client, **self.request_options(prompt, aspect_ratio, seed))
        path = self.target(result, prompt)
        if path is not None:
            await result.asave(path)
        return self.outcome(result, prompt, aspect_ratio, path, unsaved=unsaved)
