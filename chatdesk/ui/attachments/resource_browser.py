"""Resource from a server…: each startable tool server's resources and resource templates, to
attach one to the message.

Every server is asked for its list at once through the window's `Runner` (a server that fails
says why on its own row); the filter narrows the rows by name, title, address or type; a
template's parameters are fields under the list; Attach (Enter) says which resource was chosen
(`chosen`), Cancel (Esc) closes. Whatever a server sent is shown as plain text: rows and
labels never render markup, and tooltips are escaped.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterator
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import ntr, tr
from chatdesk.core.tools.mcp_resources import Listing, ResourceInfo, TemplateInfo
from chatdesk.core.units import format_size

if TYPE_CHECKING:
    from chatdesk.core.tools.mcp_resources import Resources
    from chatdesk.ui.runner import Runner

ROLE = Qt.ItemDataRole.UserRole


class ResourceBrowser(QDialog):
    chosen = Signal(str, str, str)  # server, URI, the label of its chip while it is read

    def __init__(self, resources: Resources, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resourceBrowser")
        self.setWindowTitle(tr("Attach a resource from a server"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._resources = resources
        self._asking = 0
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(tr("Filter by name, title, address or type"))
        self.filter.setAccessibleName(tr("Filter resources"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        self.tree = self._make_tree()
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.parameters = QWidget()
        self._form = QFormLayout(self.parameters)
        self._fields: dict[str, QLineEdit] = {}
        self.parameters.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.attach_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.attach_button.setText(tr("Attach"))
        self.attach_button.setEnabled(False)
        self.buttons.accepted.connect(self.attach)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.parameters)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(760, 480)
        self._ask_all(runner)

    def _make_tree(self) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setAccessibleName(tr("Resources"))
        tree.setColumnCount(4)
        # translators: the columns of the resource browser
        tree.setHeaderLabels([tr("Name"), tr("Address"), tr("Type"), tr("Size")])
        tree.setColumnWidth(0, 240)
        tree.setColumnWidth(1, 280)
        tree.setUniformRowHeights(True)
        tree.currentItemChanged.connect(lambda item, _: self._selected(item))
        tree.itemActivated.connect(lambda *_: self.attach())
        return tree

    # -- listing ---------------------------------------------------------------------------------

    def _ask_all(self, runner: Runner) -> None:
        servers = self._resources.servers()
        if not servers:
            self.status.setText(
                tr("No tool server is set up and allowed to start (Preferences ▸ Tools).")
            )
            return
        for server in servers:
            item = QTreeWidgetItem(self.tree, [server, tr("asking…")])
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setExpanded(True)
            self._asking += 1
            runner.run(
                self._resources.listing(server),
                done=functools.partial(self._listed, item),
                failure=functools.partial(self._failed, item),
                settled=self._settled,
                owner=self,
            )
        self._show_busy()

    def _show_busy(self) -> None:
        if self._asking:
            self.status.setText(ntr("Asking {n} server…", "Asking {n} servers…", self._asking))
        else:
            self.status.clear()

    def _settled(self) -> None:
        self._asking -= 1
        self._show_busy()

    def _listed(self, item: QTreeWidgetItem, listing: Listing) -> None:
        item.setText(1, "")
        for resource in listing.resources:
            self._row(item, resource, resource.uri, _size(resource))
        for template in listing.templates:
            # translators: the type column of a resource template (an address with parameters)
            self._row(item, template, template.uri_template, tr("template"))
        if not listing.resources and not listing.templates:
            item.setText(1, tr("no resources"))
        self._apply_filter(self.filter.text())  # the first row shown becomes the current one

    def _row(
        self, server: QTreeWidgetItem, info: ResourceInfo | TemplateInfo, uri: str, size: str
    ) -> None:
        row = QTreeWidgetItem(server, [info.label, uri, info.mime, size])
        row.setData(0, ROLE, info)
        said = info.description or info.label
        row.setToolTip(0, f"<p>{html.escape(said)}</p>")
        row.setToolTip(1, f"<p>{html.escape(uri)}</p>")

    def _failed(self, item: QTreeWidgetItem, error: ChatdeskError) -> None:
        item.setText(1, tr("could not be asked: {reason}", reason=str(error)))
        item.setToolTip(1, f"<p>{html.escape(str(error))}</p>")

    # -- choosing --------------------------------------------------------------------------------

    def _apply_filter(self, text: str) -> None:
        words = text.casefold().split()
        for row in self._all_rows():
            said = " ".join(row.text(c) for c in range(3)).casefold()
            row.setHidden(not all(word in said for word in words))
        current = self.tree.currentItem()
        first = self._first_visible()
        if (current is None or current.isHidden()) and first is not None:
            self.tree.setCurrentItem(first)

    def _all_rows(self) -> Iterator[QTreeWidgetItem]:
        """Every resource's and template's row, server by server."""
        for index in range(self.tree.topLevelItemCount()):
            server = self.tree.topLevelItem(index)
            if server is None:
                continue
            for number in range(server.childCount()):
                row = server.child(number)
                if row is not None:
                    yield row

    def _first_visible(self) -> QTreeWidgetItem | None:
        return next((row for row in self._all_rows() if not row.isHidden()), None)

    def _selected(self, item: QTreeWidgetItem | None) -> None:
        info = item.data(0, ROLE) if item is not None else None
        self.attach_button.setEnabled(isinstance(info, ResourceInfo | TemplateInfo))
        while self._form.rowCount():
            self._form.removeRow(0)
        self._fields = {}
        if not isinstance(info, TemplateInfo):
            self.parameters.hide()
            return
        for name in info.parameters:
            field = QLineEdit()
            field.setAccessibleName(name)
            self._form.addRow(QLabel(name, textFormat=Qt.TextFormat.PlainText), field)
            self._fields[name] = field
        self.parameters.setVisible(bool(self._fields))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.filter.hasFocus() and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.tree.setFocus()  # from the filter straight into the list
            self.tree.keyPressEvent(event)
            return
        super().keyPressEvent(event)

    def attach(self) -> None:
        """Say the chosen resource (a template's with its fields filled in) and close."""
        item = self.tree.currentItem()
        info = item.data(0, ROLE) if item is not None else None
        if isinstance(info, ResourceInfo):
            self.chosen.emit(info.server, info.uri, info.label)
            self.accept()
        elif isinstance(info, TemplateInfo):
            values = {name: field.text() for name, field in self._fields.items()}
            empty = [name for name, value in values.items() if not value.strip()]
            if empty:
                self.status.setText(tr("Fill in {names}.", names=", ".join(empty)))
                self._fields[empty[0]].setFocus()
                return
            filled = ", ".join(values[name] for name in self._fields)
            self.chosen.emit(info.server, info.uri(values), f"{info.label} ({filled})")
            self.accept()


def _size(resource: ResourceInfo) -> str:
    return format_size(resource.size) if resource.size is not None else ""
