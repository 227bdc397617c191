"""A server's question to the user in the middle of a call (MCP's elicitation), and the person
who answers it: an `Asker` the window or the terminal puts in place (`Tools.asker`). A form
question asks for a few plain values (text, a number, a whole number, yes/no, one of a list,
some of a list); a
URL question asks the user to visit an address outside chatdesk. An answer's values are checked
against the question before they go to the server: a wrong answer is given back to the person
with the reason, never sent. With no one to ask, or outside any call, a question is declined.

Everything a question holds came from the server: untrusted text, shown as plain text."""

from __future__ import annotations

import enum
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from chatdesk.core.i18n import ntr, number, tr

Value = str | int | float | bool | tuple[str, ...]  # a tuple: the values picked of a list
MAX_FIELDS = 50  # a form with more is not a question a person answers
MAX_TEXT = 10_000  # characters of a message, a title or a description kept
_FORMATS = {
    "email": re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    "uri": re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$"),
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "date-time": re.compile(
        r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?$"
    ),
}


class Kind(enum.StrEnum):
    TEXT = "string"
    NUMBER = "number"
    WHOLE = "integer"
    YES_NO = "boolean"
    CHOICE = "enum"
    CHOICES = "array"  # some of a list, between `minimum` and `maximum` of them


@dataclass(frozen=True)
class Field:
    """One value a form asks for, as the server describes it."""

    name: str
    kind: Kind
    title: str = ""
    description: str = ""
    required: bool = False
    default: Value | None = None
    options: tuple[str, ...] = ()  # a choice's values …
    option_titles: tuple[str, ...] = ()  # … and how each is shown (the value when untitled)
    minimum: float | None = None  # a number's bounds, a text's length, how many are picked
    maximum: float | None = None
    format: str = ""  # a text's: email, uri, date, date-time

    @property
    def label(self) -> str:
        return self.title or self.name


@dataclass(frozen=True)
class Question:
    """What a server asks, and the call it arose in (`call_id` is "" when it is not known)."""

    server: str
    message: str
    fields: tuple[Field, ...] = ()
    url: str | None = None  # set: a URL question
    thread_id: uuid.UUID | None = None
    message_id: uuid.UUID | None = None
    call_id: str = ""
    refused: str = ""  # why the last answer was given back (said to the person)

    @property
    def host(self) -> str:
        """The host of a URL question's address (what it is emphasised by)."""
        match = re.match(
            r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^/?#:]+|\[[^\]]*\])", self.url or ""
        )
        return match.group(1) if match else ""


class Action(enum.StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"  # the person said no
    CANCEL = "cancel"  # the person dismissed it without saying


@dataclass(frozen=True)
class Answer:
    action: Action
    values: Mapping[str, Value] = field(default_factory=dict)

    @classmethod
    def accept(cls, values: Mapping[str, Value] | None = None) -> Answer:
        return cls(Action.ACCEPT, dict(values or {}))


DECLINE = Answer(Action.DECLINE)
CANCEL = Answer(Action.CANCEL)


class Asker(Protocol):
    async def ask(self, question: Question) -> Answer:
        """The person's answer; cancelled when the call ends first (the answer was stopped)."""
        ...


def form_of(schema: Mapping[str, Any]) -> tuple[Field, ...] | str:
    """The fields of a form question's schema (a flat object of plain values), or why it is not
    one a person can be asked (the question is declined)."""
    properties = schema.get("properties")
    if schema.get("type", "object") != "object" or not isinstance(properties, Mapping):
        return tr("its form is not an object of values")
    if len(properties) > MAX_FIELDS:
        return tr("its form asks for more than {n} values", n=MAX_FIELDS)
    required = schema.get("required") or ()
    fields = []
    for name, described in properties.items():
        made = _field(str(name), described, str(name) in required)
        if isinstance(made, str):
            return made
        fields.append(made)
    return tuple(fields)


def _field(name: str, described: Any, required: bool) -> Field | str:
    if not isinstance(described, Mapping):
        return tr("its value {name} is not described", name=name)
    kind = described.get("type")
    listed = _listed(described) if kind == "array" else described
    options, titles = _options(listed)
    if kind == "string" and options:
        kind = Kind.CHOICE
    if kind not in [k.value for k in Kind] or (kind == "array" and not options):
        return tr("its value {name} is not one chatdesk can ask for", name=name)
    low, high = (described.get(b) for b in _BOUNDS.get(kind, ("minLength", "maxLength")))
    default = _default(described.get("default"), kind)
    return Field(
        name=name,
        kind=Kind(kind),
        title=_text(described.get("title")),
        description=_text(described.get("description")),
        required=required,
        default=default,
        options=tuple(str(o) for o in options),
        option_titles=tuple(
            _text(t) or str(o) for o, t in zip(options, titles or options, strict=False)
        ),
        minimum=float(low) if isinstance(low, int | float) else None,
        maximum=float(high) if isinstance(high, int | float) else None,
        format=_text(described.get("format")),
    )


_BOUNDS = {
    "number": ("minimum", "maximum"),
    "integer": ("minimum", "maximum"),
    "array": ("minItems", "maxItems"),
}


def _listed(described: Mapping[str, Any]) -> Mapping[str, Any]:
    """What a list's items are picked from (nothing when they are not strings of a list)."""
    items = described.get("items")
    if not isinstance(items, Mapping) or items.get("type", "string") != "string":
        return {}
    return {"enum": items.get("enum"), "oneOf": items.get("anyOf") or items.get("oneOf")}


def _options(described: Mapping[str, Any]) -> tuple[list[Any], list[Any]]:
    """A choice's values and their titles: `enum` (with the older `enumNames`) or titled
    `oneOf: [{const, title}]`."""
    titled = [o for o in described.get("oneOf") or () if isinstance(o, Mapping)]
    options = described.get("enum") or [o.get("const") for o in titled]
    titles = described.get("enumNames") or [o.get("title") for o in titled]
    if not isinstance(options, list):
        return [], []
    return options, titles if isinstance(titles, list) else []


def _default(value: Any, kind: str) -> Value | None:
    if kind == "array":
        listed = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return tuple(value) if listed else None
    return value if isinstance(value, str | int | float | bool) else None


def _text(value: Any) -> str:
    return value[:MAX_TEXT] if isinstance(value, str) else ""


def problems(fields: tuple[Field, ...], values: Mapping[str, Value]) -> dict[str, str]:
    """What is wrong with `values` as an answer, by field name (none: it may be sent)."""
    found: dict[str, str] = {}
    known = {f.name for f in fields}
    for name in values:
        if name not in known:
            found[name] = tr("the question does not ask for {name}", name=name)
    for one in fields:
        if one.name not in values:
            if one.required:
                found[one.name] = tr("an answer is required")
            continue
        wrong = problem(one, values[one.name])
        if wrong:
            found[one.name] = wrong
    return found


def problem(one: Field, value: Value) -> str:
    """Why `value` does not answer `one` ("": it does)."""
    if one.kind is Kind.YES_NO:
        return "" if isinstance(value, bool) else tr("yes or no is expected")
    if one.kind in (Kind.NUMBER, Kind.WHOLE):
        return _number_problem(one, value)
    if one.kind is Kind.CHOICES:
        return _picked_problem(one, value)
    if not isinstance(value, str):
        return tr("text is expected")
    if one.kind is Kind.CHOICE:
        return "" if value in one.options else tr("pick one of the choices")
    if one.minimum is not None and len(value) < one.minimum:
        return tr("at least {n} characters", n=f"{one.minimum:g}")
    if one.maximum is not None and len(value) > one.maximum:
        return tr("at most {n} characters", n=f"{one.maximum:g}")
    pattern = _FORMATS.get(one.format)
    if pattern is not None and value and not pattern.match(value):
        return tr("not a valid {format}", format=one.format)
    return ""


def _number_problem(one: Field, value: Value) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return tr("a number is expected")
    if one.kind is Kind.WHOLE and not float(value).is_integer():
        return tr("a whole number is expected")
    if one.minimum is not None and value < one.minimum:
        return tr("at least {n}", n=f"{one.minimum:g}")
    if one.maximum is not None and value > one.maximum:
        return tr("at most {n}", n=f"{one.maximum:g}")
    return ""


def _picked_problem(one: Field, value: Value) -> str:
    if not isinstance(value, tuple | list) or not all(isinstance(v, str) for v in value):
        return tr("a list of choices is expected")
    if any(v not in one.options for v in value):
        return tr("pick only from the choices")
    if len(set(value)) < len(value):
        return tr("pick each choice only once")
    if one.minimum is not None and len(value) < one.minimum:
        return ntr("pick at least {n}", "pick at least {n}", int(one.minimum))
    if one.maximum is not None and len(value) > one.maximum:
        return ntr("pick at most {n}", "pick at most {n}", int(one.maximum))
    return ""


def pick_hint(one: Field) -> str:
    """How many of a list's choices may be picked, said to the person ("" when any number)."""
    low = int(one.minimum) if one.minimum is not None and one.minimum > 0 else None
    high = int(one.maximum) if one.maximum is not None else None
    if low is not None and high is not None:
        if low == high:
            return ntr("Pick {n}", "Pick {n}", low)
        return tr("Pick {low} to {high}", low=number(low), high=number(high))
    if low is not None:
        return ntr("Pick at least {n}", "Pick at least {n}", low)
    if high is not None:
        return ntr("Pick at most {n}", "Pick at most {n}", high)
    return ""


def parsed(one: Field, text: str) -> Value | None:
    """A value typed as text (in a terminal) as the field's kind; None: not one."""
    text = text.strip()
    if one.kind is Kind.YES_NO:
        lowered = text.lower()
        yes, no = (tr("y"), tr("yes"), "y", "yes", "true"), (tr("n"), tr("no"), "n", "no", "false")
        return True if lowered in yes else False if lowered in no else None
    if one.kind in (Kind.NUMBER, Kind.WHOLE):
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if one.kind is Kind.WHOLE and number.is_integer() else number
    if one.kind is Kind.CHOICES:
        return tuple(_picked(one, part.strip()) for part in text.split(",") if part.strip())
    if one.kind is Kind.CHOICE and text not in one.options and text in one.option_titles:
        return one.options[one.option_titles.index(text)]
    return text


def _picked(one: Field, typed: str) -> str:
    """The choice typed as its value, its title or its number (from 1); else as typed."""
    if typed in one.options:
        return typed
    if typed in one.option_titles:
        return one.options[one.option_titles.index(typed)]
    if typed.isdigit() and 1 <= int(typed) <= len(one.options):
        return one.options[int(typed) - 1]
    return typed
