"""token counting: loading o200k and counting a 10,000-message thread as the app does, in a child.

The app's path is `TokenCounter()`: tiktoken runs in a counting process that the first load
starts (decision 0014). Baseline: tiktoken in this process, in the same worker thread.

Stalls: while the work runs in a worker thread, the main thread ticks every 2 ms, as an idle
event loop wakes for its timers; the longest it came back late (past its 2 ms) is what the GUI
thread would feel. A frame is 16 ms. Beside it: how much of that wait was this process's own
CPU time (a thread holding the GIL); the rest is the machine (other processes had the cores).

(1) Loading o200k_base from the bundled file in a worker thread: a fresh `TokenCounter()` each
time (its counting process started by the load, and stopped after), median of 5 (quick: 2),
and the longest stall of any run. Baseline: tiktoken building the same encoding itself from its
cache folder (`TIKTOKEN_CACHE_DIR`).

(2) `count_messages("gpt-4o", …)` over a 10,000-message thread (quick: 2,000) of realistic
questions and answers (`benchmarks.common.chain`), in one batch: the first count right after
the load, then the median of 5, and the longest stall while counting (3 runs). This is what the
per-message cache saves. Also the estimator over the same thread (what counting costs before
the load finishes), one 100 KB message, and one short text (a round trip to the child).
Baseline: `len(encoding.encode_ordinary(text))` over the same texts with tiktoken's own encoding.

(3) Memory: a fresh process loads o200k and counts a word, reading its own RSS before and after
(psutil), and the counting process's RSS. Baseline: the same with tiktoken in that process.
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import tiktoken
import tiktoken_ext.openai_public  # type: ignore[import-untyped]

from benchmarks.common import INFO, Target, chain, environment, median_ms, report, timed_call
from chatdesk.core.providers.base import ChatMessage
from chatdesk.core.tokens import CountingProcess, Encodings, TokenCounter
from chatdesk.core.tokens.files import bundled_dir

T = TypeVar("T")
FRAME = Target("< 16 ms", 16.0)
MODEL = "gpt-4o"
TICK = 0.002
TIKTOKEN = "tiktoken itself"
BARE = "encode_ordinary"


def run(workdir: Path, quick: bool) -> None:
    encoding = _loading(runs=2 if quick else 5)
    messages = _thread(2_000 if quick else 10_000)
    counter = _bundled_counter()
    try:
        counter.load(MODEL)
        _counting(counter, encoding, messages, runs=5)
        _one_long_message(counter, encoding, messages)
        _one_short_text(counter, encoding)
    finally:
        counter.close()
    _memory()


# -- loading -------------------------------------------------------------------------------------


def _loading(runs: int) -> tiktoken.Encoding:
    chat: Runs = []
    bare: Runs = []
    for _ in range(runs):  # alternate, so both see the same machine
        counter = _bundled_counter()
        chat.append(_off_thread(lambda: counter.load(MODEL)))  # noqa: B023
        counter.close()
        bare.append(_off_thread(_tiktoken_builds_o200k))
    print(
        f"      (o200k_base, {runs} fresh loads each, from {bundled_dir()}; the counting "
        "process is started by each load)"
    )
    load_ms = statistics.median(r.took for r in chat), statistics.median(r.took for r in bare)
    report("load o200k in a worker, median", *load_ms, "ms", INFO, bare=TIKTOKEN)
    _report_stall("GUI-thread stall during load, max", chat, bare, TIKTOKEN)
    encoding = bare[-1].result
    assert isinstance(encoding, tiktoken.Encoding)
    return encoding


def _bundled_counter() -> TokenCounter:
    return TokenCounter(CountingProcess(lambda: (bundled_dir(),)))


def _tiktoken_builds_o200k() -> tiktoken.Encoding:
    with environment(TIKTOKEN_CACHE_DIR=str(bundled_dir())):
        return tiktoken.Encoding(**tiktoken_ext.openai_public.o200k_base())


@dataclass(frozen=True)
class _Run(Generic[T]):
    took: float  # ms `work` took in a worker thread
    late: float  # the longest ms the main thread, ticking every 2 ms, came back late
    held: float  # the most CPU ms this process used within one such wait (its own share)
    result: T


def _off_thread(work: Callable[[], T]) -> _Run[T]:
    results: list[T] = []
    finished = threading.Event()

    def worker() -> None:
        try:
            results.append(work())
        finally:
            finished.set()

    thread = threading.Thread(target=worker)
    gc.collect()  # a full pass owed by earlier work would stop both threads inside the timing
    start = last = time.perf_counter()
    last_cpu = time.process_time()
    thread.start()
    late = held = 0.0
    while True:
        done = finished.wait(TICK)
        now, cpu = time.perf_counter(), time.process_time()
        late, held = max(late, now - last - TICK), max(held, min(now - last, cpu - last_cpu))
        last, last_cpu = now, cpu
        if done:
            break
    took = time.perf_counter() - start
    thread.join()
    return _Run(took * 1000, late * 1000, held * 1000, results[0])


Runs = list[_Run[object]]


def _report_stall(name: str, chat: Runs, bare: Runs, baseline: str) -> None:
    """The longest stall of each side; beside it, how much of it was this process's own CPU
    time (the rest: other processes had the cores, as on a busy machine)."""
    worst, worst_bare = max(chat, key=lambda r: r.late), max(bare, key=lambda r: r.late)
    print(
        f"      (this process's own share of the longest stall: {worst.held:.1f} ms, with "
        f"{baseline}: {worst_bare.held:.1f} ms)"
    )
    report(name, worst.late, worst_bare.late, "ms", FRAME, bare=baseline)


# -- counting ------------------------------------------------------------------------------------


def _thread(count: int) -> list[ChatMessage]:
    """The chain's answers repeat (64 of them); numbered, every text is new, as in a real
    thread (the counter counts a text that repeats in a batch once)."""
    rows = (row for batch in chain(uuid.uuid4(), count) for row in batch)
    return [ChatMessage(row["role"].value, f"{row['content']}\n\n({row['depth']})") for row in rows]


def _counting(
    counter: TokenCounter, encoding: tiktoken.Encoding, messages: list[ChatMessage], runs: int
) -> None:
    texts = [message.content for message in messages]
    size = sum(len(text) for text in texts)
    first_ms, total = timed_call(lambda: counter.count_messages(MODEL, messages))
    bare_first_ms, _ = timed_call(lambda: _bare_count(encoding, texts))
    assert not total.estimated, "the counting process did not count"
    print(
        f"      ({len(messages):,} messages, {size / 1e6:.1f} M characters, {total.tokens:,} "
        "tokens with the chat format)"
    )
    name = f"count {len(messages):,} messages"
    report(f"{name}, first", first_ms, bare_first_ms, "ms", INFO, bare=BARE)
    chat = median_ms(lambda: counter.count_messages(MODEL, messages), runs)
    raw = median_ms(lambda: _bare_count(encoding, texts), runs)
    report(f"{name}, median", chat, raw, "ms", INFO, bare=BARE)
    estimator = TokenCounter(Encodings(lambda: ()))  # no file: the estimator
    guess = median_ms(lambda: estimator.count_messages(MODEL, messages), runs)
    report(f"{name}, estimated (no encoding)", guess, raw, "ms", INFO, bare=BARE)
    chat_runs: Runs = []
    bare_runs: Runs = []
    for _ in range(3):
        chat_runs.append(_off_thread(lambda: counter.count_messages(MODEL, messages)))
        bare_runs.append(_off_thread(lambda: _bare_count(encoding, texts)))
    name = f"GUI-thread stall counting {len(messages):,}, max"
    _report_stall(name, chat_runs, bare_runs, BARE)


def _one_long_message(
    counter: TokenCounter, encoding: tiktoken.Encoding, messages: list[ChatMessage]
) -> None:
    text = "\n\n".join(_texts_up_to(messages, 100_000))[:100_000]
    chat = median_ms(lambda: counter.count_text(MODEL, text), 20)
    raw = median_ms(lambda: len(encoding.encode_ordinary(text)), 20)
    report("count one 100 KB message, median", chat, raw, "ms", INFO, bare=BARE)


def _one_short_text(counter: TokenCounter, encoding: tiktoken.Encoding) -> None:
    text = "What is the capital of France?"
    chat = median_ms(lambda: counter.count_text(MODEL, text), 200)
    raw = median_ms(lambda: len(encoding.encode_ordinary(text)), 200)
    report("count one short text, median", chat, raw, "ms", INFO, bare=BARE)


def _texts_up_to(messages: list[ChatMessage], size: int) -> Iterator[str]:
    total = 0
    for message in messages:
        if total >= size:
            return
        total += len(message.content) + 2
        yield message.content


def _bare_count(encoding: tiktoken.Encoding, texts: list[str]) -> int:
    return sum(len(encoding.encode_ordinary(text)) for text in texts)


# -- memory --------------------------------------------------------------------------------------

_MEASURE = """
import json, sys
import psutil
from chatdesk.core.tokens import CountingProcess, Encodings, TokenCounter
from chatdesk.core.tokens.files import bundled_dir

if __name__ == "__main__":
    where = (lambda: (bundled_dir(),))
    tokenizers = Encodings(where) if sys.argv[1] == "here" else CountingProcess(where)
    counter = TokenCounter(tokenizers)
    me = psutil.Process()
    before = me.memory_info().rss
    counter.load("gpt-4o")
    assert not counter.count_text("gpt-4o", "warm").estimated
    after = me.memory_info().rss
    pid = getattr(tokenizers, "pid", None)
    child = psutil.Process(pid).memory_info().rss if pid else 0
    counter.close()
    print(json.dumps({"added": after - before, "child": child}))
"""


def _memory() -> None:
    chat, bare = _rss("child"), _rss("here")
    mb = 1024 * 1024
    added = chat["added"] / mb, bare["added"] / mb
    report("RSS added to the loading process", *added, "MB", INFO, bare=TIKTOKEN)
    child = chat["child"] / mb, bare["added"] / mb
    report("RSS of the counting process", *child, "MB", INFO, bare=TIKTOKEN)


def _rss(where: str) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, where],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    measured: dict[str, int] = json.loads(done.stdout)
    return measured
