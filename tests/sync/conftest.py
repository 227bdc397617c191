"""Fixtures for tests against a real PostgreSQL (see pg.py for the cluster itself).

- `pg_server` (session): the running cluster. `restart()` (immediate, like a crash),
  `stop(mode)` / `start()` for outages, `admin_dsn(db)`, `member_dsn(db, user, password)`.
  A test that stops it need not start it again: the next `sync_db` does.
- `sync_db`: a fresh database with chatdesk's server schema, dropped after the test, with
  helpers to make teams and members (`sync_db.team("red", ["alice", "bob"])`). Member login
  roles are cluster-wide, so each test's roles get a unique suffix and are dropped after it.
- `empty_db`: a fresh database without the schema (for `chatdesk server init` itself).

Without PostgreSQL's binaries the tests are skipped, except in CI (`CI=true`), where that fails.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest

from chatdesk.core.sync.server.admin import ServerAdmin
from chatdesk.core.sync.server.roles import MemberRole
from tests.sync.pg import PgServer, find_bin_dir

if TYPE_CHECKING:
    from tests.sync.client import Client

TEMPLATE = "chatdesk_template"
_numbers = itertools.count(1)


@dataclass(frozen=True)
class Member:
    name: str  # the login role (unique in the cluster)
    password: str
    dsn: str  # TCP 127.0.0.1, password auth, this test's database

    def connect(self, *, autocommit: bool = True) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.dsn, autocommit=autocommit)


@dataclass(frozen=True)
class Team:
    id: uuid.UUID
    name: str
    members: dict[str, Member] = field(default_factory=dict)  # by the short name given


class SyncDatabase:
    """One test's database: schema initialised, teams and members made on request."""

    def __init__(self, server: PgServer, name: str, suffix: str) -> None:
        self.server = server
        self.name = name
        self.suffix = suffix
        self.admin_dsn = server.admin_dsn(name)
        self.admin = ServerAdmin(self.admin_dsn)
        self.members: dict[str, Member] = {}  # by short name
        self._logins: list[str] = []  # made otherwise (through the admin API or CLI)
        self._looking: psycopg.Connection[tuple[object, ...]] | None = None

    def team(self, name: str, members: Sequence[str] = ("alice", "bob")) -> Team:
        """A new team with these people in it (short names; existing ones are reused)."""
        made = self.admin.add_team(name)
        team = Team(made.id, made.name)
        for short in members:
            team.members[short] = self.add_member(team, short)
        return team

    def add_member(self, team: Team, short: str, role: MemberRole = "member") -> Member:
        member = self.members.get(short)
        if member is None:
            login = f"{short}_{self.suffix}"
            password = secrets.token_urlsafe(16)
            self.admin.add_member(str(team.id), login, password=password, role=role)
            member = Member(login, password, self.server.member_dsn(self.name, login, password))
            self.members[short] = member
        else:
            self.admin.add_member(str(team.id), member.name, role=role)
        team.members[short] = member
        return member

    def login_name(self, short: str) -> str:
        """A login name unique in the cluster, dropped after the test (for roles a test makes
        itself through the admin API or the CLI)."""
        name = f"{short}_{self.suffix}"
        self._logins.append(name)
        return name

    def connect_admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """The superuser (bypasses row-level security: for looking, never for attacking)."""
        return psycopg.connect(self.admin_dsn, autocommit=True)

    @contextlib.contextmanager
    def looking(self) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
        """The superuser's connection kept for reading what the server holds between a test's
        steps (each new connection costs the server a process), made again once a restart or
        an outage has broken it. Not for holding locks or transactions: use `connect_admin`."""
        kept = self._looking
        if kept is not None and not kept.closed:
            try:
                kept.execute("SELECT 1")
            except psycopg.OperationalError:
                kept.close()
        if kept is None or kept.closed:
            kept = self._looking = psycopg.connect(self.admin_dsn, autocommit=True)
        yield kept

    def drop(self) -> None:
        if self._looking is not None:
            self._looking.close()
        self.server.ensure_running()
        self.server.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        for name in {*(m.name for m in self.members.values()), *self._logins}:
            self.server.execute(f'DROP ROLE IF EXISTS "{name}"')


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        reason = (
            "PostgreSQL's server binaries (initdb, pg_ctl, postgres) are not installed: "
            "apt-get install postgresql, or put its bin folder on PATH"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    server = PgServer(bin_dir)
    try:
        server.create()
        server.start()
        ServerAdmin(_made(server, TEMPLATE)).init()
        yield server
    finally:
        server.destroy()


def _made(server: PgServer, name: str, template: str = "template0") -> str:
    server.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    if template != "template0":
        # A database's own privileges are not copied from its template: what init set on the
        # database itself is set again here.
        server.execute(f'REVOKE TEMPORARY ON DATABASE "{name}" FROM PUBLIC')
        server.execute(f'GRANT TEMPORARY ON DATABASE "{name}" TO chatdesk_owner')
    return server.admin_dsn(name)


@pytest.fixture
def sync_db(pg_server: PgServer) -> Iterator[SyncDatabase]:
    pg_server.ensure_running()
    number = next(_numbers)
    database = SyncDatabase(pg_server, f"chatdesk_t{number}", f"t{number}")
    _made(pg_server, database.name, TEMPLATE)
    try:
        yield database
    finally:
        database.drop()


@pytest.fixture
def empty_db(pg_server: PgServer) -> Iterator[str]:
    """The admin DSN of a fresh database without chatdesk's schema."""
    pg_server.ensure_running()
    name = f"chatdesk_empty{next(_numbers)}"
    dsn = _made(pg_server, name)
    try:
        yield dsn
    finally:
        pg_server.ensure_running()
        pg_server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def old_db(pg_server: PgServer) -> Iterator[SyncDatabase]:
    """A database whose schema is at revision 0001 (before members lost the tables)."""
    from chatdesk.core.sync.server import schema

    pg_server.ensure_running()
    number = next(_numbers)
    database = SyncDatabase(pg_server, f"chatdesk_old{number}", f"o{number}")
    schema.upgrade(_made(pg_server, database.name), target="0001")
    try:
        yield database
    finally:
        database.drop()


@pytest.fixture
def team(sync_db: SyncDatabase) -> Team:
    """Team red, with alice and bob (a test module may name its own)."""
    return sync_db.team("red", ["alice", "bob"])


@pytest.fixture
def pair(tmp_path: Path, team: Team) -> Iterator[tuple[Client, Client]]:
    """alice's and bob's chatdesk, each with its own data folder."""
    from tests.sync.client import Client  # it imports this module's Member

    alice = Client(tmp_path / "alice", team.members["alice"])
    bob = Client(tmp_path / "bob", team.members["bob"])
    try:
        yield alice, bob
    finally:
        alice.close()
        bob.close()
