"""Web: the search engine the model searches with while Web is on for a chat, the limits of
every search and page read, and those of a research run (`[web]`, `chatdesk/core/web/`).

Each setting is in use as it changes, as on the other sections. The SearXNG address is asked
for only while SearXNG is the engine; Brave's and Tavily's keys go to the keyring off the GUI
thread (`chatdesk.core.web.searching.save_key`), never to the settings file, and the page says
whether one is kept.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import mark, tr
from chatdesk.ui.settings.notices import Notice, Tone, line_over_notes
from chatdesk.ui.settings.sections import scroll_page

if TYPE_CHECKING:
    from chatdesk.core.settings_outside import WebSettings
    from chatdesk.core.web.searching import Keys
    from chatdesk.ui.runner import Runner

# (the `[web] engine` value, what the list says)
ENGINES = (
    # translators: a search engine in Preferences ▸ Web
    ("duckduckgo", mark("DuckDuckGo (no key needed)")),
    # translators: a search engine in Preferences ▸ Web, run by the user
    ("searxng", mark("SearXNG (your own, at its address)")),
    ("brave", mark("Brave Search (with its key)")),
    ("tavily", mark("Tavily (with its key)")),
)
LABELS = {"brave": "Brave Search", "tavily": "Tavily"}  # the engines with a key


class WebPage(QWidget):
    def __init__(
        self,
        web: WebSettings,
        keys: Keys | None,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        """`keys`: where the engines' keys are kept (None: no key can be kept here)."""
        super().__init__(parent)
        self._keys, self._runner = keys, runner
        inner = QWidget(self)
        layout = QVBoxLayout(inner)
        layout.addWidget(self._search_box(web))
        layout.addWidget(self._limits_box(web))
        layout.addWidget(self._research_box(web))
        layout.addStretch(1)
        scroll_page(self, inner, "webScroll")
        self.engine.currentIndexChanged.connect(lambda _=0: self._follow_engine())
        self.save_key.clicked.connect(self._save_key)
        self.key.returnPressed.connect(self._save_key)
        self._follow_engine()

    # -- the parts -------------------------------------------------------------------------------

    def _search_box(self, web: WebSettings) -> QGroupBox:
        box = QGroupBox(tr("Searching"), self)
        self.engine = QComboBox(box)
        self.engine.setObjectName("webEngine")
        self.engine.setAccessibleName(tr("Search engine"))
        for value, words in ENGINES:
            self.engine.addItem(tr(words), value)
        self.engine.setCurrentIndex(max(0, self.engine.findData(web.engine)))
        self.searxng = QLineEdit(web.searxng_url, box)
        self.searxng.setObjectName("webSearxngUrl")
        self.searxng.setAccessibleName(tr("SearXNG address"))
        self.searxng.setPlaceholderText("http://localhost:8888")
        self.searxng.setToolTip(tr("A SearXNG with its JSON API on (json in search.formats)."))
        self.key = QLineEdit()
        self.key.setObjectName("webKey")
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setClearButtonEnabled(True)
        self.key.setAccessibleName(tr("The engine's key"))
        self.save_key = QPushButton(tr("Save key"))
        self.save_key.setObjectName("webSaveKey")
        self.save_key.setToolTip(tr("Kept in the system keyring, never in a file"))
        self.key_note = Notice("webKeyNote")
        self.results = _spin(box, "webResults", tr("Results per search"), 1, 50, web.results)
        self.ask_first = QCheckBox(tr("Ask before each search or page read"), box)
        self.ask_first.setObjectName("webAskFirst")
        self.ask_first.setChecked(web.ask_first)
        self.ask_first.setToolTip(
            tr("Otherwise they run while Web is on for a chat; a rule in Tools wins over this.")
        )
        self.key_field = QWidget(box)  # the key, Save, and whether one is kept under them
        line_over_notes(self.key_field, self.key, self.save_key, self.key_note)
        form = QFormLayout(box)
        form.addRow(_label(tr("Engine:"), self.engine, box), self.engine)
        self.searxng_label = _label(tr("SearXNG address:"), self.searxng, box)
        form.addRow(self.searxng_label, self.searxng)
        self.key_label = _label(tr("Key:"), self.key, box)
        form.addRow(self.key_label, self.key_field)
        form.addRow(_label(tr("Results per search:"), self.results, box), self.results)
        form.addRow(self.ask_first)
        return box

    def _limits_box(self, web: WebSettings) -> QGroupBox:
        box = QGroupBox(tr("Limits"), self)
        self.allow_private = QLineEdit(web.allow_private, box)
        self.allow_private.setObjectName("webAllowPrivate")
        self.allow_private.setAccessibleName(tr("Servers on this computer or network"))
        self.allow_private.setPlaceholderText("127.0.0.1:8888")
        self.allow_private.setToolTip(
            tr(
                "Servers on this computer or the local network that searches and pages may "
                "reach, as host:port separated by spaces; empty: none."
            )
        )
        self.timeout = _decimal(box, "webTimeout", tr("Time limit"), (1.0, 300.0), tr(" s"))
        self.timeout.setValue(web.timeout_seconds)
        self.page_mb = _decimal(box, "webPageMb", tr("Largest page"), (0.1, 100.0), tr(" MB"))
        self.page_mb.setValue(web.page_max_mb)
        chars = tr("Characters of a page given to the model")
        self.page_chars = _spin(box, "webPageChars", chars, 1_000, 200_000, web.page_chars)
        self.page_chars.setSingleStep(1_000)
        form = QFormLayout(box)
        allowed = _label(tr("Servers on this computer or network:"), self.allow_private, box)
        form.addRow(allowed, self.allow_private)
        form.addRow(_label(tr("Time limit:"), self.timeout, box), self.timeout)
        form.addRow(_label(tr("Largest page:"), self.page_mb, box), self.page_mb)
        given = _label(tr("Characters given to the model:"), self.page_chars, box)
        form.addRow(given, self.page_chars)
        return box

    def _research_box(self, web: WebSettings) -> QGroupBox:
        box = QGroupBox(tr("Research"), self)
        box.setToolTip(tr("A research run searches and reads many pages, then writes a report."))
        longest = tr("Longest a research run takes")
        # translators: after a number of minutes in a spin box, with its leading space
        minutes = tr(" min")
        self.research_minutes = _decimal(box, "webResearchMinutes", longest, (0.5, 60.0), minutes)
        self.research_minutes.setValue(web.research_minutes)
        pages = tr("Most pages a research run reads")
        self.research_pages = _spin(box, "webResearchPages", pages, 1, 200, web.research_pages)
        at_once = tr("Searches or pages asked for at once")
        self.research_parallel = _spin(
            box, "webResearchParallel", at_once, 1, 10, web.research_parallel
        )
        form = QFormLayout(box)
        for label, field in (
            (tr("Longest run:"), self.research_minutes),
            (tr("Most pages:"), self.research_pages),
            (tr("At once:"), self.research_parallel),
        ):
            form.addRow(_label(label, field, box), field)
        return box

    # -- what it shows ---------------------------------------------------------------------------

    def controls(self) -> list[QWidget]:
        """The settings that apply as they change (the preferences watch them)."""
        return [
            self.engine,
            self.searxng,
            self.results,
            self.ask_first,
            self.allow_private,
            self.timeout,
            self.page_mb,
            self.page_chars,
            self.research_minutes,
            self.research_pages,
            self.research_parallel,
        ]

    def web(self, base: WebSettings) -> WebSettings:
        return replace(
            base,
            engine=str(self.engine.currentData()),
            searxng_url=self.searxng.text().strip(),
            results=self.results.value(),
            ask_first=self.ask_first.isChecked(),
            allow_private=" ".join(self.allow_private.text().split()),
            timeout_seconds=self.timeout.value(),
            page_max_mb=self.page_mb.value(),
            page_chars=self.page_chars.value(),
            research_minutes=self.research_minutes.value(),
            research_pages=self.research_pages.value(),
            research_parallel=self.research_parallel.value(),
        )

    def _engine(self) -> str:
        return str(self.engine.currentData())

    def _follow_engine(self) -> None:
        """The SearXNG address for SearXNG, a key for an engine with one."""
        engine = self._engine()
        self.searxng.setEnabled(engine == "searxng")
        self.searxng_label.setEnabled(engine == "searxng")
        keyed = engine in LABELS
        self.key_label.setVisible(keyed)
        self.key_field.setVisible(keyed)
        self.key.clear()
        self.key_note.clear_notice()
        if keyed:
            self._read_key(engine)

    # -- the key ---------------------------------------------------------------------------------

    def _read_key(self, engine: str) -> None:
        """Say whether a key is kept for `engine` (the keyring is asked off the GUI thread)."""
        if self._keys is None:
            self.key_note.say(Tone.ERROR, tr("No key can be kept in this session."))
            self.save_key.setEnabled(False)
            return
        keys = self._keys

        def kept() -> bool:
            from chatdesk.core.secrets import LookupReason, origin_of
            from chatdesk.core.web.searching import KEYED, key_name

            found = keys.lookup(key_name(engine), origin_of(KEYED[engine]))
            return found.reason is LookupReason.FOUND

        def show(has_key: bool) -> None:
            if self._engine() == engine:
                self._say_kept(engine, has_key)

        self._runner.run(
            self._runner.off_thread(kept), done=show, failure=self._refused, owner=self
        )

    def _say_kept(self, engine: str, has_key: bool) -> None:
        name = LABELS[engine]
        if has_key:
            said = tr("A key for {engine} is kept; type a new one to replace it.", engine=name)
            self.key.setPlaceholderText(tr("Saved"))
            self.key_note.say(Tone.INFO, said)
        else:
            self.key.setPlaceholderText("")
            self.key_note.say(Tone.WARNING, tr("{engine} needs a key to search.", engine=name))

    def _save_key(self) -> None:
        engine, typed = self._engine(), self.key.text().strip()
        if self._keys is None or engine not in LABELS or not typed:
            return
        from chatdesk.core.web.searching import save_key

        keys = self._keys

        def saved(_: object) -> None:
            self.key.clear()
            if self._engine() == engine:
                self._say_kept(engine, True)

        self.key_note.say(Tone.BUSY, tr("Saving the key…"))
        call = self._runner.off_thread(save_key, keys, engine, typed)
        self._runner.run(call, done=saved, failure=self._refused, owner=self)

    def _refused(self, error: ChatdeskError) -> None:
        from chatdesk.core.secrets import NoKeyring

        reason = getattr(self._keys, "reason", "")
        if isinstance(error, NoKeyring) and reason:  # its words are for a provider's key
            said = tr("The key cannot be kept: {reason}.", reason=reason)
        else:
            said = str(error)
        self.key_note.say(Tone.ERROR, said)


def _label(text: str, buddy: QWidget, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setBuddy(buddy)
    return label


def _spin(parent: QWidget, name: str, spoken: str, low: int, high: int, value: int) -> QSpinBox:
    spin = QSpinBox(parent)
    spin.setObjectName(name)
    spin.setAccessibleName(spoken)
    spin.setRange(low, high)
    spin.setValue(value)
    return spin


def _decimal(
    parent: QWidget, name: str, spoken: str, bounds: tuple[float, float], suffix: str
) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(parent)
    spin.setObjectName(name)
    spin.setAccessibleName(spoken)
    spin.setDecimals(1)
    spin.setRange(*bounds)
    spin.setSingleStep(1.0 if bounds[0] >= 1 else 0.5)
    spin.setSuffix(suffix)
    return spin
