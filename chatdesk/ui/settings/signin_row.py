"""The sign-in line of a remote tool server in Preferences ▸ Tools: "Signed in as …" with Sign
out, or Sign in…, which opens the browser and waits for it (through `Runner`; Cancel gives up).
While it waits, the address opened is shown too, as plain text to copy, for when no browser
opened. Who signed in is the server's word: shown as plain text, never as markup."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import tr
from chatdesk.core.tools.servers import ServerConfig, Transport
from chatdesk.core.tools.signin import SignInState, SignInStatus
from chatdesk.core.tools.signout import SignedOut
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.notices import Notice, Tone

if TYPE_CHECKING:
    from chatdesk.core.errors import ChatdeskError
    from chatdesk.core.tools.service import Tools


class SignInRow(QWidget):
    def __init__(self, tools: Tools | None, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInRow")
        self._tools = tools
        self._runner = runner
        self._server: str | None = None
        self._signed_in = False
        self._waiting: asyncio.Task[Any] | None = None
        self._sign_in_next: str | None = None  # a server whose sign-in starts once it is known
        self.line = QLabel(self)
        self.line.setObjectName("signInLine")
        self.line.setTextFormat(Qt.TextFormat.PlainText)
        self.button = QPushButton(self)
        self.button.clicked.connect(lambda: self._pressed())
        # The address opened, in one line to select and copy (a line edit shows text as it is).
        self.address = QWidget(self)
        self.address_label = QLabel(tr("If no browser opened, go to:"), self.address)
        self.address_text = QLineEdit(self.address)
        self.address_text.setReadOnly(True)
        self.address_text.setAccessibleName(tr("The sign-in address"))
        self.address_label.setBuddy(self.address_text)
        under = QVBoxLayout(self.address)
        under.setContentsMargins(0, 0, 0, 0)
        under.addWidget(self.address_label)
        under.addWidget(self.address_text)
        self.address.hide()
        self.problem = Notice("signInProblem", self)
        beside = QHBoxLayout()
        beside.setContentsMargins(0, 0, 0, 0)
        beside.addWidget(self.line, 1)
        beside.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(beside)
        layout.addWidget(self.address)
        layout.addWidget(self.problem)
        self.hide()

    def show_server(self, server: ServerConfig | None) -> None:
        """The line of `server` (hidden for none, or one on this computer)."""
        if self._waiting is not None and not self._waiting.done():
            return  # a sign-in is under way: it ends first
        remote = server is not None and server.transport is not Transport.STDIO
        self.setVisible(remote and self._tools is not None)
        if not remote or self._tools is None or server is None:
            self._server = None
            return
        self._server = server.name
        self.problem.clear_notice()
        self.address.hide()
        self.line.setText(tr("Checking the sign-in…"))
        self.button.setEnabled(False)
        self._runner.run(
            self._tools.signin.described(server.name), done=self._show, owner=self, quiet=True
        )

    def sign_in_once_shown(self, server: str) -> None:
        """Start `server`'s sign-in as soon as its state is known, unless it is signed in."""
        self._sign_in_next = server

    def _show(self, status: SignInStatus) -> None:
        if status.server != self._server:
            return
        self._signed_in = status.state is SignInState.SIGNED_IN
        self.line.setText(status.line)
        self.button.setText(tr("Sign &out") if self._signed_in else tr("Si&gn in…"))
        self.button.setToolTip(
            tr("Forget the tokens of this server")
            if self._signed_in
            else tr("Open the browser to sign in to this server")
        )
        self.button.setEnabled(True)
        if self._sign_in_next == status.server:
            self._sign_in_next = None
            if not self._signed_in:
                self._pressed()

    def _pressed(self) -> None:
        if self._tools is None or self._server is None:
            return
        if self._waiting is not None and not self._waiting.done():
            self._waiting.cancel()
            return
        name = self._server
        self.problem.clear_notice()
        if self._signed_in:
            call = self._tools.signin.logout(name)
            self._runner.run(call, done=self._signed_out, owner=self)
            return
        self.line.setText(tr("Waiting for the browser to come back…"))
        # translators: stop waiting for the browser (no shortcut: Check has C)
        self.button.setText(tr("Cancel"))
        self._waiting = self._runner.run(
            self._tools.signin.login(name, self._opened),
            done=self._show,
            failure=self._failed,
            settled=self._settled,
            owner=self,
        )

    def _opened(self, url: str) -> None:
        self.address_text.setText(url)
        self.address_text.setCursorPosition(0)
        self.address.show()

    def _signed_out(self, done: SignedOut) -> None:
        self._recheck()
        if done.unrevoked:  # the tokens are forgotten here, but may still be valid there
            self.problem.say(Tone.WARNING, done.line)

    def _failed(self, error: ChatdeskError) -> None:
        self.problem.say(Tone.ERROR, str(error))

    def _settled(self) -> None:
        self.address.hide()
        self._waiting = None
        self._recheck()

    def _recheck(self) -> None:
        if self._tools is not None and self._server is not None:
            self.show_server(self._tools.server(self._server))


async def save_server(
    tools: Tools, config: ServerConfig, *, replace: bool, client_secret: str
) -> list[str]:
    """Add or change a server from its form, then keep its client secret when one was typed."""
    notes = await tools.add_server(config, replace=replace)
    if client_secret and config.transport is not Transport.STDIO:
        await tools.signin.keep_client_secret(config.name, client_secret)
    return notes
