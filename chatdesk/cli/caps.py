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
from chatdesk.core.i18n import percent, tr
from chatdesk.core.units import format_cost

if TYPE_CHECKING:
    from chatdesk.app import Core
    from chatdesk.core.chat.caps import CapState


def add_commands(commands: Any) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true")
    caps = commands.add_parser(
        "caps", parents=[common], help=tr("spending caps, and what is left of them")
    )
    actions = caps.add_subparsers(dest="action", metavar="ACTION")
    caps.set_defaults(handler=sync(_show))
    chosen = actions.add_parser("set", parents=[common], help=tr("set caps (USD; 0 for none)"))
    chosen.add_argument("--monthly", type=float, metavar="USD", help=tr("a calendar month's cap"))
    chosen.add_argument("--thread", type=float, metavar="USD", help=tr("one chat's cap"))
    chosen.add_argument("--warn-at", type=float, metavar="SHARE", help=tr("say so from (0.8)"))
    chosen.add_argument("--provider", metavar="NAME", help=tr("the monthly cap of this provider"))
    chosen.set_defaults(handler=sync(_set))
    clear = actions.add_parser("clear", parents=[common], help=tr("remove caps"))
    clear.add_argument("--provider", metavar="NAME", help=tr("only this provider's"))
    clear.set_defaults(handler=sync(_clear))


async def _show(core: Core, args: argparse.Namespace) -> int:
    states = await core.service.spending.overview()
    if args.json:
        print_json({"caps": [_state_json(s) for s in states]})
    elif not states:
        print(tr("no spending caps (chatdesk caps set --monthly USD)"))
    for state in [] if args.json else states:
        print(state.with_left())
    return 0


async def _set(core: Core, args: argparse.Namespace) -> int:
    values = {"monthly_usd": args.monthly, "thread_usd": args.thread, "warn_at": args.warn_at}
    given = {k: v for k, v in values.items() if v is not None}
    if not given:
        raise InvalidRequest(tr("say which cap: --monthly USD, --thread USD or --warn-at SHARE"))
    if any(v < 0 for v in given.values()):
        raise InvalidRequest(tr("a cap is 0 (none) or more"))
    if args.provider:
        if set(given) != {"monthly_usd"}:
            raise InvalidRequest(
                tr("a provider has a monthly cap only: --provider NAME --monthly USD")
            )
        return await _provider_cap(core, args, given["monthly_usd"])
    if "warn_at" in given and not 0.1 <= given["warn_at"] <= 1.0:
        raise InvalidRequest(tr("--warn-at is a share from 0.1 to 1.0 (0.8: at 80 %)"))
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
    if cap:
        said = tr("{provider}: {cost} a month", provider=view.name, cost=format_cost(cap))
    else:
        said = tr("{provider}: no cap", provider=view.name)
    report(args, {"provider": view.name, "monthly_usd": cap}, said)
    return 0


def _save(core: Core, args: argparse.Namespace, **changes: float) -> None:
    path = core.config.paths.config_file
    loaded = load_settings(path).settings
    caps = dataclasses.replace(loaded.caps, **changes)
    save_settings(path, dataclasses.replace(loaded, caps=caps))
    # translators: in place of an amount of money: no cap is set
    none = tr("none", context="cap")
    monthly, per_chat = (format_cost(v) if v else none for v in (caps.monthly_usd, caps.thread_usd))
    said = tr(
        "caps saved (monthly: {monthly}, per chat: {per_chat}; said from {share})",
        monthly=monthly,
        per_chat=per_chat,
        share=percent(caps.warn_at),
    )
    report(args, dataclasses.asdict(caps), said)


def _state_json(state: CapState) -> dict[str, Any]:
    return {
        "name": state.name,
        "cap_usd": state.cap,
        "spent_usd": state.spent,
        "left_usd": max(0.0, state.cap - state.spent),
        "reached": state.reached,
        "estimated": state.estimated,
    }
