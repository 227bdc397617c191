from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from chatdesk.configuration import Configuration
from chatdesk.core.errors import Closed
from chatdesk.core.paths import DataDirError, Paths, ensure_private_dir
from chatdesk.core.store import StorageError, Store, open_store


def test_every_connection_is_durable(store: Store) -> None:
    def pragmas(session: object) -> dict[str, object]:
        run = session.execute  # type: ignore[attr-defined]
        return {
            name: run(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }

    for values in (store.read_now(pragmas), store.write_now(pragmas)):
        assert values == {
            "journal_mode": "wal",
            "synchronous": 2,
            "foreign_keys": 1,
            "busy_timeout": 5000,
        }


def test_data_folder_and_database_are_private(store: Store, config: Configuration) -> None:
    assert config.paths.data_dir.stat().st_mode & 0o777 == 0o700
    assert store.path.stat().st_mode & 0o777 == 0o600


def test_a_file_that_is_not_a_database_is_refused_untouched(config: Configuration) -> None:
    ensure_private_dir(config.paths.data_dir)
    config.paths.database.write_bytes(b"my precious notes\n" * 100)
    with pytest.raises(StorageError, match="not a chatdesk database"):
        open_store(config.paths, config.settings)
    assert config.paths.database.read_bytes() == b"my precious notes\n" * 100
    # nor is this process left looking alive to the next start: its lock went with the failure
    assert not list(config.paths.run_dir.glob("*.lock"))


def test_unusable_data_folder_is_explained(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(DataDirError, match="cannot use folder"):
        ensure_private_dir(blocker / "data")


def test_data_dir_overrides(tmp_path: Path) -> None:
    env = {"CHATDESK_HOME": str(tmp_path / "h"), "CHATDESK_DATA_DIR": str(tmp_path / "d")}
    paths = Paths.resolve(env=env)
    assert paths.data_dir == tmp_path / "d"
    assert paths.config_dir == tmp_path / "h" / "config"
    assert Paths.resolve(tmp_path / "x", env=env).data_dir == tmp_path / "x"


def test_closing_checkpoints_the_wal(config: Configuration) -> None:
    opened = open_store(config.paths, config.settings)
    opened.write_now(lambda s: s.execute(text("CREATE TABLE scratch (x)")))
    opened.close()
    wal = Path(f"{opened.path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    with sqlite3.connect(opened.path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_work_asked_of_a_closed_store_says_it_was_closed(config: Configuration) -> None:
    """A window's read that spans the close of a temporary chat's store: its first step read,
    its second is refused with `Closed` — not a bug from the store's shut-down threads."""
    opened = open_store(config.paths, config.settings)

    async def two_steps() -> int:
        first = await opened.read(lambda s: s.execute(text("SELECT 1")).scalar_one())
        await asyncio.get_running_loop().run_in_executor(None, opened.close)
        return int(first) + int(
            await opened.read(lambda s: s.execute(text("SELECT 2")).scalar_one())
        )

    with pytest.raises(Closed, match="closed"):
        asyncio.run(two_steps())
    for step in (lambda: opened.write(lambda s: None), opened.data_version):
        with pytest.raises(Closed):
            asyncio.run(step())
