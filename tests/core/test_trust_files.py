"""Files named from outside (attachments, imports) are read only when they are regular files:
a FIFO is refused at once instead of blocking a thread forever, a device instead of being read
without end, a directory with a reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chatdesk.core.attach.attacher import read_file
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.trust.files import read_regular

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

posix_only = pytest.mark.skipif(
    sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX files"
)


@posix_only
def test_a_fifo_is_refused_at_once_as_an_attachment(tmp_path: Path) -> None:
    fifo = tmp_path / "notes.txt"
    os.mkfifo(fifo)  # nobody will ever write to it: reading it would wait forever
    with pytest.raises(InvalidRequest, match=r"notes\.txt is not a regular file"):
        read_file(fifo, 1024)


@posix_only
def test_a_device_is_not_read_without_end() -> None:
    with pytest.raises(InvalidRequest, match="not a regular file"):
        read_regular(Path("/dev/zero"), 1024)


def test_a_directory_and_a_file_over_the_limit_are_refused(tmp_path: Path) -> None:
    with pytest.raises((InvalidRequest, IsADirectoryError, PermissionError)):
        read_regular(tmp_path, 1024)
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(InvalidRequest, match=r"big\.txt is over"):
        read_regular(big, 1024)
    assert read_regular(big, 4096) == b"x" * 2048


@posix_only
def test_importing_a_fifo_says_so_instead_of_waiting_forever(tmp_path: Path) -> None:
    fifo = tmp_path / "conversations.json"
    os.mkfifo(fifo)
    result = subprocess.run(
        [sys.executable, "-m", "chatdesk", "import", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,  # before, it waited for a writer that never comes
        check=False,
    )
    assert result.returncode != 0
    assert "conversations.json is not a regular file" in result.stderr
