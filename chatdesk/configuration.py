"""Where and how chatdesk runs: its folders and its settings, read before anything is built.

`configure` reads every setting and sets up the log file, for a command or the local API;
`WindowStart` is the window's start, which reads only what its first frame is made with and the
rest once asked, after that frame (the start-up budget, `docs/design.md` §11). Both keep the
files the window asks for (it does no file work). The composition root, `chatdesk/app.py`,
builds the core from a `Configuration`.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chatdesk.core.paths import Paths
from chatdesk.core.settings_start import StartSettings, read_start_settings

if TYPE_CHECKING:
    from chatdesk.core.config import LoadedSettings, Settings
    from chatdesk.core.kept_file import KeptFile


class _WindowFiles:
    """The files the window keeps, for it to ask for what they hold (it does no file work)."""

    paths: Paths

    @property
    def thread_list(self) -> KeptFile:
        """The sidebar's rows as the window last showed them, for the next start."""
        from chatdesk.core.kept_file import THREAD_LIST, THREAD_LIST_MAX_BYTES, KeptFile

        return KeptFile(self.paths.run_dir / THREAD_LIST, THREAD_LIST_MAX_BYTES)

    def save_settings(self, settings: Settings) -> None:
        """Write what the window's preferences edit to the settings file (blocking)."""
        from chatdesk.core.config import save_preferences

        save_preferences(self.paths.config_file, settings)


@dataclass(frozen=True)
class Configuration(_WindowFiles):
    paths: Paths
    loaded: LoadedSettings

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    @property
    def first_frame(self) -> StartSettings:
        """What the window's first frame is made with (as `WindowStart.first_frame`)."""
        return StartSettings(self.settings.general, self.settings.ui)

    def configure(self) -> Configuration:
        """Itself: read already (as `WindowStart.configure` is once asked)."""
        return self


class WindowStart(_WindowFiles):
    """The window's start without a command: its paths and the settings its first frame is made
    with now, every other setting and the log file once asked for (`configure()`), after that
    frame. Asked for on the GUI thread and the core's, it is read once."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        self.first_frame = read_start_settings(paths.config_file)
        self._lock = threading.Lock()
        self._config: Configuration | None = None

    def configure(self) -> Configuration:
        """Every setting read and checked (its issues printed, as the CLI's), the log file set."""
        with self._lock:
            if self._config is None:
                from chatdesk.core.i18n import tr

                self._config = _configure(self.paths)
                for issue in self._config.loaded.issues:
                    print(tr("chatdesk: warning: {text}", text=issue), file=sys.stderr)
            return self._config


def configure(data_dir: str | os.PathLike[str] | None = None) -> Configuration:
    return _configure(Paths.resolve(data_dir))


def _configure(paths: Paths) -> Configuration:
    import logging

    from chatdesk.core.config import load_settings
    from chatdesk.core.logs import setup_logging

    loaded = load_settings(paths.config_file)
    setup_logging(paths.log_dir, loaded.settings.logging.level)
    # The user is told once, by the front-end (a warning line); the log keeps it below the
    # warnings a log that cannot be written sends to stderr instead, so it is not said twice.
    for issue in loaded.issues:
        logging.getLogger("chatdesk.config").info("%s", issue)
    return Configuration(paths, loaded)
