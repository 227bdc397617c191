from __future__ import annotations

import pytest

from chatdesk.core.chat.events import (
    Event,
    ProjectCreated,
    ThreadCreated,
    ThreadDeleted,
    ThreadRestored,
    ThreadUpdated,
)
from chatdesk.core.errors import InvalidRequest, NotFound
from chatdesk.core.service import ChatService
from chatdesk.core.views import ProjectSettings, ThreadFilter

pytestmark = pytest.mark.asyncio


async def test_projects_create_rename_configure_delete(service: ChatService) -> None:
    seen: list[Event] = []
    service.events.subscribe(seen.append)
    project = await service.create_project("  Work  stuff ")
    assert project.name == "Work stuff"
    project = await service.rename_project(project.id, "Work")
    project = await service.update_project(
        project.id, system_prompt="Be terse.", default_model="mock-1"
    )
    assert (project.name, project.system_prompt, project.default_model) == (
        "Work",
        "Be terse.",
        "mock-1",
    )
    thread = await service.create_thread(project_id=project.id)
    await service.delete_project(project.id)
    assert await service.list_projects() == []
    assert (await service.get_thread(thread.id)).project_id is None  # the thread stays
    assert isinstance(seen[0], ProjectCreated)
    with pytest.raises(InvalidRequest):
        await service.create_project("   ")


async def test_a_projects_dialog_is_saved_whole_or_not_at_all(service: ChatService) -> None:
    tutor = next(a for a in await service.assistants.list() if a.name == "Tutor")
    garage = await service.knowledge.create("Garage")
    seen: list[Event] = []
    service.events.subscribe(seen.append)
    chosen = ProjectSettings(
        " Car ", "Be brief.", "mock", "mock-1", ("chatdesk",), tutor.id, (garage.id,)
    )
    project = await service.save_project(None, chosen)
    assert (project.name, project.system_prompt, project.default_model) == (
        "Car",
        "Be brief.",
        "mock-1",
    )
    assert (project.tools, project.default_assistant_id) == (("chatdesk",), tutor.id)
    assert await service.knowledge.links("project_id", project.id) == [garage.id]
    assert [type(e).__name__ for e in seen] == ["ProjectCreated", "KnowledgeChanged"]

    await service.knowledge.delete(garage.id)  # gone while the dialog was open
    renamed = ProjectSettings("Bike", assistant_id=tutor.id, knowledge=(garage.id,))
    with pytest.raises(NotFound):
        await service.save_project(project.id, renamed)
    [kept] = await service.list_projects()
    assert kept == project  # nothing of the failed save was written

    await service.save_project(project.id, ProjectSettings("Bike"))
    [cleared] = await service.list_projects()
    assert (cleared.name, cleared.system_prompt, cleared.tools) == ("Bike", None, ())
    assert cleared.default_assistant_id is None
    assert await service.knowledge.links("project_id", project.id) == []


async def test_project_prompt_reaches_the_provider_and_last_chat_is_kept(
    service: ChatService,
) -> None:
    project = await service.create_project("P", system_prompt="Answer like a pirate.")
    thread = await service.create_thread(project_id=project.id)
    turn = await service.send(thread.id, "hello")
    await service.wait_for_answer(turn.answer.id)
    [project] = await service.list_projects()
    assert project.last_chat_at is not None
    assert project.total_tokens > 0


async def test_thread_flags_rename_move_and_trash(service: ChatService) -> None:
    seen: list[Event] = []
    service.events.subscribe(seen.append)
    thread = await service.create_thread()
    assert thread.title == "New chat"
    assert not thread.title_set_by_user
    thread = await service.rename_thread(thread.id, "Trip to Lisbon")
    assert thread.title == "Trip to Lisbon"
    assert thread.title_set_by_user
    assert (await service.set_pinned(thread.id, True)).pinned
    assert (await service.set_archived(thread.id, True)).archived
    project = await service.create_project("Travel")
    assert (await service.move_thread(thread.id, project.id)).project_id == project.id
    with pytest.raises(NotFound):
        await service.move_thread(thread.id, project.id.__class__(int=1))
    await service.delete_thread(thread.id)
    assert (await service.list_threads(ThreadFilter(archived=None))).threads == ()
    trash = await service.list_threads(ThreadFilter(archived=None, deleted=True))
    assert [t.id for t in trash.threads] == [thread.id]
    restored = await service.restore_thread(thread.id)
    assert restored.deleted_at is None
    assert restored.title == "Trip to Lisbon"
    kinds = [type(event) for event in seen]
    assert kinds.count(ThreadUpdated) >= 4
    assert ThreadCreated in kinds
    assert ThreadDeleted in kinds
    assert ThreadRestored in kinds


async def test_thread_list_pages_by_recency_with_filters(service: ChatService) -> None:
    made = [await service.create_thread(title=f"t{i}") for i in range(7)]
    await service.set_pinned(made[2].id, True)
    await service.set_archived(made[3].id, True)
    project = await service.create_project("P")
    await service.move_thread(made[4].id, project.id)

    seen, cursor = [], None
    while True:
        page = await service.list_threads(limit=2, cursor=cursor)
        seen.extend(page.threads)
        cursor = page.next_cursor
        if cursor is None:
            break
    expected = [t.id for t in reversed(made) if t.id != made[3].id]
    assert [t.id for t in seen] == expected  # newest first, archived left out
    pinned = await service.list_threads(ThreadFilter(pinned=True))
    assert [t.id for t in pinned.threads] == [made[2].id]
    archived = await service.list_threads(ThreadFilter(archived=True))
    assert [t.id for t in archived.threads] == [made[3].id]
    in_project = await service.list_threads(ThreadFilter(project_id=project.id))
    assert [t.id for t in in_project.threads] == [made[4].id]
    with pytest.raises(InvalidRequest):
        await service.list_threads(cursor="not-a-cursor!")


async def test_sending_moves_a_thread_to_the_top(service: ChatService) -> None:
    old = await service.create_thread(title="old")
    await service.create_thread(title="new")
    turn = await service.send(old.id, "bump")
    await service.wait_for_answer(turn.answer.id)
    page = await service.list_threads()
    assert page.threads[0].id == old.id


async def test_thread_ids_resolve_from_prefixes(service: ChatService) -> None:
    thread = await service.create_thread()
    assert await service.resolve_thread(thread.id.hex[:10]) == thread.id
    assert await service.resolve_thread(str(thread.id)) == thread.id
    with pytest.raises(NotFound):
        await service.resolve_thread("zzzz")
    with pytest.raises(NotFound):
        await service.resolve_thread("ffffffffffff")


async def test_a_thread_made_through_the_api_reads_back_with_its_origin(
    service: ChatService,
) -> None:
    made = await service.create_thread(title="From a script", origin="api")
    turn = await service.send_new("hello from curl", origin="api")
    here = await service.create_thread(title="In the window")
    await service.wait_for_answer(turn.answer.id)
    assert (await service.get_thread(made.id)).origin == "api"
    assert (await service.get_thread(turn.answer.thread_id)).origin == "api"
    assert (await service.get_thread(here.id)).origin is None
    listed = {t.id: t.origin for t in (await service.list_threads()).threads}
    assert listed[made.id] == listed[turn.answer.thread_id] == "api"
