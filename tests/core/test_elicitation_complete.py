"""A server that says the step of its URL question was finished outside chatdesk
(`notifications/elicitation/complete`, before the 2026-07-28 protocol): the question still
shown is withdrawn from the person, and the server told it was accepted. Against the test
server (tests/core/mcp_parts/gapscore.py) run as its own process, over stdio and over
Streamable HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import functools
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import mcp
import pytest
import pytest_asyncio

from chatdesk.configuration import Configuration
from chatdesk.core.tools.model import CALLER, Caller
from chatdesk.core.tools.questions import Answer, Question
from chatdesk.core.tools.servers import ServerConfig
from chatdesk.core.tools.service import Tools
from tests.core.mcp_helpers import over, tools_with
from tests.core.mcp_parts.gapscore import PAY_URL

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes


@pytest.fixture(params=["stdio", "http"])
def server(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ServerConfig]:
    # The notification is of the protocols before 2026-07-28.
    monkeypatch.setattr(mcp, "Client", functools.partial(mcp.Client, mode="legacy"))
    yield from over(request.param)


@pytest_asyncio.fixture
async def tools(
    config: Configuration, tmp_path: Path, server: ServerConfig
) -> AsyncIterator[Tools]:
    async for made in tools_with(config, tmp_path, server):
        yield made


class PaysOnThePage:
    """Shown a URL question, pays on the "page" (the test's listener, which tells the server)
    and leaves the question unanswered, as a person who went to the browser would."""

    def __init__(self, page: socket.socket) -> None:
        self.asked: list[Question] = []
        self.withdrawn = False
        self._page = page

    async def ask(self, question: Question) -> Answer:
        self.asked.append(question)
        connection, _ = await asyncio.to_thread(self._page.accept)
        with connection:
            connection.sendall(b"paid")
        never: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        try:
            return await never  # never answered here
        except asyncio.CancelledError:
            self.withdrawn = True
            raise


async def test_a_question_done_on_the_web_page_is_withdrawn_and_the_call_goes_on(
    tools: Tools,
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as page:
        tools.asker = person = PaysOnThePage(page)
        token = CALLER.set(Caller(uuid.uuid4(), uuid.uuid4(), "call-1"))
        try:
            port = page.getsockname()[1]
            outcome = await tools.source("test").call("pay_elsewhere", {"port": port})
        finally:
            CALLER.reset(token)

    assert not outcome.is_error, outcome.text
    assert outcome.text == "accept"  # what the server was told
    [question] = person.asked
    assert (question.server, question.url, question.call_id) == ("test", PAY_URL, "call-1")
    assert person.withdrawn  # the person's question went away by itself
