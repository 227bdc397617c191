"""a knowledge base indexing 300 files behind the shown window: loop stall p99 < 16 ms.

In one process (benchmarks/window.py): a real core and a shown `MainWindow`, its sidebar
loaded. 300 files (quick: 60) of the `knowledge_index` mix (~30 MB; quick: ~6 MB; Markdown,
text and a few PDFs, made before the window opens) are added to a new base through the
window's core (`service.knowledge.add`, which starts the pass with `start_index`) and indexed
in the background until `knowledge.index` returns: listing, hashing, the reading child,
chunking and Store writes of up to 64 files, all beside the window's event loop. A precise 5 ms
QTimer records how late each of its ticks comes (the stall of the loop that runs Qt and
asyncio) meanwhile: p99 and max.

Target: p99 < 16 ms (a frame, docs/design.md §3). Baseline, same run: the same meter with the
window idle for as long as the pass took, as `stream` and `compare` measure theirs.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from benchmarks.common import running_core
from benchmarks.knowledge import MB, Corpus, make_corpus
from benchmarks.window import run_qt, shown_window, stalls_during, until
from chatdesk.core.knowledge.model import Progress


def run(workdir: Path, quick: bool) -> None:
    count = 60 if quick else 300
    corpus = make_corpus(workdir / "files", count, count * MB // 10)
    run_qt(lambda: _measure(workdir, corpus))


async def _measure(workdir: Path, corpus: Corpus) -> None:
    async with running_core(workdir / "home") as core:
        knowledge = core.service.knowledge
        async with shown_window(core) as window:
            await until(lambda: not window.sidebar.model.loading)
            await asyncio.sleep(0.5)  # the window settles: its first paints are not counted
            base = await knowledge.create("stall")

            async def add_and_index() -> Progress:
                await knowledge.add(base.id, corpus.folder)
                return await knowledge.index(base.id)

            progress, stalls = await stalls_during(add_and_index())
    assert progress.indexed == len(corpus.files), progress
    print(
        f"      ({len(corpus.files)} files, {corpus.size / MB:.1f} MB, indexed in "
        f"{stalls.seconds:.1f} s behind the window; {stalls.ticks()})"
    )
    stalls.report("loop stall while indexing")
