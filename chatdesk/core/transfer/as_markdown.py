"""A thread's branch on screen as a Markdown document people read.

Each message is a level-2 heading (who, which model, when, which version of a regenerated
answer) followed by its text as written: the model's Markdown passes through untouched, except
that a code fence left open at the end of a message is closed, so it cannot swallow the
messages after it. Reasoning is a quote above the answer, an error a quote below it, text
attachments fenced blocks. Other branches are not in it (the JSON export has them all).
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from html import escape
from typing import IO

from chatdesk.core.i18n import mark, ntr, tr
from chatdesk.core.kinds import Role, Status
from chatdesk.core.transfer.branch import Branch, BranchMessage, FileInfo
from chatdesk.core.transfer.chatgpt_content import fenced
from chatdesk.core.units import format_size
from chatdesk.core.views import CitedSource, ToolCallView, placed_calls

ROLE_NAMES = {  # shown as tr(ROLE_NAMES[role])
    # translators: who wrote a message, in an exported chat
    Role.USER: mark("User"),
    # translators: who wrote a message, in an exported chat
    Role.ASSISTANT: mark("Assistant"),
    # translators: who wrote a message, in an exported chat
    Role.SYSTEM: mark("System"),
    # translators: who wrote a message (a tool's result), in an exported chat
    Role.TOOL: mark("Tool"),
}
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_MARKUP = re.compile(r"[\\`*_\[\]<>&!]")  # what a page's title could write Markdown or HTML with


def write_markdown(branch: Branch, out: IO[str]) -> None:
    out.write(f"# {_one_line(branch.thread.title)}\n\n{about(branch)}\n")
    for message in branch.messages:
        out.write("\n---\n\n")
        out.write(_message(message))


def about(branch: Branch) -> str:
    """One line on where the export came from and what it holds."""
    thread = branch.thread
    shown = len(branch.messages)
    pieces = [tr("Exported from chatdesk on {when}", when=when(branch.exported_at))]
    if branch.project:
        pieces.append(tr("project {name}", name=_one_line(branch.project)))
    pieces.append(ntr("{n} message on the branch shown", "{n} messages on the branch shown", shown))
    if thread.message_count > shown:
        pieces.append(
            ntr(
                "{n} in the thread with its other branches",
                "{n} in the thread with its other branches",
                thread.message_count,
            )
        )
    return " · ".join(pieces)


def heading(message: BranchMessage) -> str:
    view = message.view
    pieces = [tr(ROLE_NAMES[view.role])]
    if view.role is Role.ASSISTANT and view.agent:  # the assistant it came from
        pieces = [view.agent]
    if view.role is not Role.USER and view.model:
        pieces.append(view.model)
    pieces.append(when(view.created_at))
    if view.sibling_count > 1:
        pieces.append(
            tr("version {index} of {count}", index=view.sibling_index, count=view.sibling_count)
        )
    return " · ".join(_one_line(p) for p in pieces)


def status_note(message: BranchMessage) -> str | None:
    """What went wrong with an answer, in words; None when nothing did."""
    view = message.view
    if view.status is Status.COMPLETE:
        return None
    if view.status is Status.ERROR:
        # translators: an answer that failed, in an exported chat
        label = tr("Error")
    elif view.status is Status.INTERRUPTED:
        # translators: an answer that was stopped before its end, in an exported chat
        label = tr("Interrupted")
    else:
        label = tr("Unfinished ({status})", status=view.status.value)
    kind = f" ({view.error_type})" if view.error_type else ""
    detail = f": {view.error_detail}" if view.error_detail else ""
    return f"{label}{kind}{detail}"


def file_line(file: FileInfo) -> str:
    size = format_size(file.size)
    if file.text is not None or file.image is not None:
        return f"{file.name} ({file.mime}, {size})"
    return tr("{name} ({mime}, {size}, not included)", name=file.name, mime=file.mime, size=size)


def file_label(file: FileInfo) -> str:
    """Where a file came from: the user attached it, or a tool's result gave it."""
    # translators: a file the user attached, in an exported chat
    return tr("From {tool}", tool=file.tool) if file.tool else tr("Attached")


def when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def close_fences(text: str) -> str:
    """`text`, with a closing fence added when a code block is still open at its end."""
    opened: tuple[str, int] | None = None
    for line in text.splitlines():
        match = _FENCE.match(line)
        if match is None:
            continue
        fence, rest = match.group(1), match.group(2)
        if opened is None:
            if not (fence[0] == "`" and "`" in rest):
                opened = (fence[0], len(fence))
        elif fence[0] == opened[0] and len(fence) >= opened[1] and not rest.strip():
            opened = None
    if opened is None:
        return text
    return text.rstrip("\n") + "\n" + opened[0] * opened[1]


def _message(message: BranchMessage) -> str:
    view = message.view
    blocks = [f"## {heading(message)}"]
    if view.reasoning:
        reasoning = tr("Reasoning")
        blocks.append(_quoted(f"**{reasoning}**\n\n{close_fences(view.reasoning)}"))
    for text, calls in placed_calls(view.content, view.tool_calls):  # as the model wrote them
        if text.strip():
            blocks.append(close_fences(text))
        blocks += [_tool_call(call) for call in calls]
    for source in view.sources:  # the passages it was given and the pages read, as cited
        if source.is_web:  # the page's link, then the text that was read, folded
            blocks.append(web_source_markdown(source))
            summary = escape(tr("Text read from [{number}]", number=source.number), quote=False)
        else:
            summary = escape(_one_line(source_line(source)), quote=False)
        blocks.append(
            f"<details><summary>{summary}</summary>\n\n{fenced(source.text, 'text')}\n\n</details>"
        )
    blocks += [_quoted(escape(cut.said(), quote=False)) for cut in view.cuts]
    for file in message.files:
        blocks.append(f"**{_one_line(file_label(file))}:** {_one_line(file_line(file))}")
        if file.image is not None:  # embedded, as a data URL: the file stays self-contained
            data = base64.b64encode(file.image).decode("ascii")
            blocks.append(
                f"![{_one_line(file.name).replace(']', '')}](data:{file.mime};base64,{data})"
            )
        elif file.text is not None:
            blocks.append(fenced(file.text, "text"))
    note = status_note(message)
    if note is not None:
        blocks.append(_quoted(f"**{note}**"))
    return "\n\n".join(blocks) + "\n"


def source_line(source: CitedSource) -> str:
    """ "[1] /notes/car.md, Car › Tyres (Home)": a source as an export names it; a web page
    by its title (`web_facts` says the rest)."""
    if source.is_web:
        return f"[{source.number}] {_one_line(source.name)}"
    where = f", {source.location}" if source.location else ""
    base = f" ({source.base})" if source.base else ""
    return f"[{source.number}] {source.path}{where}{base}"


def web_source_markdown(source: CitedSource) -> str:
    """ "[2] [A page's title](https://…) — Lenne Courier, read 2026-11-26 12:30 UTC": the
    title's Markdown escaped, so a page cannot write markup into the export."""
    address = source.url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
    title = _MARKUP.sub(r"\\\g<0>", _one_line(source.name))
    return f"[{source.number}] [{title}](<{address}>){web_facts(source)}"


def web_facts(source: CitedSource) -> str:
    """ " — Lenne Courier, read 2026-11-26 12:30 UTC": a page's site and when it was read."""
    facts = [_one_line(source.location)] if source.location else []
    if source.read_at:
        facts.append(tr("read {when}", when=read_time(source.read_at)))
    return f" — {', '.join(facts)}" if facts else ""


def read_time(moment: str) -> str:
    """An ISO 8601 time as the exports write times (UTC); the text as it is otherwise."""
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return _one_line(moment)
    return when((parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC))


def tool_line(call: ToolCallView) -> str:
    return tr("Tool: {tool} — {state}", tool=call.label, state=call.state_text)


def _tool_call(call: ToolCallView) -> str:
    """A call as a folded section: its arguments, and its result when it has one."""
    # translators: what a tool was called with, in an exported chat
    inside = [f"**{tr('Arguments')}**", fenced(call.pretty_arguments, "json")]
    if call.result is not None:
        # translators: what a tool gave back, in an exported chat
        inside += [f"**{tr('Result')}**", fenced(call.result, "text")]
    if call.structured:
        # translators: the data a tool gave back besides its text, in an exported chat
        inside += [f"**{tr('Structured result')}**", fenced(call.structured, "json")]
    if call.mismatch:
        inside.append(fenced(call.mismatch_text, "text"))  # the server's words: kept plain
    summary = escape(_one_line(tool_line(call)), quote=False)
    return f"<details><summary>{summary}</summary>\n\n" + "\n\n".join(inside) + "\n\n</details>"


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def _one_line(text: str) -> str:
    return " ".join(text.split())
