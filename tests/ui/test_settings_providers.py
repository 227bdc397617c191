"""The Providers tab and the profile editor, driven through their widgets against a real
provider manager, the in-memory keyring and a real OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot
from shiboken6 import Shiboken

from chatdesk.core import i18n
from chatdesk.core.config import Settings
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.manager import KeyKeeping, KeyState, ProviderManager
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.secrets import SERVICE, KeyStore, origin_of
from chatdesk.ui.preferences import PreferencesDialog
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.notices import Notice, Tone
from chatdesk.ui.settings.profile_editor import ProfileEditor
from chatdesk.ui.settings.providers_page import ProvidersPage
from tests.core.sse_server import FakeOpenAI
from tests.keyrings import MemoryKeyring
from tests.ui.shown import shown
from tests.ui.test_preferences import LEFT, click_box, focus_order, show_tab

KEY = "sk-settings-canary-5c1e93ab72"
MakeManager = Callable[[], ProviderManager]


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(("llama3.2", "qwen2.5"), key=KEY).start()
    yield fake
    fake.close()


@pytest.fixture
def open_server() -> Iterator[FakeOpenAI]:
    """A server that takes any key, or none, as local servers do."""
    fake = FakeOpenAI(("llama3.2", "qwen2.5")).start()
    yield fake
    fake.close()


@pytest.fixture
def profiles_file(chatdesk_home: Path) -> Path:
    return chatdesk_home / "config" / "providers.toml"


@pytest.fixture
def make_manager(profiles_file: Path, finish: Any) -> Iterator[MakeManager]:
    made: list[tuple[ProviderManager, Providers]] = []

    def make() -> ProviderManager:
        providers = Providers({})
        manager = ProviderManager(profiles_file, providers, keys=KeyStore())
        finish(manager.load())
        made.append((manager, providers))
        return manager

    yield make
    for manager, providers in made:
        finish(manager.aclose())
        finish(providers.aclose())


OpenPreferences = Callable[..., PreferencesDialog]


@pytest.fixture
def open_preferences(qtbot: QtBot, runner: Runner) -> OpenPreferences:
    """`open_preferences(tab, **core_parts)`: the dialog open on `tab`, as the window opens it."""
    opened: list[PreferencesDialog] = []  # pages live as long as their dialog

    def open_(tab: str, **parts: Any) -> PreferencesDialog:
        dialog = PreferencesDialog(Settings(), runner=runner, **parts)
        qtbot.addWidget(dialog)
        opened.append(dialog)
        with qtbot.waitExposed(dialog):
            dialog.open()
        show_tab(dialog, tab)
        return dialog

    return open_


@pytest.fixture
def open_page(open_preferences: OpenPreferences) -> Callable[..., ProvidersPage]:
    return lambda manager: open_preferences("Providers", providers=manager).providers


def listed(page: ProvidersPage) -> list[tuple[str, ...]]:
    tree = page.findChild(QTreeWidget, "profileList")
    assert tree is not None
    rows = []
    for row in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(row)
        assert item is not None
        rows.append(tuple(item.text(column) for column in range(tree.columnCount())))
    return rows


def open_editor(qtbot: QtBot, page: ProvidersPage, template: str = "") -> ProfileEditor:
    """Click "New profile…" with `template` chosen, or "Edit…" when `template` is empty."""
    if template:
        page.template.setCurrentIndex(page.template.findText(template))
        qtbot.mouseClick(page.add, LEFT)
    else:
        qtbot.mouseClick(page.edit, LEFT)
    return shown(qtbot, page, ProfileEditor)


def retype(qtbot: QtBot, line: QLineEdit, text: str) -> None:
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Delete)
    qtbot.keyClicks(line, text)


def said(notice: Notice) -> tuple[Tone | None, str]:
    return (notice.tone if notice.isVisibleTo(notice.window()) else None), notice.text()


def save(qtbot: QtBot, editor: ProfileEditor) -> None:
    assert editor.save.isEnabled()
    qtbot.mouseClick(editor.save, LEFT)
    qtbot.waitUntil(lambda: not Shiboken.isValid(editor) or not editor.isVisible())


def files_containing(root: Path, text: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and text.encode() in p.read_bytes()]


# -- adding ----------------------------------------------------------------------------------------


def test_a_profile_from_the_ollama_preset_is_tested_fetched_and_saved(
    qtbot: QtBot,
    open_page: Any,
    make_manager: MakeManager,
    open_server: FakeOpenAI,
    profiles_file: Path,
) -> None:
    manager = make_manager()
    page = open_page(manager)
    assert listed(page) == [("mock", "Built in, offline: answers with sample text", "any", "—")]
    editor = open_editor(qtbot, page, "Ollama")
    assert editor.name.text() == "ollama"
    assert editor.url.text() == "http://localhost:11434/v1"
    retype(qtbot, editor.url, open_server.url)
    click_box(qtbot, editor.confirm_http)

    qtbot.mouseClick(editor.test, LEFT)
    qtbot.waitUntil(lambda: said(editor.test_result)[0] is Tone.SUCCESS)
    assert said(editor.test_result)[1] == f"Connected to 127.0.0.1:{open_server.port}: 2 models."
    assert editor.fields.model.currentText() == ""  # testing offers the models, picks none

    qtbot.mouseClick(editor.fields.fetch, LEFT)
    qtbot.waitUntil(lambda: said(editor.fields.fetch_result)[0] is Tone.SUCCESS)
    model = editor.fields.model
    assert [model.itemText(i) for i in range(model.count())] == ["llama3.2", "qwen2.5"]
    assert model.currentText() == "llama3.2"
    save(qtbot, editor)

    [view] = manager.views()
    assert (view.name, view.profile.base_url, view.profile.default_model) == (
        "ollama",
        open_server.url,
        "llama3.2",
    )
    assert view.key_state is KeyState.NONE
    assert listed(page)[1] == ("ollama", open_server.url, "llama3.2", "None")
    assert said(page.status) == (Tone.SUCCESS, "Saved “ollama”; it is in use now.")
    text = profiles_file.read_text(encoding="utf-8")
    assert 'name = "ollama"' in text
    assert "key =" not in text.replace("api_key", "")  # nothing that looks like a key


def test_a_key_goes_to_the_keyring_bound_to_the_host_and_nowhere_else(
    qtbot: QtBot,
    open_page: Any,
    make_manager: MakeManager,
    server: FakeOpenAI,
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
) -> None:
    manager = make_manager()
    page = open_page(manager)
    editor = open_editor(qtbot, page, "vLLM")
    retype(qtbot, editor.url, server.url)
    click_box(qtbot, editor.confirm_http)
    assert editor.key.line.echoMode() is QLineEdit.EchoMode.Password
    qtbot.keyClicks(editor.key.line, KEY)
    qtbot.mouseClick(editor.test, LEFT)  # the server refuses requests without this key
    qtbot.waitUntil(lambda: said(editor.test_result)[0] is Tone.SUCCESS)
    save(qtbot, editor)

    stored = json.loads(memory_keyring.passwords[SERVICE, "vllm"])
    assert stored == {"origin": origin_of(server.url), "key": KEY}
    assert manager.view("vllm").key_state is KeyState.KEYRING
    assert listed(page)[1][3] == "Keyring"
    assert files_containing(tmp_path, KEY) == []

    editor = open_editor(qtbot, page)  # editing never shows the saved key
    assert editor.key.line.text() == ""
    assert editor.key.line.placeholderText() == "Saved; type a new key to replace it"
    assert said(editor.key.note) == (Tone.INFO, "Key saved in the system keyring.")
    editor.reject()


def test_a_refused_key_is_reported_in_place(
    qtbot: QtBot, open_page: Any, make_manager: MakeManager, server: FakeOpenAI
) -> None:
    page = open_page(make_manager())
    editor = open_editor(qtbot, page, "Blank")
    qtbot.keyClicks(editor.url, server.url)
    click_box(qtbot, editor.confirm_http)
    qtbot.keyClicks(editor.key.line, "sk-wrong")
    qtbot.mouseClick(editor.test, LEFT)
    qtbot.waitUntil(lambda: said(editor.test_result)[0] is Tone.ERROR)
    assert "key" in said(editor.test_result)[1].lower()
    assert editor.test.isEnabled()  # it can be tried again


def test_a_new_host_asks_for_the_key_again(
    qtbot: QtBot, open_page: Any, make_manager: MakeManager, server: FakeOpenAI, finish: Any
) -> None:
    manager = make_manager()
    finish(manager.save(ProviderProfile("box", server.url, default_model="llama3.2"), key=KEY))
    page = open_page(manager)
    editor = open_editor(qtbot, page)
    assert editor.confirm_http.isChecked()  # agreed to when it was saved
    same_server_other_host = server.url.replace("127.0.0.1", "localhost")
    retype(qtbot, editor.url, same_server_other_host)

    tone, text = said(editor.key.note)
    assert tone is Tone.WARNING
    assert text.startswith(f"The saved key was entered for {origin_of(server.url)}; enter it")
    assert editor.key.line.placeholderText() == "Enter the key for this host"
    assert not editor.confirm_http.isChecked()  # another host needs its own "yes"
    click_box(qtbot, editor.confirm_http)
    qtbot.mouseClick(editor.test, LEFT)  # the old key is not sent to the new host
    qtbot.waitUntil(lambda: said(editor.test_result)[0] is Tone.ERROR)
    save(qtbot, editor)

    assert manager.view("box").key_state is KeyState.ORIGIN_CHANGED
    assert listed(page)[1][3] == "Enter it again"
    editor = open_editor(qtbot, page)
    assert said(editor.key.note)[0] is Tone.WARNING
    assert "enter it again for this host" in said(editor.key.note)[1]
    assert editor.focusWidget() is editor.key.line
    qtbot.keyClicks(editor.key.line, KEY)
    save(qtbot, editor)
    assert manager.view("box").key_state is KeyState.KEYRING


def test_forget_key_removes_it(
    qtbot: QtBot,
    open_page: Any,
    make_manager: MakeManager,
    server: FakeOpenAI,
    finish: Any,
    memory_keyring: MemoryKeyring,
) -> None:
    manager = make_manager()
    finish(manager.save(ProviderProfile("box", server.url), key=KEY))
    page = open_page(manager)
    editor = open_editor(qtbot, page)
    qtbot.mouseClick(editor.key.forget, LEFT)
    assert not editor.key.line.isEnabled()
    assert said(editor.key.note) == (Tone.INFO, "The saved key is forgotten when you save.")
    save(qtbot, editor)
    assert manager.view("box").key_state is KeyState.NONE
    assert memory_keyring.passwords == {}


# -- what is refused -------------------------------------------------------------------------------


def test_bad_names_and_addresses_are_explained_in_place_and_not_saved(
    qtbot: QtBot, open_page: Any, make_manager: MakeManager, finish: Any, profiles_file: Path
) -> None:
    manager = make_manager()
    finish(manager.save(ProviderProfile("taken", "https://example.com/v1")))
    page = open_page(manager)
    editor = open_editor(qtbot, page, "Blank")
    assert editor.name.text() == "server"
    assert said(editor.url_problem)[1].startswith("Enter the server's base URL")
    qtbot.keyClicks(editor.url, "https://llm.example.com/v1")
    assert said(editor.url_problem)[0] is None

    cases = [
        (editor.name, "has space", editor.name_problem, "A provider name must be"),
        (editor.name, "mock", editor.name_problem, "built-in offline provider"),
        (editor.name, "taken", editor.name_problem, "exists already"),
        (editor.url, "ftp://files.example.com", editor.url_problem, "must start with http://"),
        (editor.url, "http://api.example.com/v1", editor.url_problem, "use https://"),
        (editor.url, "https://user:pw@example.com", editor.url_problem, "user name or password"),
        (editor.fields.prices[0], "-1", editor.fields.prices_problem, "must be 0 or more"),
        (editor.fields.prices[2], "cheap", editor.fields.prices_problem, "must be a number"),
    ]
    for line, typed, notice, expected in cases:
        before = line.text()
        retype(qtbot, line, typed)
        tone, text = said(notice)
        assert tone is Tone.ERROR, typed
        assert expected in text, text
        assert not editor.save.isEnabled()
        assert not editor.test.isEnabled()
        qtbot.keyClick(editor.name, Qt.Key.Key_Return)  # Enter does not save either
        assert editor.isVisible()
        retype(qtbot, line, before if line is not editor.url else "https://llm.example.com/v1")
        assert said(notice)[0] is None
    assert [v.name for v in manager.views()] == ["taken"]
    assert "server" not in profiles_file.read_text(encoding="utf-8")
    editor.reject()


def test_plain_http_to_a_local_host_must_be_confirmed(
    qtbot: QtBot, open_page: Any, make_manager: MakeManager, open_server: FakeOpenAI
) -> None:
    manager = make_manager()
    page = open_page(manager)
    editor = open_editor(qtbot, page, "LM Studio")
    assert editor.http_warning.isVisible()
    assert "requests and the key travel unencrypted on your network" in editor.http_warning.text()
    assert editor.confirm_http.isVisible()
    assert not editor.save.isEnabled()
    retype(qtbot, editor.url, "https://llm.example.com/v1")
    assert not editor.http_warning.isVisible()
    assert editor.save.isEnabled()
    retype(qtbot, editor.url, open_server.url)
    assert not editor.save.isEnabled()
    click_box(qtbot, editor.confirm_http)
    assert editor.save.isEnabled()
    retype(qtbot, editor.url, open_server.url.replace("/v1", "/api/v1"))  # the same server
    assert editor.confirm_http.isChecked()
    save(qtbot, editor)
    assert manager.view("lmstudio").profile.plain_http


# -- no keyring ---------------------------------------------------------------------------------


def test_without_a_keyring_the_key_can_be_kept_for_this_session(
    qtbot: QtBot,
    open_page: Any,
    make_manager: MakeManager,
    server: FakeOpenAI,
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
) -> None:
    keyring.set_keyring(fail.Keyring())
    manager = make_manager()
    page = open_page(manager)
    qtbot.waitUntil(lambda: said(page.no_keyring)[0] is not None)  # checked off the GUI thread
    tone, text = said(page.no_keyring)
    assert tone is Tone.WARNING
    assert text.startswith("No system keyring: no system keyring is available")
    assert "this session only" in text

    editor = open_editor(qtbot, page, "OpenAI")
    assert said(editor.key.no_keyring)[0] is Tone.WARNING
    retype(qtbot, editor.url, server.url)
    click_box(qtbot, editor.confirm_http)
    qtbot.keyClicks(editor.key.line, KEY)
    qtbot.mouseClick(editor.save, LEFT)
    qtbot.waitUntil(lambda: said(editor.key.problem)[0] is Tone.ERROR)
    assert "cannot save the API key" in said(editor.key.problem)[1]
    assert "this session only" in said(editor.key.problem)[1]
    assert editor.isVisible()
    assert manager.views() == []

    click_box(qtbot, editor.key.session)
    save(qtbot, editor)
    view = manager.view("openai")
    assert view.key_state is KeyState.SESSION
    assert listed(page)[1][3] == "This session"
    assert files_containing(tmp_path, KEY) == []
    assert memory_keyring.passwords == {}


def test_a_session_key_stays_a_session_key_when_edited(
    qtbot: QtBot, open_page: Any, make_manager: MakeManager, server: FakeOpenAI, finish: Any
) -> None:
    manager = make_manager()
    profile = ProviderProfile("box", server.url)
    finish(manager.save(profile, key=KEY, keeping=KeyKeeping.SESSION))
    page = open_page(manager)
    editor = open_editor(qtbot, page)
    assert editor.key.session.isChecked()
    qtbot.keyClicks(editor.fields.others, "extra-model")
    save(qtbot, editor)
    assert manager.view("box").key_state is KeyState.SESSION
    assert manager.view("box").profile.models == ("extra-model",)


# -- removing and the list ----------------------------------------------------------------------


def test_remove_asks_first(
    qtbot: QtBot,
    open_page: Any,
    make_manager: MakeManager,
    finish: Any,
    memory_keyring: MemoryKeyring,
) -> None:
    manager = make_manager()
    finish(manager.save(ProviderProfile("cloud", "https://llm.example.com/v1"), key=KEY))
    page = open_page(manager)

    def answer(button_text: str) -> None:
        qtbot.mouseClick(page.remove, LEFT)
        box = shown(qtbot, page, QMessageBox, "confirmRemove")
        assert box.text() == "Remove the provider “cloud”?"
        [button] = [b for b in box.buttons() if b.text().replace("&", "") == button_text]
        qtbot.mouseClick(button, LEFT)
        qtbot.waitUntil(lambda: page.findChild(QMessageBox, "confirmRemove") is None)

    answer("Cancel")
    assert [v.name for v in manager.views()] == ["cloud"]
    answer("Remove")
    qtbot.waitUntil(lambda: manager.views() == [])
    qtbot.waitUntil(lambda: len(listed(page)) == 1)
    assert said(page.status) == (Tone.SUCCESS, "Removed “cloud” and forgot its key.")
    assert memory_keyring.passwords == {}


def test_the_mock_provider_is_listed_and_cannot_be_changed(
    qtbot: QtBot, open_page: Any, make_manager: MakeManager
) -> None:
    page = open_page(make_manager())
    assert page.selected_name() == "mock"
    assert not page.edit.isEnabled()
    assert not page.remove.isEnabled()
    tree = page.findChild(QTreeWidget, "profileList")
    assert tree is not None
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert page.findChild(ProfileEditor) is None


def test_without_a_manager_nothing_can_be_managed(qtbot: QtBot, open_page: Any) -> None:
    page = open_page(None)
    assert listed(page) == [("mock", "Built in, offline: answers with sample text", "any", "—")]
    assert not page.add.isEnabled()
    assert "cannot be managed" in said(page.status)[1]


def test_problems_in_the_profiles_file_are_shown(
    qtbot: QtBot, open_page: Any, make_manager: MakeManager, profiles_file: Path
) -> None:
    profiles_file.parent.mkdir(parents=True, exist_ok=True)
    profiles_file.write_text(
        '[[provider]]\nname = "public"\nbase_url = "http://api.example.com/v1"\n',
        encoding="utf-8",
    )
    page = open_page(make_manager())
    tone, text = said(page.problems)
    assert tone is Tone.WARNING
    assert text.startswith("Some profiles in the profiles file were skipped:\n• ")
    assert "https://" in text


def test_a_key_for_another_host_is_asked_for_from_the_start(
    qtbot: QtBot,
    open_page: Any,
    make_manager: MakeManager,
    memory_keyring: MemoryKeyring,
    finish: Any,
) -> None:
    first = make_manager()
    finish(first.save(ProviderProfile("box", "https://old.example.com/v1"), key=KEY))
    stored = memory_keyring.passwords[SERVICE, "box"]
    finish(first.save(ProviderProfile("box", "https://new.example.com/v1"), editing="box"))
    memory_keyring.passwords[SERVICE, "box"] = stored  # as if the file was edited by hand
    page = open_page(make_manager())
    tree = page.findChild(QTreeWidget, "profileList")
    assert tree is not None
    item = tree.topLevelItem(1)
    assert item is not None
    assert item.text(3) == "Enter it again"
    assert not item.icon(3).isNull()
    editor = open_editor(qtbot, page)
    assert said(editor.key.note) == (
        Tone.WARNING,
        "The saved key was entered for https://old.example.com; enter it again for this host "
        "(a key is never sent to a host it was not entered for).",
    )
    assert editor.focusWidget() is editor.key.line
    editor.reject()


def test_a_saved_profile_is_offered_as_a_default_model(
    qtbot: QtBot, open_preferences: OpenPreferences, make_manager: MakeManager
) -> None:
    manager = make_manager()

    def known() -> list[tuple[str, str]]:
        return [("mock", "mock-1")] + [(v.name, v.profile.default_model) for v in manager.views()]

    dialog = open_preferences("Providers", providers=manager, models=known)
    editor = open_editor(qtbot, dialog.providers, "Blank")
    qtbot.keyClicks(editor.url, "https://llm.example.com/v1")
    qtbot.keyClicks(editor.fields.model.lineEdit(), "big-model")
    with qtbot.waitSignal(dialog.profiles_changed):
        qtbot.mouseClick(editor.save, LEFT)
    model = dialog.findChild(QComboBox, "defaultModel")
    assert model is not None
    assert [model.itemText(i) for i in range(model.count())] == [
        "mock-1 (mock)",
        "big-model (server)",
    ]


# -- keyboard and screen readers ---------------------------------------------------------------


def test_the_editor_is_named_and_tabs_in_reading_order(
    qtbot: QtBot, open_page: Any, make_manager: MakeManager, server: FakeOpenAI, finish: Any
) -> None:
    manager = make_manager()
    finish(manager.save(ProviderProfile("box", server.url), key=KEY))
    page = open_page(manager)
    editor = open_editor(qtbot, page)
    assert focus_order(editor.name, 16) == [
        "profileName",
        "baseUrl",
        "confirmPlainHttp",
        "apiKey",
        "forgetKey",
        "keepForSession",
        "testConnection",
        "defaultModel",
        "fetchModels",
        "otherModels",
        "contextWindow",
        "inputPrice",
        "cachedInputPrice",
        "outputPrice",
        "requestsPerMinute",
        "saveProfile",
    ]
    for widget in editor.findChildren(QWidget):
        inner = isinstance(widget.parent(), QComboBox | QAbstractSpinBox)  # named by its box
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisible() and not inner:
            named = widget.accessibleName() or (
                isinstance(widget, QAbstractButton) and widget.text()
            )
            assert named or widget.objectName().startswith("qt_"), widget
    editor.reject()


def test_page_buttons_are_named(open_page: Any, make_manager: MakeManager) -> None:
    page = open_page(make_manager())
    for button in page.findChildren(QPushButton):
        assert button.text(), button.objectName()
    template = page.findChild(QComboBox, "profileTemplate")
    assert template is not None
    assert template.accessibleName()


@pytest.mark.parametrize("code", ["en", "de"])
def test_the_editors_labels_fit_in_a_language_of_long_words(
    code: str, qtbot: QtBot, open_page: Callable[..., ProvidersPage], make_manager: MakeManager
) -> None:
    page = open_page(make_manager())
    i18n.set_language(code)
    try:
        editor = open_editor(qtbot, page, "Ollama")  # plain http: its tick is shown too
    finally:
        i18n.set_language(i18n.SOURCE)
    assert editor.confirm_http.isVisible()
    editor.layout().activate()
    labels = [
        widget
        for widget in editor.findChildren(QWidget)
        if isinstance(widget, QLabel | QAbstractButton) and widget.isVisible() and widget.text()
    ]
    cut = [
        (label.text(), label.sizeHint().width(), label.width())
        for label in labels
        if not (isinstance(label, QLabel) and label.wordWrap())
        and label.sizeHint().width() > label.width()
    ]
    assert cut == []
