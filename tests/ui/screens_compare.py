"""Screenshots of assistants, saved prompts and comparisons: a new chat with an assistant chosen
(its description and examples) and the composer's assistant menu, a chat an assistant answers
(its name in the header), the slash menu and a prompt's {{variables}}, Compare's menu of
models, three models' answers side by side (the top, the end with their figures and Continue
with this one, and while they stream, each with its Stop), and the estimated cost of a large
send. Light and dark. Run through tests/ui/screens.py."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from chatdesk.app import Core
from chatdesk.core.assistants.model import AssistantView
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.ui.composer.prompt_values import PromptValues
from chatdesk.ui.conversation.comparison import ComparisonColumns
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from tests.ui.composer_parts import chips
from tests.ui.screens import _core, _shoot, _until, run_alone

REPORT = (
    "Here is the quarterly report. Summarise the decisions, the risks and who owns each "
    "action, in a short table. "
) * 120
MODELS = [("mock", "mock-1"), ("mock", "mock-2"), ("mock", "mock-3")]

# A setup that leaves a popup open returns it and the widget it hangs from (a dialog: the window;
# the popup itself: where it was opened).
Popup = tuple[QWidget, QWidget] | None


async def assistant_screens(app: QApplication, out: Path) -> None:
    core = _core()
    try:
        await core.start()
        shots = await _Seeded.made(core)
        await _shoot(app, core, out, "assistant-new-chat", shots.new_chat)
        await _shoot_popup(app, core, out, "assistant-menu", shots.assistant_menu)
        await _shoot(app, core, out, "assistant-chat", shots.answered)
        await _shoot(app, core, out, "slash-menu", shots.slash)
        await _shoot_popup(app, core, out, "slash-values", shots.slash_values)
        await _shoot_popup(app, core, out, "compare-menu", shots.compare_menu)
        await _shoot(app, core, out, "compare", shots.columns)
        await _shoot(app, core, out, "compare-end", shots.columns_end)
        await _shoot(app, core, out, "compare-wide", shots.columns_wide)
        await _shoot(app, core, out, "compare-smallest", shots.columns_smallest)
        demo = await core.service.comparisons.send(None, "demo", MODELS)
        for answer in (demo.answer, *demo.others):
            await core.service.wait_for_answer(answer.id)
        shots.compared = demo.answer.thread_id  # code blocks keep their lines, scrolled sideways
        await _shoot(app, core, out, "compare-code", shots.columns_code)
        await _shoot(app, core, out, "send-cost", shots.cost)
    finally:
        await core.aclose()
    await _compare_streaming(app, out)


class _Seeded:
    """What the shots show (an assistant, a chat it answered, three models' answers, a chat
    with a priced model), and how each shot sets its window up."""

    def __init__(self, tutor: AssistantView, taught: object, compared: object, report: object):
        self.tutor, self.taught, self.compared, self.report = tutor, taught, compared, report

    @classmethod
    async def made(cls, core: Core) -> _Seeded:
        service = core.service
        tutor = await service.assistants.find("Tutor")
        await service.prompts.save("Reply to mail", "Write a {{tone}} reply to {{name}}.")
        await service.prompts.save("Plain English", "Rewrite this in plain English:")
        turn = await service.comparisons.send(None, "Explain why the sky is blue, briefly", MODELS)
        for answer in (turn.answer, *turn.others):
            await service.wait_for_answer(answer.id)
        taught = await service.send_new("What is a derivative, in one line?", assistant_id=tutor.id)
        await service.wait_for_answer(taught.answer.id)
        await core.profiles.save(
            ProviderProfile(
                "paid",
                "http://127.0.0.1:9/v1",
                default_model="gpt-4.5-preview",
                input_price_per_million=75.0,
                output_price_per_million=150.0,
            )
        )
        report = await service.create_thread(
            title="Quarterly report", provider="paid", model="gpt-4.5-preview"
        )
        return cls(tutor, taught.answer.thread_id, turn.answer.thread_id, report.id)

    async def new_chat(self, window: MainWindow) -> None:
        await _until(lambda: len(window.models.assistants.known()) >= 5)
        window.composer.assistant_changed.emit(self.tutor.id.hex)
        await _until(lambda: window.greeting.assistant == self.tutor.name)

    async def assistant_menu(self, window: MainWindow) -> Popup:
        """ "+" ▸ Assistant, opened from the chosen assistant's chip."""
        await self.new_chat(window)
        await _until(lambda: "assistant" in chips(window.composer))
        chip = chips(window.composer)["assistant"]
        chip.label.click()
        menu = window.composer.plus_menu.assistants
        return menu, menu  # where the composer opened it

    async def answered(self, window: MainWindow) -> None:
        window.show_thread(self.taught)
        await _until(lambda: _formatted(window, 2))
        await _until(lambda: window.header.model.text().startswith(self.tutor.name))

    async def slash(self, window: MainWindow) -> None:
        await _until(lambda: len(window.composer.slash.entries) >= 7)
        window.composer.editor.setFocus()
        window.composer.start_with("/")
        await _until(lambda: window.composer.slash.isVisible())

    async def slash_values(self, window: MainWindow) -> Popup:
        await self.slash(window)
        menu = window.composer.slash
        window.composer.start_with("/rep")
        await _until(lambda: menu.count() == 1)
        menu.chosen.emit(menu.item(0).data(Qt.ItemDataRole.UserRole))  # as Enter takes it
        values = window.models.slash.values
        assert isinstance(values, PromptValues)
        values.fields["tone"].setText("warm")
        values.fields["name"].setFocus()
        return values, window

    async def compare_menu(self, window: MainWindow) -> Popup:
        """ "+" ▸ Compare, Compare on for two models: opened from its chip."""
        menu = window.composer.plus_menu.compare
        await _until(lambda: len([a for a in menu.actions() if a.data()]) >= 3)
        current = window.settings.current  # as chosen last time (not applied: the theme)
        chosen = replace(current.ui, compare_models="mock/mock-1,mock/mock-2")
        window.settings.current = replace(current, ui=chosen)
        window.models.compare.toggle(True)
        await asyncio.sleep(0.3)  # the composer's row laid out: the menu opens above it
        window.composer.open_compare()
        return menu, menu  # where the composer opened it

    async def columns(self, window: MainWindow) -> None:
        window.show_thread(self.compared)
        await _until(lambda: _columns_shown(window))
        await _until(lambda: all(w.rendered is not None for w in _widgets(window)))
        window.view.verticalScrollBar().setValue(0)

    async def columns_end(self, window: MainWindow) -> None:
        await self.columns(window)
        await asyncio.sleep(0.3)
        bar = window.view.verticalScrollBar()
        bar.setValue(bar.maximum())

    async def columns_wide(self, window: MainWindow) -> None:
        """At 1600×1000 the three answers take more than the reading column."""
        window.resize(1600, 1000)
        await self.columns(window)

    async def columns_smallest(self, window: MainWindow) -> None:
        """The window at its smallest, Compare on for the three models."""
        window.resize(200, 150)
        await self.columns(window)
        current = window.settings.current
        chosen = replace(current.ui, compare_models=",".join(f"{p}/{m}" for p, m in MODELS))
        window.settings.current = replace(current, ui=chosen)
        window.models.compare.toggle(True)

    async def columns_code(self, window: MainWindow) -> None:
        await self.columns(window)
        bar = window.view.verticalScrollBar()
        bar.setValue(bar.maximum() // 3)

    async def cost(self, window: MainWindow) -> None:
        window.show_thread(self.report)
        await _until(lambda: window.header.gauge.isVisible())
        window.composer.start_with(REPORT)
        await asyncio.sleep(0.5)
        await _until(lambda: _cost_shown(window))


async def _compare_streaming(app: QApplication, out: Path) -> None:
    """Three answers being written side by side, each with its Stop."""
    core = _core(CHATDESK_MOCK_TOKENS_PER_SECOND="6")
    try:
        await core.start()

        async def streaming(window: MainWindow) -> None:
            turn = await core.service.comparisons.send(None, "Why do cats purr?", MODELS)
            window.show_thread(turn.answer.thread_id)
            await _until(lambda: _columns_shown(window))
            await _until(lambda: all(len(w.message.content) > 120 for w in _widgets(window)))

        await _shoot(app, core, out, "compare-streaming", streaming)
    finally:
        await core.aclose()


async def _shoot_popup(
    app: QApplication,
    core: object,
    out: Path,
    name: str,
    setup: Callable[[MainWindow], Awaitable[Popup]],
) -> None:
    """As `_shoot`, with the popup the setup leaves open drawn where a desktop puts it (the
    offscreen screen is smaller than the window): below its widget, or above when it does not
    fit, or over the window for a dialog."""
    for theme in ("light", "dark"):
        apply_theme(app, theme)
        window = MainWindow(core.service)  # type: ignore[attr-defined]
        window.resize(1280, 860)
        window.show()
        window.start()
        popup: QWidget | None = None
        try:
            found = await setup(window)
            await asyncio.sleep(0.3)
            shot = window.grab()
            if found is not None:
                popup, anchor = found
                _draw(shot, popup, _placed(window, popup, anchor))
            path = out / f"{name}-{theme}.png"
            shot.save(str(path))
            print(path)
        finally:
            if popup is not None:
                popup.close()
            window.close()
            await window.aclose()  # type: ignore[attr-defined]
            window.deleteLater()


def _placed(window: QWidget, popup: QWidget, anchor: QWidget) -> QPoint:
    if anchor is window:
        return _centred(window, popup)
    if anchor is popup:  # placed by what opened it
        return window.mapFromGlobal(popup.pos())
    at = anchor.mapTo(window, QPoint(0, 0))
    if at.y() + anchor.height() + popup.height() <= window.height():
        return QPoint(at.x(), at.y() + anchor.height())
    return QPoint(at.x(), at.y() - popup.height())


def _draw(shot: QPixmap, popup: QWidget, at: QPoint) -> None:
    """`popup` drawn on `shot` at `at`; a dialog framed, as a window manager would."""
    painter = QPainter(shot)
    painter.drawPixmap(at, popup.grab())
    if popup.inherits("QDialog"):
        painter.setPen(popup.palette().color(QPalette.ColorRole.Shadow))
        painter.drawRect(at.x() - 1, at.y() - 1, popup.width() + 1, popup.height() + 1)
    painter.end()


def _centred(window: QWidget, dialog: QWidget) -> QPoint:
    return QPoint((window.width() - dialog.width()) // 2, (window.height() - dialog.height()) // 3)


def _formatted(window: MainWindow, count: int) -> bool:
    widgets = window.view.widgets
    return len(widgets) >= count and all(w.rendered is not None for w in widgets)


def _columns_shown(window: MainWindow) -> bool:
    return any(c.isVisible() for c in window.actions_.compared.shown)


def _widgets(window: MainWindow) -> list[object]:
    shown: list[ComparisonColumns] = [c for c in window.actions_.compared.shown if c.isVisible()]
    return list(shown[-1].widgets.values()) if shown else []


def _cost_shown(window: MainWindow) -> bool:
    from PySide6.QtWidgets import QLabel

    label = window.composer.findChild(QLabel, "sendCost")
    return label is not None and label.isVisible()


def _save(shot: QPixmap, path: Path) -> None:
    shot.save(str(path))
    print(path)


if __name__ == "__main__":
    sys.exit(run_alone(assistant_screens))
