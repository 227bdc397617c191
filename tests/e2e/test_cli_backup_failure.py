"""Automatic backups that fail from cron (`chatdesk db backup --daily`) say so in
`chatdesk db backups` until one is made again, without changing what scripts read."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.cli import chatdesk, chatdesk_json


def test_a_failing_daily_backup_is_shown_by_the_listing_until_one_is_made(
    chatdesk_home: Path,
) -> None:
    chatdesk_json("ask", "hello")
    folder = chatdesk_home / "data" / "backups"
    folder.write_text("a file where the backups folder should be")
    for _ in range(2):
        failed = chatdesk("db", "backup", "--daily")
        assert failed.returncode == 1
        assert "cannot write backups" in failed.stderr

    listed = chatdesk("db", "backups", "--json")
    assert listed.returncode == 0
    assert json.loads(listed.stdout) == []
    warning = listed.stderr.strip()
    assert warning.startswith("chatdesk: warning: automatic backups have failed since ")
    assert "(2 times in a row): cannot write backups" in warning

    folder.unlink()
    assert chatdesk_json("db", "backup", "--daily")["backup"] is not None
    again = chatdesk("db", "backups")
    assert again.returncode == 0
    assert again.stderr == ""
    assert "daily" in again.stdout
