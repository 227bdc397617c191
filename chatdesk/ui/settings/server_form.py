"""The form that adds or edits one MCP server: a command on this computer (stdio) or an address
(Streamable HTTP, or SSE for older servers). Its secret values (a command's environment, an
address's headers) are typed as NAME=value lines and go to the keyring; editing, a name alone
keeps the value stored for it, which is never shown. What is typed is checked as an import is
(`server_from_fields`) before anything is saved; a problem is said in the form, which stays
open with everything typed."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import mark, tr
from chatdesk.core.tools.servers import ServerConfig, Transport, server_from_fields
from chatdesk.ui.settings.notices import Notice, Tone

KINDS = (
    (mark("A command on this computer (stdio)"), Transport.STDIO),
    (mark("An address (Streamable HTTP)"), Transport.HTTP),
    (mark("An address, older servers (HTTP with SSE)"), Transport.SSE),
)


class ServerForm(QDialog):
    def __init__(
        self,
        editing: ServerConfig | None = None,
        taken: frozenset[str] = frozenset(),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.editing = editing
        self._taken = taken  # names of the servers there are
        self.setWindowTitle(
            tr("Edit {name}", name=editing.name) if editing else tr("Add a tool server")
        )
        self.result_config: ServerConfig | None = None
        form = QFormLayout()
        self.name = self._line(tr("Name"), tr("e.g. files (letters, digits, '.', '_', '-')"))
        self.kind = QComboBox(self)
        self.kind.setAccessibleName(tr("Kind of server"))
        for shown, transport in KINDS:
            self.kind.addItem(tr(shown), transport)
        self.command = self._line(tr("Command"), tr("e.g. npx, uvx, or the program's full path"))
        self.args = self._text(
            tr("Arguments"), tr("One argument per line, exactly as the program takes it")
        )
        self.url = self._line(tr("Address"), tr("https://… or http://127.0.0.1:…"))
        self.values = self._text(tr("Secret values"), tr("NAME=value, one per line"))
        self.values_label = QLabel(self)  # its words follow the kind of server
        self.values_label.setBuddy(self.values)
        self.timeout = _timeout_spin(self)
        self.client_id = self._line(
            tr("Client ID"), tr("Only if the server's provider gave you one for sign-in")
        )
        self.client_secret = self._line(tr("Client secret"), tr("Kept in your system keyring"))
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self._form = form
        self._lay_out(form)
        self.kind.currentIndexChanged.connect(lambda _: self._kind_changed())
        if editing is not None:
            self._fill(editing)
        self._kind_changed()
        self.resize(560, 460)

    def _lay_out(self, form: QFormLayout) -> None:
        """The fields in the form, the hint and the problem under it, then the buttons."""
        for label, widget in (
            (tr("&Name:"), self.name),
            (tr("&Kind:"), self.kind),
            (tr("&Command:"), self.command),
            (tr("&Arguments:"), self.args),
            (tr("A&ddress:"), self.url),
            ("", self.values),
            (tr("&Time limit:"), self.timeout),
            (tr("Client &ID:"), self.client_id),
            (tr("Client &secret:"), self.client_secret),
        ):
            if widget is self.values:
                form.addRow(self.values_label, widget)
            else:
                form.addRow(label, widget)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setObjectName("formHint")
        self.problem = Notice("serverFormProblem", self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.check_and_accept)
        buttons.rejected.connect(self.reject)
        self.save = buttons.button(QDialogButtonBox.StandardButton.Save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        line = QLineEdit(self)
        line.setAccessibleName(name)
        line.setPlaceholderText(placeholder)
        return line

    def _text(self, name: str, placeholder: str) -> QPlainTextEdit:
        text = QPlainTextEdit(self)
        text.setAccessibleName(name)
        text.setPlaceholderText(placeholder)
        text.setTabChangesFocus(True)
        text.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        return text

    def _fill(self, server: ServerConfig) -> None:
        self.name.setText(server.name)
        self.name.setReadOnly(True)  # a server is renamed by removing it and adding it again
        self.kind.setCurrentIndex(max(self.kind.findData(server.transport), 0))
        self.command.setText(server.command)
        self.args.setPlainText("\n".join(server.args))
        self.url.setText(server.url)
        self.values.setPlainText("\n".join((*server.env_names, *server.header_names)))
        self.timeout.setValue(server.timeout or 0)
        self.client_id.setText(server.client_id)
        self.client_secret.setPlaceholderText(tr("Empty: the one kept stays"))

    def _transport(self) -> Transport:
        return Transport(self.kind.currentData())

    def _kind_changed(self) -> None:
        stdio = self._transport() is Transport.STDIO
        # Only the kind's own fields are shown (and taken): a command's, or an address's.
        for widget, own in (
            (self.command, stdio),
            (self.args, stdio),
            (self.url, not stdio),
            (self.client_id, not stdio),
            (self.client_secret, not stdio),
        ):
            widget.setEnabled(own)
            self._form.setRowVisible(widget, own)
        if stdio:
            self.values_label.setText(tr("Secr&et environment:"))
            self.values.setAccessibleName(tr("Secret environment"))
            sentences = [
                tr(
                    "Secret environment variables go to your system keyring, never to the tools "
                    "file or a log."
                ),
                tr(
                    "The command starts on your computer with only these variables and what it "
                    "needs to run."
                ),
            ]
        else:
            self.values_label.setText(tr("Secr&et headers:"))
            self.values.setAccessibleName(tr("Secret headers"))
            sentences = [
                tr("Secret headers go to your system keyring, never to the tools file or a log."),
                tr("They are sent to this address only."),
                tr(
                    "A server that asks for sign-in opens your browser once you press Sign in; "
                    "a client ID is needed only where the server does not register chatdesk "
                    "itself."
                ),
            ]
        if self.editing:
            sentences.insert(1, tr("A name alone keeps the value stored for it."))
        self.hint.setText(" ".join(sentences))

    def check_and_accept(self) -> None:
        """Save when what is typed makes a server; otherwise say why and keep it all."""
        try:
            values, kept = _named_values(self.values.toPlainText())
            args = [line for line in self.args.toPlainText().splitlines() if line.strip()]
            self.result_config = server_from_fields(
                self.name.text(),
                self._transport(),
                command=self.command.text(),
                args=args,
                url=self.url.text(),
                values=values,
                kept=kept if self.editing else (),
                timeout=self.timeout.value() or None,
                client_id=self.client_id.text() if self._transport() is not Transport.STDIO else "",
            )
        except InvalidRequest as error:
            said = str(error)
            self.problem.say(Tone.ERROR, said[:1].upper() + said[1:])
            return
        if self.editing is None and kept:
            self.problem.say(Tone.ERROR, tr("Give {name} a value: {name}=…", name=kept[0]))
            return
        if self.editing is None and self.result_config.name in self._taken:
            self.problem.say(
                Tone.ERROR, tr("There is a server named {name}.", name=self.result_config.name)
            )
            return
        self.accept()


def _named_values(text: str) -> tuple[dict[str, str], list[str]]:
    """NAME=value lines: the values typed, and the names given alone."""
    values: dict[str, str] = {}
    kept: list[str] = []
    for line in text.splitlines():
        name, equals, value = line.strip().partition("=")
        name = name.strip()
        if not name:
            continue
        if not name.replace("_", "").replace("-", "").isalnum():
            raise InvalidRequest(
                tr("{name} is not a name: one NAME=value per line", name=repr(name))
            )
        if equals:
            values[name] = value.strip()
        else:
            kept.append(name)
    return values, kept


def _timeout_spin(parent: QWidget) -> QDoubleSpinBox:
    """A server's call time limit in seconds; 0: the tools setting's."""
    spin = QDoubleSpinBox(parent)
    spin.setAccessibleName(tr("Call time limit in seconds"))
    spin.setRange(0, 3600)
    spin.setDecimals(0)
    # translators: a server's time limit when none is set: the one in the tools settings
    spin.setSpecialValueText(tr("the tools setting"))
    # translators: after a number of seconds in a spin box, with its leading space
    spin.setSuffix(tr(" s"))
    return spin
