"""The sync worker's life: a worker stopped while a round hangs (a slow or stuck server) never
runs beside the one that replaced it and never speaks for the engine again.

The server is a real PostgreSQL; what hangs is the connection attempt, held by the test on an
event until it lets it go, so the first worker is inside its round for as long as the test wants.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from chatdesk.core.chat.events import Event, SyncStateChanged
from chatdesk.core.config import Settings
from chatdesk.core.paths import Paths
from chatdesk.core.store import open_store
from chatdesk.core.store.blobs import BlobStore
from chatdesk.core.store.store import Store
from chatdesk.core.sync.base import any_shared
from chatdesk.core.sync.engine import SyncEngine
from chatdesk.core.sync.remote import Remote
from chatdesk.core.sync.worker import ServerLink, SyncWorker
from tests.sync.conftest import Member, SyncDatabase

WORKER = "chatdesk-sync"


class HeldConnect:
    """Connects to the server as a member; the first attempt waits until `release` is set."""

    def __init__(self, member: Member) -> None:
        self._member = member
        self.entered = threading.Event()
        self.release = threading.Event()
        self.held: threading.Thread | None = None

    def __call__(self) -> Remote:
        if self.held is None:
            self.held = threading.current_thread()
            self.entered.set()
            assert self.release.wait(30), "the test never let the connection through"
        return Remote.open(self._member.dsn, None)


class Heard:
    """Every state the engine announced, with the thread that announced it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.states: list[tuple[threading.Thread, str]] = []

    def __call__(self, event: Event) -> None:
        if isinstance(event, SyncStateChanged):
            with self.lock:
                self.states.append((threading.current_thread(), event.state))

    def rounds_by(self, thread: threading.Thread) -> int:
        with self.lock:
            return sum(1 for who, state in self.states if who is thread and state == "syncing")

    def since(self, count: int) -> list[tuple[threading.Thread, str]]:
        with self.lock:
            return self.states[count:]


@pytest.fixture
def member(sync_db: SyncDatabase) -> Member:
    return sync_db.team("red", ["alice"]).members["alice"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    home = tmp_path / "alice"
    paths = Paths(home / "data", home / "config", home / "log", home / "cache")
    opened = open_store(paths, Settings())
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def engine(store: Store, member: Member) -> Iterator[tuple[SyncEngine, HeldConnect, Heard]]:
    held, heard = HeldConnect(member), Heard()
    made = SyncEngine(
        store,
        held,
        blobs=BlobStore.beside(store.path),
        shared=any_shared(store),
        publish_event=heard,
        poll_seconds=3600,
    )
    made.stop_timeout = 0.2
    try:
        yield made, held, heard
    finally:
        held.release.set()
        made.stop_timeout = 10
        made.stop()


def workers() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == WORKER}


def inside_a_held_round(engine: SyncEngine, held: HeldConnect) -> threading.Thread:
    engine.start()
    assert held.entered.wait(10), "the worker did not start a round"
    assert held.held is not None
    return held.held


def test_a_worker_stopped_inside_a_hung_round_never_runs_beside_its_successor(
    engine: tuple[SyncEngine, HeldConnect, Heard],
    member: Member,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sync, held, heard = engine
    before = workers()
    old = inside_a_held_round(sync, held)
    beside: list[bool] = []  # for each connection of the new worker: was the old one held?

    def connect() -> Remote:
        beside.append(not held.release.is_set())
        return Remote.open(member.dsn, None)

    with caplog.at_level(logging.WARNING, logger="chatdesk.sync"):
        sync.reconfigure(connect, 3600.0)  # stop gives up after 0.2 s
    assert old.is_alive(), "the round was not held"
    assert "still inside a round" in caplog.text
    sync.start()  # a second start (apply_login does one) starts nothing more
    [new] = workers() - before - {old}

    held.release.set()
    old.join(10)
    assert not old.is_alive(), "the stopped worker ran on after its round"
    assert sync.wait_for_round(10).state == "up to date"  # the new worker works
    assert beside, "the new worker never connected"
    assert not any(beside), "the new worker connected while the old one was in a round"
    assert heard.rounds_by(old) == 1  # the held round only
    assert heard.rounds_by(new) >= 1
    assert workers() - before == {new}


def test_a_worker_stopped_inside_a_hung_round_leaves_sync_off_when_it_was_turned_off(
    engine: tuple[SyncEngine, HeldConnect, Heard],
) -> None:
    sync, held, heard = engine
    old = inside_a_held_round(sync, held)
    sync.reconfigure(None, 60.0)  # the user removes the server while the round hangs
    assert sync.status.state == "off"
    said = len(heard.states)

    held.release.set()
    old.join(10)
    assert not old.is_alive()
    assert sync.status.state == "off"  # not "up to date" or "offline" from the old round
    assert heard.since(said) == []
    assert heard.rounds_by(old) == 1


def test_a_stopped_worker_stays_stopped_when_a_new_one_starts(
    engine: tuple[SyncEngine, HeldConnect, Heard],
) -> None:
    """A quick stop (the worker was waiting, not in a round) ends the worker; each start
    makes a new one and the old one never comes back."""
    sync, held, heard = engine
    held.release.set()
    before = workers()
    sync.start()
    assert sync.wait_for_round(10).state == "up to date"
    [first] = workers() - before
    sync.stop()
    assert not first.is_alive()
    sync.start()
    assert sync.wait_for_round(10).state == "up to date"
    [second] = workers() - before
    assert second is not first
    assert heard.rounds_by(first) >= 1
    assert heard.rounds_by(second) >= 1


@pytest.mark.parametrize(
    ("jitter", "spread"),
    [(0.5, 1.0), (0.0, 0.75), (0.999_999, 1.25)],  # the middle of the spread and its two ends
)
def test_a_failing_worker_waits_longer_each_time_and_starts_over_after_a_round(
    monkeypatch: pytest.MonkeyPatch, jitter: float, spread: float
) -> None:
    """Offline, the worker waits 1 s, 2 s, 4 s … up to half a minute between rounds, each
    spread by up to a quarter; a round that goes through brings back the poll (not spread),
    and the next failure waits about a second again. No server is needed: the rounds are the
    test's, run on its own thread, and the waits are recorded instead of waited."""
    failing = [True] * 7 + [False] + [True] * 2

    def run_round(link: ServerLink, wanted: Callable[[], bool]) -> None:
        if failing.pop(0):
            raise OSError("connection refused")

    def unreachable() -> Remote:
        raise AssertionError("the rounds are the test's: nothing connects")

    link = ServerLink(unreachable)
    worker = SyncWorker(run_round, link, poll_seconds=3600, teams=list, draw=lambda: jitter)
    waits: list[float] = []

    def waited(seconds: float) -> None:
        waits.append(seconds)
        if not failing:
            worker.stop(0)

    monkeypatch.setattr(worker, "_sleep", waited)
    worker._run()
    offline = [spread * base for base in (1, 2, 4, 8, 16, 30, 30)]
    assert waits == pytest.approx([*offline, 3600, spread, 2 * spread])
