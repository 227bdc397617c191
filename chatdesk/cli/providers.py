"""`chatdesk providers …` and `chatdesk usage`: profiles, keys and spending without the window.

A key is read from stdin (`--key-stdin`), never from the command line, where it would land in
the shell's history and in every process listing.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from chatdesk.app import Core
from chatdesk.cli.output import fail, print_json, report
from chatdesk.cli.running import sync
from chatdesk.core.chat.usage import UsageRow
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import mark, ntr, number, tr
from chatdesk.core.providers.catalogue import CATALOGUE, HOSTED
from chatdesk.core.providers.manager import ProfileView
from chatdesk.core.providers.profiles import PRESETS, ProviderProfile
from chatdesk.core.units import format_cost

_NUMBERS = (
    ("context_window", "--context-window", int, mark("tokens the model can take in")),
    ("requests_per_minute", "--rpm", int, mark("client-side request limit per minute (0: none)")),
    ("input_price_per_million", "--input-price", float, mark("USD per million input tokens")),
    (
        "cached_input_price_per_million",
        "--cached-price",
        float,
        mark("USD per million cached ones"),
    ),
    ("output_price_per_million", "--output-price", float, mark("USD per million output tokens")),
    ("image_max_side", "--image-max-side", int, mark("pixels on the long side of an image sent")),
    ("image_max_mb", "--image-max-mb", float, mark("MB of an image sent (0: as attached)")),
    (
        "monthly_cap_usd",
        "--monthly-cap",
        float,
        mark("USD its answers may cost a month (0: no cap)"),
    ),
)


def add_commands(commands: Any) -> None:
    providers = commands.add_parser(
        "providers", help=tr("OpenAI-compatible servers and their keys")
    )
    actions = providers.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help=tr("the configured providers"))
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=sync(_list))
    add = actions.add_parser("add", help=tr("add a provider profile"))
    add.add_argument("name")
    add.add_argument("--preset", choices=_preset_names(), help=tr("start from a known server"))
    _profile_options(add)
    add.set_defaults(handler=sync(_add))
    edit = actions.add_parser("edit", help=tr("change a provider profile"))
    edit.add_argument("name")
    edit.add_argument("--rename", metavar="NEW", help=tr("a new name"))
    edit.add_argument("--forget-key", action="store_true", help=tr("remove the stored key"))
    _profile_options(edit)
    edit.set_defaults(handler=sync(_edit))
    remove = actions.add_parser("remove", help=tr("remove a profile and forget its key"))
    remove.add_argument("name")
    remove.add_argument("--json", action="store_true")
    remove.set_defaults(handler=sync(_remove))
    test = actions.add_parser("test", help=tr("connect and list the server's models"))
    test.add_argument("name")
    test.add_argument("--json", action="store_true")
    test.set_defaults(handler=sync(_test))

    usage = commands.add_parser("usage", help=tr("tokens and cost per month, provider and model"))
    usage.add_argument("--month", metavar="YYYY-MM", help=tr("only this month"))
    usage.add_argument("--json", action="store_true")
    usage.set_defaults(handler=sync(_usage))


def _profile_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", metavar="URL", help=tr("e.g. http://localhost:11434/v1"))
    parser.add_argument("--model", metavar="M", help=tr("the model new threads use"))
    parser.add_argument("--models", metavar="M", nargs="*", help=tr("models to offer by hand"))
    for _, flag, kind, text in _NUMBERS:
        parser.add_argument(flag, type=kind, help=tr(text))
    parser.add_argument(
        "--images",
        choices=["yes", "no", "auto"],
        help=tr("whether its models take images (auto: as chatdesk's table of models says)"),
    )
    parser.add_argument("--key-stdin", action="store_true", help=tr("read the API key from stdin"))
    parser.add_argument("--json", action="store_true")


# -- commands ------------------------------------------------------------------------------------


async def _list(core: Core, args: argparse.Namespace) -> int:
    views = core.profiles.views()
    problems = list(core.profiles.problems)
    if args.json:
        print_json({"providers": [_view_json(v) for v in views], "problems": problems})
        return 0
    print(f"{'mock':<11} {tr('(built in, offline)')}")
    for view in views:
        profile = view.profile
        model = profile.default_model or tr("no default model")
        print(f"{profile.name:<11} {profile.base_url}  {model}")
        print(f"{'':<11} {view.key_note}")
    for problem in problems:
        fail(problem)
    return 0


def _preset_names() -> list[str]:
    """The servers `--preset` knows: the profile presets and the hosted providers of the
    catalogue whose address is fixed (Azure OpenAI's is the user's: --base-url)."""
    hosted = {entry.id for entry in HOSTED if not entry.needs_resource}
    return sorted(set(PRESETS) | hosted)


def _preset(name: str) -> ProviderProfile:
    return PRESETS[name] if name in PRESETS else CATALOGUE[name].profile()


async def _add(core: Core, args: argparse.Namespace) -> int:
    base = _preset(args.preset) if args.preset else None
    if base is None and not args.base_url:
        raise InvalidRequest(tr("give --base-url, or --preset to start from a known server"))
    start = base or ProviderProfile(args.name, args.base_url)
    profile = _edited(dataclasses.replace(start, name=args.name), args)
    key = _key_from_stdin() if args.key_stdin else None
    view = await core.profiles.save(profile, key=key)
    said = tr("added {name}: {key}", name=view.name, key=view.key_note)
    report(args, _view_json(view), said)
    return 0


async def _edit(core: Core, args: argparse.Namespace) -> int:
    current = core.profiles.view(args.name).profile
    profile = _edited(dataclasses.replace(current, name=args.rename or current.name), args)
    key = "" if args.forget_key else (_key_from_stdin() if args.key_stdin else None)
    view = await core.profiles.save(profile, key=key, editing=args.name)
    said = tr("saved {name}: {key}", name=view.name, key=view.key_note)
    report(args, _view_json(view), said)
    return 0


async def _remove(core: Core, args: argparse.Namespace) -> int:
    await core.profiles.remove(args.name)
    said = tr("removed {name} and forgot its key", name=args.name)
    report(args, {"removed": args.name}, said)
    return 0


async def _test(core: Core, args: argparse.Namespace) -> int:
    view = core.profiles.view(args.name)
    result = await core.profiles.test(view.profile, editing=view.name)
    data = {"ok": result.ok, "message": result.message, "models": list(result.models)}
    report(args, data | {"elapsed_ms": result.elapsed_ms}, result.message)
    if result.ok and not args.json:
        for model in result.models:
            print(f"  {model}")
    return 0 if result.ok else 1


async def _usage(core: Core, args: argparse.Namespace) -> int:
    rows = await core.service.usage_by_month(args.month)
    if args.json:
        print_json([_usage_json(row) for row in rows])
        return 0
    if not rows:
        if args.month:
            print(tr("no answers with token counts in {month}", month=args.month))
        else:
            print(tr("no answers with token counts"))
    for row in rows:
        print(_usage_line(row))
    for state in await core.service.spending.overview():  # `chatdesk caps` for more
        print(tr("cap: {cap}", cap=state.with_left()))
    return 0


# -- helpers -------------------------------------------------------------------------------------


def _edited(profile: ProviderProfile, args: argparse.Namespace) -> ProviderProfile:
    changes: dict[str, Any] = {}
    if args.base_url:
        changes["base_url"] = args.base_url
    if args.model is not None:
        changes["default_model"] = args.model
    if args.models is not None:
        changes["models"] = tuple(args.models)
    if args.images is not None:
        changes["images"] = "" if args.images == "auto" else args.images
    for field, flag, _, _ in _NUMBERS:
        value = getattr(args, flag.lstrip("-").replace("-", "_"))
        if value is not None:
            changes[field] = value
    return dataclasses.replace(profile, **changes)


def _key_from_stdin() -> str:
    key = sys.stdin.readline().strip()
    if not key:
        raise InvalidRequest(tr("--key-stdin: no key on stdin; nothing was saved"))
    return key


def _view_json(view: ProfileView) -> dict[str, Any]:
    profile = dataclasses.asdict(view.profile)
    profile.pop("api_key")
    profile["models"] = list(view.profile.models)
    return profile | {"key": view.key_state.value, "from_environment": view.from_environment}


def _usage_json(row: UsageRow) -> dict[str, Any]:
    return {
        "month": row.month,
        "provider": row.provider,
        "model": row.model,
        **dataclasses.asdict(row.totals),
    }


def _usage_line(row: UsageRow) -> str:
    totals = row.totals
    about = "≈" if totals.estimated else ""
    cost = "—" if totals.cost_usd is None else format_cost(totals.cost_usd)
    if totals.partial_cost:
        cost = f"≥ {cost}"
    answers = ntr("{n} answers", "{n} answers", totals.answers)
    # translators: the tokens sent to models (in) and the tokens they wrote (out)
    tokens = tr(
        "{about}{prompt} in, {about}{completion} out",
        about=about,
        prompt=number(totals.prompt_tokens),
        completion=number(totals.completion_tokens),
    )
    return f"{row.month}  {row.provider}/{row.model}: {answers}, {tokens}, {cost}"
