"""Screenshots of what a user of another language meets: an answer whose footer counts more
than a thousand tokens and costs more than a thousand dollars (grouped the language's way), and
the search palette over a message holding markup-like text, with the tooltip of its hit (the
message as typed, its matched word in bold). Light and dark; run it in several languages:

    CHATDESK_UI_LANGUAGE=de .venv/bin/python -m tests.ui.screens_locale [OUTPUT_DIR]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QToolTip

from chatdesk.app import Core
from chatdesk.core.chat import repository as repo
from chatdesk.core.store.models import Role, Status
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.search.results import tip_html
from tests.ui.screens import _core, _formatted, _shoot, _still, _until, run_alone

MARKUP = "Is a > b when <i>x</i> &amp; y are tulips?"


async def locale_screens(app: QApplication, out: Path) -> None:
    core = _core()
    try:
        await core.start()
        thread_id = await _seed(core)

        async def counted(window: MainWindow) -> None:
            window.show_thread(thread_id)
            await _until(lambda: _formatted(window, 2))
            window.view.jump_to_latest()
            window.view.widgets[-1].footer.set_hovered(True)

        await _shoot(app, core, out, "numbers", counted)
        await _shoot_tip(core, out)
    finally:
        await core.aclose()


async def _seed(core: Core) -> object:
    thread = await core.service.create_thread(title="Tulips & <b>numbers</b>")

    def write(session: object) -> None:
        row = repo.thread_row(session, thread.id)  # type: ignore[arg-type]
        now = row.last_activity_at
        user = repo.insert_message(session, now, row, None, Role.USER, Status.COMPLETE, MARKUP)  # type: ignore[arg-type]
        answer = repo.insert_message(
            session,  # type: ignore[arg-type]
            now,
            row,
            user,
            Role.ASSISTANT,
            Status.COMPLETE,
            "Only when *a* is larger than *b*.",
            provider="mock",
            model="mock-1",
        )
        answer.prompt_tokens, answer.completion_tokens = 123_456, 12_345
        answer.cached_tokens, answer.reasoning_tokens = 100_000, 2_048
        answer.cost_usd, answer.latency_ms = 1234.5, 12_500
        repo.set_active_leaf(session, row, answer.id)  # type: ignore[arg-type]

    core.insides.store.write_now(write)
    return thread.id


async def _shoot_tip(core: Core, out: Path) -> None:
    window = MainWindow(core.service, search=core.search)
    window.resize(1280, 860)
    window.show()
    window.start()
    try:
        window.open_search()
        palette = window.on_demand.palette
        assert palette is not None
        palette.query.setText("tulips")
        palette.search_now()
        await _until(lambda: not palette.searching and palette.results_model.rowCount() > 1)
        await _until(_still(palette))  # the rows laid out at their heights
        rows = palette.results_model
        at = next(i for i in range(rows.rowCount()) if rows.row_at(rows.index(i)).message_id)  # type: ignore[union-attr]
        row = rows.row_at(rows.index(at))
        assert row is not None
        QToolTip.showText(palette.mapToGlobal(QPoint(40, 120)), tip_html(row), palette.results)
        await _until(QToolTip.isVisible)
        tip = next(w for w in QApplication.topLevelWidgets() if w.inherits("QTipLabel"))
        path = out / "search-tip.png"
        tip.grab().save(str(path))
        print(path)
        palette.grab().save(str(out / "search-hits.png"))
        print(out / "search-hits.png")
        QToolTip.hideText()
        palette.close()
    finally:
        window.close()
        await window.aclose()
        window.deleteLater()


def run() -> int:
    return run_alone(locale_screens)


if __name__ == "__main__":
    sys.exit(run())
