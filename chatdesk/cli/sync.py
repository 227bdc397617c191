"""`chatdesk sync …`: team sync from the command line (the window's Team settings, scripted)."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import sys
from typing import Any

from chatdesk.app import Core, key_store
from chatdesk.cli.output import fail, note, print_json, report
from chatdesk.cli.running import sync as on_core
from chatdesk.configuration import Configuration
from chatdesk.core.config import load_settings, save_settings
from chatdesk.core.errors import ChatdeskError, NotFound
from chatdesk.core.i18n import ntr, tr
from chatdesk.core.sync.service import Team, log_in
from chatdesk.core.views import SyncState


def add_commands(commands: Any) -> None:
    team = commands.add_parser("sync", help=tr("team sync: status, sync now, share threads"))
    actions = team.add_subparsers(dest="action", metavar="ACTION", required=True)
    status = actions.add_parser("status", help=tr("server, teams and what waits to be sent"))
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=on_core(_status))
    now = actions.add_parser("now", help=tr("send and receive everything now"))
    now.add_argument("--json", action="store_true")
    now.set_defaults(handler=on_core(_now))
    share = actions.add_parser("share", help=tr("share a thread (and its history) with a team"))
    share.add_argument("thread", help=tr("thread id or id prefix"))
    share.add_argument("team", help=tr("team name or id"))
    share.add_argument("--json", action="store_true")
    share.set_defaults(handler=on_core(_share))
    unshare = actions.add_parser(
        "unshare", help=tr("take a thread out of its team (it stays here, personal)")
    )
    unshare.add_argument("thread", help=tr("thread id or id prefix"))
    unshare.add_argument("--json", action="store_true")
    unshare.set_defaults(handler=on_core(_unshare))
    login = actions.add_parser(
        "login", help=tr("set the team server and your login; the password is read from stdin")
    )
    login.add_argument("--host", required=True)
    login.add_argument("--user", required=True)
    login.add_argument("--port", type=int, default=5432)
    login.add_argument("--database", default="chatdesk")
    login.add_argument(
        "--sslmode",
        default="verify-full",
        choices=["verify-full", "verify-ca", "require", "prefer"],
    )
    login.add_argument("--sslrootcert", default="", help=tr("the team's CA certificate file"))
    login.set_defaults(handler=_login)


async def _status(core: Core, args: argparse.Namespace) -> int:
    settings = core.config.settings.sync
    overview = await core.team.overview()
    teams, pending, refused = overview.teams, overview.pending, overview.rejected
    data = {
        "configured": core.team.configured,
        "server": f"{settings.user}@{settings.host}:{settings.port}/{settings.database}"
        if core.team.configured
        else None,
        "teams": [{"id": str(t.id), "name": t.name, "role": t.role} for t in teams],
        "pending": pending,
        "rejected": [{"op": s, "what": w, "why": y} for s, w, y in refused],
        "lost_edits": overview.lost_edits,
    }
    if args.json:
        print_json(data)
        return 0
    if not core.team.configured:
        print(tr("team sync is off (set it up with `chatdesk sync login`)"))
    else:
        print(tr("server: {server}", server=data["server"]))
    known = ", ".join(f"{t.name} ({t.role})" for t in teams) or tr("none known yet")
    print(tr("teams: {teams}", teams=known))
    print(ntr("waiting to be sent: {n}", "waiting to be sent: {n}", pending))
    for seq, what, why in refused:
        print(tr("refused by the server: op {seq} ({what}): {why}", seq=seq, what=what, why=why))
    if overview.lost_edits:
        print(
            ntr(
                "edits that lost to newer ones from teammates: {n}",
                "edits that lost to newer ones from teammates: {n}",
                overview.lost_edits,
            )
        )
    return 0 if not refused else 1


async def _now(core: Core, args: argparse.Namespace) -> int:
    if not core.team.configured:
        fail(tr("team sync is off: set it up with `chatdesk sync login` first"))
        return 2
    try:
        status = await core.team.exchange()
    except ChatdeskError:  # offline, or refused: the status says which and why
        status = core.team.status
    data = dataclasses.asdict(status)
    data["last_sync"] = status.last_sync.isoformat() if status.last_sync else None
    text = f"{status.state}" + (f": {status.detail}" if status.detail else "")
    if status.pending:
        text = ntr(
            "{state}; {n} change(s) still waiting",
            "{state}; {n} change(s) still waiting",
            status.pending,
            state=text,
        )
    report(args, data, text)
    return 0 if status.state is SyncState.UP_TO_DATE else 1


async def _share(core: Core, args: argparse.Namespace) -> int:
    thread_id = await core.service.resolve_thread(args.thread)
    if not core.team.configured:
        fail(tr("team sync is off: set it up with `chatdesk sync login` first"))
        return 2
    await core.team.exchange()  # the teams as the server has them now
    team = _team(await core.team.teams(), args.team)
    await core.team.share(thread_id, team.id)
    status = await core.team.exchange()
    report(
        args,
        {"thread_id": str(thread_id), "team_id": str(team.id), "state": status.state},
        tr("shared with {team}; {state}", team=team.name, state=status.state),
    )
    return 0


async def _unshare(core: Core, args: argparse.Namespace) -> int:
    thread_id = await core.service.resolve_thread(args.thread)
    await core.team.unshare(thread_id)
    state = tr("not synced yet")
    if core.team.configured:
        try:
            state = (await core.team.exchange()).state
        except ChatdeskError:
            state = core.team.status.state
    said = tr("no longer shared; {state}", state=state)
    report(args, {"thread_id": str(thread_id), "state": state}, said)
    return 0


def _team(teams: list[Team], wanted: str) -> Team:
    for team in teams:
        if wanted in (str(team.id), team.name):
            return team
    # translators: in place of a list of teams: there are none
    known = ", ".join(t.name for t in teams) or tr("none", context="teams")
    raise NotFound(
        tr("you are not in a team called {name!r} (your teams: {known})", name=wanted, known=known)
    )


def _login(config: Configuration, args: argparse.Namespace) -> int:
    if sys.stdin.isatty():
        password = getpass.getpass(
            tr("password for {user} on {host}: ", user=args.user, host=args.host)
        )
    else:
        password = sys.stdin.readline().rstrip("\n")
    if not password:
        fail(tr("no password given; nothing was changed"))
        return 2
    loaded = load_settings(config.paths.config_file).settings
    chosen = dataclasses.replace(
        loaded.sync,
        host=args.host,
        user=args.user,
        port=args.port,
        database=args.database,
        sslmode=args.sslmode,
        sslrootcert=args.sslrootcert,
    )
    teams = log_in(chosen, password, key_store())  # a bad login is refused before saving
    save_settings(config.paths.config_file, dataclasses.replace(loaded, sync=chosen))
    known = ", ".join(t.name for t in teams) or tr("none yet", context="teams")
    note(tr("logged in as {user}; teams: {teams}", user=args.user, teams=known))
    return 0
