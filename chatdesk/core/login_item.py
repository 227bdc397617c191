"""Starting chatdesk in the tray when the user logs in (`[desktop] start_at_login`), the way
each system does it: an autostart desktop entry on Linux (XDG Autostart), a LaunchAgent on
macOS, a value of the `Run` key of the user's registry hive on Windows.

The item runs chatdesk as it was started this time, with `--tray`: the frozen app's own
executable, or the installed `chatdesk` script, or this Python with `-m chatdesk`. `apply`
writes it (again: a moved install is followed) or removes it; plain files and the registry,
no Qt, nothing loaded until Preferences or the start-up asks.
"""

from __future__ import annotations

import contextlib
import os
import plistlib
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr

APP_ID = "io.github.chatdesk.Chatdesk"  # the desktop entry's and the LaunchAgent's name
TRAY_FLAG = "--tray"  # start without showing the window (in the tray)
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "chatdesk"


class LoginItemFailed(ChatdeskError):
    """The login item could not be written or removed."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(
            tr(
                "chatdesk could not change how it starts at login ({where}: {reason}). Check "
                "that you may write there, then switch the setting off and on again.",
                where=where,
                reason=reason,
            )
        )


def login_command(
    argv0: str | None = None, *, executable: str | None = None, frozen: bool | None = None
) -> list[str]:
    """The command that starts this chatdesk in the tray: how it was started this time."""
    executable = executable or sys.executable
    frozen = getattr(sys, "frozen", False) if frozen is None else frozen
    if frozen:  # the packaged app: its own executable is chatdesk
        return [executable, TRAY_FLAG]
    script = Path(argv0 if argv0 is not None else sys.argv[0])
    if script.stem.lower() == "chatdesk" and script.name.lower() != "__main__.py":
        return [str(script.absolute()), TRAY_FLAG]  # the installed script (chatdesk.exe too)
    return [executable, "-m", "chatdesk", TRAY_FLAG]  # `python -m chatdesk`, a checkout


# -- Linux: an XDG autostart desktop entry ------------------------------------------------------


def autostart_file(env: Mapping[str, str] | None = None) -> Path:
    """$XDG_CONFIG_HOME/autostart/<app id>.desktop (~/.config by default)."""
    env = os.environ if env is None else env
    config = env.get("XDG_CONFIG_HOME") or ""
    base = Path(config) if Path(config).is_absolute() else Path.home() / ".config"
    return base / "autostart" / f"{APP_ID}.desktop"


def desktop_entry(command: Sequence[str]) -> str:
    """The autostart entry that runs `command` (quoted as the Desktop Entry spec says)."""
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=chatdesk\n"
        "Comment=Start chatdesk in the tray\n"
        f"Exec={' '.join(_exec_argument(part) for part in command)}\n"
        f"Icon={APP_ID}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def _exec_argument(argument: str) -> str:
    """One argument of an Exec key: quoted when it holds a reserved character, `%` doubled,
    and the string's own escape (a backslash doubled) over the quoting's."""
    reserved = set(" \t\n\"'\\><~|&;$*?#()`")
    quoted = argument.replace("%", "%%")
    if reserved & set(argument):
        for char in ("\\", '"', "`", "$"):
            quoted = quoted.replace(char, "\\" + char)
        quoted = f'"{quoted}"'
    return quoted.replace("\\", "\\\\")


# -- macOS: a LaunchAgent -----------------------------------------------------------------------


def launch_agent_file(home: Path | None = None) -> Path:
    return (home or Path.home()) / "Library" / "LaunchAgents" / f"{APP_ID}.plist"


def launch_agent(command: Sequence[str]) -> bytes:
    """The LaunchAgent that runs `command` once, at login."""
    agent = {
        "Label": APP_ID,
        "ProgramArguments": list(command),
        "RunAtLoad": True,
        "KeepAlive": False,
        "ProcessType": "Interactive",
    }
    return plistlib.dumps(agent, fmt=plistlib.FMT_XML)


# -- Windows: the Run key ----------------------------------------------------------------------


def run_value(command: Sequence[str]) -> str:
    """The Run key's value: `command` as one command line, quoted as Windows parses it."""
    return subprocess.list2cmdline(list(command))


def _set_run_value(value: str | None) -> None:
    """Write (or, with None, delete) chatdesk's value of HKCU's Run key."""
    if sys.platform == "win32":
        import winreg

        with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
            if value is not None:
                winreg.SetValueEx(key, RUN_VALUE, 0, winreg.REG_SZ, value)
                return
            with contextlib.suppress(FileNotFoundError):
                winreg.DeleteValue(key, RUN_VALUE)


def run_value_now() -> str | None:
    """chatdesk's value of HKCU's Run key, None when there is none (or not on Windows)."""
    if sys.platform == "win32":
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                value, _kind = winreg.QueryValueEx(key, RUN_VALUE)
                return str(value)
        except FileNotFoundError:
            return None
    else:
        return None


# -- all systems -------------------------------------------------------------------------------


def apply(enabled: bool, command: Sequence[str] | None = None, platform: str = "") -> None:
    """Make (or remove) the login item of this system (`platform`: `sys.platform`'s value);
    raises LoginItemFailed with what went wrong."""
    platform = platform or sys.platform
    command = list(command or login_command())
    if platform == "win32":
        try:
            _set_run_value(run_value(command) if enabled else None)
        except OSError as error:
            raise LoginItemFailed("HKCU\\" + RUN_KEY, error.strerror or str(error)) from error
        return
    if platform == "darwin":
        _write_or_remove(launch_agent_file(), launch_agent(command) if enabled else None)
    else:
        entry = desktop_entry(command).encode() if enabled else None
        _write_or_remove(autostart_file(), entry)


def _write_or_remove(path: Path, content: bytes | None) -> None:
    try:
        if content is None:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(content)
        partial.replace(path)
    except OSError as error:
        raise LoginItemFailed(str(path), error.strerror or str(error)) from error
