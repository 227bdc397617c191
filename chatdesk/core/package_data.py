"""The folders shipped with chatdesk's code (`migrations`, `resources`), wherever it is installed.

A foundation module: it imports nothing of chatdesk's, so the words (`i18n`), the paths and the
store may all find their files through it.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def package_data(name: str) -> Path:
    """A folder shipped inside the installed package (`migrations`, `resources`).

    An installed wheel has them under `chatdesk/`; a source checkout keeps them at the top.
    """
    installed = _PACKAGE_DIR / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name
