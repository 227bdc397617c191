"""The global shortcut (`[desktop] quick_shortcut`): keys that open the quick window from any
program, registered the system's own way (the choice is noted in docs/decisions/): a key
grab on X11 (`shortcut_x11`), `RegisterHotKey` on Windows (`shortcut_windows`), Carbon's
`RegisterEventHotKey` on macOS (`shortcut_macos`), the desktop portal's GlobalShortcuts on
Wayland (`shortcut_portal`). Everything happens on the GUI thread: the systems deliver the key
press through Qt's own event loop (the portal through chatdesk's asyncio loop, which runs on it).
The portal answers later, and the desktop chooses the keys: `status()` says which it bound.

Where no shortcut can be had (a Wayland desktop without the portal's GlobalShortcuts, keys
another program holds, a refusal), `status()` says why in
words the user reads, and how to bind `chatdesk --quick` in the desktop's own keyboard settings
instead — that command reaches the running chatdesk like any second start."""

from __future__ import annotations

import enum
import logging
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication

from chatdesk.core.i18n import tr
from chatdesk.ui.desktop.keys import Keys, NotAShortcut, ShortcutTaken, names_keys, parse_keys
from chatdesk.ui.settings.notices import Tone

if TYPE_CHECKING:
    from chatdesk.ui.preferences import PreferencesDialog

log = logging.getLogger(__name__)


class Backend(Protocol):
    """A system's way to hold keys for chatdesk, whichever program has the focus."""

    def grab(self, keys: Keys) -> None:
        """Hold `keys` (letting go of those held before). Raises ShortcutTaken when another
        program holds them, NotAShortcut when this keyboard has no such key."""

    def release(self) -> None: ...

    def close(self) -> None: ...


class State(enum.Enum):
    OFF = "off"  # no keys set
    REGISTERED = "registered"
    TAKEN = "taken"  # another program holds the keys
    INVALID = "invalid"  # keys that cannot be a global shortcut
    UNSUPPORTED = "unsupported"  # this system or session offers none
    ASKING = "asking"  # the desktop was asked (its portal answers later)
    REFUSED = "refused"  # the desktop said no (its dialog cancelled, or refused)


class GlobalShortcut(QObject):
    """The keys of `[desktop] quick_shortcut`, held while chatdesk runs. `pressed` is emitted
    on the GUI thread each time they are pressed; `status_changed` carries `status()`."""

    pressed = Signal()
    status_changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._backend: Backend | None = None
        self._unsupported = False  # this session has none (known once asked)
        self._reason = ""  # why no shortcut can be had here
        self._text = ""
        self._keys: Keys | None = None
        self._later = False  # the backend's answer comes later (the portal), through _told
        self._bound: str | None = None  # the keys the desktop bound, as it names them
        self._refusal = ""  # the desktop's no, in words the user reads
        self._closed: Backend | None = None  # let go of at close(), told until aclose()
        self.state = State.OFF

    def apply(self, text: str) -> None:
        """Hold the keys Qt's portable `text` names ("Ctrl+Alt+Space"; empty: none) instead of
        those held before; what came of it is `state` and `status()`."""
        if text == self._text and self.state is not State.TAKEN:
            return  # the same keys, held already (or as impossible as before)
        self._text = text
        self._hold(text)
        self.status_changed.emit(self.status())

    def _hold(self, text: str) -> None:
        try:
            keys = parse_keys(text)
        except NotAShortcut:
            self._set(State.INVALID, None)
            return
        if keys is None:
            self._set(State.OFF, None)
            return
        backend = self._system_backend()
        if backend is None:
            self._set(State.UNSUPPORTED, keys)
            return
        try:
            backend.grab(keys)
        except OSError as error:  # the system refused for a reason of its own
            log.warning("the global shortcut %r was refused: %s", text, error)
            self._reason = tr("chatdesk could not set a shortcut here ({error}).", error=str(error))
            self._set(State.UNSUPPORTED, keys)
        except ShortcutTaken:
            self._set(State.TAKEN, keys)
        except NotAShortcut:
            self._set(State.INVALID, keys)
        else:
            self._set(State.ASKING if self._later else State.REGISTERED, keys)

    def _set(self, state: State, keys: Keys | None) -> None:
        if state not in (State.REGISTERED, State.ASKING) and self._backend is not None:
            self._backend.release()
        self.state, self._keys, self._bound = state, keys, None
        log.info("global shortcut %r: %s", self._text, state.value)

    def _told(self, kind: str, words: str) -> None:
        """What the desktop's portal made of the keys asked for (`shortcut_portal.Told`)."""
        if self.state not in (State.ASKING, State.REGISTERED):
            return  # switched off or other keys since
        if kind == "none":
            self._unsupported, self._reason = True, _why_none("wayland")
            self._set(State.UNSUPPORTED, self._keys)
        elif kind == "refused":
            self._refusal = words
            self._set(State.REFUSED, self._keys)
        else:
            self.state, self._bound = State.REGISTERED, words
            log.info("global shortcut %r: bound by the desktop to %r", self._text, words)
        self.status_changed.emit(self.status())

    def tell_preferences(self, dialog: PreferencesDialog) -> None:
        """Preferences ▸ Desktop shows the status under the keys while the dialog is open."""
        page = dialog.desktop

        def show(*_: object) -> None:
            warns = self.state in (State.TAKEN, State.INVALID, State.UNSUPPORTED, State.REFUSED)
            page.show_shortcut_status(self.status(), Tone.WARNING if warns else Tone.INFO)

        show()
        self.status_changed.connect(show)
        page.destroyed.connect(lambda: self.status_changed.disconnect(show))

    def close(self) -> None:
        """Let go of the keys, for the other programs (chatdesk is quitting); a desktop's portal
        is told while `aclose` is awaited."""
        if self._backend is not None:
            self._backend.close()
            self._closed, self._backend = self._backend, None
        self.state = State.OFF

    async def aclose(self) -> None:
        """Until the desktop's portal was told (its session closed)."""
        ending = getattr(self._closed, "aclose", None)  # the backends that answer later
        if ending is not None:
            await ending()

    def status(self) -> str:
        """What the user reads about the shortcut (Preferences ▸ Desktop)."""
        keys = self._keys.text() if self._keys is not None else self._text
        place = _where_to_bind()
        command = quick_command()
        if self.state is State.REGISTERED:
            return self._registered(keys)
        if self.state is State.ASKING:
            return tr(
                "Asking the desktop for {keys}. It may ask you to confirm, or to choose keys, in "
                "a dialog of its own.",
                keys=keys,
            )
        if self.state is State.REFUSED:
            return tr(
                "{refusal} To ask again, choose keys here again; or bind “{command}” to keys in "
                "{place}.",
                refusal=self._refusal,
                command=command,
                place=place,
            )
        if self.state is State.TAKEN:
            return tr(
                "{keys} is taken by another program. Choose other keys, or bind “{command}” to "
                "keys in {place}.",
                keys=keys,
                command=command,
                place=place,
            )
        if self.state is State.INVALID:
            return tr(
                "“{keys}” cannot open the quick window from other programs: choose one key "
                "with Ctrl or Alt (a function key may go alone).",
                keys=keys,
            )
        if self.state is State.UNSUPPORTED:
            return tr(
                "{reason} To open the quick window from anywhere, bind “{command}” to keys "
                "in {place}.",
                reason=self._reason,
                command=command,
                place=place,
            )
        return tr(
            "No shortcut is set. To open the quick window from anywhere, set keys here or bind "
            "“{command}” to keys in {place}.",
            command=command,
            place=place,
        )

    def _registered(self, keys: str) -> str:
        if self._bound is None:  # held by chatdesk itself
            return tr("{keys} opens the quick window from any program.", keys=keys)
        if not self._bound:
            return tr(
                "The desktop keeps chatdesk's shortcut without keys for now: give it keys in "
                "your desktop's keyboard settings."
            )
        if self._keys is not None and not names_keys(self._bound, self._keys):
            return tr(
                "The desktop bound {keys} instead of the keys set here: they open the quick "
                "window from any program (the desktop's keyboard settings can change them).",
                keys=self._bound,
            )
        return tr(
            "{keys} opens the quick window from any program (the desktop's keyboard settings "
            "can change it).",
            keys=self._bound,
        )

    def _system_backend(self) -> Backend | None:
        """This session's way to hold keys, made on first use; None (and `_unsupported` says
        why) when there is none."""
        if self._unsupported:
            return None
        if self._backend is not None:
            return self._backend
        platform = QGuiApplication.platformName()
        try:
            self._backend = _backend_for(
                platform, self.pressed.emit, self._layout_changed, self._told
            )
        except OSError as error:  # the system's library missing or refusing
            log.warning("no global shortcut on %s: %s", platform, error)
            self._unsupported = True
            self._reason = tr("chatdesk could not set a shortcut here ({error}).", error=str(error))
            return None
        if self._backend is None:
            self._unsupported = True
            self._reason = _why_none(platform)
        self._later = bool(getattr(self._backend, "answers_later", False))
        return self._backend

    def _layout_changed(self) -> None:
        """Another keyboard layout: the same keys, held again where they now are."""
        if self.state in (State.REGISTERED, State.INVALID, State.TAKEN):
            self._hold(self._text)
            self.status_changed.emit(self.status())


def _backend_for(
    platform: str,
    pressed: Callable[[], object],
    moved: Callable[[], None],
    told: Callable[[str, str], None],
) -> Backend | None:
    if _wayland(platform):
        from chatdesk.ui.desktop.shortcut_portal import PortalShortcut

        return PortalShortcut(pressed, told)
    if platform == "xcb":
        from chatdesk.ui.desktop.shortcut_x11 import X11Shortcut

        return X11Shortcut(pressed, moved)
    if platform == "windows" and sys.platform == "win32":
        from chatdesk.ui.desktop.shortcut_windows import WindowsShortcut

        return WindowsShortcut(pressed)
    if platform == "cocoa" and sys.platform == "darwin":
        from chatdesk.ui.desktop.shortcut_macos import MacShortcut

        return MacShortcut(pressed)
    return None


def _wayland(platform: str) -> bool:
    """A Wayland session, where programs ask the desktop's portal for shortcuts: Qt on Wayland,
    or Qt drawing without a display server of its own (offscreen) in a Wayland session. Qt on
    X11 (Xwayland included) grabs keys itself."""
    session = platform.startswith("wayland") or bool(os.environ.get("WAYLAND_DISPLAY"))
    return session and platform not in ("xcb", "windows", "cocoa")


def _why_none(platform: str) -> str:
    if platform.startswith("wayland"):
        return tr("This Wayland desktop does not let programs set shortcuts of their own.")
    return tr(
        "This session has no desktop to set a shortcut on (Qt's “{platform}” platform).",
        platform=platform,
    )


def _where_to_bind() -> str:
    """Where this desktop keeps shortcuts of the user's own, named as its settings name it."""
    if sys.platform == "win32":
        return tr("the Properties of chatdesk's shortcut in the Start menu (Shortcut key)")
    elif sys.platform == "darwin":
        return tr("a Shortcuts app shortcut, given keys in its Details")
    else:
        return _linux_place(os.environ.get("XDG_CURRENT_DESKTOP", "").upper().split(":"))


def _linux_place(desktops: list[str]) -> str:
    if "GNOME" in desktops:
        return tr("Settings ▸ Keyboard ▸ View and Customize Shortcuts ▸ Custom Shortcuts")
    if "KDE" in desktops:
        return tr("System Settings ▸ Keyboard ▸ Shortcuts ▸ Add New ▸ Command or Script")
    return tr("your desktop's keyboard settings")


def quick_command(scripts: str | None = None, search_path: str | None = None) -> str:
    """The command that opens the quick window of the running chatdesk, as a user would type
    it into their desktop's shortcut settings: `chatdesk --quick` when it is on the PATH (of
    `search_path`; this process's by default), else the `chatdesk` script installed with this
    Python's packages (in `scripts`, by default where they go: a venv's bin or Scripts, not on
    the PATH), named in full, and only else `python -m chatdesk`, whose start costs more (runpy
    imports much before chatdesk runs)."""
    if getattr(sys, "frozen", False):  # the packaged build: its own executable
        parts = [sys.executable, "--quick"]
    elif shutil.which("chatdesk", path=search_path):
        parts = ["chatdesk", "--quick"]
    elif script := _installed_script(scripts):
        parts = [script, "--quick"]
    else:
        parts = [sys.executable, "-m", "chatdesk", "--quick"]
    join = subprocess.list2cmdline if sys.platform == "win32" else shlex.join
    return join(parts)


def _installed_script(scripts: str | None) -> str:
    """The `chatdesk` command pip or uv installed in `scripts` ("" when there is none)."""
    if scripts is None:
        import sysconfig

        scripts = sysconfig.get_path("scripts")
    name = "chatdesk.exe" if sys.platform == "win32" else "chatdesk"
    script = os.path.join(scripts, name)
    return script if os.path.isfile(script) and os.access(script, os.X_OK) else ""
