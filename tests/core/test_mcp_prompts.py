"""A tool server's prompts (`service.tools.prompts`), against the test MCP server
(`tests/core/mcp_server.py`, its part `mcp_parts/prompts.py`) over stdio and Streamable HTTP:
listed with their titles and arguments, kept until the server says they changed, got with
their text, image and embedded resource, completed, and refused with clear words."""

from __future__ import annotations

import asyncio

import pytest

from chatdesk.core.errors import ChatdeskError, InvalidRequest, NotFound
from chatdesk.core.tools.servers import ServerConfig, Transport
from chatdesk.core.tools.service import Tools
from tests.core.mcp_helpers import stdio

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes


@pytest.fixture(params=["stdio", "http"])
def server(request: pytest.FixtureRequest) -> ServerConfig:
    if request.param == "stdio":
        return stdio()
    url = request.getfixturevalue("http_server")
    return ServerConfig("test", Transport.HTTP, url=url)


async def test_prompts_are_listed_with_titles_and_arguments(
    tools: Tools,
    server: ServerConfig,
) -> None:
    await tools.add_server(server)
    assert tools.prompts.known() == []  # nothing listed yet, nothing started for it
    listed = {p.name: p for p in await tools.prompts.refresh()}
    assert {"greeting", "review", "picture_and_notes"} <= set(listed)
    assert listed["greeting"].label == "test › Say hello"
    assert listed["picture_and_notes"].label == "test › picture_and_notes"  # no title
    arguments = {a.name: a for a in listed["review"].arguments}
    assert arguments["language"].required
    assert arguments["language"].description == "The language the code is in"
    assert not arguments["focus"].required
    assert {p.name for p in tools.prompts.known()} == set(listed)  # kept
    assert tools.prompts.stale() == []
    await tools.add_server(server, replace=True)  # changed: its list is asked for again
    assert tools.prompts.known() == []
    assert tools.prompts.stale() == ["test"]


async def test_a_prompt_gives_its_text_an_image_and_a_resource(
    tools: Tools,
    server: ServerConfig,
) -> None:
    await tools.add_server(server)
    review = await tools.prompts.get("test", "review", {"language": "rust", "focus": "errors"})
    assert review.text == "Review this rust code, looking at errors.\n\nPaste the code below."
    assert [p.role for p in review.parts] == ["user", "assistant"]
    got = await tools.prompts.get("test", "picture_and_notes")
    kinds = [p.kind for p in got.parts]
    assert kinds == ["text", "image", "resource"]
    image, notes = got.parts[1], got.parts[2]
    assert image.mime == "image/png"
    assert image.data.startswith(b"\x89PNG")
    assert notes.uri == "file:///notes.txt"
    assert notes.text == "n1\nn2"
    assert notes.data == b""


async def test_an_argument_is_completed_by_the_server(
    tools: Tools,
    server: ServerConfig,
) -> None:
    await tools.add_server(server)
    assert await tools.prompts.complete("test", "review", "language", "p", {}) == [
        "python",
        "perl",
        "php",
    ]
    assert await tools.prompts.complete("test", "review", "language", "ru", {}) == ["rust", "ruby"]
    assert await tools.prompts.complete("test", "review", "focus", "x", {"language": "go"}) == []


async def test_a_changed_prompt_list_is_listed_again(
    tools: Tools,
    server: ServerConfig,
) -> None:
    await tools.add_server(server)
    assert "added" not in {p.name for p in await tools.prompts.refresh()}
    outcome = await tools.source("test").call("more_prompts", {})
    assert outcome.text == "more"
    await asyncio.to_thread(tools.source("test").prompts_changed.wait)  # told on the tools loop
    assert tools.prompts.stale() == ["test"]
    listed = {p.name: p for p in await tools.prompts.refresh()}
    assert listed["added"].label == "test › Added later"
    assert (await tools.prompts.get("test", "added")).text == "added text"


async def test_clear_words_for_what_cannot_be_got(tools: Tools) -> None:
    await tools.add_server(stdio())
    with pytest.raises(NotFound, match="no prompt named 'nope'"):
        await tools.prompts.get("test", "nope")
    with pytest.raises(InvalidRequest, match="needs a value for language"):
        await tools.prompts.get("test", "review", {"focus": "speed"})
    with pytest.raises(NotFound, match="no tool server named 'other'"):
        await tools.prompts.listed("other")
    await tools.set_enabled("test", False)
    with pytest.raises(InvalidRequest, match="not running"):
        await tools.prompts.get("test", "greeting")
    assert tools.prompts.known() == []
    assert tools.prompts.stale() == []


async def test_a_server_that_cannot_start_is_left_out_of_the_menu(tools: Tools) -> None:
    broken = ServerConfig(
        "broken", Transport.STDIO, command="/nonexistent/server", command_approved=True
    )
    await tools.add_server(broken)
    await tools.add_server(stdio())
    assert {p.server for p in await tools.prompts.refresh()} == {"test"}
    with pytest.raises(ChatdeskError, match="broken"):
        await tools.prompts.listed("broken")
