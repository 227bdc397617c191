"""A tool server's resources, against the test MCP server (`tests/core/mcp_server.py` with
`mcp_parts/resources.py`) run as its own process over stdio and Streamable HTTP: listed with
their templates, read into attachments through the reading child (a PDF's text extracted, a PNG
read as an image) with the server and URI kept on the stored message, a template filled in, a
blob past the size limit refused, and a list that changes."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from chatdesk.configuration import Configuration
from chatdesk.core.assembly import assemble
from chatdesk.core.attach.attacher import NotAttached
from chatdesk.core.config import Settings
from chatdesk.core.errors import ChatdeskError
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store
from chatdesk.core.tools.mcp_resources import (
    ResourceInfo,
    Resources,
    decoded,
    expand_template,
    template_parameters,
)
from chatdesk.core.tools.servers import ServerConfig, Transport
from tests.core.mcp_helpers import stdio

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes


def _service(store: Store, config: Configuration, tmp_path: Path, mb: int = 50) -> ChatService:
    settings: Settings = config.settings
    settings = dataclasses.replace(
        settings, attachments=dataclasses.replace(settings.attachments, max_file_mb=mb)
    )
    return assemble(
        store,
        Providers({"mock": MockProvider(settings.mock)}),
        settings,
        tools_dir=config.paths.config_dir,
        log_dir=tmp_path,
    )


@pytest_asyncio.fixture
async def service(
    store: Store, config: Configuration, tmp_path: Path
) -> AsyncIterator[ChatService]:
    made = _service(store, config, tmp_path)
    await made.tools.add_server(stdio())
    yield made
    await made.aclose()


async def test_a_server_lists_its_resources_and_templates(service: ChatService) -> None:
    resources = service.tools.resources
    assert resources.servers() == ["test"]
    listing = await resources.listing("test")
    by_uri = {r.uri: r for r in listing.resources}
    assert {"note://shopping", "picture://blue", "doc://report"} <= set(by_uri)
    assert by_uri["note://shopping"].label == "Shopping list"
    assert by_uri["picture://blue"].mime == "image/png"
    templates = {t.name: t for t in listing.templates}
    assert templates["greeting"].parameters == ("person",)
    assert templates["greeting"].uri({"person": "Ann Lee"}) == "greeting://Ann%20Lee"


async def test_a_text_resource_is_attached_with_its_origin_and_kept_on_the_message(
    service: ChatService, store: Store
) -> None:
    [note] = await service.tools.resources.attach("test", "note://shopping")
    assert note.text.startswith("Remember the milk.")
    assert (note.origin_server, note.origin_uri) == ("test", "note://shopping")
    thread = await service.create_thread()
    turn = await service.send(thread.id, "what is on it?", attachments=[note])
    await service.wait_for_answer(turn.answer.id)
    assert turn.user_message is not None
    [kept] = (await service.get_message(turn.user_message.id)).attachments
    assert (kept.origin_server, kept.origin_uri) == ("test", "note://shopping")


async def test_a_pdf_resource_is_read_like_a_dropped_file(service: ChatService) -> None:
    [report] = await service.tools.resources.attach("test", "doc://report")
    assert report.mime == "application/pdf"
    assert report.pages == 1
    assert "revenue grew by nine percent" in report.text


async def test_a_png_resource_becomes_an_image_attachment(service: ChatService) -> None:
    [picture] = await service.tools.resources.attach("test", "picture://blue")
    assert picture.kind == "image"
    assert (picture.width, picture.height) == (64, 48)
    assert picture.origin_uri == "picture://blue"


async def test_a_templates_resource_is_read_with_its_parameter(service: ChatService) -> None:
    listing = await service.tools.resources.listing("test")
    [greeting] = [t for t in listing.templates if t.name == "greeting"]
    [content] = await service.tools.resources.read("test", greeting.uri({"person": "Ann"}))
    assert content.text == "Hello, Ann!"


async def test_a_blob_past_the_limit_is_refused_with_the_reason(
    store: Store, config: Configuration, tmp_path: Path
) -> None:
    service = _service(store, config, tmp_path, mb=1)
    try:
        await service.tools.add_server(stdio())
        [small] = await service.tools.resources.read("test", "blob://100")
        assert small.size == 100 * 1024
        with pytest.raises(NotAttached, match="resources up to 1 MB can be attached"):
            await service.tools.resources.attach("test", "blob://3000")
    finally:
        await service.aclose()


async def test_a_listed_size_past_the_limit_is_refused_before_reading() -> None:
    """A server that lists a 2 GB resource: refused from its listed size, nothing read."""

    class Unreachable:
        resources_changed = None

        async def request(self, ask: object) -> object:
            raise AssertionError("read although its listed size is past the limit")

    from chatdesk.core.config import Settings as Made
    from chatdesk.core.tools.mcp_resources import Listing

    resources = Resources(
        lambda name: Unreachable(),  # type: ignore[arg-type,return-value]
        lambda name: True,
        lambda: ["huge"],
        Made,
    )
    huge = ResourceInfo("huge", "file:///huge.bin", "huge.bin", size=2 * 1024**3)
    resources._listed["huge"] = Listing("huge", (huge,))
    with pytest.raises(NotAttached, match=r"it is 2048\.0 MB"):
        await resources.read("huge", huge.uri)


async def test_a_blob_is_measured_before_it_is_decoded() -> None:
    class Blob:
        uri, mime_type = "blob://x", "application/octet-stream"
        blob = "A" * (4 * 1024 * 1024)  # 3 MB once decoded

    with pytest.raises(NotAttached, match=r"it is 3\.0 MB"):
        decoded(Blob(), 1024 * 1024)


async def test_uri_templates_give_their_parameters_and_expand() -> None:
    assert template_parameters("file:///{path}/{name}{?rev,mode}") == (
        "path",
        "name",
        "rev",
        "mode",
    )
    assert expand_template("greet://{who}", {"who": "a/b c"}) == "greet://a%2Fb%20c"
    assert expand_template("file:///{+path}", {"path": "a/b c"}) == "file:///a/b%20c"
    assert expand_template("s://x{?q,n}", {"q": "a b", "n": ""}) == "s://x?q=a%20b"


async def test_a_changed_resource_list_is_listed_again(service: ChatService) -> None:
    resources = service.tools.resources
    before = await resources.listing("test")
    assert "note://published" not in {r.uri for r in before.resources}
    assert await resources.listing("test") is before  # kept
    outcome = await service.tools.source("test").call("publish", {})
    assert outcome.text == "published"
    source = service.tools.source("test")
    await asyncio.to_thread(source.resources_changed.wait)  # told by the server
    after = await resources.listing("test")
    assert "note://published" in {r.uri for r in after.resources}


async def test_resources_over_streamable_http(
    store: Store, config: Configuration, tmp_path: Path, http_server: str
) -> None:
    service = _service(store, config, tmp_path)
    try:
        await service.tools.add_server(ServerConfig("remote", Transport.HTTP, url=http_server))
        listing = await service.tools.resources.listing("remote")
        assert "picture://blue" in {r.uri for r in listing.resources}
        [picture] = await service.tools.resources.attach("remote", "picture://blue")
        assert picture.kind == "image"
        assert picture.origin_server == "remote"
    finally:
        await service.aclose()


async def test_a_server_that_is_switched_off_is_not_asked(service: ChatService) -> None:
    await service.tools.set_enabled("test", False)
    assert service.tools.resources.servers() == []
    with pytest.raises(ChatdeskError, match="switched off"):
        await service.tools.resources.listing("test")


async def test_a_tools_resource_link_and_embedded_resource_are_kept_with_its_call(
    service: ChatService,
) -> None:
    from chatdesk.core.tools.model import Policy

    service.tools.policies.set("test", Policy.ALLOW)
    thread = await service.create_thread()
    await service.set_thread_tools(thread.id, ["test"])
    turn = await service.send(thread.id, "use the linked tool")
    answer = await service.wait_for_answer(turn.answer.id)
    [call] = answer.tool_calls
    assert call.result is not None
    assert "[resource link: shopping <note://shopping>, text/plain]" in call.result
    assert "[embedded resource <note://inline>]\nInline <b>words</b>" in call.result
    link, embedded = call.resources
    assert (link.uri, link.name, link.embedded, link.text, link.server) == (
        "note://shopping",
        "shopping",
        False,
        None,
        "test",
    )
    assert (embedded.uri, embedded.embedded, embedded.text) == (
        "note://inline",
        True,
        "Inline <b>words</b>",
    )
    stored = await service.get_message(answer.id)  # read back from the database
    assert stored.tool_calls[0].resources == call.resources


async def test_a_server_changed_in_its_settings_is_listed_afresh(
    service: ChatService, http_server: str
) -> None:
    before = await service.tools.resources.listing("test")
    assert before.resources
    await service.tools.add_server(
        ServerConfig("test", Transport.HTTP, url=http_server), replace=True
    )
    after = await service.tools.resources.listing("test")
    assert after is not before  # asked of the server as it is set up now
    assert {r.uri for r in after.resources} == {r.uri for r in before.resources}
