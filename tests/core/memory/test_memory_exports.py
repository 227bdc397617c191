"""Memories in exports: none unless asked for, in any format, not even which memories an answer
was given; asked for, a JSON thread or a zip of everything holds them as a memories file does,
and importing it keeps them (once) in the other database."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from chatdesk.configuration import Configuration
from chatdesk.core.assembly import assemble
from chatdesk.core.attach.worker import Reader
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.memory.service import Memories
from chatdesk.core.paths import Paths
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store, open_store
from chatdesk.core.transfer import ExportFormat, Transfer

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes

GIVEN = "My cat is called Turing"  # given with the question, so the answer says it too
KEPT_ONLY = "My passport number is QX-481-ZEBRA"  # never in a chat: only a memories export


def memory_of(service: ChatService) -> Memories:
    assert service.memory is not None
    return service.memory


@dataclass
class Elsewhere:
    """A second chatdesk with an empty database: its service, and its transfer."""

    service: ChatService
    store: Store
    reader: Reader

    @property
    def memory(self) -> Memories:
        return memory_of(self.service)

    def transfer(self) -> Transfer:
        return Transfer(self.store, self.reader, memories=self.memory)


@pytest_asyncio.fixture
async def elsewhere(
    tmp_path: Path, config: Configuration, reader: Reader
) -> AsyncIterator[Elsewhere]:
    root = tmp_path / "elsewhere"
    paths = Paths(root / "data", root / "config", root / "log", root / "cache")
    store = open_store(paths, config.settings)
    mock = Providers({"mock": MockProvider(config.settings.mock)})
    service = assemble(store, mock, config.settings)
    yield Elsewhere(service, store, reader)
    await service.aclose()
    store.close()


async def _chat_given_a_memory(service: ChatService) -> Any:
    memory = memory_of(service)
    cat = await memory.add(GIVEN)
    await memory.add(KEPT_ONLY, always=False)
    turn = await service.send_new("What is my cat called?")
    answer = await service.wait_for_answer(turn.answer.id)
    assert answer.memories == (cat.id,)  # recorded on the answer, on this computer
    return answer


async def test_no_export_holds_memories_unless_asked(
    service: ChatService, store: Store, tmp_path: Path, reader: Reader
) -> None:
    answer = await _chat_given_a_memory(service)
    transfer = Transfer(store, reader, memories=service.memory)
    files = {}
    for format in ExportFormat:
        files[format.value] = tmp_path / f"chat.{format.value}"
        await transfer.export_thread(answer.thread_id, format, files[format.value])
    await transfer.export_all(tmp_path / "everything.zip")

    texts = {name: path.read_text(encoding="utf-8") for name, path in files.items()}
    with zipfile.ZipFile(tmp_path / "everything.zip") as zipped:
        texts |= {name: zipped.read(name).decode() for name in zipped.namelist()}
    for name, text in texts.items():
        assert "Turing" in text or name == "manifest.json"  # the chat itself is exported
        assert "QX-481-ZEBRA" not in text, name
        assert '"memories"' not in text, name  # neither the memories nor those it was given
    document = json.loads(texts["json"])
    assert all("memories" not in message for message in document["messages"])


async def test_memories_asked_for_go_with_a_thread_and_come_back_once(
    service: ChatService, store: Store, tmp_path: Path, elsewhere: Elsewhere, reader: Reader
) -> None:
    answer = await _chat_given_a_memory(service)
    target = tmp_path / "chat.json"
    transfer = Transfer(store, reader, memories=service.memory)
    await transfer.export_thread(answer.thread_id, ExportFormat.JSON, target, memories=True)

    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["memories"] == await memory_of(service).entries()
    assert all("memories" not in message for message in document["messages"])

    report = await elsewhere.transfer().import_file(target)
    assert report.threads_added == 1
    assert report.memories is not None
    assert (report.memories.added, report.memories.already) == (2, 0)
    kept = await elsewhere.memory.list()
    assert sorted(m.text for m in kept) == sorted([GIVEN, KEPT_ONLY])
    assert {m.origin for m in kept} == {"import"}
    with sqlite3.connect(f"file:{elsewhere.store.path}?mode=ro", uri=True) as connection:
        recorded = connection.execute(
            "SELECT memories FROM messages WHERE id = ?", (answer.id.hex,)
        ).fetchall()
    assert recorded == [(None,)]  # another computer's memory numbers are not these

    again = await elsewhere.transfer().import_file(target)
    assert again.memories is not None
    assert (again.memories.added, again.memories.already) == (0, 2)


async def test_memories_asked_for_go_with_everything_and_come_back(
    service: ChatService, store: Store, tmp_path: Path, elsewhere: Elsewhere, reader: Reader
) -> None:
    await _chat_given_a_memory(service)
    target = tmp_path / "everything.zip"
    await Transfer(store, reader, memories=service.memory).export_all(target, memories=True)
    with zipfile.ZipFile(target) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
    assert manifest["memories"] == await memory_of(service).entries()

    report = await elsewhere.transfer().import_file(target)
    assert report.memories is not None
    assert report.memories.added == 2
    assert sorted(m.text for m in await elsewhere.memory.list()) == sorted([GIVEN, KEPT_ONLY])


async def test_an_import_without_memories_keeps_none(
    service: ChatService, store: Store, tmp_path: Path, elsewhere: Elsewhere, reader: Reader
) -> None:
    answer = await _chat_given_a_memory(service)
    target = tmp_path / "chat.json"
    await Transfer(store, reader, memories=service.memory).export_thread(
        answer.thread_id, ExportFormat.JSON, target
    )
    report = await elsewhere.transfer().import_file(target)
    assert report.threads_added == 1
    assert report.memories is None
    assert await elsewhere.memory.list() == []


async def test_memories_are_refused_in_a_readable_export(
    service: ChatService, store: Store, tmp_path: Path, reader: Reader
) -> None:
    answer = await _chat_given_a_memory(service)
    transfer = Transfer(store, reader, memories=service.memory)
    for format in (ExportFormat.MARKDOWN, ExportFormat.HTML):
        with pytest.raises(InvalidRequest, match="only into a JSON export"):
            await transfer.export_thread(
                answer.thread_id, format, tmp_path / "chat.out", memories=True
            )
    assert not (tmp_path / "chat.out").exists()
