"""Local API: chatdesk's chats for the user's other programs (docs/local-api.md).

Switching it on, its port, the network, the web pages allowed and the rate limit apply as they
change, like the other sections' settings: the window starts, restarts or stops the server
(`chatdesk/ui/window/local_api.py`) and this page says how it stands. The key is made on the
first switch on and kept in the keyring; it is shown masked until Show, copied by Copy, and
replaced by Rotate after a question (programs using the old one are refused from then on). A
key set by CHATDESK_API_KEY is that variable's to change. The snippets are filled with the
address, the default model and the key, masked on screen and real when copied; the docs open
in the browser only when asked.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.api_keys import VARIABLE
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.settings_outside import NETWORK_RATE_LIMIT
from chatdesk.ui.settings.api_snippets import SNIPPETS, snippet
from chatdesk.ui.settings.api_state import ApiState, ServedApi, Serving
from chatdesk.ui.settings.notices import Notice, Tone
from chatdesk.ui.settings.sections import scroll_page

if TYPE_CHECKING:
    from chatdesk.core.config import ApiSettings

LOOPBACK = "127.0.0.1"


class ApiPage(QWidget):
    def __init__(
        self, api: ApiSettings, served: ServedApi | None, model: str, parent: QWidget | None = None
    ) -> None:
        """`served`: the API the window serves (None: this session has none to manage);
        `model`: the one the snippets name, as provider/model."""
        super().__init__(parent)
        self._served = served
        self._model = model
        inner = QWidget(self)
        layout = QVBoxLayout(inner)
        layout.addWidget(self._server_box(api))
        layout.addWidget(self._key_box())
        layout.addWidget(self._snippets_box())
        layout.addStretch(1)
        scroll_page(self, inner, "apiScroll")  # the network's warning makes it taller
        self.lan.toggled.connect(self._show_lan_warning)
        self.port.valueChanged.connect(lambda _=0: self._show_snippet())
        self._show_lan_warning(api.lan)
        if served is not None:
            served.follow(self._show_served)
            served.read_key()
        else:
            self.enabled.setEnabled(False)
        self._show_served()

    # -- the parts -------------------------------------------------------------------------------

    def _server_box(self, api: ApiSettings) -> QGroupBox:
        box = QGroupBox(tr("Server"), self)
        self.enabled = QCheckBox(tr("S&erve the local API while chatdesk is open"), box)
        self.enabled.setObjectName("apiEnabled")
        self.enabled.setChecked(api.enabled)
        self.enabled.setToolTip(
            tr("Other programs on this computer can then use your models and chats with the key.")
        )
        self.state = Notice("apiState", box)
        self.state.setAccessibleName(tr("State of the local API"))
        self.port = QSpinBox(box)
        self.port.setObjectName("apiPort")
        self.port.setRange(1, 65_535)
        self.port.setValue(api.port)
        self.port.setAccessibleName(tr("Port"))
        self.lan = QCheckBox(tr("Allow other computers on the &network"), box)
        self.lan.setObjectName("apiLan")
        self.lan.setChecked(api.lan)
        self.lan_warning = Notice("apiLanWarning", box)
        self.origins = QLineEdit(api.allowed_origins, box)
        self.origins.setObjectName("apiOrigins")
        self.origins.setPlaceholderText("http://localhost:3000")
        self.origins.setAccessibleName(tr("Web pages allowed"))
        self.origins.setToolTip(
            tr("Web pages that may call the API from a browser, separated by spaces; none: empty.")
        )
        self.rate = QSpinBox(box)
        self.rate.setObjectName("apiRateLimit")
        self.rate.setRange(0, 100_000)
        self.rate.setSpecialValueText(tr("Automatic"))
        self.rate.setValue(api.rate_limit)
        self.rate.setToolTip(
            tr(
                "Automatic: no limit for programs on this computer, {n} requests a minute from "
                "other computers. A number: the limit for every program.",
                n=NETWORK_RATE_LIMIT,
            )
        )
        self.rate.setAccessibleName(tr("Requests per minute"))
        form = QFormLayout(box)
        form.addRow(self.enabled)
        form.addRow(self.state)
        form.addRow(tr("Port:"), self.port)
        form.addRow(self.lan)
        form.addRow(self.lan_warning)
        form.addRow(_label(tr("Web pa&ges allowed:"), self.origins, box), self.origins)
        form.addRow(_label(tr("Requests per &minute:"), self.rate, box), self.rate)
        return box

    def _key_box(self) -> QGroupBox:
        box = QGroupBox(tr("Key"), self)
        self.key = QLineEdit(box)
        self.key.setObjectName("apiKey")
        self.key.setReadOnly(True)
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setAccessibleName(tr("The local API's key"))
        self.show_key = QPushButton(tr("Sho&w"), box)
        self.show_key.setObjectName("apiShowKey")
        self.show_key.setCheckable(True)
        self.show_key.setAccessibleName(tr("Show the key"))
        self.copy_key = QPushButton(tr("&Copy"), box)
        self.copy_key.setObjectName("apiCopyKey")
        self.copy_key.setAccessibleName(tr("Copy the key"))
        self.rotate = QPushButton(tr("&Rotate…"), box)
        self.rotate.setObjectName("apiRotateKey")
        self.rotate.setAccessibleName(tr("Rotate the key"))
        self.key_note = Notice("apiKeyNote", box)
        self.show_key.toggled.connect(self._show_key_text)
        self.copy_key.clicked.connect(self._copy_key)
        self.rotate.clicked.connect(self._ask_rotate)
        row = QHBoxLayout()
        row.addWidget(self.key, 1)
        for button in (self.show_key, self.copy_key, self.rotate):
            row.addWidget(button)
        layout = QVBoxLayout(box)
        layout.addLayout(row)
        layout.addWidget(self.key_note)
        return box

    def _snippets_box(self) -> QGroupBox:
        box = QGroupBox(tr("Use it from another program"), self)
        self.client = QComboBox(box)
        self.client.setObjectName("apiClient")
        self.client.addItems(list(SNIPPETS))
        self.client.setAccessibleName(tr("Program"))
        self.snippet = QPlainTextEdit(box)
        self.snippet.setObjectName("apiSnippet")
        self.snippet.setReadOnly(True)
        self.snippet.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.snippet.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.snippet.setAccessibleName(tr("Snippet"))
        self.snippet.setMinimumHeight(self.snippet.fontMetrics().lineSpacing() * 8)
        self.copy_snippet = QPushButton(tr("Cop&y snippet"), box)
        self.copy_snippet.setObjectName("apiCopySnippet")
        self.copy_snippet.setToolTip(tr("Copied with the real key."))
        self.docs = QPushButton(tr("Open the docs in the &browser"), box)
        self.docs.setObjectName("apiDocs")
        self.docs.setToolTip(tr("Your browser asks for a password: give the key (any user name)."))
        self.client.currentIndexChanged.connect(lambda _=0: self._show_snippet())
        self.copy_snippet.clicked.connect(self._copy_snippet)
        self.docs.clicked.connect(self._open_docs)
        top = QHBoxLayout()
        top.addWidget(_label(tr("&For:"), self.client, box))
        top.addWidget(self.client, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_snippet)
        buttons.addStretch(1)
        buttons.addWidget(self.docs)
        layout = QVBoxLayout(box)
        layout.addLayout(top)
        layout.addWidget(self.snippet)
        layout.addLayout(buttons)
        return box

    # -- what it shows ---------------------------------------------------------------------------

    def controls(self) -> list[QWidget]:
        """The settings that apply as they change (the preferences watch them)."""
        return [self.enabled, self.port, self.lan, self.origins, self.rate]

    def api(self, base: ApiSettings) -> ApiSettings:
        return replace(
            base,
            enabled=self.enabled.isChecked(),
            port=self.port.value(),
            lan=self.lan.isChecked(),
            allowed_origins=" ".join(self.origins.text().split()),
            rate_limit=self.rate.value(),
        )

    def address(self) -> str:
        """Where it runs, or where it will once on."""
        state = self._state()
        if state.serving is Serving.RUNNING:
            return state.address
        return f"http://{LOOPBACK}:{self.port.value()}"

    def _state(self) -> ApiState:
        return self._served.state if self._served is not None else ApiState()

    def _current_key(self) -> str | None:
        return self._served.key if self._served is not None else None

    def _show_served(self) -> None:
        state = self._state()
        if state.serving is Serving.RUNNING and state.lan:
            said = tr(
                "Running at {address}, and for other computers at this computer's network address",
                address=state.address,
            )
            self.state.say(Tone.SUCCESS, said)
        elif state.serving is Serving.RUNNING:
            self.state.say(Tone.SUCCESS, tr("Running at {address}", address=state.address))
        elif state.serving is Serving.STARTING:
            self.state.say(Tone.BUSY, tr("Starting…"))
        elif state.serving is Serving.FAILED:
            self.state.say(Tone.ERROR, state.error)
        elif self._served is None:
            self.state.say(Tone.INFO, tr("This session has no local API to manage."))
        else:
            # translators: the local API's state: not serving
            self.state.say(Tone.INFO, tr("Off"))
        self.docs.setEnabled(state.serving is Serving.RUNNING)
        self._show_key()
        self._show_snippet()

    def _show_key(self) -> None:
        key = self._current_key()
        self.key.setText(key or "")
        self.key.setCursorPosition(0)  # its beginning in sight, once shown
        self.key.setPlaceholderText("" if key else tr("Made when you first switch it on"))
        for button in (self.show_key, self.copy_key):
            button.setEnabled(key is not None)
        from_environment = self._served is not None and self._served.from_environment
        rotatable = self._served is not None and key is not None and not from_environment
        self.rotate.setEnabled(rotatable)
        if from_environment:
            said = tr("Set by {variable} in the environment; change it there.", variable=VARIABLE)
            self.key_note.say(Tone.INFO, said)
            self.rotate.setToolTip(said)
        else:
            kept = tr("Kept in the system keyring.") if key else ""  # none made yet: nothing
            self.key_note.say(Tone.INFO, kept)
            self.rotate.setToolTip(tr("A new key: programs using this one stop working."))

    def _show_key_text(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.key.setEchoMode(mode)

    def _show_lan_warning(self, on: bool) -> None:
        if on:
            warning = tr(
                "Other computers on your network can reach the API: anyone with the key can "
                "use your models and read and change your chats. Use it only on a network "
                "you trust."
            )
            self.lan_warning.say(Tone.WARNING, warning)
        else:
            self.lan_warning.clear_notice()

    def _show_snippet(self) -> None:
        client = self.client.currentText()
        text = snippet(client, self.address(), self._model, self._current_key(), shown=True)
        self.snippet.setPlainText(text)

    # -- what it does ----------------------------------------------------------------------------

    def _copy_key(self) -> None:
        key = self._current_key()
        if key:
            _clipboard(key)
            self.key_note.say(Tone.SUCCESS, tr("The key is copied."))

    def _copy_snippet(self) -> None:
        client = self.client.currentText()
        _clipboard(snippet(client, self.address(), self._model, self._current_key(), shown=False))

    def _open_docs(self) -> None:
        QDesktopServices.openUrl(QUrl(self.address() + "/docs"))

    def _ask_rotate(self) -> None:
        from chatdesk.ui.questions import ask

        box = ask(
            self,
            tr("Rotate the key"),
            tr("Make a new key for the local API?"),
            tr("Programs using the old key stop working until they are given the new one."),
            tr("Rotate"),
            self._rotate,
        )
        box.setObjectName("confirmRotate")

    def _rotate(self) -> None:
        if self._served is not None:
            self._served.rotate(self._rotation_failed)

    def _rotation_failed(self, error: ChatdeskError) -> None:
        self.key_note.say(Tone.ERROR, str(error))


def _label(text: str, buddy: QWidget, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setBuddy(buddy)
    return label


def _clipboard(text: str) -> None:
    clipboard = QGuiApplication.clipboard()
    clipboard.setText(text)
