"""The front-ends import the surface and nothing behind it (docs/design.md §1, decision 0073):
every import of `chatdesk.ui`, `chatdesk.cli` and `chatdesk.api` — at the top, inside a
function, or for type checking only — names a core module of `chatdesk.core.surface.SURFACE`;
and the core the composition root hands them is read through its named services, never
through what they are made over."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from chatdesk.core.surface import SURFACE

PACKAGE = Path(__file__).parents[1] / "chatdesk"
FRONT_ENDS = ("ui", "cli", "api")
# What the services are made over (`chatdesk.app.Insides`), and the engine behind Core.team.
INSIDES = frozenset({"insides", "store", "providers", "shared", "sync"})


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    base = PACKAGE.parent.joinpath(*name.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _imported(path: Path, name: str = "") -> Iterator[tuple[int, str]]:
    """(line, module) for every core module the file (the module `name`) imports, wherever
    the import is."""
    name = name or _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                above = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*above, *([node.module] if node.module else [])])
            # `from package import module` imports the module, not the package's names
            subs = [f"{base}.{a.name}" for a in node.names if _is_module(f"{base}.{a.name}")]
            found = subs if len(subs) == len(node.names) else [base, *subs]
        else:
            continue
        for module in found:
            if module == "chatdesk.core" or module.startswith("chatdesk.core."):
                yield node.lineno, module


def _front_end_files() -> list[Path]:
    return sorted(p for front in FRONT_ENDS for p in (PACKAGE / front).rglob("*.py"))


def test_the_front_ends_import_only_the_surface() -> None:
    public = set(SURFACE)
    behind = [
        f"{_module_name(path)}:{line} imports {module}, which is not public "
        "(chatdesk/core/surface.py)"
        for path in _front_end_files()
        for line, module in _imported(path)
        if module not in public
    ]
    assert not behind, "\n".join(behind)


def test_the_surface_names_modules_the_front_ends_use() -> None:
    """Each entry is a module, once, and some front-end imports it: a list kept short."""
    assert len(set(SURFACE)) == len(SURFACE)
    assert [m for m in SURFACE if not _is_module(m)] == []
    used = {module for path in _front_end_files() for _, module in _imported(path)}
    assert [m for m in SURFACE if m not in used] == []


def test_the_core_is_read_through_its_named_services() -> None:
    """`core.store`, `core.providers`, `core.shared`, `core.sync`, `core.insides`: none of
    them in a front-end."""
    found = []
    for path in _front_end_files():
        name = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in INSIDES
                and isinstance(node.value, ast.Name)
                and node.value.id == "core"
            ):
                found.append(f"{name}:{node.lineno} reads core.{node.attr}")
    assert not found, "\n".join(found)


def test_the_check_sees_a_lazy_import_behind_the_surface(tmp_path: Path) -> None:
    """The reading above finds an import inside a function, one for type checking and a
    relative one (a check that read only the top would pass anything)."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from chatdesk.core.store.store import Store\n"
        "def f():\n    from chatdesk.core.chat import turns\n"
        "    from ..core import i18n\n",
        encoding="utf-8",
    )
    found = {module for _, module in _imported(probe, "chatdesk.cli.probe")}
    assert found == {"chatdesk.core.store.store", "chatdesk.core.chat.turns", "chatdesk.core.i18n"}
    assert found - set(SURFACE) == {"chatdesk.core.store.store", "chatdesk.core.chat.turns"}
