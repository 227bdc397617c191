"""Tools: chatdesk's own tools and the MCP servers, each with who decides that its calls run.

Add and Edit open a form for one server (`server_form.py`): a command, or an address. Import
takes the `mcpServers` JSON of Claude Desktop, Cursor or VS Code, pasted as it is (a
server of the same name is replaced; `env` and `headers` values go to the keyring). An imported
command does not start until the user has seen it here and pressed "Allow to start". Test starts
a server and lists its tools; a tool unticked there is never offered to the model. A server
can be switched off, and removed (with its secrets and its policies). Every change is saved to
the tools file at once and takes effect live.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import mark, ntr, tr
from chatdesk.core.tools.model import BUILT_IN, Policy
from chatdesk.core.tools.servers import ReadServers, ServerConfig, Transport
from chatdesk.ui.flow_layout import FlowLayout
from chatdesk.ui.plain_text import plain_tip
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.first_step import FirstStep
from chatdesk.ui.settings.notices import Notice, Tone
from chatdesk.ui.settings.server_form import ServerForm
from chatdesk.ui.settings.signin_row import SignInRow, save_server

if TYPE_CHECKING:
    from chatdesk.core.tools.model import ToolInfo
    from chatdesk.core.tools.service import Tools

NAME_ROLE = Qt.ItemDataRole.UserRole
# Who decides that a server's tool calls run (the Calls column and the Calls: menu).
POLICIES = (
    (mark("Ask me"), "ask"),
    # translators: a tool server's calls run without asking
    (mark("Allow"), "allow"),
    # translators: a tool server's calls never run
    (mark("Deny"), "deny"),
)


class ImportDialog(QDialog):
    """Where an `mcpServers` block is pasted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Import tool servers"))
        self.text = QPlainTextEdit(self)
        self.text.setAccessibleName(tr("Servers JSON"))
        self.text.setPlaceholderText(
            tr(
                "Paste the JSON of Claude Desktop, Cursor or VS Code: {example}",
                example='{"mcpServers": {…}}',
            )
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        # translators: the button that imports the pasted tool servers
        self.ok.setText(tr("Import"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("Servers to add (a server of the same name is replaced):")))
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(560, 360)


class ToolsPage(QWidget):
    def __init__(self, tools: Tools | None, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tools = tools
        self._runner = runner
        self.import_dialog: ImportDialog | None = None
        self.server_form: ServerForm | None = None
        layout = QVBoxLayout(self)
        self.intro = _intro(self, self.open_add)
        layout.addWidget(self.intro)
        self.problems = Notice("toolsProblems", self)
        layout.addWidget(self.problems)
        self.list = self._server_list()
        layout.addWidget(self.list, 1)
        self.signin = SignInRow(tools, runner, self)  # a remote server's "Signed in as …"
        layout.addWidget(self.signin)
        layout.addWidget(self._buttons())
        self.status = Notice("toolsStatus", self)
        layout.addWidget(self.status)
        self.found = QTreeWidget(self)
        self.found.setObjectName("toolList")
        self.found.setAccessibleName(tr("The server's tools"))
        self.found.setRootIsDecorated(False)
        self.found.setHeaderLabels(
            [tr("Tool (ticked: offered)"), tr("Changes things?"), tr("What it does")]
        )
        self._listed: dict[str, ToolInfo] = {}
        self.found.itemChanged.connect(self._tool_ticked)
        self.found.setColumnWidth(0, 160)
        self.found.setColumnWidth(1, 110)
        self.found.hide()
        layout.addWidget(self.found, 1)
        if tools is None:
            self.status.say(Tone.INFO, tr("Tools can be set up once your chats are open."))
        elif tools.problems:
            self.problems.say(Tone.WARNING, "\n".join(tools.problems))
        self.refresh()

    # -- building --------------------------------------------------------------------------------

    def _server_list(self) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setObjectName("toolServers")
        tree.setAccessibleName(tr("Tool servers"))
        tree.setRootIsDecorated(False)
        tree.setUniformRowHeights(True)
        tree.setHeaderLabels(
            [
                tr("Name"),
                # translators: a column header: how chatdesk talks to a tool server (stdio, http)
                tr("Transport"),
                tr("Command or address"),
                # translators: a column header: who decides that a server's tool calls run
                tr("Calls"),
                # translators: a column header: whether a tool server is on
                tr("State"),
            ]
        )
        for column, width in enumerate((110, 80, 270, 70)):
            tree.setColumnWidth(column, width)
        tree.currentItemChanged.connect(lambda *_: self._selection_changed())
        tree.itemActivated.connect(lambda *_: self.open_edit())
        return tree

    def _buttons(self) -> QWidget:
        self.add_button = self._button(
            tr("&New…"), tr("Add a server by its command or address"), self.open_add
        )
        self.edit_button = self._button(tr("&Edit…"), tr("Change the server"), self.open_edit)
        self.import_button = self._button(
            tr("I&mport…"), tr("Paste servers from another app"), self.open_import
        )
        self.allow_button = self._button(
            tr("Allo&w to start"),
            tr("Let chatdesk start the command shown below"),
            self.allow_current,
        )
        self.test_button = self._button(
            tr("&Check"), tr("Start the server and list its tools"), self.test_current
        )
        self.switch_button = self._button(
            tr("Switch o&ff"), tr("Stop offering its tools"), self.switch_current
        )
        self.remove_button = self._button(
            tr("&Remove"), tr("Remove the server"), self.remove_current
        )
        self.policy = QComboBox(self)
        self.policy.setObjectName("toolPolicy")
        self.policy.setAccessibleName(tr("Who decides that its calls run"))
        for shown, value in POLICIES:
            self.policy.addItem(tr(shown), value)
        self.policy.activated.connect(lambda _: self.set_policy(self.policy.currentData()))
        # The buttons wrap to a second row where their words are long (German): none is cut.
        row = QWidget(self)
        flow = FlowLayout(row)
        for widget in (
            self.add_button,
            self.edit_button,
            self.import_button,
            self.allow_button,
            self.test_button,
            self.switch_button,
            self.remove_button,
        ):
            flow.addWidget(widget)
        calls = QWidget(row)
        label = QLabel(tr("Ca&lls:"), calls)
        label.setBuddy(self.policy)
        beside = QHBoxLayout(calls)
        beside.setContentsMargins(0, 0, 0, 0)
        beside.addWidget(label)
        beside.addWidget(self.policy)
        flow.addWidget(calls)
        return row

    def _button(self, text: str, description: str, action: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(description)
        button.setAccessibleDescription(description)
        button.clicked.connect(lambda: action())
        return button

    # -- showing ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        chosen = self.current_name()
        self.list.clear()
        self.intro.setVisible(self._tools is not None and not self._tools.servers())
        if self._tools is not None:
            rules = self._tools.policies.rules()
            builtin = [
                "chatdesk",
                # translators: the Transport column of chatdesk's own tools
                tr("built in"),
                tr("{tool}: your own chats", tool="search_chats"),
                "",
                # translators: the State column: the tools are offered
                tr("on"),
            ]
            self._add_row(BUILT_IN, builtin, rules)
            for server in self._tools.servers():
                where = server.command_line if server.transport is Transport.STDIO else server.url
                self._add_row(
                    server.name,
                    [server.name, str(server.transport), where, "", _state(server)],
                    rules,
                )
        rows = [self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount())]
        items = [item for item in rows if item is not None]
        again = next((item for item in items if item.data(0, NAME_ROLE) == chosen), None)
        if again or items:
            self.list.setCurrentItem(again or items[0])
        self._selection_changed()

    def _add_row(self, name: str, columns: list[str], rules: dict[str, Policy]) -> None:
        columns[3] = tr(dict((v, k) for k, v in POLICIES)[str(rules.get(name, Policy.ASK))])
        item = QTreeWidgetItem(columns)
        item.setData(0, NAME_ROLE, name)
        item.setToolTip(2, plain_tip(columns[2]))  # an imported command or address
        self.list.addTopLevelItem(item)

    def show_server(self, name: str, *, sign_in: bool = False) -> None:
        """Select the server named `name` (when there is one); with `sign_in`, its sign-in
        starts as soon as its row knows it is signed out."""
        rows = [self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount())]
        found = next((r for r in rows if r is not None and r.data(0, NAME_ROLE) == name), None)
        if found is None:
            return
        if sign_in:
            self.signin.sign_in_once_shown(name)
        self.list.setCurrentItem(found)
        self.list.setFocus()

    def current_name(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(0, NAME_ROLE))

    def _current(self) -> ServerConfig | None:
        name = self.current_name()
        if self._tools is None or name is None or name == BUILT_IN:
            return None
        return next((s for s in self._tools.servers() if s.name == name), None)

    def _selection_changed(self) -> None:
        name, server = self.current_name(), self._current()
        tools = self._tools
        unapproved = server is not None and server.awaits_approval
        self.import_button.setEnabled(tools is not None)
        self.add_button.setEnabled(tools is not None)
        self.edit_button.setEnabled(server is not None)
        self.allow_button.setVisible(unapproved)
        self.test_button.setEnabled(
            server is not None and tools is not None and tools.startable(server.name)
        )
        self.switch_button.setEnabled(server is not None)
        self.switch_button.setText(
            tr("Switch o&ff") if server is None or server.enabled else tr("Sw&itch on")
        )
        self.remove_button.setEnabled(server is not None)
        self.signin.show_server(server)
        self.policy.setEnabled(name is not None and tools is not None)
        if tools is not None and name is not None:
            rule = tools.policies.rules().get(name, Policy.ASK)
            self.policy.setCurrentIndex(max(self.policy.findData(str(rule)), 0))
        if unapproved and server is not None:
            self.status.say(
                Tone.WARNING,
                tr(
                    "chatdesk has not started {name} yet. It runs this command on your "
                    "computer:\n{command}\nAllow it only if you trust it.",
                    name=server.name,
                    command=server.command_line,
                ),
            )
        else:
            self.status.clear_notice()
        self.found.hide()

    # -- acting ----------------------------------------------------------------------------------

    def open_add(self) -> None:
        self._open_form(None)

    def open_edit(self) -> None:
        server = self._current()
        if server is not None:
            self._open_form(server)

    def _open_form(self, editing: ServerConfig | None) -> None:
        if self._tools is None:
            return
        taken = frozenset(s.name for s in self._tools.servers()) | {BUILT_IN}
        self.server_form = ServerForm(editing, taken, self)
        self.server_form.accepted.connect(self._form_given)
        self.server_form.open()

    def _form_given(self) -> None:
        assert self.server_form is not None
        assert self._tools is not None
        config, editing = self.server_form.result_config, self.server_form.editing
        if config is None:
            return
        secret = self.server_form.client_secret.text()
        self._runner.run(
            save_server(self._tools, config, replace=editing is not None, client_secret=secret),
            done=lambda notes: self._saved_server(config.name, notes),
            failure=lambda error: self.status.say(Tone.ERROR, str(error)),
            owner=self,
        )

    def _saved_server(self, name: str, notes: list[str]) -> None:
        self.refresh()
        rows = [self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount())]
        found = next((r for r in rows if r is not None and r.data(0, NAME_ROLE) == name), None)
        if found is not None:
            self.list.setCurrentItem(found)
        self.status.say(
            Tone.WARNING if notes else Tone.SUCCESS,
            "\n".join([tr("Saved {name}.", name=name), *notes]),
        )

    def open_import(self) -> None:
        self.import_dialog = ImportDialog(self)
        self.import_dialog.accepted.connect(self._import_given)
        self.import_dialog.open()

    def _import_given(self) -> None:
        assert self.import_dialog is not None
        assert self._tools is not None
        text = self.import_dialog.text.toPlainText()
        self._runner.run(self._tools.import_servers(text), done=self._imported, owner=self)

    def _imported(self, result: tuple[ReadServers, list[str]]) -> None:
        read, notes = result
        names = [s.name for s in read.servers]
        problems = list(read.problems)
        if names:
            lines = [tr("Imported {names}.", names=", ".join(names))]
        else:
            lines = [tr("No server could be imported.")]
        lines += [tr("Skipped {problem}", problem=p) for p in problems] + notes
        self.refresh()
        tone = Tone.SUCCESS if names and not problems else Tone.WARNING
        self.status.say(tone, "\n".join(lines))

    def allow_current(self) -> None:
        server = self._current()
        if server is not None and self._tools is not None:
            self._tools.approve_command(server.name)
            self.refresh()
            self.status.say(Tone.SUCCESS, tr("{name} may start now.", name=server.name))
            self._check_saved()

    def test_current(self) -> None:
        server = self._current()
        if server is None or self._tools is None:
            return
        self.status.say(Tone.BUSY, tr("Starting {name}…", name=server.name))
        self._runner.run(
            self._tools.test_server(server.name),
            done=self._tested,
            failure=lambda error: self.status.say(Tone.ERROR, str(error)),
            owner=self,
        )

    def _tested(self, listed: list[ToolInfo]) -> None:
        assert self._tools is not None
        self.found.blockSignals(True)  # ticks set here are not the user's
        self.found.clear()
        self._listed = {tool.name: tool for tool in listed}
        # translators: the "Changes things?" column: the tool only reads
        no = tr("no")
        # translators: the "Changes things?" column: the tool may change things
        may = tr("may")
        # translators: the "Changes things?" column: the tool says it may delete or change things
        deletes = tr("may delete")
        for tool in listed:
            first = tool.description.strip().splitlines()[0] if tool.description.strip() else ""
            changes = no if tool.read_only else deletes if tool.destructive else may
            item = QTreeWidgetItem([tool.title or tool.name, changes, first])
            item.setData(0, Qt.ItemDataRole.UserRole, tool.name)
            if tool.title:  # the server's name for people; the name it is called by beside it
                item.setToolTip(0, plain_tip(tool.real_label))
            item.setToolTip(2, plain_tip(tool.description))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            on = self._tools.is_on(tool)
            item.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.found.addTopLevelItem(item)
        self.found.blockSignals(False)
        self.found.show()
        self.status.say(
            Tone.SUCCESS, ntr("It works: {n} tool.", "It works: {n} tools.", len(listed))
        )

    def _tool_ticked(self, item: QTreeWidgetItem, column: int) -> None:
        tool = self._listed.get(str(item.data(0, Qt.ItemDataRole.UserRole)))
        if column == 0 and tool is not None and self._tools is not None:
            self._tools.switch_tool(tool, item.checkState(0) == Qt.CheckState.Checked)
            self._check_saved()

    def switch_current(self) -> None:
        server = self._current()
        if server is not None and self._tools is not None:
            call = self._tools.set_enabled(server.name, not server.enabled)
            self._runner.run(call, done=lambda _: self.refresh(), owner=self)

    def remove_current(self) -> None:
        server = self._current()
        if server is not None and self._tools is not None:
            call = self._tools.remove_server(server.name)
            self._runner.run(call, done=lambda _: self.refresh(), owner=self)

    def set_policy(self, value: str) -> None:
        name = self.current_name()
        if name is not None and self._tools is not None:
            self._tools.policies.set(name, Policy(value))
            self.refresh()
            self._check_saved()

    def _check_saved(self) -> None:
        """A change holds at once; say so if it could not be written to the tools file."""
        if self._tools is not None:
            self._runner.run(
                self._tools.saved(),
                failure=lambda error: self.status.say(Tone.ERROR, str(error)),
                owner=self,
            )


def _intro(parent: QWidget, add: Callable[[], None]) -> FirstStep:
    return FirstStep(
        "toolsIntro",
        tr("Tools the model can use"),
        (
            tr(
                "A tool server (an MCP server) gives the model tools it may call while it "
                "answers: read a folder, search the web, query a database."
            ),
            tr(
                "Your approval policy decides each call: nothing runs unless you allow it, "
                "and by default chatdesk asks you first."
            ),
        ),
        (tr("Add a tool ser&ver…"), tr("Add a server by its command or address"), add),
        parent,
    )


def _state(server: ServerConfig) -> str:
    if not server.enabled:
        # translators: the State column: the server is switched off
        return tr("off")
    if server.awaits_approval:
        return tr("not allowed to start yet")
    # translators: the State column: the tools are offered
    return tr("on")
