"""What a `chatdesk:` link or a file handed over from outside does in the window.

A link is read by the core (chatdesk/core/trust/app_links.py): a new chat gets its prompt in
the composer, never sent (the user reads it and presses Enter), answered by the assistant of
that name when there is one; an open link shows its chat. What is refused, or not found, is
said in the status bar. A file is imported as File ▸ Import does, after the user agreed to it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr

if TYPE_CHECKING:
    from chatdesk.core.assistants.model import AssistantView
    from chatdesk.core.service import ChatService
    from chatdesk.core.trust.app_links import NewChat
    from chatdesk.core.views import ThreadView
    from chatdesk.ui.main_window import MainWindow

log = logging.getLogger("chatdesk.desktop")
SAID_MS = 15_000  # how long the status bar says what became of a link
DRAFT_WAIT_MS = 20  # between looks at whether the new chat's stored draft is shown
DRAFT_WAIT_TURNS = 500  # then the prompt is typed anyway


def follow_link(window: MainWindow, service: ChatService, url: str) -> None:
    """Do what the `chatdesk:` link `url` asks, or say in the status bar why not."""
    from chatdesk.core.trust.app_links import LinkRefused, NewChat, parse_app_link

    try:
        link = parse_app_link(url)
    except LinkRefused as refused:
        log.info("a link was refused: %s", refused.reason)
        _say(window, str(refused))
        return
    window.connecting.close()  # the first start's Connect a model page: the link's chat instead
    if isinstance(link, NewChat):
        _new_chat(window, service, link)
        return

    def shown(thread: ThreadView) -> None:
        log.info("a link showed a chat")
        window.show_thread(thread.id)

    def missing(error: ChatdeskError) -> None:
        log.info("a link named a chat that is not here")
        _say(window, tr("The link names a chat that is not here: {reason}", reason=error))

    window.runner.run(service.get_thread(link.thread), done=shown, failure=missing, quiet=True)


def _new_chat(window: MainWindow, service: ChatService, link: NewChat) -> None:
    """A new chat with the link's prompt typed in (the stored draft of the new chat, if any,
    kept before it), and its assistant chosen."""
    window.new_chat()
    if link.prompt:
        _type_once_shown(window, link.prompt, DRAFT_WAIT_TURNS)
    log.info("a link opened a new chat")
    if link.assistant is None:
        return
    wanted = link.assistant

    def choose(found: list[AssistantView]) -> None:
        match = next((a for a in found if a.name.casefold() == wanted.casefold()), None)
        if match is None:
            _say(window, tr("No assistant is called “{name}”: the new chat has none.", name=wanted))
        elif window.current_thread_id is None:  # still the new chat
            window.models.assistants.choose(match.id.hex)

    window.runner.run(service.assistants.list(), done=choose, quiet=True)


def _type_prompt_later(window: MainWindow, prompt: str, turns: int) -> None:
    QTimer.singleShot(DRAFT_WAIT_MS, window, lambda: _type_once_shown(window, prompt, turns - 1))


def _type_once_shown(window: MainWindow, prompt: str, turns: int) -> None:
    """Type `prompt` after the new chat's stored draft, once the composer shows that (so it is
    saved as the user's typing is, and nothing they had written is lost)."""
    if window.current_thread_id is not None:  # the user went elsewhere meanwhile
        return
    if not window.drafts.shown and turns > 0:
        _type_prompt_later(window, prompt, turns)
        return
    typed = window.composer.text()
    window.composer.start_with(f"{typed}\n{prompt}" if typed.strip() else prompt)


def offer_import(window: MainWindow, path: Path) -> None:
    """Ask whether to import the chats in `path`; import them as File ▸ Import does."""
    actions = window.on_demand.transfer_actions()
    if actions is None:
        return
    if not path.is_file():
        _say(window, tr("There is no file {path} to import.", path=path))
        return
    box = QMessageBox(
        QMessageBox.Icon.Question,
        tr("Import chats"),
        tr("Import the chats in {file}?", file=path.name),
        QMessageBox.StandardButton.Cancel,
        window,
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setInformativeText(str(path))
    accept = box.addButton(tr("&Import"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(accept)

    def answered() -> None:
        if box.clickedButton() is accept:
            log.info("a file handed over is being imported")
            actions.import_from(path)

    box.finished.connect(answered)
    box.open()


def _say(window: MainWindow, text: str) -> None:
    window.statusBar().showMessage(text, SAID_MS)
