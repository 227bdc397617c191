"""chatdesk on a disk with no room left: a real small filesystem (tmpfs, mounted in a mount
namespace of the test's own), filled to the last byte."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# Inside the namespace: mount, make the database, fill the disk, then try to send.
_SCENARIO = textwrap.dedent(
    """
    set -u
    mount -t tmpfs -o size=4m tmpfs "$DISK"
    export CHATDESK_HOME="$DISK/home"
    "$PYTHON" -m chatdesk ask "written while there was room" > /dev/null
    dd if=/dev/zero of="$DISK/filler" bs=64k 2> /dev/null
    "$PYTHON" -m chatdesk ask "written on a full disk" > "$OUT/stdout" 2> "$OUT/stderr"
    echo $? > "$OUT/exit"
    "$PYTHON" - "$CHATDESK_HOME/data/chatdesk.db" > "$OUT/rows" <<'PY'
    import json, sqlite3, sys
    with sqlite3.connect(f"file:{sys.argv[1]}?mode=ro&immutable=1", uri=True) as db:
        print(json.dumps([row[0] for row in db.execute("SELECT content FROM messages")]))
    PY
    """
)


def _namespace() -> list[str] | None:
    """A command prefix that gives the scenario a mount namespace where it may mount."""
    unshare = shutil.which("unshare")
    if sys.platform != "linux" or unshare is None:
        return None
    probe = subprocess.run([unshare, "-rm", "true"], capture_output=True, check=False)
    return [unshare, "-rm"] if probe.returncode == 0 else None


def test_a_full_disk_is_named_with_what_to_do_and_nothing_is_lost(tmp_path: Path) -> None:
    prefix = _namespace()
    if prefix is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs unshare -rm (util-linux) for the full-disk test")
        pytest.skip("needs Linux with unshare -rm (user and mount namespaces)")
    disk, out = tmp_path / "disk", tmp_path / "out"
    disk.mkdir()
    out.mkdir()
    env = {**os.environ, "DISK": str(disk), "OUT": str(out), "PYTHON": sys.executable}
    env.pop("CHATDESK_HOME", None)
    subprocess.run([*prefix, "bash", "-c", _SCENARIO], env=env, check=True, timeout=180)

    assert (out / "exit").read_text().strip() != "0"
    said = (out / "stderr").read_text()
    assert "the disk that holds your chats" in said
    assert "is full (" in said
    assert "Free at least 64.0 MB there" in said
    assert "I/O" not in said
    kept = json.loads((out / "rows").read_text())
    assert "written while there was room" in kept  # everything saved before is intact
