"""context: building the next request for a 10,000-message thread, counts cold and cached.

A 10,000-message thread (quick: 2,000) of realistic questions and answers
(`benchmarks.common.chain`, each text numbered so that none repeats) on gpt-4o with a
128,000-token window, counted as the app counts: by a counting process (`TokenCounter()`,
decision 0014). `context.build` with the messages' text, as a request needs it, run in the
calling thread inside a Store read transaction, with no message limit (the setting
`chat.context_messages`, 10,000 by default, stops it only at the end): first with no cached counts
(cold: every message it reaches is read and counted, a chunk of the walk per request to the
counting process), then, the new counts saved, the median of 20 builds (warm: nothing crosses
to the counting process). The
builder walks up from the newest message only as far as the budget reaches, so both stay flat
in thread length; the warm build still reads the text of every message it sends (~1,070 here,
~127k tokens). Also informational: `ChatService.context_usage` as the gauge calls it, with the
default settings (worker-thread hops, the budget's messages, no text read for cached ones), and
a warm build for gpt-4.1, whose 1,047,576-token window takes most of the thread.

Target: the warm build < 20 ms (issue 5). It runs once per message sent, beside a network
request of hundreds of milliseconds, and for the gauge on every pause in typing, on a worker
thread; 20 ms keeps a burst of gauge updates from queueing up behind each other. Baseline:
`len(encoding.encode_ordinary(text))` of the same messages' texts with the same encoding,
i.e. counting what is sent without any cache (what a builder without one would pay at least).
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from pathlib import Path

import tiktoken
from sqlalchemy import update

from benchmarks.common import (
    INFO,
    Target,
    chain,
    insert_rows,
    median_ms,
    report,
    running_core,
    set_leaf,
    timed_call,
)
from chatdesk.app import Core
from chatdesk.core.chat import context
from chatdesk.core.chat.budget import Budget
from chatdesk.core.chat.counts import save_counts
from chatdesk.core.store.models import Thread
from chatdesk.core.tokens import O200K, CountingProcess, Encodings, TokenCounter
from chatdesk.core.tokens.files import bundled_dir

MODEL = "gpt-4o"
WARM = Target("< 20 ms", 20.0)
BARE = "encode_ordinary"


def run(workdir: Path, quick: bool) -> None:
    asyncio.run(_run(workdir, 2_000 if quick else 10_000))


async def _run(workdir: Path, count: int) -> None:
    encodings = Encodings(lambda: (bundled_dir(),))  # the baseline's, in this process
    encoding = encodings.load(O200K)
    assert encoding is not None, "the bundled o200k_base encoding is missing"
    counter = TokenCounter(CountingProcess(lambda: (bundled_dir(),)))
    counter.load(MODEL)
    try:
        await _measure(workdir, count, counter, encoding)
    finally:
        counter.close()


async def _measure(
    workdir: Path, count: int, counter: TokenCounter, encoding: tiktoken.Encoding
) -> None:
    async with running_core(workdir / "home") as core:
        thread_id = await _seed(core, count)
        spec = _spec(thread_id, core, 128_000)
        cold_ms, built = timed_call(lambda: _build(core, counter, spec))
        texts = [m.content for m in built.messages]
        bare_ms = median_ms(lambda: [len(encoding.encode_ordinary(t)) for t in texts], 5)
        size = sum(map(len, texts)) / 1e3
        print(
            f"      ({count:,} messages; {len(built.history):,} fit in {spec.budget.tokens:,} "
            f"tokens: {built.breakdown.used:,} tokens, {size:.0f} kB)"
        )
        core.insides.store.write_now(lambda s: save_counts(s, built.fresh_counts))
        name = f"context for {count:,} messages"
        report(f"{name}, cold (no cached counts)", cold_ms, bare_ms, "ms", INFO, bare=BARE)
        warm_ms = median_ms(lambda: _build(core, counter, spec), 20)
        report(f"{name}, warm (cached), median", warm_ms, bare_ms, "ms", WARM, bare=BARE)
        await _gauge(core, thread_id, bare_ms, name)
        await _whole_window(core, counter, thread_id, encoding, name)


async def _seed(core: Core, count: int) -> uuid.UUID:
    thread = await core.service.create_thread(model=MODEL, title="benchmark")
    await core.service.set_thread_context_window(thread.id, 128_000)
    last = None
    for rows in chain(thread.id, count):
        for row in rows:  # the chain's answers repeat; a real thread's do not
            row["content"] = f"{row['content']}\n\n({row['depth']})"
        insert_rows(core, rows)
        last = rows[-1]["id"]
    assert last is not None
    set_leaf(core, thread.id, last, count)
    return thread.id


def _spec(thread_id: uuid.UUID, core: Core, window: int) -> context.ContextSpec:
    leaf = core.insides.store.read_now(lambda s: s.get_one(Thread, thread_id).active_leaf_id)
    return context.ContextSpec(thread_id, leaf, MODEL, Budget(window, 1_024), max_messages=100_000)


def _build(core: Core, counter: TokenCounter, spec: context.ContextSpec) -> context.BuiltContext:
    return core.insides.store.read_now(
        lambda s: context.build(s, counter, spec, with_messages=True)
    )


async def _gauge(core: Core, thread_id: uuid.UUID, bare_ms: float, name: str) -> None:
    """`context_usage`, as the gauge calls it (its own counter loads o200k once, untimed)."""
    await core.service.context_usage(thread_id)
    await core.service.settle()
    samples = []
    for _ in range(20):
        start = time.perf_counter()
        await core.service.context_usage(thread_id)
        samples.append((time.perf_counter() - start) * 1000)
    gauge_ms = statistics.median(samples)
    report(f"{name}, gauge, median", gauge_ms, bare_ms, "ms", INFO, bare=BARE)


async def _whole_window(
    core: Core, counter: TokenCounter, thread_id: uuid.UUID, encoding: tiktoken.Encoding, name: str
) -> None:
    """gpt-4.1's million-token window: most of the thread fits."""
    core.insides.store.write_now(
        lambda s: s.execute(
            update(Thread).where(Thread.id == thread_id).values(context_window=1_047_576)
        )
    )
    spec = _spec(thread_id, core, 1_047_576)
    built = _build(core, counter, spec)
    core.insides.store.write_now(lambda s: save_counts(s, built.fresh_counts))
    texts = [m.content for m in built.messages]
    bare_ms = median_ms(lambda: [len(encoding.encode_ordinary(t)) for t in texts], 3)
    warm_ms = median_ms(lambda: _build(core, counter, spec), 10)
    print(f"      (1M window: {len(built.history):,} messages, {built.breakdown.used:,} tokens)")
    report(f"{name}, 1M window, warm, median", warm_ms, bare_ms, "ms", INFO, bare=BARE)
