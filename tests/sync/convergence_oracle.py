"""The oracle of the convergence test (test_convergence.py): what must hold after quiescence,
in each team, given what the reference model recorded."""

from __future__ import annotations

import uuid
from typing import Any

from tests.sync.client import Client
from tests.sync.conftest import SyncDatabase, Team
from tests.sync.convergence_model import (
    THREAD_GROUPS,
    Delete,
    MessageState,
    ModelSummary,
    ModelThread,
    PartsWrite,
    Posted,
    Refused,
    check_field,
    copy_state,
    differing,
    local_parts,
    local_state,
    local_summaries,
    outbox,
    refused_ops,
    server_parts,
    server_state,
    server_summaries,
)


class Oracle:
    """The checks, over the state the machine keeps (see test_convergence.py)."""

    db: SyncDatabase
    clients: list[Client]
    threads: dict[uuid.UUID, ModelThread]
    posted: dict[uuid.UUID, Posted]
    deleted_messages: dict[uuid.UUID, list[Delete]]
    summaries: dict[uuid.UUID, ModelSummary]
    copies: dict[tuple[int, uuid.UUID], Any]
    exposed: dict[tuple[int, uuid.UUID], list[tuple[int, float]]]
    protocols: list[int]
    parts_writes: dict[uuid.UUID, list[PartsWrite]]

    def teams(self) -> list[Team]:
        raise NotImplementedError

    def outside(self, team: Team) -> set[int]:
        raise NotImplementedError

    def in_team(self, client: Client, team: Team | None = None) -> bool:
        raise NotImplementedError

    def check(self) -> None:
        # refused ops: only a member taken out of a team, only what it had not pushed yet
        refused: Refused = set()
        created: set[tuple[str, uuid.UUID]] = set()
        for i, client in enumerate(self.clients):
            pending, _ = outbox(client)
            assert pending == 0, f"client {i}: {pending} ops still pending after quiescence"
            seqs, wrote, made = refused_ops(client)
            shown = client.engine.rejected()
            assert sorted(seq for seq, _ in seqs) == [seq for seq, _, _ in shown]
            assert all(why for _, _, why in shown), f"client {i}: a refusal without a reason"
            outside = [
                seq
                for seq, team_id in seqs
                if not any(lo <= seq <= hi for lo, hi in self.exposed.get((i, team_id), []))
            ]
            assert not outside, (
                f"client {i}: the server refused ops (lost writes) {outside} "
                f"(membership windows {self.exposed}): {shown}"
            )
            refused |= wrote
            created |= made
        for team in self.teams():
            self.check_team(team, refused, created)

        # personal threads stay on their machine; a copy whose sharing stopped takes nothing
        # from the team any more
        for i, client in enumerate(self.clients):
            personal, _ = local_state(client, None)
            mine = {
                t.id
                for t in self.threads.values()
                if (not t.shared and t.owner == i) or i in t.unshared_on
            }
            assert set(personal) == mine, f"client {i}'s personal threads changed"
        for (i, thread_id), copy in self.copies.items():
            now = copy_state(self.clients[i], thread_id)
            assert now == copy, (
                f"client {i}'s own copy of thread {thread_id} changed through sync:\n"
                f"  was: {copy}\n  now: {now}"
            )
        for i, client in enumerate(self.clients):
            others = {t.id for t in self.threads.values() if not t.shared and t.owner != i}
            for team in self.teams():
                assert not others & set(local_state(client, team.id)[0]), (
                    f"client {i} holds another's personal thread"
                )

    def check_team(self, team: Team, refused: Refused, created: set[tuple[str, uuid.UUID]]) -> None:
        """The invariants 1–6 for one team."""
        server_threads, server_messages, clocks = server_state(self.db, team.id)
        self.check_clients(team, server_threads, server_messages)

        # 2 + 4. every shared field holds its newest write; deletes and restores included
        shared = {t.id: t for t in self.threads.values() if t.shared and t.team_id == team.id}
        kept = {
            t
            for t, model in shared.items()
            if any(
                ("thread", t, group, w.hlc) not in refused
                for group in THREAD_GROUPS
                for w in model.writes[group]
            )
        }
        assert kept <= set(server_threads) <= set(shared), (
            f"server threads {sorted(map(str, server_threads))} are not the shared ones "
            f"{sorted(map(str, shared))} (of which these must be there: {sorted(map(str, kept))})"
        )
        for thread_id in server_threads:
            model = shared[thread_id]
            values = dict(zip(THREAD_GROUPS, server_threads[thread_id], strict=True))
            for group in THREAD_GROUPS:
                got = (values[group], clocks[thread_id][group])
                check_field(got, model.writes[group], refused, ("thread", thread_id, group))

        expected = self.check_messages(shared, server_threads, server_messages, refused, created)
        self.check_summaries(team, server_threads, server_messages, expected, refused, created)
        self.check_parts(team, server_messages, refused)

        # 3. no duplicates: each text a user posted appears once
        questions = {p.content for p in self.posted.values() if p.role == "user"}
        assert len(questions) == len([p for p in self.posted.values() if p.role == "user"])
        for where, messages in [("server", server_messages)] + [
            (f"client {i}", local_state(c, team.id)[1]) for i, c in enumerate(self.clients)
        ]:
            texts = [content for _, _, content in messages.values() if content in questions]
            assert len(texts) == len(set(texts)), (
                f"{where} holds duplicate messages: {sorted(texts)}"
            )

    def check_clients(self, team: Team, server_threads: Any, server_messages: MessageState) -> None:
        """1. convergence: every client in the team holds exactly the server's team state, but
        for the threads it stopped sharing; one out of the team holds nothing of it."""
        server_summary, _ = server_summaries(self.db, team.id, server_messages)
        for i, client in enumerate(self.clients):
            threads, messages = local_state(client, team.id)
            if i in self.outside(team):
                assert not threads, f"client {i} is out of the team and holds its threads"
                assert not self.in_team(client, team), f"client {i} is out, still lists it"
                continue
            mine = {t for t in server_threads if i not in self.threads[t].unshared_on}
            theirs = {t: v for t, v in server_threads.items() if t in mine}
            assert threads == theirs, (
                f"client {i}'s team threads differ from the server's:\n"
                f"  client: {threads}\n  server: {theirs}"
            )
            visible = {m: v for m, v in server_messages.items() if v[0] in mine}
            missing = set(visible) - set(messages)
            extra = set(messages) - set(visible)
            assert messages == visible, (
                f"client {i}'s team messages differ from the server's: missing "
                f"{[visible[m] for m in missing]}, extra {[messages[m] for m in extra]}, "
                f"different {differing(messages, visible)}"
            )
            summaries = local_summaries(client, set(threads))
            expected_here = {s: v for s, v in server_summary.items() if v[0] in mine}
            assert summaries == expected_here, (
                f"client {i}'s summaries differ from the server's:\n"
                f"  client: {summaries}\n  server: {expected_here}"
            )

    def check_messages(
        self,
        shared: dict[uuid.UUID, ModelThread],
        server_threads: Any,
        server_messages: MessageState,
        refused: Refused,
        created: set[tuple[str, uuid.UUID]],
    ) -> MessageState:
        """2 + 4. messages: everything posted in a shared thread and not deleted (itself or an
        ancestor) is there; nothing else is. A refused create or delete may have landed or
        not. The messages that must be there."""

        def fate(message_id: uuid.UUID | None) -> bool | None:
            """Alive for sure (True), dead (False), or either (None)."""
            result: bool | None = True
            while message_id is not None:
                deletes = self.deleted_messages.get(message_id, [])
                deleted = sure(deletes, "message", message_id, refused)
                if deleted:
                    return False
                if deleted is None or ("message", message_id) in created:
                    result = None
                message_id = self.posted[message_id].parent_id
            return result

        fates = {
            mid: fate(mid)
            for mid, p in self.posted.items()
            if p.thread_id in shared and not p.private
        }
        expected = {
            mid: (p.thread_id, p.parent_id, p.content)
            for mid, p in self.posted.items()
            if fates.get(mid) is True and p.thread_id in server_threads
        }
        lost = set(expected) - set(server_messages)
        assert not lost, f"lost messages: {[expected[m] for m in lost]}"
        back = {m for m in set(server_messages) - set(expected) if fates.get(m) is not None}
        assert not back, (
            f"messages that should not be there (deleted?): {[server_messages[m] for m in back]}"
        )
        for mid, found in server_messages.items():
            p = self.posted[mid]
            assert found[:2] == (p.thread_id, p.parent_id), (
                f"message {mid} is {found} on the server, posted as {p}"
            )
            if mid not in self.parts_writes:  # a continued answer grew: its text is checked
                assert found[2] == p.content, f"message {mid} is {found}, posted as {p}"
        return expected

    def check_summaries(
        self,
        team: Team,
        server_threads: Any,
        server_messages: MessageState,
        expected: MessageState,
        refused: Refused,
        created: set[tuple[str, uuid.UUID]],
    ) -> None:
        """5. summaries: those of team threads, not deleted, covering a visible message, with
        their newest content; a deleted one never comes back."""
        server_summary, summary_clocks = server_summaries(self.db, team.id, server_messages)
        for summary_id, (thread_id, covers, _) in server_summary.items():
            model = self.summaries.get(summary_id)
            assert model is not None, f"summary {summary_id} on the server was never made"
            assert model.writes, f"summary {summary_id} on the server was never the team's"
            assert not model.private, f"summary {summary_id} was made in a copy, not shared"
            assert (model.thread_id, model.covers) == (thread_id, covers)
            assert sure(model.deletes, "summary", summary_id, refused) is not True, (
                f"summary {summary_id} was deleted ({model.deletes}) and came back"
            )
            got = (server_summary[summary_id][2], summary_clocks[summary_id])
            check_field(got, model.writes, refused, ("summary", summary_id, "content"))
        for summary_id, model in self.summaries.items():
            required = (
                model.writes
                and not model.private
                and model.thread_id in server_threads
                and ("summary", summary_id) not in created
                and sure(model.deletes, "summary", summary_id, refused) is False
                and model.covers in expected
            )
            assert not required or summary_id in server_summary, (
                f"lost summary {summary_id} of thread {model.thread_id}: {model}"
            )

    def check_parts(self, team: Team, server_messages: MessageState, refused: Refused) -> None:
        """6. mixed protocols: every part of a newer kind (a source) that a chatdesk of
        protocol 4 put on a message, and no later one of protocol 4 removed, is on the server
        and on every protocol-4 client in the team; a protocol-3 client holds the message's
        text (1.) and none of those parts."""
        watched = {m for m in server_messages if m in self.parts_writes}
        if not watched:
            return
        on_server = server_parts(self.db, watched)
        for message_id in watched:
            kept = [
                w
                for w in self.parts_writes[message_id]
                if ("message", message_id, "content", w.hlc) not in refused
            ]
            if not kept:
                continue  # every protocol-4 write of it was refused: nothing is owed
            newest = max(kept, key=lambda w: w.hlc)
            assert on_server[message_id] == newest.parts, (
                f"message {message_id} holds parts {sorted(map(str, on_server[message_id]))} "
                f"on the server, not {sorted(map(str, newest.parts))} of its newest protocol-4 "
                f"write {newest} (all: {self.parts_writes[message_id]})"
            )
        for i, client in enumerate(self.clients):
            if i in self.outside(team):
                continue
            here = local_parts(client, watched & set(local_state(client, team.id)[1]))
            for message_id, parts in here.items():
                if self.protocols[i] == 3:
                    assert not parts, f"client {i} of protocol 3 holds parts it cannot read"
                else:
                    assert parts == on_server[message_id], (
                        f"client {i}'s parts of message {message_id} differ from the server's"
                    )


def sure(deletes: list[Delete], entity: str, entity_id: uuid.UUID, refused: Refused) -> bool | None:
    """Deleted for sure (True), perhaps (None: every delete refused), or not (False)."""
    if not deletes:
        return False
    if any(d.hlc is None or (entity, entity_id, "deleted", d.hlc) not in refused for d in deletes):
        return True
    return None
