"""The global shortcut on macOS: Carbon's `RegisterEventHotKey`, which needs no Accessibility
permission (unlike a listener on every key). Its presses come as Carbon events to a handler on
the application's event target, which the main run loop — Qt's GUI thread — calls. Keys this
system already uses for itself are refused (`eventHotKeyExistsErr`): taken."""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable

from chatdesk.ui.desktop.keys import Keys, NotAShortcut, ShortcutTaken, macos_key, macos_modifiers


def four_char_code(code: str) -> int:
    """Carbon's OSType: four ASCII characters read as a big-endian number."""
    return int.from_bytes(code.encode("ascii"), "big")


EVENT_CLASS_KEYBOARD = four_char_code("keyb")
EVENT_HOT_KEY_PRESSED = 5
PARAM_DIRECT_OBJECT = four_char_code("----")
TYPE_EVENT_HOT_KEY_ID = four_char_code("hkid")
HOT_KEY_EXISTS = -9878  # eventHotKeyExistsErr
SIGNATURE = four_char_code("chdk")


class _EventTypeSpec(ctypes.Structure):
    _fields_ = [("eventClass", ctypes.c_uint32), ("eventKind", ctypes.c_uint32)]


class _HotKeyId(ctypes.Structure):
    _fields_ = [("signature", ctypes.c_uint32), ("id", ctypes.c_uint32)]


if sys.platform == "darwin":
    _Handler = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)

    def _carbon() -> ctypes.CDLL:
        carbon = ctypes.CDLL("/System/Library/Frameworks/Carbon.framework/Carbon")
        void_p, u32 = ctypes.c_void_p, ctypes.c_uint32
        carbon.GetApplicationEventTarget.restype = void_p
        carbon.GetApplicationEventTarget.argtypes = []
        carbon.InstallEventHandler.restype = ctypes.c_int32
        carbon.InstallEventHandler.argtypes = [
            void_p,
            _Handler,
            u32,
            ctypes.POINTER(_EventTypeSpec),
            void_p,
            ctypes.POINTER(void_p),
        ]
        carbon.RemoveEventHandler.argtypes = [void_p]
        carbon.RegisterEventHotKey.restype = ctypes.c_int32
        carbon.RegisterEventHotKey.argtypes = [
            u32,
            u32,
            _HotKeyId,
            void_p,
            u32,
            ctypes.POINTER(void_p),
        ]
        carbon.UnregisterEventHotKey.argtypes = [void_p]
        carbon.GetEventParameter.restype = ctypes.c_int32
        carbon.GetEventParameter.argtypes = [
            void_p,
            u32,
            u32,
            void_p,
            ctypes.c_size_t,
            void_p,
            void_p,
        ]
        return carbon

    class MacShortcut:
        """A Carbon hot key; `pressed()` is called on the main thread when it is pressed."""

        def __init__(self, pressed: Callable[[], object]) -> None:
            self._carbon = _carbon()
            self._pressed = pressed
            self._handler = _Handler(self._on_event)  # kept: Carbon holds only its address
            self._handler_ref = ctypes.c_void_p()
            self._hot_key = ctypes.c_void_p()
            self._id = 1
            spec = _EventTypeSpec(EVENT_CLASS_KEYBOARD, EVENT_HOT_KEY_PRESSED)
            target = self._carbon.GetApplicationEventTarget()
            status = self._carbon.InstallEventHandler(
                target, self._handler, 1, ctypes.byref(spec), None, ctypes.byref(self._handler_ref)
            )
            if status != 0:
                raise OSError(f"Carbon refused the hot key handler ({status})")

        def grab(self, keys: Keys) -> None:
            self.release()
            code = macos_key(keys)
            if code is None:
                raise NotAShortcut(keys.text())
            self._id += 1  # a press of keys let go of is not taken for the new ones
            status = self._carbon.RegisterEventHotKey(
                code,
                macos_modifiers(keys),
                _HotKeyId(SIGNATURE, self._id),
                self._carbon.GetApplicationEventTarget(),
                0,
                ctypes.byref(self._hot_key),
            )
            if status == HOT_KEY_EXISTS:
                raise ShortcutTaken(keys)
            if status != 0:
                raise OSError(f"Carbon refused the hot key ({status})")

        def release(self) -> None:
            if self._hot_key.value:
                self._carbon.UnregisterEventHotKey(self._hot_key)
                self._hot_key = ctypes.c_void_p()

        def close(self) -> None:
            self.release()
            if self._handler_ref.value:
                self._carbon.RemoveEventHandler(self._handler_ref)
                self._handler_ref = ctypes.c_void_p()

        def _on_event(self, _call: int | None, event: int | None, _data: int | None) -> int:
            hot_key = _HotKeyId()
            status = self._carbon.GetEventParameter(
                event,
                PARAM_DIRECT_OBJECT,
                TYPE_EVENT_HOT_KEY_ID,
                None,
                ctypes.sizeof(hot_key),
                None,
                ctypes.byref(hot_key),
            )
            if status == 0 and hot_key.signature == SIGNATURE and hot_key.id == self._id:
                self._pressed()
            return 0
