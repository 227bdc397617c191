"""token counting: loading o200k off the GUI thread, counting a 10,000-message thread.

(1) Loading o200k_base from the bundled file in a worker thread (`TokenCounter.load`), median
of 5 fresh loads (quick: 2): informational, the budget is that it never runs on the GUI thread.
Meanwhile the main thread spins as an event loop would, and the longest gap between its turns
is what the GUI thread would feel (a frame is 16 ms). Baseline: tiktoken building the same
encoding itself from its cache folder (`TIKTOKEN_CACHE_DIR`), in the same worker thread; its
stall is measured the same way.

(2) `count_messages("gpt-4o", …)` over a 10,000-message thread (quick: 2,000) of realistic
questions and answers (`benchmarks.common.chain`): the first count right after the load, then
the median of 5. There is no per-message cache yet, so this is the cost a cache saves. Also
the estimator over the same thread (what counting costs before the load finishes) and one
100 KB message. Baseline: `len(encoding.encode_ordinary(text))` over the same texts with
tiktoken's own encoding.
"""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import tiktoken
import tiktoken_ext.openai_public  # type: ignore[import-untyped]

from benchmarks.common import INFO, Target, _environment, chain, median_ms, report, timed_call
from chatdesk.core.providers.base import ChatMessage
from chatdesk.core.tokens import Encodings, TokenCounter
from chatdesk.core.tokens.files import bundled_dir

T = TypeVar("T")
FRAME = Target("< 16 ms", 16.0)
MODEL = "gpt-4o"


def run(workdir: Path, quick: bool) -> None:
    counter, encoding = _loading(runs=2 if quick else 5)
    messages = _thread(2_000 if quick else 10_000)
    _counting(counter, encoding, messages, runs=5)
    _one_long_message(counter, encoding, messages)


# -- loading -------------------------------------------------------------------------------------


def _loading(runs: int) -> tuple[TokenCounter, tiktoken.Encoding]:
    """Each side loads twice per run: with the main thread idle (the load time), and with it
    spinning (the stall; the spinning slows the load too, so that time is not used)."""
    chat_ms: list[float] = []
    bare_ms: list[float] = []
    chat_stalls: list[float] = []
    bare_stalls: list[float] = []
    for _ in range(runs):  # alternate, so both see the same machine
        chat_ms.append(_off_thread(_load_counter, spin=False)[0])
        bare_ms.append(_off_thread(_tiktoken_builds_o200k, spin=False)[0])
        _, stall, counter = _off_thread(_load_counter, spin=True)
        chat_stalls.append(stall)
        _, stall, encoding = _off_thread(_tiktoken_builds_o200k, spin=True)
        bare_stalls.append(stall)
    print(f"      (o200k_base, {runs} fresh loads each, from {bundled_dir()})")
    bare = "tiktoken itself"
    load_ms = statistics.median(chat_ms), statistics.median(bare_ms)
    report("load o200k in a worker, median", *load_ms, "ms", INFO, bare=bare)
    stalls = max(chat_stalls), max(bare_stalls)
    report("GUI-thread stall during load, max", *stalls, "ms", FRAME, bare=bare)
    return counter, encoding


def _load_counter() -> TokenCounter:
    counter = TokenCounter(Encodings(lambda: (bundled_dir(),)))
    counter.load(MODEL)
    return counter


def _tiktoken_builds_o200k() -> tiktoken.Encoding:
    with _environment(TIKTOKEN_CACHE_DIR=str(bundled_dir())):
        return tiktoken.Encoding(**tiktoken_ext.openai_public.o200k_base())


def _off_thread(work: Callable[[], T], *, spin: bool) -> tuple[float, float, T]:
    """(ms `work` took in a worker thread, longest ms the main thread waited for a turn while
    it spun as a busy event loop would (0 when not `spin`), the result)."""
    results: list[T] = []
    finished = threading.Event()

    def worker() -> None:
        try:
            results.append(work())
        finally:
            finished.set()

    thread = threading.Thread(target=worker)
    start = last = time.perf_counter()
    thread.start()
    longest = 0.0
    while spin and not finished.is_set():
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
    thread.join()
    took = time.perf_counter() - start
    return took * 1000, longest * 1000, results[0]


# -- counting ------------------------------------------------------------------------------------


def _thread(count: int) -> list[ChatMessage]:
    rows = (row for batch in chain(uuid.uuid4(), count) for row in batch)
    return [ChatMessage(row["role"].value, row["content"]) for row in rows]


def _counting(
    counter: TokenCounter, encoding: tiktoken.Encoding, messages: list[ChatMessage], runs: int
) -> None:
    texts = [message.content for message in messages]
    size = sum(len(text) for text in texts)
    first_ms, total = timed_call(lambda: counter.count_messages(MODEL, messages))
    bare_first_ms, _ = timed_call(lambda: _bare_count(encoding, texts))
    print(f"      ({len(messages):,} messages, {size / 1e6:.1f} M characters, {total.tokens:,} "
          "tokens with the chat format)")  # fmt: skip
    name = f"count {len(messages):,} messages"
    bare = "encode_ordinary"
    report(f"{name}, first", first_ms, bare_first_ms, "ms", INFO, bare=bare)
    chat = median_ms(lambda: counter.count_messages(MODEL, messages), runs)
    raw = median_ms(lambda: _bare_count(encoding, texts), runs)
    report(f"{name}, median", chat, raw, "ms", INFO, bare=bare)
    estimator = TokenCounter(Encodings(lambda: ()))  # no file: the estimator
    guess = median_ms(lambda: estimator.count_messages(MODEL, messages), runs)
    report(f"{name}, estimated (no encoding)", guess, raw, "ms", INFO, bare=bare)


def _one_long_message(
    counter: TokenCounter, encoding: tiktoken.Encoding, messages: list[ChatMessage]
) -> None:
    text = "\n\n".join(_texts_up_to(messages, 100_000))[:100_000]
    chat = median_ms(lambda: counter.count_text(MODEL, text), 20)
    raw = median_ms(lambda: len(encoding.encode_ordinary(text)), 20)
    report("count one 100 KB message, median", chat, raw, "ms", INFO, bare="encode_ordinary")


def _texts_up_to(messages: list[ChatMessage], size: int) -> Iterator[str]:
    total = 0
    for message in messages:
        if total >= size:
            return
        total += len(message.content) + 2
        yield message.content


def _bare_count(encoding: tiktoken.Encoding, texts: list[str]) -> int:
    return sum(len(encoding.encode_ordinary(text)) for text in texts)
