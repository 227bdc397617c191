"""A global shortcut's keys: read from Qt's names ("Ctrl+Alt+Space", the `[desktop]
quick_shortcut` setting) and named as each system's own key API wants them: an X11 keysym and
modifier mask, a Windows virtual key and `RegisterHotKey` modifiers, a macOS virtual key code and
Carbon modifiers, a trigger of the XDG shortcuts specification for the desktop portal. Pure
data: the system backends (`shortcut_x11`, `shortcut_windows`, `shortcut_macos`,
`shortcut_portal`) do the registering."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

_K = Qt.Key
_F1, _F35 = _K.Key_F1.value, _K.Key_F35.value
_MODIFIER_KEYS = {
    _K.Key_Control.value,
    _K.Key_Shift.value,
    _K.Key_Alt.value,
    _K.Key_Meta.value,
    _K.Key_AltGr.value,
    _K.Key_Super_L.value,
    _K.Key_Super_R.value,
    _K.Key_Hyper_L.value,
    _K.Key_Hyper_R.value,
    _K.Key_CapsLock.value,
    _K.Key_NumLock.value,
    _K.Key_ScrollLock.value,
    _K.Key_unknown.value,
}


class NotAShortcut(ValueError):
    """Keys that cannot make a global shortcut (more than one chord, a modifier alone, a key
    that would take ordinary typing from every program)."""


class ShortcutTaken(Exception):
    """Another program holds these keys already."""


@dataclass(frozen=True)
class Keys:
    """One chord: a key (Qt's `Qt.Key` value) and its modifiers, as Qt names them. Qt's Ctrl is
    the Command key on macOS and its Meta is Control there; elsewhere Meta is the Windows (Super)
    key."""

    key: int
    ctrl: bool = False
    alt: bool = False
    shift: bool = False
    meta: bool = False

    def text(self) -> str:
        """The keys as the user's system names them ("Ctrl+Alt+Space", "⌥⌘Space")."""
        return QKeySequence(self._combination()).toString(QKeySequence.SequenceFormat.NativeText)

    def portable(self) -> str:
        """The keys in Qt's portable names ("Ctrl+Alt+Space"), as the setting holds them."""
        return QKeySequence(self._combination()).toString(QKeySequence.SequenceFormat.PortableText)

    def _combination(self) -> int:
        mods = Qt.KeyboardModifier.NoModifier
        for held, mod in (
            (self.ctrl, Qt.KeyboardModifier.ControlModifier),
            (self.alt, Qt.KeyboardModifier.AltModifier),
            (self.shift, Qt.KeyboardModifier.ShiftModifier),
            (self.meta, Qt.KeyboardModifier.MetaModifier),
        ):
            if held:
                mods |= mod
        return self.key | mods.value


def parse_keys(text: str) -> Keys | None:
    """The chord `text` names in Qt's portable names; None when it is empty (no shortcut).
    Raises NotAShortcut for what cannot be a global shortcut."""
    if not text.strip():
        return None
    sequence = QKeySequence.fromString(text.strip(), QKeySequence.SequenceFormat.PortableText)
    if sequence.count() != 1:
        raise NotAShortcut(text)
    combination = sequence[0]  # type: ignore[index]  # Qt has it; the stubs do not
    key = combination.key().value
    mods = combination.keyboardModifiers()
    if key in _MODIFIER_KEYS:
        raise NotAShortcut(text)
    keys = Keys(
        key,
        ctrl=bool(mods & Qt.KeyboardModifier.ControlModifier),
        alt=bool(mods & Qt.KeyboardModifier.AltModifier),
        shift=bool(mods & Qt.KeyboardModifier.ShiftModifier),
        meta=bool(mods & Qt.KeyboardModifier.MetaModifier),
    )
    if not (keys.ctrl or keys.alt or keys.meta) and not _F1 <= key <= _F35:
        raise NotAShortcut(text)  # a letter, or Shift+letter, would be taken from all typing
    return keys


# -- X11: keysyms (X11/keysymdef.h) and the core protocol's modifier bits ------------------------

_X11_SPECIAL = {
    _K.Key_Escape: 0xFF1B,
    _K.Key_Tab: 0xFF09,
    _K.Key_Backspace: 0xFF08,
    _K.Key_Return: 0xFF0D,
    _K.Key_Enter: 0xFF8D,
    _K.Key_Insert: 0xFF63,
    _K.Key_Delete: 0xFFFF,
    _K.Key_Pause: 0xFF13,
    _K.Key_Print: 0xFF61,
    _K.Key_Home: 0xFF50,
    _K.Key_End: 0xFF57,
    _K.Key_Left: 0xFF51,
    _K.Key_Up: 0xFF52,
    _K.Key_Right: 0xFF53,
    _K.Key_Down: 0xFF54,
    _K.Key_PageUp: 0xFF55,
    _K.Key_PageDown: 0xFF56,
    _K.Key_Menu: 0xFF67,
}


def x11_keysym(keys: Keys) -> int | None:
    """The X11 keysym of the chord's key (a letter's lower-case one, as the keyboard's first
    level holds it); None for a key X11 has no keysym chatdesk knows for."""
    key = keys.key
    if _F1 <= key <= _F35:
        return 0xFFBE + key - _F1
    if ord("A") <= key <= ord("Z"):
        return key + 0x20
    if 0x20 <= key <= 0x7E or 0xA0 <= key <= 0xFF:
        return key  # Latin-1 keysyms are the characters' codes
    return _X11_SPECIAL.get(_K(key))


# -- The desktop portal: the XDG shortcuts specification's triggers ("CTRL+ALT+space") ---------

# The names of keysyms (X11/keysymdef.h without its XK_), which the specification's keys are
_KEYSYM_NAMES = {
    0xFF1B: "Escape",
    0xFF09: "Tab",
    0xFF08: "BackSpace",
    0xFF0D: "Return",
    0xFF8D: "KP_Enter",
    0xFF63: "Insert",
    0xFFFF: "Delete",
    0xFF13: "Pause",
    0xFF61: "Print",
    0xFF50: "Home",
    0xFF57: "End",
    0xFF51: "Left",
    0xFF52: "Up",
    0xFF53: "Right",
    0xFF54: "Down",
    0xFF55: "Prior",
    0xFF56: "Next",
    0xFF67: "Menu",
}
_PUNCTUATION = (  # 0x20 .. 0x2F
    "space",
    "exclam",
    "quotedbl",
    "numbersign",
    "dollar",
    "percent",
    "ampersand",
    "apostrophe",
    "parenleft",
    "parenright",
    "asterisk",
    "plus",
    "comma",
    "minus",
    "period",
    "slash",
)
_PUNCTUATION_MORE = {
    0x3A: "colon",
    0x3B: "semicolon",
    0x3C: "less",
    0x3D: "equal",
    0x3E: "greater",
    0x3F: "question",
    0x40: "at",
    0x5B: "bracketleft",
    0x5C: "backslash",
    0x5D: "bracketright",
    0x5E: "asciicircum",
    0x5F: "underscore",
    0x60: "grave",
    0x7B: "braceleft",
    0x7C: "bar",
    0x7D: "braceright",
    0x7E: "asciitilde",
}


def portal_trigger(keys: Keys) -> str | None:
    """The chord as the XDG shortcuts specification writes a trigger (modifiers CTRL, ALT,
    SHIFT, LOGO, then the key's keysym name: "CTRL+ALT+space"), the desktop portal's
    preferred_trigger; None for a key chatdesk knows no keysym name for (the desktop then asks
    the user for keys)."""
    keysym = x11_keysym(keys)
    if keysym is None:
        return None
    if 0xFFBE <= keysym <= 0xFFE0:
        name: str | None = f"F{keysym - 0xFFBE + 1}"
    elif 0x20 <= keysym <= 0x2F:
        name = _PUNCTUATION[keysym - 0x20]
    elif ord("0") <= keysym <= ord("9") or ord("a") <= keysym <= ord("z"):
        name = chr(keysym)
    else:
        name = _PUNCTUATION_MORE.get(keysym) or _KEYSYM_NAMES.get(keysym)
    if name is None:
        return None
    held = (("CTRL", keys.ctrl), ("ALT", keys.alt), ("SHIFT", keys.shift), ("LOGO", keys.meta))
    return "+".join([modifier for modifier, on in held if on] + [name])


_ALIASES = {"control": "ctrl", "logo": "meta", "super": "meta", "win": "meta", "pgup": "prior"}


def names_keys(description: str, keys: Keys) -> bool:
    """Whether a desktop's description of the keys it bound ("CTRL + ALT + space",
    "Ctrl+Alt+Space", "Super+Q") names `keys` (False when unsure)."""

    def names(text: str) -> frozenset[str]:
        parts = (part.strip().lower() for part in text.split("+"))
        return frozenset(_ALIASES.get(part, part) for part in parts if part)

    ours = {names(keys.portable())} | {names(portal_trigger(keys) or "")}
    return names(description) in ours


# -- Windows: virtual keys (WinUser.h) and RegisterHotKey's modifiers ------------------------

MOD_ALT, MOD_CONTROL, MOD_SHIFT, MOD_WIN, MOD_NOREPEAT = 0x1, 0x2, 0x4, 0x8, 0x4000

_WINDOWS_SPECIAL = {
    _K.Key_Space: 0x20,
    _K.Key_Escape: 0x1B,
    _K.Key_Tab: 0x09,
    _K.Key_Backspace: 0x08,
    _K.Key_Return: 0x0D,
    _K.Key_Enter: 0x0D,
    _K.Key_Insert: 0x2D,
    _K.Key_Delete: 0x2E,
    _K.Key_Pause: 0x13,
    _K.Key_Print: 0x2C,
    _K.Key_Home: 0x24,
    _K.Key_End: 0x23,
    _K.Key_Left: 0x25,
    _K.Key_Up: 0x26,
    _K.Key_Right: 0x27,
    _K.Key_Down: 0x28,
    _K.Key_PageUp: 0x21,
    _K.Key_PageDown: 0x22,
    _K.Key_Menu: 0x5D,
}


def windows_key(keys: Keys) -> int | None:
    """The Windows virtual key of the chord's key; None for punctuation, whose key depends on
    the keyboard layout (the backend asks `VkKeyScanW`), and for keys Windows has none for."""
    key = keys.key
    if _F1 <= key <= _F1 + 23:
        return 0x70 + key - _F1  # VK_F1 .. VK_F24
    if ord("A") <= key <= ord("Z") or ord("0") <= key <= ord("9"):
        return key
    return _WINDOWS_SPECIAL.get(_K(key)) if key in _WINDOWS_SPECIAL else None


def windows_modifiers(keys: Keys) -> int:
    """RegisterHotKey's modifiers; held keys do not repeat the shortcut."""
    mods = MOD_NOREPEAT
    mods |= MOD_CONTROL if keys.ctrl else 0
    mods |= MOD_ALT if keys.alt else 0
    mods |= MOD_SHIFT if keys.shift else 0
    mods |= MOD_WIN if keys.meta else 0
    return mods


# -- macOS: virtual key codes (HIToolbox/Events.h, an ANSI keyboard) and Carbon modifiers -----

CMD_KEY, SHIFT_KEY, OPTION_KEY, CONTROL_KEY = 0x100, 0x200, 0x800, 0x1000

# The characters' keys in order of their codes, from 0x00 (A); "·" where the code is no
# character's (0x0A: the ISO keyboard's extra key; 0x24: Return).
_MAC_ORDER = "ASDFHGZXCV·BQWERYT123465=97-80]OU[IP·LJ'K;\\,/NM.\t `"
_MAC_CHARACTERS = {char: code for code, char in enumerate(_MAC_ORDER) if char != "·"}
_MAC_SPECIAL = {
    _K.Key_Return: 0x24,
    _K.Key_Enter: 0x4C,
    _K.Key_Tab: 0x30,
    _K.Key_Backspace: 0x33,
    _K.Key_Escape: 0x35,
    _K.Key_Delete: 0x75,
    _K.Key_Insert: 0x72,
    _K.Key_Home: 0x73,
    _K.Key_End: 0x77,
    _K.Key_PageUp: 0x74,
    _K.Key_PageDown: 0x79,
    _K.Key_Left: 0x7B,
    _K.Key_Right: 0x7C,
    _K.Key_Down: 0x7D,
    _K.Key_Up: 0x7E,
}
# F1 .. F20
_MAC_F_KEYS = (
    0x7A, 0x78, 0x63, 0x76, 0x60, 0x61, 0x62, 0x64, 0x65, 0x6D,
    0x67, 0x6F, 0x69, 0x6B, 0x71, 0x6A, 0x40, 0x4F, 0x50, 0x5A,
)  # fmt: skip # a table aligned by column


def macos_key(keys: Keys) -> int | None:
    """The macOS virtual key code of the chord's key (where it is on an ANSI keyboard)."""
    key = keys.key
    if _F1 <= key < _F1 + len(_MAC_F_KEYS):
        return _MAC_F_KEYS[key - _F1]
    if 0x20 <= key <= 0x7E:
        return _MAC_CHARACTERS.get(chr(key))
    return _MAC_SPECIAL.get(_K(key)) if key in _MAC_SPECIAL else None


def macos_modifiers(keys: Keys) -> int:
    """Carbon's modifiers: Qt's Ctrl is the Command key on macOS, its Meta the Control key."""
    mods = CMD_KEY if keys.ctrl else 0
    mods |= OPTION_KEY if keys.alt else 0
    mods |= SHIFT_KEY if keys.shift else 0
    mods |= CONTROL_KEY if keys.meta else 0
    return mods
