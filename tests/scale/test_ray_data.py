"""The Ray Data recipe of docs/scaling.md, run on a local Ray instance against the double.

One local Ray instance (2 CPUs, no dashboard, no usage stats, bound to 127.0.0.1) serves
the whole module; the wire double's loopback server runs in this process and the Ray
workers reach it through ``base_url``. Two ways to get our classes into the workers:

- a callable class whose ``__init__`` builds the model (``FireworksEmbeddings``,
  ``ChatFireworks``): Ray constructs it once per actor and calls it for every batch, so
  each worker keeps one HTTP client with its connection pool. As in docs/scaling.md, the
  model reads its key and base URL from the workers' environment (``runtime_env``), so no
  key is pickled;
- a configured object, already used in the driver, handed to a plain function through
  ``fn_kwargs``: Ray pickles it into the tasks, and each copy builds its own client.

Skipped only when ``ray`` cannot be imported (the optional ``scale`` group; ``make test``
installs it, so CI runs these). Ray's start-up dominates the module's time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ray = pytest.importorskip(
    "ray", reason="ray is not installed: the optional `scale` group (pip install --group scale)"
)
pytest.importorskip("ray.data", reason="ray is installed without Ray Data: install ray[data]")

import numpy as np  # noqa: E402  (Ray Data depends on numpy)

from fw_core.testing import WireDouble  # noqa: E402
from fw_core.testing.server import serve  # noqa: E402

# Ray Data warns about its own deprecated settings while it copies its context.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.*")

ROOT = Path(__file__).resolve().parents[2]
KEY = "fw-ray-test-key-0123456789"
CHAT_MODEL = "llama-v3p1-8b-instruct"
#: Ray must not phone home: no usage stats, no dashboard, nothing but loopback.
RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0"}


@pytest.fixture(scope="module")
def double() -> WireDouble:
    return WireDouble()


@pytest.fixture(scope="module")
def base_url(double: WireDouble) -> Iterator[str]:
    with serve(double, max_lifetime=300) as url:
        yield url + "/inference/v1"


@pytest.fixture(scope="module")
def local_ray(base_url: str) -> Iterator[Any]:
    """A local Ray instance for this module, shut down at its end.

    Its workers get the key and the double's URL as environment variables, the way a
    cluster's workers get the real key.
    """
    saved = {k: os.environ.get(k) for k in RAY_ENV}
    os.environ.update(RAY_ENV)
    # The workers import this test module (the recipe's classes) and our packages from
    # this checkout, as the driver does.
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
        logging_level="WARNING",
        runtime_env={
            "env_vars": {
                **RAY_ENV,
                "PYTHONPATH": path,
                "FIREWORKS_API_KEY": KEY,
                "FIREWORKS_BASE_URL": base_url,
            }
        },
    )
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.print_on_execution_start = False
    try:
        yield ray
    finally:
        ray.shutdown()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _texts(n: int) -> list[dict[str, Any]]:
    return [{"id": i, "text": f"passage {i} about topic{i % 11}"} for i in range(n)]


# -- the recipe: one model per worker (a callable class) --------------------------------------


class EmbedTexts:
    """Built once per Ray actor; embeds each batch's ``text`` column."""

    def __init__(self) -> None:
        from langchain_fw import FireworksEmbeddings

        self.embeddings = FireworksEmbeddings()  # key and base URL from the environment
        self.batches = 0

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        self.batches += 1
        vectors = self.embeddings.embed_documents(batch["text"].tolist())
        return {
            "id": batch["id"],
            "vector": np.array(vectors, dtype=np.float32),
            "worker": [f"{os.getpid()}:{id(self)}:{self.batches}"] * len(vectors),
        }


class AnswerPrompts:
    """Built once per Ray actor; answers each batch's ``prompt`` column with ``llm.batch``."""

    def __init__(self) -> None:
        from langchain_fw import ChatFireworks

        self.llm = ChatFireworks(model=CHAT_MODEL, max_tokens=32)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        prompts = batch["prompt"].tolist()
        answers = self.llm.batch(prompts, config={"max_concurrency": 8})
        return {"id": batch["id"], "answer": [a.content for a in answers]}


# -- the recipe: a configured object pickled into the tasks ------------------------------------


def embed_with(batch: dict[str, np.ndarray], embeddings: Any) -> dict[str, Any]:
    """A plain function; ``embeddings`` (LangChain or LlamaIndex) arrives pickled."""
    texts = batch["text"].tolist()
    if hasattr(embeddings, "embed_documents"):
        vectors = embeddings.embed_documents(texts)
    else:
        vectors = embeddings.get_text_embedding_batch(texts)
    return {"id": batch["id"], "vector": np.array(vectors, dtype=np.float32)}


def answer_with(batch: dict[str, np.ndarray], llm: Any) -> dict[str, Any]:
    answers = llm.batch(batch["prompt"].tolist())
    return {"id": batch["id"], "answer": [a.content for a in answers]}


# -- tests -------------------------------------------------------------------------------------


def _expected(base_url: str, texts: list[str]) -> np.ndarray:
    from langchain_fw import FireworksEmbeddings

    emb = FireworksEmbeddings(base_url=base_url, api_key=KEY)
    return np.array(emb.embed_documents(texts), dtype=np.float32)


def test_callable_class_embeds_once_per_worker(
    local_ray: Any, base_url: str, double: WireDouble
) -> None:
    rows = _texts(400)
    before = double.count("/embeddings")
    ds = local_ray.data.from_items(rows, override_num_blocks=8)
    out = ds.map_batches(
        EmbedTexts,
        compute=local_ray.data.ActorPoolStrategy(size=2),
        batch_size=50,
    ).take_all()

    out.sort(key=lambda r: r["id"])
    assert [r["id"] for r in out] == list(range(400))
    got = np.stack([r["vector"] for r in out])
    np.testing.assert_allclose(got, _expected(base_url, [r["text"] for r in rows]), rtol=1e-6)
    # Two actors, each built once (one object per pid) and reused for its batches.
    workers = {r["worker"].rsplit(":", 1)[0] for r in out}
    pids = {w.split(":")[0] for w in workers}
    assert len(workers) == len(pids) <= 2
    assert max(int(r["worker"].rsplit(":", 1)[1]) for r in out) > 1
    assert double.count("/embeddings") - before >= 8  # the workers reached the server


def test_callable_class_chat(local_ray: Any, base_url: str) -> None:
    rows = [{"id": i, "prompt": f"Name a colour, number {i}."} for i in range(24)]
    out = (
        local_ray.data.from_items(rows, override_num_blocks=4)
        .map_batches(
            AnswerPrompts,
            compute=local_ray.data.ActorPoolStrategy(size=2),
            batch_size=6,
        )
        .take_all()
    )
    assert sorted(r["id"] for r in out) == list(range(24))
    assert all(isinstance(r["answer"], str) and r["answer"] for r in out)


def test_used_objects_pickled_into_tasks(local_ray: Any, base_url: str) -> None:
    from langchain_fw import ChatFireworks, FireworksEmbeddings
    from llamaindex_fw import FireworksEmbedding

    lc_emb = FireworksEmbeddings(base_url=base_url, api_key=KEY)
    li_emb = FireworksEmbedding(base_url=base_url, api_key=KEY)
    llm = ChatFireworks(model=CHAT_MODEL, base_url=base_url, api_key=KEY, max_tokens=32)
    # Used in the driver first: each holds a live client when Ray pickles it.
    lc_emb.embed_query("warm up")
    li_emb.get_query_embedding("warm up")
    llm.invoke("warm up")

    rows = _texts(120)
    ds = local_ray.data.from_items(rows, override_num_blocks=4)
    tasks = local_ray.data.TaskPoolStrategy(size=2)
    expected = _expected(base_url, [r["text"] for r in rows])
    for emb in (lc_emb, li_emb):
        out = ds.map_batches(
            embed_with, fn_kwargs={"embeddings": emb}, compute=tasks, batch_size=30
        ).take_all()
        out.sort(key=lambda r: r["id"])
        np.testing.assert_allclose(np.stack([r["vector"] for r in out]), expected, rtol=1e-6)

    prompts = local_ray.data.from_items([{"id": i, "prompt": f"Say {i}."} for i in range(8)])
    answers = prompts.map_batches(
        answer_with, fn_kwargs={"llm": llm}, compute=tasks, batch_size=4
    ).take_all()
    assert sorted(r["id"] for r in answers) == list(range(8))
    assert all(r["answer"] for r in answers)
    # The originals still work after being pickled.
    assert lc_emb.embed_query("still here") and llm.invoke("still here").content
