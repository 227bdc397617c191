from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from chatdesk.core.package_data import package_data
from chatdesk.core.store import migrate
from chatdesk.core.store.migrate import DatabaseTooNew, MigrationFailed, alembic_config

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

TABLES = {"projects", "threads", "messages", "message_parts", "summaries", "attachments"}


def _tables(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {row[0] for row in rows}


def _revision(database: Path) -> str | None:
    with sqlite3.connect(database) as connection:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None


def _seed(database: Path) -> None:
    """One thread with two messages, written with plain SQL as an older chatdesk would."""
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO threads (id, title, title_set_by_user, pinned, archived, "
            "message_count, total_tokens, last_activity_at, created_at, updated_at) VALUES "
            "('aa', 'kept', 0, 0, 0, 2, 0, '2026-01-01', '2026-01-01', '2026-01-01')"
        )
        for mid, parent, depth in (("m1", None, 0), ("m2", "m1", 1)):
            connection.execute(
                "INSERT INTO messages (id, thread_id, parent_id, depth, role, status, content, "
                "created_at, updated_at) VALUES (?, 'aa', ?, ?, 'user', 'complete', ?, "
                "'2026-01-01', '2026-01-01')",
                (mid, parent, depth, f"text of {mid}"),
            )


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    """A database at the current head holding one thread with two messages."""
    database = tmp_path / "data.db"
    migrate.upgrade(database, tmp_path / "backups")
    _seed(database)
    return database


def _messages(database: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT id, content FROM messages ORDER BY id").fetchall()


def _copy_history(tmp_path: Path, extra: str | None = None, downgrade: str = "    pass") -> Path:
    """A copy of the shipped migrations, optionally with one more revision after head."""
    location = tmp_path / "migrations"
    shutil.copytree(package_data("migrations"), location)
    if extra is not None:
        head = migrate.head_revision()
        body = textwrap.dedent(extra)
        (location / "versions" / "9999_extra.py").write_text(
            f"import sqlalchemy as sa\nfrom alembic import op\n\n"
            f"revision = '9999'\ndown_revision = {head!r}\nbranch_labels = None\n"
            f"depends_on = None\n\n{body}\n\ndef downgrade() -> None:\n{downgrade}\n"
        )
    return location


def test_upgrade_from_empty_creates_every_table(tmp_path: Path) -> None:
    database = tmp_path / "new.db"
    report = migrate.upgrade(database, tmp_path / "backups")
    assert report.from_revision is None
    assert report.to_revision == migrate.head_revision()
    assert report.backup is None  # nothing to back up yet
    assert _tables(database) >= TABLES


def test_history_has_a_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    database = tmp_path / "check.db"
    migrate.upgrade(database, tmp_path / "backups")
    engine = create_engine(f"sqlite:///{database}")
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.check(config)  # raises if autogenerate would find a difference
    engine.dispose()


def test_downgrade_and_upgrade_with_data_present(tmp_path: Path, seeded: Path) -> None:
    database = seeded
    extra = _copy_history(
        tmp_path,
        """
        def upgrade() -> None:
            with op.batch_alter_table("threads") as batch:
                batch.add_column(sa.Column("colour", sa.String(20), nullable=True))
        """,
        downgrade="    with op.batch_alter_table('threads') as batch:\n"
        "        batch.drop_column('colour')",
    )
    before = _messages(database)
    report = migrate.upgrade(database, tmp_path / "backups", script_location=extra)
    assert report.to_revision == "9999"
    assert report.backup is not None
    assert report.backup.exists()
    # batch mode recreated `threads`; its messages (ON DELETE CASCADE) must survive that
    assert _messages(database) == before
    engine = create_engine(f"sqlite:///{database}")
    config = alembic_config(extra)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, migrate.head_revision())
    engine.dispose()
    assert _revision(database) == migrate.head_revision()
    assert _messages(database) == before
    migrate.upgrade(database, tmp_path / "backups", script_location=extra)
    assert _revision(database) == "9999"
    assert _messages(database) == before


def test_backup_before_migrating_is_verified_and_complete(tmp_path: Path, seeded: Path) -> None:
    database = seeded
    extra = _copy_history(
        tmp_path, "def upgrade() -> None:\n    op.create_table('x', sa.Column('a', sa.Integer))"
    )
    report = migrate.upgrade(database, tmp_path / "backups", script_location=extra)
    assert report.backup is not None
    assert report.backup.stat().st_mode & 0o777 == 0o600
    assert _revision(report.backup) == migrate.head_revision()
    assert _messages(report.backup) == _messages(database)


def test_failing_migration_leaves_the_old_revision(tmp_path: Path, seeded: Path) -> None:
    database = seeded
    extra = _copy_history(
        tmp_path,
        """
        def upgrade() -> None:
            op.create_table("half", sa.Column("a", sa.Integer))
            with op.batch_alter_table("threads") as batch:
                batch.add_column(sa.Column("colour", sa.String(20), nullable=True))
            raise RuntimeError("disk on fire")
        """,
    )
    before = _messages(database)
    with pytest.raises(MigrationFailed, match="rolled back"):
        migrate.upgrade(database, tmp_path / "backups", script_location=extra)
    assert _revision(database) == migrate.head_revision()
    tables = _tables(database)
    assert "half" not in tables
    assert not any(name.startswith("_alembic_tmp_") for name in tables)
    assert _messages(database) == before


def test_killed_migration_leaves_the_old_revision(tmp_path: Path, seeded: Path) -> None:
    database = seeded
    marker = tmp_path / "halfway"
    extra = _copy_history(
        tmp_path,
        f"""
        import os, signal
        def upgrade() -> None:
            op.create_table("half", sa.Column("a", sa.Integer))
            with op.batch_alter_table("threads") as batch:
                batch.add_column(sa.Column("colour", sa.String(20), nullable=True))
            open({str(marker)!r}, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)
        """,
    )
    code = (
        "import sys, pathlib; from chatdesk.core.store import migrate; "
        "migrate.upgrade(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), "
        "script_location=pathlib.Path(sys.argv[3]))"
    )
    before = _messages(database)
    result = subprocess.run(
        [sys.executable, "-c", code, str(database), str(tmp_path / "backups"), str(extra)],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == -9, result.stderr.decode()
    assert marker.exists()  # it really died halfway through
    assert _revision(database) == migrate.head_revision()
    assert "half" not in _tables(database)
    assert _messages(database) == before
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_stray_batch_tables_are_cleaned(tmp_path: Path) -> None:
    database = tmp_path / "data.db"
    migrate.upgrade(database, tmp_path / "backups")
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE _alembic_tmp_threads (x)")
    extra = _copy_history(tmp_path, "def upgrade() -> None:\n    pass")
    migrate.upgrade(database, tmp_path / "backups", script_location=extra)
    assert "_alembic_tmp_threads" not in _tables(database)


def test_database_from_a_newer_chatdesk_is_refused_unchanged(tmp_path: Path, seeded: Path) -> None:
    database = seeded
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00dfeed'")
    before = database.read_bytes()
    with pytest.raises(DatabaseTooNew, match="newer chatdesk"):
        migrate.upgrade(database, tmp_path / "backups")
    assert database.read_bytes() == before
    assert not (tmp_path / "backups").exists()


def test_the_head_revision_constant_agrees_with_the_history() -> None:
    from chatdesk.core.store.migrate import head_revision
    from chatdesk.core.store.schema import HEAD_REVISION

    assert head_revision() == HEAD_REVISION, "update HEAD_REVISION in core/store/schema.py"


def test_an_up_to_date_database_opens_without_loading_alembic(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from chatdesk.app import build_core\n"
        "from chatdesk.configuration import configure\n"
        "core = build_core(configure())\n"
        "core.insides.store.close()\n"
        "print('alembic' in sys.modules)\n"
    )
    env = {**os.environ, "CHATDESK_HOME": str(tmp_path / "home")}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    # the first run makes the schema in one step (core/store/fresh.py), the second just opens
    assert runs == ["False", "False"]


def _examples(database: Path) -> dict[str, list[str]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT name, examples FROM assistants").fetchall()
    return {name: json.loads(examples) for name, examples in rows}


def test_built_in_assistants_made_before_gain_a_whole_example_the_users_own_stay(
    tmp_path: Path,
) -> None:
    """Migration 0019: a built-in whose examples are still the ones an earlier chatdesk wrote
    gains a whole question first (what a new chat suggests); one the user edited keeps theirs."""
    database = tmp_path / "data.db"
    engine = create_engine(f"sqlite:///{database}")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0018")
    engine.dispose()
    writer = [
        "Make this email shorter and friendlier: ",
        "Edit this paragraph for clarity, and tell me what you changed: ",
        "Write a one-paragraph product description for ",
    ]
    with sqlite3.connect(database) as connection:  # as the earlier chatdesk's 0010 wrote them
        connection.execute(
            "UPDATE assistants SET examples = ? WHERE name = 'Careful writer'",
            (json.dumps(writer),),
        )
        connection.execute(  # the user's own
            "UPDATE assistants SET examples = ? WHERE name = 'Translator'",
            (json.dumps(["Translate into Welsh: "]),),
        )
    tutor = _examples(database)["Tutor"]

    migrate.upgrade(database, tmp_path / "backups")

    examples = _examples(database)
    whole = "Write a short, friendly note declining a meeting invitation."
    assert examples["Careful writer"] == [whole, *writer]
    assert examples["Translator"] == ["Translate into Welsh: "]
    assert examples["Tutor"] == tutor  # its first was whole already
