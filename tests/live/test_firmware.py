"""Firmware conformance: chat, thinking, MCP, embeddings, rerank and quota, through our classes.

Shape and behaviour only, never wording (see test_fireworks.py). Model ids from the model
table (:data:`fw_core.model_table.DEFAULTS`): ``gpt-4o`` is the model of Firmware's own
chat-completions reference (https://docs.firmware.ai/api-reference/chat-completions), the
embedding and rerank ids are the ones its embeddings and rerank references name. Firmware's
docs name no thinking model; the thinking check uses the Claude id LiteLLM's Firmware page
lists (status ``unverified`` in the table until the live check has seen it).
"""

from __future__ import annotations

from langchain_core.documents import Document

from fw_core.model_table import DEFAULTS
from langchain_fw import ChatFirmware, FirmwareEmbeddings, FirmwareRerank
from llamaindex_fw import Firmware
from tests.live.conftest import LiveKit

CHAT = DEFAULTS["firmware_chat"]
THINKING = "anthropic/claude-haiku-4-5-20251001"
EMBED = DEFAULTS["firmware_embedding"]
RERANK = DEFAULTS["firmware_rerank"]


def test_chat(live_kit: LiveKit) -> None:
    live_kit.begin("fm_chat")
    llm = ChatFirmware(model=CHAT, max_tokens=16, temperature=0, **live_kit.kwargs("firmware"))
    msg = llm.invoke("Reply with one short word.")
    assert isinstance(msg.content, str) and msg.content.strip()
    assert msg.usage_metadata is not None and msg.usage_metadata["input_tokens"] > 0


def test_thinking(live_kit: LiveKit) -> None:
    live_kit.begin("fm_thinking")
    llm = Firmware(
        model=THINKING,
        max_tokens=1200,
        thinking={"type": "enabled", "budget_tokens": 1024},
        **live_kit.kwargs("firmware"),
    )
    from llama_index.core.base.llms.types import ChatMessage, TextBlock, ThinkingBlock

    resp = llm.chat([ChatMessage(role="user", content="What is 2 + 3?")])
    blocks = resp.message.blocks
    assert any(isinstance(b, ThinkingBlock) and b.content for b in blocks)
    assert any(isinstance(b, TextBlock) for b in blocks)


def test_mcp(live_kit: LiveKit) -> None:
    live_kit.begin("fm_mcp")
    llm = ChatFirmware(
        model=CHAT,
        max_tokens=200,
        mcp_servers=["dedalus-labs/brave-search"],
        **live_kit.kwargs("firmware"),
    )
    msg = llm.invoke("Search the web for the Eiffel Tower height.")
    assert isinstance(msg.content, str)
    # Firmware sends tools_executed only when an MCP tool ran (docs/wire.md §2.4); whether
    # the model chose to run one is its decision, so only the field's shape is checked.
    executed = msg.response_metadata.get("tools_executed")
    if executed is not None:
        assert isinstance(executed, list) and all(isinstance(t, str) for t in executed)


def test_embeddings(live_kit: LiveKit) -> None:
    live_kit.begin("fm_embeddings")
    emb = FirmwareEmbeddings(model=EMBED, dimensions=32, **live_kit.kwargs("firmware"))
    vec = emb.embed_query("a short text to embed")
    assert len(vec) == 32 and all(isinstance(x, float) for x in vec)


def test_rerank(live_kit: LiveKit) -> None:
    live_kit.begin("fm_rerank")
    docs = [Document(page_content=t) for t in ("Paris is in France.", "Cats purr.", "Rome.")]
    rr = FirmwareRerank(model=RERANK, top_n=2, **live_kit.kwargs("firmware"))
    out = rr.compress_documents(docs, "Where is Paris?")
    assert len(out) == 2
    scores = [d.metadata["relevance_score"] for d in out]
    assert scores == sorted(scores, reverse=True)


def test_quota(live_kit: LiveKit) -> None:
    live_kit.begin("fm_quota")
    quota = ChatFirmware(model=CHAT, **live_kit.kwargs("firmware")).get_quota()
    assert quota.generation
    assert isinstance(quota.raw, dict)
    numbers = [quota.credits, quota.window_used, quota.weekly_used]
    assert any(isinstance(n, int | float) for n in numbers)
