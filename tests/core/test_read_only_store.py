"""A store opened read-only (the data folder could not be written at start): it reads every
chat without writing a byte, and opens for writing by itself once the folder can be written.
Here the folder can be written all along, as after the user freed space; the real full disk
and read-only drive, and the refusals, are in tests/e2e/test_read_only.py (Linux)."""

from __future__ import annotations

import pytest

from chatdesk.configuration import Configuration
from chatdesk.core.assembly import assemble
from chatdesk.core.kinds import Status
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.store.access import WriteBlocked, write_blocked
from chatdesk.core.store.database_file import examine
from chatdesk.core.store.opening import open_store
from chatdesk.core.store.read_only import open_read_only

BLOCKED = WriteBlocked(
    "full", "The disk that holds your chats (here) is full (0 B free)", "Free space."
)


def _one_chat(config: Configuration) -> None:
    store = open_store(config.paths, config.settings)
    try:
        store.write_now(lambda session: None)  # the schema is there
    finally:
        store.close()


def test_a_writable_folder_blocks_nothing(config: Configuration) -> None:
    config.paths.data_dir.mkdir(parents=True, exist_ok=True)
    assert write_blocked(config.paths.data_dir) is None
    assert list(config.paths.data_dir.iterdir()) == []  # the probe file is gone


@pytest.mark.asyncio
async def test_a_read_only_store_reads_and_resumes_writing_by_itself(
    config: Configuration,
) -> None:
    _one_chat(config)
    writable = open_store(config.paths, config.settings)
    service = assemble(writable, _providers(config), config.settings)
    thread = await service.create_thread(title="kept")
    await service.aclose()
    writable.close()

    store = open_read_only(config.paths, config.settings, BLOCKED, examine(config.paths.database))
    reader = assemble(store, _providers(config), config.settings)
    try:
        assert not store.instance.held  # no lock file was written
        assert not list(config.paths.run_dir.glob("*.lock"))
        assert [t.title for t in (await reader.list_threads()).threads] == ["kept"]
        assert reader.saving_blocked == BLOCKED.message
        # The folder can be written now (the user freed space): the next write opens the
        # database for writing first, then goes through.
        turn = await reader.send(thread.id, "written once it could be")
        assert store.blocked is None
        assert reader.saving_blocked is None
        assert store.instance.held
        answer = await reader.wait_for_answer(turn.answer.id)
        assert answer.status is Status.COMPLETE
    finally:
        await reader.aclose()
        store.close()


def _providers(config: Configuration) -> Providers:
    return Providers({"mock": MockProvider(config.settings.mock)})
