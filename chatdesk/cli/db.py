"""`chatdesk db …`: check, back up, restore, recover and upgrade the database.

None of these builds the whole core: they work on the database file, and those that replace it
(restore, recover) refuse while any other chatdesk has it open.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from chatdesk.cli.output import print_json, report, warn
from chatdesk.configuration import Configuration
from chatdesk.core.database import BackupInfo, Database, describe_restore
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import mark, ntr, tr

FIX_HINT = mark(
    "To go on: `chatdesk db restore` puts back the newest verified backup; `chatdesk db recover` "
    "builds a new database from what can still be read."
)


def add_commands(commands: Any) -> None:
    db = commands.add_parser("db", help=tr("database maintenance"))
    actions = db.add_subparsers(dest="action", metavar="ACTION", required=True)
    upgrade = actions.add_parser("upgrade", help=tr("migrate to the current schema (backs up)"))
    upgrade.set_defaults(handler=_upgrade)
    check = actions.add_parser("check", help=tr("verify integrity and schema, change nothing"))
    check.set_defaults(handler=_check)
    backup = actions.add_parser("backup", help=tr("write a verified backup copy"))
    backup.add_argument("path", nargs="?", help=tr("target file (default: the backups folder)"))
    backup.add_argument(
        "--daily",
        action="store_true",
        help=tr("the window's daily backup: made if one is due, then rotated (for cron)"),
    )
    backup.set_defaults(handler=_backup)
    listing = actions.add_parser(
        "backups", help=tr("the backups in the backups folder, newest first")
    )
    listing.set_defaults(handler=_backups)
    restore = actions.add_parser(
        "restore", help=tr("put a verified backup in place of the database (keeps the current one)")
    )
    restore.add_argument(
        "backup",
        nargs="?",
        help=tr("backup file or its name in the backups folder (default: newest)"),
    )
    restore.add_argument(
        "--cancel", action="store_true", help=tr("cancel a restore scheduled in the window")
    )
    restore.set_defaults(handler=_restore)
    recover = actions.add_parser(
        "recover", help=tr("build a new database from what can be read of a damaged one")
    )
    recover.set_defaults(handler=_recover)
    for parser in (upgrade, check, backup, listing, restore, recover):
        parser.add_argument("--json", action="store_true")


def _upgrade(config: Configuration, args: argparse.Namespace) -> int:
    upgraded = Database(config.paths).upgrade(config.settings)  # after a verified backup
    migration = upgraded.migration
    done: dict[str, Any] = {
        "path": upgraded.database,
        "old": migration.from_revision,
        "new": migration.to_revision,
    }
    if migration.changed and migration.backup:
        text = tr(
            "upgraded {path} from schema {old} to {new}; backup first: {backup}",
            backup=migration.backup,
            **done,
        )
    elif migration.changed:
        text = tr("upgraded {path} from schema {old} to {new}", **done)
    else:
        text = tr("{path} is already at the current schema {new}", **done)
    data = {
        "database": str(upgraded.database),
        "from_revision": migration.from_revision,
        "revision": migration.to_revision,
        "backup": str(migration.backup) if migration.backup else None,
    }
    report(args, data, text)
    return 0


def _check(config: Configuration, args: argparse.Namespace) -> int:
    checked = Database(config.paths).check()
    database, current, head = checked.database, checked.revision, checked.head
    problems, missing, damaged = checked.problems, checked.missing, checked.damaged
    result = {
        "database": str(database),
        "revision": current,
        "head": head,
        "up_to_date": checked.up_to_date,
        "integrity": problems or "ok",
        "attachments": {"missing": missing, "damaged": damaged},
    }
    if args.json:
        print_json(result)
    else:
        labels = tr("database:"), tr("schema:"), tr("integrity:")
        width = max(len(label) for label in labels) + 1  # the values in one column
        print(f"{labels[0]:<{width}}{database}")
        if not problems:
            # translators: the state of a database's schema: current, or the revision to upgrade to
            state = tr("current") if current == head else tr("upgrade to {head}", head=head)
            print(f"{labels[1]:<{width}}{current} ({state})")
        # translators: the database passed its integrity check
        print(f"{labels[2]:<{width}}{tr('ok') if not problems else '; '.join(problems[:5])}")
        if missing or damaged:
            print(
                ntr(
                    "attachments: {n} file(s) missing, {damaged} damaged; their messages are "
                    "kept (a backup's attachments folder may still hold them)",
                    "attachments: {n} file(s) missing, {damaged} damaged; their messages are "
                    "kept (a backup's attachments folder may still hold them)",
                    len(missing),
                    damaged=len(damaged),
                )
            )
        if problems:
            print(tr(FIX_HINT))
    return 1 if problems or missing or damaged else 0


def _backup(config: Configuration, args: argparse.Namespace) -> int:
    database = Database(config.paths)
    database.existing()
    if args.daily:
        return _daily(config, database, args)
    made = database.back_up(Path(args.path).expanduser().absolute() if args.path else None)
    said = tr("verified backup written to {path}", path=made)
    report(args, {"backup": str(made), "verified": True}, said)
    return 0


def _daily(config: Configuration, database: Database, args: argparse.Namespace) -> int:
    if args.path:
        raise InvalidRequest(tr("--daily writes to the backups folder; leave out the file name"))
    done = asyncio.run(database.back_up_daily(config.settings.storage))
    made = str(done.made.path) if done.made else None
    if made:
        text = tr("verified backup written to {path}", path=made)
    else:
        text = tr("the newest daily backup is recent")
    if done.deleted:
        text = ntr(
            "{done}; {n} old backups deleted by rotation",
            "{done}; {n} old backups deleted by rotation",
            len(done.deleted),
            done=text,
        )
    report(args, {"backup": made, "deleted": [str(p) for p in done.deleted]}, text)
    return 0


def _backups(config: Configuration, args: argparse.Namespace) -> int:
    database = Database(config.paths)
    found = database.backups()
    failure = database.backup_failure()
    if failure is not None:  # on stderr: the listing stays what scripts read
        warn(failure.describe())
    if args.json:
        print_json([_backup_json(info) for info in found])
        return 0
    for info in found:
        when = info.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        print(f"{when}  {info.kind.value:<13}  {info.size / 1e6:>9.1f} MB  {info.path.name}")
    if not found:
        print(tr("no backups yet in {folder}", folder=config.paths.backups_dir))
    return 0


def _backup_json(info: BackupInfo) -> dict[str, Any]:
    return {
        "path": str(info.path),
        "kind": info.kind.value,
        "size": info.size,
        "created_at": info.created_at.isoformat(),
    }


def _restore(config: Configuration, args: argparse.Namespace) -> int:
    database = Database(config.paths)
    if args.cancel:
        pending = database.cancel_restore()
        if pending:
            text = tr("cancelled the restore of {name}", name=pending.name)
        else:
            text = tr("no restore was scheduled")
        report(args, {"cancelled": str(pending) if pending else None}, text)
        return 0
    chosen = _backup_path(config, args.backup) if args.backup else None
    done = database.restore(chosen)
    data = {"restored": str(done.backup), "set_aside": [str(p) for p in done.set_aside]}
    report(args, data, describe_restore(done))
    return 0


def _backup_path(config: Configuration, given: str) -> Path:
    path = Path(given).expanduser()
    if path.exists() or path.parent != Path("."):
        return path.absolute()
    return config.paths.backups_dir / given  # a name from `chatdesk db backups`


def _recover(config: Configuration, args: argparse.Namespace) -> int:
    done = Database(config.paths).recover()
    tables = done.salvage.tables.values()
    data = {
        "database": str(done.database),
        "damaged_dir": str(done.damaged_dir),
        "copied": {t.table: t.copied for t in tables},
        "refused": {t.table: t.refused for t in tables if t.refused},
        "damaged_stretches": sum(t.damaged_stretches for t in tables),
        "unreadable_tables": done.salvage.unreadable_tables,
        "recreated_threads": done.salvage.recreated_threads,
    }
    report(args, data, done.describe())
    return 0
