"""Deterministic stand-ins for what a model computes: text, JSON, vectors, scores.

Pure functions, no I/O. Everything is derived from the request so that the same request
always gets the same answer, and so that tests can check that the prompt flowed through
(the reply quotes key words of the prompt; texts sharing words embed close together; a
document sharing words with the query ranks higher).

>>> keywords("What is deep learning, and why is it deep?")
['deep', 'learning']
>>> count_tokens("Hello, world!")
4
>>> json_from_schema({"type": "object", "properties": {"age": {"type": "integer"}}},
...                  "John is 30.")
{'age': 30}
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
import re
import struct
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "STOPWORDS",
    "count_tokens",
    "embed_text",
    "embedding_dims",
    "encode_base64",
    "hex_digest",
    "json_from_schema",
    "keywords",
    "numbers",
    "overlap_score",
    "quoted",
    "reasoning_text",
    "reply_text",
    "split_pieces",
    "words",
]

_STOPWORDS_TEXT = """
a an the and or but if then else of to in on at by for with from as is are was were be
been being do does did have has had i you he she it we they me him her us them my your
his its our their this that these those what which who whom whose when where why how not
no yes can could should would will shall may might must so than too very just about into
over under again all any each few more most other some such only own same also there
here please tell give use using make let s t"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'_-]*")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w])")
_QUOTED = re.compile(r"\"([^\"\n]{1,80})\"|'([^'\n]{1,80})'")
_NOMIC_PREFIX = re.compile(
    r"^\s*(search_query|search_document|classification|clustering):\s*", re.IGNORECASE
)


def count_tokens(text: str) -> int:
    """A rough token count: words and punctuation marks."""
    return len(_TOKEN.findall(text))


def words(text: str) -> list[str]:
    """Lower-cased words of ``text`` (letters, digits, inner ``'_-``)."""
    return [w.lower().strip("'-_") for w in _WORD.findall(text) if w.strip("'-_")]


def keywords(text: str, limit: int = 12) -> list[str]:
    """Distinct content words of ``text`` in order of first appearance."""
    out: list[str] = []
    for w in words(text):
        if w in STOPWORDS or len(w) < 2 or w in out:
            continue
        out.append(w)
        if len(out) >= limit:
            break
    return out


def numbers(text: str) -> list[float | int]:
    """Stand-alone numbers in ``text`` (not digits inside words such as ``v3``)."""
    out: list[float | int] = []
    for m in _NUMBER.findall(text):
        out.append(float(m) if "." in m else int(m))
    return out


def quoted(text: str) -> list[str]:
    """Strings quoted with ``"`` or ``'`` in ``text``."""
    return [a or b for a, b in _QUOTED.findall(text)]


def capitalised(text: str) -> list[str]:
    """Capitalised words that do not start a sentence (likely names: ``Paris``, ``John``)."""
    out: list[str] = []
    for m in re.finditer(r"[A-Za-z][A-Za-z'-]*", text):
        w = m.group(0)
        before = text[: m.start()].rstrip()
        starts_sentence = not before or before[-1] in ".!?\n"
        if w[0].isupper() and not w.isupper() and not starts_sentence and w not in out:
            out.append(w)
    return out


def hex_digest(*parts: Any, length: int = 32) -> str:
    """A stable hex digest of ``parts`` (JSON-encoded), ``length`` characters long."""
    data = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode()
    return hashlib.sha256(data).hexdigest()[:length]


def reply_text(prompt: str, *, n_words: int | None = None) -> str:
    """A short answer that echoes the prompt's key words (so RAG tests see the context).

    With ``n_words`` the answer has exactly that many words (benchmarks ask for N chunks).
    """
    kws = keywords(prompt) or ["nothing", "in", "particular"]
    if n_words is not None:
        return " ".join(kws[i % len(kws)] for i in range(max(n_words, 0)))
    head = " ".join(prompt.split()[:12])
    if len(prompt.split()) > 12:
        head += " ..."
    return (
        f'You asked: "{head}". Key points: {", ".join(kws)}. In short, {kws[0]} is the '
        f"heart of it, and the points above are what the answer rests on."
    )


def reasoning_text(prompt: str) -> str:
    """The thinking shown by reasoning models: short, derived from the prompt."""
    kws = keywords(prompt, limit=5) or ["the", "question"]
    return f"The user asks about {' '.join(kws)}. I should answer briefly and accurately."


def split_pieces(text: str, n: int | None = None, size: int = 3) -> list[str]:
    """Split ``text`` into stream pieces (whitespace kept) that join back to ``text``.

    ``n`` pieces when given (fewer if the text is shorter), else about ``size`` words each.
    """
    tokens = re.findall(r"\S+\s*|\s+", text)
    if not tokens:
        return []
    if n is None:
        n = max(1, math.ceil(len(tokens) / size))
    n = min(n, len(tokens))
    out: list[str] = []
    step = len(tokens) / n
    for i in range(n):
        out.append("".join(tokens[round(i * step) : round((i + 1) * step)]))
    return [p for p in out if p]


# --------------------------------------------------------------------------------------
# JSON from a JSON schema


class _Values:
    """Values found in the prompt, handed out in order to schema fields that fit."""

    def __init__(self, prompt: str) -> None:
        self.prompt = prompt
        self.numbers = numbers(prompt)
        self.strings = quoted(prompt) + capitalised(prompt)
        self.keywords = keywords(prompt)

    def number(self) -> float | int | None:
        return self.numbers.pop(0) if self.numbers else None

    def string(self, name: str) -> str:
        if self.strings:
            return self.strings.pop(0)
        if self.keywords:
            return self.keywords.pop(0)
        return f"{name or 'value'}"


def _resolve(schema: Any, root: dict[str, Any]) -> Any:
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 32:
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return {}
        node: Any = root
        for part in ref[2:].split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        schema = node
        seen += 1
    return schema


def _value(schema: Any, root: dict[str, Any], values: _Values, name: str, depth: int) -> Any:
    schema = _resolve(schema, root)
    if not isinstance(schema, dict) or depth > 8:
        return values.string(name)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        lowered = values.prompt.lower()
        for option in schema["enum"]:
            if isinstance(option, str) and option.lower() in lowered:
                return option
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            non_null = [o for o in options if _resolve(o, root).get("type") != "null"]
            if key == "allOf":
                merged: dict[str, Any] = {}
                for o in options:
                    merged.update(_resolve(o, root))
                return _value(merged, root, values, name, depth + 1)
            return _value((non_null or options)[0], root, values, name, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    if kind == "object":
        props = schema.get("properties") or {}
        return {key: _value(sub, root, values, key, depth + 1) for key, sub in props.items()}
    if kind == "array":
        lo = schema.get("minItems", 1)
        count = max(1, lo if isinstance(lo, int) else 1)
        return [
            _value(schema.get("items", {}), root, values, name, depth + 1) for _ in range(count)
        ]
    if kind == "integer":
        n = values.number()
        return int(n) if n is not None else 1
    if kind == "number":
        n = values.number()
        return n if n is not None else 1.5
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return values.string(name)


def json_from_schema(schema: Any, prompt: str) -> Any:
    """A value valid for ``schema``, filled with values found in ``prompt`` when they fit.

    Numbers in the prompt go to integer/number fields, quoted and capitalised words to
    string fields, in order. Local ``$ref`` (``#/$defs/...``), ``anyOf``, ``enum`` work.
    """
    root = schema if isinstance(schema, dict) else {}
    return _value(schema, root, _Values(prompt), "", 0)


# --------------------------------------------------------------------------------------
# embeddings and rerank

_EMBED_DIMS = (
    ("text-embedding-3-large", 3072),
    ("text-embedding-3-small", 1536),
    ("text-embedding-ada", 1536),
    ("voyage-4", 1024),
    ("qwen3-embedding-8b", 4096),
    ("qwen3-embedding-4b", 2560),
    ("qwen3-embedding-0p6b", 1024),
    ("nomic", 768),
)


def embedding_dims(model: str) -> int:
    """The native vector size the double uses for ``model``."""
    lowered = model.lower()
    for marker, dims in _EMBED_DIMS:
        if marker in lowered:
            return dims
    return 768


@functools.lru_cache(maxsize=65536)
def _word_slots(word: str, dims: int) -> tuple[tuple[int, float], ...]:
    digest = hashlib.blake2b(word.encode(), digest_size=64).digest()
    sign = 1.0 if digest[0] & 1 else -1.0
    slots = []
    band, level = 32, 1
    while True:
        size = min(band, dims)
        h = int.from_bytes(digest[4 * level : 4 * level + 4], "little")
        slots.append((h % size, sign))
        if size >= dims or level >= 14:
            return tuple(slots)
        band *= 2
        level += 1


@functools.lru_cache(maxsize=8192)
def embed_sparse(text: str, dims: int) -> tuple[tuple[int, float], ...]:
    """The non-zero entries ``(index, value)`` of :func:`embed_text`, sorted by index."""
    text = _NOMIC_PREFIX.sub("", text)
    all_words = words(text)
    toks = [w for w in all_words if w not in STOPWORDS] or all_words or [text.strip() or "_"]
    acc: dict[int, float] = {}
    for w in toks:
        for idx, sign in _word_slots(w, dims):
            acc[idx] = acc.get(idx, 0.0) + sign
    norm = math.sqrt(sum(v * v for v in acc.values())) or 1.0
    return tuple(sorted((i, v / norm) for i, v in acc.items() if v))


def embed_text(text: str, dims: int) -> list[float]:
    """A unit vector: hashed bag of words, Matryoshka-style (every prefix keeps each word).

    Each word adds a signed weight at one position inside every prefix band of size 32, 64,
    128, ..., ``dims``, so truncating the vector (``dimensions=``) still compares texts by
    their shared words. The nomic task prefixes (``search_query:``...) are ignored.
    """
    vec = [0.0] * dims
    for i, v in embed_sparse(text, dims):
        vec[i] = v
    return vec


def truncate_sparse(
    entries: Sequence[tuple[int, float]], dims: int
) -> tuple[tuple[int, float], ...]:
    """Sparse entries of the first ``dims`` values, scaled back to unit length."""
    kept = [(i, v) for i, v in entries if i < dims]
    norm = math.sqrt(sum(v * v for _, v in kept)) or 1.0
    return tuple((i, v / norm) for i, v in kept)


def sparse_json(entries: Sequence[tuple[int, float]], dims: int) -> str:
    """The JSON array text of a sparse vector (fast: most entries are ``0.0``)."""
    parts = ["0.0"] * dims
    for i, v in entries:
        parts[i] = repr(v)
    return "[" + ",".join(parts) + "]"


def encode_base64(vec: Iterable[float]) -> str:
    """Little-endian float32 base64, the ``encoding_format: "base64"`` form."""
    values = list(vec)
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode("ascii")


def overlap_score(query: str, document: str) -> float:
    """Relevance in 0..1: share of the query's content words found in the document."""
    q = set(keywords(query, limit=64))
    d_words = [w for w in words(document) if w not in STOPWORDS]
    if not q or not d_words:
        return 0.0
    d = set(d_words)
    hit = len(q & d)
    density = hit / (len(d) + 1)
    return round(min(1.0, 0.95 * hit / len(q) + 0.05 * density), 6)
