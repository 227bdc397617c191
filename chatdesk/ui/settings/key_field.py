"""The API key of a profile: typed, never shown, never filled in with the saved key.

An empty field keeps the saved key; "Forget key" removes it. A key is bound to the host it was
entered for, so when the base URL moves to another host the field asks for the key again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QLineEdit, QPushButton, QWidget

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import mark, tr
from chatdesk.core.providers.manager import KeyKeeping, KeyState, ProfileView
from chatdesk.core.secrets import origin_of
from chatdesk.ui.settings.notices import Notice, Tone, line_over_notes

_STORED = (KeyState.KEYRING, KeyState.SESSION)  # keys chatdesk keeps and can forget
_HAS_KEY = (*_STORED, KeyState.ENVIRONMENT)
_ASKS_AGAIN = (KeyState.ORIGIN_CHANGED, KeyState.UNREADABLE)
NEW_PROFILE_NOTE = mark("Leave it empty for a server that needs no key.")
NEW_PROFILE_KEYRING_NOTE = mark(
    "Leave it empty for a server that needs no key. A key is kept in the system keyring, never "
    "in a file."
)


def origin_or_none(url: str) -> str | None:
    try:
        return origin_of(url)
    except ChatdeskError:
        return None  # the URL field explains what is wrong with it


class KeyField(QWidget):
    changed = Signal()

    def __init__(
        self,
        view: ProfileView | None,
        *,
        keyring_reason: str = "",  # why there is no keyring; empty when there is one
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._new_note = tr(NEW_PROFILE_NOTE if keyring_reason else NEW_PROFILE_KEYRING_NOTE)
        self._state = view.key_state if view is not None else KeyState.NONE
        self._saved_origin = origin_or_none(view.profile.base_url) if view is not None else None
        self._url = view.profile.base_url if view is not None else ""
        self.line = QLineEdit(self)
        self.line.setObjectName("apiKey")
        self.line.setAccessibleName(tr("API key"))
        self.line.setEchoMode(QLineEdit.EchoMode.Password)
        self.line.setClearButtonEnabled(True)
        self.forget = QPushButton(tr("For&get key"), self)
        self.forget.setObjectName("forgetKey")
        self.forget.setCheckable(True)
        self.forget.setToolTip(tr("Remove the saved key when the profile is saved"))
        self.forget.setVisible(self._state in _STORED)
        self.note = Notice("keyNote", self)
        self.no_keyring = Notice("keyringReason", self)
        if keyring_reason:
            self.no_keyring.say(
                Tone.WARNING,
                tr(
                    "A key cannot be saved: {reason}. Keep it for this session only, or set the "
                    "OPENAI_API_KEY environment variable before starting chatdesk.",
                    reason=keyring_reason,
                ),
            )
        self.session = QCheckBox(tr("Keep the key for &this session only"), self)
        self.session.setObjectName("keepForSession")
        self.session.setToolTip(tr("The key is forgotten when chatdesk quits; nothing is saved"))
        self.session.setChecked(self._state is KeyState.SESSION)
        self.problem = Notice("keyProblem", self)
        under = (self.note, self.no_keyring, self.session, self.problem)
        line_over_notes(self, self.line, self.forget, *under)
        self.line.textChanged.connect(self.changed)
        self.forget.toggled.connect(self._forget_toggled)
        self.follow_url(self._url)

    # -- what the editor saves -------------------------------------------------------------------

    def key(self) -> str | None:
        """The key to save: None keeps the saved one, "" forgets it."""
        if self.forget.isChecked():
            return ""
        return self.line.text().strip() or None

    def keeping(self) -> KeyKeeping:
        return KeyKeeping.SESSION if self.session.isChecked() else KeyKeeping.KEYRING

    @property
    def asks_again(self) -> bool:
        return self.note.tone is Tone.WARNING

    # -- reacting --------------------------------------------------------------------------------

    def follow_url(self, url: str) -> None:
        """Say where the key stands for the host `url` names now."""
        self._url = url
        self.problem.clear_notice()
        if self.forget.isChecked():
            self.note.say(Tone.INFO, tr("The saved key is forgotten when you save."))
        elif self._moved(url):
            # translators: said in place of a web address in "enter it again for {host}"
            host = origin_or_none(url) or tr("the new host")
            # translators: {saved} and {host} are web addresses ("https://example.com")
            said = tr(
                "The saved key was entered for {saved}; enter it again for {host}, or leave the "
                "field empty to use no key. A key is never sent to a host it was not entered for.",
                saved=self._saved_origin,
                host=host,
            )
            self.note.say(Tone.WARNING, said)
        elif self._state in _ASKS_AGAIN and self._view is not None:
            self.note.say(Tone.WARNING, self._view.key_note)
        else:
            self.note.say(Tone.INFO, self._view.key_note if self._view else self._new_note)
        self._show_placeholder()

    def show_refusal(self, message: str) -> None:
        """The keyring refused the key: say why and offer keeping it for this session."""
        self.problem.say(Tone.ERROR, message)
        self.session.setFocus(Qt.FocusReason.OtherFocusReason)

    def _moved(self, url: str) -> bool:
        origin = origin_or_none(url)
        return self._state in _HAS_KEY and origin is not None and origin != self._saved_origin

    def _show_placeholder(self) -> None:
        if self.asks_again:
            text = tr("Enter the key for this host")
        elif self._state in _STORED:
            text = tr("Saved; type a new key to replace it")
        elif self._state is KeyState.ENVIRONMENT:
            text = tr("From OPENAI_API_KEY; type a key to use another")
        else:
            # translators: the API key field's placeholder when there is no key
            text = tr("None")
        self.line.setPlaceholderText(text)

    def _forget_toggled(self, forget: bool) -> None:
        if forget:
            self.line.clear()
        self.line.setEnabled(not forget)
        self.session.setEnabled(not forget)
        self.follow_url(self._url)
        self.changed.emit()
