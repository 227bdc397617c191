"""The words chatdesk stores, syncs and prints for its states and error kinds stay the same:
databases, teammates' chatdeskes and scripts reading the CLI's output hold them."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from chatdesk.core.attach.model import DOCUMENT, IMAGE, TEXT
from chatdesk.core.kinds import AttachmentKind, ChatErrorKind, Status
from chatdesk.core.providers.base import ErrorKind
from chatdesk.core.service import ChatService
from chatdesk.core.store import Store
from chatdesk.core.store.models import Message
from chatdesk.core.sync.base import OpState
from chatdesk.core.views import SyncState


def test_team_sync_states_keep_the_words_the_cli_prints() -> None:
    assert [state.value for state in SyncState] == [
        "off",
        "up to date",
        "syncing",
        "offline",
        "error",
    ]


def test_attachment_kinds_keep_the_text_the_database_and_exports_hold() -> None:
    assert {kind.name: kind.value for kind in AttachmentKind} == {
        "PASTE": "paste",
        "FILE": "file",
        "DOCUMENT": "document",
        "IMAGE": "image",
    }
    # The reading child answers in plain text, the same words.
    assert (IMAGE, DOCUMENT, TEXT) == ("image", "document", "file")
    assert not any(isinstance(kind, AttachmentKind) for kind in (IMAGE, DOCUMENT, TEXT))


def test_outbox_states_keep_the_text_the_database_holds() -> None:
    assert [state.value for state in OpState] == ["pending", "rejected"]


def test_error_kinds_keep_the_text_answers_store() -> None:
    assert {kind.name: kind.value for kind in ChatErrorKind} == {
        "STOPPED": "stopped",
        "TOOL_ROUNDS": "tool_rounds",
        "APP_EXIT": "app_exit",
        "MESSAGE_TOO_LONG": "context_too_long",
        "IMAGES_NOT_TAKEN": "images_not_taken",
        "CAP_REACHED": "cap_reached",
        "INVALID": "invalid",
        "INTERNAL": "internal",
        "INCOMPLETE": "incomplete",
        "CHATGPT": "chatgpt",
    }
    # One column holds both enums' values: a kind must mean one thing.
    assert not {kind.value for kind in ChatErrorKind} & {kind.value for kind in ErrorKind}


@pytest.mark.asyncio
async def test_an_error_kind_unknown_here_is_read_and_kept_as_stored(
    service: ChatService, store: Store
) -> None:
    """A newer chatdesk's kind (synced from a teammate, or in a restored database) is shown as
    it was stored, not refused."""
    thread = await service.create_thread()
    turn = await service.send(thread.id, "hello")
    await service.wait_for_answer(turn.answer.id)
    await store.write(
        lambda s: s.execute(
            update(Message)
            .where(Message.id == turn.answer.id)
            .values(status=Status.ERROR, error_type="a_kind_from_a_newer_chatdesk")
        )
    )

    [_, answer] = (await service.list_messages(thread.id)).messages

    assert (answer.status, answer.error_type) == (Status.ERROR, "a_kind_from_a_newer_chatdesk")
