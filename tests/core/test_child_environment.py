"""What a process chatdesk starts finds in its environment (chatdesk/core/trust/environment.py):
the user's locale, folders, display and proxies, never their keys and passwords; on Windows,
where names are the same whatever their case, and on macOS. The children themselves are checked
beside their own tests (render, counting, reading, MCP servers); the login shell asked for
PATH here."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.core.i18n import CHILD_VARIABLE
from chatdesk.core.tools.shell_path import login_shell_path
from chatdesk.core.trust.environment import child_environment
from tests.core import shell_keys
from tests.core.shell_keys import keys_in_the_shell  # noqa: F401

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

WINDOWS = {
    "Path": r"C:\Windows\system32;C:\Users\ada\AppData\Local\Programs\Python",
    "SystemRoot": r"C:\Windows",
    "ComSpec": r"C:\Windows\system32\cmd.exe",
    "PATHEXT": ".COM;.EXE;.BAT",
    "LOCALAPPDATA": r"C:\Users\ada\AppData\Local",
    "USERPROFILE": r"C:\Users\ada",
    "ProgramFiles(x86)": r"C:\Program Files (x86)",
    "NUMBER_OF_PROCESSORS": "8",
    "TEMP": r"C:\Users\ada\AppData\Local\Temp",
    "https_proxy": "http://proxy.corp:8080",
    "OPENAI_API_KEY": "sk-1",
    "Anthropic_Api_Key": "sk-2",
    "GitHub_Token": "ghp-3",
    "AWS_PROFILE": "work",
    "AZURE_CLIENT_SECRET": "az-4",
    "GOOGLE_APPLICATION_CREDENTIALS": r"C:\Users\ada\gcp.json",
    "OneDrive": r"C:\Users\ada\OneDrive",
}
MACOS = {
    "HOME": "/Users/ada",
    "PATH": "/opt/homebrew/bin:/usr/bin:/bin",
    "TMPDIR": "/var/folders/xy/T/",
    "LANG": "fr_FR.UTF-8",
    "LC_CTYPE": "UTF-8",
    "__CF_USER_TEXT_ENCODING": "0x1F5:0x0:0x0",
    "XDG_CONFIG_HOME": "/Users/ada/.config",
    "ALL_PROXY": "socks5://127.0.0.1:1080",
    "SSL_CERT_FILE": "/Users/ada/company-ca.pem",  # a company's own authority, to reach out
    "SSH_AUTH_SOCK": "/private/tmp/com.apple.launchd.x/Listeners",
    "ANTHROPIC_API_KEY": "sk-2",
    "PGPASSWORD": "pg",
    "HOMEBREW_GITHUB_API_TOKEN": "ghp-3",
    "Path": "/not/the/path",  # names differ by case here: not the PATH
}


def test_on_windows_the_essentials_are_kept_in_any_case_and_no_key_is() -> None:
    given = child_environment(WINDOWS, "win32")
    assert set(given) == {
        "Path",
        "SystemRoot",
        "ComSpec",
        "PATHEXT",
        "LOCALAPPDATA",
        "USERPROFILE",
        "ProgramFiles(x86)",
        "NUMBER_OF_PROCESSORS",
        "TEMP",
        "https_proxy",
    }
    assert given["Path"] == WINDOWS["Path"]


def test_on_windows_a_given_variable_replaces_the_parents_of_the_same_name() -> None:
    given = child_environment(WINDOWS, "win32", given={"PATH": r"C:\tools"})
    assert [name for name in given if name.upper() == "PATH"] == ["PATH"]
    assert given["PATH"] == r"C:\tools"


def test_on_macos_the_user_locale_and_proxy_are_kept_and_no_key_is() -> None:
    given = child_environment(MACOS, "darwin")
    assert given == {
        name: MACOS[name]
        for name in (
            "HOME",
            "PATH",
            "TMPDIR",
            "LANG",
            "LC_CTYPE",
            "__CF_USER_TEXT_ENCODING",
            "XDG_CONFIG_HOME",
            "ALL_PROXY",
            "SSL_CERT_FILE",
        )
    }


def test_a_name_of_an_allowed_shape_that_says_it_holds_a_secret_is_left_out() -> None:
    parent = {"LC_ALL": "C", "LC_API_KEY": "k", "XDG_SECRETS_DIR": "/s", "XDG_TOKEN_HOME": "/t"}
    assert child_environment(parent, "linux") == {"LC_ALL": "C"}
    assert child_environment(parent, "win32") == {"LC_ALL": "C"}


def test_chatdesks_own_variables_go_to_its_own_children_only() -> None:
    parent = {
        "HOME": "/home/ada",
        CHILD_VARIABLE: "de",
        "TIKTOKEN_CACHE_DIR": "/home/ada/tiktoken",
        "MPLCONFIGDIR": "/home/ada/mpl",
        "_PYI_APPLICATION_HOME_DIR": "/opt/chatdesk",
        "LD_LIBRARY_PATH": "/opt/chatdesk/_internal",
        "CHATDESK_HOME": "/home/ada/chatdesk",
        "CHATDESK_API_KEY": "k",
        "QT_QPA_PLATFORM": "wayland",
    }
    assert child_environment(parent, "linux") == {"HOME": "/home/ada"}
    assert child_environment(parent, "linux", chatdesk=True) == {
        name: parent[name]
        for name in (
            "HOME",
            CHILD_VARIABLE,
            "TIKTOKEN_CACHE_DIR",
            "MPLCONFIGDIR",
            "_PYI_APPLICATION_HOME_DIR",
            "LD_LIBRARY_PATH",
        )
    }


def test_variables_the_user_gave_a_server_are_kept_whatever_their_names() -> None:
    parent = {"HOME": "/home/ada", "GITHUB_TOKEN": "the shell's"}
    given = child_environment(parent, "linux", given={"GITHUB_TOKEN": "the server's"})
    assert given == {"HOME": "/home/ada", "GITHUB_TOKEN": "the server's"}


@pytest.fixture
def shell_asked_afresh() -> Iterator[None]:
    login_shell_path.cache_clear()
    yield
    login_shell_path.cache_clear()


@shell_keys.linux_only
@pytest.mark.usefixtures("keys_in_the_shell", "shell_asked_afresh")
def test_the_login_shell_asked_for_path_holds_none_of_the_users_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user's shell, whose profile runs, gets what any child gets; it is stood in for by
    a script that keeps the environment it was started with, then runs what it was asked."""
    kept = tmp_path / "environ"
    shell = tmp_path / "shell"
    shell.write_text(f'#!/bin/sh\ncat /proc/$$/environ > "{kept}"\nexec /bin/sh -c "$4"\n')
    shell.chmod(0o755)
    monkeypatch.setenv("SHELL", str(shell))
    path = login_shell_path()
    assert path is not None
    assert path.split(os.pathsep)[0] == os.environ["PATH"].split(os.pathsep)[0]
    shell_keys.assert_no_key_and_the_rest_kept(shell_keys.parsed(kept.read_bytes()))
