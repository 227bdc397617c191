"""Team: the team server (PostgreSQL) to sync shared threads with, and how sync stands.

The password is typed, never shown and never filled in with the saved one: an empty field keeps
the password in the keyring. "Test connection" lists the teams this login is in (or says what
is wrong) without changing anything; "Save and connect" uses the fields from now on; "Turn off"
forgets the server (the password stays in the keyring). The login is used from Join only: the
preferences' other settings apply as they change, but this one connects to a server.
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
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.config import SyncSettings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import mark, ntr, tr
from chatdesk.core.sync.address import DEFAULT_PORT, TLS_MODES, address_of, parse_address
from chatdesk.core.sync.service import Team
from chatdesk.core.views import SyncState
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.folded_notice import FoldedNotice
from chatdesk.ui.settings.notices import Notice, Tone
from chatdesk.ui.settings.sections import scroll_page

if TYPE_CHECKING:  # the sync package loads psycopg's types; the window passes a built one
    from chatdesk.core.sync.service import LoginState, TeamSync

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
        self._filling = False  # the fields are being filled from the address typed
        inner = QWidget(self)
        layout = QVBoxLayout(inner)
        self.join_box = self._join_box()
        layout.addWidget(self.join_box)
        layout.addWidget(self._status_box())
        layout.addStretch(1)
        scroll_page(self, inner, "teamScroll")  # Advanced unfolded may be taller than the dialog
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
        """`previous` with the fields of this page (used once Join is pressed)."""
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

    def _join_box(self) -> QGroupBox:
        box = QGroupBox(tr("Join a team"), self)
        intro = QLabel(
            tr(
                "Chats you share with a team are kept on the team's server. Type the address "
                "and the login your team's administrator gave you."
            ),
            box,
        )
        intro.setWordWrap(True)
        self.address = _line(
            box, "syncAddress", tr("Team address"), "postgresql://you@team.example.org/chatdesk"
        )
        self.address.textEdited.connect(self._address_typed)
        self.address.editingFinished.connect(self._address_left)
        self.user = _line(box, "syncUser", tr("Your login"), "")
        self.password_line = _line(box, "syncPassword", tr("Password"), "")
        self.password_line.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_line.setClearButtonEnabled(True)
        self.password_note = Notice("syncPasswordNote", box)
        self.keyring_note = FoldedNotice("syncKeyringNote", box)
        self.test = _button(tr("Test co&nnection"), "testConnection", box, self.test_connection)
        # translators: the button that saves the team server's details and connects to it
        self.save = _button(tr("&Join"), "saveConnection", box, self.save_and_connect)
        self.turn_off = _button(tr("Turn o&ff"), "turnOffSync", box, self.switch_off)
        self.result = Notice("syncResult", box)
        form = QFormLayout()
        form.addRow(tr("Add&ress"), self.address)
        form.addRow(tr("Us&er"), self.user)
        form.addRow(tr("Pass&word"), self.password_line)
        form.addRow("", self.password_note)
        form.addRow("", self.keyring_note)
        buttons = QHBoxLayout()
        for button in (self.save, self.test, self.turn_off):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column = QVBoxLayout(box)
        column.addWidget(intro)
        column.addLayout(form)
        column.addWidget(self._advanced(box))
        column.addLayout(buttons)
        column.addWidget(self.result)
        for field in (self.host, self.user, self.password_line):
            field.textChanged.connect(self._show_password_note)
        self.port.valueChanged.connect(self._show_password_note)
        return box

    def _advanced(self, box: QWidget) -> QWidget:
        """The server's own fields, folded under "Advanced" until asked for."""
        self.advanced_button = QToolButton(box)
        self.advanced_button.setObjectName("syncAdvanced")
        # translators: a fold that shows the team server's host, port, database and TLS
        self.advanced_button.setText(tr("Ad&vanced"))
        self.advanced_button.setAccessibleName(tr("Advanced server settings"))
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_button.setCheckable(True)
        self.advanced_button.setAutoRaise(True)
        self.advanced = QWidget(box)
        self.advanced.setObjectName("syncAdvancedFields")
        self.host = _line(self.advanced, "syncHost", tr("Server host"), "team.example.org")
        self.port = QSpinBox(self.advanced)
        self.port.setObjectName("syncPort")
        self.port.setAccessibleName(tr("Server port"))
        self.port.setRange(1, 65_535)
        self.database = _line(self.advanced, "syncDatabase", tr("Database"), "chatdesk")
        self.tls = QComboBox(self.advanced)
        self.tls.setObjectName("syncTls")
        self.tls.setAccessibleName(tr("TLS mode"))
        self.tls.addItems(TLS_MODES)
        tls_hint = QLabel(tr(TLS_HINT), self.advanced)
        tls_hint.setWordWrap(True)
        tls_hint.setProperty("tone", Tone.INFO.value)
        self.ca_file = _line(
            self.advanced, "syncCaFile", tr("CA certificate file"), "~/.postgresql/root.crt"
        )
        choose = _button(tr("&Choose…"), "chooseCaFile", self.advanced, self._choose_ca_file)
        form = QFormLayout(self.advanced)
        form.setContentsMargins(0, 0, 0, 0)
        # No Alt+letter for the host and the port: each of their letters is taken by a
        # section or another field; the fold's Alt+V and Tab reach them.
        port_label = _label(tr("Port"), self.port, self.advanced)
        host_label = _label(tr("Host"), self.host, self.advanced)
        form.addRow(host_label, _beside(self.host, port_label, self.port))
        form.addRow(tr("Data&base"), self.database)
        form.addRow(tr("T&LS"), self.tls)
        form.addRow("", tls_hint)
        ca_label = _label(tr("CA cert&ificate"), self.ca_file, self.advanced)
        form.addRow(ca_label, _beside(self.ca_file, choose))
        for field in (self.host, self.database, self.user):
            field.textEdited.connect(self._show_address)
        self.port.valueChanged.connect(self._show_address)
        self.advanced_button.toggled.connect(self.fold)
        self.fold(False)
        holder = QWidget(box)
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.advanced_button, 0, Qt.AlignmentFlag.AlignLeading)
        column.addWidget(self.advanced)
        return holder

    def fold(self, unfolded: bool) -> None:
        """Show or hide the server's own fields."""
        if self.advanced_button.isChecked() != unfolded:
            self.advanced_button.setChecked(unfolded)  # comes back here through toggled
            return
        folded = Qt.ArrowType.LeftArrow if self.isRightToLeft() else Qt.ArrowType.RightArrow
        arrow = Qt.ArrowType.DownArrow if unfolded else folded  # folded: towards the text
        self.advanced_button.setArrowType(arrow)
        self.advanced.setVisible(unfolded)

    def reveal(self, widget: QWidget) -> None:
        """Unfold Advanced when `widget`, found by a search of the settings, is in it."""
        if self.advanced.isAncestorOf(widget):
            self.fold(True)

    def _address_typed(self, text: str) -> None:
        """Fill the fields the address names, as soon as it can be read."""
        try:
            found = parse_address(text)
        except ChatdeskError:
            return  # half typed, perhaps: said when the field is left
        self.result.clear_notice()
        self._filling = True
        self.host.setText(found.host)
        self.port.setValue(found.port or DEFAULT_PORT)
        self.database.setText(found.database or "chatdesk")
        for value, field in ((found.user, self.user), (found.password, self.password_line)):
            if value is not None:
                field.setText(value)
        if found.sslmode is not None:
            self.tls.setCurrentText(found.sslmode)
        if found.sslrootcert is not None:
            self.ca_file.setText(found.sslrootcert)
        self._filling = False

    def _address_left(self) -> None:
        """An address that cannot be read says why, and the fields it fills unfold."""
        text = self.address.text()
        try:
            parse_address(text)
        except ChatdeskError as error:
            if text.strip():
                self.result.say(Tone.ERROR, str(error))
                self.fold(True)

    def _show_address(self) -> None:
        """The address the fields make, unless they are being filled from it."""
        if not self._filling:
            self.address.setText(
                address_of(
                    self.host.text().strip(),
                    self.port.value(),
                    self.database.text().strip() or "chatdesk",
                    self.user.text().strip(),
                )
            )

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
        self._show_address()
        custom = settings.sslrootcert or settings.sslmode != "verify-full"
        self.fold(bool(custom))  # what the address cannot say is in sight

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
        self.keyring_note.hide()
        if self.password_line.text():
            self.password_note.say(Tone.INFO, tr("Saved in the system keyring when you save."))
        elif login is None:
            self.password_note.clear_notice()
        elif login.keyring_reason:
            self.password_note.clear_notice()
            self.keyring_note.say(
                tr("No keyring here: the password is not saved."),
                tr(
                    "A password cannot be saved here: {reason}. PostgreSQL's own "
                    "sources (PGPASSWORD, ~/.pgpass) are used instead.",
                    reason=login.keyring_reason,
                ),
            )
            return
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
        self.address.clear()
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
