"""`chatdesk server …`: set up and run a team's sync server on an existing PostgreSQL (≥ 14).

The server is named by `--dsn` or CHATDESK_SERVER_DSN: anything libpq takes, as a role that
may administer it (a superuser for `init`). A remote host gets `sslmode=verify-full` unless the
DSN says otherwise. A member's password is generated and printed once, or read from stdin
(`--password-stdin`) or a prompt (`--password-prompt`); never from the command line, where it
would land in the shell's history and in every process listing. See docs/sync-server.md.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from chatdesk.cli.output import report, warn
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import ntr, tr
from chatdesk.core.units import format_size, parse_size

if TYPE_CHECKING:
    from chatdesk.configuration import Configuration
    from chatdesk.core.sync.server.admin import ServerAdmin
    from chatdesk.core.sync.server.purge import PurgeReport
    from chatdesk.core.sync.server.status import ServerStatus

DSN_VARIABLE = "CHATDESK_SERVER_DSN"


def add_server_commands(commands: Any) -> None:
    server = commands.add_parser("server", help=tr("set up and administer a team sync server"))
    actions = server.add_subparsers(dest="action", metavar="ACTION", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--dsn",
        metavar="DSN",
        help=tr("the PostgreSQL to administer (or {variable})", variable=DSN_VARIABLE),
    )
    common.add_argument("--json", action="store_true")

    init = actions.add_parser(
        "init", parents=[common], help=tr("create or upgrade chatdesk's schema (as a superuser)")
    )
    init.set_defaults(handler=_init)

    team = actions.add_parser("add-team", parents=[common], help=tr("add a team"))
    team.add_argument("name")
    team.set_defaults(handler=_add_team)

    _add_member_commands(actions, common)

    ending = actions.add_parser(
        "end-sessions",
        parents=[common],
        help=tr("end a member's open sessions (they may log in again)"),
    )
    ending.add_argument("user")
    ending.set_defaults(handler=_end_sessions)

    status = actions.add_parser(
        "status", parents=[common], help=tr("schema, teams, members, clients, and problems found")
    )
    status.set_defaults(handler=_status)

    _add_storage_commands(actions, common)


def _add_member_commands(actions: Any, common: argparse.ArgumentParser) -> None:
    """add-member and remove-member: who is in a team."""
    member = actions.add_parser(
        "add-member",
        parents=[common],
        help=tr("add a person to a team (a new login gets a generated password)"),
    )
    member.add_argument("team", help=tr("the team's name or id"))
    member.add_argument("user", help=tr("their login name (lower case)"))
    member.add_argument("--role", choices=["member", "admin"], default="member")
    given = member.add_mutually_exclusive_group()
    given.add_argument(
        "--password-stdin", action="store_true", help=tr("read the password from stdin")
    )
    given.add_argument("--password-prompt", action="store_true", help=tr("ask for the password"))
    member.set_defaults(handler=_add_member)

    remove = actions.add_parser(
        "remove-member",
        parents=[common],
        help=tr("take a person out; one in no team any more can no longer log in"),
    )
    remove.add_argument("team", help=tr("the team's name or id"))
    remove.add_argument("user")
    remove.add_argument(
        "--drop-role",
        action="store_true",
        help=tr(
            "drop their login too if they are in no team any more (with what the role owns), "
            "instead of keeping it unable to log in"
        ),
    )
    remove.set_defaults(handler=_remove_member)


def _add_storage_commands(actions: Any, common: argparse.ArgumentParser) -> None:
    """quota and purge: what the server keeps."""
    quota = actions.add_parser(
        "quota",
        parents=[common],
        help=tr("how much room a team's attachment files may take on the server"),
    )
    quota.add_argument("team", help=tr("the team's name or id"))
    quota.add_argument("size", help=tr("as in 500MB, 5GB or 0 (no new files)"))
    quota.set_defaults(handler=_quota)

    purge = actions.add_parser(
        "purge", parents=[common], help=tr("delete old tombstones for good (clients resync)")
    )
    purge.add_argument(
        "--older-than", type=float, metavar="DAYS", help=tr("deleted before DAYS ago")
    )
    purge.add_argument("--below-version", type=int, metavar="N", help=tr("server version below N"))
    purge.add_argument("--team", metavar="TEAM", help=tr("only this team (default: every team)"))
    purge.set_defaults(handler=_purge)


def _admin(args: argparse.Namespace) -> ServerAdmin:
    from chatdesk.core.sync.server.admin import ServerAdmin

    dsn = args.dsn if args.dsn is not None else os.environ.get(DSN_VARIABLE)
    if dsn is None:
        raise InvalidRequest(
            tr(
                "which server? Give --dsn 'host=… dbname=… user=…' or set {variable}",
                variable=DSN_VARIABLE,
            )
        )
    return ServerAdmin(dsn)


# -- commands ------------------------------------------------------------------------------------


def _init(_config: Configuration, args: argparse.Namespace) -> int:
    done = _admin(args).init()
    if done.before == done.after:
        text = tr("the schema is up to date (revision {after})", after=done.after)
    elif done.before is None:
        text = tr("created chatdesk's schema (revision {after})", after=done.after)
    else:
        text = tr(
            "upgraded chatdesk's schema from revision {before} to {after}",
            before=done.before,
            after=done.after,
        )
    data = {"before": done.before, "after": done.after, "problems": list(done.problems)}
    report(args, data, text)
    return _problems(args, done.problems)


def _add_team(_config: Configuration, args: argparse.Namespace) -> int:
    team = _admin(args).add_team(args.name)
    said = tr("added team {name} ({id})", name=team.name, id=team.id)
    report(args, {"id": str(team.id), "name": team.name}, said)
    return 0


def _add_member(_config: Configuration, args: argparse.Namespace) -> int:
    password = _password(args)
    added = _admin(args).add_member(args.team, args.user, password=password, role=args.role)
    data: dict[str, Any] = {
        "team": added.team.name,
        "team_id": str(added.team.id),
        "member": added.member,
        "role": added.role,
        "created_login": added.created_role,
        "password": added.password,
    }
    member = {"member": added.member, "team": added.team.name, "role": added.role}
    lines = [tr("{member} is in team {team} ({role})", **member)]
    if added.password is not None:
        lines.append(tr("password for {member}, shown once and kept nowhere:", **member))
        lines.append(added.password)
    elif not added.created_role:
        lines.append(tr("(an existing login: its password is unchanged)"))
    report(args, data, "\n".join(lines))
    return 0


def _remove_member(_config: Configuration, args: argparse.Namespace) -> int:
    done = _admin(args).remove_member(args.team, args.user, drop_role=args.drop_role)
    who = {"user": args.user, "team": args.team}
    lines = [
        tr("{user} is no longer in team {team}", **who)
        if done.removed
        else tr("{user} was not in team {team}", **who)
    ]
    if done.login == "shut out":
        lines.append(
            tr(
                "{user} is in no team now: their login may no longer log in and their sessions "
                "were ended (adding them to a team lets them in again)",
                **who,
            )
        )
    elif done.login == "dropped":
        lines.append(tr("{user} was in no team any more: their login was dropped", **who))
    data = {"removed": done.removed, "member": args.user, "team": args.team, "login": done.login}
    report(args, data, "\n".join(lines))
    return 0


def _end_sessions(_config: Configuration, args: argparse.Namespace) -> int:
    ended = _admin(args).end_sessions(args.user)
    said = ntr(
        "ended {n} session(s) of {user}", "ended {n} session(s) of {user}", ended, user=args.user
    )
    report(args, {"member": args.user, "ended": ended}, said)
    return 0


def _quota(_config: Configuration, args: argparse.Namespace) -> int:
    try:
        size = parse_size(args.size)
    except ValueError as error:
        raise InvalidRequest(str(error)) from None
    team = _admin(args).set_files_quota(args.team, size)
    text = tr(
        "team {name} may keep {size} of attachment files on the server",
        name=team.name,
        size=format_size(size),
    )
    report(args, {"team": team.name, "files_quota_bytes": size}, text)
    return 0


def _status(_config: Configuration, args: argparse.Namespace) -> int:
    status = _admin(args).status()
    report(args, _status_json(status), _status_text(status))
    return _problems(args, status.problems)


def _purge(_config: Configuration, args: argparse.Namespace) -> int:
    if args.older_than is None and args.below_version is None:
        raise InvalidRequest(tr("say which tombstones: --older-than DAYS and/or --below-version N"))
    if args.older_than is not None and args.older_than < 0:
        raise InvalidRequest(tr("--older-than must not be negative"))
    older = timedelta(days=args.older_than) if args.older_than is not None else None
    reports = _admin(args).purge_tombstones(
        older_than=older, below_version=args.below_version, team=args.team
    )
    data = [
        {
            "team": r.team.name,
            "threads": r.threads,
            "messages": r.messages,
            "summaries": r.summaries,
            "revisions": r.revisions,
            "files": r.files,
            "file_bytes": r.file_bytes,
            "purged_below": r.purged_below,
        }
        for r in reports
    ]
    text = "\n".join(_purged(r) for r in reports)
    report(args, {"teams": data}, text or tr("no teams"))
    return 0


# -- helpers ---------------------------------------------------------------------------------------


def _purged(done: PurgeReport) -> str:
    counts = ", ".join(
        [
            ntr("{n} threads", "{n} threads", done.threads),
            ntr("{n} messages", "{n} messages", done.messages),
            ntr("{n} summaries", "{n} summaries", done.summaries),
            ntr("{n} revisions", "{n} revisions", done.revisions),
            ntr(
                "{n} files ({size})",
                "{n} files ({size})",
                done.files,
                size=format_size(done.file_bytes),
            ),
        ]
    )
    return tr(
        "{team}: {counts} purged; clients behind version {version} resync",
        team=done.team.name,
        counts=counts,
        version=done.purged_below,
    )


def _password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InvalidRequest(tr("--password-stdin: no password on stdin; nothing was changed"))
        return password
    if args.password_prompt:
        password = getpass.getpass(tr("password for {user}: ", user=args.user))
        # translators: asks for the password a second time
        if password != getpass.getpass(tr("again: ")):
            raise InvalidRequest(tr("the two passwords differ; nothing was changed"))
        if not password:
            raise InvalidRequest(tr("an empty password cannot be used; nothing was changed"))
        return password
    return None


def _problems(args: argparse.Namespace, problems: tuple[str, ...]) -> int:
    """Problems are warnings on stderr (and in the JSON); they make the exit code 1."""
    if not args.json:
        for problem in problems:
            warn(problem)
    return 1 if problems else 0


def _status_json(status: ServerStatus) -> dict[str, Any]:
    return {
        "server_version": status.server_version,
        "database": status.database,
        "revision": status.revision,
        "head": status.head,
        "protocols": list(status.protocols),
        "teams": [
            {
                "id": str(team.id),
                "name": team.name,
                "version": team.version,
                "purged_below": team.purged_below,
                "files_bytes": team.files_bytes,
                "files_quota_bytes": team.files_quota,
                "members": [
                    {"name": m.name, "role": m.role, "added_at": m.added_at.isoformat()}
                    for m in team.members
                ],
            }
            for team in status.teams
        ],
        "clients": [
            {
                "node_id": str(c.node_id),
                "member": c.member,
                "last_op_seq": c.last_op_seq,
                "protocol": c.protocol,
                "first_seen": c.first_seen.isoformat() if c.first_seen else None,
                "last_seen": c.last_seen.isoformat() if c.last_seen else None,
            }
            for c in status.clients
        ],
        "problems": list(status.problems),
    }


def _status_text(status: ServerStatus) -> str:
    lines = [
        tr(
            "PostgreSQL {version}, database {database}",
            version=status.server_version,
            database=status.database,
        ),
        tr(
            "schema revision {revision} (this chatdesk: {head}), protocols {oldest}-{newest}",
            revision=status.revision,
            head=status.head,
            oldest=status.protocols[0],
            newest=status.protocols[1],
        ),
    ]
    if not status.teams:
        lines.append(tr("no teams yet: chatdesk server add-team NAME"))
    for team in status.teams:
        lines.append(
            ntr(
                "team {name} ({id}): version {version}, purged below {purged}, {n} member(s)",
                "team {name} ({id}): version {version}, purged below {purged}, {n} member(s)",
                len(team.members),
                name=team.name,
                id=team.id,
                version=team.version,
                purged=team.purged_below,
            )
        )
        if team.files_quota is not None:
            used, room = format_size(team.files_bytes), format_size(team.files_quota)
            lines.append("  " + tr("files: {used} of {room}", used=used, room=room))
        lines.extend(f"  {m.name} ({m.role})" for m in team.members)
    seen = len(status.clients)
    if seen:
        lines.append(ntr("{n} client(s) have synced", "{n} client(s) have synced", seen))
    else:
        lines.append(tr("no client has synced yet"))
    for client in status.clients[:20]:
        # translators: when a client last synced: it never did
        never = tr("never")
        when = client.last_seen.strftime("%Y-%m-%d %H:%M") if client.last_seen else never
        lines.append(
            "  "
            + tr(
                "{member} on {node}: op {seq}, {when}",
                member=client.member,
                node=client.node_id,
                seq=client.last_op_seq,
                when=when,
            )
        )
    return "\n".join(lines)
