"""Files written whole (chatdesk/core/writing.py): the old file or the new one, never half,
and never readable by others, on a real file system."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from chatdesk.core.writing import replace_file_atomically, replacing


def test_a_file_written_through_replacing_replaces_the_old_one_privately(tmp_path: Path) -> None:
    target = tmp_path / "export.zip"
    target.write_bytes(b"old")
    with replacing(target) as temporary:
        assert temporary.parent == tmp_path
        assert target.read_bytes() == b"old"  # nothing is replaced while the block writes
        temporary.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert list(tmp_path.iterdir()) == [target]
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_failed_block_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "export.zip"
    target.write_bytes(b"old")

    def stopped_half_way() -> None:
        with replacing(target) as temporary:
            temporary.write_bytes(b"half of it")
            raise RuntimeError("the export was stopped")

    with pytest.raises(RuntimeError):
        stopped_half_way()
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


def test_bytes_replace_a_file_that_did_not_exist(tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    replace_file_atomically(target, b"[general]\n")
    assert target.read_bytes() == b"[general]\n"
