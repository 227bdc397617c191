"""Search through the service's own writes: what a user sends, edits, renames and deletes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import text, update

from chatdesk.configuration import Configuration
from chatdesk.core.assembly import assemble
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.providers.base import ChatRequest, Finished, Providers, StreamEvent, TextDelta
from chatdesk.core.search import Ranking, Search, SearchFilters, SearchResults, plans
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store
from chatdesk.core.store.models import Message, Role
from tests.core.providers import ScriptedProvider

pytestmark = pytest.mark.asyncio


class Replies:
    """Answers a question with the text given for it; "Noted." otherwise, or the next of
    `drafts` when given (a regenerated answer differs from the first)."""

    name = "replies"

    def __init__(self, replies: dict[str, str], drafts: list[str] | None = None) -> None:
        self.replies = replies
        self.drafts = drafts or []

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        question = request.messages[-1].content
        answer = self.drafts.pop(0) if self.drafts else self.replies.get(question, "Noted.")
        yield TextDelta(answer)
        yield Finished()

    async def aclose(self) -> None:
        return None


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 1, 1, 9, tzinfo=UTC)

    def now(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


@pytest_asyncio.fixture
async def chat(store: Store, config: Configuration) -> AsyncIterator[ChatService]:
    replies = Replies(
        {
            "How do I set up an nginx reverse proxy?": "Use proxy_pass in a location block.",
            "Where is the café?": "The Café Lumière is on Rua Augusta.",
        }
    )
    service = assemble(store, Providers({"replies": replies}), config.settings, clock=Clock())
    yield service
    await service.aclose()


@pytest.fixture
def search(store: Store) -> Search:
    return Search(store)


async def ask(chat: ChatService, question: str, thread: uuid.UUID | None = None) -> uuid.UUID:
    """Send `question` (in a new thread unless given one), wait for the answer; the thread."""
    if thread is None:
        thread = (await chat.create_thread(provider="replies", model="r1")).id
    turn = await chat.send(thread, question)
    await chat.wait_for_answer(turn.answer.id)
    return thread


def texts(results: SearchResults) -> list[str]:
    return [hit.snippet.text for hit in results.messages]


def marked(results: SearchResults) -> list[str]:
    return [hit.snippet.marked("[", "]") for hit in results.messages]


def assert_index_matches_messages(store: Store) -> None:
    """FTS5's own check: every indexed row agrees with the text it was made from."""
    store.write_now(
        lambda session: session.execute(
            text("INSERT INTO search_messages(search_messages, rank) VALUES ('integrity-check', 1)")
        )
    )


# -- finding -------------------------------------------------------------------------------------


async def test_words_are_found_in_messages_and_titles(chat: ChatService, search: Search) -> None:
    thread = await ask(chat, "How do I set up an nginx reverse proxy?")
    await ask(chat, "Where is the café?")
    found = await search.search("nginx ")
    assert [hit.thread_id for hit in found.threads] == [thread]
    assert found.threads[0].title.marked("[", "]") == "How do I set up an [nginx] reverse proxy?"
    [hit] = found.messages
    assert (hit.thread_id, hit.role) == (thread, Role.USER)
    assert hit.thread_title == "How do I set up an nginx reverse proxy?"
    answer = (await search.search("proxy_pass ")).messages
    assert [(h.role, h.snippet.text) for h in answer] == [
        (Role.ASSISTANT, "Use proxy_pass in a location block.")
    ]
    assert (await search.search("kubernetes ")).messages == ()
    assert_index_matches_messages(chat._store)


async def test_snippets_mark_words_whatever_their_case_and_accents(
    chat: ChatService, search: Search
) -> None:
    await ask(chat, "Where is the café?")
    found = await search.search("CAFE ")
    assert sorted(marked(found)) == [
        "The [Café] Lumière is on Rua Augusta.",
        "Where is the [café]?",
    ]
    [hit] = [hit for hit in found.messages if hit.role is Role.ASSISTANT]
    start, end = hit.snippet.highlights[0]
    assert hit.snippet.text[start:end] == "Café"


async def test_characters_like_the_markers_stay_text(chat: ChatService, search: Search) -> None:
    odd = "þorn \ue000private\ue001 \ufffe marker words þ"
    await ask(chat, odd)
    [hit] = (await search.search("marker ")).messages
    assert hit.snippet.text == odd
    assert hit.snippet.marked("<", ">") == "þorn \ue000private\ue001 \ufffe <marker> words þ"


async def test_a_snippet_reads_as_text_without_the_markdown_around_it(
    chat: ChatService, search: Search
) -> None:
    quoted = (
        "> Reset the **boiler** with the `red button`\n"
        "## Then\n"
        "- see [the boiler manual](https://example.com/manual.pdf) for more"
    )
    await ask(chat, quoted)
    [hit] = (await search.search("boiler ")).messages
    assert hit.snippet.marked("[", "]") == (
        "Reset the [boiler] with the red button\nThen\nsee the [boiler] manual…"
    )  # cut where the snippet ends, inside the link: its address is left out all the same
    await ask(chat, "snake_case names and 2*3*4 stay as they are")
    [kept] = (await search.search("snake_case ")).messages
    assert kept.snippet.text == "snake_case names and 2*3*4 stay as they are"


async def test_the_best_match_ranks_first(chat: ChatService, search: Search) -> None:
    thread = await ask(chat, "a long message that mentions zebras once among many other words")
    await ask(chat, "zebras zebras zebras", thread)
    found = await search.search("zebras ")
    assert found.ranking is Ranking.RELEVANCE
    assert texts(found)[0] == "zebras zebras zebras"


async def test_a_broad_search_shows_the_newest_first(
    chat: ChatService, search: Search, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plans, "RANK_ALL", 3)
    thread = await ask(chat, "zebras zebras zebras first")
    for number in range(2, 6):
        await ask(chat, f"zebras again, number {number}", thread)
    found = await search.search("zebras ")
    assert found.ranking is Ranking.NEWEST
    assert texts(found)[:4] == [f"zebras again, number {n}" for n in (5, 4, 3, 2)]


async def test_very_common_words_must_match_but_do_not_rank(
    chat: ChatService, search: Search, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plans, "VERY_COMMON", 4)
    thread = await ask(chat, "the zebra and the other zebra and the last zebra")
    for question in (
        "the the the the the zebra",
        "a zebra without the article",
        "zebra zebra zebra, no article",
        "the end",
        "the start",
    ):
        await ask(chat, question, thread)
    found = await search.search("the zebra ")
    assert found.ranking is Ranking.RELEVANCE
    # "the" is in more than four messages: only "zebra" counts for the order
    assert texts(found) == [
        "the zebra and the other zebra and the last zebra",
        "a zebra without the article",
        "the the the the the zebra",
    ]
    assert marked(found)[2] == "[the] [the] [the] [the] [the] [zebra]"
    only_common = await search.search("the ")
    assert only_common.ranking is Ranking.RELEVANCE  # one word: its matches are counted


async def test_the_word_being_typed_is_completed(chat: ChatService, search: Search) -> None:
    await ask(chat, "kubernetes pods restart")
    typing = await search.search("kuber")
    assert typing.completed
    assert marked(typing) == ["[kubernetes] pods restart"]
    assert typing.threads[0].title.marked("[", "]") == "[kubernetes] pods restart"
    assert (await search.search("kuber ")).messages == ()  # a finished word is not completed
    # completed only while the words as typed find less than a page (here: of one)
    whole = await search.search("kubernetes", limit=1)
    assert not whole.completed
    assert texts(whole) == ["kubernetes pods restart"]


# -- filters -------------------------------------------------------------------------------------


async def test_project_pinned_archived_thread_and_role_filters(
    chat: ChatService, search: Search
) -> None:
    work = await chat.create_project("Work")
    filed = (await chat.create_thread(project_id=work.id, provider="replies", model="r1")).id
    await ask(chat, "invoice for march", filed)
    pinned = await ask(chat, "invoice for april")
    await chat.set_pinned(pinned, True)
    archived = await ask(chat, "invoice for may")
    await chat.set_archived(archived, True)

    async def threads(**filters: object) -> set[uuid.UUID]:
        found = await search.search("invoice ", filters=SearchFilters(**filters))  # type: ignore[arg-type]
        assert {hit.thread_id for hit in found.threads} <= {h.thread_id for h in found.messages}
        return {hit.thread_id for hit in found.messages}

    assert await threads() == {filed, pinned}  # archived threads only when asked for
    assert await threads(archived=True) == {archived}
    assert await threads(archived=None) == {filed, pinned, archived}
    assert await threads(project_id=work.id) == {filed}
    assert await threads(pinned=True) == {pinned}
    assert await threads(pinned=False, archived=None) == {filed, archived}
    assert await threads(thread_id=archived) == {archived}  # chosen, so archived or not
    assert await threads(thread_id=filed, pinned=True) == set()

    by_role = await search.search("invoice ", filters=SearchFilters(role=Role.ASSISTANT))
    assert by_role.messages == ()
    await ask(chat, "Where is the café?", filed)
    answers = await search.search("café ", filters=SearchFilters(role=Role.ASSISTANT))
    assert texts(answers) == ["The Café Lumière is on Rua Augusta."]
    assert answers.threads == ()  # titles have no role


async def test_date_range(chat: ChatService, search: Search, store: Store) -> None:
    thread = await ask(chat, "budget meeting notes")
    await ask(chat, "budget for travel", thread)
    day = datetime(2026, 3, 1, tzinfo=UTC)

    def backdate(session: object) -> None:
        for number, content in enumerate(("budget meeting notes", "budget for travel")):
            session.execute(  # type: ignore[attr-defined]
                update(Message)
                .where(Message.content == content)
                .values(created_at=day + timedelta(days=10 * number))
            )

    store.write_now(backdate)
    since = await search.search("budget ", filters=SearchFilters(since=day + timedelta(days=5)))
    assert texts(since) == ["budget for travel"]
    until = await search.search("budget ", filters=SearchFilters(until=day + timedelta(days=5)))
    assert texts(until) == ["budget meeting notes"]
    both = SearchFilters(since=day, until=day + timedelta(days=11))
    assert len((await search.search("budget ", filters=both)).messages) == 2
    with pytest.raises(InvalidRequest, match="time zone"):
        await search.search("budget", filters=SearchFilters(since=datetime(2026, 1, 1)))


# -- what changes --------------------------------------------------------------------------------


async def test_deleted_threads_are_hidden_until_restored(chat: ChatService, search: Search) -> None:
    thread = await ask(chat, "secret recipe for pancakes")
    await chat.delete_thread(thread)
    gone = await search.search("pancakes ", filters=SearchFilters(archived=None))
    assert (gone.messages, gone.threads) == ((), ())
    await chat.restore_thread(thread)
    back = await search.search("pancakes ")
    assert [hit.thread_id for hit in back.messages] == [thread]
    assert [hit.thread_id for hit in back.threads] == [thread]


async def test_renames_and_deleted_messages_are_reflected(
    chat: ChatService, search: Search
) -> None:
    thread = await ask(chat, "first question about gardening")
    await chat.rename_thread(thread, "Tomatoes")
    assert (await search.search("gardening ")).threads == ()
    assert [h.thread_id for h in (await search.search("tomatoes ")).threads] == [thread]
    [question] = (await search.search("gardening ")).messages
    await chat.delete_message(question.message_id)  # and its answer
    assert (await search.search("gardening ")).messages == ()
    assert (await search.search("noted ")).messages == ()
    assert_index_matches_messages(chat._store)


async def test_edited_and_regenerated_messages_are_found_beside_the_originals(
    store: Store, config: Configuration, search: Search
) -> None:
    replies = Replies({}, drafts=["first draft about owls", "second draft about owls"])
    chat = assemble(store, Providers({"replies": replies}), config.settings, clock=Clock())
    thread = await ask(chat, "tell me about owls")
    [answer] = (await search.search("draft ")).messages
    turn = await chat.regenerate(answer.message_id)
    await chat.wait_for_answer(turn.answer.id)
    assert sorted(texts(await search.search("draft "))) == [
        "first draft about owls",
        "second draft about owls",
    ]
    [question] = (await search.search("tell ")).messages
    edited = await chat.edit_message(question.message_id, "tell me about barn owls")
    await chat.wait_for_answer(edited.answer.id)
    found = await search.search("tell me about ")
    assert sorted(texts(found)) == ["tell me about barn owls", "tell me about owls"]
    # a hit on the branch that is not shown: switching to it shows the message
    [old] = [hit for hit in found.messages if hit.snippet.text == "tell me about owls"]
    shown = await chat.switch_branch(old.message_id)
    page = await chat.list_messages(thread)
    assert old.message_id in [message.id for message in page.messages]
    assert shown.id == thread
    await chat.aclose()
    assert_index_matches_messages(store)


async def test_an_answer_is_found_once_it_has_ended(
    store: Store, config: Configuration, search: Search
) -> None:
    words = ["partial ", "streaming ", "answer ", "text ", "finally ", "complete"]
    scripted = ScriptedProvider(words, hold_after=3)
    chat = assemble(store, Providers({"scripted": scripted}), config.settings)
    thread = (await chat.create_thread(provider="scripted", model="s1")).id
    turn = await chat.send(thread, "go")
    await scripted.held.wait()
    # The first flush follows the first token at once; a write queued after it waits for it.
    while "partial" not in (await chat.get_message(turn.answer.id)).content:
        await store.write(lambda session: None)
    assert (await search.search("partial ")).messages == ()
    scripted.gate.set()
    await chat.wait_for_answer(turn.answer.id)
    assert texts(await search.search("partial ")) == [
        "partial streaming answer text finally complete"
    ]
    await chat.aclose()
    assert_index_matches_messages(store)


async def test_a_continued_answer_is_indexed_once_with_all_its_text(
    store: Store, config: Configuration, search: Search
) -> None:
    scripted = ScriptedProvider(["stopped ", "halfway ", "never shown"], hold_after=2)
    chat = assemble(store, Providers({"scripted": scripted}), config.settings)
    thread = (await chat.create_thread(provider="scripted", model="s1")).id
    turn = await chat.send(thread, "go")
    await scripted.held.wait()
    stopped = await chat.stop(turn.answer.id)
    assert texts(await search.search("halfway ")) == [stopped.content]
    scripted.tokens, scripted.hold_after = ["and ", "then ", "resumed"], None
    continued = await chat.continue_answer(turn.answer.id)
    await chat.wait_for_answer(continued.answer.id)
    [hit] = (await search.search("halfway ")).messages
    assert hit.snippet.text.endswith("resumed")
    assert texts(await search.search("resumed ")) == [hit.snippet.text]
    await chat.aclose()
    assert_index_matches_messages(store)


# -- asking --------------------------------------------------------------------------------------


async def test_text_that_is_not_a_word_finds_nothing(chat: ChatService, search: Search) -> None:
    await ask(chat, "Where is the café?")
    for nothing in ("", "   ", "-- ** ()", "🎉🎉"):
        found = await search.search(nothing)
        assert (found.messages, found.threads) == ((), ())


async def test_syntax_is_text_unless_advanced(chat: ChatService, search: Search) -> None:
    thread = await ask(chat, 'we said "NOT" or (maybe) C++ -O2: keep it')
    await ask(chat, "say no more", thread)
    await ask(chat, "say maybe", thread)
    assert len((await search.search('"NOT" (maybe) C++ -O2: ')).messages) == 1
    assert len((await search.search("NOT OR AND NEAR ")).messages) == 0
    assert texts(await search.search("say NOT maybe", advanced=True)) == ["say no more"]
    assert len((await search.search("say OR keep", advanced=True)).messages) == 3
    with pytest.raises(InvalidRequest, match="unterminated string"):
        await search.search('"say', advanced=True)
    with pytest.raises(InvalidRequest, match="syntax error"):
        await search.search("say AND", advanced=True)
    with pytest.raises(InvalidRequest, match="cannot start with"):
        await search.search("*reads", advanced=True)


async def test_limits(chat: ChatService, search: Search) -> None:
    thread = await ask(chat, "apple one")
    for number in range(2, 6):
        await ask(chat, f"apple {number}", thread)
    assert len((await search.search("apple ", limit=2)).messages) == 2
    for wrong in (0, 10_000):
        with pytest.raises(InvalidRequest, match="limit"):
            await search.search("apple", limit=wrong)
