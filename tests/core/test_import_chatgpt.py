"""Importing ChatGPT data exports: every branch, the active one on screen, content mapped to
parts, twice without duplicates, bad entries reported and skipped, memory bounded."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import tracemalloc
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest

from chatdesk.core.attach.worker import Reader
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store
from chatdesk.core.store.models import Role, Status
from chatdesk.core.transfer import ImportProgress, Transfer
from tests.fixtures.chatgpt.export import (
    START,
    Conversation,
    image_pointer,
    simple,
    write_json,
    write_zip,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes


def rich_conversation() -> Conversation:
    """A conversation with what ChatGPT puts in one: a hidden system prompt, custom
    instructions, a regenerated answer, a picture, reasoning, an edited question, code run by
    a tool and its output."""
    c = Conversation("Sorting and cats")
    hidden = c.hidden_system()
    instructions = c.add(
        hidden,
        "user",
        {"content_type": "user_editable_context", "user_profile": "I am a test."},
        hidden=True,
    )
    question = c.user(instructions, "Write a sort in Python")
    c.assistant(question, "```python\nsorted(xs)\n```")
    regenerated = c.assistant(question, "Use `list.sort()`:\n\n```python\nxs.sort()\n```")
    picture = c.add(
        regenerated,
        "user",
        {"content_type": "multimodal_text", "parts": [image_pointer("file-Cat123"), "And this?"]},
    )
    system_again = c.hidden_system(picture)
    thoughts = c.add(
        system_again,
        "assistant",
        {
            "content_type": "thoughts",
            "thoughts": [{"summary": "Looking closely", "content": "Whiskers, so a cat."}],
            "source_analysis_msg_id": "x",
        },
        model="o3",
    )
    recap = c.add(
        thoughts,
        "assistant",
        {"content_type": "reasoning_recap", "content": "Thought for 4s"},
        model="o3",
    )
    c.assistant(recap, "That is a cat.", model="o3")
    edited = c.user(regenerated, "Compute 2 + 2 with Python")  # an edit of `picture`
    code = c.add(
        edited,
        "assistant",
        {"content_type": "code", "language": "python", "text": "print(2 + 2)"},
        model="gpt-4o",
        recipient="python",
    )
    output = c.add(code, "tool", {"content_type": "execution_output", "text": "4"}, name="python")
    c.assistant(output, "It prints **4**.")
    return c


def _export(
    tmp_path: Path, *conversations: Conversation, files: dict[str, bytes] | None = None
) -> Path:
    return write_zip(tmp_path / "chatgpt-export.zip", [c.json() for c in conversations], files)


def _db(store: Store, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{store.path}?mode=ro", uri=True) as connection:
        return connection.execute(sql, params).fetchall()


def _count(store: Store, table: str) -> int:
    return int(_db(store, f"SELECT count(*) FROM {table}")[0][0])


async def test_every_branch_is_kept_and_the_current_one_is_on_screen(
    store: Store, service: ChatService, tmp_path: Path, reader: Reader
) -> None:
    rich = rich_conversation()
    report = await Transfer(store, reader).import_file(_export(tmp_path, rich))
    assert (report.source, report.threads_added, report.threads_skipped) == ("chatgpt", 1, 0)
    assert report.problems == ()
    # Kept: 2 questions + 2 answers, the picture question and its answer, the edit, the code,
    # its output, the final answer. Left out: the root, hidden system messages, custom
    # instructions, and the reasoning nodes (folded into the answer after them).
    assert report.messages == 9
    [thread_id] = report.thread_ids
    thread = await service.get_thread(thread_id)
    assert thread.title == "Sorting and cats"
    assert thread.message_count == 9
    assert thread.created_at.timestamp() == START

    page = await service.list_messages(thread_id, limit=100)
    shown = [(m.role, m.content) for m in page.messages]
    assert shown == [
        (Role.USER, "Write a sort in Python"),
        (Role.ASSISTANT, "Use `list.sort()`:\n\n```python\nxs.sort()\n```"),
        (Role.USER, "Compute 2 + 2 with Python"),
        (Role.ASSISTANT, "```python\nprint(2 + 2)\n```"),
        (Role.TOOL, "```\n4\n```"),
        (Role.ASSISTANT, "It prints **4**."),
    ]
    first, answer, edit = page.messages[0], page.messages[1], page.messages[2]
    assert (first.parent_id, first.depth) == (None, 0)
    assert (answer.sibling_index, answer.sibling_count) == (2, 2)  # the regenerated one
    assert (edit.sibling_index, edit.sibling_count) == (2, 2)  # the edited question
    assert page.messages[-1].id == thread.active_leaf_id
    assert [m.model for m in page.messages if m.role is Role.ASSISTANT] == ["gpt-4o"] * 3
    assert all(m.status is Status.COMPLETE for m in page.messages)

    # The other branches are one switch away, in ChatGPT's order.
    [older_answer, _] = await service.sibling_ids(answer.id)
    switched = await service.switch_branch(older_answer)
    assert switched.active_leaf_id == older_answer
    [picture_question, _] = await service.sibling_ids(edit.id)
    await service.switch_branch(picture_question)
    page = await service.list_messages(thread_id, limit=100)
    assert [m.content for m in page.messages][2:] == ["And this?", "That is a cat."]
    reasoned = page.messages[-1]
    assert reasoned.model == "o3"
    assert reasoned.reasoning == "**Looking closely**\n\nWhiskers, so a cat."
    assert page.messages[2].attachments[0].name == "file-Cat123"  # not in this export


async def test_content_becomes_parts_and_images_stay_named_placeholders(
    store: Store, tmp_path: Path, reader: Reader
) -> None:
    rich = rich_conversation()
    path = _export(tmp_path, rich, files={"file-Cat123-cat.png": b"\x89PNG..."})
    await Transfer(store, reader).import_file(path)
    parts = _db(
        store,
        "SELECT m.content, p.position, p.kind, p.text, p.data FROM message_parts p "
        "JOIN messages m ON m.id = p.message_id ORDER BY m.created_at, p.position",
    )
    by_kind = {
        kind: (content, position, text, json.loads(data) if data else None)
        for content, position, kind, text, data in parts
    }
    assert by_kind["attachment"] == ("And this?", 1, None, {"kind": "image"})
    assert by_kind["reasoning"] == (
        "That is a cat.",
        0,
        "**Looking closely**\n\nWhiskers, so a cat.",
        {"recap": "Thought for 4s"},
    )
    assert by_kind["tool_call"][:2] == ("```python\nprint(2 + 2)\n```", 1)
    assert by_kind["tool_call"][3] == {"recipient": "python", "language": "python"}
    assert by_kind["tool_result"][3] == {"tool": "python", "content_type": "execution_output"}
    [(name, mime, size, sha, text, data)] = _db(
        store, "SELECT name, mime, size, sha256, text, data FROM attachments"
    )
    # The bytes stay in the export: the placeholder names the file there and its size.
    assert (name, mime, size, sha, text, data) == (
        "file-Cat123-cat.png",
        "image/png",
        48_029,
        "",
        None,
        None,
    )


async def test_importing_the_same_export_twice_adds_nothing(
    store: Store, tmp_path: Path, reader: Reader
) -> None:
    conversations = [rich_conversation(), simple("Second", 3), simple("Third", 1)]
    path = _export(tmp_path, *conversations)
    transfer = Transfer(store, reader)
    first = await transfer.import_file(path)
    tables = ("threads", "messages", "message_parts", "attachments")
    counts = [_count(store, t) for t in tables]
    again = await transfer.import_file(path)
    assert (first.threads_added, first.threads_skipped, first.messages) == (3, 0, 9 + 6 + 2)
    assert (again.threads_added, again.threads_skipped, again.messages) == (0, 3, 0)
    assert again.problems == ()
    assert [
        _count(store, t) for t in ("threads", "messages", "message_parts", "attachments")
    ] == counts

    # A newer export of the same account: only the new conversation is added.
    newer = _export(tmp_path, *conversations, simple("Fourth", 2))
    third = await transfer.import_file(newer)
    assert (third.threads_added, third.threads_skipped, third.messages) == (1, 3, 4)


async def test_malformed_entries_are_reported_and_the_rest_imported(
    store: Store, tmp_path: Path, reader: Reader
) -> None:
    good, also_good = simple("Good", 1).json(), simple("Also good", 2).json()
    no_mapping = {"title": "No mapping", "id": "c-2", "create_time": START}
    bad_node = simple("Bad node", 1).json()
    bad_node["mapping"]["broken"] = "not an object"
    empty = Conversation("Only hidden").json()
    path = write_json(
        tmp_path / "conversations.json",
        [good, "a string", no_mapping, bad_node, empty, {"mapping": {}}, also_good],
    )
    report = await Transfer(store, reader).import_file(path)
    assert (report.threads_added, report.messages) == (2, 2 + 4)
    assert [(p.where, p.reason) for p in report.problems] == [
        ("conversation 2", "it is not a JSON object"),
        ("conversation 3 ('No mapping')", "it has no message tree ('mapping')"),
        ("conversation 4 ('Bad node')", "node 'broken' is not an object"),
        ("conversation 5 ('Only hidden')", "it has no messages to import"),
        ("conversation 6", "it has no id"),
    ]
    assert report.problems_total == 5


async def test_a_truncated_download_keeps_what_came_before(
    store: Store, tmp_path: Path, reader: Reader
) -> None:
    text = json.dumps([simple(f"T{n}", 2).json() for n in range(3)])
    cut = text[: text.index('"title": "T2"') + 40]
    path = tmp_path / "conversations.json"
    path.write_text(cut)
    report = await Transfer(store, reader).import_file(path)
    assert report.threads_added == 2
    [problem] = report.problems
    assert problem.where == "conversation 3"
    assert "ends in the middle of it (an incomplete download?)" in problem.reason


@pytest.mark.parametrize("shape", ["bare", "wrapped", "single", "zip", "folder", "parts"])
async def test_every_shape_of_the_export_is_recognised(
    store: Store, tmp_path: Path, shape: str, reader: Reader
) -> None:
    conversations = [simple(f"Conversation {n}", 2).json() for n in range(3)]
    path = tmp_path / "export.json"
    if shape == "bare":
        write_json(path, conversations, indent=2)
    elif shape == "wrapped":
        path.write_text(json.dumps({"conversations": conversations}))
    elif shape == "single":
        conversations = conversations[:1]
        path.write_text(json.dumps(conversations[0]))
    else:
        path = tmp_path / "export.zip"
        with zipfile.ZipFile(path, "w") as archive:
            folder = "" if shape == "zip" else "Export 2025-01-02/"
            archive.writestr(f"{folder}user.json", "{}")
            if shape == "parts":
                archive.writestr(f"{folder}conversations-000.json", json.dumps(conversations[:2]))
                archive.writestr(f"{folder}conversations-001.json", json.dumps(conversations[2:]))
            else:
                archive.writestr(f"{folder}conversations.json", json.dumps(conversations))
    report = await Transfer(store, reader).import_file(path)
    assert (report.threads_added, report.problems) == (len(conversations), ())
    titles = {row[0] for row in _db(store, "SELECT title FROM threads")}
    assert titles == {c["title"] for c in conversations}


async def test_a_file_that_is_no_export_is_refused(
    store: Store, tmp_path: Path, reader: Reader
) -> None:
    from chatdesk.core.errors import InvalidRequest

    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    other_zip = tmp_path / "photos.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("cat.png", b"png")
    for path, said in ((text_file, "not JSON"), (other_zip, "no conversations.json")):
        with pytest.raises(InvalidRequest, match=said):
            await Transfer(store, reader).import_file(path)
    assert _count(store, "threads") == 0


async def test_an_imported_thread_can_be_continued(
    store: Store, service: ChatService, tmp_path: Path, reader: Reader
) -> None:
    rich = rich_conversation()
    report = await Transfer(store, reader).import_file(_export(tmp_path, rich))
    [thread_id] = report.thread_ids
    turn = await service.send(thread_id, "And 3 + 3?")
    answer = await service.wait_for_answer(turn.answer.id)
    assert answer.status is Status.COMPLETE
    page = await service.list_messages(thread_id, limit=100)
    assert [m.content for m in page.messages][-3:] == [
        "It prints **4**.",
        "And 3 + 3?",
        answer.content,
    ]
    assert (await service.get_thread(thread_id)).message_count == 11


async def test_progress_is_reported_and_cancel_stops_between_batches(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: Reader
) -> None:
    from chatdesk.core.transfer import batches

    monkeypatch.setattr(batches, "BATCH_THREADS", 10)
    path = write_json(tmp_path / "c.json", [simple(f"C{n}", 2).json() for n in range(95)])
    seen: list[ImportProgress] = []
    report = await Transfer(store, reader).import_file(path, progress=seen.append)
    assert report.threads_added == 95
    assert len(seen) == 10
    assert [p.threads_added for p in seen] == [10, 20, 30, 40, 50, 60, 70, 80, 90, 95]
    assert seen[-1].fraction == 1.0
    assert 0 < seen[0].fraction < 1

    cancel = asyncio.Event()
    other = tmp_path / "other.json"
    write_json(other, [simple(f"D{n}", 2).json() for n in range(95)])

    def stop_after_the_first(progress: ImportProgress) -> None:
        cancel.set()

    stopped = await Transfer(store, reader).import_file(
        other, progress=stop_after_the_first, cancel=cancel
    )
    assert stopped.cancelled
    assert 10 <= stopped.threads_added < 95
    counts = _db(
        store,
        "SELECT t.message_count, count(m.id) FROM threads t JOIN messages m "
        "ON m.thread_id = t.id GROUP BY t.id",
    )
    assert all(expected == found == 4 for expected, found in counts)  # whole threads only


def _peak_of(work: Any) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow("exports of 90 and 360 chats imported under tracemalloc (slower allocations)")
async def test_memory_stays_flat_as_the_export_grows(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: Reader
) -> None:
    """A 4× larger file must not need more memory: it is read as a stream and written in
    batches, so memory is bounded by a batch and a chunk of text (made small here, so that
    both files are many of them). Loading the file whole (json.load) needs several times its
    size."""
    from chatdesk.core.transfer import batches, jsonstream

    monkeypatch.setattr(batches, "BATCH_WEIGHT", 400)
    monkeypatch.setattr(jsonstream, "CHUNK_CHARS", 64 * 1024)
    sizes: list[int] = []
    peaks: list[int] = []
    for count in (90, 360):
        path = write_json(
            tmp_path / f"c{count}.json",
            [simple(f"C{n}", 10, at=START + n, padding=1500).json() for n in range(count)],
        )
        sizes.append(path.stat().st_size)
        transfer = Transfer(store, reader)
        tracemalloc.start()
        try:
            report = await transfer.import_file(path)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert report.threads_added == count

    def load_whole() -> None:
        with open(tmp_path / "c360.json") as handle:
            json.load(handle)

    whole = _peak_of(load_whole)
    assert sizes[1] > 3.5 * sizes[0]
    assert sizes[1] > 9_000_000
    assert peaks[1] < 1.25 * peaks[0], (sizes, peaks)
    assert peaks[1] < sizes[1] / 2, (sizes, peaks)
    assert whole > 3 * sizes[1], (sizes, whole)


async def test_the_stream_reader_agrees_with_json_at_any_chunk_size() -> None:
    import io

    from chatdesk.core.transfer.jsonstream import ArrayReader, Damaged, NotAnArray

    values: list[Any] = [
        {"title": 'quote " and \\ backslash', "n": 12345.5e-3, "ok": True, "none": None},
        [1, [2, [3, {"deep": "é 中文 \U0001f600"}]]],
        "a string with \\u00e9scapes and \n newlines",
        -98765432109876543210,
        {"empty": {}, "list": [], "unicode": "\u2028\u2029"},
    ]
    text = "\ufeff \n" + json.dumps(values, indent=1, ensure_ascii=False)
    for chunk in (*range(1, 40), 1 << 20):
        read = [e.value for e in ArrayReader(io.StringIO(text), chunk)]
        assert read == values, chunk
    wrapped = json.dumps({"conversations": values})
    assert [e.value for e in ArrayReader(io.StringIO(wrapped), 7)] == values
    with pytest.raises(NotAnArray):
        list(ArrayReader(io.StringIO('{"title": "one conversation"}')))
    broken = ArrayReader(io.StringIO('[{"a": 1}, {"b": 2} {"c": 3}]'), 5)
    with pytest.raises(Damaged) as damage:
        [e.value for e in broken]
    assert (damage.value.index, damage.value.reason) == (
        2,
        "broken JSON: expected ',' or ']', found '{'",
    )
    cut = ArrayReader(io.StringIO('[{"a": 1}, {"b": "unfinish'), 3)
    with pytest.raises(Damaged, match="ends in the middle of it"):
        list(cut)


async def test_an_open_window_hears_of_every_imported_thread(
    store: Store, tmp_path: Path, reader: Reader
) -> None:
    from chatdesk.core.chat.events import Event, EventBus, ThreadCreated

    bus = EventBus()
    heard: list[Event] = []
    bus.subscribe(heard.append)
    path = write_json(tmp_path / "c.json", [simple(f"C{n}", 1).json() for n in range(3)])
    report = await Transfer(store, reader, bus=bus).import_file(path)
    created = [e.thread for e in heard if isinstance(e, ThreadCreated)]
    assert [t.id for t in created] == list(report.thread_ids)
    assert [t.title for t in created] == ["C0", "C1", "C2"]
    assert all(t.message_count == 2 for t in created)
    await Transfer(store, reader, bus=bus).import_file(path)
    assert len(heard) == 3  # nothing new, nothing said


async def test_odd_trees_still_import(
    store: Store, service: ChatService, tmp_path: Path, reader: Reader
) -> None:
    looped = simple("Looped", 2)
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    looped.mapping[a] = {"id": a, "message": None, "parent": b, "children": [b]}
    looped.mapping[b] = {"id": b, "message": None, "parent": a, "children": [a]}
    hidden_end = simple("Ends hidden", 1)
    answer = hidden_end.current
    hidden_end.hidden_system(answer)  # becomes the current node
    no_current = simple("No current node", 1)
    question = next(k for k, n in no_current.mapping.items() if _role(n) == "user")
    no_current.assistant(question, "a newer answer")
    drawing = Conversation("Drawing")
    asked = drawing.user(None, "Draw a cat")
    pointer = image_pointer("file_00000000abc") | {"asset_pointer": "sediment://file_00000000abc"}
    drawing.add(
        asked, "tool", {"content_type": "multimodal_text", "parts": [pointer]}, name="dalle.text2im"
    )
    document = [c.json() for c in (looped, hidden_end, no_current, drawing)]
    document[2]["current_node"] = None
    report = await Transfer(store, reader).import_file(write_json(tmp_path / "c.json", document))
    assert report.threads_added == 4
    assert [(p.where, p.reason) for p in report.problems] == [
        (f"'Looped' ({looped.id})", "2 messages in a loop of parent links were left out")
    ]
    by_title = {t.title: t for t in (await service.list_threads(limit=10)).threads}
    ended = await service.list_messages(by_title["Ends hidden"].id)
    assert ended.messages[-1].content.startswith("Answer 0")
    chosen = await service.list_messages(by_title["No current node"].id)
    assert chosen.messages[-1].content == "a newer answer"  # the newest branch
    drawn = await service.list_messages(by_title["Drawing"].id)
    assert [m.role for m in drawn.messages] == [Role.USER, Role.TOOL]
    [(name, kind)] = _db(
        store,
        "SELECT a.name, p.data FROM attachments a JOIN message_parts p ON p.attachment_id = a.id",
    )
    assert (name, json.loads(kind)) == ("file_00000000abc", {"kind": "image"})


def _role(node: dict[str, Any]) -> str | None:
    message = node.get("message")
    return message["author"]["role"] if message else None


async def test_an_exports_images_come_in_as_images(
    store: Store, tmp_path: Path, reader: Reader
) -> None:
    from chatdesk.core.store.blobs import BlobStore
    from tests.core.attachment_files import photo

    picture = photo(1600, 1200, (200, 40, 40), orientation=6)  # with EXIF and a GPS position
    path = _export(tmp_path, rich_conversation(), files={"file-Cat123-cat.jpg": picture})
    await Transfer(store, reader).import_file(path)
    [(name, mime, kind, blob, width, height, sha, thumb)] = _db(
        store, "SELECT name, mime, kind, blob, width, height, sha256, thumb FROM attachments"
    )
    assert (name, mime, kind, blob) == ("file-Cat123-cat.jpg", "image/jpeg", "image", 1)
    assert (width, height) == (1200, 1600)  # turned upright
    blobs = BlobStore(store.path.parent / "attachments")
    kept = blobs.read(sha)
    assert b"Exif" not in kept  # no GPS position came in
    assert blobs.has(thumb)


async def test_an_exports_broken_image_stays_a_placeholder(
    store: Store, tmp_path: Path, reader: Reader
) -> None:
    path = _export(tmp_path, rich_conversation(), files={"file-Cat123-cat.png": b"\x89PNG bad"})
    report = await Transfer(store, reader).import_file(path)
    assert report.problems == ()
    [(kind, blob, sha)] = _db(store, "SELECT kind, blob, sha256 FROM attachments")
    assert (kind, blob, sha) == ("file", 0, "")
