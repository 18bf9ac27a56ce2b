"""What differs between Fireworks and Firmware: URLs, env vars, model-id rules, limits,
chat options and response extras.

Everything else in fw_core is provider-neutral and takes a :class:`ProviderSpec`; the
framework adapters read a spec's chat parameters, response extras and model rules rather
than keeping lists of their own. The option checks are in :mod:`fw_core.kit.chat_options`.

>>> FIREWORKS.normalize_model("gpt-oss-120b")
'accounts/fireworks/models/gpt-oss-120b'
>>> FIREWORKS.normalize_model("glm-5p3-fast")
'accounts/fireworks/routers/glm-5p3-fast'
>>> FIRMWARE.normalize_model("anthropic/claude-opus-4-5")
'anthropic/claude-opus-4-5'
"""

from __future__ import annotations

import ipaddress
import os
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from fw_core.errors import ConfigurationError
from fw_core.kit.chat_options import (
    COMMON_CHAT_PARAMS,
    FIREWORKS_CHAT_PARAMS,
    FIREWORKS_RESPONSE_EXTRAS,
    FIRMWARE_CHAT_PARAMS,
    FIRMWARE_RESPONSE_EXTRAS,
    ChatParam,
    OptionCheck,
    check_chat_options,
)

if TYPE_CHECKING:
    from pydantic import SecretStr

__all__ = [
    "FIREWORKS",
    "FIRMWARE",
    "FIRMWARE_VENDOR_PREFIXES",
    "InsecureBaseURLWarning",
    "ProviderSpec",
    "check_chat_options",
    "normalize_fireworks_model",
    "normalize_firmware_model",
    "provider_named",
    "validate_base_url",
]


class InsecureBaseURLWarning(UserWarning):
    """A plain-http base URL for a host that is not local: the key would travel in clear."""


_FW_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._-]*"
_FW_ACCOUNT_RESOURCE = re.compile(
    rf"^accounts/{_FW_SEGMENT}/(models|deployments|routers|deployedModels)/{_FW_SEGMENT}$"
)
_FW_DEPLOYMENT = re.compile(rf"^accounts/{_FW_SEGMENT}/deployments/{_FW_SEGMENT}$")
_FW_BARE = re.compile(rf"^{_FW_SEGMENT}$")
# Fast serving paths are routers, not models: docs.fireworks.ai/serverless/serving-paths lists
# accounts/fireworks/routers/<name>-fast ids (its first examples have retired since; the
# model table has the served ones, e.g. glm-5p3-fast); the "-turbo" routers are addressed
# the same way (docs/wire.md §1.2).
_FW_ROUTER_SUFFIXES = ("-fast", "-turbo")
# "fireworks/qwen3-embedding-8b" (short account form), "nomic-ai/nomic-embed-text-v1.5" (legacy)
_FW_TWO_PART = re.compile(rf"^{_FW_SEGMENT}/{_FW_SEGMENT}$")

#: Vendors Firmware routes to (seed 000, docs/wire.md §2.2). A ``vendor/model`` id with another
#: prefix is refused at construction; pass ``validate_model=False`` to send it anyway.
FIRMWARE_VENDOR_PREFIXES = frozenset(
    {
        "openai",
        "anthropic",
        "google",
        "xai",
        "deepseek",
        "cerebras",
        "mistral",
        "meta",
        "moonshot",
        "moonshotai",
        "zai",
        "qwen",
        "minimax",
        "groq",
        "fireworks",
        "voyage",
        "cohere",
        "perplexity",
        "together",
    }
)
_FM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]*(/[A-Za-z0-9][A-Za-z0-9._:@-]*)?$")


def _check_model_text(model: object) -> str:
    if not isinstance(model, str) or not model.strip():
        raise ConfigurationError("model must be a non-empty string")
    if model != model.strip() or any(c.isspace() for c in model):
        raise ConfigurationError(f"model id {model!r} contains whitespace")
    return model


def normalize_fireworks_model(model: str) -> str:
    """Expand and check a Fireworks model id.

    - a bare name gets the serverless prefix: ``x`` -> ``accounts/fireworks/models/x``,
      except a Fast router (``-fast`` / ``-turbo``): ``glm-5p3-fast`` ->
      ``accounts/fireworks/routers/glm-5p3-fast`` (docs/wire.md §1.2);
    - ``accounts/<a>/models|deployments|routers/<id>`` passes through;
    - ``<model>#accounts/<a>/deployments/<d>`` targets a deployment; the model part is
      expanded like a bare name;
    - two-part ids (``fireworks/qwen3-embedding-8b``, ``nomic-ai/nomic-embed-text-v1.5``)
      pass through (the API accepts them for embeddings and rerank).
    """
    model = _check_model_text(model)
    base, sep, deployment = model.partition("#")
    if sep:
        if not _FW_DEPLOYMENT.match(deployment):
            raise ConfigurationError(
                f"model id {model!r}: the part after '#' must be "
                "'accounts/<account>/deployments/<deployment-id>'"
            )
        return f"{normalize_fireworks_model(base)}#{deployment}"
    if _FW_BARE.match(base):
        kind = "routers" if base.endswith(_FW_ROUTER_SUFFIXES) else "models"
        return f"accounts/fireworks/{kind}/{base}"
    if _FW_ACCOUNT_RESOURCE.match(base) or _FW_TWO_PART.match(base):
        return base
    raise ConfigurationError(
        f"model id {model!r} is not a Fireworks model id; expected a bare name "
        "('gpt-oss-120b'), 'accounts/<account>/models/<model>', "
        "'accounts/<account>/deployments/<id>' or '<model>#accounts/<account>/deployments/<id>'"
    )


def normalize_firmware_model(model: str, *, validate: bool = True) -> str:
    """Check a Firmware model id and return it untouched.

    Firmware takes ``vendor/model`` (``openai/gpt-5.2``) and bare ids (``gpt-4o``). A
    ``vendor/`` prefix outside :data:`FIRMWARE_VENDOR_PREFIXES` is refused unless
    ``validate`` is False. A LiteLLM-style ``firmware/`` prefix is refused with a hint.
    """
    model = _check_model_text(model)
    if not validate:
        return model
    if model.startswith("firmware/"):
        raise ConfigurationError(
            f"model id {model!r}: drop the 'firmware/' prefix (that is LiteLLM's routing "
            f"prefix); Firmware expects {model.removeprefix('firmware/')!r}"
        )
    if not _FM_ID.match(model):
        raise ConfigurationError(f"model id {model!r} is not a valid Firmware model id")
    vendor, sep, _ = model.partition("/")
    if sep and vendor.lower() not in FIRMWARE_VENDOR_PREFIXES:
        known = ", ".join(sorted(FIRMWARE_VENDOR_PREFIXES))
        raise ConfigurationError(
            f"model id {model!r}: unknown vendor prefix {vendor!r} (known: {known}); "
            "pass validate_model=False to send it anyway"
        )
    return model


def _is_local_host(host: str) -> bool:
    if host in {"localhost", "testserver"} or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def validate_base_url(url: str, *, what: str = "base_url") -> str:
    """Check a base URL: http(s) scheme and a host. Warn for plain http to a remote host.

    Returns the URL without a trailing slash.
    """
    if not isinstance(url, str) or not url.strip():
        raise ConfigurationError(f"{what} must be a non-empty URL")
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigurationError(
            f"{what} {url!r} must be an absolute http(s) URL such as "
            "'https://api.fireworks.ai/inference/v1'"
        )
    if parts.scheme == "http" and not _is_local_host(parts.hostname or ""):
        warnings.warn(
            f"{what} {url!r} uses plain http to a non-local host; the API key will be sent "
            "unencrypted",
            InsecureBaseURLWarning,
            stacklevel=3,
        )
    return url.rstrip("/")


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """Static facts about one API.

    Attributes:
        name: short name used in metadata and tracing (``"fireworks"``, ``"firmware"``).
        display_name: name used in error messages.
        default_base_url: inference base URL, paths are appended to it.
        api_key_env: env vars read for the key, first one set wins.
        base_url_env: env vars read for the base URL, first one set wins.
        normalize_model: checks (and for Fireworks expands) a model id.
        embedding_batch_limit: most inputs the embeddings endpoint takes in one request.
        max_nonstream_tokens: above this ``max_tokens`` the API refuses a non-streaming
            chat call (Fireworks: 4096, docs/wire.md §4.5); fw_core then streams internally.
        chat_params: the API's own chat request fields (beyond
            :data:`~fw_core.kit.chat_options.COMMON_CHAT_PARAMS`), each with its check.
        response_extras: top-level response fields adapters surface as metadata.
        embedding_encoding: the ``encoding_format`` asked of the embeddings endpoint when
            the caller names none: ``"base64"`` where the API documents it (Firmware, about
            half the bytes of JSON floats), else None (Fireworks: not in its schema,
            docs/wire.md §1.11 / §2.6).
        dimensions_models: embedding models that take ``dimensions`` (parts of their
            ids); None = every model.
        replays_reasoning: whether chat classes send an earlier answer's reasoning back
            as ``reasoning_content`` when the caller does not say (their
            ``replay_reasoning=None``): Fireworks yes (interleaved thinking in tool
            loops); Firmware no, its vendors differ (DeepSeek refuses the field,
            Anthropic needs signed thinking blocks).
        openai_content_parts: documents and audio travel as OpenAI's ``file`` /
            ``input_audio`` parts (Firmware); False: Fireworks' forms, a document as an
            ``image_url`` part and audio as an ``audio_url`` part, no file ids
            (docs/wire.md §1.17, §1.20; :mod:`fw_core.kit.file_parts`).
        account_catalog: the API lists models in per-account catalogs
            (``/v1/accounts/{account}/models``, docs/wire.md §1.13: Fireworks); False:
            one ``GET {base}/models`` list (Firmware).
        rerank_task_field: rerank takes the instruction as a ``task`` field (Fireworks);
            False: it is written into the query (:func:`fw_core.endpoints.rerank.query_with_task`).
        chat_param_names: common then own chat field names (derived).
        chat_checks: ``(name, check)`` of every checked chat field, in check order (derived).
    """

    name: str
    display_name: str
    default_base_url: str
    api_key_env: tuple[str, ...]
    base_url_env: tuple[str, ...]
    normalize_model: Callable[[str], str]
    embedding_batch_limit: int
    max_nonstream_tokens: int | None = None
    default_embedding_model: str = ""
    default_rerank_model: str = ""
    chat_params: tuple[ChatParam, ...] = ()
    response_extras: tuple[str, ...] = ()
    dimensions_models: tuple[str, ...] | None = None
    embedding_encoding: str | None = None
    replays_reasoning: bool = False
    openai_content_parts: bool = True
    account_catalog: bool = False
    rerank_task_field: bool = False
    chat_param_names: tuple[str, ...] = field(init=False, repr=False, compare=False)
    chat_checks: tuple[tuple[str, OptionCheck], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        params = COMMON_CHAT_PARAMS + self.chat_params
        # frozen: derived fields are set once here, read on every request
        object.__setattr__(self, "chat_param_names", tuple(p.name for p in params))
        checks = tuple((p.name, p.check) for p in params if p.check is not None)
        object.__setattr__(self, "chat_checks", checks)

    def check_dimensions(self, model: str, dimensions: object) -> None:
        """Refuse (ConfigurationError) an embeddings ``dimensions`` that ``model`` won't take.

        >>> FIRMWARE.check_dimensions("text-embedding-3-small", 256)
        >>> try:
        ...     FIRMWARE.check_dimensions("voyage-4", 256)
        ... except ConfigurationError as err:
        ...     print(err)
        Firmware model 'voyage-4' does not take 'dimensions'
        """
        if dimensions is None:
            return
        if isinstance(dimensions, bool) or not isinstance(dimensions, int) or dimensions < 1:
            raise ConfigurationError(f"dimensions must be a positive integer, got {dimensions!r}")
        allowed = self.dimensions_models
        if allowed is not None and not any(part in model for part in allowed):
            raise ConfigurationError(
                f"{self.display_name} model {model!r} does not take 'dimensions'"
            )

    def require(self, wanted: ProviderSpec, feature: str) -> None:
        """Refuse (ConfigurationError) a ``feature`` that only ``wanted``'s API has.

        >>> FIREWORKS.require(FIREWORKS, "image generation")
        >>> try:
        ...     FIRMWARE.require(FIREWORKS, "image generation")
        ... except ConfigurationError as err:
        ...     print(str(err).split(";")[0])
        image generation is a Fireworks API
        """
        if self.name != wanted.name:
            raise ConfigurationError(
                f"{feature} is a {wanted.display_name} API; this client is for "
                f"{self.display_name}: use a {wanted.display_name} client "
                f"({wanted.api_key_env[0]})"
            )

    def resolve_api_key(
        self, explicit: str | SecretStr | None, env: Mapping[str, str] | None = None
    ) -> SecretStr:
        """The key from the argument, else the env vars; ConfigurationError if none/blank."""
        from pydantic import SecretStr  # imported here: keeps `import fw_core` light

        environ = os.environ if env is None else env
        source = "api_key"
        value: str | None
        if explicit is not None:
            value = explicit.get_secret_value() if isinstance(explicit, SecretStr) else explicit
        else:
            value = None
            for name in self.api_key_env:
                if environ.get(name):
                    value, source = environ[name], name
                    break
        if value is None:
            names = " or ".join(self.api_key_env)
            raise ConfigurationError(
                f"no {self.display_name} API key: pass api_key=... or set {names}"
            )
        if not isinstance(value, str) or not value.strip():
            raise ConfigurationError(f"{self.display_name} API key from {source} is empty")
        if value != value.strip() or any(c in value for c in "\r\n\t "):
            raise ConfigurationError(
                f"{self.display_name} API key from {source} contains whitespace "
                "(a stray newline from a file or a copy-paste?)"
            )
        return SecretStr(value)

    def resolve_base_url(self, explicit: str | None, env: Mapping[str, str] | None = None) -> str:
        """The base URL from the argument, else the env vars, else the default; validated."""
        environ = os.environ if env is None else env
        if explicit is not None:
            return validate_base_url(explicit)
        for name in self.base_url_env:
            if environ.get(name):
                return validate_base_url(environ[name], what=name)
        return self.default_base_url


FIREWORKS = ProviderSpec(
    name="fireworks",
    display_name="Fireworks",
    default_base_url="https://api.fireworks.ai/inference/v1",
    api_key_env=("FIREWORKS_API_KEY", "FIREWORKS_AI_API_KEY"),
    base_url_env=("FIREWORKS_BASE_URL", "FIREWORKS_API_BASE"),
    normalize_model=normalize_fireworks_model,
    # docs/wire.md §1.11: "any array must be 2048 ... or less", read as inputs per request.
    embedding_batch_limit=2048,
    max_nonstream_tokens=4096,
    default_embedding_model="nomic-ai/nomic-embed-text-v1.5",
    default_rerank_model="fireworks/qwen3-reranker-8b",
    chat_params=FIREWORKS_CHAT_PARAMS,
    response_extras=FIREWORKS_RESPONSE_EXTRAS,
    replays_reasoning=True,
    openai_content_parts=False,
    account_catalog=True,
    rerank_task_field=True,
)

FIRMWARE = ProviderSpec(
    name="firmware",
    display_name="Firmware",
    default_base_url="https://app.firmware.ai/api/v1",
    api_key_env=("FIRMWARE_API_KEY",),
    base_url_env=("FIRMWARE_BASE_URL", "FIRMWARE_API_BASE"),
    normalize_model=normalize_firmware_model,
    # Not documented by Firmware; its embedding vendors cap a request at 2048 (OpenAI) and
    # 1000 (Voyage) inputs, so the smaller is the safe limit.
    embedding_batch_limit=1000,
    embedding_encoding="base64",  # docs/wire.md §2.6
    max_nonstream_tokens=None,
    default_embedding_model="text-embedding-3-small",
    default_rerank_model="rerank-2.5",
    chat_params=FIRMWARE_CHAT_PARAMS,
    response_extras=FIRMWARE_RESPONSE_EXTRAS,
    dimensions_models=("text-embedding-3",),  # docs/wire.md §2.6
    replays_reasoning=False,
    openai_content_parts=True,
    account_catalog=False,
    rerank_task_field=False,
)

_BY_NAME = {spec.name: spec for spec in (FIREWORKS, FIRMWARE)}


def provider_named(name: str) -> ProviderSpec:
    """The spec whose :attr:`ProviderSpec.name` is ``name`` (for APIs that take a name).

    >>> provider_named("firmware").display_name
    'Firmware'
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ConfigurationError(
            f"unknown provider {name!r}; expected one of {sorted(_BY_NAME)}"
        ) from None
