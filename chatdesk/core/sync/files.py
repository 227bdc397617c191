"""The files of attachments in shared threads, carried through the team server.

Attachment rows travel inside their messages' parts; their files (an image, its thumbnail, a
document's bytes) are carried here, after each round's push and after each team's pull: the
files a team's threads refer to that the server lacks are uploaded from this computer's blob
store, and those missing here that the server has are fetched, checked against their hash and
stored. Files the server said it holds are not asked about again for an hour. A team over
its quota on the server keeps its messages; the files that did not fit are said in the round's
status. A server older than team files is told once in the log, and sync goes on without them.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from chatdesk.core.store.blobs import BlobDamaged, BlobMissing, BlobStore, digest
from chatdesk.core.store.models import Attachment, Message, MessagePart, PartKind, Thread
from chatdesk.core.store.store import Store

if TYPE_CHECKING:
    from chatdesk.core.sync.remote import Remote

log = logging.getLogger("chatdesk.sync")

ASK_AT_ONCE = 500  # hashes per question to the server
RECHECK = 3600.0  # seconds a file the server said it holds is not asked about again


class TeamFiles:
    def __init__(self, store: Store, blobs: BlobStore) -> None:
        self._store = store
        self.blobs = blobs
        self.unsupported = False  # the server has no place for files: not asked again
        self.over_quota: dict[uuid.UUID, int] = {}  # team → files that did not fit, last round
        # Per team, the files the server said it holds, and since when: not asked about again
        # for `RECHECK` seconds (a file leaves the server only when an administrator purges
        # the messages that referred to it, so a later message reusing it is uploaded again).
        self._on_server: dict[uuid.UUID, tuple[float, set[str]]] = {}

    def push(self, remote: Remote, team_id: uuid.UUID) -> None:
        """Upload the team's files the server lacks (those this computer has)."""
        from chatdesk.core.sync.remote import FilesUnsupported

        if self.unsupported:
            return
        known = self._known(team_id)
        wanted = self._store.read_now(lambda s: _team_files(s, team_id))
        held = [h for h in sorted(wanted - known) if self.blobs.has(h)]
        refused = 0
        try:
            for sha256 in self._missing(remote, team_id, held, known):
                try:
                    data = self.blobs.read(sha256)
                except (BlobMissing, BlobDamaged):
                    continue  # gone or damaged here: another teammate may have it
                if remote.put_file(team_id, sha256, data) == "over quota":
                    refused += 1
                else:
                    known.add(sha256)
        except FilesUnsupported as error:
            self._unsupported(error)
            return
        self.over_quota[team_id] = refused
        if refused:
            log.warning("%d file(s) of team %s are over its quota on the server", refused, team_id)

    def pull(self, remote: Remote, team_id: uuid.UUID) -> None:
        """Fetch the team's files this computer lacks (those the server has)."""
        from chatdesk.core.sync.remote import FilesUnsupported

        if self.unsupported:
            return
        known = self._known(team_id)
        wanted = self._store.read_now(lambda s: _team_files(s, team_id))
        lacking = sorted(h for h in wanted if not self.blobs.has(h))
        try:
            asked = [h for h in lacking if h not in known]
            absent = set(self._missing(remote, team_id, asked, known))
            for sha256 in (h for h in lacking if h not in absent):
                data = remote.get_file(team_id, sha256)
                if data is None:  # gone since it was asked about: shown as missing
                    continue
                if digest(data) != sha256:
                    log.warning("the team server's file %s is damaged; not kept", sha256[:12])
                    continue
                self.blobs.put(data)
        except FilesUnsupported as error:
            self._unsupported(error)

    def _known(self, team_id: uuid.UUID) -> set[str]:
        kept = self._on_server.get(team_id)
        if kept is None or time.monotonic() - kept[0] > RECHECK:
            kept = self._on_server[team_id] = (time.monotonic(), set())
        return kept[1]

    @staticmethod
    def _missing(
        remote: Remote, team_id: uuid.UUID, hashes: list[str], known: set[str]
    ) -> list[str]:
        """Which of `hashes` the server lacks (not uploaded yet, or over the quota), asked
        `ASK_AT_ONCE` at a time; the others are added to `known`."""
        missing: list[str] = []
        for start in range(0, len(hashes), ASK_AT_ONCE):
            asked = hashes[start : start + ASK_AT_ONCE]
            lacked = remote.files_missing(team_id, asked)
            known.update(h for h in asked if h not in lacked)
            missing += sorted(lacked)
        return missing

    def _unsupported(self, error: Exception) -> None:
        self.unsupported = True
        log.warning("%s", error)


def _team_files(session: Session, team_id: uuid.UUID) -> set[str]:
    """The blobs the team's threads refer to here (attachments and their thumbnails)."""
    rows = session.execute(
        select(Attachment.sha256, Attachment.thumb)
        .join(MessagePart, MessagePart.attachment_id == Attachment.id)
        .join(Message, Message.id == MessagePart.message_id)
        .join(Thread, Thread.id == Message.thread_id)
        .where(
            Thread.team_id == team_id,
            MessagePart.kind == PartKind.ATTACHMENT,
            Attachment.blob.is_(True),
        )
    )
    return {h for sha256, thumb in rows for h in (sha256, thumb) if h}
