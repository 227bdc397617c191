"""Files attached to messages, end to end: read in the reading child, stored once by content,
sent to the model (images as content parts on the real SSE test server, documents as text),
described by the mock provider, and refused before anything is written when they cannot go."""

from __future__ import annotations

import base64
import dataclasses
import errno
import io
import os
import stat
import sys
from pathlib import Path

import pytest

from chatdesk.configuration import Configuration
from chatdesk.core.attach.worker import Reader
from chatdesk.core.chat.turns import ImagesNotTaken
from chatdesk.core.config import Settings
from chatdesk.core.errors import ChatdeskError, InvalidRequest
from chatdesk.core.providers.openai_compat import OpenAICompatibleProvider
from chatdesk.core.providers.profiles import ProviderProfile
from chatdesk.core.service import ChatService
from tests.conftest import ServiceFactory
from tests.core import attachment_files as files
from tests.core.providers import user_rows
from tests.core.sse_server import FakeOpenAI, text_reply

pytestmark = [pytest.mark.asyncio, pytest.mark.processes]  # starts processes


@pytest.fixture
def profile(server: FakeOpenAI) -> ProviderProfile:
    """A model that takes images, with a key."""
    return ProviderProfile("openai", server.url, api_key="sk-test", default_model="gpt-4o")


async def test_an_image_and_a_pdf_go_to_a_vision_model_as_content_parts(
    tmp_path: Path,
    make_service: ServiceFactory,
    server: FakeOpenAI,
    provider: OpenAICompatibleProvider,
) -> None:
    service = make_service(openai=provider)
    photo = tmp_path / "holiday.jpg"
    photo.write_bytes(files.photo(4000, 3000, orientation=6))
    report = tmp_path / "report.pdf"
    report.write_bytes(files.pdf(["Revenue grew by a third", "Costs stayed flat"]))
    image = await service.attacher.attach_file(photo)
    document = await service.attacher.attach_file(report)
    assert (image.kind, image.width, image.height) == ("image", 1536, 2048)
    assert (document.kind, document.pages) == ("document", 2)
    server.queue(text_reply("Seen."))
    thread = await service.create_thread(provider="openai", model="gpt-4o")
    turn = await service.send(thread.id, "What is in these?", attachments=[image, document])
    await service.wait_for_answer(turn.answer.id)

    [sent] = [m for m in server.requests[0].body["messages"] if m["role"] == "user"]
    text, picture = sent["content"]
    assert text["type"] == "text"
    assert text["text"].startswith("What is in these?")
    assert '<attachment name="holiday.jpg" type="image, 1536×2048"' in text["text"]
    assert '<attachment name="report.pdf" type="PDF, 2 pages">' in text["text"]
    assert "--- Page 1 ---\nRevenue grew by a third" in text["text"]
    assert picture["type"] == "image_url"
    url = picture["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")
    stored = service.attacher.blobs.read(image.sha256)
    assert base64.b64decode(url.split(",", 1)[1]) == stored
    assert b"Camera Maker" not in stored  # no EXIF left the machine

    assert turn.user_message is not None
    shown = turn.user_message.attachments
    assert [(a.name, a.kind, a.blob) for a in shown] == [
        ("holiday.jpg", "image", True),
        ("report.pdf", "document", True),
    ]
    assert service.attacher.blobs.read(shown[1].sha256) == report.read_bytes()


async def test_the_mock_describes_what_it_was_sent(tmp_path: Path, service: ChatService) -> None:
    picture = await service.attacher.attach_bytes(
        "Pasted image", files.photo(800, 600, (20, 40, 200))
    )
    sheet = await service.attacher.attach_file(files.xlsx(tmp_path / "sales.xlsx"))
    thread = await service.create_thread()
    turn = await service.send(thread.id, "Look", attachments=[picture, sheet])
    answer = await service.wait_for_answer(turn.answer.id)
    assert "**Pasted image**: an image, 800×600 pixels, mostly blue (#" in answer.content
    sheet_said = "**sales.xlsx**: an Excel workbook, 2 sheets, beginning “Month | Units January"
    assert sheet_said in answer.content


async def test_an_image_for_a_model_without_vision_is_refused_and_nothing_is_written(
    make_service: ServiceFactory, provider: OpenAICompatibleProvider, store: object
) -> None:
    service = make_service(openai=provider)
    picture = await service.attacher.attach_bytes("shot.png", files.transparent_png())
    thread = await service.create_thread(provider="openai", model="gpt-3.5-turbo")
    with pytest.raises(ImagesNotTaken, match=r"gpt-3\.5-turbo on openai does not take images"):
        await service.send(thread.id, "Describe it", attachments=[picture])
    assert user_rows(service._store.path) == []
    with pytest.raises(ImagesNotTaken):
        await service.send_new(
            "Describe it", attachments=[picture], provider="openai", model="llama3.1"
        )
    assert [t.id for t in (await service.list_threads()).threads] == [
        thread.id
    ]  # no empty new thread


async def test_a_profile_can_say_its_models_take_images(
    make_service: ServiceFactory, server: FakeOpenAI
) -> None:
    profile = ProviderProfile("local", server.url, default_model="my-vlm", images="yes")
    local = OpenAICompatibleProvider(profile)
    try:
        service = make_service(local=local)
        picture = await service.attacher.attach_bytes("shot.png", files.transparent_png())
        server.queue(text_reply("ok"))
        thread = await service.create_thread(provider="local", model="my-vlm")
        turn = await service.send(thread.id, "Describe it", attachments=[picture])
        await service.wait_for_answer(turn.answer.id)
        sent = server.requests[0].body["messages"][-1]["content"]
        assert sent[1]["image_url"]["url"].startswith("data:image/png;base64,")
    finally:
        await local.aclose()


async def test_a_servers_own_image_limits_make_images_smaller_as_they_are_sent(
    make_service: ServiceFactory, server: FakeOpenAI
) -> None:
    """Stored at the attachments settings' 2,048 pixels; this server takes 512 and 40 KB."""
    from PIL import Image

    profile = ProviderProfile(
        "small", server.url, default_model="gpt-4o", image_max_side=512, image_max_mb=0.04
    )
    small = OpenAICompatibleProvider(profile)
    try:
        service = make_service(small=small)
        photo = await service.attacher.attach_bytes("big.jpg", files.photo(3000, 2000, gps=False))
        little = await service.attacher.attach_bytes("icon.png", files.transparent_png())
        assert (photo.width, photo.height) == (2048, 1365)
        server.queue(text_reply("ok"), text_reply("ok again"))
        thread = await service.create_thread(provider="small", model="gpt-4o")
        turn = await service.send(thread.id, "Describe them", attachments=[photo, little])
        await service.wait_for_answer(turn.answer.id)
        turn = await service.send(thread.id, "And again")  # the earlier images go again
        await service.wait_for_answer(turn.answer.id)
    finally:
        await small.aclose()

    for request in server.requests:
        asked = next(m for m in request.body["messages"] if m["role"] == "user")
        _, big, icon = asked["content"]
        data = base64.b64decode(big["image_url"]["url"].split(",", 1)[1])
        with Image.open(io.BytesIO(data)) as sent:
            assert max(sent.size) <= 512
            assert sent.size[0] / sent.size[1] == pytest.approx(2048 / 1365, rel=0.01)
        assert len(data) <= 0.04 * 1024 * 1024
        small_png = base64.b64decode(icon["image_url"]["url"].split(",", 1)[1])
        assert small_png == service.attacher.blobs.read(little.sha256)  # within both: as kept
    assert service.attacher.blobs.read(photo.sha256) != data  # the stored copy stays whole


async def test_a_thread_switched_to_a_model_without_vision_says_what_it_left_out(
    make_service: ServiceFactory, server: FakeOpenAI, provider: OpenAICompatibleProvider
) -> None:
    service = make_service(openai=provider)
    picture = await service.attacher.attach_bytes("shot.png", files.transparent_png())
    server.queue(text_reply("A square."), text_reply("Sure."))
    thread = await service.create_thread(provider="openai", model="gpt-4o")
    turn = await service.send(thread.id, "Describe it", attachments=[picture])
    await service.wait_for_answer(turn.answer.id)
    await service.set_thread_model(thread.id, provider="openai", model="gpt-3.5-turbo")
    turn = await service.send(thread.id, "And now?")
    await service.wait_for_answer(turn.answer.id)
    first = server.requests[1].body["messages"][0]
    assert isinstance(first["content"], str)
    assert "were not sent: gpt-3.5-turbo does not take images" in first["content"]


async def test_a_file_that_cannot_be_attached_says_why_and_stores_nothing(
    tmp_path: Path, make_service: ServiceFactory, config: object
) -> None:
    settings: Settings = config.settings  # type: ignore[attr-defined]
    small = dataclasses.replace(
        settings, attachments=dataclasses.replace(settings.attachments, max_file_mb=1)
    )
    service = make_service(settings=small)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(InvalidRequest, match=r"empty\.txt was not attached: it is empty"):
        await service.attacher.attach_file(empty)
    big = tmp_path / "big.bin"
    big.touch()
    os.truncate(big, 3 * 1024 * 1024)  # sparse: refused from its size, before reading
    with pytest.raises(InvalidRequest, match=r"3\.0 MB and files up to 1 MB"):
        await service.attacher.attach_file(big)
    with pytest.raises(InvalidRequest, match=r"bomb\.png was not attached: it would decode"):
        await service.attacher.attach_bytes("bomb.png", files.bomb_png())
    assert list(service.attacher.blobs.stored()) == []


async def test_blobs_are_stored_once_private_and_checked_when_read(service: ChatService) -> None:
    from chatdesk.core.store.blobs import BlobDamaged, BlobMissing

    blobs = service.attacher.blobs
    photo = files.photo(800, 600, gps=False)
    first = await service.attacher.attach_bytes("a.jpg", photo)
    again = await service.attacher.attach_bytes("b.jpg", photo)
    assert (first.sha256, first.thumb) == (again.sha256, again.thumb)
    assert len(list(blobs.stored())) == 2  # the image and its thumbnail, once
    path = blobs.path(first.sha256)
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    with pytest.raises(BlobDamaged):
        blobs.read(first.sha256)
    path.unlink()
    with pytest.raises(BlobMissing):
        blobs.read(first.sha256)
    thread = await service.create_thread()
    with pytest.raises(InvalidRequest, match="no longer stored"):
        await service.send(thread.id, "Look", attachments=[first])


async def test_unused_blobs_go_after_the_retention_period(service: ChatService) -> None:
    blobs = service.attacher.blobs
    kept = await service.attacher.attach_bytes("kept.png", files.transparent_png())
    dropped = blobs.put(b"no longer used")
    assert blobs.sweep({kept.sha256, kept.thumb}, keep_seconds=3600) == 0  # too recent
    old = blobs.path(dropped).stat().st_mtime - 7200
    os.utime(blobs.path(dropped), (old, old))
    assert blobs.sweep({kept.sha256, kept.thumb}, keep_seconds=3600) == 1
    assert not blobs.has(dropped)
    assert blobs.has(kept.sha256)


async def test_a_documents_words_are_found_and_the_hit_names_it(
    service: ChatService, store: object
) -> None:
    from chatdesk.core.search import Search
    from chatdesk.core.search.views import SearchFilters

    report = await service.attacher.attach_bytes(
        "biology.pdf", files.pdf(["Chlorophyll absorbs light", "Photosynthesis makes sugar"])
    )
    thread = await service.create_thread()
    turn = await service.send(thread.id, "Summarise it", attachments=[report])
    await service.wait_for_answer(turn.answer.id)
    search = Search(store)  # type: ignore[arg-type]
    found = await search.search("photosynthesis")
    # The mock's answer quotes the document's first words; the question holds the document.
    [hit] = [h for h in found.messages if h.message_id != turn.answer.id]
    assert turn.user_message is not None
    assert (hit.message_id, hit.attachment) == (turn.user_message.id, "biology.pdf")
    assert "Photosynthesis" in hit.snippet.text
    inside = await search.search("chlorophyll", filters=SearchFilters(thread_id=thread.id))
    assert "biology.pdf" in [h.attachment for h in inside.messages]
    await service.delete_thread(thread.id)
    assert (await search.search("photosynthesis")).messages == ()


async def test_a_backup_takes_the_files_along_and_a_restore_brings_them_back(
    service: ChatService, config: object
) -> None:
    from chatdesk.core.store.backup import make_backup
    from chatdesk.core.store.blob_copies import copy_blobs
    from chatdesk.core.store.blobs import BlobStore

    paths = config.paths  # type: ignore[attr-defined]
    photo = await service.attacher.attach_bytes("a.jpg", files.photo(800, 600, gps=False))
    report = await service.attacher.attach_bytes("r.pdf", files.pdf(["Some words"]))
    thread = await service.create_thread()
    await service.send(thread.id, "Look", attachments=[photo, report])
    target = paths.backups_dir / "chatdesk-test.db"
    make_backup(paths.database, target)
    kept = {sha for sha, _ in BlobStore(paths.backups_dir / "attachments").stored()}
    assert kept == {photo.sha256, photo.thumb, report.sha256}
    # The data folder loses a file; copying back from the backup's folder restores it whole.
    service.attacher.blobs.path(report.sha256).unlink()
    assert await service.attachments.check() == ([report.sha256], [])
    assert copy_blobs(target, paths.backups_dir / "attachments", paths.blobs_dir) == (1, [])
    assert await service.attachments.check() == ([], [])


async def test_files_only_rotated_away_backups_had_leave_the_backups_folder(
    service: ChatService, config: object, store: object
) -> None:
    """Day 1's backup holds a photo; the chat is deleted and purged; by day 3 rotation keeps
    one daily backup, which no longer refers to the photo, and the photo's copy goes (once it
    is older than the grace a backup being written elsewhere gets)."""
    import os
    from datetime import UTC, datetime, timedelta

    from chatdesk.core.chat.retention import purge_expired
    from chatdesk.core.store.blobs import BlobStore
    from chatdesk.core.store.rotation import RotationPolicy, automatic_backup

    paths = config.paths  # type: ignore[attr-defined]
    folder, policy = paths.backups_dir, RotationPolicy(daily=1, weekly=0)
    copies = BlobStore(folder / "attachments")
    photo = await service.attacher.attach_bytes("a.jpg", files.photo(800, 600, gps=False))
    report = await service.attacher.attach_bytes("r.pdf", files.pdf(["Kept all along"]))
    gone = await service.create_thread()
    await service.send(gone.id, "Look", attachments=[photo])
    kept = await service.create_thread()
    await service.send(kept.id, "Read", attachments=[report])
    day = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert automatic_backup(paths.database, folder, day, policy).made is not None
    assert copies.has(photo.sha256)

    await service.delete_thread(gone.id)
    await purge_expired(store, datetime.now(UTC) + timedelta(days=1))  # type: ignore[arg-type]
    two_hours_ago = datetime.now(UTC).timestamp() - 2 * 3600
    for sha256 in (photo.sha256, photo.thumb, report.sha256):
        os.utime(copies.path(sha256), (two_hours_ago, two_hours_ago))
    automatic_backup(paths.database, folder, day + timedelta(days=1), policy)
    done = automatic_backup(paths.database, folder, day + timedelta(days=2), policy)

    assert len(done.deleted) == 1
    assert {sha for sha, _ in copies.stored()} == {report.sha256}


async def test_backed_up_files_stay_while_a_database_in_the_backups_folder_cannot_be_read(
    service: ChatService, config: object
) -> None:
    from chatdesk.core.store.backup import make_backup
    from chatdesk.core.store.blob_copies import prune_copies
    from chatdesk.core.store.blobs import BlobStore

    paths = config.paths  # type: ignore[attr-defined]
    photo = await service.attacher.attach_bytes("a.jpg", files.photo(800, 600, gps=False))
    thread = await service.create_thread()
    await service.send(thread.id, "Look", attachments=[photo])
    backup = make_backup(paths.database, paths.backups_dir / "chatdesk-test.db")
    (paths.backups_dir / "a copy made by hand.db").write_bytes(b"not a database at all" * 100)
    backup.unlink()
    assert prune_copies(paths.backups_dir, keep_seconds=0) == 0
    assert BlobStore(paths.backups_dir / "attachments").has(photo.sha256)
    (paths.backups_dir / "a copy made by hand.db").unlink()
    assert prune_copies(paths.backups_dir, keep_seconds=0) == 2  # the photo and its thumbnail


async def test_save_as_writes_the_whole_file_or_leaves_the_old_one(
    tmp_path: Path, service: ChatService, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = files.pdf(["Some words"])
    report = await service.attacher.attach_bytes("r.pdf", document)
    thread = await service.create_thread()
    turn = await service.send(thread.id, "Look", attachments=[report])
    await service.wait_for_answer(turn.answer.id)
    assert turn.user_message is not None
    [attached] = turn.user_message.attachments
    folder = tmp_path / "saved"
    folder.mkdir()
    target = folder / "mine.pdf"
    target.write_bytes(b"the user's own file")

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(os, "fsync", disk_full)
        with pytest.raises(ChatdeskError, match=r"cannot save .*mine\.pdf: No space left"):
            await service.attachments.save(attached.id, target)
    assert target.read_bytes() == b"the user's own file"  # not cut short by the failure
    assert [p.name for p in folder.iterdir()] == ["mine.pdf"]  # nothing half-written left

    await service.attachments.save(attached.id, target)
    assert target.read_bytes() == document
    assert [p.name for p in folder.iterdir()] == ["mine.pdf"]


async def test_an_exported_thread_gives_its_files_back(
    tmp_path: Path, service: ChatService, store: object, reader: Reader
) -> None:
    from chatdesk.core.transfer.service import ExportFormat, Transfer

    photo = await service.attacher.attach_bytes("a.jpg", files.photo(800, 600, gps=False))
    document = files.pdf(["Some words"])
    report = await service.attacher.attach_bytes("r.pdf", document)
    thread = await service.create_thread()
    turn = await service.send(thread.id, "Look", attachments=[photo, report])
    await service.wait_for_answer(turn.answer.id)
    transfer = Transfer(store, reader)  # type: ignore[arg-type]
    exported = tmp_path / "thread.json"
    await transfer.export_thread(thread.id, ExportFormat.JSON, exported)
    page = tmp_path / "thread.html"
    await transfer.export_thread(thread.id, ExportFormat.HTML, page)
    assert '<img src="data:image/jpeg;base64,' in page.read_text(encoding="utf-8")

    # The files are lost here; importing the export brings them back, checked by their hash.
    blobs = service.attacher.blobs
    for _, path in list(blobs.stored()):
        path.unlink()
    await transfer.import_file(exported)
    assert blobs.read(report.sha256) == document
    assert blobs.has(photo.sha256)
    assert blobs.has(photo.thumb)
    assert await service.attachments.check() == ([], [])


async def test_a_document_too_long_for_the_model_goes_in_part_and_says_what_was_left_out(
    make_service: ServiceFactory,
) -> None:
    from chatdesk.core.chat.events import AnswerShortened, Event
    from tests.core.providers import ScriptedProvider

    provider = ScriptedProvider(["It covers ", "the first pages."])
    service = make_service(scripted=provider)
    heard: list[Event] = []
    service.events.subscribe(heard.append)
    lines = "\n".join(["figures and notes on the quarter, line by line"] * 30)
    pages = [f"Page {n} lists item {n}:\n{lines}" for n in range(1, 41)]
    report = await service.attacher.attach_bytes("report.pdf", files.pdf(pages))
    thread = await service.create_thread(provider="scripted", model="gpt-4o")
    await service.set_thread_context_window(thread.id, 4_000)  # about 3,000 for the request
    turn = await service.send(thread.id, "What does it cover?", attachments=[report])
    answer = await service.wait_for_answer(turn.answer.id)

    assert answer.status.value == "complete", answer.error_detail
    [request] = provider.requests
    sent = request.messages[-1].content
    assert sent.startswith("What does it cover?")
    assert "--- Page 1 ---\nPage 1 lists item 1" in sent
    assert "--- Page 40 ---" not in sent
    [shortened] = [e for e in heard if isinstance(e, AnswerShortened)]
    [left_out] = shortened.left_out
    first_left = int(left_out.split("pages ")[1].split("–")[0])
    assert left_out == f"report.pdf: pages {first_left}–40"
    assert f"--- Page {first_left - 1} ---" in sent
    assert f"[… pages {first_left}–40 left out here: the whole does not fit" in sent
    question = (await service.list_messages(thread.id)).messages[0]
    assert f"reads more of it: attachment id {question.attachments[0].id}.]" in sent
    # As much as fits: the room left is less than one more page (~300 tokens), and none over.
    import tiktoken

    encoding = tiktoken.get_encoding("o200k_base")
    room = 4_000 - 1_024  # the window less what is kept for the answer
    page = len(encoding.encode(f"--- Page 9 ---\n{pages[8]}\n\n"))
    assert room - page - 60 < len(encoding.encode(sent)) <= room
    stored = await service.attachment_text(question.attachments[0].id)
    assert "--- Page 40 ---" in stored  # the message keeps the whole document


async def test_a_question_too_long_even_without_its_documents_text_is_refused(
    make_service: ServiceFactory,
) -> None:
    from tests.core.providers import ScriptedProvider

    provider = ScriptedProvider(["never"])
    service = make_service(scripted=provider)
    report = await service.attacher.attach_bytes("report.pdf", files.pdf(["A short page"] * 3))
    thread = await service.create_thread(provider="scripted", model="gpt-4o")
    await service.set_thread_context_window(thread.id, 1_000)
    text = "Please review this log:\n" + "timeout on node 17, retrying\n" * 200
    turn = await service.send(thread.id, text, attachments=[report])
    answer = await service.wait_for_answer(turn.answer.id)
    assert provider.requests == []
    assert answer.error_type == "context_too_long"


async def test_the_read_attachment_tool_reads_what_was_left_out(service: ChatService) -> None:
    from chatdesk.core.tools.builtin import READ_ATTACHMENT
    from chatdesk.core.tools.model import Policy

    lines = "\n".join(["figures and notes on the quarter, line by line"] * 5)
    pages = [f"Page {n} lists item {n}:\n{lines}" for n in range(1, 13)]
    report = await service.attacher.attach_bytes("report.pdf", files.pdf(pages))
    log = await service.attacher.attach_bytes("build.log", b"step 1 ok\n" * 5_000)
    photo = await service.attacher.attach_bytes("a.jpg", files.photo(64, 48, gps=False))
    thread = await service.create_thread()
    first = await service.send(thread.id, "Files", attachments=[report, log, photo])
    await service.wait_for_answer(first.answer.id)
    question = (await service.list_messages(thread.id)).messages[0]
    ids = {view.name: str(view.id) for view in question.attachments}

    async def read(**arguments: object) -> tuple[bool, str]:
        box = service.tools.box
        outcome = await box.run(READ_ATTACHMENT, dict(arguments), seconds=30, max_chars=100_000)
        return outcome.is_error, outcome.text

    error, text = await read(attachment=ids["report.pdf"], pages="9-10")
    assert not error
    assert text.startswith("[report.pdf: 9–10 of 12]\n--- Page 9 ---\nPage 9 lists item 9")
    assert "--- Page 10 ---" in text
    assert "--- Page 11 ---" not in text
    assert await read(attachment=ids["report.pdf"], pages="13-14") == (
        True,
        "report.pdf has 12 pages, slides or sheets; ask for 1–12.",
    )
    error, text = await read(attachment=ids["build.log"], offset=49_990)
    assert (error, text) == (False, "[build.log: characters 49,990–50,000 of 50,000]\nstep 1 ok\n")
    assert (await read(attachment=ids["a.jpg"]))[0]
    assert await read(attachment="not an id") == (
        True,
        "There is no attachment with the id 'not an id'.",
    )

    # The model calls it like any tool: in a chat with chatdesk's tools on, by the rules.
    service.tools.policies.set("chatdesk", Policy.ALLOW)
    await service.set_thread_tools(thread.id, ["chatdesk"])
    ask = f"use the read_attachment tool with attachment={ids['report.pdf']} pages=12"
    turn = await service.send(thread.id, ask)
    answer = await service.wait_for_answer(turn.answer.id)
    assert "--- Page 12 ---" in answer.content


async def test_a_scans_pages_become_images_the_model_is_sent(
    make_service: ServiceFactory, config: Configuration
) -> None:
    from chatdesk.core.attach.attacher import NotAttached

    settings = dataclasses.replace(
        config.settings,
        attachments=dataclasses.replace(config.settings.attachments, scan_pages=2),
    )
    service = make_service(settings)
    scan = await service.attacher.attach_bytes("Signed contract.pdf", files.scanned_pdf(3))
    pages = await service.attacher.pages_as_images(scan)

    assert [(p.name, p.kind, p.mime) for p in pages] == [
        ("Signed contract page 1.jpg", "image", "image/jpeg"),
        ("Signed contract page 2.jpg", "image", "image/jpeg"),
    ]  # the first `scan_pages` of its 3
    assert all(
        service.attacher.blobs.has(p.sha256) and service.attacher.blobs.has(p.thumb) for p in pages
    )
    turn = await service.send_new("What does it say?", attachments=[scan, *pages])
    answer = await service.wait_for_answer(turn.answer.id)
    assert "I received 3 attachments" in answer.content
    assert "**Signed contract page 2.jpg**: an image, 1449×2048 pixels" in answer.content
    with pytest.raises(NotAttached, match="only a PDF's pages can be sent as images"):
        await service.attacher.pages_as_images(pages[0])
