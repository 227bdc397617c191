"""Spending caps: what answers may cost in a calendar month, all providers together
(`caps.monthly_usd`) and per provider profile (`ProviderProfile.monthly_cap_usd`), and in one
chat (`caps.thread_usd`).

The costs counted are the ones stored with each answer (estimated counts included, and said
so), of every thread, deleted ones too: the money was spent; and, for the monthly caps, those of
the local API's answers kept in no chat (`api_spending`, `completions.py`). Once a cap is
reached, a request is refused before anything is written (the message stays in the composer,
`CapReached`), unless the user allows that one request or it goes to a provider without prices
(it costs nothing counted here: a local model); background work (summaries, titles) is skipped
instead. Answers still being written count at what their model's answers have cost on average, so
requests sent together are held to a cap as if they had been sent one after another (their
costs are known only as they end): the answer that crosses a cap completes, and the requests
after it are refused. From `caps.warn_at` of a cap on, each answer that ends says how near it is
(`CapNear`). With no cap set, nothing is read.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chatdesk.core.chat.repository import usage
from chatdesk.core.chat.usage import UsageRow, UsageTotals
from chatdesk.core.clock import Clock
from chatdesk.core.config import Settings
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import mark, percent, tr
from chatdesk.core.kinds import ChatErrorKind, Status
from chatdesk.core.providers.base import Providers
from chatdesk.core.store.models import ApiSpending, Message, Role
from chatdesk.core.store.store import Store
from chatdesk.core.units import format_cost
from chatdesk.core.views import MessageView

M = Message.__table__.c
A = ApiSpending.__table__.c
RAISE = mark(
    "Raise the cap (Preferences ▸ Usage, or `chatdesk caps set`), or allow this one request "
    "(Send anyway, or `chatdesk ask --over-cap`)."
)


class CapReached(InvalidRequest):
    """A spending cap is reached: nothing was sent."""

    kind = ChatErrorKind.CAP_REACHED


@dataclass(frozen=True)
class CapState:
    """One cap that applies to a request, and what has been spent against it."""

    name: str  # "this month, all providers", "this month on openai", "this chat" (English)
    cap: float  # USD
    spent: float  # USD
    estimated: bool = False  # some of the costs counted come from estimated token counts
    writing: float = 0.0  # USD the answers being written now are expected to cost
    label: str = ""  # `name` in the user's language ("": `name`)

    @property
    def share(self) -> float:
        return self.spent / self.cap if self.cap else 0.0

    @property
    def reached(self) -> bool:
        return self.spent + self.writing >= self.cap

    def said(self) -> str:
        """ "$18.40 of $20.00 (92 %) this month, all providers", and "with about $0.90 more
        expected of answers being written" when some are."""
        spent, cap = format_cost(self.spent), format_cost(self.cap)
        name = self.label or self.name
        if self.estimated:
            said = tr(
                "about {spent} of {cap} ({share}) {name}",
                spent=spent,
                cap=cap,
                share=percent(self.share),
                name=name,
            )
        else:
            said = tr(
                "{spent} of {cap} ({share}) {name}",
                spent=spent,
                cap=cap,
                share=percent(self.share),
                name=name,
            )
        if self.writing:
            said = tr(
                "{cap}, with about {cost} more expected of answers being written",
                cap=said,
                cost=format_cost(self.writing),
            )
        return said

    def with_left(self) -> str:
        """`said()` and what is left: "…; $1.60 left", or that it is reached."""
        if self.reached:
            return tr("{cap}; reached", cap=self.said())
        left = format_cost(self.cap - self.spent - self.writing)
        return tr("{cap}; {left} left", cap=self.said(), left=left)


def check(
    session: Session,
    settings: Settings,
    providers: Providers,
    now: datetime,
    provider: str,
    thread_id: uuid.UUID | None,
    admitted: Sequence[tuple[str, str]] = (),
) -> list[CapState]:
    """The caps that apply to a request to `provider` in `thread_id`; CapReached when one is
    reached. `admitted`: the (provider, model) of the answers of this same request let through
    already but not written yet (a comparison's). A provider without prices costs nothing that
    is counted, so no cap refuses it. Reads nothing when no cap is set."""
    states = cap_states(
        session, settings, now, provider, provider_cap(providers, provider), thread_id, admitted
    )
    if getattr(_profile(providers, provider), "has_prices", False):
        refuse_if_reached(states)
    return states


def provider_cap(providers: Providers, provider: str) -> float:
    """The monthly cap of `provider`'s profile (0: none)."""
    return float(getattr(_profile(providers, provider), "monthly_cap_usd", 0.0) or 0.0)


def _profile(providers: Providers, provider: str) -> object:
    """`provider`'s profile (None: the mock, or a provider not known)."""
    return getattr(providers.get(provider), "profile", None) if provider in providers else None


def cap_states(
    session: Session,
    settings: Settings,
    now: datetime,
    provider: str,
    provider_cap: float,
    thread_id: uuid.UUID | None,
    admitted: Sequence[tuple[str, str]] = (),
    running: tuple[uuid.UUID, float] | None = None,
) -> list[CapState]:
    """The caps that apply to a request to `provider` in `thread_id` (None: a new chat), with
    what has been spent against each and what the answers being written (and `admitted`) are
    expected to cost; empty when none is set. `running`: an answer of that request being
    written and what it has cost so far, counted as spent rather than expected."""
    caps, found = settings.caps, []
    month = now.strftime("%Y-%m")
    writing = _Writing(session, admitted, None if running is None else running[0])
    if caps.monthly_usd:
        spent, estimated = _spent(session, month=month)
        found.append(
            CapState(
                "this month, all providers",
                caps.monthly_usd,
                spent,
                estimated,
                writing.expected(),
                tr("this month, all providers"),
            )
        )
    if provider_cap:
        spent, estimated = _spent(session, month=month, provider=provider)
        found.append(
            CapState(
                f"this month on {provider}",
                provider_cap,
                spent,
                estimated,
                writing.expected(provider=provider),
                tr("this month on {provider}", provider=provider),
            )
        )
    if caps.thread_usd and thread_id is not None:
        spent, estimated = _spent(session, thread_id=thread_id)
        found.append(
            CapState(
                "in this chat",
                caps.thread_usd,
                spent,
                estimated,
                writing.expected(thread_id=thread_id),
                tr("in this chat"),
            )
        )
    if running is not None:
        return [dataclasses.replace(s, spent=s.spent + running[1]) for s in found]
    return found


def refuse_if_reached(states: list[CapState]) -> None:
    """Raise CapReached naming the first cap reached, what was spent, and how to go on."""
    for state in states:
        if state.reached:
            raise CapReached(
                tr(
                    "The spending cap is reached: {cap}. Nothing was sent. {how}",
                    cap=state.said(),
                    how=tr(RAISE),
                )
            )


def near(states: list[CapState], settings: Settings) -> str:
    """What to say of the caps at or past `caps.warn_at` ("" for none)."""
    close = [s for s in states if s.share >= settings.caps.warn_at]
    if not close:
        return ""
    return tr("Spending cap near: {caps}.", caps="; ".join(s.said() for s in close))


def _spent(
    session: Session,
    *,
    month: str | None = None,
    provider: str | None = None,
    thread_id: uuid.UUID | None = None,
) -> tuple[float, bool]:
    query = select(
        func.coalesce(func.sum(M.cost_usd), 0.0), func.coalesce(func.max(M.usage_estimated), False)
    ).where(M.role == Role.ASSISTANT, M.cost_usd.is_not(None))
    if month is not None:
        query = query.where(func.strftime("%Y-%m", M.completed_at) == month)
    if provider is not None:
        query = query.where(M.provider == provider)
    if thread_id is not None:
        query = query.where(M.thread_id == thread_id)
    spent, estimated = session.execute(query).one()
    if thread_id is None:  # what the local API's answers kept nowhere cost counts too
        spent += _spent_through_api(session, month, provider)
    return float(spent), bool(estimated)


def _spent_through_api(session: Session, month: str | None, provider: str | None) -> float:
    query = select(func.coalesce(func.sum(A.cost_usd), 0.0))
    if month is not None:
        query = query.where(func.strftime("%Y-%m", A.created_at) == month)
    if provider is not None:
        query = query.where(A.provider == provider)
    return float(session.execute(query).scalar_one())


class _Writing:
    """What the answers being written now are expected to cost: each at the mean cost of its
    model's answers that have a cost (nothing, for a model with none yet)."""

    def __init__(
        self,
        session: Session,
        admitted: Sequence[tuple[str, str]],
        running: uuid.UUID | None = None,
    ) -> None:
        self._session = session
        self._admitted = admitted
        self._running = running  # counted at what it has cost, not at a mean
        self._means: dict[tuple[str, str], float] = {}

    def expected(self, *, provider: str | None = None, thread_id: uuid.UUID | None = None) -> float:
        """Of the answers to `provider` (None: any) in `thread_id` (None: any chat), and of
        the request's own admitted answers that fall under the same cap."""
        query = (
            select(M.provider, M.model, func.count())
            .where(M.role == Role.ASSISTANT, M.status.in_((Status.PENDING, Status.STREAMING)))
            .group_by(M.provider, M.model)
        )
        if provider is not None:
            query = query.where(M.provider == provider)
        if thread_id is not None:
            query = query.where(M.thread_id == thread_id)
        if self._running is not None:
            query = query.where(M.id != self._running)
        counted = [(p, m, n) for p, m, n in self._session.execute(query) if p and m]
        counted += [(p, m, 1) for p, m in self._admitted if provider in (None, p)]
        return float(sum(n * self._mean(p, m) for p, m, n in counted))

    def _mean(self, provider: str, model: str) -> float:
        if (provider, model) not in self._means:
            query = select(func.avg(M.cost_usd)).where(
                M.role == Role.ASSISTANT,
                M.provider == provider,
                M.model == model,
                M.cost_usd.is_not(None),
            )
            self._means[provider, model] = float(self._session.execute(query).scalar() or 0.0)
        return self._means[provider, model]


class Spending:
    """The caps and what has been spent against them, for the Usage page and the CLI."""

    def __init__(
        self,
        store: Store,
        providers: Providers,
        settings: Callable[[], Settings],
        clock: Clock,
    ) -> None:
        self._store = store
        self._providers = providers
        self._settings = settings
        self._clock = clock

    async def hold_run(self, answer: MessageView, cost_so_far: float | None) -> None:
        """Hold a research run to the caps before its next request to the model: with what it
        has cost so far counted as spent, a cap reached stops it (`CapReached`, saying which)
        rather than letting that request cross it further. Reads nothing when no cap is set
        or the provider has no prices."""
        settings, now, provider = self._settings(), self._clock.now(), answer.provider or ""
        if not getattr(_profile(self._providers, provider), "has_prices", False):
            return
        cap = provider_cap(self._providers, provider)
        running = (answer.id, cost_so_far or 0.0)

        def read(session: Session) -> list[CapState]:
            return cap_states(session, settings, now, provider, cap, answer.thread_id, (), running)

        for state in await self._store.read(read):
            if state.reached:
                raise CapReached(
                    tr(
                        "The spending cap is reached: {cap}. The research run stopped before "
                        "its next request to the model. {how}",
                        cap=state.said(),
                        how=tr(RAISE),
                    )
                )

    async def overview(self) -> list[CapState]:
        """This month's caps: all providers together, then each provider that has one."""
        settings, now = self._settings(), self._clock.now()
        capped = [(name, provider_cap(self._providers, name)) for name in self._providers.names()]

        def read(session: Session) -> list[CapState]:
            found = cap_states(session, settings, now, "", 0.0, None)
            for name, cap in capped:
                if cap:
                    found += cap_states(session, _without_overall(settings), now, name, cap, None)
            return found

        return await self._store.read(read)

    async def thread_usage(self, thread_id: uuid.UUID) -> UsageTotals:
        """Tokens and cost of every answer in the thread, all branches included."""
        return await self._store.read(lambda s: usage.thread_usage(s, thread_id))

    async def usage_by_month(self, month: str | None = None) -> list[UsageRow]:
        """Tokens and cost per month, provider and model, newest month first."""
        return await self._store.read(lambda s: usage.usage_by_month(s, month))


def _without_overall(settings: Settings) -> Settings:
    return dataclasses.replace(settings, caps=dataclasses.replace(settings.caps, monthly_usd=0.0))
