"""Widgets never do I/O (docs/design.md §1): a module of `chatdesk/ui` never imports, at run
time, a module of the core that touches files, the network, other processes or a database
itself. What the window needs of those goes through a service it is handed and calls through
its `Runner`.

Read from the source with `ast`, nothing imported. Every import counts, those made inside a
function too; one made only for type checking (under `if TYPE_CHECKING:`) runs nothing and is
left out. A core module does I/O when it imports one of `IO_LIBRARIES` at run time or calls one
of `IO_CALLS`. The services the window is handed, which it reaches only through its `Runner`,
are `SURFACE`, each with its reason.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "chatdesk"

# Libraries that reach a file system, a socket, another process or a database.
IO_LIBRARIES = frozenset(
    {
        "sqlite3",
        "sqlalchemy",
        "socket",
        "ssl",
        "http",
        "urllib.request",
        "httpx",
        "subprocess",
        "asyncio.subprocess",
        "shutil",
        "tempfile",
        "psycopg",
        "sounddevice",
        "mcp",
        "openai",  # an HTTP client
    }
)
# Calls that read or write a file: builtins and `os` functions by their whole name, and the
# methods of `pathlib.Path` (and of the other objects with those names) by their attribute.
IO_FUNCTIONS = frozenset(
    {"open", "os.open", "os.replace", "os.rename", "os.remove", "os.unlink", "os.scandir"}
)
IO_METHODS = frozenset(
    {
        "read_text",
        "read_bytes",
        "write_text",
        "write_bytes",
        "unlink",
        "mkdir",
        "rmdir",
        "iterdir",
        "touch",
        # the event loop's ways out
        "getaddrinfo",
        "open_connection",
        "create_connection",
        "start_server",
        "subprocess_exec",
        "create_subprocess_exec",
    }
)

# Modules of the core doing I/O whose names a widget may still import: services the composition
# root hands the window, whose work the window asks for through its Runner.
SURFACE = {
    # `Core.profiles`: the provider profiles, loaded, saved, tested and looked for (local
    # servers) by coroutines the window runs through its Runner.
    "chatdesk.core.providers.manager": "a service handed by chatdesk/app.py",
    # The database's own surface before a core opens (decision 0073): a damaged database is
    # restored or recovered when no core could be opened, on the core's worker thread
    # (chatdesk/ui/recovery.py's `Repair`), never on the GUI thread.
    "chatdesk.core.database": "the surface before the core opens",
}

# Widgets that do I/O of the core before or outside the window's core, each pair with why.
OUTSIDE_THE_CORE = {
    # The data folder is claimed, or a request handed to the chatdesk that holds it, before
    # the window and its core exist (chatdesk/ui/desktop/instance.py).
    ("chatdesk.ui.desktop.instance", "chatdesk.core.handover.send"): "before the core",
    ("chatdesk.ui.desktop.instance", "chatdesk.core.paths.ensure_private_dir"): "before the core",
    # Start at login, written off the GUI thread through the Runner (`Runner.off_thread`); a
    # service of its own is still to do.
    ("chatdesk.ui.desktop.hub", "chatdesk.core.login_item.apply"): "to move behind a service",
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


@functools.cache
def _running(tree: ast.AST) -> tuple[ast.AST, ...]:
    """The nodes of `tree` that may run, in the order they are written: all but those under
    `if TYPE_CHECKING:`. Found once for each node (every definition is read several ways)."""
    found = []
    waiting = list(reversed(list(ast.iter_child_nodes(tree))))
    while waiting:
        node = waiting.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            waiting.extend(reversed(node.orelse))
            continue
        found.append(node)
        waiting.extend(reversed(list(ast.iter_child_nodes(node))))
    return tuple(found)


def _base(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    anchor = module.split(".") if is_package else module.split(".")[:-1]
    anchor = anchor[: len(anchor) - (node.level - 1)]
    return ".".join([*anchor, node.module] if node.module else anchor)


class Source:
    """One module's source: what its names stand for, and what each definition calls."""

    def __init__(self, name: str, text: str, is_package: bool = False) -> None:
        self.name = name
        self.tree = ast.parse(text)
        self.bound: dict[str, str] = {}  # a local name → the dotted name it was imported as
        self.imported: set[str] = set()  # each module name (or module.name) taken at run time
        for node in _running(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.imported.add(alias.name)
                    local = alias.asname or alias.name.split(".")[0]
                    self.bound[local] = alias.name if alias.asname else local
            elif isinstance(node, ast.ImportFrom):
                base = _base(node, name, is_package)
                self.imported.add(base)
                for alias in node.names:
                    self.imported.add(f"{base}.{alias.name}")
                    self.bound[alias.asname or alias.name] = f"{base}.{alias.name}"
        self.annotations = {
            id(inner)
            for node in ast.walk(self.tree)
            for annotation in _annotations(node)
            for inner in ast.walk(annotation)
        }
        self.definitions = {
            node.name: node
            for node in self.tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        }

    def called(self, node: ast.AST) -> Iterator[str]:
        """The dotted name of each call under `node` that may run, as imported: `f()` after
        `from m import f` is `m.f`; `m.f()` after `from pkg import m` is `pkg.m.f`; a name of
        this module's own is `this.f`; anything else, its text (`path.write_bytes`)."""
        for inner in [node, *_running(node)]:
            if isinstance(inner, ast.Call):
                yield self.resolve(inner.func)

    def referenced(self, node: ast.AST) -> Iterator[str]:
        """The dotted name of each name read under `node` outside annotations, as `called`
        gives them: a function handed on (a default, a callback) is done by whoever calls it."""
        for inner in [node, *_running(node)]:
            if isinstance(inner, ast.Name | ast.Attribute) and id(inner) not in self.annotations:
                yield self.resolve(inner)

    def resolve(self, node: ast.expr) -> str:
        if isinstance(node, ast.Attribute):
            return f"{self.resolve(node.value)}.{node.attr}"
        if isinstance(node, ast.Name):
            if node.id in self.definitions:
                return f"{self.name}.{node.id}"
            return self.bound.get(node.id, node.id)
        return ""


def _annotations(node: ast.AST) -> Iterator[ast.expr]:
    if isinstance(node, ast.arg | ast.AnnAssign) and node.annotation is not None:
        yield node.annotation
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
        yield node.returns


def _is_library(name: str) -> bool:
    return any(name == lib or name.startswith(f"{lib}.") for lib in IO_LIBRARIES)


def _own_io(source: Source, node: ast.AST) -> set[str]:
    """What a definition does itself that is I/O: a library imported, a call."""
    reasons = set()
    for inner in [node, *_running(node)]:
        if isinstance(inner, ast.Import):
            reasons.update(f"imports {a.name}" for a in inner.names if _is_library(a.name))
        elif isinstance(inner, ast.ImportFrom) and _is_library(inner.module or ""):
            reasons.add(f"imports {inner.module}")
    for called in source.called(node):
        method = called.rsplit(".", 1)[-1]
        if (
            called in IO_FUNCTIONS
            or _is_library(called)
            or ("." in called and method in IO_METHODS)
        ):
            reasons.add(f"calls {called}()")
        elif called == "importlib.import_module":
            for inner in [node, *_running(node)]:
                if isinstance(inner, ast.Call) and source.resolve(inner.func) == called:
                    argument = inner.args[0] if inner.args else None
                    if isinstance(argument, ast.Constant) and _is_library(str(argument.value)):
                        reasons.add(f"imports {argument.value}")
    return reasons


def io_names(sources: dict[str, Source]) -> dict[str, list[str]]:
    """Each top-level function or class of the core doing I/O (`module.name`) → why: itself,
    or by calling another that does, followed through the core's modules."""
    found: dict[str, list[str]] = {}
    calls: dict[str, set[str]] = {}
    for module, source in sources.items():
        for name, node in source.definitions.items():
            reasons = _own_io(source, node)
            if reasons:
                found[f"{module}.{name}"] = sorted(reasons)
            calls[f"{module}.{name}"] = set(source.referenced(node))
    grew = True
    while grew:
        grew = False
        for name, called in calls.items():
            through = sorted(f"uses {target}" for target in called if target in found)
            if name not in found and through:
                found[name], grew = through, True
    return found


@functools.cache
def core_io() -> dict[str, list[str]]:
    """`io_names` of the core, found once for every test here."""
    return io_names(core_sources())


def core_sources() -> dict[str, Source]:
    return {
        name: Source(name, path.read_text(encoding="utf-8"), path.stem == "__init__")
        for name, path in _modules().items()
        if name.startswith("chatdesk.core")
    }


def io_reasons(text: str, name: str = "chatdesk.core.made_up") -> list[str]:
    """Why a made-up module's definitions do I/O, each as `name: reason`."""
    found = io_names({name: Source(name, text)})
    return sorted(f"{key.rsplit('.', 1)[-1]}: {why}" for key, whys in found.items() for why in whys)


def reached(widget: Source, doing: dict[str, list[str]]) -> list[str]:
    """The I/O of the core a widget takes at run time: a function or class imported, or one
    read through its module (`login_item.apply`), those let through aside."""
    used = widget.imported | set(_attributes(widget))
    return sorted(t for t in used & set(doing) if (widget.name, t) not in OUTSIDE_THE_CORE)


def widgets_doing_io() -> dict[str, list[str]]:
    """Each module of chatdesk/ui → the I/O of the core it takes, with why, the surface's aside."""
    doing = {name: why for name, why in core_io().items() if name.rsplit(".", 1)[0] not in SURFACE}
    found = {}
    for name, path in _modules().items():
        if name.startswith("chatdesk.ui"):
            widget = Source(name, path.read_text(encoding="utf-8"), path.stem == "__init__")
            targets = reached(widget, doing)
            if targets:
                found[name] = [f"{target} ({', '.join(doing[target])})" for target in targets]
    return found


def _attributes(source: Source) -> Iterator[str]:
    """Each `module.name` read through a module imported at run time (`login_item.remove`)."""
    for node in _running(source.tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in source.bound
        ):
            yield f"{source.bound[node.value.id]}.{node.attr}"


def test_widgets_never_import_a_core_module_doing_io() -> None:
    found = widgets_doing_io()
    assert not found, "\n".join(
        f"{widget} imports {', '.join(targets)}" for widget, targets in sorted(found.items())
    )


def test_what_is_let_through_is_there_and_does_io() -> None:
    """A module let through that no longer does I/O, or a pair no longer found, leaves the
    lists: they stay as short as what they are for."""
    doing = core_io()
    assert sorted(m for m in SURFACE if not any(n.startswith(f"{m}.") for n in doing)) == []
    modules = _modules()
    stale = []
    for widget, target in OUTSIDE_THE_CORE:
        source = Source(widget, modules[widget].read_text(encoding="utf-8"))
        used = source.imported | set(_attributes(source))
        if target not in doing or target not in used:
            stale.append((widget, target))
    assert stale == []


CORE = """
import socket
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    import sqlite3
PORT = 11434
def later(path):
    import urllib.request
    path.write_bytes(b"")
def looked_up(host):
    return socket.getaddrinfo(host, PORT)
async def asked(lookup=looked_up):
    return await lookup("example.org")
def pure(text: Store) -> str:
    return text.strip()
class Kept:
    def read(self):
        with open(self.path) as f:
            return f.read()
"""


def test_io_is_found_in_a_made_up_module() -> None:
    assert io_reasons(CORE) == [
        "Kept: calls open()",
        "asked: uses chatdesk.core.made_up.looked_up",
        "later: calls path.write_bytes()",
        "later: imports urllib.request",
        "looked_up: calls socket.getaddrinfo()",
    ]
    assert io_reasons("if TYPE_CHECKING:\n    import socket\n") == []
    assert io_reasons("def f(p):\n    if TYPE_CHECKING:\n        p.unlink()\n") == []
    assert io_reasons("import importlib\ndef f():\n    importlib.import_module('mcp')\n") == [
        "f: imports mcp"
    ]


def test_a_widget_is_named_by_the_io_it_takes_and_not_by_values() -> None:
    core = "chatdesk.core.made_up"
    doing = io_names({core: Source(core, CORE)})

    def takes(text: str) -> list[str]:
        return reached(Source("chatdesk.ui.made_up", text), doing)

    assert takes(f"from {core} import PORT, pure\n") == []
    assert takes(f"if TYPE_CHECKING:\n    from {core} import Kept\n") == []
    assert takes(f"def f():\n    from {core} import asked\n") == [f"{core}.asked"]
    assert takes("from chatdesk.core import made_up\nmade_up.later(1)\n") == [f"{core}.later"]
    assert takes(f"import {core} as m\nx = m.Kept\n") == [f"{core}.Kept"]
