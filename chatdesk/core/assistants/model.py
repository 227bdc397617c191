"""An assistant's fields, the checks they pass, and the file assistants are shared as.

An assistant file may come from anyone: it is JSON only, read whole up to `MAX_FILE_BYTES`,
every field checked as if typed in the editor; nothing in it is run or fetched. The tools it
names are only switched on for its chats, and still run on the user's approval rules."""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from typing import Any

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import mark, ntr, number, tr

FILE_FORMAT = "chatdesk-assistants"
FILE_VERSION = 1
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NAME = 100
MAX_ICON = 16
MAX_DESCRIPTION = 2_000
MAX_PROMPT = 100_000
MAX_EXAMPLES = 10
MAX_EXAMPLE = 2_000
MAX_TOOLS = 50
MAX_ANSWER_TOKENS = 1_000_000
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class AssistantFields:
    """What an assistant is, as the user sets it; None or empty: not set (the chat's project
    or the settings decide)."""

    name: str
    icon: str | None = None
    colour: str | None = None
    description: str | None = None
    system_prompt: str | None = None
    provider: str | None = None
    model: str | None = None
    temperature: float | None = None
    max_output_tokens: int | None = None
    tools: tuple[str, ...] | None = None  # tool servers its chats start with; None: not set
    examples: tuple[str, ...] = ()  # prompts offered in an empty chat

    def checked(self) -> AssistantFields:
        """The fields trimmed and checked; InvalidRequest naming the first that is wrong."""
        name = _one_line(self.name, mark("the name"), MAX_NAME)
        if not name:
            raise InvalidRequest(tr("an assistant needs a name"))
        colour = _text(self.colour)
        if colour is not None and not _COLOUR.fullmatch(colour):
            raise InvalidRequest(
                tr("the colour {colour} is not of the form #RRGGBB", colour=repr(colour))
            )
        temperature = self.temperature
        if temperature is not None and not (
            isinstance(temperature, int | float) and 0.0 <= temperature <= 2.0
        ):
            raise InvalidRequest(tr("the temperature must be between 0 and 2"))
        _check_answer_length(self.max_output_tokens)
        tools = None if self.tools is None else _checked_tools(self.tools)
        examples = _checked_examples(self.examples)
        return replace(
            self,
            name=name,
            icon=_one_line(self.icon, mark("the icon"), MAX_ICON),
            colour=colour.lower() if colour else None,
            description=_multi_line(self.description, mark("the description"), MAX_DESCRIPTION),
            system_prompt=_multi_line(self.system_prompt, mark("the system prompt"), MAX_PROMPT),
            provider=_one_line(self.provider, mark("the provider"), 100),
            model=_one_line(self.model, mark("the model"), 200),
            temperature=None if temperature is None else float(temperature),
            tools=tools,
            examples=examples,
        )

    def as_record(self) -> dict[str, Any]:
        """The fields as a file holds them (lists for tuples, unset fields left out)."""
        found: dict[str, Any] = {}
        for name, value in asdict(self).items():
            if value is None or value == ():
                continue
            found[name] = list(value) if isinstance(value, tuple) else value
        return found

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> AssistantFields:
        """Fields from a file's record (unknown keys ignored, wrong types refused), checked."""
        if not isinstance(record, Mapping):
            raise InvalidRequest(tr("an assistant in the file is not an object"))
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in record.items():
            if key not in known or value is None:
                continue
            if key in ("tools", "examples"):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise InvalidRequest(tr("{key} must be a list of texts", key=key))
                value = tuple(value)
            elif key == "temperature":
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise InvalidRequest(tr("temperature must be a number"))
            elif key == "max_output_tokens":
                if isinstance(value, bool) or not isinstance(value, int):
                    raise InvalidRequest(tr("max_output_tokens must be a whole number"))
            elif not isinstance(value, str):
                raise InvalidRequest(tr("{key} must be a text", key=key))
            values[key] = value
        if "name" not in values:
            raise InvalidRequest(tr("an assistant in the file has no name"))
        return cls(**values).checked()


@dataclass(frozen=True)
class AssistantView:
    id: uuid.UUID
    fields: AssistantFields
    created_at: datetime
    updated_at: datetime

    @property
    def name(self) -> str:
        return self.fields.name

    @property
    def badge(self) -> str:
        """Its icon, or the first letter of its name."""
        return self.fields.icon or self.fields.name[:1].upper()


def _check_answer_length(answer: object) -> None:
    if answer is not None and not (
        isinstance(answer, int)
        and not isinstance(answer, bool)
        and 1 <= answer <= MAX_ANSWER_TOKENS
    ):
        raise InvalidRequest(
            tr(
                "the answer length must be between 1 and {most} tokens",
                most=number(MAX_ANSWER_TOKENS),
            )
        )


def _checked_tools(tools: Sequence[str]) -> tuple[str, ...]:
    if len(tools) > MAX_TOOLS:
        raise InvalidRequest(
            ntr(
                "an assistant may name at most {n} tool server",
                "an assistant may name at most {n} tool servers",
                MAX_TOOLS,
            )
        )
    return tuple(sorted({_one_line(t, mark("the tool server"), 100) or "" for t in tools} - {""}))


def _checked_examples(examples: Sequence[str]) -> tuple[str, ...]:
    if len(examples) > MAX_EXAMPLES:
        raise InvalidRequest(
            ntr(
                "an assistant may have at most {n} example prompt",
                "an assistant may have at most {n} example prompts",
                MAX_EXAMPLES,
            )
        )
    return tuple(e for e in map(_example, examples) if e)


def file_text(assistants: Sequence[AssistantFields]) -> str:
    """The assistant file holding `assistants`."""
    document = {
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "assistants": [a.as_record() for a in assistants],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def read_file_text(data: bytes) -> list[AssistantFields]:
    """The assistants of a file's bytes; InvalidRequest saying what is wrong with it."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidRequest(
            ntr(
                "the file is {n} byte; an assistant file is at most {most}",
                "the file is {n} bytes; an assistant file is at most {most}",
                len(data),
                most=number(MAX_FILE_BYTES),
            )
        )
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise InvalidRequest(
            tr("the file is not an assistant file (not JSON: {error})", error=error)
        ) from None
    if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
        raise InvalidRequest(
            tr('the file is not an assistant file (no "format": "{format}")', format=FILE_FORMAT)
        )
    version = document.get("version")
    if not isinstance(version, int) or version > FILE_VERSION:
        raise InvalidRequest(
            tr(
                "the file is version {version} of the assistant format; this chatdesk reads up "
                "to {newest}: it was written by a newer chatdesk",
                version=repr(version),
                newest=FILE_VERSION,
            )
        )
    records = document.get("assistants")
    if not isinstance(records, list) or not records:
        raise InvalidRequest(tr("the file holds no assistants"))
    found = []
    for index, record in enumerate(records, 1):
        try:
            found.append(AssistantFields.from_record(record))
        except InvalidRequest as error:
            raise InvalidRequest(
                tr("assistant {index} of the file: {error}", index=index, error=error)
            ) from None
    return found


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip() or None


def _one_line(value: str | None, what: str, limit: int) -> str | None:
    """`what` is a marked noun ("the name")."""
    text = _text(value)
    if text is None:
        return None
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text):
        raise InvalidRequest(tr("{what} must be one line of text", what=tr(what)))
    if len(text) > limit:
        raise InvalidRequest(_too_long(text, what, limit))
    return text


def _multi_line(value: str | None, what: str, limit: int) -> str | None:
    text = _text(value)
    return None if text is None else _within(text, what, limit)


def _example(value: str) -> str | None:
    """An example prompt as written, but for leading blanks: one that ends in a space or an
    open code block leaves the cursor where the user goes on typing."""
    text = value.lstrip()
    return _within(text, mark("the example prompt"), MAX_EXAMPLE) if text else None


def _within(text: str, what: str, limit: int) -> str:
    if "\x00" in text:
        raise InvalidRequest(tr("{what} contains a NUL character", what=tr(what)))
    if len(text) > limit:
        raise InvalidRequest(_too_long(text, what, limit))
    return text


def _too_long(text: str, what: str, limit: int) -> str:
    return ntr(
        "{what} is {n} character; at most {most}",
        "{what} is {n} characters; at most {most}",
        len(text),
        what=tr(what),
        most=number(limit),
    )


@dataclass(frozen=True)
class RemovedAssistant:
    """A deleted assistant, with the chats and projects that named it: enough to undo."""

    view: AssistantView
    threads: tuple[uuid.UUID, ...]
    projects: tuple[uuid.UUID, ...]
