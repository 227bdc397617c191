"""A canary API key, used for real, must appear in no file chatdesk writes: settings, profiles,
database (and its WAL), logs at DEBUG with message text, backups."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.app import build_core
from chatdesk.configuration import configure
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.store.models import Status
from tests.core.sse_server import FakeOpenAI, error_reply, text_reply

CANARY = "sk-canary-7b3e19d4c2a85f60"
ENV_CANARY = "env-canary-0c4d2e9f81b7"


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(("canary-model",), key=CANARY).start()
    yield fake
    fake.close()


@pytest.mark.asyncio
async def test_a_used_key_is_written_nowhere(
    server: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATDESK_LOGGING_LEVEL", "DEBUG")
    monkeypatch.setenv("CHATDESK_LOGGING_LOG_MESSAGE_TEXT", "true")
    monkeypatch.setenv("OPENAI_API_KEY", ENV_CANARY)
    core = build_core(configure())
    await core.start()
    try:
        profile = ProviderProfile("canary", server.url, default_model="canary-model")
        await core.profiles.save(profile, key=CANARY)
        service = core.service
        thread = await service.create_thread(provider="canary", model="canary-model")
        turn = await service.send(thread.id, "hello")
        answer = await service.wait_for_answer(turn.answer.id)
        assert answer.status is Status.COMPLETE  # the key really was used

        # A server that echoes the key back in an error, and a bug that logs it.
        server.queue(error_reply(500, f"upstream rejected {CANARY}"), text_reply("ok"))
        turn = await service.send(thread.id, "again")
        await service.wait_for_answer(turn.answer.id)
        logging.getLogger("chatdesk.provider").error("unexpected: key=%s", CANARY)
        logging.getLogger("chatdesk.provider").debug("Authorization: Bearer %s", ENV_CANARY)
        await core.backups.back_up_now()
    finally:
        await core.aclose()
    for handler in logging.getLogger("chatdesk").handlers:
        handler.flush()
    written = _files(tmp_path)
    assert any(path.name.endswith(".log") for path in written)
    assert any(path.suffix == ".db" and "backups" in path.parts for path in written)
    for canary in (CANARY, ENV_CANARY):
        assert [path for path in written if canary.encode() in path.read_bytes()] == []


def _files(root: Path) -> list[Path]:
    return [Path(folder, name) for folder, _, names in os.walk(root) for name in names]
