"""Knowledge: the knowledge bases (decision 0028), each with its folders and files, its
embedding model and how its indexing goes.

Every change goes through `Knowledge` at once and the bases are read back on `KnowledgeChanged`
(made, renamed, a pass ended). A running pass says how far it is with `KnowledgeProgressed`, a
few times a second: the page keeps the latest per base and redraws its status at most every
`REDRAW_MS`, without asking the core anything."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.knowledge.model import (
    BaseView,
    DocumentError,
    KnowledgeChanged,
    KnowledgeProgressed,
    Progress,
    Stage,
)
from chatdesk.ui.coalesce import LatestRead
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.chat_page import ModelPairs
from chatdesk.ui.settings.knowledge_sources import (
    ID_ROLE,
    Embedders,
    EmbeddingRow,
    SourcesPane,
    TwoLines,
    base_item,
    list_column,
    make_button,
    providers_of,
)
from chatdesk.ui.settings.knowledge_start import (
    Read,
    caption,
    first_base,
    follow,
    knowledge_intro,
    read_bases,
)
from chatdesk.ui.settings.knowledge_start import Subscribe as Subscribe
from chatdesk.ui.settings.knowledge_status import IndexingStatus
from chatdesk.ui.settings.notices import Notice, Tone

if TYPE_CHECKING:
    from chatdesk.core.chat.events import Event
    from chatdesk.core.knowledge.service import Knowledge

REDRAW_MS = 100  # progress arrives a few times a second; the status follows at most this often

T = TypeVar("T")


class KnowledgePage(QWidget):
    def __init__(
        self,
        knowledge: Knowledge | None,
        runner: Runner,
        parent: QWidget | None = None,
        *,
        subscribe: Subscribe | None = None,
        embedders: Embedders | None = None,
        models: ModelPairs = (),
    ) -> None:
        """`embedders` says which providers make embeddings and their models; without it the
        providers of `models` are offered, with the model typed."""
        super().__init__(parent)
        self._knowledge = knowledge
        self._runner = runner
        self._views: dict[uuid.UUID, BaseView] = {}
        self._progress: dict[uuid.UUID, Progress] = {}
        self._paused: set[uuid.UUID] = set()
        self._select: uuid.UUID | None = None  # to select once the bases are read again
        self.name_dialog: QInputDialog | None = None  # the one opened last (for tests)
        self._redraw = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._redraw.timeout.connect(self._show_status)
        self._reads: LatestRead[Read] = LatestRead(
            runner, self._read, self._show, failure=self._failed, parent=self
        )
        self._build(embedders or providers_of(models))
        if knowledge is None:
            self.status.say(
                Tone.INFO, tr("Knowledge bases can be managed once your chats are open.")
            )
        if subscribe is not None:
            follow(self, self.apply, subscribe)
        self._selection_changed()
        self.refresh()

    # -- building --------------------------------------------------------------------------------

    def _build(self, embedders: Embedders) -> None:
        # Tab mnemonics (a h p d u o s k t) are live on this page too: these use others.
        left = self._bases_column()
        self.sources = SourcesPane(self)
        self.sources.folder_added.connect(self.add)
        self.sources.files_added.connect(self._add_files)
        self.sources.removed.connect(self.remove)
        self.embedding = EmbeddingRow(embedders, self)
        self.embedding.applied.connect(self.set_embedding)
        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.sources, 3)
        column.addWidget(self.embedding)
        self.indexing = IndexingStatus(right)
        self.indexing.index_asked.connect(self.index_now)
        self.indexing.pause_asked.connect(self.toggle_pause)
        self.indexing.cancel_asked.connect(self.cancel)
        column.addWidget(self.indexing)
        # translators: a heading over the files that could not be indexed
        column.addWidget(caption(self, tr("Not indexed")))
        self.failures = QListWidget(self)
        self.failures.setObjectName("knowledgeFailures")
        # translators: a heading over the files that could not be indexed
        self.failures.setAccessibleName(tr("Not indexed"))
        self.failures.setWordWrap(True)  # a reason is read whole
        self.failures.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.failures.setMinimumHeight(48)
        column.addWidget(self.failures, 2)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([210, 470])
        self.panes = splitter  # shown once there is a base; before, the intro
        self.intro = knowledge_intro(self, self.sources.choose_folder)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(splitter, 1)
        self.status = Notice("knowledgeStatus", self)
        layout.addWidget(self.status)

    def _bases_column(self) -> QWidget:
        self.list = QListWidget(self)
        self.list.setObjectName("knowledgeBases")
        self.list.setAccessibleName(tr("Knowledge bases"))
        self.list.setItemDelegate(TwoLines(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.currentItemChanged.connect(lambda *_: self._selection_changed())
        self.new_button = make_button(
            # translators: a button that makes a new knowledge base
            self,
            tr("Ne&w…"),
            "newKnowledgeBase",
            tr("Make a knowledge base"),
            self.open_new,
        )
        self.rename_button = make_button(
            self,
            tr("&Rename…"),
            "renameKnowledgeBase",
            tr("Rename the knowledge base"),
            self.open_rename,
        )
        self.delete_button = make_button(
            self,
            tr("De&lete…"),
            "deleteKnowledgeBase",
            tr("Delete the knowledge base"),
            self.confirm_delete,
        )
        return list_column(
            self, self.list, (self.new_button, self.rename_button, self.delete_button)
        )

    # -- showing ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the bases (and the selected one's files that are not indexed) again."""
        self._reads.now()

    def _read(self) -> Coroutine[Any, Any, Read] | None:
        if self._knowledge is None:
            return None
        current = self.current()
        return read_bases(self._knowledge, self._select or (current.id if current else None))

    def current(self) -> BaseView | None:
        item = self.list.currentItem()
        found = item.data(ID_ROLE) if item is not None else None
        return self._views.get(found) if isinstance(found, uuid.UUID) else None

    def apply(self, event: Event) -> None:
        """The core's events: progress is kept and drawn soon; a change is read back."""
        if isinstance(event, KnowledgeProgressed):
            progress = event.progress
            self._progress[progress.base_id] = progress
            if progress.stage is Stage.PAUSED:
                self._paused.add(progress.base_id)
            elif not progress.running:
                self._paused.discard(progress.base_id)
            current = self.current()
            shown = current is not None and current.id == progress.base_id
            if shown and not self._redraw.isActive():
                self._redraw.start()
        elif isinstance(event, KnowledgeChanged):
            self.refresh()

    def _show(self, read: Read) -> None:
        views, errors_of, errors, asked = read
        item = self.list.currentItem()
        wanted = self._select or (item.data(ID_ROLE) if item is not None else None)
        self._views = {view.id: view for view in views}
        self.intro.setVisible(not views)
        self.panes.setVisible(bool(views))
        if wanted not in self._views:
            wanted = errors_of
        if self._select in self._views or self._select == asked:  # else the next read shows it
            self._select = None
        self.list.blockSignals(True)
        self.list.clear()
        for view in views:
            self.list.addItem(base_item(view))
        for row in range(self.list.count()):
            if self.list.item(row).data(ID_ROLE) == wanted:
                self.list.setCurrentRow(row)
        self.list.blockSignals(False)
        current = self.current()
        self._selection_changed(reread=current is not None and current.id != errors_of)
        if current is not None and current.id == errors_of:
            self._show_failures(errors)

    def _show_failures(self, errors: list[DocumentError]) -> None:
        self.failures.clear()
        for error in errors:
            item = QListWidgetItem(f"{error.path} — {error.error}")
            item.setToolTip(f"{error.path}\n{error.error}")
            self.failures.addItem(item)
        if not errors:
            item = QListWidgetItem(tr("Every file found is indexed."))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.failures.addItem(item)

    def _selection_changed(self, reread: bool = True) -> None:
        managed = self._knowledge is not None
        base = self.current()
        self.new_button.setEnabled(managed)
        self.rename_button.setEnabled(base is not None)
        self.delete_button.setEnabled(base is not None)
        self.sources.show_base(base)
        self.embedding.setEnabled(base is not None)
        if base is not None:
            self.embedding.show_choice(base.embedding_provider, base.embedding_model)
            if base.id not in self._progress and self._knowledge is not None:
                known = self._knowledge.progress(base.id)  # in memory: the pass in hand
                if known is not None:
                    self._progress[base.id] = known
        else:
            self.failures.clear()
        self._show_status()
        if reread and base is not None:
            self.refresh()

    def _show_status(self) -> None:
        """The selected base's pass as it goes, or its counts when none runs."""
        base = self.current()
        progress = self._progress.get(base.id) if base is not None else None
        self.indexing.show_pass(base, progress, base is not None and base.id in self._paused)

    # -- acting ----------------------------------------------------------------------------------

    def open_new(self) -> None:
        self._ask_name(tr("New knowledge base"), "", self.create_base)

    def open_rename(self) -> None:
        base = self.current()
        if base is not None:
            self._ask_name(
                tr("Rename knowledge base"), base.name, lambda n: self.rename(base.id, n)
            )

    def _ask_name(self, title: str, name: str, then: Callable[[str], None]) -> None:
        dialog = QInputDialog(self)
        dialog.setObjectName("knowledgeName")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowTitle(title)
        dialog.setLabelText(tr("Name:"))
        dialog.setTextValue(name)
        dialog.textValueSelected.connect(lambda text: then(text.strip()))
        self.name_dialog = dialog
        dialog.open()

    def create_base(self, name: str) -> None:
        if self._knowledge is not None:
            self._call(
                self._knowledge.create(name),
                lambda v: tr("Made “{name}”.", name=v.name),
                select=True,
            )

    def rename(self, base_id: uuid.UUID, name: str) -> None:
        if self._knowledge is not None:
            self._call(
                self._knowledge.rename(base_id, name),
                lambda v: tr("Renamed it “{name}”.", name=v.name),
            )

    def confirm_delete(self) -> None:
        base = self.current()
        if base is None:
            return
        from chatdesk.ui.questions import ask

        box = ask(
            self,
            tr("Delete knowledge base"),
            tr("Delete the knowledge base “{name}”?", name=base.name),
            tr(
                "Its passages go, and chats stop answering from it. The files on disk are not "
                "touched."
            ),
            # translators: the button that deletes the knowledge base
            tr("Delete"),
            lambda: self._delete(base),
        )
        box.setObjectName("confirmDelete")

    def _delete(self, base: BaseView) -> None:
        if self._knowledge is not None:
            self._call(
                self._knowledge.delete(base.id), lambda _: tr("Deleted “{name}”", name=base.name)
            )

    def add(self, path: str, include: str = "", exclude: str = "") -> None:
        """Add the folder to the base shown, or to a new base named after it when none is."""
        base, knowledge = self.current(), self._knowledge
        if knowledge is None:
            return
        if base is None:
            made = first_base(knowledge, path, include, exclude)
            self._call(made, lambda v: tr("Made “{name}”.", name=v.name), select=True)
        else:
            self._call(knowledge.add(base.id, path, include, exclude), lambda _: "")

    def _add_files(self, paths: list[str]) -> None:
        for path in paths:
            self.add(path)

    def remove(self, path: str) -> None:
        base = self.current()
        if base is not None and self._knowledge is not None:
            self._call(
                self._knowledge.remove(base.id, path), lambda _: tr("Removed {path}.", path=path)
            )

    def set_embedding(self, provider: str | None, model: str | None) -> None:
        base = self.current()
        if base is None or self._knowledge is None:
            return
        if model:
            said = tr("Vectors from {model} are being made.", model=model)
        else:
            said = tr("Keywords only from now on.")
        self._call(self._knowledge.set_embedding(base.id, provider, model), lambda _: said)

    def index_now(self) -> None:
        base = self.current()
        if base is not None and self._knowledge is not None:
            self._knowledge.start_index(base.id)

    def toggle_pause(self) -> None:
        base = self.current()
        if base is None or self._knowledge is None:
            return
        if base.id in self._paused:
            self._paused.discard(base.id)
            self._knowledge.resume(base.id)
        else:
            self._paused.add(base.id)
            self._knowledge.pause(base.id)
        self._show_status()

    def cancel(self) -> None:
        base = self.current()
        if base is not None and self._knowledge is not None:
            self._call(self._knowledge.cancel(base.id), lambda _: "")

    def _call(
        self, call: Coroutine[Any, Any, T], said: Callable[[T], str], *, select: bool = False
    ) -> None:
        def done(result: T) -> None:
            if select and isinstance(result, BaseView):
                self._select = result.id
            text = said(result)
            if text:
                self.status.say(Tone.SUCCESS, text)
            self.refresh()

        self._runner.run(call, done=done, failure=self._failed, owner=self)

    def _failed(self, error: ChatdeskError) -> None:
        said = str(error)
        self.status.say(Tone.ERROR, said[:1].upper() + said[1:])
