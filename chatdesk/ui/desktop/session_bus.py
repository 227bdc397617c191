"""The session bus for the desktop's D-Bus parts (notifications, the portal's global
shortcut): one connection each, through jeepney on chatdesk's asyncio loop (the GUI thread),
its signals handed on as they come."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jeepney import MatchRule
    from jeepney.io.asyncio import DBusRouter

log = logging.getLogger("chatdesk.ui")


class SessionBus:
    """One connection to the session bus, made when first asked for, hearing the signals that
    `rules()` match (made then: jeepney loads on first use) and handing each to `on_signal`."""

    def __init__(
        self, rules: Callable[[], Sequence[MatchRule]], on_signal: Callable[[Any], None]
    ) -> None:
        self._rules = rules
        self._on_signal = on_signal
        self._router: asyncio.Future[DBusRouter] | None = None
        self._serving: asyncio.Task[None] | None = None

    async def connected(self) -> DBusRouter:
        """The connection, once made; what stopped it being made is raised (OSError …)."""
        if self._router is None:
            self._router = asyncio.get_running_loop().create_future()
            self._serving = asyncio.ensure_future(
                serve(self._rules(), self._router, self._on_signal)
            )
        return await asyncio.shield(self._router)

    def close(self) -> None:
        """The connection ended (its signals no longer heard)."""
        if self._serving is not None:
            self._serving.cancel()


async def serve(
    rules: Sequence[MatchRule],
    ready: asyncio.Future[DBusRouter],
    on_signal: Callable[[Any], None],
) -> None:
    """Connect, ask the bus for the signals `rules` match, give the connection to `ready`, then
    hand each such signal to `on_signal` until cancelled. A bus that cannot be reached fails
    `ready` with the reason; one that goes away later is logged."""
    from jeepney import MatchRule
    from jeepney.bus_messages import message_bus
    from jeepney.io.asyncio import open_dbus_router

    heard = rules[0] if len(rules) == 1 else MatchRule(type="signal")
    try:
        async with open_dbus_router(bus="SESSION") as router:
            for rule in rules:
                await router.send_and_get_reply(message_bus.AddMatch(rule))
            with router.filter(heard, bufsize=64) as signals:
                ready.set_result(router)
                while True:
                    on_signal(await signals.get())
    except (OSError, KeyError, ValueError) as error:
        if not ready.done():
            ready.set_exception(error)
        else:
            log.warning("the session bus went away: %s", error)
    finally:
        if not ready.done():
            ready.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            ready.exception()  # retrieved: not logged as never retrieved
