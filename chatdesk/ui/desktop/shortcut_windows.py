"""The global shortcut on Windows: `RegisterHotKey` for the GUI thread (no window of its own),
whose `WM_HOTKEY` messages Qt's event loop reads and hands to this native event filter. Keys
another program registered are refused by Windows (ERROR_HOTKEY_ALREADY_REGISTERED): taken."""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable

from PySide6.QtCore import QAbstractNativeEventFilter, QByteArray
from PySide6.QtGui import QGuiApplication

from chatdesk.ui.desktop.keys import (
    Keys,
    NotAShortcut,
    ShortcutTaken,
    windows_key,
    windows_modifiers,
)

WM_HOTKEY = 0x0312
ERROR_HOTKEY_ALREADY_REGISTERED = 1409
_HOTKEY_ID = 0xC0DE  # chatdesk's one hot key on its thread (ids below 0xC000 are for programs)


def virtual_key(keys: Keys, scan: Callable[[str], int]) -> int:
    """The virtual key of the chord's key; `scan` is `VkKeyScanW` for punctuation (its low byte
    the key on this keyboard layout, -1 for none)."""
    key = windows_key(keys)
    if key is not None:
        return key
    if 0x20 < keys.key <= 0xFF:
        found = scan(chr(keys.key))
        if found != -1 and found & 0xFF != 0xFF:
            return found & 0xFF
    raise NotAShortcut(keys.text())


class _Message(ctypes.Structure):
    """Windows' MSG: the window, the message, its two parameters (the rest is not read)."""

    _fields_ = [
        ("hwnd", ctypes.c_void_p),
        ("message", ctypes.c_uint),
        ("wParam", ctypes.c_size_t),
        ("lParam", ctypes.c_ssize_t),
    ]


if sys.platform == "win32":

    class WindowsShortcut(QAbstractNativeEventFilter):
        """A hot key of the GUI thread; `pressed()` is called on it when the keys are pressed."""

        def __init__(self, pressed: Callable[[], object]) -> None:
            super().__init__()
            from ctypes import wintypes

            self._user32 = ctypes.WinDLL("user32", use_last_error=True)
            self._user32.RegisterHotKey.argtypes = [
                wintypes.HWND,
                ctypes.c_int,
                wintypes.UINT,
                wintypes.UINT,
            ]
            self._user32.RegisterHotKey.restype = wintypes.BOOL
            self._user32.UnregisterHotKey.argtypes = [wintypes.HWND, ctypes.c_int]
            self._user32.VkKeyScanW.argtypes = [wintypes.WCHAR]
            self._user32.VkKeyScanW.restype = ctypes.c_short
            self._pressed = pressed
            self._held = False
            app = QGuiApplication.instance()
            assert app is not None
            app.installNativeEventFilter(self)

        def grab(self, keys: Keys) -> None:
            self.release()
            vk = virtual_key(keys, self._user32.VkKeyScanW)
            if not self._user32.RegisterHotKey(None, _HOTKEY_ID, windows_modifiers(keys), vk):
                error = ctypes.get_last_error()
                if error == ERROR_HOTKEY_ALREADY_REGISTERED:
                    raise ShortcutTaken(keys)
                raise ctypes.WinError(error)
            self._held = True

        def release(self) -> None:
            if self._held:
                self._user32.UnregisterHotKey(None, _HOTKEY_ID)
                self._held = False

        def close(self) -> None:
            self.release()
            app = QGuiApplication.instance()
            if app is not None:
                app.removeNativeEventFilter(self)

        def nativeEventFilter(
            self, eventType: QByteArray | bytes | bytearray | memoryview, message: int
        ) -> tuple[bool, int]:
            if eventType == b"windows_generic_MSG" and self._held:
                msg = ctypes.cast(int(message), ctypes.POINTER(_Message)).contents
                if msg.message == WM_HOTKEY and msg.wParam == _HOTKEY_ID:
                    self._pressed()
                    return True, 0
            return False, 0
