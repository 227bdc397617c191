""" "Connect a model": the window's first screen while no provider is set up, and again from
File ▸ Connect a model. A model server found on this computer is used in one click; a hosted
provider takes its key (kept in the system keyring), which is checked by asking the server for
its models, and the model to start with. "Try the offline demo" keeps the built-in demo.

It calls the core through the window's `Runner` only: looking for local servers, checking a
key and saving the profile all run off the GUI thread's way."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr
from chatdesk.core.providers.catalogue import HOSTED, CatalogueEntry, models_to_offer
from chatdesk.core.providers.discovery import LocalServer
from chatdesk.core.providers.manager import ConnectionTest, ProfileView, ProviderManager
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.ui.badges import badge_icon
from chatdesk.ui.connect.hosted_form import HostedForm
from chatdesk.ui.connect.local_list import LocalServers
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.notices import Tone
from chatdesk.ui.settings.providers_page import unique_name
from chatdesk.ui.theme.colours import PROVIDER_MARKS

FindServers = Callable[[], Coroutine[Any, Any, list[LocalServer]]]
ENTRY_ROLE = Qt.ItemDataRole.UserRole
_MARK_SIZE = 24
BODY_WIDTH = 880  # the page's widest line: about the conversation's reading column


class ConnectPage(QWidget):
    connected = Signal(str, str)  # the profile's name, the model to start with
    demo_chosen = Signal()

    def __init__(
        self,
        manager: ProviderManager,
        runner: Runner,
        find: FindServers,
        parent: QWidget | None = None,
        *,
        hosted: Sequence[CatalogueEntry] = HOSTED,
    ) -> None:
        """`find` looks for model servers on this computer; `hosted` are the providers
        offered (chatdesk's catalogue)."""
        super().__init__(parent)
        self._hosted_entries = tuple(hosted)
        self.setObjectName("connectPage")
        self._manager = manager
        self._runner = runner
        self._find = find
        outer = QHBoxLayout(self)
        body = QWidget(self)  # a reading column's width, centred: lines short enough to read
        body.setMaximumWidth(BODY_WIDTH)
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        outer.addStretch(1)
        outer.addWidget(body, 8)
        outer.addStretch(1)
        # No heading of its own: the window's header names the page ("Connect a model").
        hint = tr(
            "chatdesk answers with a model you connect: one running on this computer, or a "
            "hosted provider with your API key (kept in the system keyring, never in a file)."
        )
        column.addWidget(self._label("connectHint", hint))
        column.addWidget(self._label("connectSection", tr("On this computer")))
        self.local = LocalServers(self)
        self.local.chosen.connect(self._use_local)
        self.local.look_again.connect(self.look)
        column.addWidget(self.local)
        column.addWidget(self._label("connectSection", tr("Hosted providers")))
        column.addLayout(self._hosted())
        column.addWidget(self._label("connectSection", tr("Without a model")))
        column.addLayout(self._demo())
        column.addStretch(1)

    def _label(self, name: str, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setWordWrap(True)
        return label

    def _hosted(self) -> QHBoxLayout:
        self.providers = QListWidget(self)
        self.providers.setObjectName("hostedProviders")
        self.providers.setAccessibleName(tr("Hosted providers"))
        self.providers.setIconSize(QSize(_MARK_SIZE, _MARK_SIZE))
        for entry in self._hosted_entries:
            colour = PROVIDER_MARKS.get(entry.id)
            item = QListWidgetItem(badge_icon(entry.name, None, colour, _MARK_SIZE), entry.name)
            item.setData(ENTRY_ROLE, entry.id)
            self.providers.addItem(item)
        self.providers.setMinimumWidth(200)
        self.providers.setMaximumWidth(240)
        # As tall as its rows, styled: the whole catalogue shows without scrolling.
        self.providers.setSizeAdjustPolicy(QListWidget.SizeAdjustPolicy.AdjustToContents)
        self.providers.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form = HostedForm(self)
        self.form.setEnabled(False)
        self.form.key_page.setText(tr("Choose a provider to connect it."))
        self.providers.currentItemChanged.connect(self._provider_chosen)
        self.form.check_requested.connect(self._check)
        self.form.connect_requested.connect(self._connect_hosted)
        row = QHBoxLayout()
        row.addWidget(self.providers, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.form, 1)
        return row

    def _demo(self) -> QHBoxLayout:
        self.demo = QPushButton(tr("&Try the offline demo"), self)
        self.demo.setObjectName("offlineDemo")
        self.demo.clicked.connect(self.demo_chosen)
        note = self._label(
            "connectNote",
            # translators: beside "Try the offline demo"; the page is File ▸ Connect a model
            tr("Sample answers, no network. This page stays in the File menu."),
        )
        row = QHBoxLayout()
        row.addWidget(self.demo)
        row.addWidget(note, 1)
        return row

    # -- acting ----------------------------------------------------------------------------------

    def look(self) -> None:
        """Look for model servers on this computer (bounded; the page stays usable)."""
        self.local.looking()
        self._runner.run(self._find(), done=self.local.show_found, quiet=True, owner=self)

    def choose(self, provider: str) -> None:
        """Show the form of the hosted provider `provider` (its catalogue id)."""
        for row in range(self.providers.count()):
            item = self.providers.item(row)
            if item is not None and item.data(ENTRY_ROLE) == provider:
                self.providers.setCurrentItem(item)

    def _provider_chosen(self, item: QListWidgetItem | None) -> None:
        key = item.data(ENTRY_ROLE) if item is not None else None
        entry = next((e for e in self._hosted_entries if e.id == key), None)
        self.form.setEnabled(entry is not None)
        if entry is not None:
            self.form.show_entry(entry)

    def _check(self) -> None:
        try:
            profile = self.form.profile()
        except ChatdeskError as error:  # Azure's fields: what is missing
            self.form.say(Tone.ERROR, str(error))
            return
        self.form.say(Tone.INFO, tr("Checking the key with {host}…", host=profile.host))
        self._runner.run(
            self._manager.test(profile, self.form.key.text()),
            done=lambda test: self._checked(profile, test),
            failure=lambda error: self.form.say(Tone.ERROR, str(error)),
            owner=self,
        )

    def _checked(self, profile: ProviderProfile, test: ConnectionTest) -> None:
        entry = self.form.entry
        assert entry is not None
        models = models_to_offer(entry, test.models)
        if test.ok:
            self.form.say(Tone.SUCCESS, test.message)
        elif models:
            said = tr(
                "{problem} You can still connect it with one of its usual models.",
                problem=test.message,
            )
            self.form.say(Tone.WARNING, said)
        else:
            self.form.say(Tone.ERROR, test.message)
        self.form.offer_models(models, profile.default_model)

    def _connect_hosted(self) -> None:
        model = self.form.models.currentText()
        profile = self.form.profile()
        start = ProviderProfile(
            self._free_name(profile.name),
            profile.base_url,
            default_model=model,
            models=profile.models,
        )
        self._save(start, self.form.key.text(), self.form.say)

    def _use_local(self, server: object, model: str) -> None:
        assert isinstance(server, LocalServer)
        entry = server.entry
        profile = ProviderProfile(self._free_name(entry.id), entry.base_url, default_model=model)
        self._save(profile, None, lambda tone, text: self.local.status.setText(text))

    def _save(
        self, profile: ProviderProfile, key: str | None, say: Callable[[Tone, str], None]
    ) -> None:
        model = profile.default_model
        self._runner.run(
            self._manager.save(profile, key=key),
            done=lambda view: self._saved(view, model),
            failure=lambda error: say(Tone.ERROR, str(error)),
            owner=self,
        )

    def _saved(self, view: ProfileView, model: str) -> None:
        self.connected.emit(view.name, model)

    def _free_name(self, base: str) -> str:
        return unique_name(base, {view.name for view in self._manager.views()})
