"""Add or edit one provider profile: check it in place, test it against the server, save it.

Saving goes through `ProviderManager.save`, which puts the key in the keyring (or this
session's memory) and swaps the provider in live: the profile is in use once `saved` fires.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import mark, ntr, tr
from chatdesk.core.providers.manager import ConnectionTest, ProfileView, ProviderManager
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.secrets import KeyringFailed, NoKeyring
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.key_field import KeyField, origin_or_none
from chatdesk.ui.settings.model_fields import ModelFields
from chatdesk.ui.settings.notices import Notice, Tone
from chatdesk.ui.settings.profile_check import Checked, Field, check_profile
from chatdesk.ui.settings.save_buttons import save_buttons

PLAIN_HTTP_WARNING = mark(
    "This server is reached over plain http: requests and the key travel unencrypted on your "
    "network. Use it only for a server on this computer or a network you trust."
)


class ProfileEditor(QDialog):
    saved = Signal(object)  # the ProfileView of the saved profile

    def __init__(
        self,
        manager: ProviderManager,
        runner: Runner,
        *,
        start: ProviderProfile,
        blank: bool = False,  # start's address is only a stand-in: show an empty field
        view: ProfileView | None = None,  # the saved profile being edited; None: a new one
        taken: Collection[str] = (),  # names of the other profiles
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._manager = manager
        self._runner = runner
        self._view = view
        self._editing = view.name if view is not None else None
        self._taken = frozenset(taken)
        self._busy = False
        self._confirmed_origin: str | None = None  # where plain http was agreed to
        self.setWindowTitle(tr("Provider “{name}”", name=view.name) if view else tr("New provider"))
        self.fields = ModelFields(self)
        self.key = KeyField(view, keyring_reason=manager.keyring_reason, parent=self)
        layout = QVBoxLayout(self)
        columns = QHBoxLayout()
        columns.addWidget(self._server_box(), 1)
        columns.addWidget(self._models_box(), 1)
        layout.addLayout(columns)
        self.problem = Notice("profileProblem", self)
        layout.addWidget(self.problem)
        layout.addWidget(self._buttons())
        # No width of its own: one would override what its two columns of fields need, and cut
        # their labels in a language of long words (German), the plain http tick shown or not.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self._fill(start)
        if blank:
            self.url.clear()
        self._set_tab_order()
        self._connect()
        self._update()
        first = self.key.line if self.key.asks_again else self.name
        first.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- building --------------------------------------------------------------------------------

    def _server_box(self) -> QGroupBox:
        box = QGroupBox(tr("Server"), self)
        self.name = self._line(
            "profileName", tr("Name"), tr("e.g. {example}", example="ollama"), box
        )
        self.name_problem = Notice("nameProblem", box)
        self.url = self._line(
            "baseUrl",
            tr("Base URL"),
            tr("e.g. {example}", example="http://localhost:11434/v1"),
            box,
        )
        self.url_problem = Notice("urlProblem", box)
        self.http_warning = Notice("plainHttpWarning", box)
        self.confirm_http = QCheckBox(tr("I &understand; use plain http for this server"), box)
        self.confirm_http.setObjectName("confirmPlainHttp")
        self.test = QPushButton(tr("Test &connection"), box)
        self.test.setObjectName("testConnection")
        self.test.setToolTip(tr("Ask the server for its models with these settings"))
        self.test_result = Notice("testResult", box)
        form = QFormLayout(box)
        form.addRow(tr("&Name:"), self.name)
        form.addRow(self.name_problem)
        form.addRow(tr("&Base URL:"), self.url)
        form.addRow(self.url_problem)
        form.addRow(self.http_warning)
        form.addRow(self.confirm_http)
        form.addRow(tr("API &key:"), self.key)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test)
        test_row.addStretch(1)
        form.addRow(test_row)
        form.addRow(self.test_result)
        return box

    def _line(self, name: str, accessible: str, placeholder: str, parent: QWidget) -> QLineEdit:
        line = QLineEdit(parent)
        line.setObjectName(name)
        line.setAccessibleName(accessible)
        line.setPlaceholderText(placeholder)
        return line

    def _models_box(self) -> QGroupBox:
        box = QGroupBox(tr("Models and limits"), self)
        layout = QVBoxLayout(box)
        layout.addWidget(self.fields)
        layout.addStretch(1)
        return box

    def _buttons(self) -> QDialogButtonBox:
        buttons, self.save = save_buttons(self, "saveProfile", self._save)
        return buttons

    def _set_tab_order(self) -> None:
        """Down the server column, then down the models column: the order they are read in."""
        key, fields = self.key, self.fields
        chain: list[QWidget] = [self.name, self.url, self.confirm_http]
        chain += [key.line, key.forget, key.session, self.test, fields.model, fields.fetch]
        chain += [fields.others, fields.context, *fields.prices, fields.requests, self.save]
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    def _fill(self, profile: ProviderProfile) -> None:
        self.name.setText(profile.name)
        self.url.setText(profile.base_url)
        self.fields.fill(profile)
        self.key.follow_url(profile.base_url)
        saved = self._view.profile if self._view is not None else None
        # Confirmed when it was saved: plain http to the same server needs no second "yes".
        if saved is not None and saved.plain_http:
            self._confirmed_origin = origin_or_none(saved.base_url)
            self.confirm_http.setChecked(self._confirmed_origin == origin_or_none(profile.base_url))
        self.http_warning.say(Tone.WARNING, tr(PLAIN_HTTP_WARNING))

    def _connect(self) -> None:
        self.name.textChanged.connect(self._update)
        self.url.textChanged.connect(self._url_changed)
        self.confirm_http.toggled.connect(self._http_confirmed)
        self.key.changed.connect(self._update)
        self.fields.changed.connect(self._update)
        self.test.clicked.connect(lambda: self._ask_server(self._show_test))
        self.fields.fetch.clicked.connect(lambda: self._ask_server(self._show_models))

    # -- checking --------------------------------------------------------------------------------

    def checked(self) -> Checked:
        return check_profile(self.fields.typed(self.name.text(), self.url.text()), self._taken)

    def _url_changed(self) -> None:
        url = self.url.text().strip()
        self.key.follow_url(url)
        # The "yes" holds for the server it was given for: another one needs its own, and
        # typing through other addresses on the way back to it does not lose it.
        self.confirm_http.blockSignals(True)
        self.confirm_http.setChecked(
            self._confirmed_origin is not None and origin_or_none(url) == self._confirmed_origin
        )
        self.confirm_http.blockSignals(False)
        self._update()

    def _http_confirmed(self, confirmed: bool) -> None:
        self._confirmed_origin = origin_or_none(self.url.text().strip()) if confirmed else None
        self._update()

    def _update(self) -> None:
        checked = self.checked()
        for notice, field in (
            (self.name_problem, Field.NAME),
            (self.url_problem, Field.URL),
            (self.fields.prices_problem, Field.PRICES),
            (self.problem, Field.OTHER),
        ):
            notice.say(Tone.ERROR, checked.problems.get(field, ""))
        plain_http = checked.profile is not None and checked.profile.plain_http
        self.http_warning.setVisible(plain_http)
        self.confirm_http.setVisible(plain_http)
        ready = self._ready(checked) and not self._busy
        for button in (self.save, self.test, self.fields.fetch):
            button.setEnabled(ready)
        self._fit_soon()

    def _fit_soon(self) -> None:
        # Wrapped notices come and go as the user types; a window does not follow the height
        # its wrapped text needs by itself, so fit it once the layout has settled.
        QTimer.singleShot(0, self, self._fit)

    def _fit(self) -> None:
        needed = self.heightForWidth(self.width())
        if needed > 0 and needed != self.height():
            self.resize(self.width(), needed)

    def _ready(self, checked: Checked) -> bool:
        profile = checked.profile
        return profile is not None and (not profile.plain_http or self.confirm_http.isChecked())

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update()

    # -- talking to the server and saving --------------------------------------------------------

    def _ask_server(self, then: Callable[[ConnectionTest], None]) -> None:
        profile = self.checked().profile
        if profile is None or self._busy:
            return
        self.test_result.say(Tone.BUSY, tr("Connecting to {host}…", host=profile.host))
        self._set_busy(True)
        call = self._manager.test(profile, self.key.key(), editing=self._editing)
        self._runner.run(
            call,
            done=then,
            failure=lambda error: self.test_result.say(Tone.ERROR, str(error)),
            settled=lambda: self._set_busy(False),
            owner=self,
        )

    def _show_test(self, result: ConnectionTest) -> None:
        self.test_result.say(Tone.SUCCESS if result.ok else Tone.ERROR, result.message)
        self.fields.add_models(result.models)
        self._fit_soon()

    def _show_models(self, result: ConnectionTest) -> None:
        self.test_result.clear_notice()
        if not result.ok:
            self.fields.fetch_result.say(Tone.ERROR, result.message)
            return
        self.fields.add_models(result.models)
        count = len(result.models)
        found = ntr(
            "{n} model found; pick one or type a name.",
            "{n} models found; pick one or type a name.",
            count,
        )
        self.fields.fetch_result.say(Tone.SUCCESS, found if count else result.message)
        if count and not self.fields.model.currentText():
            self.fields.model.setCurrentIndex(self.fields.model.findText(result.models[0]))

    def _save(self) -> None:
        checked = self.checked()
        if checked.profile is None or not self._ready(checked) or self._busy:
            return  # the problems are on screen already
        self.problem.clear_notice()
        self._set_busy(True)
        call = self._manager.save(
            checked.profile,
            key=self.key.key(),
            keeping=self.key.keeping(),
            editing=self._editing,
        )
        self._runner.run(
            call,
            done=self._saved,
            failure=self._refused,
            settled=lambda: self._set_busy(False),
            owner=self,
        )

    def _saved(self, view: ProfileView) -> None:
        self.saved.emit(view)
        self.accept()

    def _refused(self, error: ChatdeskError) -> None:
        if isinstance(error, NoKeyring | KeyringFailed):
            self.key.show_refusal(str(error))
        else:
            self.problem.say(Tone.ERROR, str(error))
