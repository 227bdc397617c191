"""A thread's branch on screen as one self-contained, safe HTML file.

Each message's text is rendered by chatdesk's own renderer (core/render: markdown-it with raw HTML
off and a writer that chooses every tag), in its worker process with a time limit, exactly as
the window shows it. What only makes sense in the window is taken out: the Copy links of code
blocks and the "Load images" link. Formulas drawn as pictures are embedded as data: URLs.
Remote images are never fetched: each message lists them as links instead.

The page carries no script, loads nothing from anywhere (its Content-Security-Policy allows
only inline styles and data: images, so a browser refuses anything else even if it were
there) and sends no referrer when a link is followed.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Awaitable, Callable
from html import escape
from string import Template
from typing import IO

from chatdesk.core.i18n import language, tr
from chatdesk.core.render.document_colours import PAGE
from chatdesk.core.render.model import Rendered
from chatdesk.core.transfer.as_markdown import (
    about,
    file_label,
    file_line,
    heading,
    source_line,
    status_note,
    tool_line,
    web_facts,
)
from chatdesk.core.transfer.branch import Branch, BranchMessage
from chatdesk.core.views import ToolCallView, placed_calls

Render = Callable[[str], Awaitable[Rendered]]

POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'"
)
LINK_REL = "noopener noreferrer nofollow"
_WINDOW_ONLY = re.compile(  # the window's own actions: a code block's Copy, Load images
    r' ?<a href="chatdesk:(?:copy-code/\d+"[^>]*>(?:<img [^>]*>)?\u00a0?Copy'
    r'|load-images">Load images)</a>'
)
_IMAGE_TYPES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
)
_STYLE = Template("""
body { margin: 0; background: $ground; color: $text;
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
.about, .note, .files, .remote { color: $quiet; font-size: .9rem; }
article { background: $card; border: 1px solid $card_edge; border-radius: 8px;
          margin: 1rem 0; padding: .75rem 1rem; overflow-wrap: anywhere; }
article.user { background: $user_card; }
article > header { color: $quiet; font-size: .85rem; margin-bottom: .5rem; }
details { margin-bottom: .5rem; }
summary { cursor: pointer; color: $quiet; }
pre { overflow-x: auto; }
img { max-width: 100%; }
.note { border-left: 3px solid $failure; padding-left: .5rem; }
""").substitute(PAGE)  # the page's colours: chatdesk/core/render/document_colours.py


async def write_html(branch: Branch, out: IO[str], render: Render) -> None:
    title = escape(" ".join(branch.thread.title.split()))
    out.write(
        f'<!DOCTYPE html>\n<html lang="{language().replace("_", "-")}">\n<head>\n'
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f'<h1>{title}</h1>\n<p class="about">{escape(about(branch))}</p>\n'
    )
    for message in branch.messages:
        out.write(await _article(message, render))
    out.write("</main>\n</body>\n</html>\n")


async def _article(message: BranchMessage, render: Render) -> str:
    view = message.view
    pieces = [
        f'<article class="{view.role.value}">',
        f"<header>{escape(heading(message))}</header>",
    ]
    if view.reasoning:  # plain, as the window shows it
        reasoning = escape(tr("Reasoning"), quote=False)
        pieces.append(f"<details><summary>{reasoning}</summary>{_plain(view.reasoning)}</details>")
    for text, calls in placed_calls(view.content, view.tool_calls):  # as the model wrote them
        if text.strip():
            pieces.append(safe_fragment(await render(text)))
        pieces += [_tool_call(call) for call in calls]
    for cited in view.sources:  # plain text: a document's words are never markup
        summary = escape(source_line(cited))
        if cited.is_web:  # the page's address, followed without a referrer or a vouch
            link = f'<a href="{escape(cited.url)}" rel="{LINK_REL}">{escape(cited.name)}</a>'
            pieces.append(
                f'<p class="source">[{cited.number}] {link}{escape(web_facts(cited))}</p>'
            )
            summary = escape(tr("Text read from [{number}]", number=cited.number))
        pieces.append(
            f'<details class="source"><summary>{summary}</summary>'
            f"<pre>{escape(cited.text, quote=False)}</pre></details>"
        )
    pieces += [f'<p class="cut">{escape(cut.said(), quote=False)}</p>' for cut in view.cuts]
    for file in message.files:
        line = escape(f"{file_label(file)}: {file_line(file)}")
        if file.image is not None:  # embedded: the page stays one self-contained file
            source = f"data:{file.mime};base64,{base64.b64encode(file.image).decode('ascii')}"
            pieces.append(
                f'<figure><img src="{escape(source)}" alt="{escape(file.name)}" '
                f'style="max-width: 100%"><figcaption>{line}</figcaption></figure>'
            )
        elif file.text is None:
            pieces.append(f'<p class="files">{line}</p>')
        else:
            text = escape(file.text, quote=False)
            pieces.append(f"<details><summary>{line}</summary><pre>{text}</pre></details>")
    note = status_note(message)
    if note is not None:
        pieces.append(f'<p class="note">{escape(note)}</p>')
    pieces.append("</article>\n")
    return "\n".join(pieces)


def safe_fragment(rendered: Rendered) -> str:
    """The renderer's HTML without the window's own links, its pictures embedded, and its
    remote images as links."""
    html = _WINDOW_ONLY.sub("", rendered.html)
    for name, data in rendered.images.items():
        html = html.replace(f'src="{name}"', f'src="{_data_url(data)}"')
    if rendered.remote_images:
        links = ", ".join(
            f'<a href="{escape(url)}">{escape(url, quote=False)}</a>'
            for url in rendered.remote_images
        )
        said = tr("Images not included (they are on the web): {links}", links=links)
        html += f'<p class="remote">{said}</p>'
    return html


def _plain(text: str) -> str:
    return f'<p style="white-space: pre-wrap">{escape(text, quote=False)}</p>'


def _data_url(data: bytes) -> str:
    mime = next((kind for magic, kind in _IMAGE_TYPES if data.startswith(magic)), None)
    if mime is None:
        return ""  # not a picture a browser should be handed
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _tool_call(call: ToolCallView) -> str:
    """A call as a folded section, in plain text: a tool's words are never markup."""
    arguments = escape(call.pretty_arguments, quote=False)
    result = call.result
    # translators: what a tool gave back, in an exported chat
    said = escape(tr("Result:"), quote=False)
    shown = "" if result is None else f"<p>{said}</p><pre>{escape(result, quote=False)}</pre>"
    # translators: what a tool was called with, in an exported chat
    asked = escape(tr("Arguments:"), quote=False)
    return (
        f"<details><summary>{escape(tool_line(call))}</summary>"
        f"<p>{asked}</p><pre>{arguments}</pre>{shown}</details>"
    )
