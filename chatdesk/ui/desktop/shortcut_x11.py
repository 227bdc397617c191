"""The global shortcut on X11: a passive key grab on every root window, made through libxcb on
the connection Qt already has, its key presses read by Qt's native event filter on the GUI
thread. The grab is made once per lock state (Caps Lock, Num Lock, both, neither), so the
shortcut works whatever lights are on; a grab another program holds already is BadAccess,
reported as taken. The keyboard's layout is read from the server, and read again when it
changes (a MappingNotify), the grab moved to the keys that now make the shortcut."""

from __future__ import annotations

import ctypes
import ctypes.util
import itertools
from collections.abc import Callable

from PySide6.QtCore import QAbstractNativeEventFilter, QByteArray, QTimer
from PySide6.QtGui import QGuiApplication, QNativeInterface

from chatdesk.ui.desktop.keys import Keys, NotAShortcut, ShortcutTaken, x11_keysym

_u8, _u16, _u32 = ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32
_KEY_PRESS, _KEY_RELEASE, _MAPPING_NOTIFY = 2, 3, 34
_BAD_ACCESS = 10
_GRAB_MODE_ASYNC = 1
_SHIFT, _LOCK, _CONTROL = 0x1, 0x2, 0x4
_MOD_BITS = (0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80)  # Shift, Lock, Control, Mod1 .. Mod5
_ALT_KEYSYMS = frozenset({0xFFE9, 0xFFEA})  # Alt_L, Alt_R
_SUPER_KEYSYMS = frozenset({0xFFEB, 0xFFEC})  # Super_L, Super_R
_NUM_LOCK_KEYSYM = 0xFF7F


class _Setup(ctypes.Structure):
    _fields_ = [
        ("status", _u8),
        ("pad0", _u8),
        ("protocol_major", _u16),
        ("protocol_minor", _u16),
        ("length", _u16),
        ("release", _u32),
        ("resource_base", _u32),
        ("resource_mask", _u32),
        ("motion_buffer", _u32),
        ("vendor_len", _u16),
        ("max_request", _u16),
        ("roots_len", _u8),
        ("formats_len", _u8),
        ("image_order", _u8),
        ("bitmap_order", _u8),
        ("scanline_unit", _u8),
        ("scanline_pad", _u8),
        ("min_keycode", _u8),
        ("max_keycode", _u8),
        ("pad1", _u8 * 4),
    ]


class _Screens(ctypes.Structure):
    _fields_ = [("data", ctypes.POINTER(_u32)), ("rem", ctypes.c_int), ("index", ctypes.c_int)]


class _Cookie(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint)]


class _Reply(ctypes.Structure):
    """The head of a keyboard-mapping or modifier-mapping reply: `per` is keysyms per keycode
    or keycodes per modifier."""

    _fields_ = [("response_type", _u8), ("per", _u8), ("sequence", _u16), ("length", _u32)]


class _KeyEvent(ctypes.Structure):
    _fields_ = [
        ("response_type", _u8),
        ("detail", _u8),
        ("sequence", _u16),
        ("time", _u32),
        ("root", _u32),
        ("event", _u32),
        ("child", _u32),
        ("root_x", ctypes.c_int16),
        ("root_y", ctypes.c_int16),
        ("event_x", ctypes.c_int16),
        ("event_y", ctypes.c_int16),
        ("state", _u16),
        ("same_screen", _u8),
    ]


class _Error(ctypes.Structure):
    _fields_ = [("response_type", _u8), ("error_code", _u8)]


def _libxcb() -> ctypes.CDLL:
    xcb = ctypes.CDLL(ctypes.util.find_library("xcb") or "libxcb.so.1")
    void_p, conn = ctypes.c_void_p, ctypes.c_void_p
    signatures: dict[str, tuple[object, list[object]]] = {
        "xcb_get_setup": (ctypes.POINTER(_Setup), [conn]),
        "xcb_setup_roots_iterator": (_Screens, [ctypes.POINTER(_Setup)]),
        "xcb_screen_next": (None, [ctypes.POINTER(_Screens)]),
        "xcb_get_keyboard_mapping": (_Cookie, [conn, _u8, _u8]),
        "xcb_get_keyboard_mapping_reply": (ctypes.POINTER(_Reply), [conn, _Cookie, void_p]),
        "xcb_get_keyboard_mapping_keysyms": (ctypes.POINTER(_u32), [ctypes.POINTER(_Reply)]),
        "xcb_get_keyboard_mapping_keysyms_length": (ctypes.c_int, [ctypes.POINTER(_Reply)]),
        "xcb_get_modifier_mapping": (_Cookie, [conn]),
        "xcb_get_modifier_mapping_reply": (ctypes.POINTER(_Reply), [conn, _Cookie, void_p]),
        "xcb_get_modifier_mapping_keycodes": (ctypes.POINTER(_u8), [ctypes.POINTER(_Reply)]),
        "xcb_grab_key_checked": (_Cookie, [conn, _u8, _u32, _u16, _u8, _u8, _u8]),
        "xcb_ungrab_key": (_Cookie, [conn, _u8, _u32, _u16]),
        "xcb_request_check": (ctypes.POINTER(_Error), [conn, _Cookie]),
        "xcb_flush": (ctypes.c_int, [conn]),
    }
    for name, (result, arguments) in signatures.items():
        function = getattr(xcb, name)
        function.restype, function.argtypes = result, arguments
    return xcb


_free = ctypes.CDLL(ctypes.util.find_library("c")).free
_free.argtypes = [ctypes.c_void_p]


class _Layout:
    """The server's keyboard: which keycodes make a keysym, which modifier bits are Alt, Super
    and Num Lock."""

    def __init__(self, xcb: ctypes.CDLL, connection: int) -> None:
        setup = xcb.xcb_get_setup(connection).contents
        first, last = setup.min_keycode, setup.max_keycode
        cookie = xcb.xcb_get_keyboard_mapping(connection, first, last - first + 1)
        reply = xcb.xcb_get_keyboard_mapping_reply(connection, cookie, None)
        if not reply:
            raise OSError("the X server did not say its keyboard mapping")
        per = reply.contents.per
        count = xcb.xcb_get_keyboard_mapping_keysyms_length(reply)
        syms = xcb.xcb_get_keyboard_mapping_keysyms(reply)[:count]
        _free(reply)
        self.keysyms = {first + i // per: syms[i : i + per] for i in range(0, count, per)}
        self.alt, self.super, self.num_lock = self._modifiers(xcb, connection)

    def keycodes(self, keysym: int) -> list[int]:
        """The keys that make `keysym` unshifted (or shifted: a letter's capital)."""
        return sorted(code for code, syms in self.keysyms.items() if keysym in syms[:2])

    def _modifiers(self, xcb: ctypes.CDLL, connection: int) -> tuple[int, int, int]:
        cookie = xcb.xcb_get_modifier_mapping(connection)
        reply = xcb.xcb_get_modifier_mapping_reply(connection, cookie, None)
        found = {"alt": 0x8, "super": 0x40, "num_lock": 0x10}  # the usual, if unsaid
        if reply:
            per = reply.contents.per
            codes = xcb.xcb_get_modifier_mapping_keycodes(reply)[: per * 8]
            _free(reply)
            for index, code in enumerate(codes):
                syms = set(self.keysyms.get(code, ()))
                bit = _MOD_BITS[index // per]
                for name, wanted in (
                    ("alt", _ALT_KEYSYMS),
                    ("super", _SUPER_KEYSYMS),
                    ("num_lock", {_NUM_LOCK_KEYSYM}),
                ):
                    if code and syms & wanted and bit > _CONTROL:
                        found[name] = bit
        return found["alt"], found["super"], found["num_lock"]


class X11Shortcut(QAbstractNativeEventFilter):
    """A key grab on the display Qt is connected to; `pressed()` is called on the GUI thread
    when its keys are pressed, whichever program has the focus."""

    def __init__(self, pressed: Callable[[], object], moved: Callable[[], None]) -> None:
        """`moved()` is called when the keyboard's layout changed: grab the keys again."""
        super().__init__()
        app = QGuiApplication.instance()
        assert isinstance(app, QGuiApplication)
        native = app.nativeInterface()
        if not isinstance(native, QNativeInterface.QX11Application):
            raise OSError("Qt's X11 connection is not offered")
        self._connection: int = native.connection()
        self._xcb = _libxcb()
        self._pressed, self._moved = pressed, moved
        self._roots = self._root_windows()
        self._keys: Keys | None = None
        self._grabs: list[tuple[int, int]] = []  # (keycode, modifiers) on every root
        self._wanted = 0  # the modifiers the shortcut holds, as X11 bits
        self._ignored = _LOCK  # lock states that do not change the shortcut
        self._down = False  # held: the keyboard's repeats do not press it again
        self._app = app

    def grab(self, keys: Keys) -> None:
        """Take `keys` from every program (the grab held before is let go first). Raises
        NotAShortcut when no key of this keyboard makes it, ShortcutTaken when another program
        holds it."""
        self.release()
        layout = _Layout(self._xcb, self._connection)
        keysym = x11_keysym(keys)
        codes = layout.keycodes(keysym) if keysym is not None else []
        if not codes:
            raise NotAShortcut(keys.text())
        self._wanted = (
            (_CONTROL if keys.ctrl else 0)
            | (layout.alt if keys.alt else 0)
            | (_SHIFT if keys.shift else 0)
            | (layout.super if keys.meta else 0)
        )
        self._ignored = _LOCK | layout.num_lock
        locks = (0, _LOCK, layout.num_lock, _LOCK | layout.num_lock)
        for code, lock in itertools.product(codes, locks):
            if not self._grab_one(code, self._wanted | lock):
                self.release()
                raise ShortcutTaken(keys)
        self._keys = keys
        self._xcb.xcb_flush(self._connection)
        # Qt asks the filter about every event it reads: only while keys are held.
        self._app.installNativeEventFilter(self)

    def release(self) -> None:
        """Let go of the keys (nothing when none are held)."""
        for (code, modifiers), root in itertools.product(self._grabs, self._roots):
            self._xcb.xcb_ungrab_key(self._connection, code, root, modifiers)
        if self._grabs:
            self._xcb.xcb_flush(self._connection)
            self._app.removeNativeEventFilter(self)
        self._grabs, self._keys, self._down = [], None, False

    def close(self) -> None:
        self.release()

    def _grab_one(self, code: int, modifiers: int) -> bool:
        """Grab one key and modifiers on every root; False when another program has it."""
        xcb, connection = self._xcb, self._connection
        for root in self._roots:
            cookie = xcb.xcb_grab_key_checked(
                connection, 1, root, modifiers, code, _GRAB_MODE_ASYNC, _GRAB_MODE_ASYNC
            )
            error = xcb.xcb_request_check(connection, cookie)
            if error:
                code_of_error = error.contents.error_code
                _free(error)
                if code_of_error == _BAD_ACCESS:
                    return False
                raise OSError(f"the X server refused the key grab (error {code_of_error})")
        self._grabs.append((code, modifiers))
        return True

    def _root_windows(self) -> list[int]:
        screens = self._xcb.xcb_setup_roots_iterator(self._xcb.xcb_get_setup(self._connection))
        roots = []
        while screens.rem > 0:
            roots.append(screens.data[0])  # xcb_screen_t begins with its root window
            self._xcb.xcb_screen_next(ctypes.byref(screens))
        return roots

    def nativeEventFilter(
        self, eventType: QByteArray | bytes | bytearray | memoryview, message: int
    ) -> tuple[bool, int]:
        """Qt's own handling goes on after this: it takes the key's time as the user's last
        action, which lets the window it then shows take the focus."""
        if eventType != b"xcb_generic_event_t" or not self._grabs:
            return False, 0
        event = ctypes.cast(int(message), ctypes.POINTER(_KeyEvent)).contents  # a VoidPtr
        kind = event.response_type & 0x7F
        if kind == _MAPPING_NOTIFY:
            QTimer.singleShot(0, self._moved)  # after Qt has read the new layout too
        elif kind == _KEY_RELEASE and self._grabbed(event.detail):
            self._down = False  # whatever modifiers were let go of first
        elif kind == _KEY_PRESS and self._is_ours(event) and not self._down:
            self._down = True
            self._pressed()
        return False, 0

    def _is_ours(self, event: _KeyEvent) -> bool:
        held = event.state & 0xFF & ~self._ignored
        code = event.detail
        return event.root in self._roots and held == self._wanted and self._grabbed(code)

    def _grabbed(self, code: int) -> bool:
        return any(grabbed == code for grabbed, _ in self._grabs)
