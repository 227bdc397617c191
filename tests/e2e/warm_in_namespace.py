"""The warm start of tests/e2e/warm.py for commands run in a mount namespace of a test's own
(test_read_only.py), where the disk the test mounts is seen only by processes of that namespace:
the warm interpreter is started there, and each command is forked from it.

`python -m tests.e2e.warm_in_namespace serve SOCKET` listens on SOCKET, says `listening` on its
stdout, and becomes the warm interpreter, which stops when its stdin closes.
`python -m tests.e2e.warm_in_namespace run SOCKET OUT ARGS…` runs `chatdesk ARGS` from there, in
this one's folder and environment, its stdout in OUT.out and its stderr in OUT.err, and exits
with its exit code (128 + N when signal N ended it, as a shell says)."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path


def serve(address: str) -> None:
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(address)
    listener.listen(16)
    print("listening", flush=True)
    os.set_inheritable(listener.fileno(), True)
    os.execv(sys.executable, [sys.executable, "-m", "tests.e2e.warm", str(listener.fileno())])


def run(address: str, out: str, args: list[str]) -> int:
    stdout, stderr = Path(f"{out}.out"), Path(f"{out}.err")
    stdout.touch()
    stderr.touch()
    request = {
        "argv": args,
        "env": dict(os.environ),
        "cwd": os.getcwd(),
        "stdin": None,
        "stdout": str(stdout),
        "stderr": str(stderr),
    }
    with socket.socket(socket.AF_UNIX) as connection:
        connection.connect(address)
        connection.sendall(json.dumps(request).encode() + b"\n")
        with connection.makefile("rb") as answers:
            answers.readline()  # pid N
            said = answers.readline()
    if not said.startswith(b"exit "):
        raise RuntimeError(f"the warm chatdesk lost the command: {said!r}")
    code = int(said.split()[1])
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
    else:
        sys.exit(run(sys.argv[2], sys.argv[3], sys.argv[4:]))
