"""`chatdesk web …`: the web's search and a page's text from the command line, and the search
engines' keys.

It needs neither the database nor the core: the composition root hands it the web's service
(`open_web`), the one a chat's web tools call, over the `[web]` settings, the keyring, the
network and, to read a page, the reading child.
The web's modules load only when one of these commands runs. A key is read from stdin (or
asked for without echo on a terminal), never from the command line, where it would land in
the shell's history and in every process listing.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import getpass
import sys
from typing import TYPE_CHECKING, Any

from chatdesk.app import key_store, open_web
from chatdesk.cli.output import fail, note, print_json
from chatdesk.configuration import Configuration
from chatdesk.core.i18n import number, tr
from chatdesk.core.settings_outside import WebSettings

if TYPE_CHECKING:
    from chatdesk.core.web.service import ReadPage, SearchResult


def _engines() -> tuple[str, ...]:
    """The engines `[web] engine` takes, as its setting declares them."""
    engine = next(f for f in dataclasses.fields(WebSettings) if f.name == "engine")
    choices: tuple[str, ...] = engine.metadata["choices"]
    return choices


def add_commands(commands: Any) -> None:
    web = commands.add_parser("web", help=tr("search the web; the search engines' keys"))
    actions = web.add_subparsers(dest="action", metavar="ACTION", required=True)
    search = actions.add_parser("search", help=tr("search the web with the engine of [web]"))
    search.add_argument("query", help=tr("what to search for"))
    search.add_argument(
        "--engine", choices=_engines(), help=tr("this engine instead of the settings' one")
    )
    search.add_argument(
        "--count", type=int, metavar="N", help=tr("at most N results (default: [web] results)")
    )
    search.add_argument("--json", action="store_true", help=tr("print the results as JSON"))
    search.set_defaults(handler=_search)
    read = actions.add_parser(
        "read",
        help=tr("read a page as a model is given it: its main text, cut to [web] page_chars"),
    )
    read.add_argument("url", help=tr("the page's address (http or https)"))
    read.add_argument(
        "--chars",
        type=int,
        metavar="N",
        help=tr("at most N characters (default: [web] page_chars)"),
    )
    read.add_argument("--json", action="store_true", help=tr("print the page as JSON"))
    read.set_defaults(handler=_read)
    key = actions.add_parser(
        "key", help=tr("keep an engine's key in the keyring; the key is read from stdin")
    )
    key.add_argument("engine", choices=_engines())
    key.set_defaults(handler=_key)


def _search(config: Configuration, args: argparse.Namespace) -> int:
    from chatdesk.core.errors import InvalidRequest

    count = config.settings.web.results if args.count is None else args.count
    if not 1 <= count <= 50:
        raise InvalidRequest(tr("--count must be between 1 and 50, not {n}", n=count))
    if not args.query.strip():
        raise InvalidRequest(tr("the query is empty; nothing was searched"))
    with open_web(config) as web:
        results = asyncio.run(web.search(args.query, count, engine=args.engine)).results
    if args.json:
        print_json([dataclasses.asdict(result) for result in results])
    elif not results:
        print(tr("nothing found for {query}", query=repr(args.query)))
    else:
        _print(results)
    return 0


def _print(results: list[SearchResult]) -> None:
    for result in results:
        print(f"{result.rank:>2}. {result.title}")
        print(f"    {result.url}")
        if result.snippet:
            print(f"    {result.snippet}")


def _read(config: Configuration, args: argparse.Namespace) -> int:
    from chatdesk.core.errors import InvalidRequest

    if args.chars is not None and not 1_000 <= args.chars <= 200_000:
        raise InvalidRequest(
            tr(
                "--chars must be between {low} and {high}, not {n}",
                low=number(1_000),
                high=number(200_000),
                n=args.chars,
            )
        )
    with open_web(config) as web:
        read = asyncio.run(web.read(args.url, chars=args.chars))
    _print_page(read, as_json=args.json)
    return 0


def _print_page(read: ReadPage, *, as_json: bool) -> None:
    page = read.page
    if as_json:
        print_json(
            dataclasses.asdict(page) | {"asked": read.asked, "read_at": read.read_at.isoformat()}
        )
        return
    print(page.title or page.url)
    print(page.url)
    facts = [page.site, page.published, page.author]
    print(" · ".join(f for f in facts if f) or page.kind)
    if page.note:
        note(page.note)
    print()
    print(page.text)


def _key(config: Configuration, args: argparse.Namespace) -> int:
    from chatdesk.core.web.searching import save_key

    if sys.stdin.isatty():
        key = getpass.getpass(tr("key for {engine}: ", engine=args.engine))
    else:
        key = sys.stdin.readline().strip()
    if not key.strip():
        fail(tr("no key given; nothing was changed"))
        return 2
    save_key(key_store(), args.engine, key)
    note(tr("the key for {engine} is in the keyring", engine=args.engine))
    return 0
