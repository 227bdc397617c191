"""What an MCP tool says of itself besides its schema: its title (MCP's `title`, or
`annotations.title`), and whether it may delete or change things (`destructiveHint`).

Both are the server's words. A title is shown on one line, bounded, and always after its
server's name, with the tool's real name beside it (`ToolInfo.label`, the cards' tooltips), so
it cannot pose as another tool. The destructive hint only ever makes chatdesk ask more: it is
followed as MCP defines it (true unless said otherwise, meaningful only for a tool that is not
read-only) for a tool that gives annotations at all; a tool that gives none said nothing, and
is not marked (decision 0057)."""

from __future__ import annotations

from typing import Any

MAX_TITLE = 80  # characters of a tool's title shown


def title_of(tool: Any) -> str:
    """The tool's title on one line ("": none, or the same as its name)."""
    annotations = getattr(tool, "annotations", None)
    raw = getattr(tool, "title", None) or getattr(annotations, "title", None) or ""
    title = " ".join(str(raw).split())
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1] + "…"
    return "" if title == tool.name else title


def is_destructive(tool: Any) -> bool:
    """It says, or leaves MCP's default to say, that it may delete or change things."""
    annotations = getattr(tool, "annotations", None)
    if annotations is None or annotations.read_only_hint:
        return False
    return annotations.destructive_hint is not False
