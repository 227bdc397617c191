"""The sources under an answer given passages of knowledge bases: "Sources", then one row per
passage ("[1] report.pdf — page 3 › Results", its base quieter) that opens it in the passage
viewer as the answer's own "[1]" does; folded, one line names the files ("Sources: report.pdf,
notes.md"). Every row is a button, so Tab reaches it and a screen reader names it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from chatdesk.core.i18n import ntr, tr
from chatdesk.core.trust.links import cite_href

if TYPE_CHECKING:
    from chatdesk.core.views import CitedSource

FOLDED_NAMES = 3  # files named on the folded line before "…"


def source_line(source: CitedSource) -> str:
    """ "[1] report.pdf — page 3 › Results" (no location: the name alone)."""
    where = f" — {source.location}" if source.location else ""
    # translators: what a cited source is called when it has no name
    return f"[{source.number}] {source.name or tr('a passage')}{where}"


def folded_line(sources: tuple[CitedSource, ...]) -> str:
    """ "Sources: report.pdf, notes.md, …": each file once, in the order cited."""
    names = list(dict.fromkeys(source.name for source in sources if source.name))
    shown = ", ".join(names[:FOLDED_NAMES]) + (", …" if len(names) > FOLDED_NAMES else "")
    # translators: the folded list of an answer's sources: "Sources: report.pdf, notes.md"
    return tr("Sources: {names}", names=shown) if shown else tr("Sources")


class SourcesBlock(QFrame):
    """`link_activated(href)`: a row was chosen; the href is the citation's (`chatdesk:cite/N`),
    so the message hands it on as a click on the citation itself."""

    link_activated = Signal(str)

    def __init__(
        self, activated: Callable[[str], None] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        if activated is not None:
            self.link_activated.connect(activated)
        self.setObjectName("sources")
        self.sources: tuple[CitedSource, ...] = ()
        self.rows: list[QToolButton] = []
        self._lines: list[QWidget] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(0)
        self.toggle = QToolButton()
        self.toggle.setObjectName("sourcesToggle")
        self.toggle.setCheckable(True)
        self.toggle.setChecked(True)  # shown unfolded: the files and places are the point
        self.toggle.setAutoRaise(True)
        self.toggle.toggled.connect(self._folded_or_not)
        layout.addWidget(self.toggle)
        self._list = QWidget()
        self._rows = QVBoxLayout(self._list)
        self._rows.setContentsMargins(8, 0, 0, 0)
        self._rows.setSpacing(0)
        layout.addWidget(self._list)

    @property
    def expanded(self) -> bool:
        return self.toggle.isChecked()

    def show_sources(self, sources: tuple[CitedSource, ...]) -> None:
        self.setVisible(bool(sources))
        if sources == self.sources:
            return
        self.sources = sources
        for line in self._lines:
            line.deleteLater()
        self._lines = []
        self.rows = [self._add_row(source) for source in sources]
        self._folded_or_not(self.expanded)

    def _add_row(self, source: CitedSource) -> QToolButton:
        line = QWidget()
        self._lines.append(line)
        row = QHBoxLayout(line)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        button = QToolButton()
        button.setObjectName("sourceRow")
        button.setAutoRaise(True)
        button.setText(source_line(source))
        number, name, in_base, where = source.number, source.name, source.base, source.location
        if in_base:
            said = tr("Source {number}: {name}, in {base}", number=number, name=name, base=in_base)
        else:
            said = tr("Source {number}: {name}", number=number, name=name)
        button.setAccessibleName(said)
        opens = (
            tr("Open the passage {location}", location=where) if where else tr("Open the passage")
        )
        button.setAccessibleDescription(opens.strip())
        button.setToolTip(source.path or source.name)
        href = cite_href(source.number)
        button.clicked.connect(lambda: self.link_activated.emit(href))
        row.addWidget(button)
        if source.base:
            base = QLabel(source.base)
            base.setObjectName("sourceBase")
            row.addWidget(base)
        row.addStretch(1)
        self._rows.addWidget(line)
        return button

    def _folded_or_not(self, expanded: bool) -> None:
        self._list.setVisible(expanded)
        count = len(self.sources)
        # translators: the heading of an answer's sources, with how many there are
        unfolded = ntr("Sources ({n})", "Sources ({n})", count)
        shown = f"▾ {unfolded}" if expanded else f"▸ {folded_line(self.sources)}"
        self.toggle.setText(shown)
        self.toggle.setAccessibleName(ntr("Sources, {n}", "Sources, {n}", count))
        self.toggle.setAccessibleDescription(
            tr("Hide the list") if expanded else tr("Show the list")
        )
