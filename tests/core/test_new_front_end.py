"""A front-end to come, written as the local API will be (decision 0032): it takes the core the
composition root builds and drives it through the surface alone. Its imports are held to the
rule the window, the command line and the local API are held to (chatdesk/core/surface.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from chatdesk.app import build_core
from chatdesk.configuration import configure
from chatdesk.core.kinds import Role, Status
from chatdesk.core.surface import SURFACE


@pytest.mark.asyncio
async def test_a_new_front_end_drives_the_core_through_the_surface_alone() -> None:
    core = build_core(configure())
    await core.start()
    try:
        turn = await core.service.send_new("What does write-ahead logging buy a database?")
        answer = await core.service.wait_for_answer(turn.answer.id)
        assert answer.status is Status.COMPLETE
        assert answer.content
        page = await core.service.list_messages(answer.thread_id)
        assert [m.role for m in page.messages] == [Role.USER, Role.ASSISTANT]
        found = await core.search.search("logging")
        assert page.messages[0].id in [hit.message_id for hit in found.messages]
        assert await core.service.assistants.list()  # the built-in ones
    finally:
        await core.aclose()


def test_this_front_end_imports_nothing_behind_the_surface() -> None:
    imported = {
        node.module
        for node in ast.walk(ast.parse(Path(__file__).read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    core = {m for m in imported if m.startswith("chatdesk.core.")}
    assert "chatdesk.app" in imported  # the core comes from the composition root
    assert core - {"chatdesk.core.surface"} <= set(SURFACE)
