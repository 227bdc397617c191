"""The sources under an answer: "Sources", then one row per source it cites. A passage of a
knowledge base reads "[1] report.pdf — page 3 › Results", its base quieter; a web page it read
reads "[2] Its title — its site", its address and when it was read quieter, with a button that
opens the page in the browser after the window's link confirmation. A row opens what was read
in the passage viewer; the answer's own "[1]" does the same for a passage and opens a web page's
address, after the same confirmation. Folded, one line names the files and sites ("Sources:
report.pdf, Lenne Courier"). Every row is a button, so Tab reaches it and a screen reader names
it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, QLocale, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from chatdesk.core.i18n import isolated, ntr, tr
from chatdesk.core.trust.links import source_href
from chatdesk.ui.conversation.buttons import icon_button
from chatdesk.ui.conversation.frame import on_leading_side

if TYPE_CHECKING:
    from chatdesk.core.views import CitedSource

FOLDED_NAMES = 3  # files or sites named on the folded line before "…"
TITLE_CHARS = 90  # of a page's title on its row (the tooltip and the viewer have all of it)
ADDRESS_CHARS = 60  # of its address


def source_line(source: CitedSource) -> str:
    """ "[1] report.pdf — page 3 › Results", "[2] A page's title — Lenne Courier" (no location:
    the name alone)."""
    name = shortened(source.name, TITLE_CHARS) if source.is_web else source.name
    where = f" — {source.location}" if source.location else ""
    # translators: what a cited source is called when it has no name
    return f"[{source.number}] {name or tr('a passage')}{where}"


def folded_line(sources: tuple[CitedSource, ...]) -> str:
    """ "Sources: report.pdf, Lenne Courier, …": each file or site once, in the order cited."""
    names = list(dict.fromkeys(name for source in sources if (name := _short_name(source))))
    shown = ", ".join(names[:FOLDED_NAMES]) + (", …" if len(names) > FOLDED_NAMES else "")
    # translators: the folded list of an answer's sources: "Sources: report.pdf, notes.md"
    return tr("Sources: {names}", names=shown) if shown else tr("Sources")


def _short_name(source: CitedSource) -> str:
    """A file's name; a page's site (its title when the site is not known)."""
    if source.is_web:
        return source.location or shortened(source.name, 40)
    return source.name


def read_when(moment: str) -> str:
    """When a page was read (ISO 8601), in local time as the window's language writes it; the
    text as it is when it is not a time."""
    parsed = QDateTime.fromString(moment, Qt.DateFormat.ISODate)
    if not parsed.isValid():
        return moment
    return QLocale().toString(parsed.toLocalTime(), QLocale.FormatType.ShortFormat)


def web_facts(source: CitedSource) -> str:
    """ "example.org/news/1 · read 26/11/2026 12:30": a page's address and when it was read."""
    address = isolated(shortened(source.url.split("://", 1)[-1], ADDRESS_CHARS))
    if not source.read_at:
        return address
    # translators: a web source's address and when chatdesk read the page: "site.org/a · read 12:30"
    return tr("{address} · read {when}", address=address, when=read_when(source.read_at))


def shortened(text: str, most: int) -> str:
    """`text` on one line, cut in its middle to `most` characters."""
    line = " ".join(text.split())
    if len(line) <= most:
        return line
    keep = most - 1
    return line[: keep - keep // 3] + "…" + line[len(line) - keep // 3 :]


class SourcesBlock(QFrame):
    """`link_activated(href)`: a row was chosen (`chatdesk:source/N`: show what was read of
    source N), or a page's Open button (its address, for the window to confirm and open), so
    the message hands it on as it does a link in its text."""

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
        self.open_buttons: dict[int, QToolButton] = {}  # a web source's, by its number
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
        self.open_buttons = {}
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
        href = source_href(source.number)
        button.clicked.connect(lambda: self.link_activated.emit(href))
        row.addWidget(button)
        if source.is_web:
            self._web_row(source, button, row)
        else:
            self._passage_row(source, button, row)
        row.addStretch(1)
        self._rows.addWidget(line)
        if source.is_web:  # its address and when it was read, quieter, on a line of its own
            facts = on_leading_side(_quiet(web_facts(source)))
            facts.setToolTip(source.url)
            facts.setWordWrap(True)
            facts.setContentsMargins(12, 0, 0, 2)  # under the row's words
            self._lines.append(facts)
            self._rows.addWidget(facts)
        return button

    def _passage_row(self, source: CitedSource, button: QToolButton, row: QHBoxLayout) -> None:
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
        if source.base:
            row.addWidget(_quiet(source.base))

    def _web_row(self, source: CitedSource, button: QToolButton, row: QHBoxLayout) -> None:
        number, title, site = source.number, source.name, source.location
        if site:
            said = tr(
                "Source {number}: {title}, from {site}", number=number, title=title, site=site
            )
        else:
            said = tr("Source {number}: {name}", number=number, name=title)
        button.setAccessibleName(said)
        button.setAccessibleDescription(tr("Show the text that was read of this page"))
        button.setToolTip(f"{title}\n{source.url}")
        opens = icon_button(
            "external",
            tr("Open page {number}", number=number),
            tr("Open {address} in your browser", address=source.url),
        )
        url = source.url
        opens.clicked.connect(lambda: self.link_activated.emit(url))  # the window confirms
        self.open_buttons[number] = opens
        row.addWidget(opens)

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


def _quiet(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sourceBase")
    return label
