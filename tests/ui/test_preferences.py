"""The preferences window driven by keyboard and mouse: each change is in use as it is made."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from chatdesk.core.config import GeneralSettings, MockSettings, Settings, UiSettings
from chatdesk.ui.preferences import PreferencesDialog
from chatdesk.ui.theme.reading import reading_font

LEFT = Qt.MouseButton.LeftButton
OpenDialog = Callable[..., PreferencesDialog]
W = TypeVar("W", bound=QWidget)


@pytest.fixture
def open_dialog(qtbot: QtBot) -> OpenDialog:
    def open_(settings: Settings, **parts: Any) -> PreferencesDialog:
        dialog = PreferencesDialog(settings, **parts)
        qtbot.addWidget(dialog)
        with qtbot.waitExposed(dialog):
            dialog.show()
        return dialog

    return open_


def child(dialog: QWidget, kind: type[W], name: str) -> W:
    found = dialog.findChild(kind, name)
    assert isinstance(found, kind), name
    return found


def dialog_button(dialog: QWidget, which: QDialogButtonBox.StandardButton) -> QWidget:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    button = box.button(which)
    assert button is not None
    return button


def click_box(qtbot: QtBot, button: QAbstractButton) -> None:
    """Click a check box or radio button on its box, as a user would: it spans the whole row,
    but only the box and its text take clicks."""
    qtbot.mouseClick(button, LEFT, pos=QPoint(8, button.height() // 2))


def show_tab(dialog: PreferencesDialog, title: str) -> None:
    titles = [dialog.tabs.tabText(i).replace("&", "") for i in range(dialog.tabs.count())]
    dialog.tabs.setCurrentIndex(titles.index(title))


def test_shows_the_current_settings(open_dialog: OpenDialog) -> None:
    dialog = open_dialog(replace(Settings(), ui=UiSettings("dark", 14, False)))
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "&Appearance",
        "C&hat",
        "&Providers",
        "&Data",
        "&Usage",
        "T&ools",
        "Web",
        "A&ssistants",
        "&Knowledge",
        "Memory",
        "&Team",
        "Local API",
        "Voice",
        "Desktop",
    ]
    # each page has its own icon beside its title
    icons = [dialog.tabs.tabIcon(i).pixmap(16, 16).toImage() for i in range(dialog.tabs.count())]
    assert all(not image.isNull() for image in icons)
    drawings = {tuple(image.pixel(x, y) for x in range(16) for y in range(16)) for image in icons}
    assert len(drawings) == dialog.tabs.count()
    assert child(dialog, QComboBox, "themeChoice").currentText() == "Dark"
    assert child(dialog, QSpinBox, "fontSize").text() == "14 pt"
    show_tab(dialog, "Chat")
    assert child(dialog, QRadioButton, "ctrlEnterSends").isChecked()


def test_choices_are_in_use_without_ok_and_other_settings_stay(
    qtbot: QtBot, open_dialog: OpenDialog
) -> None:
    start = replace(Settings(), mock=MockSettings(reasoning=True))
    dialog = open_dialog(start)
    theme = child(dialog, QComboBox, "themeChoice")
    theme.setFocus()
    qtbot.keyClick(theme, Qt.Key.Key_Down)  # System → Light
    qtbot.keyClick(theme, Qt.Key.Key_Down)  # → Dark
    font = child(dialog, QSpinBox, "fontSize")
    assert font.text() == "Default"
    qtbot.keyClick(font, Qt.Key.Key_Up)
    assert font.text() == "8 pt"
    show_tab(dialog, "Chat")
    ctrl_enter = child(dialog, QRadioButton, "ctrlEnterSends")
    click_box(qtbot, ctrl_enter)

    assert dialog.settings_from(start) == replace(start, ui=UiSettings("dark", 8, False))
    assert dialog.isVisible()  # nothing to confirm: the window stays open


def test_typed_font_sizes_stay_in_range(qtbot: QtBot, open_dialog: OpenDialog) -> None:
    dialog = open_dialog(replace(Settings(), ui=UiSettings(font_size=8)))
    font = child(dialog, QSpinBox, "fontSize")
    qtbot.keyClick(font, Qt.Key.Key_Down)
    assert font.text() == "Default"
    assert dialog.font_size() == 0
    font.selectAll()
    qtbot.keyClicks(font, "99")
    qtbot.keyClick(font, Qt.Key.Key_Return)
    assert 8 <= dialog.font_size() <= 32
    font.selectAll()
    qtbot.keyClicks(font, "20")
    qtbot.keyClick(font, Qt.Key.Key_Return)
    assert dialog.font_size() == 20


def test_font_preview_follows_the_size(qtbot: QtBot, open_dialog: OpenDialog) -> None:
    dialog = open_dialog(Settings())
    preview = child(dialog, QLabel, "fontPreview")
    default_size = preview.font().pointSize()
    assert default_size == reading_font().pointSize()  # the conversation's, not the controls'
    font = child(dialog, QSpinBox, "fontSize")
    font.setValue(24)
    assert preview.font().pointSize() == 24
    font.setValue(font.minimum())
    assert preview.font().pointSize() == default_size


def test_the_text_column_width_is_in_use_at_once(qtbot: QtBot, open_dialog: OpenDialog) -> None:
    start = replace(Settings(), ui=replace(UiSettings(), column_width=900))
    dialog = open_dialog(start)
    width = child(dialog, QSpinBox, "columnWidth")
    assert width.text() == "900 px"
    width.setFocus()
    with qtbot.waitSignal(dialog.edited):
        qtbot.keyClick(width, Qt.Key.Key_Down)  # a step of 20 px
    assert dialog.settings_from(start).ui.column_width == 880


@pytest.mark.parametrize("how", ["button", "Esc", "Ctrl+W"])
def test_close_escape_and_ctrl_w_close_it(qtbot: QtBot, open_dialog: OpenDialog, how: str) -> None:
    dialog = open_dialog(Settings())
    theme = child(dialog, QComboBox, "themeChoice")
    theme.setFocus()
    assert not dialog.isModal()  # the conversation stays usable beside it
    with qtbot.waitSignal(dialog.rejected):
        if how == "button":
            qtbot.mouseClick(dialog_button(dialog, QDialogButtonBox.StandardButton.Close), LEFT)
        elif how == "Esc":
            qtbot.keyClick(theme, Qt.Key.Key_Escape)
        else:
            qtbot.keyClick(theme, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible()


def test_a_number_typed_out_of_bounds_is_named_beside_its_field_and_not_used(
    qtbot: QtBot, open_dialog: OpenDialog
) -> None:
    start = Settings()
    dialog = open_dialog(start)
    show_tab(dialog, "Usage")
    warn_at = child(dialog, QSpinBox, "capWarnAt")  # 10 % to 100 %
    error = child(dialog, QLabel, "capWarnAtError")
    assert not error.isVisible()
    warn_at.setFocus()
    warn_at.selectAll()
    qtbot.keyClicks(warn_at, "5")  # below the smallest
    qtbot.keyClick(warn_at, Qt.Key.Key_Return)
    assert error.isVisible()
    assert error.text() == "Between 10 and 100"
    assert warn_at.value() == 80  # the last good value, still in use
    assert dialog.settings_from(start).caps.warn_at == 0.8
    warn_at.selectAll()
    qtbot.keyClicks(warn_at, "95")
    with qtbot.waitSignal(dialog.edited):
        qtbot.keyClick(warn_at, Qt.Key.Key_Return)
    assert not error.isVisible()
    assert dialog.settings_from(start).caps.warn_at == 0.95
    warn_at.selectAll()
    qtbot.keyClicks(warn_at, "150")  # the field refuses the 0: it would be past the largest
    qtbot.keyClick(warn_at, Qt.Key.Key_Return)
    assert error.isVisible()
    assert dialog.settings_from(start).caps.warn_at == 0.95  # not 15 %, nor 100 %


def test_controls_are_named_for_screen_readers(open_dialog: OpenDialog) -> None:
    dialog = open_dialog(Settings())
    for widget in dialog.findChildren(QWidget):
        if widget.focusPolicy() != Qt.FocusPolicy.NoFocus and isinstance(
            widget, QComboBox | QSpinBox
        ):
            assert widget.accessibleName(), widget.objectName()
    labels = {label.text(): label.buddy() for label in dialog.findChildren(QLabel)}
    assert labels["Th&eme:"] is dialog.findChild(QComboBox, "themeChoice")
    assert labels["Te&xt size:"] is dialog.findChild(QSpinBox, "fontSize")


# -- defaults for new chats ----------------------------------------------------------------------

MODELS = [("mock", "mock-1"), ("mock", "mock-2"), ("ollama", "llama3.2")]


def test_defaults_start_unset_and_come_back_set(qtbot: QtBot, open_dialog: OpenDialog) -> None:
    start = Settings()
    dialog = open_dialog(start, models=MODELS)
    show_tab(dialog, "Chat")
    model = child(dialog, QComboBox, "defaultModel")
    assert [model.itemText(i) for i in range(model.count())] == [
        "mock-1 (mock)",
        "mock-2 (mock)",
        "llama3.2 (ollama)",
    ]
    assert model.currentText() == "mock-1 (mock)"
    model_decides = child(dialog, QCheckBox, "temperatureDefault")
    temperature = child(dialog, QDoubleSpinBox, "temperature")
    assert model_decides.isChecked()
    assert not temperature.isEnabled()
    max_tokens = child(dialog, QSpinBox, "maxOutputTokens")
    assert max_tokens.text() == "Model's default"

    model.setFocus()
    qtbot.keyClick(model, Qt.Key.Key_End)  # → llama3.2 (ollama)
    click_box(qtbot, model_decides)
    assert temperature.isEnabled()
    temperature.setFocus()
    temperature.selectAll()
    qtbot.keyClicks(temperature, "0.7")
    max_tokens.setFocus()  # a typed number is in use once the typing ends
    max_tokens.selectAll()
    qtbot.keyClicks(max_tokens, "2048")
    prompt = child(dialog, QPlainTextEdit, "systemPrompt")
    prompt.setFocus()
    prompts: list[str] = []
    dialog.edited.connect(lambda: prompts.append(dialog.settings_from(start).general.system_prompt))
    qtbot.keyClicks(prompt, "Answer briefly.")
    assert prompts == []  # not applied per keystroke
    with qtbot.waitSignal(dialog.edited):  # a text box is in use once the focus leaves it
        model.setFocus()
    assert prompts == ["Answer briefly."]

    general = GeneralSettings(
        default_provider="ollama",
        default_model="llama3.2",
        system_prompt="Answer briefly.",
        temperature=0.7,
        max_output_tokens=2048,
    )
    assert dialog.settings_from(start) == replace(start, general=general)


def test_defaults_set_come_back_unset(qtbot: QtBot, open_dialog: OpenDialog) -> None:
    general = GeneralSettings("ollama", "llama3.2", "Be kind.", 0.3, 4096)
    start = replace(Settings(), general=general)
    dialog = open_dialog(start, models=lambda: MODELS[:2])  # the window passes a callable
    show_tab(dialog, "Chat")
    model = child(dialog, QComboBox, "defaultModel")
    assert model.currentText() == "llama3.2 (ollama)"  # offered although not known now
    temperature = child(dialog, QDoubleSpinBox, "temperature")
    assert temperature.value() == pytest.approx(0.3)
    max_tokens = child(dialog, QSpinBox, "maxOutputTokens")
    assert max_tokens.text() == "4,096 tokens"
    prompt = child(dialog, QPlainTextEdit, "systemPrompt")
    assert prompt.toPlainText() == "Be kind."

    click_box(qtbot, child(dialog, QCheckBox, "temperatureDefault"))
    assert not temperature.isEnabled()
    qtbot.keyClick(max_tokens, Qt.Key.Key_PageDown)  # 10 steps down: 1,536
    qtbot.keyClick(max_tokens, Qt.Key.Key_PageDown)  # and the smallest: the model's default
    assert max_tokens.text() == "Model's default"
    prompt.selectAll()
    qtbot.keyClick(prompt, Qt.Key.Key_Delete)
    qtbot.keyClick(model, Qt.Key.Key_Down)  # the saved choice comes first, then the known
    dialog.reject()

    assert dialog.settings_from(start).general == GeneralSettings("mock", "mock-1", "", -1.0, 0)


def test_tab_order_follows_the_chat_page(open_dialog: OpenDialog) -> None:
    dialog = open_dialog(Settings(), models=MODELS)
    show_tab(dialog, "Chat")
    start = child(dialog, QComboBox, "defaultModel")
    assert focus_order(start, 8) == [
        "defaultModel",
        "temperatureDefault",  # the temperature itself is off while the model decides
        "maxOutputTokens",
        "systemPrompt",
        "autoSummaries",
        "summaryThreshold",
        "autoTitles",
        "enterSends",
    ]


def focus_order(start: QWidget, count: int) -> list[str]:
    """Object names of the next `count` widgets Tab reaches from `start`, itself first."""
    names = [start.objectName()]
    widget = start.nextInFocusChain()
    while len(names) < count and widget is not start:
        name = widget.objectName()
        reachable = widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isEnabled()
        if reachable and widget.isVisible() and name and not name.startswith("qt_"):
            names.append(name)
        widget = widget.nextInFocusChain()
    return names


def test_long_thread_settings_round_trip(qtbot: QtBot, open_dialog: OpenDialog) -> None:
    settings = Settings()
    dialog = open_dialog(settings)
    show_tab(dialog, "Chat")
    summaries = child(dialog, QCheckBox, "autoSummaries")
    threshold = child(dialog, QSpinBox, "summaryThreshold")
    titles = child(dialog, QCheckBox, "autoTitles")
    assert summaries.isChecked()
    assert threshold.value() == 75
    threshold.setValue(60)
    click_box(qtbot, titles)
    dialog.reject()
    chat = dialog.settings_from(settings).chat
    assert (chat.summary_threshold, chat.auto_titles) == (0.6, False)

    edited = dialog.settings_from(settings)
    again = open_dialog(edited)
    show_tab(again, "Chat")
    click_box(qtbot, child(again, QCheckBox, "autoSummaries"))
    assert not child(again, QSpinBox, "summaryThreshold").isEnabled()
    assert again.settings_from(edited).chat.summary_threshold == 0.0  # off


def test_spending_caps_round_trip_and_show_what_is_left(
    qtbot: QtBot, open_dialog: OpenDialog, qloop: object
) -> None:
    from chatdesk.core.chat.caps import CapState
    from chatdesk.core.config import CapsSettings

    async def spending() -> list[CapState]:
        return [
            CapState("this month, all providers", 20.0, 18.4),
            CapState("this month on openai", 10.0, 12.0, estimated=True),
            CapState("this month on groq", 10.0, 2.0),
        ]

    settings = replace(Settings(), caps=CapsSettings(monthly_usd=20.0))
    dialog = open_dialog(settings, spending=spending)
    show_tab(dialog, "Usage")
    spent = child(dialog, QLabel, "capsSpent")
    qtbot.waitUntil(lambda: "18.40" in spent.text())
    assert spent.text().splitlines() == [  # near from 80 %, the default
        "⚠ Near: $18.40 of $20.00 (92%) this month, all providers; $1.60 left",
        "⚠ Reached: about $12.00 of $10.00 (120%) this month on openai",
        "$2.00 of $10.00 (20%) this month on groq; $8.00 left",
    ]
    monthly = child(dialog, QDoubleSpinBox, "monthlyCap")
    per_chat = child(dialog, QDoubleSpinBox, "chatCap")
    assert (monthly.value(), per_chat.text()) == (20.0, "No cap")
    monthly.setValue(50.0)
    per_chat.setValue(2.5)
    child(dialog, QSpinBox, "capWarnAt").setValue(90)
    send_cost = child(dialog, QDoubleSpinBox, "sendCostFrom")
    assert send_cost.text() == "$0.05"  # the default
    send_cost.setValue(0.0)
    assert send_cost.text() == "Always"
    caps = dialog.settings_from(settings).caps
    assert (caps.monthly_usd, caps.thread_usd, caps.warn_at) == (50.0, 2.5, 0.9)
    assert caps.show_cost_over_usd == 0.0


def test_the_usage_and_assistants_pages_have_keys_of_their_own(open_dialog: OpenDialog) -> None:
    """Alt+letter reaches one thing: these pages' labels and buttons share no letter with each
    other nor with the tabs, whose letters work from every page."""
    from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QWidget

    def key(text: str) -> str | None:
        found = text.replace("&&", "").partition("&")[2]
        return found[:1].lower() or None

    def text(widget: QWidget) -> str:
        if isinstance(widget, QLabel) and widget.buddy() is not None:
            return widget.text()
        if isinstance(widget, QAbstractButton):
            return widget.text()
        return widget.title() if isinstance(widget, QGroupBox) else ""

    dialog = open_dialog(Settings())
    texts = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    # Web, Memory, Local API, Voice and Desktop have none
    tabs = [k for text in texts if (k := key(text))]
    assert len(set(tabs)) == len(tabs) == len(texts) - 5, tabs
    for index in range(dialog.tabs.count()):
        if dialog.tabs.tabText(index) not in ("&Usage", "A&ssistants"):
            continue
        page = dialog.tabs.widget(index)
        keys = [(k, text(w)) for w in page.findChildren(QWidget) if (k := key(text(w)))]
        letters = [k for k, _ in keys]
        clashing = [t for k, t in keys if letters.count(k) > 1 or k in tabs]
        assert not clashing, (dialog.tabs.tabText(index), clashing)
