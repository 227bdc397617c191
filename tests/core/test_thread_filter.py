"""`ThreadFilter(text=...)`: a title search that runs in SQL, so it finds threads not loaded yet."""

from __future__ import annotations

import pytest

from chatdesk.core.service import ChatService
from chatdesk.core.views import ThreadFilter

pytestmark = pytest.mark.asyncio


async def titles(service: ChatService, where: ThreadFilter, limit: int = 100) -> list[str]:
    page = await service.list_threads(where, limit=limit)
    return sorted(thread.title for thread in page.threads)


async def test_text_matches_a_title_substring_ignoring_case(service: ChatService) -> None:
    for title in ("Budget for 2025", "Holiday plans", "BUDGET review", "Groceries"):
        await service.create_thread(title=title)

    assert await titles(service, ThreadFilter(text="budget")) == [
        "BUDGET review",
        "Budget for 2025",
    ]
    assert await titles(service, ThreadFilter(text="LiDa")) == ["Holiday plans"]
    assert await titles(service, ThreadFilter(text="nothing like it")) == []


async def test_like_wildcards_in_the_text_are_taken_literally(service: ChatService) -> None:
    for title in ("100% sure", "1000 ways", "snake_case names", "snakeXcase", r"C:\temp"):
        await service.create_thread(title=title)

    assert await titles(service, ThreadFilter(text="100%")) == ["100% sure"]
    assert await titles(service, ThreadFilter(text="e_c")) == ["snake_case names"]
    assert await titles(service, ThreadFilter(text="%")) == ["100% sure"]
    assert await titles(service, ThreadFilter(text="\\t")) == [r"C:\temp"]


async def test_text_combines_with_the_other_conditions_and_pages(service: ChatService) -> None:
    project = await service.create_project("Work")
    for n in range(5):
        await service.create_thread(title=f"report {n}", project_id=project.id)
    loose = await service.create_thread(title="report loose")
    archived = await service.create_thread(title="report archived")
    await service.set_archived(archived.id, True)

    in_project = ThreadFilter(project_id=project.id, text="REPORT")
    assert len(await titles(service, in_project)) == 5
    assert await titles(service, ThreadFilter(only_unfiled=True, text="report")) == [loose.title]
    assert await titles(service, ThreadFilter(archived=True, text="report")) == [archived.title]

    first = await service.list_threads(in_project, limit=3)
    rest = await service.list_threads(in_project, limit=3, cursor=first.next_cursor)
    assert rest.next_cursor is None
    assert len({t.id for t in first.threads + rest.threads}) == 5


async def test_empty_text_filters_nothing(service: ChatService) -> None:
    await service.create_thread(title="one")
    await service.create_thread(title="two")
    assert await titles(service, ThreadFilter(text="")) == ["one", "two"]
