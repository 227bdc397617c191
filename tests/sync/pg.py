"""A throwaway PostgreSQL cluster for the sync tests, made from the installed server binaries.

One cluster per test session (initdb takes seconds), a fresh database per test (a copy of a
template that already has chatdesk's schema: tens of milliseconds). Authentication is real:
the administrator (superuser `postgres`) comes in over a Unix socket with `trust`, and only
that role may; everyone else logs in over TCP on 127.0.0.1 with a SCRAM password.

PostgreSQL refuses to run as root, so when the tests run as root the cluster runs as the
`postgres` system user (or `nobody`) through runuser, in a folder that user owns.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from tests.ports import free_port

ADMIN_ROLE = "postgres"


def find_bin_dir() -> Path | None:
    """The folder with initdb, pg_ctl and postgres: from PATH, else the newest Debian one."""
    found = shutil.which("pg_ctl")
    candidates = [Path(found).resolve().parent] if found else []
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted((Path(v) for v in versions), key=_major, reverse=True)
    for folder in candidates:
        if all((folder / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def _major(folder: Path) -> int:
    try:
        return int(folder.parent.name)
    except ValueError:
        return 0


class PgServer:
    """A PostgreSQL cluster in a temporary folder; start, stop and restart it at will."""

    host = "127.0.0.1"

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.run_as = _unprivileged_user() if os.geteuid() == 0 else None
        self.root = Path(tempfile.mkdtemp(prefix="chatdesk-pg-"))
        self.data_dir = self.root / "data"
        self.socket_dir = self.root
        self.log_file = self.root / "server.log"
        self.port = free_port()
        self.tls_root: Path | None = None  # the CA that signed the server's certificate
        self.other_root: Path | None = None  # a CA that did not
        if self.run_as is not None:
            entry = pwd.getpwnam(self.run_as)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    # -- life cycle --------------------------------------------------------------------------

    def create(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            ADMIN_ROLE,
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
        )
        (self.data_dir / "pg_hba.conf").write_text(
            f"local all {ADMIN_ROLE} trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
        )
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nlisten_addresses = '{self.host}'\n"
                f"port = {self.port}\n"
                f"unix_socket_directories = '{self.socket_dir}'\n"
                "max_connections = 200\n"
                "shared_buffers = 32MB\n"
                # The OS never crashes under test, so nothing need reach the disk itself; but a
                # commit must be written out before it returns (synchronous_commit stays on):
                # `restart -m immediate` drops WAL that is not, and the tests rely on commits.
                "fsync = off\n"
                "full_page_writes = off\n"
                "log_min_messages = warning\n"
            )
        if shutil.which("openssl"):
            self._make_tls()

    def _make_tls(self) -> None:
        """A test CA and a certificate for `localhost` (only: 127.0.0.1 is a wrong host name
        for verify-full), so TLS set-ups can be checked. Members' test DSNs do not use TLS."""
        folder = self.root / "tls"
        folder.mkdir()
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for ca in ("ca", "other-ca"):
            _openssl(
                folder,
                "req",
                "-x509",
                *ec,
                "-keyout",
                f"{ca}.key",
                "-out",
                f"{ca}.pem",
                "-days",
                "3",
                "-subj",
                f"/CN=chatdesk test {ca}",
            )
        _openssl(
            folder,
            "req",
            *ec,
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        )
        (folder / "san.ext").write_text("subjectAltName = DNS:localhost\n")
        signing = ["-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-extfile", "san.ext"]
        _openssl(
            folder,
            "x509",
            "-req",
            "-in",
            "server.csr",
            *signing,
            "-out",
            "server.pem",
            "-days",
            "3",
        )
        key = folder / "server.key"
        key.chmod(0o600)
        if self.run_as is not None:
            entry = pwd.getpwnam(self.run_as)
            for path in (folder, key, folder / "server.pem"):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(f"ssl = on\nssl_cert_file = '{folder / 'server.pem'}'\n")
            conf.write(f"ssl_key_file = '{key}'\n")
        self.tls_root = folder / "ca.pem"
        self.other_root = folder / "other-ca.pem"

    def start(self) -> None:
        self._pg_ctl("start", "-l", str(self.log_file))

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-m", mode)

    def restart(self, mode: str = "immediate") -> None:
        """`pg_ctl restart -m immediate` by default: like a crash, then recovery."""
        self._pg_ctl("restart", "-m", mode, "-l", str(self.log_file))

    def is_running(self) -> bool:
        result = subprocess.run(
            [*self._as_user(), str(self.bin_dir / "pg_ctl"), "status", "-D", str(self.data_dir)],
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    def ensure_running(self) -> None:
        if not self.is_running():
            self.start()

    def destroy(self) -> None:
        if self.is_running():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    # -- addresses ---------------------------------------------------------------------------

    def admin_dsn(self, dbname: str = "postgres") -> str:
        """The superuser, over the Unix socket (the only way it can log in)."""
        return f"host={self.socket_dir} port={self.port} dbname={dbname} user={ADMIN_ROLE}"

    def member_dsn(self, dbname: str, user: str, password: str) -> str:
        """A member, over TCP with a SCRAM password (the test server has no TLS)."""
        return psycopg.conninfo.make_conninfo(
            host=self.host,
            port=self.port,
            dbname=dbname,
            user=user,
            password=password,
            sslmode="disable",
        )

    def execute(self, statement: str, dbname: str = "postgres") -> None:
        """One statement as the superuser, outside any transaction (CREATE DATABASE …)."""
        with psycopg.connect(self.admin_dsn(dbname), autocommit=True) as connection:
            connection.execute(statement.encode())

    # -- plumbing ----------------------------------------------------------------------------

    def _pg_ctl(self, action: str, *options: str) -> None:
        self._run("pg_ctl", action, "-D", str(self.data_dir), "-w", "-t", "60", *options)

    def _run(self, tool: str, *arguments: str) -> None:
        command = [*self._as_user(), str(self.bin_dir / tool), *arguments]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = self.log_file.read_text() if self.log_file.exists() else ""
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}\n{log[-4000:]}"
            )

    def _as_user(self) -> list[str]:
        return ["runuser", "-u", self.run_as, "--"] if self.run_as else []


def _openssl(folder: Path, *arguments: str) -> None:
    subprocess.run(["openssl", *arguments], cwd=folder, capture_output=True, check=True)


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root, and there is neither a postgres nor a nobody user")
