"""The team server, over psycopg: which teams I am in, push ops, pull a team's changes.

Blocking calls, made from the sync worker's thread (never the asyncio loop). Every statement
runs as the user's own login role and calls one of the server's functions, which check that
the user is in the team before they touch its rows (decisions 0018 and 0023); nothing here
filters for safety.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chatdesk.core.i18n import tr
from chatdesk.core.sync import rows as wire
from chatdesk.core.sync import statements as sql
from chatdesk.core.sync.base import (
    PendingOp,
    SyncRefused,
    SyncShutOut,
    SyncUnavailable,
    Team,
    is_transient,
)

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger("chatdesk.sync")

PROTOCOL = 4
PAGE = 2_000
Row = dict[str, Any]


class FilesUnsupported(Exception):
    """The team server has no place for attachments' files yet (its schema is older)."""


@dataclass(frozen=True)
class LostEdit:
    op_seq: int
    group: str
    kept: Row
    kept_by: str | None


@dataclass
class PushResult:
    done: list[int] = field(default_factory=list)  # applied, or seen before
    rejected: dict[int, str] = field(default_factory=dict)  # op_seq → why
    lost: list[LostEdit] = field(default_factory=list)
    left: set[uuid.UUID] = field(default_factory=set)  # teams of refused ops I am no longer in


# -- the connection ------------------------------------------------------------------------------


def _wire(row: Row) -> Row:
    """Server values as the local side writes them: ids and times as text, times in UTC."""
    out: Row = {}
    for key, value in row.items():
        if isinstance(value, uuid.UUID):
            out[key] = str(value)
        elif isinstance(value, datetime):
            out[key] = value.astimezone(UTC).isoformat()
        else:
            out[key] = value
    return out


class Remote:
    """One open connection to the team server as this user, speaking `protocol` (this
    chatdesk's, `PROTOCOL`; a test sets an older one to play an older chatdesk)."""

    def __init__(self, connection: psycopg.Connection[Any], protocol: int = PROTOCOL) -> None:
        self.connection = connection
        self.protocol = protocol

    @classmethod
    def open(
        cls, conninfo: str, password: str | None, timeout: float = 10.0, protocol: int = PROTOCOL
    ) -> Remote:
        import psycopg

        try:
            connection = psycopg.connect(
                conninfo,
                password=password,
                connect_timeout=max(1, int(timeout)),
                application_name="chatdesk",
                # Every sync query goes by key or by a team's version index. A team's tables
                # start empty and grow in bursts (sharing a long thread), and PostgreSQL plans
                # a foreign-key check once per session: with statistics that still say
                # "empty" it picks a sequential scan, and each insert then reads the whole
                # table. Sequential scans are never the plan sync wants.
                options="-c TimeZone=UTC -c enable_seqscan=off",
            )
        except psycopg.OperationalError as error:
            text = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            if "password authentication failed" in text or "no password supplied" in text:
                raise SyncRefused(
                    tr(
                        "the team server refused the login: {text}. Set the password with "
                        "`chatdesk sync login` (or in ~/.pgpass)",
                        text=text,
                    )
                ) from error
            if "is not permitted to log in" in text:  # removed from every team
                raise SyncShutOut(
                    tr(
                        "the team server no longer lets this login in: it was taken out of "
                        "every team (or disabled). The team's chats left this machine; "
                        "changes that had not reached the team are listed as refused. Ask "
                        "the team's administrator to add you again."
                    )
                ) from error
            raise SyncUnavailable(tr("cannot reach the team server: {text}", text=text)) from error
        remote = cls(connection, protocol)
        try:
            remote.check_protocol()
        except BaseException:
            connection.close()
            raise
        return remote

    def close(self) -> None:
        self.connection.close()

    def listener(self) -> psycopg.Connection[Any]:
        """A second connection, listening for the server's "a team changed" notifications."""
        import psycopg

        info = self.connection.info
        listening = psycopg.connect(
            info.dsn,
            password=info.password,
            autocommit=True,
            connect_timeout=10,
            application_name="chatdesk-listen",
        )
        listening.execute("LISTEN chatdesk")
        return listening

    def check_protocol(self) -> None:
        with self.connection.transaction():
            row = self._one("SELECT min_protocol, max_protocol FROM chat.sync_meta WHERE id = 1")
        low, high = int(row[0]), int(row[1])
        if low > self.protocol:
            raise SyncRefused(
                tr(
                    "the team server speaks sync protocol {low}–{high}; this chatdesk "
                    "speaks {protocol}. Update chatdesk to sync again (your work stays "
                    "on this computer).",
                    low=low,
                    high=high,
                    protocol=self.protocol,
                )
            )
        if high < self.protocol:
            raise SyncRefused(
                tr(
                    "the team server is older than this chatdesk (it speaks sync "
                    "protocol {high}, this chatdesk {protocol}): its administrator "
                    "brings it up to date with `chatdesk server init`. Your work stays "
                    "on this computer until then.",
                    high=high,
                    protocol=self.protocol,
                )
            )

    def teams(self) -> list[Team]:
        with self.connection.transaction():
            rows = self.connection.execute(
                "SELECT id, name, role FROM chat.my_teams() ORDER BY name"
            ).fetchall()
        return [Team(row[0], row[1], row[2]) for row in rows]

    # -- push ------------------------------------------------------------------------------------

    def push(self, ops: list[PendingOp]) -> PushResult:
        """Apply `ops` in one transaction; ops the server saw before are skipped, ops it refuses
        are reported and skipped (the rest still go in). Raises on a transport failure, after
        which nothing of this push is committed."""
        import psycopg

        try:
            return self._push(ops, one_by_one=False)
        except psycopg.Error as error:
            if is_transient(error):
                raise
        # The server refused one of them: again, each op on its own, to know which.
        return self._push(ops, one_by_one=True)

    def _push(self, ops: list[PendingOp], *, one_by_one: bool) -> PushResult:
        result = PushResult()
        last: dict[str, int] = {}
        with self.connection.transaction():
            for node in dict.fromkeys(op.node_id for op in ops):
                last[node] = self._claim(node)
            todo = []
            for op in ops:
                if op.op_seq <= last[op.node_id]:
                    result.done.append(op.op_seq)  # seen before: its acknowledgement was lost
                else:
                    todo.append(op)
            if one_by_one:
                self._apply_one_by_one(todo, result)
                result.left = self._teams_left(todo, result)
            else:
                self._apply_all(todo)  # all in the transaction itself: one clock version
                result.done += [op.op_seq for op in todo]
            for op in todo:
                if not op.tombstone and op.entity != "message" and op.op_seq in result.done:
                    self._check_lost(op, result)
                last[op.node_id] = max(last[op.node_id], op.op_seq)
            for node, seq in last.items():
                self.connection.execute("SELECT chat.ack_node(%s, %s)", (uuid.UUID(node), seq))
        return result

    def _apply_all(self, ops: list[PendingOp]) -> None:
        """Every op, in order, one call per run of same-kind ops."""
        start = 0
        while start < len(ops):
            kind = (ops[start].entity, ops[start].tombstone)
            end = start
            while end < len(ops) and (ops[end].entity, ops[end].tombstone) == kind:
                end += 1
            query = sql.BURY[kind[0]] if kind[1] else sql.PUT[kind[0]]
            self.connection.execute(query, (sql.batch_of([sql.sent(op) for op in ops[start:end]]),))
            start = end
        revisions = [r for op in ops for r in sql.revisions(op)]
        if revisions:
            self.connection.execute(sql.REVISIONS, (sql.batch(revisions),))

    def _apply_one_by_one(self, ops: list[PendingOp], result: PushResult) -> None:
        import psycopg

        for op in ops:
            try:
                with self.connection.transaction():
                    self._apply_all([op])
            except psycopg.Error as error:
                if is_transient(error):
                    raise
                reason = (getattr(error, "diag", None) and error.diag.message_primary) or str(error)
                result.rejected[op.op_seq] = str(reason)
                log.warning("team server refused op %d: %s", op.op_seq, reason)
            else:
                result.done.append(op.op_seq)

    def _teams_left(self, ops: list[PendingOp], result: PushResult) -> set[uuid.UUID]:
        """The teams of the refused ops that this login is no longer in (taken out since the
        round read its teams): read in the push's own transaction."""
        refused = {op.team_id for op in ops if op.op_seq in result.rejected}
        if not refused:
            return set()
        return refused - {team.id for team in self.teams()}

    def _claim(self, node: str) -> int:
        """The last op of `node` the server has, locked until this push commits."""
        import psycopg

        try:
            found = self._one("SELECT chat.claim_node(%s, %s)", (uuid.UUID(node), self.protocol))
        except psycopg.errors.InsufficientPrivilege as error:
            raise SyncRefused(
                tr(
                    "the team server says this login is in no team any more: nothing "
                    "more is sent from here until an administrator adds you to a team "
                    "again"
                )
            ) from error
        return int(found[0])

    def _check_lost(self, op: PendingOp, result: PushResult) -> None:
        """Whether a newer edit from someone else kept its value over this op's."""
        groups = [g for g in op.groups if g not in ("created", "deleted")]
        if not groups:
            return
        found = self.connection.execute(sql.NOW[op.entity], (op.team_id, op.entity_id))
        names = [column.name for column in found.description or ()]
        row = found.fetchone()
        if row is None:
            return
        server = _wire(dict(zip(names, row, strict=True)))
        for group in groups:
            hlc = wire.hlc_column(group)
            if server[hlc] == op.row[hlc]:
                continue
            author = self._one(
                "SELECT chat.revision_author(%s, %s, %s, %s, %s)",
                (op.team_id, op.entity, op.entity_id, group, server[hlc]),
            )[0]
            result.lost.append(LostEdit(op.op_seq, group, server, author))

    # -- files ------------------------------------------------------------------------------------

    def files_missing(self, team_id: uuid.UUID, digests: list[str]) -> set[str]:
        """Which of `digests` the team's server does not hold. FilesUnsupported when the
        server is older than team files."""
        with self._files():
            rows = self.connection.execute(
                "SELECT chat.files_missing(%s, %s)", (team_id, digests)
            ).fetchall()
        return {str(row[0]) for row in rows}

    def put_file(self, team_id: uuid.UUID, digest: str, data: bytes) -> str:
        """Store a file for the team: "stored", "known" or "over quota"."""
        with self._files():
            row = self.connection.execute(
                "SELECT chat.put_file(%s, %s, %s)", (team_id, digest, data)
            ).fetchone()
        return str(row[0]) if row else "stored"

    def get_file(self, team_id: uuid.UUID, digest: str) -> bytes | None:
        with self._files():
            row = self.connection.execute(
                "SELECT chat.get_file(%s, %s)", (team_id, digest)
            ).fetchone()
        return bytes(row[0]) if row and row[0] is not None else None

    @contextlib.contextmanager
    def _files(self) -> Iterator[None]:
        import psycopg

        try:
            with self.connection.transaction():
                yield
        except psycopg.errors.UndefinedFunction as error:
            raise FilesUnsupported(
                tr(
                    "the team server is older than team files: attachments' files are "
                    "not shared until its administrator runs `chatdesk server init` "
                    "again"
                )
            ) from error

    # -- pull ------------------------------------------------------------------------------------

    def pull(
        self, team_id: uuid.UUID, cursor: int, node: str = "", page: int = PAGE
    ) -> Iterator[Page]:
        """The team's rows changed after `cursor`, threads first, then messages parents first,
        then summaries, all from one snapshot; messages written only by `node` (this launch)
        are left out. The last page carries the new cursor."""
        with self.connection.transaction():
            self.connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            found = self.connection.execute(
                "SELECT version, purged_below FROM chat.team_version(%s)", (team_id,)
            ).fetchone()
            if found is None:
                return  # no longer a member since the teams were read: the next round forgets it
            high, purged_below = int(found[0]), int(found[1])
            resync = 0 < cursor < purged_below
            if resync:
                cursor, node = 0, ""  # everything, this launch's own messages included
            if high <= cursor:
                return
            yield Page(
                "thread", self._rows(sql.PULL_THREADS, (team_id, cursor, high)), None, resync
            )
            depth, last = -1, uuid.UUID(int=0)
            while True:
                mine = f"%.{node}" if node else "-"  # "-": matches no HLC
                query = {
                    "team": team_id,
                    "low": cursor,
                    "high": high,
                    "depth": depth,
                    "last": last,
                    "mine": mine,
                    "page": page,
                    "speaks": self.protocol,
                }
                rows = self._rows(sql.PULL_MESSAGES, query)
                if not rows:
                    break
                yield Page("message", rows, None, resync)
                depth, last = rows[-1]["depth"], uuid.UUID(rows[-1]["id"])
            last = uuid.UUID(int=0)
            while True:
                rows = self._rows(sql.PULL_SUMMARIES, (team_id, cursor, high, last, page))
                if not rows:
                    break
                yield Page("summary", rows, None, resync)
                last = uuid.UUID(rows[-1]["id"])
            yield Page("summary", [], high, resync)

    def _rows(self, query: str, params: tuple[Any, ...] | dict[str, Any]) -> list[Row]:
        found = self.connection.execute(query, params)
        names = [column.name for column in found.description or ()]
        return [_wire(dict(zip(names, row, strict=True))) for row in found.fetchall()]

    def _one(self, query: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...]:
        row = self.connection.execute(query, params).fetchone()
        if row is None:
            raise SyncRefused(
                tr("the team server has no answer to {query}", query=repr(query.split()[1]))
            )
        return tuple(row)


@dataclass(frozen=True)
class Page:
    entity: str
    rows: list[Row]
    cursor: int | None  # set on the last page: where the team's cursor moves when it is applied
    resync: bool  # the cursor was older than the server keeps tombstones: everything is here
