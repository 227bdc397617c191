"""The surface the front-ends call (docs/design.md §1, decision 0032): `ChatService`'s methods,
each a thin hand-over to the part whose job it is, must say what the part says. A one-line
hand-over whose parameter or result type differs from its part's has drifted: a caller reading
the façade is promised one thing and the part does another."""

from __future__ import annotations

import ast
import inspect
import textwrap
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from chatdesk.core import assembly
from chatdesk.core.service import ChatService, Parts

# Where the façade takes less than its part on purpose, and why.
NARROWER = {
    ("send", "thread_id"): "a message to no thread yet is send_new's",
    ("rename_project", "name"): "a rename names the project; no name means no change",
}


@dataclass(frozen=True)
class HandOver:
    """A façade method whose body is one call of a part's method with its own parameters."""

    method: str
    part: str  # the attribute of the service holding the part ("_threads")
    target: str  # the part's method
    passed: dict[str, str]  # the façade's parameter -> the part's parameter it is given as


def _part_classes() -> dict[str, type]:
    """`self._x = parts.y` in ChatService.__init__: attribute -> the class `Parts.y` holds."""
    source = textwrap.dedent(inspect.getsource(ChatService.__init__))
    # The classes Parts names for type checking only, as the assembly imports them to make them.
    held = typing.get_type_hints(Parts, localns=vars(assembly))
    found: dict[str, type] = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Attribute):
            continue
        given = node.value
        if not (isinstance(given.value, ast.Name) and given.value.id == "parts"):
            continue
        made = held.get(given.attr)
        for target in node.targets:
            if isinstance(target, ast.Attribute) and isinstance(made, type):
                found[target.attr] = made
    return found


def _hand_overs() -> Iterator[HandOver]:
    for name, function in inspect.getmembers(ChatService, inspect.isfunction):
        if name.startswith("_"):
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(function))).body[0]
        assert isinstance(tree, ast.FunctionDef | ast.AsyncFunctionDef)
        body = [s for s in tree.body if not _is_docstring(s)]
        if len(body) != 1:
            continue
        call = _the_call(body[0])
        if call is None:
            continue
        passed = _passed_as_is(tree, call)
        if passed is None:
            continue
        holder = call.func.value  # type: ignore[attr-defined]
        yield HandOver(name, holder.attr, call.func.attr, passed)  # type: ignore[attr-defined]


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)


def _the_call(statement: ast.stmt) -> ast.Call | None:
    """`return [await] self.<part>.<method>(...)` or `[await] self.<part>.<method>(...)`."""
    value = statement.value if isinstance(statement, ast.Return | ast.Expr) else None
    if isinstance(value, ast.Await):
        value = value.value
    if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Attribute):
        return None
    holder = value.func.value
    if not (
        isinstance(holder, ast.Attribute)
        and isinstance(holder.value, ast.Name)
        and holder.value.id == "self"
    ):
        return None
    return value


def _passed_as_is(
    function: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call
) -> dict[str, str] | None:
    """The façade's parameters the call passes unchanged, keyed to the part's parameter names
    (positional ones by position); None when it passes anything but its own parameters."""
    own = [a.arg for a in (*function.args.posonlyargs, *function.args.args)][1:]
    own += [a.arg for a in function.args.kwonlyargs]
    passed: dict[str, str] = {}
    for index, argument in enumerate(call.args):
        if not isinstance(argument, ast.Name) or argument.id not in own:
            return None
        passed[argument.id] = f"#{index}"
    for keyword in call.keywords:
        if keyword.arg is None:
            return None
        if isinstance(keyword.value, ast.Name) and keyword.value.id in own:
            passed[keyword.value.id] = keyword.arg
    return passed


HAND_OVERS = list(_hand_overs())
PARTS = _part_classes()


def test_the_facade_is_read_as_hand_overs() -> None:
    """The reading above finds the façade's hand-overs and the parts they go to (a change in
    how the façade is written must not leave the check below checking nothing)."""
    assert len(HAND_OVERS) >= 30
    assert {h.part for h in HAND_OVERS} <= set(PARTS)


@pytest.mark.parametrize("hand_over", HAND_OVERS, ids=lambda h: h.method)
def test_a_hand_over_promises_what_its_part_does(hand_over: HandOver) -> None:
    facade = getattr(ChatService, hand_over.method)
    part = getattr(PARTS[hand_over.part], hand_over.target)
    ours, theirs = _hints(facade), _hints(part)
    parameters = inspect.signature(part).parameters
    positional = [p for p in parameters if p != "self"]
    for parameter, given_as in hand_over.passed.items():
        name = positional[int(given_as[1:])] if given_as.startswith("#") else given_as
        if name not in parameters or (hand_over.method, parameter) in NARROWER:
            continue  # taken by the part's **keywords (untyped there), or narrower on purpose
        assert ours.get(parameter) == theirs.get(name), (
            f"ChatService.{hand_over.method}({parameter}: {ours.get(parameter)}) hands it to "
            f"{PARTS[hand_over.part].__name__}.{hand_over.target}({name}: {theirs.get(name)})"
        )
    assert ours.get("return") == theirs.get("return"), (
        f"ChatService.{hand_over.method} returns {ours.get('return')}, its part "
        f"{PARTS[hand_over.part].__name__}.{hand_over.target} {theirs.get('return')}"
    )


def _hints(function: Callable[..., Any]) -> dict[str, Any]:
    return typing.get_type_hints(function)


def test_a_narrower_hand_over_is_still_narrower() -> None:
    """Each difference allowed above is still there (else it is not needed)."""
    by_method = {h.method: h for h in HAND_OVERS}
    for method, parameter in NARROWER:
        hand_over = by_method[method]
        part = getattr(PARTS[hand_over.part], hand_over.target)
        name = hand_over.passed[parameter]
        if name.startswith("#"):
            name = [p for p in inspect.signature(part).parameters if p != "self"][int(name[1:])]
        assert _hints(getattr(ChatService, method))[parameter] != _hints(part)[name]
