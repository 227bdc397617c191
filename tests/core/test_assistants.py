"""Assistants over a real SQLite file and a real OpenAI-compatible server on 127.0.0.1: what
a chat started with one sends (its system prompt, model, temperature, answer length), what each
answer records, what a project's default does, and the assistant file as untrusted input."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import pytest_asyncio

from chatdesk.configuration import configure
from chatdesk.core import i18n
from chatdesk.core.assembly import assemble
from chatdesk.core.assistants.model import AssistantFields
from chatdesk.core.attach.worker import Reader
from chatdesk.core.errors import InvalidRequest, NotFound
from chatdesk.core.paths import Paths
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.mock import MockProvider
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store, open_store
from chatdesk.core.transfer import ExportFormat, Transfer
from tests.conftest import ServiceFactory
from tests.core.sse_server import FakeOpenAI, text_reply

pytestmark = pytest.mark.asyncio
BUILT_IN = ["Careful writer", "Code reviewer", "Summariser", "Translator", "Tutor"]


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(("general-model", "review-model")).start()
    yield fake
    fake.close()


@pytest_asyncio.fixture
async def remote(server: FakeOpenAI) -> AsyncIterator[OpenAICompatibleProvider]:
    provider = OpenAICompatibleProvider(
        ProviderProfile("remote", server.url, default_model="general-model")
    )
    yield provider
    await provider.aclose()


@pytest_asyncio.fixture
async def on_remote(make_service: ServiceFactory, remote: OpenAICompatibleProvider) -> ChatService:
    return make_service(remote=remote)


REVIEWER = AssistantFields(
    name="Strict reviewer",
    icon="🔍",
    colour="#00897B",
    description="Finds bugs.",
    system_prompt="You review code. Bugs first.",
    provider="remote",
    model="review-model",
    temperature=0.1,
    max_output_tokens=500,
    examples=("Review this:",),
)


async def test_a_new_database_has_the_built_in_assistants_written_out(service: ChatService) -> None:
    found = await service.assistants.list()
    assert [a.name for a in found] == BUILT_IN
    for assistant in found:
        prompt = assistant.fields.system_prompt or ""
        assert len(prompt) > 200, assistant.name  # written out, not a one-liner
        assert assistant.fields.description
        assert assistant.fields.examples
        assert assistant.fields.colour


async def test_a_chat_with_an_assistant_sends_its_prompt_model_and_parameters(
    on_remote: ChatService, server: FakeOpenAI
) -> None:
    service = on_remote
    reviewer = await service.assistants.create(REVIEWER)
    server.queue(text_reply("Line 3 ", "divides by zero."))
    turn = await service.send_new("def f(x): return 1/x", assistant_id=reviewer.id)
    answer = await service.wait_for_answer(turn.answer.id)

    body = server.requests[-1].body
    assert body["model"] == "review-model"
    assert body["temperature"] == 0.1
    assert body.get("max_tokens", body.get("max_completion_tokens")) == 500
    assert body["messages"][0] == {"role": "system", "content": "You review code. Bugs first."}
    assert (answer.provider, answer.model, answer.agent) == (
        "remote",
        "review-model",
        REVIEWER.name,
    )
    thread = await service.get_thread(answer.thread_id)
    assert thread.assistant_id == reviewer.id
    assert (await service.list_messages(thread.id)).messages[-1].agent == "Strict reviewer"


async def test_an_edited_assistant_answers_with_its_new_prompt_and_old_answers_keep_its_name(
    on_remote: ChatService, server: FakeOpenAI
) -> None:
    service = on_remote
    reviewer = await service.assistants.create(REVIEWER)
    turn = await service.send_new("first", assistant_id=reviewer.id)
    await service.wait_for_answer(turn.answer.id)
    renamed = AssistantFields(
        **{**REVIEWER.__dict__, "name": "Kind reviewer", "system_prompt": "Be kind."}
    )
    await service.assistants.update(reviewer.id, renamed)

    second = await service.send(turn.answer.thread_id, "second")
    await service.wait_for_answer(second.answer.id)

    assert server.requests[-1].body["messages"][0]["content"] == "Be kind."
    agents = [m.agent for m in (await service.list_messages(turn.answer.thread_id)).messages]
    assert agents == [None, "Strict reviewer", None, "Kind reviewer"]


async def test_a_deleted_assistant_leaves_its_chats_answering_with_the_defaults(
    on_remote: ChatService, server: FakeOpenAI
) -> None:
    service = on_remote
    reviewer = await service.assistants.create(REVIEWER)
    turn = await service.send_new("first", assistant_id=reviewer.id)
    await service.wait_for_answer(turn.answer.id)
    await service.assistants.delete(reviewer.id)

    thread = await service.get_thread(turn.answer.thread_id)
    assert thread.assistant_id is None
    with pytest.raises(NotFound, match="assistant was deleted"):
        await service.send_new("again", assistant_id=reviewer.id)
    again = await service.send(thread.id, "again", provider="remote")
    await service.wait_for_answer(again.answer.id)
    body = server.requests[-1].body
    assert "Bugs first" not in json.dumps(body["messages"])
    assert "temperature" not in body
    messages = (await service.list_messages(thread.id)).messages
    assert [m.agent for m in messages] == [None, "Strict reviewer", None, None]


async def test_a_chat_switched_to_an_assistant_and_a_projects_default_assistant(
    on_remote: ChatService, server: FakeOpenAI
) -> None:
    service = on_remote
    reviewer = await service.assistants.create(
        AssistantFields(**{**REVIEWER.__dict__, "tools": ("chatdesk",)})
    )
    thread = await service.create_thread(provider="remote")
    await service.assistants.use_in(thread.id, reviewer.id)
    assert (await service.get_thread(thread.id)).assistant_id == reviewer.id
    turn = await service.send(thread.id, "look")
    answer = await service.wait_for_answer(turn.answer.id)
    assert answer.agent == "Strict reviewer"
    assert server.requests[-1].body["model"] == "review-model"

    project = await service.create_project("Backend")
    await service.assistants.set_project_default(project.id, reviewer.id)
    turn = await service.send_new("in the project", project_id=project.id)
    answer = await service.wait_for_answer(turn.answer.id)
    assert answer.agent == "Strict reviewer"
    started = await service.get_thread(answer.thread_id)
    assert started.assistant_id == reviewer.id
    assert server.requests[-1].body["messages"][0]["content"] == "You review code. Bugs first."


async def test_an_assistant_chosen_for_a_chat_answers_with_its_model_until_another_is_chosen(
    make_service: ServiceFactory, remote: OpenAICompatibleProvider, server: FakeOpenAI
) -> None:
    service = make_service(remote=remote, mock=MockProvider())
    reviewer = await service.assistants.create(REVIEWER)  # remote/review-model
    plain = await service.assistants.create(AssistantFields("Plain", system_prompt="Be brief."))
    turn = await service.send_new("hi", provider="mock", model="mock-2")  # chosen in the composer
    thread_id = (await service.wait_for_answer(turn.answer.id)).thread_id

    await service.assistants.use_in(thread_id, plain.id)  # names no model: the chat's stays
    turn = await service.send(thread_id, "and now?")
    assert ((turn.answer.provider, turn.answer.model)) == ("mock", "mock-2")
    await service.wait_for_answer(turn.answer.id)
    await service.assistants.use_in(thread_id, reviewer.id)
    server.queue(text_reply("Looks ", "fine."))
    turn = await service.send(thread_id, "review this")
    assert ((turn.answer.provider, turn.answer.model)) == ("remote", "review-model")
    await service.wait_for_answer(turn.answer.id)
    await service.set_thread_model(thread_id, provider="mock", model="mock-1")  # chosen again
    turn = await service.send(thread_id, "and with this one?")
    assert ((turn.answer.provider, turn.answer.model, turn.answer.agent)) == (
        "mock",
        "mock-1",
        "Strict reviewer",
    )


async def test_an_assistants_model_is_not_asked_of_another_provider(
    make_service: ServiceFactory, remote: OpenAICompatibleProvider, server: FakeOpenAI
) -> None:
    service = make_service(remote=remote, mock=MockProvider())
    reviewer = await service.assistants.create(REVIEWER)
    turn = await service.send_new("hi", assistant_id=reviewer.id, provider="mock")
    answer = await service.wait_for_answer(turn.answer.id)
    assert answer.provider == "mock"
    assert answer.model != "review-model"
    assert answer.agent == "Strict reviewer"


async def test_names_are_unique_whatever_their_case_and_fields_are_checked(
    service: ChatService,
) -> None:
    with pytest.raises(InvalidRequest, match="already an assistant named 'Tutor'"):
        await service.assistants.create(AssistantFields(name="  tutor "))
    for wrong, said in (
        (AssistantFields(name=""), "needs a name"),
        (AssistantFields(name="a\nb"), "one line"),
        (AssistantFields(name="x", colour="red"), "#RRGGBB"),
        (AssistantFields(name="x", temperature=2.5), "between 0 and 2"),
        (AssistantFields(name="x", max_output_tokens=0), "answer length"),
        (AssistantFields(name="x" * 101), "at most 100"),
    ):
        with pytest.raises(InvalidRequest, match=said):
            await service.assistants.create(wrong)
    assert [a.name for a in await service.assistants.list()] == BUILT_IN
    tutor = await service.assistants.find("TUTOR")
    copy = await service.assistants.duplicate(tutor.id)
    again = await service.assistants.duplicate(tutor.id)
    assert (copy.name, again.name) == ("Tutor (copy)", "Tutor (copy) (2)")
    assert copy.fields.system_prompt == tutor.fields.system_prompt
    with pytest.raises(NotFound, match="there are: Careful writer"):
        await service.assistants.find("Nobody")


async def test_an_assistant_file_round_trips_and_taken_names_are_numbered(
    service: ChatService, tmp_path: Path
) -> None:
    made = await service.assistants.create(REVIEWER)
    tutor = await service.assistants.find("Tutor")
    target = tmp_path / "mine.json"
    assert await service.assistants.export_file([made.id, tutor.id], target) == 2

    imported = await service.assistants.import_file(target)

    assert [a.name for a in imported] == ["Strict reviewer (2)", "Tutor (2)"]
    assert imported[0].fields == AssistantFields(
        **{**REVIEWER.checked().__dict__, "name": "Strict reviewer (2)"}
    )
    assert imported[0].fields.colour == "#00897b"


@pytest.fixture
def german() -> Iterator[None]:
    i18n.set_language("de")
    yield
    i18n.set_language(i18n.SOURCE)


async def test_built_in_assistants_speak_the_users_language_until_the_user_changes_them(
    german: None, service: ChatService, tmp_path: Path
) -> None:
    found = {a.name: a for a in await service.assistants.list()}
    assert list(found) == [
        "Code-Prüfer",
        "Sorgfältiger Autor",
        "Tutor",
        "Übersetzer",
        "Zusammenfasser",
    ]
    translator = found["Übersetzer"]
    assert translator.fields.description == (
        "Übersetzt treu und natürlich und behält Ton und Formatierung bei."
    )
    assert translator.fields.examples[1] == "Übersetze ins Französische: "
    prompt = translator.fields.system_prompt or ""
    assert prompt.startswith("You are a professional translator.")  # the model's, in English
    assert (await service.assistants.find("übersetzer")).id == translator.id
    with pytest.raises(InvalidRequest, match="'Übersetzer'"):  # a name the user reads is taken
        await service.assistants.create(AssistantFields(name="übersetzer"))
    target = tmp_path / "exported.json"
    await service.assistants.export_file([translator.id], target)
    [written] = json.loads(target.read_text(encoding="utf-8"))["assistants"]
    assert (written["name"], written["examples"][1]) == ("Translator", "Translate into French: ")

    # The form saved with the words it showed: chatdesk's words are kept, in every language.
    await service.assistants.update(translator.id, replace(translator.fields, temperature=0.9))
    summariser = found["Zusammenfasser"]
    await service.assistants.update(summariser.id, replace(summariser.fields, name="Kurzfasser"))
    assert [a.name for a in await service.assistants.list()] == [
        "Code-Prüfer",
        "Kurzfasser",
        "Sorgfältiger Autor",
        "Tutor",
        "Übersetzer",
    ]

    i18n.set_language(i18n.SOURCE)
    english = {a.name: a for a in await service.assistants.list()}
    assert english["Translator"].fields.temperature == 0.9
    assert english["Translator"].fields.examples[1] == "Translate into French: "
    assert "Summariser" not in english  # renamed by the user: their words stay as typed
    assert english["Kurzfasser"].fields.description == (
        "Condenses long texts into the points that matter."
    )


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"\x89PNG\r\n\x1a\n", "not JSON"),
        (b'{"format": "something-else", "version": 1, "assistants": []}', "not an assistant file"),
        (
            b'{"format": "chatdesk-assistants", "version": 9, "assistants": [{"name": "x"}]}',
            "newer chatdesk",
        ),
        (b'{"format": "chatdesk-assistants", "version": 1, "assistants": []}', "no assistants"),
        (
            b'{"format": "chatdesk-assistants", "version": 1, "assistants": '
            b'[{"name": "ok"}, {"name": "bad", "temperature": "hot"}]}',
            "assistant 2 of the file: temperature must be a number",
        ),
        (
            b'{"format": "chatdesk-assistants", "version": 1, "assistants": '
            b'[{"name": "x", "examples": [1, 2]}]}',
            "examples must be a list of texts",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
        (b" " * (3 * 1024 * 1024), "over 2,097,152 bytes"),
    ],
)
async def test_a_hostile_assistant_file_is_refused_whole_with_a_clear_reason(
    service: ChatService, tmp_path: Path, content: bytes, said: str
) -> None:
    hostile = tmp_path / "hostile.json"
    hostile.write_bytes(content)
    with pytest.raises(InvalidRequest, match=said):
        await service.assistants.import_file(hostile)
    assert [a.name for a in await service.assistants.list()] == BUILT_IN


async def test_exports_keep_the_assistant_an_answer_came_from(
    service: ChatService, store: Store, tmp_path: Path, chatdesk_home: Path, reader: Reader
) -> None:
    tutor = await service.assistants.find("Tutor")
    turn = await service.send_new("Teach me limits", assistant_id=tutor.id)
    await service.wait_for_answer(turn.answer.id)
    thread_id = turn.answer.thread_id
    markdown, native = tmp_path / "chat.md", tmp_path / "chat.json"
    await Transfer(store, reader).export_thread(thread_id, ExportFormat.MARKDOWN, markdown)
    await Transfer(store, reader).export_thread(thread_id, ExportFormat.JSON, native)

    assert "## Tutor · mock-1 · " in markdown.read_text()
    # Another machine, whose assistants are its own (its built-in Tutor has another id): the
    # answers keep the name, the chat goes on without an assistant it does not have.
    other = open_store(Paths.resolve(tmp_path / "other"), configure().settings)
    try:
        await Transfer(other, reader).import_file(native)
        elsewhere = assemble(other, Providers({"mock": MockProvider()}), configure().settings)
        try:
            thread = await elsewhere.get_thread(thread_id)
            page = await elsewhere.list_messages(thread_id)
            assert thread.assistant_id is None
            assert [m.agent for m in page.messages] == [None, "Tutor"]
        finally:
            await elsewhere.aclose()
    finally:
        other.close()


async def test_saved_prompts_keep_their_variables_and_replace_by_name(
    service: ChatService,
) -> None:
    from chatdesk.core.assistants.prompts import filled

    assert await service.prompts.list() == []
    text = "Write a {{ tone }} reply to {{name}} about {{topic}}; sign it for {{name}}."
    saved = await service.prompts.save("  Reply   to mail ", text)
    assert saved.name == "Reply to mail"
    assert saved.variables == ["tone", "name", "topic"]
    values = {"tone": "warm", "name": "Ana", "topic": "the launch"}
    assert filled(text, values) == ("Write a warm reply to Ana about the launch; sign it for Ana.")
    assert filled(text, {"tone": "dry"}).startswith("Write a dry reply to {{name}}")

    await service.prompts.save("reply TO mail", "Short: {{x}}")
    [kept] = await service.prompts.list()
    assert (kept.name, kept.text) == ("reply TO mail", "Short: {{x}}")
    assert await service.prompts.find(" Reply to MAIL") == kept  # found as a save replaces
    for name, body, said in (
        ("", "x", "needs a name"),
        ("n", "  ", "empty"),
        ("n", "a\x00b", "characters of text"),
    ):
        with pytest.raises(InvalidRequest, match=said):
            await service.prompts.save(name, body)
    await service.prompts.delete("Reply to mail")
    assert await service.prompts.list() == []
    with pytest.raises(NotFound):
        await service.prompts.delete("Reply to mail")
    with pytest.raises(NotFound, match="no saved prompt named 'Reply to mail'"):
        await service.prompts.find("Reply to mail")
