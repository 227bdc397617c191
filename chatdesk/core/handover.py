"""One running chatdesk per data folder: how a second start hands its request to the running
one (the server is `chatdesk/ui/desktop/instance.py`) and exits.

A second start runs this before anything heavy is imported (chatdesk/launch.py), so this module
imports only what a bare Python has loaded already and the C part of `socket` (the `socket`
module itself costs more than the rest of the hand-over); not even `__future__` (its
annotations naming types a start does not import are strings). A hand-over that succeeds does
not load `json` either (it imports `re`): its line is written here, and the usual answer is
compared as bytes.

Where the running chatdesk listens (`address`): a name made from the user and what decides the
data folder (`--data-dir`, CHATDESK_DATA_DIR, CHATDESK_HOME). On Windows, a named pipe
`\\\\.\\pipe\\chatdesk-…` whose access list admits only the user; elsewhere a Unix socket in the
user's runtime folder (XDG_RUNTIME_DIR, else TMPDIR or /tmp), created readable by the user only,
and not used when someone else owns it.

The protocol: one line of UTF-8 JSON each way, at most `MAX_LINE` bytes. The request
`{"v": 1, "request": KIND, "argument": TEXT}`; the answer `{"v": 1, "ok": true}` once the
running chatdesk has taken it, or `{"v": 1, "ok": false, "error": TEXT}`.
"""

import os
import sys

TYPE_CHECKING = False  # as typing's, which a start does not import

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from io import FileIO

VERSION = 1
MAX_LINE = 64 * 1024  # bytes, the newline included
# show the window; open the quick window; follow a chatdesk: link; offer a file to import;
# start without showing the window (the login item)
KINDS = ("show", "quick", "link", "import", "tray")
CONNECT_SECONDS = 2.0
ANSWER_SECONDS = 15.0  # the running chatdesk answers from its window's loop
_SOCKET_PATH_BYTES = 100  # below every system's sun_path (104 on macOS, 108 on Linux)


class NoInstance(Exception):
    """Nothing listens at the address: this start is the one to open the window."""


class HandoverFailed(Exception):
    """A chatdesk listens there but did not take the request; `str()` says what happened."""


class Request:
    """What a start asks of the running chatdesk: a kind (`KINDS`) and its argument (the link,
    or the file's absolute path)."""

    __slots__ = ("argument", "kind")

    def __init__(self, kind: str, argument: str = "") -> None:
        self.kind = kind
        self.argument = argument

    def __repr__(self) -> str:
        return f"Request({self.kind!r})"  # never the argument: a prompt or a path is private

    def line(self) -> bytes:
        """The request as one line of JSON (written here: `json` would import `re`)."""
        fields = f'"v": {VERSION}, "request": {_json_text(self.kind)}'
        return f'{{{fields}, "argument": {_json_text(self.argument)}}}\n'.encode("ascii")


def _json_text(text: str) -> str:
    """`text` as a JSON string, in ASCII (what `json.dumps` writes)."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code > 0xFFFF:
            code -= 0x10000
            out.append(f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    out.append('"')
    return "".join(out)


def read_request(line: bytes) -> Request:
    """The request on `line` (without its newline); ValueError says what is wrong with it."""
    import json

    if len(line) >= MAX_LINE:
        raise ValueError("the request is too long")
    try:
        message = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("the request is not JSON") from None
    if not isinstance(message, dict) or message.get("v") != VERSION:
        raise ValueError(f"the request is not of version {VERSION}")
    kind, argument = message.get("request"), message.get("argument", "")
    if (
        kind not in KINDS
        or not isinstance(argument, str)
        or set(message) - {"v", "request", "argument"}
    ):
        raise ValueError("the request is not one chatdesk knows")
    return Request(kind, argument)


OK_LINE = b'{"v": 1, "ok": true}'


def answer_line(error: str | None = None) -> bytes:
    """The running chatdesk's answer: taken (None), or not, and why."""
    import json

    if error is None:
        return OK_LINE + b"\n"
    return json.dumps({"v": VERSION, "ok": False, "error": error}).encode("utf-8") + b"\n"


def address(data_dir: str | None = None, env: "Mapping[str, str]" = os.environ) -> str:
    """Where the chatdesk of this user and data folder listens: a pipe name on Windows (as
    QLocalServer takes it), a socket path elsewhere."""
    key = "\0".join((_user(env), *_data_folder_key(data_dir, env))).encode("utf-8", "surrogatepass")
    name = f"chatdesk-{_fnv1a(key):016x}"
    if sys.platform == "win32":
        return name
    else:
        runtime = env.get("XDG_RUNTIME_DIR", "")
        folder = runtime if runtime and os.path.isdir(runtime) else env.get("TMPDIR") or "/tmp"
        path = os.path.join(folder, name + ".sock")
        if len(os.fsencode(path)) > _SOCKET_PATH_BYTES:
            path = os.path.join("/tmp", name + ".sock")
        return path


def _fnv1a(data: bytes) -> int:
    """FNV-1a, 64 bits: a name, not a secret (the socket's owner and mode keep it private)."""
    value = 0xCBF29CE484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


def _user(env: "Mapping[str, str]") -> str:
    if sys.platform == "win32":
        return env.get("USERDOMAIN", "") + "\\" + env.get("USERNAME", "")
    else:
        return str(os.getuid())


def _data_folder_key(data_dir: str | None, env: "Mapping[str, str]") -> tuple[str, str]:
    """What decides the data folder (chatdesk/core/paths.py), made absolute."""
    chosen = data_dir or env.get("CHATDESK_DATA_DIR")
    if chosen:
        return "data", os.path.abspath(os.path.expanduser(chosen))
    home = env.get("CHATDESK_HOME")
    if home:
        return "home", os.path.abspath(os.path.expanduser(home))
    return "default", ""


def send(where: str, request: Request) -> None:
    """Hand `request` to the chatdesk listening at `where` and wait for its answer. Raises
    NoInstance when none listens there, HandoverFailed when it did not take the request."""
    if sys.platform == "win32":
        answer = _send_pipe(where, request.line())
    else:
        answer = _send_socket(where, request.line())
    _check_answer(answer)


if sys.platform != "win32":  # a Unix socket

    def _send_socket(path: str, line: bytes) -> bytes:
        import _socket

        try:
            if os.stat(path).st_uid != os.getuid():  # someone else's: not ours to talk to
                raise NoInstance(path)
        except OSError:
            raise NoInstance(path) from None
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            sock.settimeout(CONNECT_SECONDS)
            try:
                sock.connect(path)
            except OSError:  # refused (left by a chatdesk that crashed), gone, or not a socket
                raise NoInstance(path) from None
            sock.settimeout(ANSWER_SECONDS)
            try:
                sock.sendall(line)
                return _read_line(sock.recv)
            except OSError as error:
                raise HandoverFailed(error.strerror or str(error)) from None
        finally:
            sock.close()


def _send_pipe(name: str, line: bytes) -> bytes:
    """A named pipe, opened as a file (what QLocalServer listens on, on Windows)."""
    try:
        pipe = open(rf"\\.\pipe\{name}", "r+b", buffering=0)  # noqa: SIM115
    except FileNotFoundError:
        raise NoInstance(name) from None
    except OSError as error:  # busy: another start is talking to it; one more try
        pipe = _open_busy_pipe(name, error)
    with pipe:
        try:
            pipe.write(line)
            return _read_line(pipe.read)
        except OSError as error:
            raise HandoverFailed(error.strerror or str(error)) from None


def _open_busy_pipe(name: str, first: OSError) -> "FileIO":
    import time

    deadline = time.monotonic() + CONNECT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.02)
        try:
            return open(rf"\\.\pipe\{name}", "r+b", buffering=0)
        except FileNotFoundError:
            raise NoInstance(name) from None
        except OSError:
            continue
    raise HandoverFailed(first.strerror or str(first))


def _read_line(read: "Callable[[int], bytes]") -> bytes:
    """The answer's line, read until its newline or the end."""
    received = b""
    while b"\n" not in received and len(received) < MAX_LINE:
        chunk = read(4096)
        if not chunk:
            break
        received += chunk
    return received.split(b"\n", 1)[0]


def _check_answer(line: bytes) -> None:
    if line == OK_LINE:
        return
    import json

    try:
        answer = json.loads(line.decode("utf-8")) if line else None
    except (UnicodeDecodeError, ValueError):
        answer = None
    if not isinstance(answer, dict) or answer.get("v") != VERSION:
        raise HandoverFailed("the running chatdesk gave no answer")
    if answer.get("ok") is not True:
        raise HandoverFailed(str(answer.get("error") or "the running chatdesk refused it"))
