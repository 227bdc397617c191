"""An answer followed from the core's events, as the API's streams follow it."""

from __future__ import annotations

import pytest

from chatdesk.api.following import Follower
from chatdesk.app import build_core
from chatdesk.configuration import configure
from chatdesk.core.chat.events import AnswerTextAppended, MessageFinished
from chatdesk.core.kinds import Status


@pytest.mark.asyncio
async def test_the_followed_text_is_the_answer_kept() -> None:
    core = build_core(configure())
    await core.start()
    try:
        with Follower(core.service.events) as follower:
            turn = await core.service.send_new("What does a write-ahead log buy a database?")
            pieces, finished = [], None
            async for event in follower.answer(turn.answer.id):
                if isinstance(event, AnswerTextAppended):
                    pieces.append(event.text)
                elif isinstance(event, MessageFinished):
                    finished = event.message
        assert finished is not None
        assert finished.status is Status.COMPLETE
        assert "".join(pieces) == finished.content
        kept = await core.service.get_message(turn.answer.id)
        assert kept.content == finished.content
    finally:
        await core.aclose()
