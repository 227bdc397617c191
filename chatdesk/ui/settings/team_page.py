"""Team: the team server (PostgreSQL) to sync shared threads with, and how sync stands.

The password is typed, never shown and never filled in with the saved one: an empty field keeps
the password in the keyring. "Test connection" lists the teams this login is in (or says what
is wrong) without changing anything; "Save and connect" uses the fields from now on; "Turn off"
forgets the server (the password stays in the keyring). OK saves the fields too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.config import SyncSettings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import mark, ntr, tr
from chatdesk.core.sync.base import Team
from chatdesk.core.views import SyncState
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.notices import Notice, Tone

if TYPE_CHECKING:  # the sync package loads psycopg's types; the window passes a built one
    from chatdesk.core.sync.service import LoginState, TeamSync

TLS_MODES = ("verify-full", "verify-ca", "require", "prefer", "disable")
TLS_HINT = mark(
    "verify-full checks the server's certificate and name: use it for any server on the "
    "network. 'prefer' and 'disable' are only for a server on this machine."
)
STATUS_REFRESH_MS = 1_000
_STATE_WORDS = {
    SyncState.OFF: mark("Off: no team server is set up."),
    # translators: how team sync stands: every change is on the team server
    SyncState.UP_TO_DATE: mark("Up to date"),
    SyncState.SYNCING: mark("Syncing…"),
    # translators: how team sync stands: the team server cannot be reached
    SyncState.OFFLINE: mark("Offline"),
    # translators: how team sync stands: it failed (the reason follows)
    SyncState.ERROR: mark("Error"),
}


def status_line(state: SyncState, detail: str, pending: int, last_sync: datetime | None) -> str:
    """ "Offline — connection refused · 3 changes waiting · last sync 14:02"."""
    word = tr(_STATE_WORDS[state]) if state in _STATE_WORDS else state
    parts = [word + (f" — {detail}" if detail else "")]
    if state != SyncState.OFF:
        parts.append(ntr("{n} change waiting", "{n} changes waiting", pending))
        if last_sync:
            moment = last_sync.astimezone().strftime("%d %b %H:%M")
            parts.append(tr("last sync {moment}", moment=moment))
        else:
            parts.append(tr("last sync never"))
    return " · ".join(parts)


class TeamPage(QWidget):
    login_applied = Signal(object)  # the SyncSettings now in use (to be saved)

    def __init__(
        self,
        team: TeamSync | None,
        settings: SyncSettings,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._team = team
        self._runner = runner
        self._settings = settings  # in use (the last saved)
        self._login: LoginState | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self._server_box())
        layout.addWidget(self._status_box())
        layout.addStretch(1)
        self._show_fields(settings)
        if team is None:
            self.setEnabled(False)
            self.result.say(Tone.WARNING, tr("Team sync is not available in this session."))
            return
        self._timer = QTimer(self)
        self._timer.setInterval(STATUS_REFRESH_MS)
        self._timer.timeout.connect(self.show_status)
        self._timer.start()
        self.show_status()
        self._read_login()

    # -- what the dialog saves -------------------------------------------------------------------

    def sync(self, previous: SyncSettings) -> SyncSettings:
        """`previous` with the fields of this page (applied when the dialog is accepted)."""
        return replace(
            previous,
            host=self.host.text().strip(),
            port=self.port.value(),
            database=self.database.text().strip() or "chatdesk",
            user=self.user.text().strip(),
            sslmode=self.tls.currentText(),
            sslrootcert=self.ca_file.text().strip(),
        )

    def password(self) -> str | None:
        """A newly typed password; None keeps the saved one."""
        return self.password_line.text() or None

    # -- layout ----------------------------------------------------------------------------------

    def _server_box(self) -> QGroupBox:
        box = QGroupBox(tr("Team server"), self)
        self.host = _line(box, "syncHost", tr("Server host"), "team.example.org")
        self.port = QSpinBox(box)
        self.port.setObjectName("syncPort")
        self.port.setAccessibleName(tr("Server port"))
        self.port.setRange(1, 65_535)
        self.database = _line(box, "syncDatabase", tr("Database"), "chatdesk")
        self.user = _line(box, "syncUser", tr("Your login"), "")
        self.password_line = _line(box, "syncPassword", tr("Password"), "")
        self.password_line.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_line.setClearButtonEnabled(True)
        self.password_note = Notice("syncPasswordNote", box)
        self.tls = QComboBox(box)
        self.tls.setObjectName("syncTls")
        self.tls.setAccessibleName(tr("TLS mode"))
        self.tls.addItems(TLS_MODES)
        tls_hint = QLabel(tr(TLS_HINT), box)
        tls_hint.setWordWrap(True)
        tls_hint.setProperty("tone", Tone.INFO.value)
        self.ca_file = _line(box, "syncCaFile", tr("CA certificate file"), "~/.postgresql/root.crt")
        choose = _button(tr("C&hoose…"), "chooseCaFile", box, self._choose_ca_file)
        self.test = _button(tr("&Test connection"), "testConnection", box, self.test_connection)
        self.save = _button(tr("&Save and connect"), "saveConnection", box, self.save_and_connect)
        self.turn_off = _button(tr("Turn &off"), "turnOffSync", box, self.switch_off)
        self.result = Notice("syncResult", box)
        form = QFormLayout()
        port_label = _label(tr("&Port"), self.port, box)
        form.addRow(_label(tr("&Host"), self.host, box), _beside(self.host, port_label, self.port))
        form.addRow(tr("&Database"), self.database)
        form.addRow(tr("&User"), self.user)
        form.addRow(tr("Pass&word"), self.password_line)
        form.addRow("", self.password_note)
        form.addRow(tr("T&LS"), self.tls)
        form.addRow("", tls_hint)
        form.addRow(_label(tr("&CA certificate"), self.ca_file, box), _beside(self.ca_file, choose))
        buttons = QHBoxLayout()
        for button in (self.test, self.save, self.turn_off):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column = QVBoxLayout(box)
        column.addLayout(form)
        column.addLayout(buttons)
        column.addWidget(self.result)
        for field in (self.host, self.user, self.password_line):
            field.textChanged.connect(self._show_password_note)
        self.port.valueChanged.connect(self._show_password_note)
        return box

    def _status_box(self) -> QGroupBox:
        # translators: a group box title (a noun): how syncing with the team server stands
        box = QGroupBox(tr("Sync"), self)
        self.status = QLabel(box)
        self.status.setObjectName("syncState")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        QVBoxLayout(box).addWidget(self.status)
        return box

    def _show_fields(self, settings: SyncSettings) -> None:
        self.host.setText(settings.host)
        self.port.setValue(settings.port)
        self.database.setText(settings.database)
        self.user.setText(settings.user)
        self.tls.setCurrentText(
            settings.sslmode if settings.sslmode in TLS_MODES else "verify-full"
        )
        self.ca_file.setText(settings.sslrootcert)

    # -- state -----------------------------------------------------------------------------------

    def show_status(self) -> None:
        if self._team is not None:
            status = self._team.status  # kept in memory by the engine: no I/O
            self.status.setText(
                status_line(status.state, status.detail, status.pending, status.last_sync)
            )

    def _read_login(self) -> None:
        assert self._team is not None

        def read(login: LoginState) -> None:
            self._login = login
            self._show_password_note()

        self._runner.run(
            self._team.login_state(), done=read, failure=self._failed, quiet=True, owner=self
        )

    def _show_password_note(self) -> None:
        login = self._login
        if self.password_line.text():
            self.password_note.say(Tone.INFO, tr("Saved in the system keyring when you save."))
        elif login is None:
            self.password_note.clear_notice()
        elif login.keyring_reason:
            self.password_note.say(
                Tone.WARNING,
                tr(
                    "A password cannot be saved here: {reason}. PostgreSQL's own "
                    "sources (PGPASSWORD, ~/.pgpass) are used instead.",
                    reason=login.keyring_reason,
                ),
            )
        elif login.has_password and self._same_login(login.settings):
            self.password_note.say(
                Tone.INFO, tr("A password is saved; leave this empty to keep it.")
            )
        else:
            self.password_note.say(Tone.INFO, tr("No password is saved for this login and server."))

    def _same_login(self, saved: SyncSettings) -> bool:
        typed = self.sync(saved)
        return (typed.host, typed.port, typed.user) == (saved.host, saved.port, saved.user)

    # -- actions ---------------------------------------------------------------------------------

    def _choose_ca_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            tr("The team's CA certificate"),
            self.ca_file.text(),
            tr("Certificates ({patterns})", patterns="*.crt *.pem"),
        )
        if chosen:
            self.ca_file.setText(chosen)

    def test_connection(self) -> None:
        if self._team is None:
            return
        settings = self.sync(self._settings)
        if not settings.host or not settings.user:
            self.result.say(Tone.ERROR, tr("Enter the server's host and your login first."))
            return
        self._busy(tr("Connecting to {host}…", host=settings.host))
        call = self._team.test_login(settings, self.password())
        self._runner.run(
            call,
            done=self._tested,
            failure=self._failed,
            settled=self._settled,
            quiet=True,
            owner=self,
        )

    def _tested(self, teams: list[Team]) -> None:
        if not teams:
            self.result.say(
                Tone.WARNING,
                tr(
                    "Connected, but this login is in no team yet: ask the server's administrator "
                    "to add you to one."
                ),
            )
            return
        names = ", ".join(f"{t.name} ({t.role})" for t in teams)
        self.result.say(Tone.SUCCESS, tr("Connected. Your teams: {names}.", names=names))

    def save_and_connect(self) -> None:
        settings = self.sync(self._settings)
        if not settings.host or not settings.user:
            self.result.say(Tone.ERROR, tr("Enter the server's host and your login first."))
            return
        self._apply(settings, tr("Saved. Connecting to {host}…", host=settings.host))

    def switch_off(self) -> None:
        self.host.clear()
        self._apply(replace(self.sync(self._settings), host=""), tr("Team sync is off."))

    def _apply(self, settings: SyncSettings, said: str) -> None:
        if self._team is None:
            return
        password = self.password()

        def applied(_: None) -> None:
            self._settings = settings
            self.password_line.clear()
            self.result.say(Tone.SUCCESS if settings.host else Tone.INFO, said)
            self.login_applied.emit(settings)
            self._read_login()

        self._busy(tr("Saving…"))
        self._runner.run(
            self._team.apply_login(settings, password),
            done=applied,
            failure=self._failed,
            settled=self._settled,
            quiet=True,
            owner=self,
        )

    def _busy(self, text: str) -> None:
        self.result.say(Tone.BUSY, text)
        for button in (self.test, self.save, self.turn_off):
            button.setEnabled(False)

    def _settled(self) -> None:
        for button in (self.test, self.save, self.turn_off):
            button.setEnabled(True)

    def _failed(self, error: ChatdeskError) -> None:
        self.result.say(Tone.ERROR, str(error))


def _line(parent: QWidget, name: str, accessible: str, placeholder: str) -> QLineEdit:
    line = QLineEdit(parent)
    line.setObjectName(name)
    line.setAccessibleName(accessible)
    line.setPlaceholderText(placeholder)
    return line


def _button(text: str, name: str, parent: QWidget, slot: Callable[[], None]) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.clicked.connect(slot)
    return button


def _label(text: str, buddy: QWidget, parent: QWidget) -> QLabel:
    """A form label for a row whose field is a layout (Qt gives those no buddy)."""
    label = QLabel(text, parent)
    label.setBuddy(buddy)
    return label


def _beside(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    for position, widget in enumerate(widgets):
        row.addWidget(widget, 1 if position == 0 else 0)
    return row
