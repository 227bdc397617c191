"""The model is told where an attachment read from a tool server's resource came from: its
text is fenced with the server and the URI, as a file's is with its name. Against the test MCP
server (tests/core/mcp_server.py) over stdio, the request as the provider receives it."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatdesk.configuration import Configuration
from chatdesk.core.assembly import assemble
from chatdesk.core.providers.base import Providers
from chatdesk.core.store import Store
from chatdesk.core.views import AttachmentInput
from tests.core.mcp_helpers import stdio
from tests.core.providers import ScriptedProvider

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes


async def test_a_resources_text_names_its_server_and_uri_to_the_model(
    store: Store, config: Configuration, tmp_path: Path
) -> None:
    provider = ScriptedProvider(["ok"])
    service = assemble(
        store,
        Providers({"scripted": provider}),
        config.settings,
        tools_dir=config.paths.config_dir,
        log_dir=tmp_path,
    )
    try:
        await service.tools.add_server(stdio())
        [note] = await service.tools.resources.attach("test", "note://shopping")
        [picture] = await service.tools.resources.attach("test", "picture://blue")
        dropped = AttachmentInput("list.txt", "eggs")
        thread = await service.create_thread(provider="scripted")
        attached = [note, picture, dropped]
        turn = await service.send(thread.id, "what is on it?", attachments=attached)
        await service.wait_for_answer(turn.answer.id)
    finally:
        await service.aclose()

    sent = provider.requests[0].messages[-1].content
    assert '<attachment name="shopping" server="test" uri="note://shopping">\n' in sent
    assert "Remember the milk." in sent
    assert 'server="test" uri="picture://blue"' in sent  # an image says so beside its pixels
    assert '<attachment name="list.txt">\neggs\n</attachment>' in sent  # a file: its name
