"""One running chatdesk per data folder: the lock that makes a start the one, and the server a
second start hands its request to (the client and the protocol: chatdesk/core/handover.py).

A start that found no server takes `instance.lock` in the data folder's run folder (a
`QLockFile`: a lock left by a chatdesk that crashed is taken over, since its process is gone).
Holding it, nothing else can listen at this data folder's address, so whatever is found there
was left by a crash and is removed before listening. A start that loses the lock (two started
at the same moment) waits for the winner's server and hands its request over; should the winner
die before it listens, the lock is free again and this start takes it.

The server (readable by the user only) listens once the window is built, so nothing of it is
loaded before the first paint: on Windows a `QLocalServer` (QtNetwork) on a named pipe,
elsewhere a Unix socket served on Qt's loop without QtNetwork (`unix_server.py`). Its address
is also written to `instance.address` in the run folder, for a start that named the same data
folder another way (`--data-dir` with the default folder's path).
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QObject, QTimer, Signal, SignalInstance

from chatdesk.core import handover
from chatdesk.core.paths import ensure_private_dir

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

    from chatdesk.core.paths import Paths
    from chatdesk.ui.desktop.unix_server import UnixConnection, UnixServer

log = logging.getLogger("chatdesk.desktop")
LOCK_NAME = "instance.lock"
ADDRESS_NAME = "instance.address"
WAIT_FOR_WINNER_S = 60.0  # a winner migrating a large database may take this long to listen
LISTEN_AFTER_MS = 500  # when the window is not painted (started in the tray)


class Instance(QObject):
    """This chatdesk, the one of its data folder: its lock held, its server once `listen()`."""

    received = Signal(object)  # a handover.Request, taken and acknowledged

    def __init__(self, lock: QLockFile, where: str, run_dir: Path) -> None:
        super().__init__()
        self._lock = lock
        self.address = where
        self._run_dir = run_dir
        self._server: QLocalServer | UnixServer | None = None
        self._lines: dict[QLocalSocket | UnixConnection, bytes] = {}

    def listen_after(self, built: SignalInstance) -> None:
        """Listen once `built` fires (the window's parts are built), or a moment after start
        when the window is not painted (started in the tray)."""
        built.connect(self.listen)
        QTimer.singleShot(LISTEN_AFTER_MS, self, self.listen)

    def listen(self) -> None:
        if self._server is not None:
            return
        server = _server(self)
        server.newConnection.connect(self._accept)
        server.removeServer(self.address)  # left by a crash: the lock says none runs
        if not server.listen(self.address):
            log.error("a second start cannot reach this one: %s", server.errorString())
            return
        self._server = server
        try:
            (self._run_dir / ADDRESS_NAME).write_text(self.address, encoding="utf-8")
        except OSError:
            log.warning("the address of the running chatdesk was not written", exc_info=True)
        log.info("listening for a second start")

    def close(self) -> None:
        """No more requests: a start from now on waits for the lock (`release`) and runs."""
        if self._server is not None:
            self._server.close()
            self._server = None
            (self._run_dir / ADDRESS_NAME).unlink(missing_ok=True)

    def release(self) -> None:
        """Once the core is closed: the data folder is free for another start."""
        self.close()
        self._lock.unlock()

    def _accept(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            self._lines[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket | UnixConnection) -> None:
        if socket not in self._lines:
            return
        chunk = socket.read(handover.MAX_LINE - len(self._lines[socket]) + 1)
        received = self._lines[socket] + (chunk if isinstance(chunk, bytes) else chunk.data())
        line, newline, _ = received.partition(b"\n")
        if not newline and len(received) < handover.MAX_LINE:
            self._lines[socket] = received
            return
        del self._lines[socket]
        try:
            request = handover.read_request(line if newline else received)
        except ValueError as error:
            log.warning("a request from a second start was refused: %s", error)
            self._answer(socket, str(error))
            return
        self._answer(socket, None)
        log.info("a second start asked: %s", request.kind)
        self.received.emit(request)

    def _answer(self, socket: QLocalSocket | UnixConnection, error: str | None) -> None:
        socket.write(handover.answer_line(error))
        socket.flush()
        socket.disconnectFromServer()

    def _forget(self, socket: QLocalSocket | UnixConnection) -> None:
        self._lines.pop(socket, None)


def _server(parent: QObject) -> QLocalServer | UnixServer:
    """What listens at the address: a named pipe on Windows, a Unix socket elsewhere."""
    if sys.platform == "win32":
        from PySide6.QtNetwork import QLocalServer

        server = QLocalServer(parent)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.setMaxPendingConnections(16)
        return server
    else:
        from chatdesk.ui.desktop.unix_server import UnixServer

        return UnixServer(parent)


def claim(paths: Paths, where: str, request: handover.Request) -> Instance | int:
    """This start as the data folder's instance (its lock taken), or, when another start holds
    it, the exit code once `request` was handed over to it."""
    run_dir = paths.run_dir
    try:
        run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:  # said plainly, with what to do
        ensure_private_dir(run_dir)
    lock = QLockFile(str(run_dir / LOCK_NAME))
    lock.setStaleLockTime(0)  # held as long as chatdesk runs; a dead owner's is still taken
    deadline = time.monotonic() + WAIT_FOR_WINNER_S
    while not lock.tryLock(0):
        for other in filter(None, dict.fromkeys((where, _written_address(run_dir)))):
            try:
                handover.send(other, request)
                return 0
            except handover.NoInstance:
                continue
            except handover.HandoverFailed as failure:
                log.error("the running chatdesk did not take the request: %s", failure)
                return 1
        if lock.error() != QLockFile.LockError.LockFailedError or time.monotonic() > deadline:
            log.error("this data folder's lock cannot be taken (%s)", lock.error().name)
            return 1
        time.sleep(0.05)  # the winner is starting: its server comes after its first paint
    return Instance(lock, where, run_dir)


def _written_address(run_dir: Path) -> str:
    try:
        return (run_dir / ADDRESS_NAME).read_text(encoding="utf-8").strip()
    except OSError:
        return ""
