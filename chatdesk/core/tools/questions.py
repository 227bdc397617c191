"""A server's question to the user in the middle of a call (MCP's elicitation), and the person
who answers it: an `Asker` the window or the terminal puts in place (`Tools.asker`). A form
question asks for a few plain values (text, a number, a whole number, yes/no, one of a list); a
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

from chatdesk.core.i18n import tr

Value = str | int | float | bool
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
    minimum: float | None = None  # a number's bounds, or a text's length
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
    options = described.get("enum") or [o.get("const") for o in described.get("oneOf") or ()]
    titles = described.get("enumNames") or [o.get("title") for o in described.get("oneOf") or ()]
    if kind == "string" and options:
        kind = Kind.CHOICE
    if kind not in [k.value for k in Kind]:
        return tr("its value {name} is not one chatdesk can ask for", name=name)
    bounds = ("minimum", "maximum") if kind in ("number", "integer") else ("minLength", "maxLength")
    low, high = (described.get(b) for b in bounds)
    default = described.get("default")
    return Field(
        name=name,
        kind=Kind(kind),
        title=_text(described.get("title")),
        description=_text(described.get("description")),
        required=required,
        default=default if isinstance(default, str | int | float | bool) else None,
        options=tuple(str(o) for o in options),
        option_titles=tuple(
            _text(t) or str(o) for o, t in zip(options, titles or options, strict=False)
        ),
        minimum=float(low) if isinstance(low, int | float) else None,
        maximum=float(high) if isinstance(high, int | float) else None,
        format=_text(described.get("format")),
    )


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
    if one.kind is Kind.CHOICE and text not in one.options and text in one.option_titles:
        return one.options[one.option_titles.index(text)]
    return text
