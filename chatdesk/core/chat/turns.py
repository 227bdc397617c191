"""Starting a turn: a message sent (in a thread, or starting a new one), a user message edited
into a new branch, an answer regenerated or continued. The user's words are checked, then
committed with the pending answer in one transaction before any provider is asked
(`repository/turns.py`); the answer runner then writes the answer in the background."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from chatdesk.core.chat import attachments as attached
from chatdesk.core.chat import caps
from chatdesk.core.chat import repository as repo
from chatdesk.core.chat.answers import Answers
from chatdesk.core.chat.budget import ThreadSetup
from chatdesk.core.chat.contexts import Contexts
from chatdesk.core.chat.events import (
    AnswerContinued,
    EventBus,
    MessageAdded,
    ThreadCreated,
    ThreadUpdated,
)
from chatdesk.core.clock import Clock
from chatdesk.core.config import Settings
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import ntr, number, tr
from chatdesk.core.kinds import (
    MAX_COMPARED,
    MIN_COMPARED,
    AttachmentKind,
    ChatErrorKind,
    Role,
    Status,
    TurnKind,
)
from chatdesk.core.providers.base import Providers
from chatdesk.core.providers.vision import model_takes_images
from chatdesk.core.store.blobs import BlobStore
from chatdesk.core.store.models import Thread
from chatdesk.core.store.store import Store
from chatdesk.core.views import AttachmentInput, MessageView, ResearchLimits, Turn, TurnRequest

log = logging.getLogger("chatdesk.chat")


def _checked_comparison(models: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The models of a comparison: none, or 2 to 4 different ones."""
    chosen = tuple(dict.fromkeys((p, m) for p, m in models))
    if chosen and not MIN_COMPARED <= len(chosen) <= MAX_COMPARED:
        raise InvalidRequest(
            # translators: the English says "1 were given" too; {n} is the number of models
            ntr(
                "a comparison takes {least} to {most} different models; "
                "{n} were given. Nothing was sent.",
                "a comparison takes {least} to {most} different models; "
                "{n} were given. Nothing was sent.",
                len(chosen),
                least=MIN_COMPARED,
                most=MAX_COMPARED,
            )
        )
    return chosen


class ImagesNotTaken(InvalidRequest):
    """The message holds images and the model that would answer it does not take them."""

    kind = ChatErrorKind.IMAGES_NOT_TAKEN


class Turns:
    def __init__(
        self,
        store: Store,
        providers: Providers,
        settings: Callable[[], Settings],
        events: EventBus,
        clock: Clock,
        contexts: Contexts,
        answers: Answers,
        blobs: BlobStore,
    ) -> None:
        self._store = store
        self._blobs = blobs
        self._providers = providers
        self._settings = settings
        self._events = events
        self._clock = clock
        self._contexts = contexts
        self._answers = answers

    async def send(
        self,
        thread_id: uuid.UUID | None,
        text: str,
        attachments: Sequence[AttachmentInput],
        *,
        provider: str | None,
        model: str | None,
        project_id: uuid.UUID | None = None,
        tools: Sequence[str] | None = None,
        over_cap: bool = False,
        assistant_id: uuid.UUID | None = None,
        compare: Sequence[tuple[str, str]] = (),
        knowledge: Sequence[uuid.UUID] = (),
        origin: str | None = None,
        research: ResearchLimits | None = None,
        memory_off: bool = False,
    ) -> Turn:
        """Commit the user's message (in a new thread in `project_id`, made at `origin`, with
        `tools` switched on, or its project's when None, when `thread_id` is None), with the
        chat's memory switched off from it on with `memory_off`, then start
        the answer (a research run's report, with `research`), or one answer from each
        `compare` model, side by side; refused before anything is written at a reached
        spending cap, unless `over_cap`."""
        text = self._check_message(text, attachments)
        compare = _checked_comparison(compare)
        return await self.start(
            TurnRequest(
                TurnKind.SEND,
                thread_id,
                text=text,
                attachments=tuple(attachments),
                provider=provider,
                model=model,
                project_id=project_id,
                tools=None if tools is None else tuple(tools),
                over_cap=over_cap,
                assistant_id=assistant_id,
                compare=compare,
                knowledge=tuple(knowledge),
                origin=origin,
                research=research,
                memory_off=memory_off,
            )
        )

    async def continue_answer(self, target: MessageView) -> Turn:
        """Let the model go on with an interrupted (or failed) answer, appending to it."""
        if target.role is not Role.ASSISTANT or target.status not in (
            Status.INTERRUPTED,
            Status.ERROR,
        ):
            raise InvalidRequest(tr("only an interrupted or failed answer can be continued"))
        return await self.start(TurnRequest(TurnKind.CONTINUE, target.thread_id, target.id))

    async def edit(self, original: MessageView, text: str) -> Turn:
        """Send a changed version of a user message as a new branch; the old one stays."""
        text = self._check_text(text)
        if original.role is not Role.USER:
            raise InvalidRequest(tr("only your own messages can be edited"))
        return await self.start(
            TurnRequest(TurnKind.EDIT, original.thread_id, original.id, text=text)
        )

    async def regenerate(self, target: MessageView) -> Turn:
        """A new answer beside an assistant message (or below a user message with none)."""
        return await self.start(TurnRequest(TurnKind.REGENERATE, target.thread_id, target.id))

    async def start(self, turn: TurnRequest) -> Turn:
        """Commit the turn, announce it, and hand its answer to the answer runner."""
        for provider in (turn.provider, *(p for p, _ in turn.compare)):
            if provider is not None:
                self._providers.get(provider)  # fail early on a typo
        now, owner = self._clock.now(), self._store.instance.id
        images = any(item.kind == AttachmentKind.IMAGE for item in turn.attachments)
        setup: Callable[..., ThreadSetup] = self._seeing_setup if images else self._contexts.setup
        if not turn.over_cap:
            setup = functools.partial(self._capped_setup, setup, now, turn.compare)
        started = await self._store.write(lambda s: repo.start_turn(s, now, turn, owner, setup))
        self._log(turn, started.answer)
        if started.new_thread:
            self._events.publish(ThreadCreated(started.thread))
        if started.user_message is not None:
            self._events.publish(MessageAdded(started.user_message))
        if turn.kind is TurnKind.CONTINUE:
            self._events.publish(AnswerContinued(started.answer))
        else:  # a comparison's other answers are not on the branch shown: not "added" to it
            self._events.publish(MessageAdded(started.answer))
        self._events.publish(ThreadUpdated(started.thread))
        for answer in (started.answer, *started.others):
            self._answers.start(answer, turn.research)
        return Turn(started.user_message, started.answer, started.others)

    def _capped_setup(
        self,
        setup: Callable[..., ThreadSetup],
        now: datetime,
        compared: Sequence[tuple[str, str]],
        session: Session,
        thread: Thread,
        **chosen_model: str | None,
    ) -> ThreadSetup:
        """The thread's setup (for the model chosen, if one is), refused (before anything is
        written) when a spending cap that applies to its request is reached, counting the
        answers of `compared` (a comparison's models) chosen before this one."""
        chosen = setup(session, thread, **chosen_model)
        pair = (chosen_model.get("provider"), chosen_model.get("model"))
        admitted = compared[: compared.index(pair)] if pair in compared else ()
        caps.check(
            session, self._settings(), self._providers, now, chosen.provider, thread.id, admitted
        )
        return chosen

    def _seeing_setup(
        self, session: Session, thread: Thread, **chosen_model: str | None
    ) -> ThreadSetup:
        """The thread's setup (for the model chosen, if one is), refused (before anything is
        written) when its model does not take the images the message holds."""
        chosen = self._contexts.setup(session, thread, **chosen_model)
        if not model_takes_images(self._providers, chosen.provider, chosen.model):
            raise ImagesNotTaken(
                tr(
                    "{model} on {provider} does not take images, so nothing was sent. "
                    "Choose a model that does (for example gpt-4o, or llava on Ollama), or remove "
                    "the images; if this model does take them, say so in the provider's settings "
                    "(Models take images).",
                    model=chosen.model,
                    provider=chosen.provider,
                )
            )
        return chosen

    def _check_message(self, text: str, attachments: Sequence[AttachmentInput]) -> str:
        if attachments:
            attached.check(attachments, self._settings().chat.max_message_chars, self._blobs)
            return self._check_text(text) if text.strip() else ""
        return self._check_text(text)

    def _check_text(self, text: str) -> str:
        if not text or not text.strip():
            raise InvalidRequest(tr("the message is empty; nothing was sent"))
        limit = self._settings().chat.max_message_chars
        if len(text) > limit:
            raise InvalidRequest(
                ntr(
                    "the message is {n} character long; the limit is {limit} "
                    "(setting chat.max_message_chars). Nothing was sent.",
                    "the message is {n} characters long; the limit is {limit} "
                    "(setting chat.max_message_chars). Nothing was sent.",
                    len(text),
                    limit=number(limit),
                )
            )
        if "\x00" in text:
            raise InvalidRequest(tr("the message contains a NUL character; nothing was sent"))
        return text

    def _log(self, turn: TurnRequest, answer: MessageView) -> None:
        if not log.isEnabledFor(logging.DEBUG):
            return
        size = f"{len(turn.text)} chars" if turn.text is not None else turn.kind.value
        shown = (
            f": {turn.text!r}" if turn.text and self._settings().logging.log_message_text else ""
        )
        log.debug(
            "thread %s: answer %s with %s/%s (%s)%s",
            answer.thread_id,
            answer.id,
            answer.provider,
            answer.model,
            size,
            shown,
        )
