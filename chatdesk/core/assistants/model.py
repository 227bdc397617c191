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
        name = _one_line(self.name, "name", MAX_NAME)
        if not name:
            raise InvalidRequest("an assistant needs a name")
        colour = _text(self.colour)
        if colour is not None and not _COLOUR.fullmatch(colour):
            raise InvalidRequest(f"the colour {colour!r} is not of the form #RRGGBB")
        temperature = self.temperature
        if temperature is not None and not (
            isinstance(temperature, int | float) and 0.0 <= temperature <= 2.0
        ):
            raise InvalidRequest("the temperature must be between 0 and 2")
        answer = self.max_output_tokens
        if answer is not None and not (
            isinstance(answer, int) and not isinstance(answer, bool)
            and 1 <= answer <= MAX_ANSWER_TOKENS
        ):  # fmt: skip
            raise InvalidRequest(
                f"the answer length must be between 1 and {MAX_ANSWER_TOKENS:,} tokens"
            )
        tools = None
        if self.tools is not None:
            if len(self.tools) > MAX_TOOLS:
                raise InvalidRequest(f"an assistant may name at most {MAX_TOOLS} tool servers")
            tools = tuple(
                sorted({_one_line(t, "tool server", 100) or "" for t in self.tools} - {""})
            )
        if len(self.examples) > MAX_EXAMPLES:
            raise InvalidRequest(f"an assistant may have at most {MAX_EXAMPLES} example prompts")
        examples = tuple(e for e in map(_example, self.examples) if e)
        return replace(
            self,
            name=name,
            icon=_one_line(self.icon, "icon", MAX_ICON),
            colour=colour.lower() if colour else None,
            description=_multi_line(self.description, "description", MAX_DESCRIPTION),
            system_prompt=_multi_line(self.system_prompt, "system prompt", MAX_PROMPT),
            provider=_one_line(self.provider, "provider", 100),
            model=_one_line(self.model, "model", 200),
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
            raise InvalidRequest("an assistant in the file is not an object")
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in record.items():
            if key not in known or value is None:
                continue
            if key in ("tools", "examples"):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise InvalidRequest(f"{key} must be a list of texts")
                value = tuple(value)
            elif key == "temperature":
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise InvalidRequest("temperature must be a number")
            elif key == "max_output_tokens":
                if isinstance(value, bool) or not isinstance(value, int):
                    raise InvalidRequest("max_output_tokens must be a whole number")
            elif not isinstance(value, str):
                raise InvalidRequest(f"{key} must be a text")
            values[key] = value
        if "name" not in values:
            raise InvalidRequest("an assistant in the file has no name")
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
            f"the file is {len(data):,} bytes; an assistant file is at most {MAX_FILE_BYTES:,}"
        )
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise InvalidRequest(f"the file is not an assistant file (not JSON: {error})") from None
    if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
        raise InvalidRequest(f'the file is not an assistant file (no "format": "{FILE_FORMAT}")')
    version = document.get("version")
    if not isinstance(version, int) or version > FILE_VERSION:
        raise InvalidRequest(
            f"the file is version {version!r} of the assistant format; this chatdesk reads up "
            f"to {FILE_VERSION}: it was written by a newer chatdesk"
        )
    records = document.get("assistants")
    if not isinstance(records, list) or not records:
        raise InvalidRequest("the file holds no assistants")
    found = []
    for index, record in enumerate(records, 1):
        try:
            found.append(AssistantFields.from_record(record))
        except InvalidRequest as error:
            raise InvalidRequest(f"assistant {index} of the file: {error}") from None
    return found


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip() or None


def _one_line(value: str | None, what: str, limit: int) -> str | None:
    text = _text(value)
    if text is None:
        return None
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text):
        raise InvalidRequest(f"the {what} must be one line of text")
    if len(text) > limit:
        raise InvalidRequest(f"the {what} is {len(text):,} characters; at most {limit:,}")
    return text


def _multi_line(value: str | None, what: str, limit: int) -> str | None:
    text = _text(value)
    return None if text is None else _within(text, what, limit)


def _example(value: str) -> str | None:
    """An example prompt as written, but for leading blanks: one that ends in a space or an
    open code block leaves the cursor where the user goes on typing."""
    text = value.lstrip()
    return _within(text, "example prompt", MAX_EXAMPLE) if text else None


def _within(text: str, what: str, limit: int) -> str:
    if "\x00" in text:
        raise InvalidRequest(f"the {what} contains a NUL character")
    if len(text) > limit:
        raise InvalidRequest(f"the {what} is {len(text):,} characters; at most {limit:,}")
    return text
