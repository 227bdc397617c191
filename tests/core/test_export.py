"""Exporting a thread: Markdown people read, HTML that is safe to open, and no secrets."""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from chatdesk.app import build_core
from chatdesk.configuration import configure
from chatdesk.core.attach.worker import Reader
from chatdesk.core.chat import repository as repo
from chatdesk.core.ids import new_id
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.store import Store
from chatdesk.core.store.models import Role, Status, Thread
from chatdesk.core.transfer import ExportFormat, Transfer

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes

AT = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)

HOSTILE = """Look: <script>alert("x")</script> and <img src=x onerror="alert(1)">

[click me](javascript:alert(document.cookie)) · [data](data:text/html;base64,PHNjcmlwdD4=)
[file](file:///etc/passwd) · [a real link](https://example.org/page)

![tracking pixel](https://evil.example/pixel.png?user=1)
![local](/etc/passwd)

<iframe src="https://evil.example"></iframe><style>body{display:none}</style>
<a href="https://evil.example" onclick="steal()">raw anchor</a>

```html
<script>inside a fence is text</script>
```

The area is $x^2$.
"""


def add_thread(store: Store, title: str, turns: list[tuple[Role, str]], **columns: Any) -> Thread:
    """A thread whose branch is `turns`, written straight to the database (the content is
    what a model might send, which the service would store as it is)."""

    def work(session: Any) -> Thread:
        thread = Thread(
            id=new_id(),
            title=title,
            message_count=0,
            created_at=AT,
            updated_at=AT,
            last_activity_at=AT,
            **columns,
        )
        session.add(thread)
        session.flush()
        parent = None
        for n, (role, text) in enumerate(turns):
            at = AT + timedelta(minutes=n)
            parent = repo.insert_message(
                session,
                at,
                thread,
                parent,
                role,
                Status.COMPLETE,
                text,
                model="gpt-4o" if role is Role.ASSISTANT else None,
            )
            session.flush()
        repo.set_active_leaf(session, thread, parent.id if parent else None)
        return thread

    return store.write_now(work)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parsed(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


async def test_markdown_has_the_branch_with_roles_times_and_intact_fences(
    store: Store, tmp_path: Path, reader: Reader
) -> None:
    thread = add_thread(
        store,
        "Fences",
        [
            (Role.USER, "Show me a fence"),
            (Role.ASSISTANT, "Here:\n\n```python\n## not a heading\nprint('hi')\n```"),
            (Role.USER, "And an unfinished one?"),
            (Role.ASSISTANT, "Cut off:\n\n````text\n```\nstill inside"),  # never closed
            (Role.USER, "Thanks"),
        ],
    )
    target = tmp_path / "fences.md"
    await Transfer(store, reader).export_thread(thread.id, ExportFormat.MARKDOWN, target)
    text = target.read_text()
    assert text.startswith("# Fences\n\nExported from chatdesk on ")
    assert "## User · 2025-03-04 09:30 UTC" in text
    assert "## Assistant · gpt-4o · 2025-03-04 09:31 UTC" in text
    assert "```python\n## not a heading\nprint('hi')\n```" in text
    tokens = MarkdownIt("commonmark").parse(text)
    headings = [
        tokens[i + 1].content
        for i, t in enumerate(tokens)
        if t.type == "heading_open" and t.tag == "h2"
    ]
    # Each message is its own heading: no fence swallowed the messages after it.
    assert [h.split(" · ")[0] for h in headings] == ["User", "Assistant"] * 2 + ["User"]
    fences = [t.content for t in tokens if t.type == "fence"]
    assert fences == ["## not a heading\nprint('hi')\n", "```\nstill inside\n"]


async def test_markdown_shows_only_the_branch_on_screen_and_says_so(
    store: Store, tmp_path: Path, service: Any, reader: Reader
) -> None:
    thread = await service.create_thread(title="Branches")
    turn = await service.send(thread.id, "first question")
    first = await service.wait_for_answer(turn.answer.id)
    regenerated = await service.regenerate(first.id)
    await service.wait_for_answer(regenerated.answer.id)
    await service.switch_branch(first.id)
    out = io.BytesIO()
    await Transfer(store, reader).export_thread(thread.id, ExportFormat.MARKDOWN, out)
    text = out.getvalue().decode()
    assert "3 in the thread with its other branches" in text
    assert "2 messages on the branch shown" in text
    assert "version 1 of 2" in text
    assert first.content.splitlines()[0] in text


async def test_html_is_safe_with_hostile_content(
    store: Store, tmp_path: Path, reader: Reader
) -> None:
    thread = add_thread(
        store,
        '<script>alert("title")</script>',
        [(Role.USER, HOSTILE), (Role.ASSISTANT, HOSTILE)],
    )
    target = tmp_path / "hostile.html"
    await Transfer(store, reader).export_thread(thread.id, ExportFormat.HTML, target)
    html = target.read_text()
    parsed = _parsed(html)
    tags, text = parsed.tags, "".join(parsed.text)
    names = {tag for tag, _ in tags}
    assert not names & {"script", "iframe", "object", "embed", "form", "base", "link"}
    assert [tag for tag, _ in tags].count("style") == 1  # the page's own, in the head
    for tag, attributes in tags:
        assert not [a for a in attributes if a.startswith("on")], (tag, attributes)
        if tag == "a":
            assert str(attributes["href"]).startswith(("https://", "http://", "mailto:")), (
                attributes
            )
        if tag == "img":  # never fetched from anywhere: only pictures inside the file
            assert str(attributes["src"]).startswith("data:image/png;base64,"), attributes
        if tag == "meta" and attributes.get("http-equiv") == "Content-Security-Policy":
            assert str(attributes["content"]).startswith("default-src 'none'; img-src data:")
    hrefs = [str(a["href"]) for tag, a in tags if tag == "a"]
    assert "https://example.org/page" in hrefs
    assert "https://evil.example/pixel.png?user=1" in hrefs  # the remote image, as a link
    assert "chatdesk:" not in html
    assert '<script>alert("title")</script>' in text  # the title, as text
    assert "<script>inside a fence is text</script>" in text
    assert '<img src=x onerror="alert(1)">' in text
    assert sum(1 for tag, _ in tags if tag == "article") == 2
    assert any(tag == "img" for tag, _ in tags)  # the formula, drawn and embedded


async def test_json_holds_every_branch(
    store: Store, service: Any, tmp_path: Path, reader: Reader
) -> None:
    thread = await service.create_thread(title="All of it")
    turn = await service.send(thread.id, "question")
    first = await service.wait_for_answer(turn.answer.id)
    await service.wait_for_answer((await service.regenerate(first.id)).answer.id)
    out = io.BytesIO()
    await Transfer(store, reader).export_thread(thread.id, ExportFormat.JSON, out)
    document = json.loads(out.getvalue())
    assert [m["role"] for m in document["messages"]] == ["user", "assistant", "assistant"]
    assert document["thread"]["active_leaf_id"] == document["messages"][-1]["id"]
    assert {"status", "prompt_tokens", "cost_usd", "error_detail", "parts"} <= set(
        document["messages"][1]
    )


async def test_an_unknown_thread_writes_no_file(
    store: Store, tmp_path: Path, reader: Reader
) -> None:
    from chatdesk.core.errors import NotFound

    target = tmp_path / "missing.md"
    for format in ExportFormat:
        with pytest.raises(NotFound):
            await Transfer(store, reader).export_thread(new_id(), format, target)
    assert not target.exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".missing")]  # no temporary


CANARY_KEY = "sk-export-canary-5d1e0b7a93c4"
CANARY_HOST = "canary-host-7f3a.invalid"


async def test_no_key_or_setting_reaches_an_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY_KEY)
    core = build_core(configure())
    await core.start()
    try:
        profile = ProviderProfile("canary", f"https://{CANARY_HOST}/v1", default_model="m")
        await core.profiles.save(profile, key=CANARY_KEY)
        turn = await core.service.send_new("hello")
        await core.service.wait_for_answer(turn.answer.id)
        thread_id = turn.answer.thread_id
        await core.transfer.export_all(tmp_path / "all.zip")
        for format in ExportFormat:
            await core.transfer.export_thread(thread_id, format, tmp_path / f"one.{format}")
    finally:
        await core.aclose()
    written = [(tmp_path / f"one.{format}").read_bytes() for format in ExportFormat]
    with zipfile.ZipFile(tmp_path / "all.zip") as archive:
        written += [archive.read(name) for name in archive.namelist()]
    assert len(written) == 5  # three formats, the manifest and the thread
    for data in written:
        assert CANARY_KEY.encode() not in data
        assert CANARY_HOST.encode() not in data
    assert os.environ["OPENAI_API_KEY"] == CANARY_KEY  # the key was really there to leak
