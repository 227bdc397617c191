"""A restore asked for while the database is open (in the window), applied at the next start.

The window cannot swap the database it has open, so it writes `restore-request.json` in the
data folder: the backup to restore and when it was asked for. The next start applies it before
anything opens the database (restore.apply_scheduled); cancelling removes the file.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from chatdesk.core.errors import ChatdeskError, NotFound
from chatdesk.core.i18n import mark, tr
from chatdesk.core.writing import save_private_text

REQUEST_FILE = "restore-request.json"


class RestoreRequestError(ChatdeskError):
    """The restore request cannot be written or read."""


def schedule_restore(data_dir: Path, backup: Path) -> None:
    if not backup.is_file():
        raise NotFound(tr("no backup at {backup}; nothing was scheduled", backup=backup))
    text = json.dumps({"backup": str(backup), "requested_at": datetime.now(UTC).isoformat()})
    save_private_text(
        data_dir / REQUEST_FILE,
        text + "\n",
        RestoreRequestError,
        mark("cannot save the restore request to {path}: {reason}"),
    )


def scheduled_restore(data_dir: Path) -> Path | None:
    """The backup a restore request names, or None when none is pending."""
    path = data_dir / REQUEST_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Path(data["backup"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise RestoreRequestError(
            tr(
                "the restore request {path} cannot be read ({error}); delete it to start normally",
                path=path,
                error=error,
            )
        ) from error


def cancel_scheduled_restore(data_dir: Path) -> None:
    (data_dir / REQUEST_FILE).unlink(missing_ok=True)
