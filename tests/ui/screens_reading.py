"""Screenshots of a conversation set for reading, at the size the peers show theirs (1600×1000):
a question and an answer with a heading, code within a line on chips, a list, a code block as
a card under its language and Copy, a table and a quote, in the reading type (15 px text at
100 % on a 96-dpi screen, lines 1.5 high); then the same at a text size of 14 pt, its column
grown with it, the controls at their size. Light, dark and high contrast; Arabic with
CHATDESK_UI_LANGUAGE=ar.

    .venv/bin/python tests/ui/screens_reading.py [OUTPUT_DIR]
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QApplication

from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from tests.ui.screens import _core, _formatted, _still, _until, run_alone, seed_answered

QUESTION = "How do I merge overlapping intervals in Python?"
ANSWER = r"""## Merging overlapping intervals

Sort the intervals by their start, then walk them once: each one either overlaps the last
merged interval, which `max()` then stretches, or starts a new one. The sort costs
$O(n \log n)$ and the walk $O(n)$.

```python
def merge_intervals(intervals):
    # Merge overlapping [start, end] pairs.
    if not intervals:
        return []
    intervals = sorted(intervals, key=lambda pair: pair[0])
    merged = [list(intervals[0])]
    for start, end in intervals[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged
```

| Case | Input | Result |
|---|---|---|
| overlapping | `[[1, 3], [2, 6]]` | `[[1, 6]]` |
| touching | `[[1, 4], [4, 5]]` | `[[1, 5]]` |
| apart | `[[1, 2], [3, 4]]` | unchanged |

Before relying on it:

1. Decide whether touching intervals merge (here they do: `<=`)
2. Copy the pairs if the caller keeps using them
   - `sorted()` already returns a new list
   - the inner lists are still shared

> An empty list comes back empty, rather than failing on `intervals[0]`.
"""


async def reading_screens(app: QApplication, out: Path) -> None:
    core = _core()
    try:
        await core.start()
        thread = await core.service.create_thread(title="Merging intervals")
        seed_answered(core, thread.id, QUESTION, ANSWER)
        for theme in ("light", "dark", "high-contrast"):
            apply_theme(app, theme)
            window = MainWindow(core.service)
            window.resize(1600, 1000)
            window.show()
            window.start()
            try:
                window.show_thread(thread.id)
                await _until(lambda w=window: _formatted(w, 2))  # type: ignore[misc]
                await _grab(window, out / f"reading-{theme}.png")
                if theme != "high-contrast":
                    await _larger(window, out / f"reading-larger-{theme}.png")
            finally:
                window.close()
                await window.aclose()
                window.deleteLater()
            apply_theme(app, theme)  # the text size and the zoom as they were
    finally:
        await core.aclose()


async def _larger(window: MainWindow, path: Path) -> None:
    """The text size at 14 pt (Preferences ▸ Appearance): the answer and its column grow."""
    settings = window.settings.current
    window.settings.apply(replace(settings, ui=replace(settings.ui, font_size=14)))
    answer = window.view.widgets[-1]
    code = f"font-size: {window.formatter.reading.code_pt:g}pt"  # formatted at the new size
    await _until(lambda: answer.rendered is not None and code in answer.rendered.html)
    await _grab(window, path)
    window.settings.apply(settings)


async def _grab(window: MainWindow, path: Path) -> None:
    await _until(_still(window))
    window.view.verticalScrollBar().setValue(0)
    await _until(_still(window))
    window.grab().save(str(path))
    print(path)


if __name__ == "__main__":
    sys.exit(run_alone(reading_screens))
