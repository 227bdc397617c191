"""The sync worker: one background thread that runs a round whenever something happens — a
local change was queued (the bell), the server sent a notification naming one of this user's
teams (LISTEN), the poll interval passed, or someone asked — and backs off while offline.

A worker is used once. It owns everything it waits on: its stop signal, its bell, its
connection to the server and its notification connection, so a stopped worker can never be
revived by a later start, and one still finishing a slow round when `stop` gave up waiting
shares nothing with the worker that replaced it (the engine also runs one round at a time, and
counts a round only while its worker is wanted). The bell is a socket pair, which `select`
waits on on every OS (Windows' `select` takes sockets only).
"""

from __future__ import annotations

import contextlib
import logging
import random
import socket
import threading
import time
from collections.abc import Callable
from select import select as readable
from typing import TYPE_CHECKING, Any

from chatdesk.core.retry import Backoff
from chatdesk.core.sync.base import SyncRefused, Team, first_line, is_transient

if TYPE_CHECKING:
    from chatdesk.core.sync.remote import Remote

log = logging.getLogger("chatdesk.sync")

# After failed rounds in a row (offline, the server restarting): 1 s, 2 s, 4 s … up to half a
# minute, so a short outage ends soon after the server is back and a long one costs a connection
# attempt every half-minute. Spread ±25 %, as the answers' waits are: a restart of the team's
# server cuts every member at once, and they should not all come back in the same instant.
# Never given up on while sync is on; a local change or a stop ends a wait early (`_sleep`).
OFFLINE_BACKOFF = Backoff(first=1.0, factor=2.0, cap=30.0, retries=None, jitter=0.25)
SETTLE = 0.05  # after a wake-up: a burst of changes or notifications makes one round


class ServerLink:
    """A connection to the team server, opened when first needed and opened again after it
    broke (a server restart leaves a dead one behind)."""

    def __init__(self, connect: Callable[[], Remote]) -> None:
        self._connect = connect
        self.remote: Remote | None = None

    def open(self) -> Remote:
        if self.remote is not None:
            try:
                with self.remote.connection.transaction():
                    self.remote.connection.execute("SELECT 1")
                return self.remote
            except Exception as error:
                if not is_transient(error):
                    raise
                self.drop()
        self.remote = self._connect()
        return self.remote

    def drop(self) -> None:
        remote, self.remote = self.remote, None
        if remote is not None:
            try:
                remote.close()
            except Exception:  # already broken
                log.debug("closing a broken team server connection", exc_info=True)


# run_round(link, wanted): one round over `link`, skipped once `wanted()` is false.
RoundRunner = Callable[[ServerLink, Callable[[], bool]], object]


class SyncWorker:
    def __init__(
        self,
        run_round: RoundRunner,
        link: ServerLink,
        poll_seconds: float,
        teams: Callable[[], list[Team]],
        draw: Callable[[], float] = random.random,  # the waits' jitter
    ) -> None:
        self._run_round = run_round
        self._draw = draw
        self._link = link
        self._poll = poll_seconds
        self._teams = teams
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._bell_lock = threading.Lock()
        self._bell: tuple[socket.socket, socket.socket] | None = _bell()
        self._listener: Any = None
        self._thread = threading.Thread(target=self._run, name="chatdesk-sync", daemon=True)

    @property
    def wanted(self) -> bool:
        return not self._stop.is_set()

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()
        with self._bell_lock:  # never write to a bell the worker has closed
            if self._bell is not None:
                with contextlib.suppress(BlockingIOError, OSError):  # full: it rings already
                    self._bell[1].send(b"\0")

    def stop(self, timeout: float) -> bool:
        """Tell the worker to end and wait up to `timeout` seconds; whether it has ended. One
        that has not is inside a round: it ends after it, without starting another."""
        self._stop.set()
        self.wake()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    # -- the thread ------------------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0  # in a row
        try:
            while self.wanted:
                try:
                    self._run_round(self._link, lambda: self.wanted)
                    if self._stop.is_set():
                        break  # stopped during the round: no listener for a worker that is done
                    failures, wait = 0, self._poll
                    if self._listen():
                        # A change a teammate pushed after that round read the server and
                        # before LISTEN began was announced to no one: one more round now
                        # brings it, and from here on every change is announced.
                        continue
                except SyncRefused:
                    wait = max(self._poll, 60.0)
                except Exception as error:
                    if self._stop.is_set():
                        break
                    wait = OFFLINE_BACKOFF.delay(failures, draw=self._draw)
                    failures += 1
                    log.info("team sync failed (%s); retrying in %.0f s", first_line(error), wait)
                    self._close_listener()
                self._sleep(wait)
        finally:
            self._close_listener()
            self._link.drop()
            with self._bell_lock:
                bell, self._bell = self._bell, None
            for end in bell or ():
                end.close()

    def _sleep(self, seconds: float) -> None:
        """Until woken, a notification arrives, or `seconds` pass; then a short settle so a
        burst of changes goes in one push."""
        deadline = time.monotonic() + seconds
        while self.wanted:
            left = deadline - time.monotonic()
            if left <= 0 or self._wake.is_set() or self._notified(left):
                break
        self._wake.clear()
        if self.wanted:
            self._stop.wait(SETTLE)
        self._drain_bell()

    def _drain_bell(self) -> None:
        if self._bell is not None:
            with contextlib.suppress(OSError):  # empty
                while self._bell[0].recv(4096):
                    pass

    def _listen(self) -> bool:
        """Start listening for the server's notifications; whether it just began."""
        if self._listener is not None or self._link.remote is None:
            return False
        try:
            self._listener = self._link.remote.listener()
        except Exception as error:  # notifications are a hint; polling still works
            log.info("team server notifications unavailable: %s", first_line(error))
            return False
        return True

    def _notified(self, timeout: float) -> bool:
        """Wait up to `timeout` for the bell (a local change, a stop) or a notification."""
        bell = self._bell[0] if self._bell is not None else None
        waiting: list[Any] = [bell] if bell is not None else []
        if self._listener is not None:
            waiting.append(self._listener.fileno())
        try:
            ready, _, _ = readable(waiting, [], [], timeout)
            if bell is not None and bell in ready:
                return True
            if not ready or self._listener is None:
                return False
            # Anyone may NOTIFY on the channel: only a team of mine is worth a round.
            mine = {str(team.id) for team in self._teams()}
            found = self._listener.notifies(timeout=0, stop_after=100)
            return any(notice.payload in mine for notice in found)
        except Exception as error:
            log.info("team server notifications stopped: %s", first_line(error))
            self._close_listener()
            return True

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            try:
                listener.close()
            except Exception:
                log.debug("closing the notification connection", exc_info=True)


def _bell() -> tuple[socket.socket, socket.socket]:
    ends = socket.socketpair()
    for end in ends:
        end.setblocking(False)
    return ends[0], ends[1]
