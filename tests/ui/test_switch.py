"""The window's service switch (chatdesk/ui/window/switch.py) over the real saved chats and
real temporary ones: each call goes to the service in use when it is made, and who follows the
events through the switch hears the temporary chats' too while they are used, then no more."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatdesk.app import build_core
from chatdesk.configuration import configure
from chatdesk.core.chat.events import Event, ThreadCreated
from chatdesk.core.views import ThreadFilter
from chatdesk.ui.window.switch import ServiceSwitch

pytestmark = pytest.mark.asyncio


async def test_calls_and_events_follow_the_service_in_use(chatdesk_home: Path) -> None:
    core = build_core(configure())
    await core.start()
    chats = await core.temporary(core.config.settings)
    try:
        switch = ServiceSwitch(core.service)
        heard: list[Event] = []
        stop = switch.events.subscribe(heard.append)
        saved = await switch.create_thread(title="Saved")
        switch.use(chats.service)
        temporary = await switch.create_thread(title="Temporary")
        switch.use(None)
        after = await switch.create_thread(title="Saved again")
        stop()
        await switch.create_thread(title="Not heard")

        everything = ThreadFilter(archived=None)
        on_disk = await core.service.list_threads(everything, limit=10, cursor=None)
        in_memory = await chats.service.list_threads(everything, limit=10, cursor=None)
        assert [t.title for t in on_disk.threads if t.title != "Not heard"] == [
            "Saved again",
            "Saved",
        ]
        assert [t.title for t in in_memory.threads] == ["Temporary"]
        made = [e.thread.id for e in heard if isinstance(e, ThreadCreated)]
        assert made == [saved.id, temporary.id, after.id]
        assert switch.as_service() is switch
        assert not switch.temporary
    finally:
        await chats.aclose()
        await core.aclose()
