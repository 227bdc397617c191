"""The global shortcut's keys, from Qt's names to each system's own: what the backends register
(chatdesk/ui/desktop/keys.py), checked without the systems themselves."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from chatdesk.ui.desktop import keys as k
from chatdesk.ui.desktop.shortcut_macos import four_char_code
from chatdesk.ui.desktop.shortcut_windows import virtual_key


def test_the_default_keys_are_read_as_one_chord() -> None:
    keys = k.parse_keys("Ctrl+Alt+Space")
    assert keys == k.Keys(Qt.Key.Key_Space.value, ctrl=True, alt=True)


def test_no_keys_is_no_shortcut() -> None:
    assert k.parse_keys("") is None
    assert k.parse_keys("   ") is None


@pytest.mark.parametrize(
    "text",
    [
        "A",  # every program's typing
        "Shift+A",
        "Space",
        "Ctrl+A, Ctrl+B",  # two chords
        "Ctrl+Alt",  # no key
        "Ctrl+Alt+Nonsense",
    ],
)
def test_what_cannot_be_a_global_shortcut_is_refused(text: str) -> None:
    with pytest.raises(k.NotAShortcut):
        k.parse_keys(text)


def test_a_function_key_may_go_alone() -> None:
    assert k.parse_keys("F12") == k.Keys(Qt.Key.Key_F12.value)


def test_x11_keysyms() -> None:
    def sym(text: str) -> int | None:
        keys = k.parse_keys(text)
        assert keys is not None
        return k.x11_keysym(keys)

    assert sym("Ctrl+Alt+Space") == 0x20  # XK_space
    assert sym("Meta+A") == 0x61  # XK_a: the key's first level
    assert sym("Ctrl+Alt+5") == 0x35
    assert sym("Alt+F1") == 0xFFBE  # XK_F1
    assert sym("Ctrl+F35") == 0xFFE0  # XK_F35
    assert sym("Ctrl+Alt+Return") == 0xFF0D
    assert sym("Ctrl+Alt+Left") == 0xFF51
    assert sym("Ctrl+,") == 0x2C  # XK_comma


def test_windows_virtual_keys_and_modifiers() -> None:
    def parsed(text: str) -> k.Keys:
        keys = k.parse_keys(text)
        assert keys is not None
        return keys

    assert k.windows_key(parsed("Ctrl+Alt+Space")) == 0x20  # VK_SPACE
    assert k.windows_key(parsed("Ctrl+Q")) == 0x51
    assert k.windows_key(parsed("Alt+F1")) == 0x70  # VK_F1
    assert k.windows_key(parsed("Alt+F24")) == 0x87  # VK_F24
    assert k.windows_key(parsed("Alt+F25")) is None  # Windows has no F25
    assert k.windows_key(parsed("Ctrl+Alt+Delete")) == 0x2E
    mods = k.windows_modifiers(parsed("Ctrl+Alt+Shift+Meta+K"))
    assert mods == k.MOD_CONTROL | k.MOD_ALT | k.MOD_SHIFT | k.MOD_WIN | k.MOD_NOREPEAT
    assert k.windows_modifiers(parsed("Ctrl+K")) == k.MOD_CONTROL | k.MOD_NOREPEAT


def test_windows_punctuation_follows_the_keyboard_layout() -> None:
    """VkKeyScanW's answers on a German layout: ',' is VK_OEM_COMMA; '#' has a key of its own."""
    answers = {",": 0x00BC, "#": 0x00BF, "|": -1}
    keys = k.parse_keys("Ctrl+,")
    assert keys is not None
    assert virtual_key(keys, answers.__getitem__) == 0xBC
    hash_keys = k.parse_keys("Ctrl+#")
    assert hash_keys is not None
    assert virtual_key(hash_keys, answers.__getitem__) == 0xBF
    pipe = k.parse_keys("Ctrl+|")
    assert pipe is not None
    with pytest.raises(k.NotAShortcut):
        virtual_key(pipe, answers.__getitem__)  # no key types it on this layout


def test_macos_key_codes_and_modifiers() -> None:
    def parsed(text: str) -> k.Keys:
        keys = k.parse_keys(text)
        assert keys is not None
        return keys

    assert k.macos_key(parsed("Ctrl+Alt+Space")) == 0x31  # kVK_Space
    assert k.macos_key(parsed("Ctrl+A")) == 0x00  # kVK_ANSI_A
    assert k.macos_key(parsed("Ctrl+L")) == 0x25  # kVK_ANSI_L
    assert k.macos_key(parsed("Ctrl+0")) == 0x1D  # kVK_ANSI_0
    assert k.macos_key(parsed("Ctrl+.")) == 0x2F  # kVK_ANSI_Period
    assert k.macos_key(parsed("Ctrl+`")) == 0x32  # kVK_ANSI_Grave
    assert k.macos_key(parsed("Alt+F1")) == 0x7A  # kVK_F1
    assert k.macos_key(parsed("Alt+F20")) == 0x5A  # kVK_F20
    assert k.macos_key(parsed("Ctrl+Alt+Up")) == 0x7E  # kVK_UpArrow
    # Qt's Ctrl is the Command key on macOS, its Meta the Control key.
    assert k.macos_modifiers(parsed("Ctrl+Alt+Space")) == k.CMD_KEY | k.OPTION_KEY
    assert k.macos_modifiers(parsed("Meta+Shift+K")) == k.CONTROL_KEY | k.SHIFT_KEY


def test_carbon_four_character_codes() -> None:
    assert four_char_code("keyb") == 0x6B657962  # kEventClassKeyboard
    assert four_char_code("hkid") == 0x686B6964  # typeEventHotKeyID


def test_the_keys_are_shown_as_the_system_names_them() -> None:
    keys = k.parse_keys("Ctrl+Alt+Space")
    assert keys is not None
    assert keys.text() == "Ctrl+Alt+Space"  # on Linux and Windows; macOS shows ⌥⌘Space


def test_portal_triggers_follow_the_xdg_shortcuts_specification() -> None:
    def trigger(text: str) -> str | None:
        keys = k.parse_keys(text)
        assert keys is not None
        return k.portal_trigger(keys)

    assert trigger("Ctrl+Alt+Space") == "CTRL+ALT+space"  # chatdesk's default
    assert trigger("Meta+Shift+A") == "SHIFT+LOGO+a"  # Qt's Meta: the Super (logo) key
    assert trigger("F12") == "F12"
    assert trigger("Ctrl+F35") == "CTRL+F35"
    assert trigger("Ctrl+Alt+5") == "CTRL+ALT+5"
    assert trigger("Ctrl+Alt+/") == "CTRL+ALT+slash"
    assert trigger("Ctrl+Alt+`") == "CTRL+ALT+grave"
    assert trigger("Ctrl+PgUp") == "CTRL+Prior"  # keysym names, not Qt's
    assert trigger("Alt+Return") == "ALT+Return"
    assert trigger("Ctrl+Alt+é") is None  # no name known: the desktop asks for keys


def test_a_desktops_words_for_the_keys_it_bound_are_compared_with_the_keys_asked() -> None:
    keys = k.parse_keys("Ctrl+Alt+Space")
    assert keys is not None
    for same in ("CTRL + ALT + space", "Ctrl+Alt+Space", "Alt+Control+Space", "ctrl+alt+space"):
        assert k.names_keys(same, keys), same
    for other in ("Ctrl+Alt+K", "Ctrl+Space", "Super+Ctrl+Alt+Space", ""):
        assert not k.names_keys(other, keys), other
    logo = k.parse_keys("Meta+PgUp")
    assert logo is not None
    assert k.names_keys("LOGO+Prior", logo)
    assert k.names_keys("Super+PgUp", logo)
