"""What a tool server's prompts are, as the front-ends see them: plain values, whatever the
server sent (names, titles, descriptions and text are shown as plain text, never as markup)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PromptArgument:
    name: str
    title: str = ""
    description: str = ""
    required: bool = False

    @property
    def label(self) -> str:
        return self.title or self.name


@dataclass(frozen=True)
class ServerPrompt:
    """A prompt a server offers."""

    server: str
    name: str  # as the server knows it
    title: str = ""  # how the server would have it shown ("" : by its name)
    description: str = ""
    arguments: tuple[PromptArgument, ...] = ()

    @property
    def label(self) -> str:
        """How the user sees it: always with its server, so no server can pass its prompt off
        as a saved one or as another server's."""
        return f"{self.server} › {self.title or self.name}"


@dataclass(frozen=True)
class PromptPart:
    """One message of a prompt the server gave: text (`kind` "text"), an image ("image": `data`
    as sent, untrusted bytes), or a resource it embedded ("resource": its `text`, or `data`
    when it is not text), named by `uri`."""

    role: str  # "user" or "assistant"
    kind: str
    text: str = ""
    mime: str = ""
    data: bytes = field(default=b"", repr=False)
    uri: str = ""


@dataclass(frozen=True)
class GotPrompt:
    server: str
    name: str
    description: str
    parts: tuple[PromptPart, ...]

    @property
    def text(self) -> str:
        """Its text parts, one after the other, as a message to edit."""
        return "\n\n".join(p.text for p in self.parts if p.kind == "text" and p.text)
