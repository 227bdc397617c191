"""Why automatic backups are failing, kept beside the database until one is made again.

Automatic backups run unattended (the window's hourly check, `chatdesk db backup --daily` from
cron), so their failure is written to `automatic-backup-failure.json` in the data folder: the
latest reason, since when they have been failing and how many attempts failed in a row. Every
chatdesk process sees it — the Data tab, `chatdesk db backups`, the window's next session — and
the next backup that succeeds removes it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import ntr
from chatdesk.core.writing import save_private_text

log = logging.getLogger("chatdesk.store")

FAILURE_FILE = "automatic-backup-failure.json"


@dataclass(frozen=True)
class BackupFailure:
    reason: str  # the latest attempt's
    since: datetime  # the first failed attempt since a backup was last made
    attempts: int  # failed attempts in a row

    def describe(self) -> str:
        when = self.since.astimezone().strftime("%Y-%m-%d %H:%M")
        return ntr(
            "automatic backups have failed since {when} (once): {reason}",
            "automatic backups have failed since {when} ({n} times in a row): {reason}",
            self.attempts,
            when=when,
            reason=self.reason,
        )


class _RecordError(ChatdeskError):
    """The failure record cannot be written (only logged: the failure itself still shows)."""


def remember_failure(data_dir: Path, reason: str, now: datetime) -> BackupFailure:
    """Record one more failed attempt. Never raises: a record that cannot be written (the
    folder is read-only, say) is logged, and the failure is still returned to be shown."""
    previous = read_failure(data_dir)
    failure = BackupFailure(
        reason,
        previous.since if previous else now,
        previous.attempts + 1 if previous else 1,
    )
    text = json.dumps(
        {"reason": reason, "since": failure.since.isoformat(), "attempts": failure.attempts}
    )
    try:
        save_private_text(
            data_dir / FAILURE_FILE,
            text + "\n",
            _RecordError,
            "cannot save the backup failure to {path}: {reason}",  # logged, not shown
        )
    except _RecordError as error:
        log.warning("%s", error)
    return failure


def forget_failure(data_dir: Path) -> None:
    """A backup was made (or none was due): nothing is failing any more."""
    try:
        (data_dir / FAILURE_FILE).unlink(missing_ok=True)
    except OSError as error:
        log.warning("cannot remove %s: %s", data_dir / FAILURE_FILE, error)


def read_failure(data_dir: Path) -> BackupFailure | None:
    """The recorded failure, if automatic backups are failing (an unreadable record is logged
    and counts as none: the next attempt writes it again)."""
    path = data_dir / FAILURE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return BackupFailure(
            str(data["reason"]), datetime.fromisoformat(data["since"]), int(data["attempts"])
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("cannot read %s: %s", path, error)
        return None
