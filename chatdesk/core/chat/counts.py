"""A branch's messages with their token counts, counted once and cached in the database.

A message's count is what it costs in a request (its text, its attachments or the notes of its
tool calls, and the chat format's wrapping) for one encoding. It is stored with the encoding
that counted it (`token_encoding`: "o200k_base", or "o200k_base~" for an estimate), so a thread
switched to a model counted otherwise, or a count made before the encoding had loaded, is
counted again.
Only final messages are cached: a streaming answer's text is still changing. What the cache
misses is counted in one batch per chunk of the walk (one request to the counting process), and
a batch the estimator had to count (the counting process failed meanwhile) is stored as an
estimate, whatever the walk began with.

Everything here runs inside a Store transaction on a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from chatdesk.core.chat import attachments as attached
from chatdesk.core.chat import repository as repo
from chatdesk.core.chat import tool_notes
from chatdesk.core.chat.attachments import Kept, shortened
from chatdesk.core.chat.repository.counts import CountUpdate, save_counts
from chatdesk.core.kinds import Role, Status
from chatdesk.core.providers.base import ChatMessage, ImagePart
from chatdesk.core.tokens import Counted, TokenCounter, encoding_for_model
from chatdesk.core.tokens.images import image_tokens

# CountUpdate and save_counts are the repository's (where the statements are); named here too,
# beside the reader that makes the updates.
__all__ = [
    "ESTIMATE_MARK",
    "BranchReader",
    "CountUpdate",
    "Counting",
    "Entry",
    "is_estimate",
    "key_of",
    "meter_key",
    "save_counts",
]

T = TypeVar("T")
ESTIMATE_MARK = "~"
_FIRST_CHUNK, _LAST_CHUNK = 32, 1024  # messages per query while walking up a branch


def meter_key(counter: TokenCounter, model: str) -> str:
    """What counts `model`'s tokens right now: its encoding, marked when only estimated."""
    encoding = encoding_for_model(model).encoding
    return encoding if counter.loaded(model) else encoding + ESTIMATE_MARK


def key_of(counted: Counted) -> str:
    """What counted a batch (the counting process may have failed since `meter_key`)."""
    return counted.encoding + (ESTIMATE_MARK if counted.by_estimator else "")


def is_estimate(key: str, model: str) -> bool:
    return key.endswith(ESTIMATE_MARK) or not encoding_for_model(model).exact


@dataclass(slots=True)
class Entry:
    """One message of a branch as the context builder sees it; `tokens` is 0 for a message
    that is not sent (an answer that failed before its first token)."""

    id: uuid.UUID
    depth: int
    role: Role
    status: Status
    updated_at: datetime
    tokens: int


@dataclass(frozen=True)
class Fit:
    """A question cut to fit: its tokens, what was left out of each document ("report.pdf:
    pages 41–300"), and the records the answer keeps of it (`repository/cuts.py`)."""

    tokens: int
    left_out: tuple[str, ...]
    records: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class _Cut:
    text: str  # the question as the model sees it
    said: list[str]  # per document, what was left out ("" for one sent whole)
    kept: list[Kept | None]  # per document, how much went (None: all)


def _cut(content: str, found: Sequence[Any], fraction: float) -> _Cut:
    """The question's text with each of its documents cut to `fraction` of its characters."""
    pieces = [
        shortened(body, int(len(body) * fraction), str(view.id))
        if body and not view.is_image
        else (body, "", None)
        for view, body in found
    ]
    sent = [(view, piece[0]) for (view, _), piece in zip(found, pieces, strict=True)]
    return _Cut(attached.for_model(content, sent), [p[1] for p in pieces], [p[2] for p in pieces])


@dataclass(frozen=True)
class _Given:
    """How a question was cut for the answer below it on the branch (its `fit`)."""

    fraction: float
    tokens: int
    encoding: str


class BranchReader:
    """Reads one branch for one model inside one transaction: counts what is not cached yet
    and remembers the texts it read, so building a request reads each message once.
    `with_texts`: read every walked message's text along (a request sends them). `known`:
    counts made but not stored yet (`counts_to_save.py`), used as the stored ones are."""

    def __init__(
        self,
        session: Session,
        counter: TokenCounter,
        model: str,
        *,
        with_texts: bool = False,
        known: Mapping[uuid.UUID, CountUpdate] | None = None,
    ) -> None:
        self._session = session
        self._known = known or {}
        self._counter = counter
        self.model = model
        self.key = meter_key(counter, model)
        self.fresh: list[CountUpdate] = []  # new counts, for the caller to save
        self._texts: dict[uuid.UUID, str] = {}
        self._images: dict[uuid.UUID, tuple[ImagePart, ...]] = {}  # a user message's images
        self._with_texts = with_texts
        self._given: dict[uuid.UUID, _Given] = {}  # questions cut for their answers
        self._estimator_used = False

    @property
    def estimated(self) -> bool:
        return self._estimator_used or is_estimate(self.key, self.model)

    def walk(
        self, start: uuid.UUID | None, budget: int = 0, most: int = _LAST_CHUNK
    ) -> Iterator[Entry]:
        """`start` and its ancestors, newest first, counted. Read in chunks sized to what is
        left of `budget` (tokens, at the messages' size so far) and of `most` (messages),
        then growing: a caller that stops once either is used up reads little more than it
        uses, even of a long thread."""
        chunk, seen, tokens = min(_FIRST_CHUNK, most + 1), 0, 0
        while start is not None:
            rows = repo.walk_up(self._session, start, chunk, with_texts=self._with_texts)
            for entry in self._counted(rows):
                seen, tokens = seen + 1, tokens + entry.tokens
                yield entry
            start = uuid.UUID(rows[-1].parent_hex) if rows and rows[-1].parent_hex else None
            chunk = _next_chunk(chunk, budget - tokens, tokens / max(seen, 1), most - seen)

    def texts(self, entries: Sequence[Entry]) -> list[str]:
        """The entries' texts as the model sees them (attachments and tool call notes included)."""
        self._read_texts([e.id for e in entries if e.id not in self._texts])
        return [self._texts[e.id] for e in entries]

    def images(self, entry: Entry) -> tuple[ImagePart, ...]:
        """The images attached to an entry whose text was read (without their bytes)."""
        return self._images.get(entry.id, ())

    def fit(self, entry: Entry, room: int) -> Fit | None:
        """Cut the text of `entry`'s documents (a user message whose text was read) so that it
        takes at most `room` tokens, each ending with a note of what was left out. None when
        it has no text to cut, or would not fit even without it. `texts` gives the cut text
        from then on."""
        if entry.role is not Role.USER:
            return None
        found = repo.attachment_texts(self._session, [entry.id]).get(entry.id)
        rows = repo.message_texts(self._session, [entry.id])
        if not found or not rows:
            return None
        content = rows[0].content
        images = sum(image_tokens(view.width, view.height) for view, _ in found if view.is_image)

        def count(fraction: float) -> tuple[int, _Cut]:
            made = _cut(content, found, fraction)
            return self.count("user", made.text) + images, made

        bare = count(0.0)[0]
        if bare > room or bare >= entry.tokens:
            return None
        fraction, whole = 1.0, entry.tokens
        for _ in range(8):  # the count is nearly linear in the characters kept
            fraction *= max(0.0, (room - bare) / max(whole - bare, 1)) * 0.97
            whole, made = count(fraction)
            if whole <= room:
                self._texts[entry.id] = made.text
                return self._fitted(found, made, fraction, whole)
        return None

    def _fitted(self, found: Sequence[Any], made: _Cut, fraction: float, tokens: int) -> Fit:
        named = list(zip(found, made.said, made.kept, strict=True))
        records = tuple(
            {
                "attachment_id": str(view.id),
                "name": view.name,
                "unit": kept.unit,
                "sent": kept.sent,
                "total": kept.total,
                "fraction": fraction,
                "tokens": tokens,
                "encoding": self.key,
            }
            for (view, _), _, kept in named
            if kept is not None
        )
        left_out = tuple(f"{view.name}: {said}" for (view, _), said, _ in named if said)
        return Fit(tokens, left_out, records)

    def count(self, role: str, text: str) -> int:
        return self._count([ChatMessage(role, text)]).tokens[0]

    def count_all(self, role: str, texts: Sequence[str]) -> list[int]:
        """Each of `texts` as a message of `role`, counted in one call."""
        return (
            list(self._count([ChatMessage(role, text) for text in texts]).tokens) if texts else []
        )

    def _count(self, messages: Sequence[ChatMessage]) -> Counted:
        counted = self._counter.count_each(self.model, messages)
        self._estimator_used |= counted.by_estimator
        return counted

    def _counted(self, rows: Sequence[Any]) -> list[Entry]:
        self._find_cuts(rows)
        # A question cut for the answer below it counts as it was sent: by the count made
        # when it was cut, else counted again from the cut text, never from the cache.
        known = {
            row.id: given.tokens
            for row in rows
            if (given := self._given.get(row.id)) is not None and given.encoding == self.key
        }
        cached = [
            bool(row.status.is_final and row.token_encoding == self.key)
            and row.id not in self._given
            for row in rows
        ]
        known.update(self._not_stored_yet(rows, cached))
        if self._with_texts:
            self._keep_texts(rows)
        else:
            self._read_texts(
                [r.id for r, hit in zip(rows, cached, strict=True) if not hit and r.id not in known]
            )
        counted = self._count_rows(
            [r for r, hit in zip(rows, cached, strict=True) if not hit and r.id not in known]
        )
        return [
            Entry(
                row.id,
                row.depth,
                row.role,
                row.status,
                row.updated_at,
                row.token_count if hit else known.get(row.id, counted.get(row.id, 0)),
            )
            for row, hit in zip(rows, cached, strict=True)
        ]

    def _not_stored_yet(self, rows: Sequence[Any], cached: Sequence[bool]) -> dict[uuid.UUID, int]:
        """The counts of `rows` not cached in the database that were made for this text and
        encoding but are not written yet (`known`)."""
        return {
            row.id: made.tokens
            for row, hit in zip(rows, cached, strict=True)
            if not hit
            and (made := self._known.get(row.id)) is not None
            and made.key == self.key
            and made.updated_at == row.updated_at
            and row.status.is_final
            and row.id not in self._given
        }

    def _find_cuts(self, rows: Sequence[Any]) -> None:
        """Note the questions whose answers in `rows` were given them cut (newest first: an
        answer comes before its question)."""
        answers = {row.id: row.parent_hex for row in rows if row.role is Role.ASSISTANT and row.cut}
        if not answers:
            return
        for answer_id, records in repo.cut_records(self._session, list(answers)).items():
            parent, first = answers[answer_id], records[0] if records else {}
            try:
                given = _Given(float(first["fraction"]), int(first["tokens"]), first["encoding"])
            except (KeyError, TypeError, ValueError):  # a record of another chatdesk's
                continue
            if parent:
                self._given[uuid.UUID(parent)] = given

    def _count_rows(self, rows: Sequence[Any]) -> dict[uuid.UUID, int]:
        """Count `rows` in one batch (0 for one that is not sent) and keep the final ones'
        counts for the cache (not a cut question's: the cache holds a message whole)."""
        if not rows:
            return {}
        sent = [row for row in rows if self._is_sent(row)]
        counted = self._count([ChatMessage(row.role.value, self._texts[row.id]) for row in sent])
        tokens = {
            row.id: count
            + sum(image_tokens(i.width, i.height) for i in self._images.get(row.id, ()))
            for row, count in zip(sent, counted.tokens, strict=True)
        }
        key = key_of(counted)
        for row in rows:
            if row.status.is_final and row.id not in self._given:
                self.fresh.append(CountUpdate(row.id, row.updated_at, tokens.get(row.id, 0), key))
        return tokens

    def _is_sent(self, row: Any) -> bool:
        return bool(self._texts[row.id]) and (
            row.role is Role.USER or row.status is not Status.PENDING
        )

    def _read_texts(self, ids: Iterable[uuid.UUID]) -> None:
        wanted = list(ids)
        if wanted:
            self._keep_texts(repo.message_texts(self._session, wanted))

    def _keep_texts(self, rows: Sequence[Any]) -> None:
        users = [row.id for row in rows if row.role is Role.USER]
        files = repo.attachment_texts(self._session, users) if users else {}
        callers = [row.id for row in rows if row.tool_time_ms is not None]
        calls = repo.tool_calls_of(self._session, callers) if callers else {}
        for row in rows:
            if found := files.get(row.id):
                given = self._given.get(row.id)
                self._texts[row.id] = (
                    _cut(row.content, found, given.fraction).text
                    if given
                    else attached.for_model(row.content, found)
                )
                self._images[row.id] = tuple(
                    ImagePart(view.mime, view.sha256, view.width, view.height)
                    for view, _ in found
                    if view.is_image
                )
            elif made := calls.get(row.id):
                self._texts[row.id] = tool_notes.woven(row.content, made)
            else:
                self._texts[row.id] = row.content


def _next_chunk(chunk: int, tokens_left: int, tokens_each: float, count_left: int) -> int:
    if tokens_left > 0 and count_left > 0:
        by_size = int(tokens_left / max(tokens_each, 1.0) * 1.1) + 8  # a little over: sizes vary
        return max(8, min(by_size, count_left + 8, _LAST_CHUNK))
    return min(chunk * 2, _LAST_CHUNK)  # past the budget: only a summary's check reads on


class Counting:
    """The token counter with a thread of its own: loading an encoding takes ~0.3 s and
    counting a long text waits for the counting process, and neither may run on the event loop.

    For the context, `load` loads the encoding of a model counted exactly by it (OpenAI's)
    and no other: for other servers' models o200k_base would only be an approximation, not
    worth a process of ~70 MB. Their counts come from the estimator (which errs high, the safe
    side for a budget) unless the encoding was loaded anyway. The counter is this object's:
    `shutdown` stops its counting process.
    """

    def __init__(self, counter: TokenCounter) -> None:
        self.counter = counter
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="chatdesk-tokens")

    async def load(self, *models: str) -> None:
        """Load the encodings of the models counted exactly, if not tried yet."""
        for model in models:
            if self.needs_load(model):
                await self.run(functools.partial(self.counter.load, model))

    def needs_load(self, *models: str) -> bool:
        """Whether `load` has an encoding to load for any of `models` (never blocks)."""
        return any(encoding_for_model(m).exact and not self.counter.ready(m) for m in models)

    async def count_message(self, model: str, message: ChatMessage) -> int:
        await self.load(model)
        return await self.run(lambda: self.counter.count_message(model, message).tokens)

    async def run(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)
        self.counter.close()
