"""The terminal's asker: a tool server's question in the middle of a call, asked on stderr and
answered on stdin, value by value, each checked as it is typed. A URL question shows the whole
address and opens it in the browser only when the person says so. Without a terminal every
question is declined (and said so), never answered by guess."""

from __future__ import annotations

import asyncio
import sys
import webbrowser

from chatdesk.cli.output import note
from chatdesk.core.i18n import tr
from chatdesk.core.tools.questions import (
    CANCEL,
    DECLINE,
    Answer,
    Field,
    Kind,
    Question,
    Value,
    parsed,
    pick_hint,
    problem,
)


class TerminalAsker:
    async def ask(self, question: Question) -> Answer:
        if not sys.stdin.isatty():
            note(
                tr(
                    "{server} asked a question and there is no terminal to ask: declined",
                    server=question.server,
                )
            )
            return DECLINE
        return await asyncio.to_thread(_ask, question)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _ask(question: Question) -> Answer:
    # The server's words, as plain text, under its name: it cannot pose as chatdesk.
    _say("\n" + tr("{server} asks:", server=question.server) + "\n" + question.message)
    if question.refused:
        _say(question.refused)
    try:
        if question.url is not None:
            return _ask_url(question)
        values: dict[str, Value] = {}
        for one in question.fields:
            value = _ask_field(one)
            if value is not None:
                values[one.name] = value
        # translators: read as y, yes, d, decline (anything else cancels): keep the letters
        said = input(tr("Send this answer? [Y]es / [d]ecline / [c]ancel: ")).strip().lower()
    except EOFError:
        return CANCEL
    if said in ("", "y", "yes"):
        return Answer.accept(values)
    return DECLINE if said in ("d", "decline") else CANCEL


def _ask_url(question: Question) -> Answer:
    address = question.url or ""
    _say(tr("It asks you to visit {host}:", host=question.host or "?") + "\n  " + address)
    # translators: read as o, open, d, decline (anything else cancels): keep the letters
    said = input(tr("Open it in your browser? [o]pen / [d]ecline / [C]ancel: ")).strip().lower()
    if said in ("o", "open"):
        if not webbrowser.open(address):
            _say(tr("No browser could be opened; visit the address yourself."))
        return Answer.accept()
    return DECLINE if said in ("d", "decline") else CANCEL


def _ask_field(one: Field) -> Value | None:
    """The value typed for `one` (None: left out), asked again while it does not fit."""
    label = one.label + (" *" if one.required else "")
    if one.description:
        _say(f"  {one.description}")
    if one.kind is Kind.CHOICE:
        _say("  " + ", ".join(one.option_titles))
    if one.kind is Kind.CHOICES:
        _say_choices(one)
    if one.kind is Kind.YES_NO:
        label += " " + tr("(y/n)")
    if one.default is not None:
        label += f" [{_shown(one, one.default)}]"
    while True:
        typed = input(f"{label}: ")
        if not typed.strip():
            if one.default is not None:
                return one.default
            if not one.required:
                return None
            _say(tr("  an answer is required"))
            continue
        value = parsed(one, typed)
        wrong = tr("not a value of this kind") if value is None else problem(one, value)
        if not wrong:
            return value
        _say(f"  {wrong}")


def _say_choices(one: Field) -> None:
    """A list's choices, numbered; how many to pick and how to type them."""
    for n, title in enumerate(one.option_titles, start=1):
        _say(f"  {n}. {title}")
    how = tr("numbers or choices, separated by commas")
    hint = pick_hint(one)
    _say("  " + (tr("{hint} ({how})", hint=hint, how=how) if hint else how))


def _shown(one: Field, value: Value) -> str:
    """A value as the person sees it: the titles of the choices picked."""
    if not isinstance(value, tuple):
        return str(value)
    titles = dict(zip(one.options, one.option_titles, strict=False))
    return ", ".join(titles.get(v, v) for v in value)
