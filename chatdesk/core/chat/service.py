"""ChatService: everything the window and the CLI can do with projects, threads and messages.

Async, Qt-free. Every change is committed through the Store's single writer and then announced
as an event. A user's message is committed before any provider is contacted. Each request's
context is fitted to the model's budget (context.py); after an answer, a title and summaries
are made in the background by tasks the service owns and stops on `aclose`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import uuid
from collections.abc import Coroutine, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from chatdesk.core.chat import attachments as attached
from chatdesk.core.chat import context, drafts
from chatdesk.core.chat import repository as repo
from chatdesk.core.chat import usage as spending
from chatdesk.core.chat.answering import FLUSH_INTERVAL, AnswerState, AnswerWriter, Outcome
from chatdesk.core.chat.background import complete_text
from chatdesk.core.chat.budget import (
    ThreadSetup,
    background_choice,
    check_thread_window,
    thread_setup,
)
from chatdesk.core.chat.context import BuiltContext, ContextSpec, ContextTooLong
from chatdesk.core.chat.counts import Counting, CountUpdate, save_counts
from chatdesk.core.chat.events import (
    AnswerContinued,
    BranchSwitched,
    EventBus,
    MessageAdded,
    MessageFinished,
    MessagesDeleted,
    ProjectCreated,
    ProjectDeleted,
    ProjectUpdated,
    ProviderStateChanged,
    SummaryDeleted,
    SummaryUpdated,
    ThreadCreated,
    ThreadDeleted,
    ThreadRestored,
    ThreadUpdated,
)
from chatdesk.core.chat.titles import clean_title, title_request
from chatdesk.core.chat.usage import UsageRow, UsageTotals
from chatdesk.core.chat.views import (
    AttachmentInput,
    ContextUsage,
    DraftView,
    MessagePage,
    MessageView,
    ProjectView,
    SummaryView,
    ThreadFilter,
    ThreadPage,
    ThreadView,
    Turn,
)
from chatdesk.core.clock import Clock, SystemClock
from chatdesk.core.config import Settings
from chatdesk.core.errors import Busy, ChatdeskError, InvalidRequest, NotFound
from chatdesk.core.ids import new_id
from chatdesk.core.providers.base import (
    ChatMessage,
    ChatRequest,
    ErrorKind,
    Provider,
    Providers,
    UsageReport,
)
from chatdesk.core.store import changes
from chatdesk.core.store.models import Attachment, Message, Project, Role, Status, Thread
from chatdesk.core.store.store import Store
from chatdesk.core.summaries import records
from chatdesk.core.summaries.prompts import context_message
from chatdesk.core.summaries.runner import Summarizer
from chatdesk.core.tokens import TokenCounter

log = logging.getLogger("chatdesk.chat")

T = TypeVar("T")

DEFAULT_TITLE = "New chat"
CONTINUE_PROMPT = "Continue exactly where your previous answer stopped. Do not repeat anything."
_UNSET: Any = object()


class ChatService:
    def __init__(
        self,
        store: Store,
        providers: Providers,
        settings: Settings,
        *,
        clock: Clock | None = None,
        bus: EventBus | None = None,
        tokens: TokenCounter | None = None,
    ) -> None:
        self._store = store
        self._providers = providers
        self._settings = settings
        self._clock = clock or SystemClock()
        self.events = bus or EventBus()
        # tiktoken runs in a child process, started by the first exact count (decision 0014);
        # loading and counting wait for it on a thread of their own. Stopped by `aclose`.
        self._counting = Counting(tokens or TokenCounter())
        self._tokens = self._counting.counter
        # Answers being written: message id -> (its task, its thread id).
        self._answers: dict[uuid.UUID, tuple[asyncio.Task[MessageView], uuid.UUID]] = {}
        self._summaries = Summarizer(
            store, providers, self.events, self._counting, lambda: self._settings, self._clock
        )
        self._background: set[asyncio.Task[Any]] = set()  # titles, saving token counts
        # Requests are built side by side but reach their provider (and its request limit) in
        # the order their answers started: each waits for the one before it to be on its way.
        self._last_turn: asyncio.Future[None] | None = None

    # -- projects --------------------------------------------------------------------------------

    async def create_project(
        self,
        name: str,
        *,
        system_prompt: str | None = None,
        default_provider: str | None = None,
        default_model: str | None = None,
    ) -> ProjectView:
        name = _clean_name(name, "project name")
        now = self._now()

        def work(session: Session) -> ProjectView:
            row = Project(
                id=new_id(),
                name=name,
                system_prompt=system_prompt,
                default_provider=default_provider,
                default_model=default_model,
                total_tokens=0,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            return repo.project_view(row)

        project = await self._store.write(work)
        self.events.publish(ProjectCreated(project))
        return project

    async def update_project(
        self,
        project_id: uuid.UUID,
        *,
        name: str | None = None,
        system_prompt: str | None = _UNSET,
        default_provider: str | None = _UNSET,
        default_model: str | None = _UNSET,
    ) -> ProjectView:
        """Rename, or set the system prompt / default model (None clears them)."""
        clean = _clean_name(name, "project name") if name is not None else None
        now = self._now()

        def work(session: Session) -> ProjectView:
            row = repo.project_row(session, project_id)
            if clean is not None:
                row.name = clean
            if system_prompt is not _UNSET:
                row.system_prompt = system_prompt
            if default_provider is not _UNSET:
                row.default_provider = default_provider
            if default_model is not _UNSET:
                row.default_model = default_model
            row.updated_at = now
            return repo.project_view(row)

        project = await self._store.write(work)
        self.events.publish(ProjectUpdated(project))
        return project

    async def rename_project(self, project_id: uuid.UUID, name: str) -> ProjectView:
        return await self.update_project(project_id, name=name)

    async def delete_project(self, project_id: uuid.UUID) -> None:
        """Delete a project; its threads stay, in no project."""

        def work(session: Session) -> list[ThreadView]:
            row = repo.project_row(session, project_id)
            moved = session.scalars(select(Thread).where(Thread.project_id == project_id)).all()
            for thread in moved:
                thread.project_id = None
            session.delete(row)
            session.flush()
            return [repo.thread_view(thread) for thread in moved]

        threads = await self._store.write(work)
        self.events.publish(ProjectDeleted(project_id))
        for thread in threads:
            self.events.publish(ThreadUpdated(thread))

    async def list_projects(self) -> list[ProjectView]:
        return await self._store.read(repo.list_projects)

    # -- threads ---------------------------------------------------------------------------------

    async def create_thread(
        self,
        *,
        title: str | None = None,
        project_id: uuid.UUID | None = None,
        provider: str | None = None,
        model: str | None = None,
        system_prompt: str | None = None,
    ) -> ThreadView:
        clean = _clean_name(title, "title") if title is not None else None
        now = self._now()

        def work(session: Session) -> ThreadView:
            row = _new_thread(session, now, project_id, clean)
            row.provider, row.model, row.system_prompt = provider, model, system_prompt
            session.flush()
            return repo.thread_view(row)

        thread = await self._store.write(work)
        self.events.publish(ThreadCreated(thread))
        return thread

    async def get_thread(self, thread_id: uuid.UUID) -> ThreadView:
        return await self._store.read(
            lambda s: repo.thread_view(repo.thread_row(s, thread_id, deleted_ok=True))
        )

    async def resolve_thread(self, text: str) -> uuid.UUID:
        """A thread id from a full id or a unique prefix of one."""
        return await self._store.read(lambda s: repo.resolve_thread_id(s, text))

    async def list_threads(
        self,
        where: ThreadFilter | None = None,
        *,
        limit: int = 100,
        cursor: str | None = None,
    ) -> ThreadPage:
        """Threads by recency (newest activity first); pass `next_cursor` for the next page."""
        return await self._store.read(
            lambda s: repo.list_threads(s, where or ThreadFilter(), limit, cursor)
        )

    async def rename_thread(self, thread_id: uuid.UUID, title: str) -> ThreadView:
        clean = _clean_name(title, "title")
        return await self._update_thread(thread_id, title=clean, title_set_by_user=True)

    async def set_pinned(self, thread_id: uuid.UUID, pinned: bool) -> ThreadView:
        return await self._update_thread(thread_id, pinned=pinned)

    async def set_archived(self, thread_id: uuid.UUID, archived: bool) -> ThreadView:
        return await self._update_thread(thread_id, archived=archived)

    async def move_thread(self, thread_id: uuid.UUID, project_id: uuid.UUID | None) -> ThreadView:
        return await self._update_thread(thread_id, project_id=project_id)

    async def set_thread_model(
        self, thread_id: uuid.UUID, *, provider: str | None, model: str | None
    ) -> ThreadView:
        if provider is not None:
            self._providers.get(provider)  # fail early on a typo
        return await self._update_thread(thread_id, provider=provider, model=model)

    async def set_thread_system_prompt(
        self, thread_id: uuid.UUID, system_prompt: str | None
    ) -> ThreadView:
        return await self._update_thread(thread_id, system_prompt=system_prompt)

    async def set_thread_context_window(
        self, thread_id: uuid.UUID, tokens: int | None
    ) -> ThreadView:
        """The model's context window for this thread (None: the provider's or the table's)."""
        check_thread_window(tokens)
        return await self._update_thread(thread_id, context_window=tokens)

    async def _update_thread(self, thread_id: uuid.UUID, **changes: Any) -> ThreadView:
        now = self._now()

        def work(session: Session) -> ThreadView:
            row = repo.thread_row(session, thread_id)
            if changes.get("project_id") is not None:
                repo.project_row(session, changes["project_id"])
            for name, value in changes.items():
                setattr(row, name, value)
            row.updated_at = now
            return repo.thread_view(row)

        thread = await self._store.write(work)
        self.events.publish(ThreadUpdated(thread))
        return thread

    async def delete_thread(self, thread_id: uuid.UUID) -> None:
        """Move a thread to the trash; `restore_thread` brings it back."""
        await self._stop_answers_in(thread_id)
        self._summaries.cancel(thread_id)
        now = self._now()

        def work(session: Session) -> None:
            row = repo.thread_row(session, thread_id)
            row.deleted_at = now
            row.updated_at = now

        await self._store.write(work)
        self.events.publish(ThreadDeleted(thread_id))

    async def restore_thread(self, thread_id: uuid.UUID) -> ThreadView:
        now = self._now()

        def work(session: Session) -> ThreadView:
            row = repo.thread_row(session, thread_id, deleted_ok=True)
            row.deleted_at = None
            row.updated_at = now
            return repo.thread_view(row)

        thread = await self._store.write(work)
        self.events.publish(ThreadRestored(thread))
        return thread

    # -- messages --------------------------------------------------------------------------------

    async def list_messages(
        self,
        thread_id: uuid.UUID,
        *,
        before: uuid.UUID | None = None,
        after: uuid.UUID | None = None,
        around: uuid.UUID | None = None,
        limit: int = 50,
    ) -> MessagePage:
        """A page of the active branch, oldest first: the newest `limit` messages by default,
        those just before / just after a message already shown, or those around a message of
        the branch (it and about half the page before it, the rest after; a search hit, once
        `switch_branch` has made its branch the active one)."""

        def work(session: Session) -> MessagePage:
            page = repo.branch_page(
                session, thread_id=thread_id, before=before, after=after, around=around, limit=limit
            )
            views = attached.with_attachments(session, list(page.messages))
            return dataclasses.replace(page, messages=tuple(views))

        return await self._store.read(work)

    async def get_message(self, message_id: uuid.UUID) -> MessageView:
        def work(session: Session) -> MessageView:
            return attached.with_attachments(session, repo.message_views(session, [message_id]))[0]

        return await self._store.read(work)

    async def attachment_text(self, attachment_id: uuid.UUID) -> str:
        def work(session: Session) -> str:
            row = session.get(Attachment, attachment_id)
            if row is None:
                raise NotFound(f"no attachment with id {attachment_id}")
            return row.text or ""

        return await self._store.read(work)

    # -- drafts ----------------------------------------------------------------------------------

    async def save_draft(self, thread_id: uuid.UUID | None, draft: DraftView) -> None:
        """Keep what the user is typing (None: the new chat); an empty draft is removed."""
        now = self._now()
        await self._store.write(lambda s: drafts.save(s, now, thread_id, draft))

    async def load_draft(self, thread_id: uuid.UUID | None) -> DraftView:
        return await self._store.read(lambda s: drafts.load(s, thread_id))

    # -- settings, models and context ------------------------------------------------------------

    def update_settings(self, settings: Settings) -> None:
        """Use `settings` from the next request on (the preferences were changed)."""
        self._settings = settings

    def known_models(self) -> list[tuple[str, str]]:
        """(provider, model) pairs to offer in a model picker, the default first."""
        general = self._settings.general
        found = [(general.default_provider, general.default_model)]
        for name in self._providers.names():
            models = getattr(self._providers.get(name), "models", ())
            found.extend((name, model) for model in models if (name, model) not in found)
        return found

    async def context_usage(self, thread_id: uuid.UUID, draft: str = "") -> ContextUsage:
        """What the next message's request would hold, with `draft` as that message: used and
        total tokens of the budget, and the breakdown (system, summary, history, draft)."""
        built = await self._context_of(thread_id, draft)
        parts = built.breakdown
        return ContextUsage(parts.used, parts.budget, parts.estimated, parts)

    async def _context_of(self, thread_id: uuid.UUID, draft: str = "") -> BuiltContext:
        setup = await self._store.read(
            lambda s: self._setup(s, repo.thread_row(s, thread_id, deleted_ok=True))
        )
        await self._counting.load(setup.model)

        def work(session: Session) -> BuiltContext:
            thread = repo.thread_row(session, thread_id, deleted_ok=True)
            spec = self._spec(thread, thread.active_leaf_id, setup, draft=draft)
            return context.build(session, self._tokens, spec)

        built = await self._store.read(work)
        self._save_counts_later(built.fresh_counts)
        return built

    def _spec(
        self, thread: Thread, start: uuid.UUID | None, setup: ThreadSetup, **more: Any
    ) -> ContextSpec:
        return ContextSpec(
            thread_id=thread.id,
            start=start,
            model=setup.model,
            budget=setup.budget,
            system_prompt=setup.system_prompt,
            max_messages=self._settings.chat.context_messages,
            **more,
        )

    def _save_counts_later(self, updates: list[CountUpdate]) -> None:
        """Cache new counts without making anyone wait for the write."""
        if updates:
            self._spawn(self._store.write(lambda s: save_counts(s, updates)), "token-counts")

    # -- summaries -------------------------------------------------------------------------------

    async def list_summaries(self, thread_id: uuid.UUID) -> list[SummaryView]:
        """The thread's summaries, oldest first; `in_use` marks the one the next request sends."""
        in_use = (await self._context_of(thread_id)).breakdown.summary_id
        return await self._store.read(lambda s: records.views(s, thread_id, in_use))

    async def summarize_now(self, thread_id: uuid.UUID) -> SummaryView | None:
        """Summarise all but the last exchange of the branch now (and let automatic summaries
        run again after a deletion); None when there is nothing to summarise."""
        await self._set_summaries_paused(thread_id, False)
        return await self._summaries.summarize_now(thread_id)

    async def settle(self) -> None:
        """Wait until the background work started so far (titles, summaries, saving token
        counts) has ended; for tools that exit after a command, and for tests."""
        while pending := [*self._background, *self._summaries.tasks()]:
            await asyncio.wait(pending)

    def summarizing(self, thread_id: uuid.UUID) -> bool:
        return self._summaries.running(thread_id)

    def cancel_summary(self, thread_id: uuid.UUID) -> bool:
        """Stop summarising the thread; nothing it has not stored yet is kept."""
        return self._summaries.cancel(thread_id)

    async def edit_summary(self, summary_id: uuid.UUID, content: str) -> SummaryView:
        """Replace a summary's text (what the model reads from the next request on)."""
        text = content.strip()
        if not text:
            raise InvalidRequest("a summary cannot be empty; delete it to send the messages again")
        if len(text) > self._settings.chat.max_message_chars:
            raise InvalidRequest("the summary is longer than a message may be")
        thread_id, model = await self._store.read(lambda s: self._summary_model(s, summary_id))
        tokens = await self._counting.count_message(model, context_message(text))
        now = self._now()

        def work(session: Session) -> SummaryView:
            row = records.summary_row(session, summary_id)
            row.content, row.token_count, row.edited_at = text, tokens, now
            return records.view(row)

        summary = await self._store.write(work)
        in_use = (await self._context_of(thread_id)).breakdown.summary_id == summary_id
        summary = dataclasses.replace(summary, in_use=in_use)
        self.events.publish(SummaryUpdated(summary))
        return summary

    def _summary_model(self, session: Session, summary_id: uuid.UUID) -> tuple[uuid.UUID, str]:
        row = records.summary_row(session, summary_id)
        thread = repo.thread_row(session, row.thread_id, deleted_ok=True)
        return thread.id, self._setup(session, thread).model

    async def delete_summary(self, summary_id: uuid.UUID) -> None:
        """Delete a summary: the messages it covered are sent again, as far as they fit, and no
        automatic summary is made in the thread until `summarize_now`."""

        def work(session: Session) -> ThreadView:
            row = records.summary_row(session, summary_id)
            thread = repo.thread_row(session, row.thread_id, deleted_ok=True)
            session.delete(row)
            thread.summaries_paused = True
            return repo.thread_view(thread)

        thread = await self._store.write(work)
        self._summaries.cancel(thread.id)
        self.events.publish(SummaryDeleted(thread.id, summary_id))
        self.events.publish(ThreadUpdated(thread))

    async def _set_summaries_paused(self, thread_id: uuid.UUID, paused: bool) -> None:
        thread = await self.get_thread(thread_id)
        if thread.summaries_paused != paused:
            await self._update_thread(thread_id, summaries_paused=paused)

    async def thread_usage(self, thread_id: uuid.UUID) -> UsageTotals:
        """Tokens and cost of every answer in the thread, all branches included."""
        return await self._store.read(lambda s: spending.thread_totals(s, thread_id))

    async def usage_by_month(self, month: str | None = None) -> list[UsageRow]:
        """Tokens and cost per month, provider and model, newest month first."""
        return await self._store.read(lambda s: spending.by_month(s, month))

    async def sibling_ids(self, message_id: uuid.UUID) -> list[uuid.UUID]:
        """Ids of the alternatives of a message (itself included), oldest first."""
        return await self._store.read(
            lambda s: repo.sibling_ids(s, repo.message_row(s, message_id))
        )

    async def send(
        self,
        thread_id: uuid.UUID,
        text: str,
        *,
        attachments: Sequence[AttachmentInput] = (),
        provider: str | None = None,
        model: str | None = None,
    ) -> Turn:
        """Commit the user's message, then start writing the answer in the background."""
        text = self._check_message(text, attachments)
        return await self._start_turn(
            thread_id, None, text, provider, model, attachments=tuple(attachments)
        )

    async def send_new(
        self,
        text: str,
        *,
        project_id: uuid.UUID | None = None,
        attachments: Sequence[AttachmentInput] = (),
        provider: str | None = None,
        model: str | None = None,
    ) -> Turn:
        """Start a new thread with this message, in one transaction: a refused message leaves
        no empty thread behind."""
        text = self._check_message(text, attachments)
        return await self._start_turn(
            None, None, text, provider, model, attachments=tuple(attachments), project=project_id
        )

    async def continue_answer(self, message_id: uuid.UUID) -> Turn:
        """Let the model go on with an interrupted (or failed) answer, appending to it."""
        target = await self.get_message(message_id)
        if target.role is not Role.ASSISTANT or target.status not in (
            Status.INTERRUPTED,
            Status.ERROR,
        ):
            raise InvalidRequest("only an interrupted or failed answer can be continued")
        return await self._start_turn(target.thread_id, ("continue", message_id), None, None, None)

    async def edit_message(self, message_id: uuid.UUID, text: str) -> Turn:
        """Send a changed version of a user message as a new branch; the old one stays."""
        text = self._check_text(text)
        original = await self.get_message(message_id)
        if original.role is not Role.USER:
            raise InvalidRequest("only your own messages can be edited")
        return await self._start_turn(original.thread_id, ("edit", message_id), text, None, None)

    async def regenerate(self, message_id: uuid.UUID) -> Turn:
        """A new answer beside an assistant message (or below a user message with none)."""
        target = await self.get_message(message_id)
        return await self._start_turn(
            target.thread_id, ("regenerate", message_id), None, None, None
        )

    async def _start_turn(
        self,
        thread_id: uuid.UUID | None,
        anchor: tuple[str, uuid.UUID] | None,
        text: str | None,
        provider: str | None,
        model: str | None,
        *,
        attachments: tuple[AttachmentInput, ...] = (),
        project: uuid.UUID | None = None,
    ) -> Turn:
        if provider is not None:
            self._providers.get(provider)
        now = self._now()
        owner = self._store.instance.id
        created: list[ThreadView] = []

        def work(session: Session) -> tuple[MessageView | None, MessageView, ThreadView]:
            if thread_id is None:
                thread = _new_thread(session, now, project, None)
                session.flush()
                created.append(repo.thread_view(thread))
            else:
                thread = repo.thread_row(session, thread_id)
            if anchor is not None and anchor[0] == "continue":
                reopened = _reopen(session, now, thread, anchor[1], owner)
                return None, reopened, repo.thread_view(thread)
            if provider is not None or model is not None:
                thread.provider = provider or thread.provider
                thread.model = model or thread.model
            setup = self._setup(session, thread)
            parent = self._parent_for(session, thread, anchor)
            user = None
            if text is not None:
                user = repo.insert_message(
                    session, now, thread, parent, Role.USER, Status.COMPLETE, text
                )
                attached.add(session, now, user.id, attachments)
                drafts.save(session, now, thread_id, DraftView(""))  # sent: the draft is done
                if thread.message_count == 1 and not thread.title_set_by_user:
                    thread.title = _provisional_title(text or attachments[0].name)
                parent = user
            answer = repo.insert_message(
                session,
                now,
                thread,
                parent,
                Role.ASSISTANT,
                Status.PENDING,
                provider=setup.provider,
                model=setup.model,
                owner=owner,
            )
            repo.set_active_leaf(session, thread, answer.id)
            if thread.project_id is not None:
                repo.project_row(session, thread.project_id).last_chat_at = now
            session.flush()
            ids = [m.id for m in (user, answer) if m is not None]
            views = attached.with_attachments(session, repo.message_views(session, ids))
            return (views[0] if user else None), views[-1], repo.thread_view(thread)

        user_view, answer_view, thread_view = await self._store.write(work)
        self._log_turn(thread_view.id, answer_view, text)
        if created:
            self.events.publish(ThreadCreated(created[0]))
        if user_view is not None:
            self.events.publish(MessageAdded(user_view))
        if anchor is not None and anchor[0] == "continue":
            self.events.publish(AnswerContinued(answer_view))
        else:
            self.events.publish(MessageAdded(answer_view))
        self.events.publish(ThreadUpdated(thread_view))
        task = asyncio.create_task(self._write_answer(answer_view), name=f"answer-{answer_view.id}")
        self._answers[answer_view.id] = (task, thread_view.id)
        task.add_done_callback(lambda _: self._answers.pop(answer_view.id, None))
        return Turn(user_view, answer_view)

    def _parent_for(
        self, session: Session, thread: Thread, anchor: tuple[str, uuid.UUID] | None
    ) -> Message | None:
        if anchor is None:
            leaf = session.get(Message, thread.active_leaf_id) if thread.active_leaf_id else None
            if leaf is not None and not leaf.status.is_final:
                raise Busy("an answer is still being written in this thread; stop it or wait")
            return leaf
        kind, message_id = anchor
        target = repo.message_row(session, message_id)
        if target.thread_id != thread.id:
            raise InvalidRequest("that message belongs to another thread")
        if kind == "regenerate" and target.role is Role.USER:
            return target
        return session.get(Message, target.parent_id) if target.parent_id else None

    def _setup(self, session: Session, thread: Thread, **chosen: str | None) -> ThreadSetup:
        return thread_setup(session, thread, self._settings, self._providers, **chosen)

    async def wait_for_answer(self, message_id: uuid.UUID) -> MessageView:
        """Wait until an answer has ended and return it as stored."""
        running = self._answers.get(message_id)
        if running is not None:
            return await asyncio.shield(running[0])
        return await self.get_message(message_id)

    async def stop(self, message_id: uuid.UUID) -> MessageView:
        """Stop an answer; what arrived so far is kept, marked `interrupted`."""
        running = self._answers.get(message_id)
        if running is None:
            return await self.get_message(message_id)
        running[0].cancel()
        return await asyncio.shield(running[0])

    def _log_turn(self, thread_id: uuid.UUID, answer: MessageView, text: str | None) -> None:
        if not log.isEnabledFor(logging.DEBUG):
            return
        size = f"{len(text)} chars" if text is not None else "regenerate"
        shown = f": {text!r}" if text and self._settings.logging.log_message_text else ""
        log.debug(
            "thread %s: answer %s with %s/%s (%s)%s",
            thread_id, answer.id, answer.provider, answer.model, size, shown,
        )  # fmt: skip

    async def _stop_answers_in(self, thread_id: uuid.UUID) -> None:
        running = [mid for mid, (_, tid) in self._answers.items() if tid == thread_id]
        for message_id in running:
            await self.stop(message_id)

    async def delete_message(self, message_id: uuid.UUID) -> None:
        """Delete a message and everything that follows from it (its answers and branches)."""
        now = self._now()

        def find(session: Session) -> list[uuid.UUID]:
            return repo.subtree_ids(session, repo.message_row(session, message_id).id)

        for doomed in await self._store.read(find):
            if doomed in self._answers:
                await self.stop(doomed)

        def work(session: Session) -> tuple[uuid.UUID, list[uuid.UUID], ThreadView]:
            row = repo.message_row(session, message_id)
            thread = repo.thread_row(session, row.thread_id, deleted_ok=True)
            ids = repo.delete_branch(session, thread, row, now)
            changes.deleted(session, "message", thread.id, ids)
            return thread.id, ids, repo.thread_view(thread)

        thread_id, ids, thread = await self._store.write(work)
        self.events.publish(MessagesDeleted(thread_id, tuple(ids)))
        self.events.publish(ThreadUpdated(thread))

    async def switch_branch(self, message_id: uuid.UUID) -> ThreadView:
        """Show the branch that goes through `message_id` (where the user last was in it)."""
        now = self._now()

        def work(session: Session) -> ThreadView:
            row = repo.message_row(session, message_id)
            thread = repo.thread_row(session, row.thread_id)
            repo.set_active_leaf(session, thread, repo.end_of_branch(session, row.id))
            thread.updated_at = now
            return repo.thread_view(thread)

        thread = await self._store.write(work)
        self.events.publish(BranchSwitched(thread.id, thread.active_leaf_id))
        self.events.publish(ThreadUpdated(thread))
        return thread

    # -- answers ---------------------------------------------------------------------------------

    async def _write_answer(self, answer: MessageView) -> MessageView:
        state = AnswerState(answer.id, answer.thread_id)
        state.resume(answer.content, answer.reasoning or "")
        flusher: asyncio.Task[None] | None = None
        provider: Provider | None = None
        request: ChatRequest | None = None
        ahead, mine = self._last_turn, asyncio.get_running_loop().create_future()
        self._last_turn = mine
        try:
            request = await self._request_for(answer)
            provider = self._providers.get(answer.provider or "")
            if ahead is not None:
                await asyncio.wait({ahead})
            mine.set_result(None)
            chat = self._settings.chat
            writer = AnswerWriter(
                self.events,
                provider,
                request,
                state,
                idle_timeout=chat.stream_idle_timeout,
                max_retries=chat.max_retries,
            )
            flusher = asyncio.create_task(self._flush_while_streaming(state))
            outcome = await writer.run()
        except asyncio.CancelledError:
            outcome = Outcome(Status.INTERRUPTED, "stopped", "Stopped before the answer began.")
        except ChatdeskError as error:  # e.g. the message does not fit the model's context
            log.info("answer %s not started: %s", answer.id, getattr(error, "kind", "error"))
            outcome = Outcome(Status.ERROR, getattr(error, "kind", "invalid"), str(error))
        except Exception as error:
            log.exception("could not start answer %s", answer.id)
            outcome = Outcome(Status.ERROR, getattr(error, "kind", "internal"), str(error))
        finally:
            if not mine.done():
                mine.set_result(None)
            if flusher is not None:
                flusher.cancel()
        if state.usage is None and request is not None and (state.text or state.reasoning):
            await _uncancellable(self._estimate_usage(request, state))
        cost = _cost_of(provider, state.usage)
        final = await _uncancellable(self._finish(state, outcome, cost))
        self.events.publish(MessageFinished(final[0]))
        self.events.publish(ThreadUpdated(final[1]))
        self._announce_provider_state(final[0])
        self._after_answer(final[0])
        return final[0]

    def _after_answer(self, answer: MessageView) -> None:
        """A complete answer may name a new thread and may call for a summary."""
        if answer.status is not Status.COMPLETE:
            return
        if answer.depth == 1 and self._settings.chat.auto_titles:
            self._spawn(self._title(answer), f"title-{answer.thread_id}")
        self._summaries.schedule(answer.thread_id)

    async def _title(self, answer: MessageView) -> None:
        """Name the thread after its first answer, unless the user has named it (meanwhile)."""
        try:
            inputs = await self._store.read(lambda s: repo.title_inputs(s, answer.id))
            if inputs is None:
                return
            name, model = background_choice(
                self._settings, self._providers, answer.provider or "", answer.model or ""
            )
            request = title_request(model, inputs.question, inputs.answer)
            text = await complete_text(
                self._providers.get(name),
                request,
                idle_timeout=self._settings.chat.stream_idle_timeout,
                retries=1,
            )
            title, now = clean_title(text), self._now()
            if not title or title == inputs.title:
                return
            thread = await self._store.write(
                lambda s: repo.retitle(s, inputs.thread_id, inputs.title, title, now)
            )
        except ChatdeskError as error:
            log.info("no title for thread %s: %s", answer.thread_id, error)
            return
        if thread is not None:
            self.events.publish(ThreadUpdated(thread))

    def _spawn(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        task = asyncio.create_task(work, name=name)
        self._background.add(task)
        task.add_done_callback(self._background_done)

    def _background_done(self, task: asyncio.Task[Any]) -> None:
        self._background.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("background task %s failed", task.get_name(), exc_info=error)

    async def _estimate_usage(self, request: ChatRequest, state: AnswerState) -> None:
        """The server reported no usage (some local servers never do, and a cut-off stream
        has none): count the request and the answer with the model's tokenizer instead."""
        content, reasoning = state.content(), state.reasoning_text()
        model = request.model
        await self._counting.load(model)  # OpenAI's models only: others are estimated

        def count() -> UsageReport:
            answer, thinking = self._tokens.count_texts(model, [content, reasoning])
            return UsageReport(
                prompt_tokens=self._tokens.count_messages(model, request.messages).tokens,
                completion_tokens=answer.tokens + thinking.tokens,
                reasoning_tokens=thinking.tokens or None,
            )

        state.usage = await self._counting.run(count)
        state.usage_estimated = True

    def _announce_provider_state(self, answer: MessageView) -> None:
        if answer.provider is None or answer.error_type in ("stopped", ContextTooLong.kind):
            return
        state, detail = _PROVIDER_STATES.get(answer.error_type or "", ("error", ""))
        if answer.status is Status.COMPLETE:
            state, detail = "ready", ""
        elif answer.status is Status.INTERRUPTED and answer.error_type != ErrorKind.CUT_OFF:
            return  # stopped by the user or by closing: says nothing about the provider
        self.events.publish(
            ProviderStateChanged(answer.provider, state, detail or (answer.error_detail or ""))
        )

    async def _request_for(self, answer: MessageView) -> ChatRequest:
        """The answer's request: its thread's context fitted to the model's budget, or
        ContextTooLong before anything is sent."""
        await self._counting.load(answer.model or "")
        built = await self._store.read(lambda s: self._context_for(s, answer))
        self._save_counts_later(built.fresh_counts)
        general = self._settings.general
        return ChatRequest(
            model=answer.model or "",
            messages=built.messages,
            temperature=None if general.temperature < 0 else general.temperature,
            max_output_tokens=general.max_output_tokens or None,
        )

    def _context_for(self, session: Session, answer: MessageView) -> BuiltContext:
        thread = repo.thread_row(session, answer.thread_id, deleted_ok=True)
        setup = self._setup(session, thread, provider=answer.provider, model=answer.model)
        tail: tuple[ChatMessage, ...] = ()
        if answer.content:  # continuing an answer: show the model what it wrote so far
            tail = (ChatMessage("assistant", answer.content), ChatMessage("user", CONTINUE_PROMPT))
        spec = self._spec(thread, answer.parent_id, setup, tail=tail, newest_required=True)
        return context.build(session, self._tokens, spec, with_messages=True)

    async def _flush_while_streaming(self, state: AnswerState) -> None:
        """Persist the growing answer: at once after the first token, then every 250 ms."""
        while True:
            await state.changed.wait()
            state.changed.clear()
            save = functools.partial(
                repo.save_progress,
                now=self._now(),
                message_id=state.message_id,
                content=state.content(),
                reasoning=state.reasoning_text(),
                first_token_ms=state.ms_since_start(state.first_token_at),
            )
            await self._store.write(save)
            await asyncio.sleep(FLUSH_INTERVAL)

    async def _finish(
        self, state: AnswerState, outcome: Outcome, cost: float | None
    ) -> tuple[MessageView, ThreadView]:
        loop = asyncio.get_running_loop()
        now = self._now()
        content, reasoning = state.content(), state.reasoning_text()
        usage = state.usage
        latency = state.ms_since_start(loop.time()) if state.started_at else None
        first = state.ms_since_start(state.first_token_at)

        def work(session: Session) -> tuple[MessageView, ThreadView]:
            values: dict[str, Any] = {
                "status": outcome.status,
                "content": content,
                "error_type": outcome.error_type,
                "error_detail": outcome.error_detail,
                "latency_ms": latency,
                "first_token_ms": first,
                "completed_at": now,
                "updated_at": now,
                "stream_owner": None,
                "token_count": None,  # counted again, from the final text
                "token_encoding": None,
            }
            spent = 0
            if usage is not None:
                values.update(
                    prompt_tokens=usage.prompt_tokens,
                    completion_tokens=usage.completion_tokens,
                    cached_tokens=usage.cached_tokens,
                    reasoning_tokens=usage.reasoning_tokens,
                    cost_usd=cost,
                    usage_estimated=state.usage_estimated,
                )
                spent = (usage.prompt_tokens or 0) + (usage.completion_tokens or 0)
            session.execute(update(Message).where(Message.id == state.message_id).values(**values))
            changes.touched(session, "message", [state.message_id])
            if reasoning:
                repo.set_reasoning(session, state.message_id, reasoning)
            thread = repo.thread_row(session, state.thread_id, deleted_ok=True)
            thread.total_tokens += spent
            thread.last_activity_at = now
            thread.updated_at = now
            if thread.project_id is not None:
                project = repo.project_row(session, thread.project_id)
                project.total_tokens += spent
                project.last_chat_at = now
            session.flush()
            return repo.message_views(session, [state.message_id])[0], repo.thread_view(thread)

        return await self._store.write(work)

    # -- start-up and shut-down ------------------------------------------------------------------

    async def recover_interrupted(self) -> int:
        """Mark answers left `pending`/`streaming` by a chatdesk that died as `interrupted`."""
        instance = self._store.instance
        now = self._now()

        def work(session: Session) -> int:
            rows = session.scalars(
                select(Message).where(Message.status.in_([Status.PENDING, Status.STREAMING]))
            ).all()
            count = 0
            for row in rows:
                if row.stream_owner and instance.is_alive(row.stream_owner):
                    continue
                row.status = Status.INTERRUPTED
                row.error_type = "app_exit"
                row.error_detail = "chatdesk closed before this answer was complete."
                row.stream_owner = None
                row.completed_at = now
                row.updated_at = now
                count += 1
            return count

        count = await self._store.write(work)
        if count:
            log.info("marked %d unfinished answers as interrupted", count)
        return count

    async def aclose(self) -> None:
        """Stop every answer (keeping what arrived) and wait until it is saved; stop the
        background work (titles, summaries: what they have not stored is dropped)."""
        for message_id in list(self._answers):
            await self.stop(message_id)
        await self._summaries.aclose()
        background = list(self._background)
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        self._counting.shutdown()

    # -- helpers ---------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self._clock.now()

    def _check_message(self, text: str, attachments: Sequence[AttachmentInput]) -> str:
        if attachments:
            attached.check(attachments, self._settings.chat.max_message_chars)
            return self._check_text(text) if text.strip() else ""
        return self._check_text(text)

    def _check_text(self, text: str) -> str:
        if not text or not text.strip():
            raise InvalidRequest("the message is empty; nothing was sent")
        limit = self._settings.chat.max_message_chars
        if len(text) > limit:
            raise InvalidRequest(
                f"the message is {len(text):,} characters long; the limit is {limit:,} "
                "(setting chat.max_message_chars). Nothing was sent."
            )
        if "\x00" in text:
            raise InvalidRequest("the message contains a NUL character; nothing was sent")
        return text


_PROVIDER_STATES: dict[str, tuple[str, str]] = {
    ErrorKind.CONNECTION: ("offline", "cannot reach the provider"),
    ErrorKind.TIMEOUT: ("offline", "the provider does not answer"),
    ErrorKind.STALLED: ("offline", "the provider stopped sending"),
    ErrorKind.AUTH: ("auth", "the API key was refused"),
    ErrorKind.PERMISSION: ("auth", "the API key may not use this model"),
    ErrorKind.RATE_LIMIT: ("rate_limited", "rate limited by the provider"),
    ErrorKind.QUOTA: ("rate_limited", "the provider's quota is used up"),
}


def _cost_of(provider: Provider | None, usage: UsageReport | None) -> float | None:
    """What the answer cost at its provider's prices, when both are known."""
    price = getattr(provider, "cost", None)
    return price(usage) if usage is not None and callable(price) else None


def _new_thread(
    session: Session, now: datetime, project_id: uuid.UUID | None, title: str | None
) -> Thread:
    if project_id is not None:
        repo.project_row(session, project_id)
    row = Thread(
        id=new_id(),
        project_id=project_id,
        title=title or DEFAULT_TITLE,
        title_set_by_user=title is not None,
        pinned=False,
        archived=False,
        message_count=0,
        total_tokens=0,
        last_activity_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    return row


def _reopen(
    session: Session, now: datetime, thread: Thread, message_id: uuid.UUID, owner: str
) -> MessageView:
    """Put a stopped answer back to `pending` so that it can be continued."""
    leaf = session.get(Message, thread.active_leaf_id) if thread.active_leaf_id else None
    if leaf is not None and not leaf.status.is_final:
        raise Busy("an answer is still being written in this thread; stop it or wait")
    row = repo.message_row(session, message_id)
    if row.thread_id != thread.id:
        raise InvalidRequest("that message belongs to another thread")
    row.status, row.stream_owner, row.completed_at, row.updated_at = (
        Status.PENDING, owner, None, now,
    )  # fmt: skip
    row.error_type = row.error_detail = None
    row.token_count = row.token_encoding = None  # its text is about to grow
    thread.last_activity_at = thread.updated_at = now
    session.flush()
    return repo.message_views(session, [row.id])[0]


async def _uncancellable(work: Coroutine[Any, Any, T]) -> T:
    """Finish `work` even if the caller is cancelled meanwhile: an answer that is ending must
    reach the disk in its final state. The cancellation is absorbed; the answer is over anyway."""
    future = asyncio.ensure_future(work)
    while True:
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            if future.cancelled():
                raise


def _clean_name(value: str | None, what: str) -> str:
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise InvalidRequest(f"the {what} is empty")
    return cleaned[:300]


def _provisional_title(text: str) -> str:
    words = " ".join(text.split())
    return words if len(words) <= 60 else words[:59].rstrip() + "…"
