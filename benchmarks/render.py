"""markdown → Qt rich text: one typical answer, and streaming (target: total CPU linear in length).

(1) A typical 400-word answer with two code blocks (and a table, a list, a formula): ms per
`render_markdown`, median of many runs after a warm-up, beside `html.escape` of the same text in
the same run (the bare minimum any display must do); also the round trip through
`RenderWorker` (pipe + pickling + the render in the child).

(2) Streaming a mixed answer at 500 tokens/s with an update every 40 ms (20 tokens per
update): render CPU in total for 1,000 and 2,000 tokens, (a) incremental: `stable_prefix_length`
from the previous cut, newly finished blocks rendered once, the growing tail every update;
(b) the whole text re-rendered every update. Doubling the answer should double (a): linear, the
`docs/design.md` §11 target; (b) grows ~4×: quadratic. Baseline: `html.escape` of the whole
text every update, i.e. a plain-text streaming view.

(3) Hostile input (tests/core/render/hostile_corpus.py: markup bombs, deep nesting, a 3 MB line,
25 MB of nested lists): `render_markdown` of every text in turn, beside `html.escape` of the same
texts; a quadratic or catastrophic path shows as a ratio far above the rest. The slowest input
is shown alone.

(4) An overrun: `RenderWorker` with a 100 ms bound given a message that takes longer, until the
plain-text answer (the child killed included), beside a bare `asyncio.wait_for` with the same
bound on the same loop: the bound the message must fit inside, as this machine keeps it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import html
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import INFO, Target, ratio_target, report, spread, verdicts
from chatdesk.core.render import RenderWorker, render_markdown, stable_prefix_length

FRAME = Target("< 16 ms", 16.0)
LINEAR = Target("< 2.5× (linear)", 2.5)
TOKENS_PER_UPDATE = 20  # 500 tokens/s, one update every 40 ms
_TOKEN = re.compile(r"\s*\S{1,4}|\s+")

TYPICAL = """## Reading a large CSV file without running out of memory

The short answer: **stream it**. Reading the whole file with `read()` keeps every byte in memory
at once, while iterating over the rows keeps only one row at a time. For a 4 GB file that is the
difference between a crash and a program that runs in a few megabytes.

Here is the plain standard-library version:

```python
import csv

def total_by_region(path):
    totals = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            region = row["region"]
            totals[region] = totals.get(region, 0.0) + float(row["amount"])
    return totals
```

A few things worth knowing:

1. `newline=""` lets the csv module handle quoted line breaks itself.
2. Converting with `float()` inside the loop means one bad value stops the run, so
   - validate early, or
   - collect the bad rows and report them at the end.
3. The dictionary grows with the number of *regions*, not rows, so memory stays flat.

| Approach | Peak memory | Time (4 GB) |
|---|---:|---:|
| `read()` everything | 9.1 GB | crash |
| row by row | 12 MB | 61 s |
| pandas, `chunksize=100_000` | 180 MB | 23 s |

If you prefer pandas, read it in chunks so that each chunk is summed and then discarded:

```bash
python -m pip install pandas
python totals.py --chunksize 100000 sales.csv
```

The cost grows linearly with the file size, roughly $T(n) = c \\cdot n$, and the memory does not
grow at all. Measure before optimising further: in most cases the disk, not Python, is the limit,
and a faster parser will not help a slow disk. If the same file is read many times, converting it
once to a columnar format such as Parquet usually pays off within a few runs, because later reads
touch only the columns they need. Keep the original CSV as the source of truth, and make the
conversion a repeatable step in your pipeline so nobody edits the derived file by hand.

> A note on encodings: files exported from spreadsheets are often not UTF-8. If the first run
> fails with a decoding error, open the file in a text editor that shows the encoding, or try
> `encoding="utf-8-sig"` for files that start with a byte order mark.

Finally, keep an eye on the number format. Some exports write `1.234,50` instead of `1234.50`,
and `float()` will reject those. A small helper that removes the thousands separator and swaps
the decimal comma is enough, but make it explicit so that nobody is surprised later.
"""


def run(workdir: Path, quick: bool) -> None:
    render_markdown(TYPICAL)  # warm-up: imports (matplotlib too), lexers, the formula cache
    # As the app does after start-up (and the render child after its imports): otherwise a
    # full collection walking matplotlib's objects (~50 ms) lands in whichever phase is running.
    gc.collect()
    gc.freeze()
    try:
        _typical(runs=50 if quick else 300)
        asyncio.run(_worker_round_trip(runs=20 if quick else 100))
        _streaming((500, 1_000) if quick else (1_000, 2_000))
        _hostile(runs=1 if quick else 3)
        asyncio.run(_overrun(runs=3 if quick else 10))
    finally:
        gc.unfreeze()


def _typical(runs: int) -> None:
    words = len(re.findall(r"\w+", TYPICAL))
    print(f"      (typical answer: {words} words, {len(TYPICAL):,} characters, 2 code blocks)")
    chat = _median_ms(lambda: render_markdown(TYPICAL), runs)
    bare = _median_ms(lambda: html.escape(TYPICAL), runs)
    _report("typical answer, render_markdown p50", chat, bare, FRAME)


async def _worker_round_trip(runs: int) -> None:
    worker = RenderWorker()
    try:
        await worker.render(TYPICAL)  # start the child and warm it up
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            await worker.render(TYPICAL)
            samples.append((time.perf_counter() - started) * 1000)
    finally:
        await worker.aclose()
    bare = _median_ms(lambda: html.escape(TYPICAL), runs)
    _report("typical answer via RenderWorker, p50", statistics.median(samples), bare, INFO)


def _median_ms(action: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


# -- streaming -----------------------------------------------------------------------------------


def _streaming(sizes: tuple[int, int]) -> None:
    small, large = sizes
    tokens = _TOKEN.findall(TYPICAL * (large // len(_TOKEN.findall(TYPICAL)) + 1))[:large]
    print(f"      (streaming {large:,} tokens, {TOKENS_PER_UPDATE} per 40 ms update)")
    totals = {}
    for count in sizes:
        updates = _updates(tokens[:count])
        totals[count] = (_cpu_ms(_incremental, updates), _cpu_ms(_full, updates))
        bare = _cpu_ms(_escape_all, updates)
        _report(f"{count:,} tokens, incremental, total CPU", totals[count][0], bare, INFO)
        _report(f"{count:,} tokens, full re-render, total CPU", totals[count][1], bare, INFO)
    growth = totals[large][0] / totals[small][0], totals[large][1] / totals[small][1]
    _report(f"growth {large:,} ÷ {small:,} tokens, incremental", growth[0], None, LINEAR, "×")
    _report(f"growth {large:,} ÷ {small:,} tokens, full re-render", growth[1], None, INFO, "×")


def _updates(tokens: list[str]) -> list[str]:
    """The text shown after each update."""
    steps = range(TOKENS_PER_UPDATE, len(tokens) + TOKENS_PER_UPDATE, TOKENS_PER_UPDATE)
    return ["".join(tokens[:end]) for end in steps]


def _cpu_ms(stream: Callable[[list[str]], None], updates: list[str]) -> float:
    started = time.process_time()
    stream(updates)
    return (time.process_time() - started) * 1000


def _incremental(updates: list[str]) -> None:
    """What the streaming view does: finished blocks once, then the tail on every update."""
    cut = 0
    for text in updates:
        new_cut = stable_prefix_length(text, start=cut)
        if new_cut > cut:
            render_markdown(text[cut:new_cut])
            cut = new_cut
        render_markdown(text[cut:])


def _full(updates: list[str]) -> None:
    for text in updates:
        render_markdown(text)


def _escape_all(updates: list[str]) -> None:
    for text in updates:
        html.escape(text)


# -- hostile input and overruns -----------------------------------------------------------------

HOSTILE = ratio_target(40, "html.escape")
INSIDE_BOUND = ratio_target(1.0, "wait_for")
OVERRUN_BOUND = 0.1  # seconds


def _hostile(runs: int) -> None:
    from tests.core.render.hostile_corpus import CORPUS

    times = {name: _median_ms(lambda t=text: render_markdown(t), runs) for name, text, _ in CORPUS}
    bare = {name: _median_ms(lambda t=text: html.escape(t), runs) for name, text, _ in CORPUS}
    characters = sum(len(text) for _, text, _ in CORPUS)
    print(f"      (hostile input: {len(CORPUS)} texts, {characters:,} characters)")
    # one total of medians on each side, no bare spread to measure: the guard gives it no noise
    report(
        "hostile input, all, total",
        sum(times.values()),
        sum(bare.values()),
        "ms",
        HOSTILE,
        bare="html.escape",
    )
    slowest = max(times, key=times.__getitem__)
    report(
        f"hostile input, slowest ({slowest})",
        times[slowest],
        bare[slowest],
        "ms",
        INFO,
        bare="html.escape",
    )


async def _overrun(runs: int) -> None:
    """Until a message past its bound is answered in plain text, beside a bare timeout."""
    # ~190 KB without formulas (a formula would load the math library first, on its own
    # bound): over twice the bound to format, just under the size formatted at all.
    slow = TYPICAL.replace("$", "") * 75
    worker = RenderWorker(timeout=OVERRUN_BOUND)
    chat, bare = [], []
    never = asyncio.Event()
    try:
        for _ in range(runs):
            await worker.render("warm up")  # a child that is started, as in a shown window
            started = time.perf_counter()
            answered = await worker.render(slow)
            chat.append((time.perf_counter() - started) * 1000)
            assert answered.plain, "the slow message was formatted inside the bound"
            started = time.perf_counter()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(never.wait(), OVERRUN_BOUND)
            bare.append((time.perf_counter() - started) * 1000)
    finally:
        await worker.aclose()
    report(
        f"overrun → plain answer ({OVERRUN_BOUND * 1000:.0f} ms bound), max",
        max(chat),
        max(bare),
        "ms",
        INSIDE_BOUND,
        bare="wait_for",
        noise=spread(bare, 100),
    )


def _report(name: str, value: float, bare: float | None, target: Target, unit: str = "ms") -> None:
    """common.report's line, with html.escape as the bare baseline instead of sqlite3."""
    verdict = "info" if target.limit is None else "ok" if value < target.limit else "MISS"
    verdicts[verdict] += 1
    shown = (
        f"{value:.2f}×" if unit == "×" else f"{value:.3f} ms" if value < 10 else f"{value:.1f} ms"
    )
    baseline = "" if bare is None else f"html.escape {bare:10.3f} ms  ratio {value / bare:7.1f}×"
    print(f"{verdict:<4}  {name:<46} {shown:>11}  target {target.text:<15} {baseline}")
