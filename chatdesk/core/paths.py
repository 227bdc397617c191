"""Where chatdesk keeps things on disk.

Defaults come from platformdirs (the same on every OS and for the CLI and the window).
`CHATDESK_HOME` puts everything under one folder (portable mode, tests); `CHATDESK_DATA_DIR`
or `--data-dir` moves only the data (database, backups).

What keeps the files private: on Linux and macOS, modes 0700 for folders and 0600 for files,
set here. On Windows these modes mean nothing (only the read-only bit); there the files are
private because the default folders are under the user's profile (`%LOCALAPPDATA%`), whose
access list admits only that user, administrators and the system. A data folder chosen
elsewhere (`--data-dir`, a shared drive) keeps the access list of where it is, so choose one
that is yours.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import tr

APP_NAME = "chatdesk"
DATABASE_NAME = "chatdesk.db"


class DataDirError(ChatdeskError):
    """The data folder cannot be created or written."""


@dataclass(frozen=True)
class Paths:
    """Where chatdesk keeps its data, settings, logs and cache."""

    data_dir: Path
    config_dir: Path
    log_dir: Path
    cache_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / DATABASE_NAME

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def voice_models_dir(self) -> Path:
        """The local speech models downloaded on request (chatdesk/core/voice/models.py)."""
        return self.data_dir / "voice-models"

    @property
    def blobs_dir(self) -> Path:
        """Attachments' bytes, one file per SHA-256 (chatdesk/core/store/blobs.py)."""
        return self.data_dir / "attachments"

    @property
    def run_dir(self) -> Path:
        """Lock files of running chatdesk processes."""
        return self.data_dir / "run"

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @classmethod
    def resolve(
        cls, data_dir: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
    ) -> Paths:
        env = os.environ if env is None else env
        home = env.get("CHATDESK_HOME")
        if home:
            root = Path(home).expanduser()
            paths = cls(root / "data", root / "config", root / "log", root / "cache")
        else:
            paths = cls(
                Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
                Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
                Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
                Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
            )
        chosen = data_dir or env.get("CHATDESK_DATA_DIR")
        if chosen:
            paths = cls(
                Path(chosen).expanduser().absolute(),
                paths.config_dir,
                paths.log_dir,
                paths.cache_dir,
            )
        return paths


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable by the user only; explain failures plainly."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.is_dir():
            raise NotADirectoryError(tr("{path} is not a folder", path=path))
        os.chmod(path, 0o700)
        probe = path / f".write-test-{os.getpid()}"
        with open(probe, "wb"):
            pass
        probe.unlink()
    except OSError as error:
        reason = error.strerror or str(error)
        raise DataDirError(
            tr(
                "cannot use folder {path}: {reason}. "
                "Choose another place with --data-dir or CHATDESK_DATA_DIR.",
                path=path,
                reason=reason,
            )
        ) from error
    return path


def create_private_file(path: Path) -> None:
    """Create `path` with mode 0600 if it does not exist yet (before anything else writes it)."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
