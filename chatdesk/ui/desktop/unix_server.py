"""The running chatdesk's server on a Unix socket (Linux, macOS), served on Qt's loop without
QtNetwork: what `instance.py` listens with there. Windows listens on a named pipe with
QLocalServer.

QLocalServer would load QtNetwork and the libraries it links (Kerberos, brotli, …), ~2.7 MB
held for as long as chatdesk runs, for this one socket; Python's `socket` (loaded with asyncio
already) and QtCore's QSocketNotifier serve it instead
(docs/decisions/0080-a-unix-socket-served-without-qtnetwork.md). The classes have the part of
QLocalServer's and QLocalSocket's interface that `instance.py` uses, under the same names, so it
speaks to either.

As QLocalServer does with `UserAccessOption`, the socket is bound in a new folder of the user's
alone beside its address, made readable and writable by the user alone, listened on, and then
moved to its address: no one else can connect to it in between.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import tempfile

from PySide6.QtCore import QObject, QSocketNotifier, Signal

BACKLOG = 16  # connections the system holds before they are taken
_CHUNK = 64 * 1024
_CHUNKS = 4  # read a turn at most: a line is at most 64 KiB (chatdesk/core/handover.py)


class UnixServer(QObject):
    newConnection = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._socket: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._path = ""
        self._error = ""
        self._pending: list[UnixConnection] = []

    @staticmethod
    def removeServer(path: str) -> None:
        """What a server that crashed left at `path` (what cannot go, `listen` then says)."""
        with contextlib.suppress(OSError):
            os.unlink(path)

    def listen(self, path: str) -> bool:
        """Listen at `path`; False when it cannot (`errorString()` says why)."""
        try:
            listening = _bound_privately(path)
        except OSError as error:
            self._error = error.strerror or str(error)
            return False
        listening.setblocking(False)
        self._socket, self._path = listening, path
        self._notifier = QSocketNotifier(listening.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._accept)
        return True

    def errorString(self) -> str:
        return self._error

    def nextPendingConnection(self) -> UnixConnection | None:
        return self._pending.pop(0) if self._pending else None

    def close(self) -> None:
        """No more connections; the socket's file goes, as QLocalServer's does."""
        if self._socket is None:
            return
        assert self._notifier is not None
        self._notifier.setEnabled(False)
        self._notifier.deleteLater()
        self._socket.close()
        self._socket = self._notifier = None
        self.removeServer(self._path)

    def _accept(self) -> None:
        assert self._socket is not None
        taken = False
        while True:
            try:
                connection, _ = self._socket.accept()
            except BlockingIOError:
                break
            except OSError as error:  # out of descriptors: the next connection tries again
                self._error = error.strerror or str(error)
                break
            self._pending.append(UnixConnection(connection, self))
            taken = True
        if taken:
            self.newConnection.emit()


class UnixConnection(QObject):
    """One connection taken by a `UnixServer`: what it received is read from here, and the
    answer written once (`write`, `flush`, `disconnectFromServer`), as from a QLocalSocket."""

    readyRead = Signal()
    disconnected = Signal()

    def __init__(self, connection: socket.socket, parent: QObject | None = None) -> None:
        super().__init__(parent)
        connection.setblocking(False)
        self._socket: socket.socket | None = connection
        self._received = b""
        self._unsent = b""
        self._reader = QSocketNotifier(connection.fileno(), QSocketNotifier.Type.Read, self)
        self._reader.activated.connect(self._receive)
        self._writer = QSocketNotifier(connection.fileno(), QSocketNotifier.Type.Write, self)
        self._writer.setEnabled(False)
        self._writer.activated.connect(self.flush)
        self._closing = False

    def read(self, most: int) -> bytes:
        """At most `most` of the bytes received and not read yet."""
        taken, self._received = self._received[:most], self._received[most:]
        return taken

    def write(self, data: bytes) -> None:
        self._unsent += data

    def flush(self) -> None:
        """Send what was written, as far as the socket takes it now; the rest when it can."""
        if self._socket is None:
            return
        try:
            sent = self._socket.send(self._unsent) if self._unsent else 0
        except BlockingIOError:
            sent = 0
        except OSError:  # the other end is gone: nothing more to send
            self._unsent = b""
            self._end()
            return
        self._unsent = self._unsent[sent:]
        self._writer.setEnabled(bool(self._unsent))
        if self._closing and not self._unsent:
            self._end()

    def disconnectFromServer(self) -> None:
        """Close once what was written has been sent."""
        self._closing = True
        self.flush()

    def _receive(self) -> None:
        """What has come, as QLocalSocket reads it: all there is (at most `_CHUNKS` chunks a
        turn, so a client that never stops sending does not hold the loop)."""
        if self._socket is None:
            return
        chunks, ended = _drained(self._socket)
        if chunks:
            self._received += b"".join(chunks)
            self.readyRead.emit()
        if ended:
            self._end()

    def _end(self) -> None:
        if self._socket is None:
            return
        for notifier in (self._reader, self._writer):
            notifier.setEnabled(False)
        # What was sent and not read goes first: closing a Unix socket with unread bytes
        # would make the other end's next read fail (ECONNRESET) before it reads the answer.
        _drained(self._socket)
        self._socket.close()
        self._socket = None
        self.disconnected.emit()


def _drained(connection: socket.socket) -> tuple[list[bytes], bool]:
    """The chunks `connection` has received (at most `_CHUNKS`), and whether it has ended."""
    chunks: list[bytes] = []
    while len(chunks) < _CHUNKS:
        try:
            chunk = connection.recv(_CHUNK)
        except BlockingIOError:
            return chunks, False
        except OSError:
            return chunks, True
        if not chunk:  # the other end closed
            return chunks, True
        chunks.append(chunk)
    return chunks, False


def _bound_privately(path: str) -> socket.socket:
    """A socket listening at `path` that only this user could ever reach: bound in a folder of
    its own (0700) beside `path`, made 0600, then moved to `path`."""
    folder = tempfile.mkdtemp(prefix=".chatdesk-", dir=os.path.dirname(path) or None)
    inside = os.path.join(folder, "s")
    try:
        listening = _unix_socket()
        try:
            listening.bind(inside)
            os.chmod(inside, 0o600)
            listening.listen(BACKLOG)
            os.rename(inside, path)
        except OSError:
            listening.close()
            raise
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(inside)  # there when a step before the move failed
        os.rmdir(folder)
    return listening


def _unix_socket() -> socket.socket:
    if sys.platform == "win32":  # named pipes there, through QLocalServer (instance.py)
        raise OSError("Unix sockets are not served on Windows")
    else:
        return socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
