"""The environment of every process chatdesk starts: its own children (render, counting,
reading), MCP stdio servers, the login shell asked for PATH and pip installing an extra.

A child parses untrusted files, draws untrusted model output or is a program someone else
wrote; none of them needs the API keys, tokens and passwords a user keeps in the shell that
started chatdesk. So a child gets only the variables named here, by what they are for, and
never one whose name says it holds a secret, whatever list it is on. The exceptions are the
variables given by the caller: an MCP server's own, which the user configured for that server.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from chatdesk.core.i18n import CHILD_VARIABLE

_ALLOWED = frozenset(
    {
        # locale (LC_* below)
        "LANG",
        "LANGUAGE",
        "TZ",
        # the user, their folders, the terminal
        "HOME",
        "USER",
        "LOGNAME",
        "PATH",
        "SHELL",
        "TERM",
        "TMPDIR",
        "TEMP",
        "TMP",
        # display and session bus (a server that shows a notification or opens a browser)
        "DISPLAY",
        "WAYLAND_DISPLAY",
        "XAUTHORITY",
        "DBUS_SESSION_BUS_ADDRESS",
        # proxies: a server that downloads (npx, uvx) must reach the network as chatdesk does
        *(f"{name}_PROXY" for name in ("HTTP", "HTTPS", "NO", "ALL")),
        *(f"{name}_proxy" for name in ("http", "https", "no", "all")),
        # which certificate authorities to trust (a company's own, behind its proxy): paths
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        "NODE_EXTRA_CA_CERTS",
        # macOS: the user's text encoding, read by the system's libraries
        "__CF_USER_TEXT_ENCODING",
        # Windows: without SYSTEMROOT a process cannot even seed its random numbers
        "SYSTEMROOT",
        "SYSTEMDRIVE",
        "WINDIR",
        "COMSPEC",
        "PATHEXT",
        "OS",
        "APPDATA",
        "LOCALAPPDATA",
        "USERPROFILE",
        "USERNAME",
        "USERDOMAIN",
        "PUBLIC",
        "ALLUSERSPROFILE",
        "PROGRAMDATA",
        "PROGRAMFILES",
        "PROGRAMFILES(X86)",
        "PROGRAMW6432",
        "COMMONPROGRAMFILES",
        "COMMONPROGRAMFILES(X86)",
        "COMMONPROGRAMW6432",
        "HOMEDRIVE",
        "HOMEPATH",
        "NUMBER_OF_PROCESSORS",
        "PROCESSOR_ARCHITECTURE",
    }
)
_ALLOWED_SHAPES = re.compile(r"LC_[A-Z]+|XDG_[A-Z_]+_(HOME|DIRS?)")

# What chatdesk's own children read: the language the window speaks (i18n.follow_parent),
# tiktoken's and matplotlib's folders, the venv a Windows child serves (children.py), and what
# the interpreter or the desktop build's executable needs to start again as a child: where the
# loader finds its libraries. Another program is better off without the latter: the desktop
# build points them at its own copies.
_CHATDESK = frozenset(
    {
        CHILD_VARIABLE,
        "TIKTOKEN_CACHE_DIR",
        "MPLCONFIGDIR",
        "__PYVENV_LAUNCHER__",
        "LD_LIBRARY_PATH",
        "LD_LIBRARY_PATH_ORIG",
        "DYLD_LIBRARY_PATH",
        "DYLD_FRAMEWORK_PATH",
    }
)
_CHATDESK_SHAPES = re.compile(r"_PYI_[A-Z_]+|_MEIPASS2")

_SECRET_SHAPES = re.compile(
    r"(AWS|AZURE|GOOGLE|GCP|GH|GITHUB|GITLAB)_.*|PGPASS.*"  # whole families of credentials
    r"|.*(PASSWORD|PASSWD|PASSPHRASE|SECRET|CREDENTIAL|COOKIE).*"
    r"|(.*_)?(TOKEN|KEY)S?(_.*)?|.*KEYS?"  # TOKEN as a word of its own: not TIKTOKEN_CACHE_DIR
)


def child_environment(
    parent: Mapping[str, str],
    platform: str,
    *,
    chatdesk: bool = False,
    given: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The variables of `parent` (this process's environment) a child started on `platform`
    (`sys.platform`) gets: the allowed ones, with chatdesk's own when the child runs chatdesk's
    code, and then `given`, kept whatever their names."""
    windows = platform == "win32"  # where names are the same whatever their case
    environment: dict[str, str] = {}
    for name, value in parent.items():
        upper = name.upper()
        key = upper if windows else name
        allowed = key in _ALLOWED or _ALLOWED_SHAPES.fullmatch(key) is not None
        if chatdesk and not allowed:
            allowed = key in _CHATDESK or _CHATDESK_SHAPES.fullmatch(key) is not None
        if allowed and _SECRET_SHAPES.fullmatch(upper) is None:
            environment[name] = value
    for name, value in (given or {}).items():
        if windows:
            for same in [each for each in environment if each.upper() == name.upper()]:
                del environment[same]
        environment[name] = value
    return environment


def pip_environment(parent: Mapping[str, str], platform: str) -> dict[str, str]:
    """What pip gets when chatdesk installs a runtime (chatdesk/core/extras_install.py):
    what every child gets, and pip's own settings (`PIP_*`: the index, a proxy's certificate,
    a configuration file), which the user set for pip — still none whose name says it holds a
    secret."""
    own = {
        name: value
        for name, value in parent.items()
        if name.upper().startswith("PIP_") and _SECRET_SHAPES.fullmatch(name.upper()) is None
    }
    return child_environment(parent, platform, given=own)
