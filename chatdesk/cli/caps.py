"""`chatdesk caps …`: the spending caps, what has been spent against them this month, and
setting or clearing them (all providers together and per chat in the settings file, per
provider in its profile). `chatdesk ask --over-cap` sends one request past a reached cap."""

from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING, Any

from chatdesk.cli.output import print_json, report
from chatdesk.cli.running import sync
from chatdesk.core.config import load_settings, save_settings
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.units import format_cost

if TYPE_CHECKING:
    from chatdesk.app import Core
    from chatdesk.core.chat.caps import CapState


def add_commands(commands: Any) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true")
    caps = commands.add_parser(
        "caps", parents=[common], help="spending caps, and what is left of them"
    )
    actions = caps.add_subparsers(dest="action", metavar="ACTION")
    caps.set_defaults(handler=sync(_show))
    chosen = actions.add_parser("set", parents=[common], help="set caps (USD; 0 for none)")
    chosen.add_argument("--monthly", type=float, metavar="USD", help="a calendar month's cap")
    chosen.add_argument("--thread", type=float, metavar="USD", help="one chat's cap")
    chosen.add_argument("--warn-at", type=float, metavar="SHARE", help="say so from (0.8)")
    chosen.add_argument("--provider", metavar="NAME", help="the monthly cap of this provider")
    chosen.set_defaults(handler=sync(_set))
    clear = actions.add_parser("clear", parents=[common], help="remove caps")
    clear.add_argument("--provider", metavar="NAME", help="only this provider's")
    clear.set_defaults(handler=sync(_clear))


async def _show(core: Core, args: argparse.Namespace) -> int:
    states = await core.service.spending.overview()
    if args.json:
        print_json({"caps": [_state_json(s) for s in states]})
    elif not states:
        print("no spending caps (chatdesk caps set --monthly USD)")
    for state in [] if args.json else states:
        print(state.with_left())
    return 0


async def _set(core: Core, args: argparse.Namespace) -> int:
    values = {"monthly_usd": args.monthly, "thread_usd": args.thread, "warn_at": args.warn_at}
    given = {k: v for k, v in values.items() if v is not None}
    if not given:
        raise InvalidRequest("say which cap: --monthly USD, --thread USD or --warn-at SHARE")
    if any(v < 0 for v in given.values()):
        raise InvalidRequest("a cap is 0 (none) or more")
    if args.provider:
        if set(given) != {"monthly_usd"}:
            raise InvalidRequest("a provider has a monthly cap only: --provider NAME --monthly USD")
        return await _provider_cap(core, args, given["monthly_usd"])
    if "warn_at" in given and not 0.1 <= given["warn_at"] <= 1.0:
        raise InvalidRequest("--warn-at is a share from 0.1 to 1.0 (0.8: at 80 %)")
    _save(core, args, **given)
    return 0


async def _clear(core: Core, args: argparse.Namespace) -> int:
    if args.provider:
        return await _provider_cap(core, args, 0.0)
    _save(core, args, monthly_usd=0.0, thread_usd=0.0)
    return 0


async def _provider_cap(core: Core, args: argparse.Namespace, cap: float) -> int:
    profile = core.profiles.view(args.provider).profile
    view = await core.profiles.save(
        dataclasses.replace(profile, monthly_cap_usd=cap), key=None, editing=args.provider
    )
    said = f"{format_cost(cap)} a month" if cap else "no cap"
    report(args, {"provider": view.name, "monthly_usd": cap}, f"{view.name}: {said}")
    return 0


def _save(core: Core, args: argparse.Namespace, **changes: float) -> None:
    path = core.config.paths.config_file
    loaded = load_settings(path).settings
    caps = dataclasses.replace(loaded.caps, **changes)
    save_settings(path, dataclasses.replace(loaded, caps=caps))
    said = ", ".join(
        f"{name}: {format_cost(value) if value else 'none'}"
        for name, value in (("monthly", caps.monthly_usd), ("per chat", caps.thread_usd))
    )
    report(args, dataclasses.asdict(caps), f"caps saved ({said}; said from {caps.warn_at:.0%})")


def _state_json(state: CapState) -> dict[str, Any]:
    return {
        "name": state.name,
        "cap_usd": state.cap,
        "spent_usd": state.spent,
        "left_usd": max(0.0, state.cap - state.spent),
        "reached": state.reached,
        "estimated": state.estimated,
    }
