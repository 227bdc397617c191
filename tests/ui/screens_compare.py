"""Screenshots of assistants, saved prompts and comparisons: a new chat with an assistant chosen
(its description and examples), the slash menu, three models' answers side by side, and the
estimated cost of a large send. Light and dark. Run through tests/ui/screens.py."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtWidgets import QApplication

from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.ui.conversation.comparison import ComparisonColumns
from chatdesk.ui.main_window import MainWindow
from tests.ui.screens import _core, _shoot, _until

REPORT = (
    "Here is the quarterly report. Summarise the decisions, the risks and who owns each "
    "action, in a short table. "
) * 120


async def assistant_screens(app: QApplication, out: Path) -> None:
    core = _core()
    try:
        await core.start()
        service = core.service
        tutor = await service.assistants.find("Tutor")
        await service.prompts.save("Reply to mail", "Write a {{tone}} reply to {{name}}.")
        await service.prompts.save("Plain English", "Rewrite this in plain English:")
        models = [("mock", "mock-1"), ("mock", "mock-2"), ("mock", "mock-3")]
        turn = await service.comparisons.send(None, "Explain why the sky is blue, briefly", models)
        for answer in (turn.answer, *turn.others):
            await service.wait_for_answer(answer.id)
        compared = turn.answer.thread_id
        await core.profiles.save(
            ProviderProfile("paid", "http://127.0.0.1:9/v1", default_model="gpt-4.5-preview",
                            input_price_per_million=75.0, output_price_per_million=150.0)
        )  # fmt: skip
        report = await service.create_thread(
            title="Quarterly report", provider="paid", model="gpt-4.5-preview"
        )

        async def new_chat(window: MainWindow) -> None:
            await _until(lambda: len(window.models.assistants.known()) >= 5)
            window.composer.assistant_changed.emit(tutor.id.hex)
            await _until(lambda: window.view.empty.assistant == "Tutor")

        async def slash(window: MainWindow) -> None:
            await _until(lambda: len(window.composer.slash.entries) >= 7)
            window.composer.editor.setFocus()
            window.composer.start_with("/")
            await _until(lambda: window.composer.slash.isVisible())

        async def columns(window: MainWindow) -> None:
            window.show_thread(compared)
            await _until(lambda: _columns_shown(window))
            await _until(lambda: all(w.rendered is not None for w in _widgets(window)))
            window.view.verticalScrollBar().setValue(0)

        async def cost(window: MainWindow) -> None:
            window.show_thread(report.id)
            await _until(lambda: window.header.gauge.isVisible())
            window.composer.start_with(REPORT)
            await asyncio.sleep(0.5)
            await _until(lambda: _cost_shown(window))

        await _shoot(app, core, out, "assistant-new-chat", new_chat)
        await _shoot(app, core, out, "slash-menu", slash)
        await _shoot(app, core, out, "compare", columns)
        await _shoot(app, core, out, "send-cost", cost)
    finally:
        await core.aclose()


def _columns_shown(window: MainWindow) -> bool:
    return any(c.isVisible() for c in window.actions_.compared.shown)


def _widgets(window: MainWindow) -> list[object]:
    shown: list[ComparisonColumns] = [c for c in window.actions_.compared.shown if c.isVisible()]
    return list(shown[-1].widgets.values()) if shown else []


def _cost_shown(window: MainWindow) -> bool:
    from PySide6.QtWidgets import QLabel

    label = window.composer.findChild(QLabel, "sendCost")
    return label is not None and label.isVisible()


async def temporary_screens(app: QApplication, out: Path) -> None:
    """A window of temporary chats over the main one, a chat in it answered."""
    from chatdesk.ui.theme import apply_theme

    core = _core()
    try:
        await core.start()
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            window = MainWindow(core.service)
            window.resize(1280, 860)
            window.show()
            window.start()
            window.on_demand.temporary = lambda w=window: (  # type: ignore[misc]
                core.temporary(w.settings.current),
                w.settings.current,
            )
            window.on_demand.open_temporary()
            temporary = window.on_demand.temporary_windows[-1]
            try:
                await _until(lambda t=temporary: t._service is not None)
                temporary.sending.send("What should I ask a landlord before signing?", [])
                await _until(
                    lambda t=temporary: (
                        len(t.view.widgets) == 2
                        and all(w.rendered is not None for w in t.view.widgets)
                    )
                )
                await asyncio.sleep(0.3)
                temporary.view.verticalScrollBar().setValue(0)
                path = out / f"temporary-{theme}.png"
                temporary.grab().save(str(path))
                print(path)
            finally:
                temporary._ending = True
                temporary.close()
                if temporary.ending is not None:
                    await temporary.ending
                window.close()
                await window.aclose()
                window.deleteLater()
    finally:
        await core.aclose()
