"""The tour's sections. Each is a plain function that uses the public classes the way a
user would and prints what came back; imports sit inside each section so the first lines
appear before the heavy framework imports are paid for.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

FIREWORKS_MODEL = "accounts/fireworks/models/kimi-k3"
FIRMWARE_MODEL = "openai/gpt-4o"
FIRMWARE_AGENT_MODEL = "anthropic/claude-sonnet-4-5-20250929"

# Set by __main__: True when the bytes come from a cassette rather than a socket.
REPLAYING = False
# Replayed streams arrive in one piece, so the printing is paced a little (25 ms per
# chunk) to show what streaming looks like. The chunks themselves are the recorded ones,
# printed as they come out of the stream iterator; nothing is invented or re-split.
REPLAY_PACE_S = 0.025


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    needs: tuple[str, ...]
    run: Callable[[], None]


def say(text: str = "", indent: int = 2) -> None:
    pad = " " * indent
    print("\n".join(pad + line for line in str(text).splitlines()) if text else "", flush=True)


def stream_out(chunks: Iterable[str], indent: int = 2) -> str:
    """Print each streamed chunk the moment the iterator yields it; return the whole text."""
    sys.stdout.write(" " * indent)
    parts = []
    for chunk in chunks:
        if not chunk:
            continue
        parts.append(chunk)
        sys.stdout.write(chunk.replace("\n", "\n" + " " * indent))
        sys.stdout.flush()
        if REPLAYING:
            time.sleep(REPLAY_PACE_S)
    sys.stdout.write("\n")
    return "".join(parts)


# --- 1. LangChain: prompt | ChatFireworks | parser -------------------------------------


def langchain_chain() -> None:
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    from langchain_fw import ChatFireworks

    llm = ChatFireworks(model=FIREWORKS_MODEL, temperature=0, max_tokens=200)
    prompt = ChatPromptTemplate.from_messages(
        [
            ("system", "You are a concise assistant. Answer in two sentences."),
            ("human", "Explain {topic} to a ten-year-old."),
        ]
    )
    chain = prompt | llm | StrOutputParser()
    say("chain.invoke({'topic': 'photosynthesis'}) ->")
    say(chain.invoke({"topic": "photosynthesis"}), indent=4)
    say("chain.stream({'topic': 'rainbows'}) -> (printed chunk by chunk)")
    stream_out(chain.stream({"topic": "rainbows"}), indent=4)
    msg = llm.invoke("Say hello in French.")
    usage = msg.usage_metadata or {}
    say(
        f"llm.invoke(...) metadata: model={msg.response_metadata.get('model_name')}, "
        f"finish_reason={msg.response_metadata.get('finish_reason')}, "
        f"tokens in/out={usage.get('input_tokens')}/{usage.get('output_tokens')}"
    )


# --- 2. LangChain: a tool-calling agent on ChatFirmware ----------------------------------


def langchain_agent() -> None:
    from langchain.agents import create_agent
    from langchain_core.messages import AIMessage, ToolMessage
    from langchain_core.tools import tool

    from langchain_fw import ChatFirmware

    @tool
    def get_weather(city: str) -> str:
        """Current weather in a city."""
        return f"18C and sunny in {city}"  # a stand-in for a weather API

    @tool
    def get_time(city: str) -> str:
        """Local time in a city."""
        return f"14:05 in {city}"  # a stand-in for a time-zone lookup

    agent = create_agent(
        ChatFirmware(model=FIRMWARE_MODEL, temperature=0), tools=[get_weather, get_time]
    )
    question = "Use get_weather and get_time for 'Lisbon', then sum up."
    say(f"agent.invoke: {question!r}")
    state = agent.invoke({"messages": [("user", question)]})
    for m in state["messages"][1:]:
        if isinstance(m, AIMessage) and m.tool_calls:
            for call in m.tool_calls:
                say(f"model calls  {call['name']}({call['args']})", indent=4)
        elif isinstance(m, ToolMessage):
            say(f"tool returns {m.content!r}", indent=4)
        elif isinstance(m, AIMessage):
            say(f"final answer {m.content}", indent=4)


# --- 3. Structured output ----------------------------------------------------------------


def structured_output() -> None:
    from pydantic import BaseModel, Field

    from langchain_fw import ChatFireworks

    class Movie(BaseModel):
        """A film mentioned in the text."""

        title: str = Field(description="the film's title")
        year: int = Field(description="release year")
        director: str

    llm = ChatFireworks(model=FIREWORKS_MODEL, temperature=0)
    extract = llm.with_structured_output(Movie)  # json_schema response format
    text = "'Inception' was directed by 'Christopher Nolan' and released in 2010."
    say(f"llm.with_structured_output(Movie).invoke({text!r}) ->")
    movie = extract.invoke(text)
    say(repr(movie), indent=4)


# --- 4. RAG: FireworksEmbeddings + FireworksRerank ---------------------------------------

CORPUS = [
    "Zorbaville is the capital of Freedonia and its largest city.",
    "The national dish of Freedonia is a stew of lentils and smoked fish.",
    "Freedonia exports tin, wool and hand-made clocks.",
    "Sylvania, the neighbour of Freedonia, is known for its mountains.",
    "Tides are caused by the gravitational pull of the moon.",
]


def rag() -> None:
    from langchain_classic.retrievers import ContextualCompressionRetriever
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.vectorstores import InMemoryVectorStore

    from langchain_fw import ChatFireworks, FireworksEmbeddings, FireworksRerank

    store = InMemoryVectorStore(embedding=FireworksEmbeddings())
    store.add_texts(CORPUS)
    retriever = ContextualCompressionRetriever(
        base_compressor=FireworksRerank(top_n=2),
        base_retriever=store.as_retriever(search_kwargs={"k": 4}),
    )
    question = "What is the capital of Freedonia?"
    docs = retriever.invoke(question)
    say(f"{len(CORPUS)} texts embedded (nomic-embed-text-v1.5); 4 retrieved, reranked to 2:")
    for d in docs:
        say(f"{d.metadata['relevance_score']:.3f}  {d.page_content}", indent=4)
    prompt = ChatPromptTemplate.from_messages(
        [
            ("system", "Answer using only the context."),
            ("human", "Context:\n{context}\n\nQuestion: {question}"),
        ]
    )
    chain = prompt | ChatFireworks(model=FIREWORKS_MODEL, temperature=0) | StrOutputParser()
    context = "\n".join(d.page_content for d in docs)
    say(f"answer to {question!r}:")
    say(chain.invoke({"context": context, "question": question}), indent=4)


# --- 5. LlamaIndex: a query engine --------------------------------------------------------


def llamaindex_query_engine() -> None:
    from llama_index.core import Document, VectorStoreIndex

    from llamaindex_fw import Fireworks, FireworksEmbedding, FireworksRerank

    docs = [
        Document(text=t)
        for t in (
            "The Eiffel Tower stands in Paris and was completed in 1889.",
            "Bananas are a yellow fruit rich in potassium.",
            "The Great Wall of China crosses many provinces.",
            "Paris is the capital of France and home of the Louvre museum.",
        )
    ]
    index = VectorStoreIndex.from_documents(docs, embed_model=FireworksEmbedding())
    engine = index.as_query_engine(
        llm=Fireworks(model=FIREWORKS_MODEL, temperature=0),
        similarity_top_k=3,
        node_postprocessors=[FireworksRerank(top_n=2)],
        streaming=True,
    )
    question = "When was the Eiffel Tower completed?"
    say(f"engine.query({question!r}) -> (streamed)")
    response = engine.query(question)
    stream_out(response.response_gen, indent=4)
    say("sources, reranked:")
    for node in response.source_nodes:
        say(f"{node.score:.3f}  {node.node.get_content()}", indent=4)


# --- 6. LlamaIndex: a FunctionAgent --------------------------------------------------------


def llamaindex_agent() -> None:
    from llama_index.core.agent.workflow import FunctionAgent, ToolCallResult

    from llamaindex_fw import Firmware

    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    def multiply(a: int, b: int) -> int:
        """Multiply two integers."""
        return a * b

    agent = FunctionAgent(tools=[add, multiply], llm=Firmware(model=FIRMWARE_AGENT_MODEL))
    task = "Use add and multiply on 6 and 7, then report both results."

    async def run() -> str:
        handler = agent.run(task)
        async for event in handler.stream_events():
            if isinstance(event, ToolCallResult):
                say(
                    f"tool {event.tool_name}({event.tool_kwargs}) = {event.tool_output.content}",
                    indent=4,
                )
        return str(await handler)

    say(f"agent.run({task!r}) on {FIRMWARE_AGENT_MODEL}:")
    answer = asyncio.run(run())
    say(f"final answer {answer}", indent=4)


# --- 7. Speech and images -----------------------------------------------------------------


def _tone_wav(seconds: float = 6.0, rate: int = 2000) -> bytes:
    """A few seconds of a 440 Hz tone as 8-bit WAV bytes (standard library only, ~12 KB),
    standing in for a recording."""
    import io
    import math
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(rate)
        wav.writeframes(
            bytes(
                128 + int(100 * math.sin(2 * math.pi * 440 * i / rate))
                for i in range(int(seconds * rate))
            )
        )
    return buf.getvalue()


def speech_and_images() -> None:
    import base64

    from langchain_core.document_loaders import Blob

    from fw_core.endpoints.images import image_size
    from langchain_fw import FireworksAudioParser, FireworksImageGeneration

    parser = FireworksAudioParser(diarize=True, chunking="speaker")
    say("FireworksAudioParser(diarize=True, chunking='speaker').parse(standup.wav):")
    for doc in parser.parse(Blob.from_data(_tone_wav(), path="standup.wav")):
        meta = doc.metadata
        say(
            f"{meta['speaker_id']} {meta['start']:5.2f}-{meta['end']:5.2f}s  "
            f"{doc.page_content[:60]}",
            indent=4,
        )

    tool = FireworksImageGeneration()
    call = {
        "type": "tool_call",
        "id": "call_1",
        "name": tool.name,
        "args": {"prompt": "a lighthouse at dawn", "aspect_ratio": "16:9", "seed": 7},
    }
    say("FireworksImageGeneration, called the way an agent calls it:")
    message = tool.invoke(call)
    say(f"the model reads: {message.content}", indent=4)
    image = base64.b64decode(message.artifact["base64"])
    width, height = image_size(image) or (0, 0)
    say(
        f"the artifact holds {message.artifact['mime_type']}, {width}x{height} px, "
        f"{len(image)} bytes",
        indent=4,
    )


FW, FM = "FIREWORKS_API_KEY", "FIRMWARE_API_KEY"
SECTIONS = [
    Section(
        "chain",
        "LangChain: prompt | ChatFireworks | StrOutputParser, invoke and stream",
        (FW,),
        langchain_chain,
    ),
    Section(
        "agent",
        "LangChain: a tool-calling agent (create_agent) on ChatFirmware",
        (FM,),
        langchain_agent,
    ),
    Section(
        "structured", "LangChain: structured output into a pydantic model", (FW,), structured_output
    ),
    Section(
        "rag",
        "LangChain RAG: FireworksEmbeddings -> vector store -> FireworksRerank -> ChatFireworks",
        (FW,),
        rag,
    ),
    Section(
        "llamaindex_query",
        "LlamaIndex: VectorStoreIndex query engine, reranked, streamed",
        (FW,),
        llamaindex_query_engine,
    ),
    Section(
        "llamaindex_agent",
        "LlamaIndex: FunctionAgent with two tools on Firmware",
        (FM,),
        llamaindex_agent,
    ),
    Section(
        "speech_images",
        "Speech and images: a Whisper transcript as speaker-turn "
        "Documents, a FLUX image from the agent tool",
        (FW,),
        speech_and_images,
    ),
]


def section_names() -> list[str]:
    return [s.name for s in SECTIONS]


def find(name: str) -> Section:
    for s in SECTIONS:
        if s.name == name:
            return s
    raise SystemExit(f"no section {name!r}; choose from {', '.join(section_names())}")
