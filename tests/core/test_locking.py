"""The file locks that tell which chatdesk processes are alive and who may replace the
database, held by a real second process: seen while it runs, gone when it ends, however it
ends."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.core.store.instances import (
    LOCK_SUFFIX,
    MAINTENANCE_LOCK,
    InstanceLock,
    lock_held,
    maintenance_lock,
)
from chatdesk.core.store.locking import try_lock, unlock

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

# The other process: takes a lock, says so with its file name, and holds it until its stdin
# closes (or it is killed).
_HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from chatdesk.core.store.instances import maintenance_lock
    from chatdesk.core.store.instances import InstanceLock

    run_dir = Path(sys.argv[2])
    if sys.argv[1] == "instance":
        held = InstanceLock(run_dir)
        print(held.id, flush=True)
        sys.stdin.read()
        held.release()
    else:
        with maintenance_lock(run_dir):
            print("held", flush=True)
            sys.stdin.read()
    """
)


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[object]:
    started: list[subprocess.Popen[str]] = []

    def start(kind: str) -> tuple[subprocess.Popen[str], str]:
        process = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, kind, str(tmp_path / "run")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stdout is not None
        return process, process.stdout.readline().strip()

    yield start
    for process in started:
        process.kill()
        process.wait()
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()


def test_another_process_instance_is_alive_until_it_ends(tmp_path: Path, holder: object) -> None:
    run_dir = tmp_path / "run"
    mine = InstanceLock(run_dir)
    process, other = holder("instance")  # type: ignore[operator]
    assert mine.is_alive(other)
    assert [p.name for p in mine.others().alive] == [f"{other}{LOCK_SUFFIX}"]

    process.stdin.close()  # it releases and removes its file, as a clean exit does
    process.wait()
    assert mine.others().alive == ()
    assert mine.others().dead == ()
    mine.release()


def test_a_killed_process_leaves_a_file_that_reads_as_dead(tmp_path: Path, holder: object) -> None:
    run_dir = tmp_path / "run"
    mine = InstanceLock(run_dir)
    process, other = holder("instance")  # type: ignore[operator]
    process.kill()  # no chance to release: the OS drops the lock
    process.wait()
    found = mine.others()
    assert [p.name for p in found.dead] == [f"{other}{LOCK_SUFFIX}"]
    assert not mine.is_alive(other)
    assert not (run_dir / f"{other}{LOCK_SUFFIX}").exists()  # tidied up
    mine.release()
    assert list(run_dir.glob(f"*{LOCK_SUFFIX}")) == []


def test_the_maintenance_lock_waits_for_its_holder(tmp_path: Path, holder: object) -> None:
    run_dir = tmp_path / "run"
    process, said = holder("maintenance")  # type: ignore[operator]
    assert said == "held"
    fd = os.open(run_dir / MAINTENANCE_LOCK, os.O_RDWR)
    try:
        assert not try_lock(fd)  # taken by the other process
        assert lock_held(run_dir / MAINTENANCE_LOCK)
    finally:
        os.close(fd)
    process.stdin.close()
    process.wait()
    fd = os.open(run_dir / MAINTENANCE_LOCK, os.O_RDWR)
    try:
        assert try_lock(fd)  # free once it ended
        unlock(fd)
    finally:
        os.close(fd)
    with maintenance_lock(run_dir):  # and taken without waiting
        pass


def test_a_lock_taken_and_given_back_in_one_process(tmp_path: Path) -> None:
    path = tmp_path / "file.lock"
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        assert try_lock(fd)
        unlock(fd)
        assert not lock_held(path)
    finally:
        os.close(fd)
