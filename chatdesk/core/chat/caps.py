"""Spending caps: what answers may cost in a calendar month, all providers together
(`caps.monthly_usd`) and per provider profile (`ProviderProfile.monthly_cap_usd`), and in one
chat (`caps.thread_usd`).

The costs counted are the ones stored with each answer (estimated counts included, and said
so), of every thread, deleted ones too: the money was spent. Once a cap is reached, a request is
refused before anything is written (the message stays in the composer, `CapReached`), unless
the user allows that one request; background work (summaries, titles) is skipped instead.
The answer that crosses a cap completes. From `caps.warn_at` of a cap on, each answer that
ends says how near it is (`CapNear`). With no cap set, nothing is read.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chatdesk.core.chat.kinds import CAP_REACHED
from chatdesk.core.clock import Clock
from chatdesk.core.config import Settings
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.providers.base import Providers
from chatdesk.core.store.models import Message, Role
from chatdesk.core.store.store import Store
from chatdesk.core.units import format_cost

M = Message.__table__.c
RAISE = (
    "Raise the cap (Preferences ▸ Usage, or `chatdesk caps set`), or allow this one request "
    "(Send anyway, or `chatdesk ask --over-cap`)."
)


class CapReached(InvalidRequest):
    """A spending cap is reached: nothing was sent."""

    kind = CAP_REACHED


@dataclass(frozen=True)
class CapState:
    """One cap that applies to a request, and what has been spent against it."""

    name: str  # "this month, all providers", "this month on openai", "this chat"
    cap: float  # USD
    spent: float  # USD
    estimated: bool = False  # some of the costs counted come from estimated token counts

    @property
    def share(self) -> float:
        return self.spent / self.cap if self.cap else 0.0

    @property
    def reached(self) -> bool:
        return self.spent >= self.cap

    def said(self) -> str:
        """ "$18.40 of $20.00 (92 %) this month, all providers"."""
        about = "about " if self.estimated else ""
        spent, cap = format_cost(self.spent), format_cost(self.cap)
        return f"{about}{spent} of {cap} ({self.share:.0%}) {self.name}"

    def with_left(self) -> str:
        """`said()` and what is left: "…; $1.60 left", or that it is reached."""
        if self.reached:
            return f"{self.said()}; reached"
        return f"{self.said()}; {format_cost(self.cap - self.spent)} left"


def check(
    session: Session,
    settings: Settings,
    providers: Providers,
    now: datetime,
    provider: str,
    thread_id: uuid.UUID | None,
) -> list[CapState]:
    """The caps that apply to a request to `provider` in `thread_id`; CapReached when one is
    reached. Reads nothing when no cap is set."""
    states = cap_states(session, settings, now, provider, provider_cap(providers, provider),
                        thread_id)  # fmt: skip
    refuse_if_reached(states)
    return states


def provider_cap(providers: Providers, provider: str) -> float:
    """The monthly cap of `provider`'s profile (0: none)."""
    profile = getattr(providers.get(provider), "profile", None) if provider in providers else None
    return float(getattr(profile, "monthly_cap_usd", 0.0) or 0.0)


def cap_states(
    session: Session,
    settings: Settings,
    now: datetime,
    provider: str,
    provider_cap: float,
    thread_id: uuid.UUID | None,
) -> list[CapState]:
    """The caps that apply to a request to `provider` in `thread_id` (None: a new chat), with
    what has been spent against each; empty when none is set."""
    caps, found = settings.caps, []
    month = now.strftime("%Y-%m")
    if caps.monthly_usd:
        spent, estimated = _spent(session, month=month)
        found.append(CapState("this month, all providers", caps.monthly_usd, spent, estimated))
    if provider_cap:
        spent, estimated = _spent(session, month=month, provider=provider)
        found.append(CapState(f"this month on {provider}", provider_cap, spent, estimated))
    if caps.thread_usd and thread_id is not None:
        spent, estimated = _spent(session, thread_id=thread_id)
        found.append(CapState("in this chat", caps.thread_usd, spent, estimated))
    return found


def refuse_if_reached(states: list[CapState]) -> None:
    """Raise CapReached naming the first cap reached, what was spent, and how to go on."""
    for state in states:
        if state.reached:
            raise CapReached(
                f"The spending cap is reached: {state.said()}. Nothing was sent. {RAISE}"
            )


def near(states: list[CapState], settings: Settings) -> str:
    """What to say of the caps at or past `caps.warn_at` ("" for none)."""
    close = [s for s in states if s.share >= settings.caps.warn_at]
    if not close:
        return ""
    return "Spending cap near: " + "; ".join(s.said() for s in close) + "."


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
    return float(spent), bool(estimated)


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


def _without_overall(settings: Settings) -> Settings:
    return dataclasses.replace(settings, caps=dataclasses.replace(settings.caps, monthly_usd=0.0))
