"""`chatdesk sync …` as a user runs it: two homes, one team server."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.cli import chatdesk
from tests.sync.conftest import Member, SyncDatabase


def _home(root: Path, member: Member, sync_db: SyncDatabase) -> dict[str, str]:
    """A chatdesk home set up for `member` (password as libpq's PGPASSWORD: no keyring)."""
    (root / "config").mkdir(parents=True)
    port = sync_db.server.port
    (root / "config" / "config.toml").write_text(
        f'[sync]\nhost = "127.0.0.1"\nport = {port}\ndatabase = "{sync_db.name}"\n'
        f'user = "{member.name}"\nsslmode = "disable"\n',
        encoding="utf-8",
    )
    return {"CHATDESK_HOME": str(root), "PGPASSWORD": member.password}


def _json(env: dict[str, str], *args: str) -> dict[str, object]:
    import json

    result = chatdesk(*args, "--json", env=env)
    assert result.returncode == 0, result.stderr
    found: dict[str, object] = json.loads(result.stdout)
    return found


def test_share_from_one_home_arrives_in_another(tmp_path: Path, sync_db: SyncDatabase) -> None:
    team = sync_db.team("design", ["alice", "bob"])
    alice = _home(tmp_path / "alice", team.members["alice"], sync_db)
    bob = _home(tmp_path / "bob", team.members["bob"], sync_db)

    thread_id = str(_json(alice, "ask", "Which colours for the logo?")["thread_id"])
    shared = _json(alice, "sync", "share", thread_id[:8], "design")
    assert shared["state"] == "up to date"
    status = _json(alice, "sync", "status")
    assert status["pending"] == 0
    assert status["teams"] == [{"id": str(team.id), "name": "design", "role": "member"}]

    assert _json(bob, "sync", "now")["state"] == "up to date"
    listed = chatdesk("threads", "list", env=bob)
    assert listed.returncode == 0, listed.stderr
    assert thread_id.replace("-", "")[:12] in listed.stdout
    shown = chatdesk("threads", "show", thread_id, env=bob)
    assert "Which colours for the logo?" in shown.stdout


def test_sync_now_without_a_server_says_how_to_set_it_up(chatdesk_home: Path) -> None:
    result = chatdesk("sync", "now")
    assert result.returncode == 2
    assert "chatdesk sync login" in result.stderr


def test_a_wrong_password_is_refused_with_what_to_do(tmp_path: Path, sync_db: SyncDatabase) -> None:
    team = sync_db.team("ops", ["carol"])
    env = _home(tmp_path / "carol", team.members["carol"], sync_db)
    env["PGPASSWORD"] = "not-the-password"
    result = chatdesk("sync", "now", env=env)
    assert result.returncode == 1
    assert "refused the login" in result.stdout + result.stderr
    assert "chatdesk sync login" in result.stdout + result.stderr
