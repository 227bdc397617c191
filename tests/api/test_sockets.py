"""A thread followed and continued over its WebSocket by real clients, beside the window."""

from __future__ import annotations

import uuid

import pytest

from chatdesk.core.config import MockSettings
from chatdesk.core.providers.mock import MockProvider
from tests.api.conftest import Served
from tests.api.sockets import answer_text, held_provider, joined, receive, send, until

TOKENS = ["A write", "-ahead log ", "keeps every ", "change ", "before it ", "lands."]


@pytest.mark.asyncio
async def test_a_message_sent_on_the_socket_is_created_then_streamed_and_kept(
    served: Served,
) -> None:
    thread = await served.core.service.create_thread()
    async with joined(served, thread.id) as socket:
        await send(socket, "SEND_MESSAGE", content="What is a WAL?", request_id="q1")
        created = await receive(socket)
        started = await receive(socket)
        ack = await receive(socket)
        text, end = await answer_text(socket, started["message_id"])
        updated = await receive(socket)
    assert created["type"] == "MESSAGE_CREATED"
    assert created["message"]["content"] == "What is a WAL?"
    assert created["message"]["role"] == "user"
    assert started["type"] == "STREAM_START"
    assert started["message"]["parent_id"] == created["message"]["id"]
    assert ack == {
        "type": "ACK",
        "request_id": "q1",
        "message_id": created["message"]["id"],
        "answer_id": started["message_id"],
    }
    assert end["status"] == "complete"
    assert end["usage"]["completion_tokens"] > 0
    assert updated["type"] == "MESSAGE_UPDATED"
    kept = await served.core.service.get_message(uuid.UUID(started["message_id"]))
    assert text == kept.content == updated["message"]["content"]
    assert text


@pytest.mark.asyncio
async def test_edit_regenerate_and_delete_change_the_thread_for_its_clients(
    served: Served,
) -> None:
    service = served.core.service
    thread = await service.create_thread()
    async with joined(served, thread.id) as socket:
        await send(socket, "SEND_MESSAGE", content="first question")
        ack, _ = await until(socket, "ACK")
        await until(socket, "MESSAGE_UPDATED")

        await send(socket, "EDIT_MESSAGE", message_id=ack["message_id"], content="asked again")
        edited, _ = await until(socket, "MESSAGE_CREATED")
        edit_ack, _ = await until(socket, "ACK")
        await until(socket, "MESSAGE_UPDATED")

        await send(socket, "REGENERATE", message_id=edit_ack["answer_id"], request_id="r")
        regenerated, _ = await until(socket, "STREAM_START")
        regenerate_ack, _ = await until(socket, "ACK")
        await until(socket, "MESSAGE_UPDATED")

        await send(socket, "DELETE_MESSAGE", message_id=edited["message"]["id"])
        deleted, _ = await until(socket, "MESSAGE_DELETED")
        await until(socket, "ACK")
    assert edited["message"]["content"] == "asked again"
    assert (edited["message"]["version"], edited["message"]["versions"]) == (2, 2)
    assert regenerate_ack["request_id"] == "r"
    assert regenerated["message_id"] == regenerate_ack["answer_id"] != edit_ack["answer_id"]
    assert regenerated["message"]["version"] == 2
    assert edited["message"]["id"] in deleted["message_ids"]
    assert regenerated["message_id"] in deleted["message_ids"]
    left = await service.existing_messages([uuid.UUID(i) for i in deleted["message_ids"]])
    assert left == set()


@pytest.mark.asyncio
async def test_stop_keeps_what_the_answer_had(served: Served) -> None:
    provider = held_provider(served, TOKENS, hold_after=3)
    thread = await served.core.service.create_thread()
    async with joined(served, thread.id) as socket:
        await send(socket, "SEND_MESSAGE", content="Explain the log")
        started, _ = await until(socket, "STREAM_START")
        await provider.held.wait()
        await send(socket, "STOP", message_id=started["message_id"], request_id="stop")
        text, end = await answer_text(socket, started["message_id"])
        ack, _ = await until(socket, "ACK")
    assert end["status"] == "interrupted"
    assert ack["request_id"] == "stop"
    kept = await served.core.service.get_message(uuid.UUID(started["message_id"]))
    assert kept.content == "".join(TOKENS[:3])
    assert text in ("", kept.content)  # the text may have been saved before a chunk was said


@pytest.mark.asyncio
async def test_two_clients_see_each_others_messages_and_typing_goes_to_the_other_only(
    served: Served,
) -> None:
    thread = await served.core.service.create_thread()
    async with joined(served, thread.id) as first, joined(served, thread.id) as second:
        await send(first, "TYPING_INDICATOR", typing=True)
        await send(first, "PING", request_id="after-typing")
        typing = await receive(second)
        pong = await receive(first)  # nothing came to `first` before its PONG: no TYPING

        await send(first, "SEND_MESSAGE", content="from the first")
        seen_by_second, _ = await until(second, "MESSAGE_CREATED")
        start, _ = await until(second, "STREAM_START")
        streamed_to_second, _ = await answer_text(second, start["message_id"])
        streamed_to_first, _ = await answer_text(first, start["message_id"])

        await send(second, "SEND_MESSAGE", content="from the second")
        seen_by_first, _ = await until(first, "MESSAGE_CREATED")

        await first.close()  # while still typing: the other is told it stopped
        stopped, _ = await until(second, "TYPING")
    assert typing["type"] == "TYPING"
    assert typing["typing"] is True
    assert pong == {"type": "PONG", "request_id": "after-typing"}
    assert seen_by_second["message"]["content"] == "from the first"
    assert streamed_to_second == streamed_to_first != ""
    assert seen_by_first["message"]["content"] == "from the second"
    assert stopped == {"type": "TYPING", "client": typing["client"], "typing": False}


@pytest.mark.asyncio
async def test_the_windows_own_send_reaches_every_socket_on_the_thread(served: Served) -> None:
    service = served.core.service
    thread = await service.create_thread()
    async with joined(served, thread.id) as first, joined(served, thread.id) as second:
        turn = await service.send(thread.id, "typed in the window")
        for socket in (first, second):
            created = await receive(socket)
            started = await receive(socket)
            text, end = await answer_text(socket, str(turn.answer.id))
            assert created["message"]["content"] == "typed in the window"
            assert started["message_id"] == str(turn.answer.id)
            assert end["status"] == "complete"
            kept = await service.get_message(turn.answer.id)
            assert text == kept.content


@pytest.mark.asyncio
async def test_a_client_that_drops_mid_answer_finds_the_whole_answer_after_reconnecting(
    served: Served,
) -> None:
    provider = held_provider(served, TOKENS, hold_after=2)
    service = served.core.service
    thread = await service.create_thread()
    async with joined(served, thread.id) as socket:
        await send(socket, "SEND_MESSAGE", content="Tell me about logs")
        ack, _ = await until(socket, "ACK")
        await provider.held.wait()
    # The asking client is gone; the answer goes on without it.
    async with joined(served, thread.id) as socket:
        provider.gate.set()
        text, end = await answer_text(socket, ack["answer_id"])
    assert end["status"] == "complete"
    page = await service.list_messages(thread.id)
    answer = page.messages[-1]
    assert str(answer.id) == ack["answer_id"]
    assert answer.content == "".join(TOKENS)
    assert answer.content.endswith(text)


@pytest.mark.asyncio
async def test_a_message_of_another_thread_is_not_found_from_this_one(served: Served) -> None:
    service = served.core.service
    other = await service.send_new("elsewhere")
    await service.wait_for_answer(other.answer.id)
    thread = await service.create_thread()
    async with joined(served, thread.id) as socket:
        await send(socket, "DELETE_MESSAGE", message_id=str(other.answer.id), request_id="d")
        error = await receive(socket)
    assert error["type"] == "ERROR"
    assert error["request_id"] == "d"
    assert error["code"] == "NotFound"
    assert await service.existing_messages([other.answer.id]) == {other.answer.id}


@pytest.mark.asyncio
async def test_an_answer_that_fails_ends_with_its_error_and_what_it_had(served: Served) -> None:
    failing = MockProvider(MockSettings(tokens_per_second=0, fault="error_after:3"))
    served.core.insides.providers.put(failing)
    thread = await served.core.service.create_thread()
    async with joined(served, thread.id) as socket:
        await send(socket, "SEND_MESSAGE", content="Explain the log")
        started, _ = await until(socket, "STREAM_START")
        text, end = await answer_text(socket, started["message_id"])
        updated = await receive(socket)
    assert end["status"] == "error"
    assert updated["message"]["status"] == "error"
    assert "failed after 3 tokens" in updated["message"]["error_detail"]
    assert updated["message"]["content"] == text != ""
