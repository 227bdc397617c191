"""`chatdesk tools …`: the MCP servers and the approval policies, on the command line; and the
terminal's approver for `chatdesk ask --tools`.

A server added here with its command (`tools add NAME -- COMMAND …`) was typed by the user and
may start; one imported from a Claude Desktop / Cursor / VS Code file shows its exact command
line and asks before its first start (on a terminal; without one, it is refused and says how
to allow it).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatdesk.app import Core
from chatdesk.cli import tool_signin
from chatdesk.cli.output import fail, note, print_json
from chatdesk.cli.questions import TerminalAsker
from chatdesk.cli.running import sync
from chatdesk.cli.tool_prompts import add_prompt_commands
from chatdesk.cli.tool_resources import add_commands as add_resource_commands
from chatdesk.cli.tool_servers import allow_to_start, once_allowed, pairs
from chatdesk.core.i18n import tr
from chatdesk.core.tools.approval import ApprovalRequest, Choice
from chatdesk.core.tools.model import BUILT_IN, WEB, Policy
from chatdesk.core.tools.servers import ServerConfig, Transport, server_from_fields
from chatdesk.core.tools.service import Tools
from chatdesk.core.tools.signin import SignInState

if TYPE_CHECKING:
    from chatdesk.core.service import ChatService


def add_commands(commands: Any) -> None:
    tools = commands.add_parser("tools", help=tr("MCP tool servers and who may run their tools"))
    actions = tools.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help=tr("the servers, chatdesk's own tools, the policies"))
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=sync(_list))

    add = actions.add_parser(
        "add",
        help=tr("add a server: NAME -- COMMAND [ARG …] (stdio), or NAME --url URL (HTTP)"),
    )
    add.add_argument("name")
    # The command after `--` is taken out before parsing (`split_server_command`): argparse
    # loses it when an option such as --env comes first.
    add.add_argument("--url", help=tr("a Streamable HTTP server's URL"))
    add.add_argument(
        "--sse", action="store_true", help=tr("the URL speaks the older SSE transport")
    )
    add.add_argument(
        "--env", action="append", default=[], metavar="K=V", help=tr("(kept in keyring)")
    )
    add.add_argument(
        "--header", action="append", default=[], metavar="K=V", help=tr("(kept in the keyring)")
    )
    add.add_argument("--timeout", type=float, help=tr("seconds a call may take"))
    add.add_argument("--client-id", default="", help=tr("a client pre-registered for sign-in"))
    add.add_argument(
        "--client-secret-stdin", action="store_true", help=tr("read its client secret from stdin")
    )
    add.set_defaults(handler=sync(_add))

    imported = actions.add_parser("import", help=tr("add the servers of an mcpServers JSON file"))
    imported.add_argument(
        "file", help=tr("Claude Desktop, Cursor or VS Code JSON; '-' reads stdin")
    )
    imported.set_defaults(handler=sync(_import))

    remove = actions.add_parser("remove", help=tr("remove a server, its secrets and its policies"))
    remove.add_argument("name")
    remove.set_defaults(handler=sync(_remove))

    test = actions.add_parser("test", help=tr("start a server and list its tools"))
    test.add_argument("name")
    test.add_argument("--json", action="store_true")
    test.set_defaults(handler=sync(once_allowed(_test)))

    policy = actions.add_parser(
        "policy", help=tr("ask, allow or deny a server's or a tool's calls")
    )
    policy.add_argument("target", metavar="NAME[/TOOL]")
    policy.add_argument("policy", choices=["ask", "allow", "deny", "unset"])
    policy.set_defaults(handler=sync(_policy))
    add_resource_commands(actions)
    add_prompt_commands(actions)
    tool_signin.add_commands(actions)


def split_server_command(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """`tools add NAME [options] -- COMMAND [ARG …]`: the arguments before `--`, and the
    server's command line after it (kept whole, whatever it looks like)."""
    argv = list(argv)
    for index in range(len(argv) - 1):
        if argv[index : index + 2] == ["tools", "add"] and "--" in argv[index:]:
            cut = argv.index("--", index)
            return argv[:cut], argv[cut + 1 :]
    return argv, []


# -- commands ----------------------------------------------------------------------------------


async def _list(core: Core, args: argparse.Namespace) -> int:
    tools = core.service.tools
    servers = [_server_json(s) | await _signin_json(tools, s) for s in tools.servers()]
    rules = {key: str(value) for key, value in tools.policies.rules().items()}
    if args.json:
        for server in servers:
            server.pop("signin_line", None)
        print_json({"builtin": [BUILT_IN], "servers": servers, "policies": rules})
        return 0
    policy = rules.get(BUILT_IN, "ask")
    own = {"name": BUILT_IN, "tools": "search_chats", "policy": policy}
    print(tr("{name}  (built in: {tools})  policy {policy}", **own))
    for server in servers:
        where = server.get("command_line") or server.get("url")
        # translators: a tool server that is switched off
        state = "" if server["enabled"] else "  " + tr("(off)")
        if server.get("command_approved") is False:
            state += "  " + tr("(not allowed to start yet: `chatdesk tools test` asks)")
        if server.get("signin"):  # "Signed in as …", "Needs sign-in"
            state += "  " + server["signin_line"]
        print(f"{server['name']}  {server['transport']}  {where}{state}")
    for key, value in sorted(rules.items()):
        print(tr("policy {target}: {policy}", target=key, policy=value))
    for problem in tools.problems:
        note(tr("tools file: {problem}", problem=problem))
    return 0


async def _add(core: Core, args: argparse.Namespace) -> int:
    command = list(getattr(args, "server_command", []))
    if bool(command) == bool(args.url):
        fail(tr("give either a command (after --) or --url"))
        return 2
    if command:
        config = server_from_fields(
            args.name,
            Transport.STDIO,
            command=command[0],
            args=command[1:],
            values=pairs(args.env, "--env"),
            timeout=args.timeout,
        )
    else:
        config = server_from_fields(
            args.name,
            Transport.SSE if args.sse else Transport.HTTP,
            url=args.url,
            values=pairs(args.header, "--header"),
            timeout=args.timeout,
            client_id=args.client_id,
        )
    if args.client_secret_stdin and not args.client_id:
        fail(tr("--client-secret-stdin goes with --client-id"))
        return 2
    secret = tool_signin.client_secret_from_stdin() if args.client_secret_stdin else None
    for line in await core.service.tools.add_server(config):
        note(line)
    if secret is not None:
        await core.service.tools.signin.keep_client_secret(config.name, secret)
    note(
        tr(
            "added {name}; switch it on for a chat with `chatdesk ask --tools {name}`",
            name=args.name,
        )
    )
    return 0


async def _import(core: Core, args: argparse.Namespace) -> int:
    if args.file == "-":
        text = sys.stdin.read()
    else:
        text = await asyncio.to_thread(Path(args.file).read_text, encoding="utf-8")
    read, notes = await core.service.tools.import_servers(text)
    for problem in read.problems:
        note(tr("skipped {problem}", problem=problem))
    for line in notes:
        note(line)
    for server in read.servers:
        where = server.command_line or server.url
        print(tr("imported {name}  {where}", name=server.name, where=where))
    return 0 if read.servers else 1


async def _remove(core: Core, args: argparse.Namespace) -> int:
    await core.service.tools.remove_server(args.name)
    note(tr("removed {name}", name=args.name))
    return 0


async def _test(core: Core, args: argparse.Namespace) -> int:
    listed = await core.service.tools.test_server(args.name)
    if args.json:
        print_json(
            [
                {
                    "name": t.name,
                    "title": t.title,
                    "description": t.description,
                    "read_only": t.read_only,
                    "destructive": t.destructive,
                }
                for t in listed
            ]
        )
        return 0
    for tool in listed:
        first = tool.description.strip().splitlines()[0] if tool.description.strip() else ""
        read_only = "  " + tr("(read-only)") if tool.read_only else ""
        if tool.destructive:
            read_only = "  " + tr("(may delete or change things)")
        titled = f"  [{tool.label}]" if tool.title else ""  # its title, after its server's name
        print(f"{tool.name}{titled}{read_only}  {first}")
    return 0


async def _policy(core: Core, args: argparse.Namespace) -> int:
    tools = core.service.tools
    server = args.target.split("/", 1)[0]
    if server != BUILT_IN:
        tools.server(server)  # NotFound for a name that is not configured
    tools.policies.set(args.target, None if args.policy == "unset" else Policy(args.policy))
    await tools.saved()
    note(f"{args.target}: {args.policy}")
    return 0


# -- helpers shared with `chatdesk ask` -----------------------------------------------------------


def chosen_tools(tools: Tools, names: str, approve: str) -> list[str] | None:
    """`ask --tools`: the servers named (every one for 'all'), each allowed to start, and the
    approver for this run in place; None (and said why) when one may not start."""
    if names.strip() == "all":
        chosen = [BUILT_IN, *(s.name for s in tools.servers() if s.enabled)]
    else:
        chosen = [name.strip() for name in names.split(",") if name.strip()]
    if not allow_to_start(tools, chosen):
        return None
    put_approver(tools, approve)
    return chosen


def put_approver(tools: Tools, approve: str) -> None:
    """`--approve`: ask on the terminal, or allow or deny every call that needs asking. A
    server's questions are asked on the terminal (declined without one) whatever it says."""
    tools.asker = TerminalAsker()
    if approve == "ask":
        tools.approver = TerminalApprover()
    else:
        tools.approver = FixedApprover(Choice.ONCE if approve == "allow" else Choice.DENY)


async def with_web(
    service: ChatService,
    tools: list[str] | None,
    thread_id: uuid.UUID | None,
    assistant_id: uuid.UUID | None,
    approve: str,
) -> list[str]:
    """`ask --web`: the servers the chat has (those of --tools; a chat's own; a new chat's
    assistant's) and the web's. Its calls run unless `[web] ask_first` or a rule asks, when
    --approve decides as for any tool."""
    if tools is None and thread_id is not None:
        tools = await service.thread_tools(thread_id)
    elif tools is None and assistant_id is not None:
        tools = list((await service.assistants.get(assistant_id)).fields.tools or ())
    if service.tools.approver is None:
        put_approver(service.tools, approve)
    return sorted({*(tools or ()), WEB})


class TerminalApprover:
    """Asks on the terminal, call by call: the tool with its server, and its whole arguments.
    Without a terminal every call that needs asking is refused (and the model told so)."""

    async def decide(self, requests: Sequence[ApprovalRequest]) -> Sequence[Choice]:
        if not sys.stdin.isatty():
            note(tr("a tool call needs your approval and there is no terminal to ask: refused"))
            return [Choice.NO_ONE] * len(requests)
        return [await asyncio.to_thread(_ask, request) for request in requests]


class FixedApprover:
    """`--approve allow|deny`: the same answer to every call of this run (nothing saved)."""

    def __init__(self, choice: Choice) -> None:
        self._choice = choice

    async def decide(self, requests: Sequence[ApprovalRequest]) -> Sequence[Choice]:
        return [self._choice] * len(requests)


def _ask(request: ApprovalRequest) -> Choice:
    asks = tr("{tool} wants to run with:", tool=request.tool.label)
    if request.tool.destructive:
        asks = "\n".join([tr("This tool may delete or change things"), asks])
    print(f"\n{asks}\n{request.arguments or '{}'}", file=sys.stderr)
    # translators: read as y, yes, a or always (anything else is no): keep the bracketed letters
    answer = input(tr("Allow? [y]es once / [a]lways for this tool / [N]o: ")).strip().lower()
    if answer in ("a", "always"):
        return Choice.ALWAYS
    return Choice.ONCE if answer in ("y", "yes") else Choice.DENY


def _server_json(server: ServerConfig) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": server.name,
        "transport": str(server.transport),
        "enabled": server.enabled,
    }
    if server.transport is Transport.STDIO:
        data.update(command_line=server.command_line, command_approved=server.command_approved)
        data["env"] = list(server.env_names)
    else:
        data.update(url=server.url, headers=list(server.header_names))
        if server.client_id:
            data["client_id"] = server.client_id
    return data


async def _signin_json(tools: Tools, server: ServerConfig) -> dict[str, Any]:
    """A remote server's sign-in, when it asks for one: its state ("signed-in", "needed"),
    who signed in (the server's word, plain text), and the line that says so."""
    if server.transport is Transport.STDIO:
        return {}
    status = await tools.signin.described(server.name)
    if status.state is SignInState.NONE:
        return {}
    return {"signin": str(status.state), "signed_in_as": status.who, "signin_line": status.line}
