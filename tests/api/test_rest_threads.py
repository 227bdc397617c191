"""chatdesk's own API, /api/v1/threads, called over a real socket: what a script that keeps
its chats in chatdesk does with them, and what the window then shows."""

from __future__ import annotations

import uuid

import httpx2 as httpx
import pytest

from chatdesk.core.views import ThreadFilter
from tests.api.conftest import Served

pytestmark = pytest.mark.asyncio


async def test_a_thread_made_through_the_api_is_marked_and_reads_back(served: Served) -> None:
    project = await served.core.service.create_project("Scripts")
    tutor = next(a for a in await served.core.service.assistants.list() if a.name == "Tutor")
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        made = await client.post(
            "/api/v1/threads",
            json={
                "title": "Nightly report",
                "project_id": str(project.id),
                "assistant_id": str(tutor.id),
                "model": "mock-2",
            },
        )
        read = await client.get(f"/api/v1/threads/{made.json()['id']}")
    assert made.status_code == 201
    body = read.json()
    assert (body["title"], body["origin"], body["model"]) == ("Nightly report", "api", "mock-2")
    assert (body["project_id"], body["assistant_id"]) == (str(project.id), str(tutor.id))
    kept = await served.core.service.get_thread(uuid.UUID(body["id"]))
    assert (kept.origin, kept.assistant_id, kept.project_id) == ("api", tutor.id, project.id)


async def test_an_unknown_assistant_makes_no_thread(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        reply = await client.post("/api/v1/threads", json={"assistant_id": str(uuid.uuid4())})
    assert reply.status_code == 404
    assert (await served.core.service.list_threads()).threads == ()


async def test_threads_are_listed_a_page_at_a_time_newest_first(served: Served) -> None:
    service = served.core.service
    made = [await service.create_thread(title=f"Chat {n}") for n in range(5)]
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        first = (await client.get("/api/v1/threads", params={"limit": 2})).json()
        after = {"limit": 2, "cursor": first["next_cursor"]}
        second = (await client.get("/api/v1/threads", params=after)).json()
        after = {"limit": 2, "cursor": second["next_cursor"]}
        rest = (await client.get("/api/v1/threads", params=after)).json()
        too_many = await client.get("/api/v1/threads", params={"limit": 500})
    titles = [t["title"] for page in (first, second, rest) for t in page["threads"]]
    assert titles == [t.title for t in reversed(made)]
    assert rest["next_cursor"] is None
    assert too_many.status_code == 422


async def test_the_list_filters_by_project_pinned_archived_and_trash(served: Served) -> None:
    service = served.core.service
    project = await service.create_project("Work")
    filed = await service.create_thread(title="Filed", project_id=project.id)
    pinned = await service.set_pinned((await service.create_thread(title="Pinned")).id, True)
    archived = await service.set_archived((await service.create_thread(title="Old")).id, True)
    binned = await service.create_thread(title="Binned")
    await service.delete_thread(binned.id)

    async def titles(client: httpx.AsyncClient, **params: str) -> list[str]:
        reply = await client.get("/api/v1/threads", params=params)
        return [t["title"] for t in reply.json()["threads"]]

    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        projects = (await client.get("/api/v1/projects")).json()
        assert [(p["id"], p["name"]) for p in projects] == [(str(project.id), "Work")]
        assert await titles(client) == [pinned.title, filed.title]
        assert await titles(client, project_id=str(project.id)) == ["Filed"]
        assert await titles(client, pinned="true") == ["Pinned"]
        assert await titles(client, archived="true") == [archived.title]
        assert await titles(client, trash="true") == ["Binned"]


async def test_patch_changes_only_the_fields_given(served: Served) -> None:
    service = served.core.service
    project = await service.create_project("Home")
    tutor = next(a for a in await service.assistants.list() if a.name == "Tutor")
    thread = await service.create_thread(title="Draft", project_id=project.id)
    url = f"/api/v1/threads/{thread.id}"
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        renamed = (await client.patch(url, json={"title": "Plans", "pinned": True})).json()
        assisted = (await client.patch(url, json={"assistant_id": str(tutor.id)})).json()
        unfiled = (await client.patch(url, json={"project_id": None, "archived": True})).json()
        empty_title = await client.patch(url, json={"title": "   "})
    assert (renamed["title"], renamed["pinned"], renamed["project_id"]) == (
        "Plans",
        True,
        str(project.id),
    )
    assert assisted["assistant_id"] == str(tutor.id)
    assert assisted["title"] == "Plans"
    assert (unfiled["project_id"], unfiled["archived"], unfiled["pinned"]) == (None, True, True)
    assert empty_title.status_code == 422  # the schema says a title has a character
    kept = await service.get_thread(thread.id)
    assert (kept.title, kept.pinned, kept.archived, kept.project_id) == ("Plans", True, True, None)
    assert kept.assistant_id == tutor.id


async def test_delete_moves_to_the_trash_and_restore_brings_it_back(served: Served) -> None:
    service = served.core.service
    thread = await service.create_thread(title="Keep me")
    url = f"/api/v1/threads/{thread.id}"
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        deleted = await client.delete(url)
        in_trash = (await service.list_threads(ThreadFilter(deleted=True))).threads
        listed = (await client.get("/api/v1/threads", params={"trash": True})).json()
        gone = [(await client.get(url + tail)).status_code for tail in ("", "/messages")]
        restored = await client.post(f"{url}/restore")
    assert deleted.status_code == 204
    assert [t.id for t in in_trash] == [thread.id]
    assert [t["deleted"] for t in listed["threads"]] == [True]
    assert gone == [404, 404]  # in the trash, it is gone but from the trash's list
    assert restored.status_code == 200
    assert restored.json()["deleted"] is False
    assert [t.id for t in (await service.list_threads()).threads] == [thread.id]


async def test_a_thread_that_does_not_exist_is_404_in_openai_shape(served: Served) -> None:
    missing = uuid.uuid4()
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers) as client:
        replies = [
            await client.get(f"/api/v1/threads/{missing}"),
            await client.patch(f"/api/v1/threads/{missing}", json={"pinned": True}),
            await client.delete(f"/api/v1/threads/{missing}"),
            await client.get(f"/api/v1/threads/{missing}/messages"),
            await client.post(f"/api/v1/threads/{missing}/messages", json={"content": "hi"}),
            await client.get(f"/api/v1/threads/{missing}/summaries"),
            await client.get(f"/api/v1/threads/{missing}/usage"),
        ]
        not_an_id = await client.get("/api/v1/threads/not-an-id")
    assert [r.status_code for r in replies] == [404] * len(replies)
    assert all(r.json()["error"]["type"] == "not_found_error" for r in replies)
    assert not_an_id.status_code == 422


async def test_the_routes_need_the_key(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url) as client:
        listed = await client.get("/api/v1/threads")
        made = await client.post("/api/v1/threads", json={"title": "sneaky"})
    assert (listed.status_code, made.status_code) == (401, 401)
    assert (await served.core.service.list_threads()).threads == ()
