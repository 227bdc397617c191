"""The supervisor of child processes, with real processes: nothing from the working directory
runs in a child, a child that does not start or does not answer is bounded and killed, and a
child whose parent was killed does not stay behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from multiprocessing.connection import Connection
from pathlib import Path

import psutil
import pytest

from chatdesk.core.children import Child, ChildFailed

ROOT = Path(__file__).resolve().parents[2]


# Children's loops for these tests (module level: the child imports them by name).


def never_ready(requests: Connection, replies: Connection) -> None:
    time.sleep(600)


def echo_or_hang(requests: Connection, replies: Connection) -> None:
    replies.send(("ready",))
    while True:
        try:
            number, word = requests.recv()
        except EOFError:
            return
        if word == "hang":
            time.sleep(600)
        replies.send((number, word.upper()))


def busy(requests: Connection, replies: Connection) -> None:
    replies.send(("ready",))
    while True:  # computing, deaf to its pipe: only the parent watch can end it
        sum(range(1000))


def test_a_child_that_never_gets_ready_is_bounded_and_killed() -> None:
    child = Child("test-never-ready", never_ready, ready_timeout=0.5)
    try:
        with pytest.raises(ChildFailed) as failed:
            child.wait_ready()
        assert failed.value.timed_out
    finally:
        child.stop()
    assert not child.is_alive()


def test_a_stuck_request_is_killed_and_a_new_child_answers() -> None:
    child = Child("test-echo", echo_or_hang)
    try:
        child.wait_ready()
        assert child.ask((1, "hello"), 10) == ("HELLO",)
        with pytest.raises(ChildFailed) as failed:
            child.ask((2, "hang"), 0.5)
        assert failed.value.timed_out
    finally:
        child.stop()
    again = Child("test-echo", echo_or_hang)
    try:
        again.wait_ready()
        assert again.ask((1, "again"), 10) == ("AGAIN",)
    finally:
        again.stop()


@pytest.mark.skipif(sys.platform == "win32", reason="kills the parent with SIGKILL")
def test_a_child_does_not_outlive_a_parent_killed_outright() -> None:
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import sys, time
                from chatdesk.core.children import Child
                from tests.core.test_children import busy
                child = Child("test-busy", busy)
                child.wait_ready()
                print(child.pid, flush=True)
                time.sleep(600)
                """
            ),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        orphan = psutil.Process(pid)
        assert orphan.is_running()
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        orphan.wait(10)  # raises TimeoutExpired if it stayed
    finally:
        parent.kill()
        parent.wait(10)
        parent.stdout.close()


PLANTED = """
import pathlib
pathlib.Path({marker!r}).write_text("imported from the working directory")
raise ImportError("planted")
"""


@pytest.mark.parametrize(
    ("name", "work"),
    [
        (
            "counting",
            """
            from chatdesk.core.tokens.process import CountingProcess
            counter = CountingProcess()
            print(counter.load("o200k_base"), counter.count("o200k_base", ["hello world"]))
            counter.close()
            """,
        ),
        (
            "rendering",
            """
            import asyncio
            from chatdesk.core.render.worker import RenderWorker

            async def main():
                worker = RenderWorker(timeout=30)
                rendered = await worker.render("**bold**")
                print("<b>" in rendered.html or "font-weight" in rendered.html)
                await worker.aclose()

            asyncio.run(main())
            """,
        ),
    ],
)
def test_nothing_in_the_working_directory_runs_in_a_child(
    tmp_path: Path, name: str, work: str
) -> None:
    """chatdesk started in a folder someone else wrote (`git diff | chatdesk ask -` in a
    repository): a module there named like one the child imports first is never imported."""
    folder = tmp_path / "someone-elses-repository"
    marker = tmp_path / "marker"
    for module in ("multiprocessing", "tiktoken", "markdown_it"):
        package = folder / module
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(PLANTED.format(marker=str(marker)))
    # Started from a script elsewhere, as the installed `chatdesk` command is: the parent's own
    # path starts with the script's folder, not the working directory.
    launcher = tmp_path / "bin" / "launcher.py"
    launcher.parent.mkdir()
    body = textwrap.indent(textwrap.dedent(work), "    ")
    launcher.write_text(
        f"if __name__ == '__main__':  # spawn imports it again in the child\n{body}"
    )
    result = subprocess.run(
        [sys.executable, str(launcher)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert not marker.exists(), f"the {name} child imported a module from the working directory"
    assert result.returncode == 0, result.stderr
    if name == "counting":
        assert result.stdout.split() == ["True", "[2]"]
    else:
        assert result.stdout.strip() == "True"
