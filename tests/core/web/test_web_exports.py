"""An answer that read the web, exported and imported: the Markdown lists each page as a link
with its site and when it was read, the page's text folded under it; the HTML links it so that
following it sends no referrer; the native export brought to another machine keeps every
source's address, title and time; `threads show` prints them as `ask` does. A hostile title
writes no markup into either document."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from chatdesk.configuration import configure
from chatdesk.core.assembly import assemble
from chatdesk.core.attach.worker import Reader
from chatdesk.core.chat import repository as repo
from chatdesk.core.kinds import PartKind, Role, Status
from chatdesk.core.paths import Paths
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store, open_store
from chatdesk.core.tools.model import WEB
from chatdesk.core.transfer import ExportFormat, Transfer
from chatdesk.core.views import MessageView
from tests.conftest import ServiceFactory
from tests.core.web.test_web_tools import _ask, _serve_results, _settings
from tests.core.web.web_server import FakeWeb

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes


async def _exported(store: Store, reader: Reader, answer: MessageView) -> dict[ExportFormat, str]:
    written = {}
    for kind in (ExportFormat.MARKDOWN, ExportFormat.HTML, ExportFormat.JSON):
        out = io.BytesIO()
        await Transfer(store, reader).export_thread(answer.thread_id, kind, out)
        written[kind] = out.getvalue().decode("utf-8")
    return written


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs))


async def test_the_exports_list_the_pages_read_and_an_import_keeps_them(
    make_service: ServiceFactory,
    config: Any,
    store: Store,
    web: FakeWeb,
    tmp_path: Path,
    reader: Reader,
) -> None:
    _serve_results(web)
    service = make_service(_settings(config.settings, web))
    answer = await _ask(service, "footbridge over the Lenne", [WEB])
    first, second = answer.sources
    written = await _exported(store, reader, answer)

    markdown = written[ExportFormat.MARKDOWN]
    read = first.read_at[:16].replace("T", " ")  # the mock's clock is UTC
    assert f"[1] [{first.title}](<{first.url}>) — Lenne Courier, read {read} UTC" in markdown
    assert f"[2] [{second.title}](<{second.url}>) — Lenne Courier, read " in markdown
    assert "<details><summary>Text read from [1]</summary>" in markdown
    assert "The council voted on Tuesday" in markdown  # the text that was read, folded

    parser = _Links()
    parser.feed(written[ExportFormat.HTML])
    pages = [link for link in parser.links if link.get("href") in (first.url, second.url)]
    assert [link["href"] for link in pages] == [first.url, second.url]
    assert all(link["rel"] == "noopener noreferrer nofollow" for link in pages)
    assert f">{first.title}</a> — Lenne Courier, read {read} UTC</p>" in written[ExportFormat.HTML]

    exported = tmp_path / "thread.json"
    exported.write_text(written[ExportFormat.JSON], encoding="utf-8")
    other = open_store(Paths.resolve(tmp_path / "other"), configure().settings)
    try:  # another machine
        await Transfer(other, reader).import_file(exported)
        elsewhere = assemble(other, Providers({"mock": MockProvider()}), configure().settings)
        try:
            kept = (await elsewhere.list_messages(answer.thread_id)).messages[-1]
        finally:
            await elsewhere.aclose()
    finally:
        other.close()
    assert [(s.number, s.url, s.title, s.read_at, s.location) for s in kept.sources] == [
        (s.number, s.url, s.title, s.read_at, "Lenne Courier") for s in answer.sources
    ]
    assert kept.sources == answer.sources


async def test_a_hostile_title_writes_no_markup(
    service: ChatService, store: Store, tmp_path: Path, reader: Reader
) -> None:
    title = "<img src=x onerror=alert(1)> [click](javascript:alert(2)) *loud*"
    url = "https://example.org/a page?q=<b>"
    thread = await service.create_thread(title="hostile")

    def seed(session: Any) -> Any:
        row = repo.thread_row(session, thread.id)
        now = row.created_at
        user = repo.insert_message(session, now, row, None, Role.USER, Status.COMPLETE, "q")
        done = Status.COMPLETE
        answer = repo.insert_message(session, now, row, user, Role.ASSISTANT, done, "[1]")
        data = {"number": 1, "url": url, "path": url, "title": title, "location": "example.org"}
        data["read_at"] = "2026-11-26T13:30:00+01:00"
        repo.add_parts(session, answer.id, [(PartKind.SOURCE, "what was read", data)])
        repo.set_active_leaf(session, row, answer.id)
        return answer

    answer = await store.write(seed)
    written = await _exported(store, reader, await service.get_message(answer.id))
    markdown = written[ExportFormat.MARKDOWN]
    assert (
        "[1] [\\<img src=x onerror=alert(1)\\> \\[click\\](javascript:alert(2)) \\*loud\\*]"
        "(<https://example.org/a%20page?q=%3Cb%3E>) — example.org, read 2026-11-26 12:30 UTC"
    ) in markdown  # escaped, and the time in UTC
    parser = _Links()
    parser.feed(written[ExportFormat.HTML])
    assert [link["href"] for link in parser.links] == [url]
    assert "<img" not in written[ExportFormat.HTML].split("<main>")[1]
