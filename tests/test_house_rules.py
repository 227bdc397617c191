"""The house rules of CONTRIBUTING.md ("The rules, and what enforces them"), checked on the source.

Each rule is a checker that reads Python source (text and `ast`, never an import, so nothing of Qt
is loaded) and names every place that breaks it, with its figure; a test per rule runs it over
chatdesk/ (the layout rule over tests/ and benchmarks/ too) and fails with the whole list. The
checkers are tried on made-up sources too, so a rule that could no longer fail would be noticed.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "chatdesk"
THEME = PACKAGE / "ui" / "theme"
# Where code is laid out by ruff and no format-skip marker packs it.
LAID_OUT = (PACKAGE, ROOT / "tests", ROOT / "benchmarks")

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
MAX_METHODS = 30

# A class over MAX_METHODS says why in its docstring, in a sentence about its methods that
# gives the reason: "It keeps 31 methods because …", "More than 30 methods, for a reason: …" or
# "It has as many methods as …".
REASON = re.compile(
    r"\bmethods\b[^.]*?(?:\bbecause|\bfor a reason:)\s+\w|\bas many methods as\s+\w",
    re.IGNORECASE | re.DOTALL,
)

# A format-skip marker is kept only for a table of data aligned by hand, and says so in a comment
# of its own after the marker (ruff honours the marker only when what follows it is a comment).
FMT_SKIP = re.compile(r"#\s*fmt:\s*(skip|off|on)\b(.*)")
TABLE = "# a table aligned by column"

HEX = re.compile(r"(?<![\w&])#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3})(?![\w-])")
FUNCTIONAL = re.compile(r"\b(?:rgba?|hsla?|hsv)\s*\(", re.IGNORECASE)
# Qt's named colours, as Qt.GlobalColor members and as the names QColor takes; transparent is
# the absence of a colour, not one of the look's.
NAMED = frozenset(
    {
        "black",
        "white",
        "red",
        "green",
        "blue",
        "cyan",
        "magenta",
        "yellow",
        "gray",
        "grey",
        "darkGray",
        "lightGray",
        "darkRed",
        "darkGreen",
        "darkBlue",
        "darkCyan",
        "darkMagenta",
        "darkYellow",
        "color0",
        "color1",
        "orange",
        "purple",
        "pink",
        "brown",
        "navy",
        "teal",
        "olive",
        "maroon",
        "lime",
        "silver",
        "gold",
    }
)

# Colours that are not the window's look, so not roles of chatdesk/ui/theme/ (decision 0034):
# each module with its reason. Any other literal colour in chatdesk/ fails the rule.
NOT_THE_LOOK = {
    "chatdesk/core/render/document_colours.py": (
        "the colours of documents chatdesk writes without a window: the exported HTML page "
        "and the Markdown formatted into it (tests/core/render/test_document_colours.py)"
    ),
    "chatdesk/core/assistants/builtin.py": (
        "data, not a look: the built-in assistants' colours, stored once by migration 0010 "
        "and edited by the user like an assistant's name or prompt"
    ),
    "chatdesk/core/store/head_schema.py": (
        "the same data as it is stored in a new database: the rows the migrations leave in an "
        "empty one (packaging/head_schema.py, decision 0072)"
    ),
}


def modules(roots: tuple[Path, ...] = (PACKAGE,)) -> list[Path]:
    return sorted(path for root in roots for path in root.rglob("*.py"))


def name_of(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def long_module(name: str, source: str) -> list[str]:
    lines = len(source.splitlines())
    return [f"{name}:1 has {lines} lines"] if lines > MAX_MODULE_LINES else []


def _functions(tree: ast.AST) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    def walk(
        node: ast.AST, prefix: str
    ) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield prefix + child.name, child
                yield from walk(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
            else:
                yield from walk(child, prefix)

    return walk(tree, "")


def long_functions(name: str, source: str) -> list[str]:
    found = []
    for qualified, function in _functions(ast.parse(source)):
        lines = (function.end_lineno or function.lineno) - function.lineno + 1
        if lines > MAX_FUNCTION_LINES:
            found.append(f"{name}:{function.lineno} {qualified} has {lines} lines")
    return found


def crowded_classes(name: str, source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        methods = sum(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) for n in node.body)
        if methods > MAX_METHODS and not REASON.search(ast.get_docstring(node) or ""):
            found.append(
                f"{name}:{node.lineno} {node.name} has {methods} methods and no docstring "
                "saying why (a sentence such as 'It keeps N methods because …')"
            )
    return found


def _comments(source: str) -> Iterator[tuple[int, str]]:
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string


def format_skips(name: str, source: str) -> list[str]:
    if "fmt:" not in source:  # most modules: no need to tokenize them
        return []
    found = []
    for line, comment in _comments(source):
        marker = FMT_SKIP.search(comment)
        if marker and not (marker[1] == "skip" and marker[2].strip() == TABLE):
            found.append(f"{name}:{line} {marker[0].strip()!r}")
    return found


def _strings(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def literal_colours(name: str, source: str) -> list[str]:
    tree = ast.parse(source)
    found = []
    for line, text in _strings(tree):
        for pattern in (HEX, FUNCTIONAL):
            for match in pattern.finditer(text):
                at = line + text.count("\n", 0, match.start())
                found.append(f"{name}:{at} {match[0]!r}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in NAMED:
            base = node.value
            if (isinstance(base, ast.Attribute) and base.attr == "GlobalColor") or (
                isinstance(base, ast.Name) and base.id in {"Qt", "GlobalColor"}
            ):
                found.append(f"{name}:{node.lineno} {ast.unparse(node)}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr) == "QColor"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value in NAMED
        ):
            found.append(f"{name}:{node.lineno} {ast.unparse(node)}")
    return found


def _offences(
    check, *, skip_theme: bool = False, roots: tuple[Path, ...] = (PACKAGE,)
) -> list[str]:
    found = []
    for path in modules(roots):
        if skip_theme and path.is_relative_to(THEME):
            continue
        found += check(name_of(path), path.read_text(encoding="utf-8"))
    return found


def _fail_on(found: list[str], rule: str) -> None:
    assert not found, f"{rule} ({len(found)}):\n  " + "\n  ".join(found)


def test_no_module_over_500_lines() -> None:
    _fail_on(_offences(long_module), f"modules over {MAX_MODULE_LINES} lines: split them")


def test_no_function_over_60_lines() -> None:
    _fail_on(
        _offences(long_functions),
        f"functions over {MAX_FUNCTION_LINES} lines: split them into named helpers",
    )


def test_no_crowded_class_without_a_reason() -> None:
    _fail_on(_offences(crowded_classes), f"classes over {MAX_METHODS} methods")


def test_no_format_skip_but_for_tables() -> None:
    _fail_on(
        _offences(format_skips, roots=LAID_OUT),
        f"'# fmt: skip' packs code ruff would lay out; only '# fmt: skip {TABLE}' is kept",
    )


def test_the_layout_rule_reads_every_folder_it_names() -> None:
    for root in LAID_OUT:
        assert modules((root,)), f"no module under {name_of(root)}/"


def test_no_literal_colour_outside_the_theme() -> None:
    _fail_on(
        [
            f
            for f in _offences(literal_colours, skip_theme=True)
            if f.split(":")[0] not in NOT_THE_LOOK
        ],
        "literal colours outside chatdesk/ui/theme/: name a colour role of colours.py",
    )


def test_the_colours_that_are_not_the_look_are_still_there() -> None:
    """An entry of NOT_THE_LOOK goes as soon as its module has no literal colour left."""
    for name in NOT_THE_LOOK:
        source = (ROOT / name).read_text(encoding="utf-8")
        assert literal_colours(name, source), f"{name} has no literal colour now: take it out"


# The checkers on made-up sources: each rule would fail on what it forbids.


def _function(lines: int, name: str = "f") -> str:
    return f"def {name}():\n" + "    x = 1\n" * (lines - 1)


def test_a_long_module_is_named() -> None:
    assert long_module("m.py", "x = 1\n" * 501) == ["m.py:1 has 501 lines"]
    assert long_module("m.py", "x = 1\n" * 500) == []


def test_a_long_function_is_named() -> None:
    source = "class C:\n" + "\n".join("    " + line for line in _function(61).splitlines())
    assert long_functions("m.py", source) == ["m.py:2 C.f has 61 lines"]
    assert long_functions("m.py", _function(60)) == []
    nested = "def outer():\n" + "".join(
        "    " + line + "\n" for line in _function(61, "inner").splitlines()
    )
    assert [f.split()[1] for f in long_functions("m.py", nested)] == ["outer", "outer.inner"]


def _class(methods: int, docstring: str = "") -> str:
    body = f'    """{docstring}"""\n' if docstring else ""
    return "class C:\n" + body + "".join(f"    def m{i}(self): pass\n" for i in range(methods))


def test_a_crowded_class_without_a_reason_is_named() -> None:
    assert len(crowded_classes("m.py", _class(31))) == 1
    assert len(crowded_classes("m.py", _class(31, "A service of the knowledge bases."))) == 1
    assert len(crowded_classes("m.py", _class(31, "It has methods."))) == 1
    assert len(crowded_classes("m.py", _class(31, "Many methods. It is old because of X."))) == 1
    assert crowded_classes("m.py", _class(31, "More than 30 methods, for a reason: Qt.")) == []
    assert crowded_classes("m.py", _class(31, "It has as many methods as things to do.")) == []
    reason = "The façade. It keeps 31 methods because each is one call of the window."
    assert crowded_classes("m.py", _class(31, reason)) == []
    assert crowded_classes("m.py", _class(30)) == []


def test_a_format_skip_is_named() -> None:
    assert format_skips("m.py", "x = [1,2]  # fmt:skip\n") == ["m.py:1 '# fmt:skip'"]
    assert format_skips("m.py", "x = [1,2]  # fmt: skip\n") == ["m.py:1 '# fmt: skip'"]
    assert len(format_skips("m.py", "# fmt: off\nx = [1,2]\n# fmt: on\n")) == 2
    assert len(format_skips("m.py", "x = [1,2]  # fmt: skip because it fits\n")) == 1
    assert format_skips("m.py", f"x = [1,  2]  # fmt: skip  {TABLE}\n") == []
    assert len(format_skips("m.py", "x = [1,  2]  # fmt: skip (a table aligned by column)\n")) == 1
    assert format_skips("m.py", "s = '# fmt: skip'\n") == []


@pytest.mark.parametrize(
    "source",
    [
        "style = 'color: #d9534f;'\n",
        "c = QColor('#abc')\n",
        "c = f'background: {x}; border: 1px solid #80d9534f'\n",
        "sheet = 'QLabel { color: rgba(0, 0, 0, 40); }'\n",
        "c = QColor('red')\n",
        "c = Qt.GlobalColor.yellow\n",
        "c = Qt.black\n",
    ],
)
def test_a_literal_colour_is_named(source: str) -> None:
    assert literal_colours("chatdesk/ui/badges.py", source), source


def test_what_is_not_a_colour_is_not_named() -> None:
    source = (
        "# see #123 and colour #d9534f in a comment\n"
        "x = 'issue #12345, anchor #top, #fade-in'\n"
        "pixmap.fill(Qt.GlobalColor.transparent)\n"
    )
    assert literal_colours("chatdesk/ui/badges.py", source) == []
