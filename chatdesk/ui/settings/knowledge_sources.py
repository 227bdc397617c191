"""The parts of Preferences ▸ Knowledge: a base's folders and files (with a folder's patterns,
asked when it is added), the embedding model its vectors come from and how a base is drawn in
the list (how its indexing goes is knowledge_status.py's).

They only say what the user asked for (signals); the page makes the calls."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.i18n import mark, ntr, tr
from chatdesk.ui.settings.chat_page import ModelPairs

if TYPE_CHECKING:
    from chatdesk.core.knowledge.model import BaseView, SourceView

# (provider, the embedding models it is known to offer): every provider that can make them.
Embedders = Callable[[], Sequence[tuple[str, Sequence[str]]]]

KEYWORDS_ONLY = mark("Keywords only")
PATH_ROLE = ID_ROLE = Qt.ItemDataRole.UserRole
COUNTS_ROLE = Qt.ItemDataRole.UserRole + 1


def make_button(
    parent: QWidget, text: str, name: str, description: str, action: Callable[[], object]
) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.setAccessibleName(text.replace("&", "").rstrip("…"))
    button.setToolTip(description)
    button.setAccessibleDescription(description)
    button.clicked.connect(lambda: action())
    return button


class SourcesPane(QWidget):
    """The base's folders and files: path, how many documents are indexed from it, and a
    folder's patterns; Add folder…, Add files…, Remove."""

    folder_added = Signal(str, str, str)  # path, include, exclude
    files_added = Signal(list)  # paths
    removed = Signal(str)  # path

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.patterns: FolderPatterns | None = None  # the one asked last (for tests)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("knowledgeSources")
        self.tree.setAccessibleName(tr("Folders and files"))
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setHeaderLabels(
            [
                tr("Folder or file"),
                # translators: a column header: how many documents were indexed from a folder
                tr("Indexed"),
                # translators: a column header: a folder's include and exclude patterns
                tr("Patterns"),
            ]
        )
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.tree.setMinimumHeight(60)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.add_folder_button = make_button(
            self,
            tr("Add &folder…"),
            "addKnowledgeFolder",
            tr("Index every file in a folder"),
            self.choose_folder,
        )
        self.add_files_button = make_button(
            self,
            tr("Add f&iles…"),
            "addKnowledgeFiles",
            tr("Index chosen files"),
            self.choose_files,
        )
        self.remove_button = make_button(
            self,
            tr("Remo&ve"),
            "removeKnowledgeSource",
            tr("Forget the folder or file and what was indexed from it (the files stay)"),
            self.remove_current,
        )
        row = QHBoxLayout()
        row.addWidget(self.add_folder_button)
        row.addWidget(self.add_files_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        self._update_buttons()

    def show_base(self, base: BaseView | None) -> None:
        current = self.current()
        self.tree.clear()
        for source in base.sources if base is not None else ():
            item = _source_item(source)
            self.tree.addTopLevelItem(item)
            if source.path == current:
                self.tree.setCurrentItem(item)
        self.setEnabled(base is not None)
        self._update_buttons()

    def current(self) -> str | None:
        item = self.tree.currentItem()
        found = item.data(0, PATH_ROLE) if item is not None else None
        return found if isinstance(found, str) else None

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.current() is not None)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Add a folder to the knowledge base"))
        if not folder:
            return
        dialog = FolderPatterns(folder, self)
        dialog.accepted.connect(lambda: self.folder_added.emit(folder, *dialog.patterns()))
        self.patterns = dialog
        dialog.open()

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, tr("Add files to the knowledge base"))
        if paths:
            self.files_added.emit(list(paths))

    def remove_current(self) -> None:
        path = self.current()
        if path is not None:
            self.removed.emit(path)


class FolderPatterns(QDialog):
    """Which files of a folder to index: include and exclude patterns, both optional."""

    def __init__(self, folder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("folderPatterns")
        self.setWindowTitle(tr("Add folder"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        where = QLabel(folder, self)
        where.setTextFormat(Qt.TextFormat.PlainText)
        where.setWordWrap(True)
        self.include = _pattern_field(self, "includePatterns", "*.md, docs/**")
        self.exclude = _pattern_field(self, "excludePatterns", "drafts/**, *.log")
        hint = QLabel(tr("Both are optional: without them every file in the folder is indexed."))
        hint.setWordWrap(True)
        hint.setProperty("tone", "info")
        form = QFormLayout()
        form.addRow(tr("&Include:"), self.include)
        form.addRow(tr("E&xclude:"), self.exclude)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.add_button = buttons.addButton(tr("&Add"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(where)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def patterns(self) -> tuple[str, str]:
        return self.include.text().strip(), self.exclude.text().strip()


class EmbeddingRow(QWidget):
    """The base's embedding model: "Keywords only", or a provider and a model (a name the
    provider offers, or any name typed, as OpenAI-compatible servers cannot list theirs)."""

    applied = Signal(object, object)  # provider | None, model | None

    def __init__(self, embedders: Embedders, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._embedders = embedders
        self._offered: dict[str, tuple[str, ...]] = {}
        self.provider = QComboBox(self)
        self.provider.setObjectName("embeddingProvider")
        self.provider.setAccessibleName(tr("Embedding provider"))
        self.model = QComboBox(self)
        self.model.setObjectName("embeddingModel")
        self.model.setAccessibleName(tr("Embedding model"))
        self.model.setEditable(True)
        self.model.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.model.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        line = self.model.lineEdit()
        assert line is not None
        line.setPlaceholderText(tr("e.g. {example}", example="text-embedding-3-small"))
        self.apply_button = make_button(
            self,
            tr("Appl&y"),
            "applyEmbedding",
            tr("Use this model for the base's vectors (its old vectors are dropped)"),
            self.apply,
        )
        label = QLabel(tr("Em&beddings:"), self)
        label.setBuddy(self.provider)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(label)
        row.addWidget(self.provider)
        row.addWidget(self.model, 1)
        row.addWidget(self.apply_button)
        self.provider.currentIndexChanged.connect(lambda _: self._provider_chosen())
        self.reload()

    def reload(self) -> None:
        """Read the providers that can make embeddings again."""
        self._offered = {name: tuple(models) for name, models in self._embedders()}
        chosen = self.chosen()
        self.provider.blockSignals(True)
        self.provider.clear()
        self.provider.addItem(tr(KEYWORDS_ONLY), None)
        for name in self._offered:
            self.provider.addItem(name, name)
        self.provider.blockSignals(False)
        self.show_choice(*chosen)

    def show_choice(self, provider: str | None, model: str | None) -> None:
        """Show what a base uses (a provider not set up any more is still shown)."""
        if provider and model and self.provider.findData(provider) < 0:
            self.provider.addItem(provider, provider)
        index = self.provider.findData(provider) if provider and model else 0
        self.provider.blockSignals(True)
        self.provider.setCurrentIndex(max(index, 0))
        self.provider.blockSignals(False)
        self._provider_chosen()
        self.model.setCurrentText(model or "")

    def chosen(self) -> tuple[str | None, str | None]:
        provider = self.provider.currentData()
        model = self.model.currentText().strip()
        if not isinstance(provider, str) or not model:
            return None, None
        return provider, model

    def apply(self) -> None:
        self.applied.emit(*self.chosen())

    def _provider_chosen(self) -> None:
        provider = self.provider.currentData()
        models = self._offered.get(provider, ()) if isinstance(provider, str) else ()
        self.model.clear()
        self.model.addItems(list(models))
        self.model.setEnabled(isinstance(provider, str))


def _pattern_field(parent: QWidget, name: str, example: str) -> QLineEdit:
    field = QLineEdit(parent)
    field.setObjectName(name)
    field.setPlaceholderText(tr("e.g. {example}", example=example))
    field.setClearButtonEnabled(True)
    return field


def _source_item(source: SourceView) -> QTreeWidgetItem:
    # translators: before a folder's exclude patterns, as in "*.md; not drafts/**"
    excluded = tr("not {patterns}", patterns=source.exclude) if source.exclude else ""
    patterns = "; ".join(text for text in (source.include, excluded) if text)
    indexed = ntr("{n} indexed", "{n} indexed", source.documents)
    item = QTreeWidgetItem([source.path, indexed, patterns])
    item.setData(0, PATH_ROLE, source.path)
    item.setToolTip(0, source.path)
    item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if patterns:
        # translators: as in "Include: all", for a folder without include patterns
        include = source.include or tr("all")
        # translators: as in "Exclude: none", for a folder without exclude patterns
        exclude = source.exclude or tr("none")
        item.setToolTip(
            2, tr("Include: {include}\nExclude: {exclude}", include=include, exclude=exclude)
        )
    return item


# -- the list of bases ---------------------------------------------------------------------------


def documents_text(count: int) -> str:
    return ntr("{n} document", "{n} documents", count)


def passages_text(count: int) -> str:
    return ntr("{n} passage", "{n} passages", count)


def base_item(view: BaseView) -> QListWidgetItem:
    counts = f"{documents_text(view.documents)} · {passages_text(view.chunks)}"
    item = QListWidgetItem(view.name)
    item.setData(ID_ROLE, view.id)
    item.setData(COUNTS_ROLE, counts)
    item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{view.name}, {counts}")
    item.setToolTip(f"{view.name}\n{counts}")
    return item


class TwoLines(QStyledItemDelegate):
    """A base's name, and its counts under it in the placeholder colour."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        name, opt.text = opt.text, ""
        widget = opt.widget
        widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = opt.palette
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        text = opt.rect.adjusted(8, 4, -8, -4)
        line = opt.fontMetrics.height()
        painter.save()
        painter.setPen(palette.color(role))
        painter.drawText(
            QRect(text.left(), text.top(), text.width(), line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            opt.fontMetrics.elidedText(name, Qt.TextElideMode.ElideRight, text.width()),
        )
        if not selected:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        counts = str(index.data(COUNTS_ROLE) or "")
        painter.drawText(
            QRect(text.left(), text.top() + line, text.width(), line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            opt.fontMetrics.elidedText(counts, Qt.TextElideMode.ElideRight, text.width()),
        )
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(option.rect.width(), 2 * option.fontMetrics.height() + 10)


def providers_of(models: ModelPairs) -> Embedders:
    """The providers of the models offered, each as an embedder whose models are asked for."""

    def offered() -> list[tuple[str, tuple[str, ...]]]:
        pairs = models() if callable(models) else models
        return [(name, ()) for name in dict.fromkeys(provider for provider, _ in pairs)]

    return offered


def list_column(parent: QWidget, top: QWidget, buttons: tuple[QWidget, ...]) -> QWidget:
    """`top` (a list) over a row of `buttons`."""
    column = QWidget(parent)
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(top, 1)
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    layout.addLayout(row)
    return column
