"""The local API in the window: served on the window's own loop while Preferences ▸ Local API
has it on, restarted when its settings change, stopped with the window; its key, its snippets,
its address in the status bar, and the chats made through it marked. Every request here is a
real HTTP request to the server the window started, made on the window's loop."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import keyring
import pytest
from PySide6.QtCore import QModelIndex, QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.api_keys import ApiKeys
from chatdesk.core.config import load_settings, save_preferences
from chatdesk.ui.application import attach_core
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.settings.api_page import ApiPage
from chatdesk.ui.settings.api_snippets import KEY_SHOWN, SNIPPETS
from chatdesk.ui.settings.api_state import Serving
from chatdesk.ui.sidebar.roles import API_ROLE
from tests.ui.shown import shown
from tests.ui.test_tool_cards import ASK
from tests.ui.tool_windows import last_card, press, waiting

LONG = 20_000  # ms: a bound never reached, for the key the window reads again every 2 s


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def api_window(make_core: Any, finish: Any, qtbot: QtBot) -> Iterator[Any]:
    """`api_window(**env)`: the window as the application attaches it to a core configured by
    `env` (CHATDESK_API_…), its settings the core's; closed (its API stopped) before the core."""
    windows: list[MainWindow] = []

    def open_(**env: str) -> tuple[MainWindow, Core]:
        core: Core = make_core(**env)
        window = MainWindow(settings=core.config.settings)
        windows.append(window)
        attach_core(window, core)
        window.show()
        window.start()
        return window, core

    yield open_
    for window in windows:
        window.close()
        finish(window.aclose())
        window.deleteLater()


def the_key(core: Core) -> str | None:
    return ApiKeys(core.insides.shared.keys).current()


async def health(port: int, key: str | None) -> int:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{port}/api/v1/health", headers=headers)
        return response.status_code


async def refused(port: int) -> bool:
    try:
        await health(port, None)
    except httpx.ConnectError:
        return True
    return False


def running(window: MainWindow) -> bool:
    api = window.settings.local_api
    return api is not None and api.state.serving is Serving.RUNNING


def serving(api_window: Any, qtbot: QtBot, **env: str) -> tuple[MainWindow, Core, int]:
    """A window whose API was switched on at start and runs, on a free port."""
    port = free_port()
    window, core = api_window(CHATDESK_API_ENABLED="true", CHATDESK_API_PORT=str(port), **env)
    qtbot.waitUntil(lambda: running(window))
    return window, core, port


def api_page(qtbot: QtBot, window: MainWindow) -> ApiPage:
    window.settings.open_preferences(api_tab=True)
    dialog = window.settings.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.tabs.currentWidget() is dialog.api
    return dialog.api


def test_switched_on_at_start_it_serves_with_its_key_and_the_status_bar_says_where(
    api_window: Any, qtbot: QtBot, finish: Any
) -> None:
    port = free_port()
    window, core = api_window(CHATDESK_API_ENABLED="true", CHATDESK_API_PORT=str(port))

    api = window.settings.local_api
    assert api is not None
    qtbot.waitUntil(lambda: running(window))

    assert api.item.isVisible()
    assert api.item.text() == f"API · 127.0.0.1:{port}"
    key = the_key(core)
    assert key is not None
    assert key.startswith("cdk-")
    assert finish(health(port, key)) == 200
    assert finish(health(port, None)) == 401
    assert finish(health(port, key + "x")) == 403


def test_off_it_listens_nowhere_and_has_no_status_item(
    api_window: Any, qtbot: QtBot, finish: Any
) -> None:
    port = free_port()
    window, core = api_window(CHATDESK_API_PORT=str(port))
    qtbot.waitUntil(
        lambda: window.sidebar.model.rowCount() >= 0 and not window.sidebar.model.loading
    )

    api = window.settings.local_api
    assert api is not None
    assert api.state.serving is Serving.OFF
    assert not api.item.isVisible()
    assert finish(refused(port))
    assert the_key(core) is None  # no key is made while it was never on


def test_switching_it_on_and_off_in_preferences_starts_and_stops_it(
    api_window: Any, qtbot: QtBot, finish: Any
) -> None:
    port = free_port()
    window, core = api_window(CHATDESK_API_PORT=str(port))
    page = api_page(qtbot, window)
    assert page.state.text() == "Off"
    assert not page.docs.isEnabled()

    page.enabled.setChecked(True)

    qtbot.waitUntil(lambda: running(window))
    qtbot.waitUntil(lambda: page.key.text() != "")
    assert page.state.text() == f"Running at http://127.0.0.1:{port}"
    assert page.key.text() == the_key(core)
    assert page.key.echoMode() is page.key.EchoMode.Password  # masked until Show
    assert page.docs.isEnabled()
    assert finish(health(port, page.key.text())) == 200
    assert window.settings.current.api.enabled

    page.enabled.setChecked(False)

    qtbot.waitUntil(lambda: page.state.text() == "Off")
    api = window.settings.local_api
    assert api is not None
    assert not api.item.isVisible()
    assert finish(refused(port))


def test_another_port_moves_it_there(api_window: Any, qtbot: QtBot, finish: Any) -> None:
    first, second = free_port(), free_port()
    window, core = api_window(CHATDESK_API_ENABLED="true", CHATDESK_API_PORT=str(first))
    qtbot.waitUntil(lambda: running(window))
    page = api_page(qtbot, window)

    page.port.setValue(second)

    api = window.settings.local_api
    assert api is not None
    qtbot.waitUntil(lambda: running(window) and api.item.text() == f"API · 127.0.0.1:{second}")
    assert finish(health(second, the_key(core))) == 200
    assert finish(refused(first))


def test_a_port_in_use_is_said_in_the_status_bar_and_on_the_page(
    api_window: Any, qtbot: QtBot
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        window, _ = api_window(CHATDESK_API_ENABLED="true", CHATDESK_API_PORT=str(port))
        api = window.settings.local_api
        assert api is not None

        qtbot.waitUntil(lambda: api.state.serving is Serving.FAILED)

        said = window.statusBar().currentMessage()
        assert f"cannot listen on 127.0.0.1:{port}" in said
        assert "Preferences ▸ Local API" in said
        assert not api.item.isVisible()
        page = api_page(qtbot, window)
        assert page.state.text() == said
        assert page.state.isVisible()


def test_rotating_asks_first_and_then_only_the_new_key_is_let_in(
    api_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window, core, port = serving(api_window, qtbot)
    page = api_page(qtbot, window)
    qtbot.waitUntil(lambda: page.rotate.isEnabled())
    old = page.key.text()

    page.rotate.click()
    box = shown(qtbot, page, QMessageBox, "confirmRotate")
    assert "stop working" in box.informativeText()
    assert the_key(core) == old  # nothing changes before the answer
    [yes] = [b for b in box.buttons() if b.text() == "Rotate"]
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: page.key.text() not in ("", old))
    new = page.key.text()
    assert the_key(core) == new
    assert finish(health(port, old)) == 403
    assert finish(health(port, new)) == 200


def test_a_key_rotated_by_another_chatdesk_shuts_the_old_one_out_of_the_windows_api(
    api_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window, core, port = serving(api_window, qtbot)
    api = window.settings.local_api
    assert api is not None
    qtbot.waitUntil(lambda: api.key is not None)
    old = api.key
    assert finish(health(port, old)) == 200

    new = ApiKeys(
        core.insides.shared.keys
    ).rotate()  # as `chatdesk api key --rotate` does elsewhere

    qtbot.waitUntil(lambda: api.key == new, timeout=LONG)  # read again while it serves
    assert finish(health(port, old)) == 403
    assert finish(health(port, new)) == 200


def test_a_key_set_in_the_environment_is_used_and_cannot_be_rotated_here(
    api_window: Any, qtbot: QtBot, finish: Any
) -> None:
    port = free_port()
    window, _ = api_window(
        CHATDESK_API_ENABLED="true",
        CHATDESK_API_PORT=str(port),
        CHATDESK_API_KEY="cdk-from-the-environment",
    )
    qtbot.waitUntil(lambda: running(window))
    page = api_page(qtbot, window)

    qtbot.waitUntil(lambda: page.key.text() == "cdk-from-the-environment")
    assert not page.rotate.isEnabled()
    assert "CHATDESK_API_KEY" in page.rotate.toolTip()
    assert "CHATDESK_API_KEY" in page.key_note.text()
    assert finish(health(port, "cdk-from-the-environment")) == 200


def test_the_snippets_show_the_key_masked_and_copy_the_real_one(
    api_window: Any, qtbot: QtBot
) -> None:
    window, core, port = serving(api_window, qtbot)
    page = api_page(qtbot, window)
    qtbot.waitUntil(lambda: page.key.text() != "")
    key = the_key(core)
    assert key is not None

    for client in SNIPPETS:
        page.client.setCurrentText(client)
        on_screen = page.snippet.toPlainText()
        assert f"http://127.0.0.1:{port}/v1" in on_screen
        assert "mock/mock-1" in on_screen
        assert KEY_SHOWN in on_screen
        assert key not in on_screen
        page.copy_snippet.click()
        copied = QGuiApplication.clipboard().text()
        assert copied == on_screen.replace(KEY_SHOWN, key), client

    page.copy_key.click()
    assert QGuiApplication.clipboard().text() == key
    page.show_key.click()
    assert page.key.echoMode() is page.key.EchoMode.Normal


def test_the_lan_setting_warns_while_it_is_on(api_window: Any, qtbot: QtBot) -> None:
    window, _ = api_window(CHATDESK_API_PORT=str(free_port()))
    page = api_page(qtbot, window)
    assert not page.lan_warning.isVisible()

    page.lan.setChecked(True)

    assert page.lan_warning.isVisible()
    assert "network" in page.lan_warning.text()
    assert window.settings.current.api.lan
    page.lan.setChecked(False)
    assert not page.lan_warning.isVisible()


def test_closing_the_window_stops_the_api(api_window: Any, qtbot: QtBot, finish: Any) -> None:
    window, _, port = serving(api_window, qtbot)

    window.close()
    finish(window.aclose())

    assert finish(refused(port))


# -- chats made through the API ------------------------------------------------------------------


def row_of(window: MainWindow, title: str) -> QModelIndex | None:
    model = window.sidebar.model
    for group_row in range(model.rowCount()):
        group = model.index(group_row, 0)
        for row in range(model.rowCount(group)):
            index = model.index(row, 0, group)
            thread = model.thread_at(index)
            if thread is not None and thread.title == title:
                return index
    return None


def test_a_chat_made_through_the_api_is_marked_in_its_row_and_header(
    make_core: Any, api_window: Any, qtbot: QtBot, finish: Any
) -> None:
    core = make_core()
    made = finish(core.service.create_thread(title="From a script"))
    finish(core.service.create_thread(title="Made here"))
    with sqlite3.connect(core.config.paths.database) as database:  # as the API's routes write it
        database.execute("UPDATE threads SET origin = 'api' WHERE id = ?", (made.id.hex,))
    window, _ = api_window()
    qtbot.waitUntil(lambda: row_of(window, "From a script") is not None)

    api_row, here_row = row_of(window, "From a script"), row_of(window, "Made here")
    assert api_row is not None
    assert here_row is not None
    assert api_row.data(API_ROLE) is True
    assert "Made through the local API" in api_row.data(Qt.ItemDataRole.ToolTipRole)
    said = api_row.data(Qt.ItemDataRole.AccessibleTextRole)
    assert said == "From a script, made through the local API"
    assert here_row.data(API_ROLE) is False
    assert "local API" not in here_row.data(Qt.ItemDataRole.ToolTipRole)

    window.show_thread(made.id)
    qtbot.waitUntil(lambda: window.header.title.text() == "From a script")
    assert window.header.origin.isVisible()
    assert window.header.origin.toolTip() == "Made through the local API"
    window.new_chat()
    qtbot.waitUntil(lambda: not window.header.origin.isVisible())


async def post_thread(port: int, key: str | None, title: str) -> int:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"http://127.0.0.1:{port}/api/v1/threads",
            json={"title": title},
            headers={"Authorization": f"Bearer {key}"},
        )
        return response.status_code


def test_a_chat_made_through_the_windows_api_appears_in_its_list_at_once(
    api_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window, core, port = serving(api_window, qtbot)

    status = finish(post_thread(port, the_key(core), "Asked for by a script"))

    assert status == 201
    qtbot.waitUntil(lambda: row_of(window, "Asked for by a script") is not None)
    row = row_of(window, "Asked for by a script")
    assert row is not None
    assert row.data(API_ROLE) is True


def test_a_tool_call_in_a_chat_sent_through_the_api_is_asked_in_the_window(
    api_window: Any, qtbot: QtBot, finish: Any
) -> None:
    window, core, port = serving(api_window, qtbot)
    thread = finish(core.service.create_thread(title="Tools through the API"))
    finish(core.service.set_thread_tools(thread.id, ["chatdesk"]))
    key = the_key(core)

    async def send() -> int:
        async with httpx.AsyncClient(timeout=None) as client:
            response = await client.post(
                f"http://127.0.0.1:{port}/api/v1/threads/{thread.id}/messages",
                json={"content": ASK, "stream": False},
                headers={"Authorization": f"Bearer {key}"},
            )
            return response.status_code

    sending = asyncio.get_running_loop().create_task(send())
    qtbot.waitUntil(lambda: sending.done() or "waits for your approval" in announced(window))

    assert "waits for your approval: chatdesk › search_chats" in announced(window)
    assert not sending.done()  # the request waits for the user, in the window
    window.show_thread(thread.id)
    qtbot.waitUntil(lambda: waiting(window))
    card = last_card(window)
    assert card is not None
    press(qtbot, card, "once")
    qtbot.waitUntil(sending.done)
    assert sending.result() == 200


def announced(window: MainWindow) -> str:
    return window.actions_.last_announcement


def test_before_its_first_switch_on_there_is_no_key_to_show_copy_or_rotate(
    api_window: Any, qtbot: QtBot
) -> None:
    window, _ = api_window(CHATDESK_API_PORT=str(free_port()))
    page = api_page(qtbot, window)

    assert page.key.text() == ""
    assert page.key.placeholderText() == "Made when you first switch it on"
    assert not page.key_note.isVisible()
    for button in (page.show_key, page.copy_key, page.rotate):
        assert not button.isEnabled()
    assert "YOUR-CHATDESK-KEY" in page.snippet.toPlainText()


def test_without_a_keyring_it_says_how_to_give_it_a_key(
    api_window: Any, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", fail.Keyring)
    window, _ = api_window(CHATDESK_API_ENABLED="true", CHATDESK_API_PORT=str(free_port()))
    api = window.settings.local_api
    assert api is not None

    qtbot.waitUntil(lambda: api.state.serving is Serving.FAILED)

    assert "no usable keyring" in api.state.error
    assert "CHATDESK_API_KEY" in window.statusBar().currentMessage()
    assert not api.item.isVisible()


def test_what_the_page_sets_is_kept_for_the_next_start(
    api_window: Any, qtbot: QtBot, tmp_path: Path
) -> None:
    window, _ = api_window(CHATDESK_API_PORT=str(free_port()))
    page = api_page(qtbot, window)
    page.port.setValue(4999)
    page.lan.setChecked(True)
    page.rate.setValue(0)  # Automatic
    page.origins.setText("http://localhost:3000  https://tools.example")
    page.origins.editingFinished.emit()  # Enter, or the focus leaving it

    applied = window.settings.current.api
    assert (applied.port, applied.lan, applied.rate_limit) == (4999, True, 0)
    assert applied.allowed_origins == "http://localhost:3000 https://tools.example"
    config_file = tmp_path / "config.toml"
    save_preferences(config_file, window.settings.current)
    assert load_settings(config_file, env={}).settings.api == applied


class _Browser(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open_url(self, url: QUrl) -> None:
        self.opened.append(url.toString())


def test_the_status_item_opens_the_page_whose_docs_open_only_when_clicked(
    api_window: Any, qtbot: QtBot
) -> None:
    browser = _Browser()
    QDesktopServices.setUrlHandler("http", browser, "open_url")
    try:
        window, _, port = serving(api_window, qtbot)
        api = window.settings.local_api
        assert api is not None
        qtbot.mouseClick(api.item, Qt.MouseButton.LeftButton)
        dialog = window.settings.dialog
        assert dialog is not None
        qtbot.waitUntil(dialog.isVisible)
        assert dialog.tabs.currentWidget() is dialog.api
        assert browser.opened == []  # nothing is opened by itself

        qtbot.mouseClick(dialog.api.docs, Qt.MouseButton.LeftButton)
    finally:
        QDesktopServices.unsetUrlHandler("http")
    assert browser.opened == [f"http://127.0.0.1:{port}/docs"]
