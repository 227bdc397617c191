"""The supervisor of child processes, with real processes: nothing from the working directory
runs in a child, a child that does not start or does not answer is bounded and killed, a child
whose parent was killed does not stay behind, and a child is one process, no more."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import psutil
import pytest

from chatdesk.core.trust import children
from chatdesk.core.trust.child_entry import Replies, Requests
from chatdesk.core.trust.children import Child, ChildFailed
from tests.core import shell_keys
from tests.core.child_loops import chatty
from tests.core.shell_keys import keys_in_the_shell  # noqa: F401

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

ROOT = Path(__file__).resolve().parents[2]


# Children's loops for these tests (module level: the child imports them by name).


def never_ready(requests: Requests, replies: Replies) -> None:
    time.sleep(600)


def echo_or_hang(requests: Requests, replies: Replies) -> None:
    replies.send(("ready",))
    while True:
        number, word = requests.recv()
        if word == "hang":
            time.sleep(600)
        replies.send((number, word.upper()))


def busy(requests: Requests, replies: Replies) -> None:
    replies.send(("ready",))
    while True:  # computing, deaf to its pipe: only the parent watch can end it
        sum(range(1000))


def busy_without_the_kernel(requests: Requests, replies: Replies) -> None:
    """As `busy`, with Linux's parent-death signal taken back: the portable watch alone."""
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None).prctl(1, 0)  # PR_SET_PDEATHSIG: none
    busy(requests, replies)


def test_a_child_that_never_gets_ready_is_bounded_and_killed() -> None:
    child = Child("test-never-ready", never_ready, ready_timeout=0.5)
    try:
        with pytest.raises(ChildFailed) as failed:
            child.wait_ready()
        assert failed.value.timed_out
    finally:
        child.stop()
    assert not child.is_alive()


def test_a_child_is_one_light_process_whose_output_does_not_disturb_its_answers() -> None:
    """No helper process beside it (multiprocessing's resource tracker, ~12 MB), none of
    multiprocessing or asyncio inside it, and what it prints goes elsewhere than the pipe."""
    here = psutil.Process()
    before = {each.pid for each in here.children(recursive=True)}  # this test process's own
    child = Child("test-chatty", chatty)
    try:
        child.wait_ready()
        started = {each.pid for each in here.children(recursive=True)} - before
        assert started == {child.pid}
        for number, module in enumerate(["multiprocessing", "asyncio", "concurrent.futures"]):
            assert child.ask((number, module), 10) == (False,)
        assert child.ask((9, "chatdesk.core.trust.child_entry"), 10) == (True,)
    finally:
        child.stop()
    assert not child.is_alive()


def test_a_child_that_cannot_be_started_fails_as_a_child_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(subprocess, "Popen", refused)
    with pytest.raises(ChildFailed) as failed:
        Child("test-echo", echo_or_hang)
    assert not failed.value.timed_out


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
@pytest.mark.parametrize("serve", ["busy", "busy_without_the_kernel"])
def test_a_child_does_not_outlive_a_parent_killed_outright(serve: str) -> None:
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import sys, time
                from chatdesk.core.trust.children import Child
                from tests.core.test_children import {serve}
                child = Child("test-busy", {serve})
                child.wait_ready()
                print(child.pid, flush=True)
                time.sleep(600)
                """
            ).format(serve=serve),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    orphan: psutil.Process | None = None
    try:
        assert parent.stdout is not None
        orphan = psutil.Process(int(parent.stdout.readline()))
        assert orphan.is_running()
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        orphan.wait(10)  # raises TimeoutExpired if it stayed
    finally:
        if orphan is not None and orphan.is_running():  # this test failed: leave nothing behind
            orphan.kill()
        parent.kill()
        parent.wait(10)
        parent.stdout.close()


PLANTED = """
import os, pathlib
pathlib.Path({folder!r}, f"{{__name__}}-in-{{os.getpid()}}").write_text("imported")
raise ImportError("planted")
"""

# Both children at work, from a module kept outside the working directory.
LAUNCHER = """
import asyncio

from chatdesk.core.render.worker import RenderWorker
from chatdesk.core.tokens.process import CountingProcess


def work():
    counter = CountingProcess()
    print(counter.load("o200k_base"), counter.count("o200k_base", ["hello world"]))
    counter.close()
    asyncio.run(render())


async def render():
    worker = RenderWorker(timeout=30)
    rendered = await worker.render("**bold**")
    print("<b>" in rendered.html or "font-weight" in rendered.html)
    await worker.aclose()


if __name__ == "__main__":  # spawn runs the main module again in the child, under another name
    work()
"""


@pytest.mark.parametrize(
    ("started_as", "command", "planted"),
    [
        # As the installed `chatdesk` command is: the parent's path starts with the script's
        # folder, and only spawn's `python -c` would look in the working directory.
        ("a script", ["{launcher}"], ["multiprocessing", "tiktoken", "markdown_it"]),
        # `python -m` and `python -c` put the working directory (or '') on the parent's own
        # path, which spawn hands to the child; the parent imports `multiprocessing` from
        # there itself, so only modules the children alone import are planted.
        ("python -m", ["-m", "launcher"], ["tiktoken", "markdown_it", "pygments"]),
        ("python -c", ["-c", "import launcher; launcher.work()"], ["tiktoken", "markdown_it"]),
    ],
)
def test_nothing_in_the_working_directory_runs_in_a_child(
    tmp_path: Path, started_as: str, command: list[str], planted: list[str]
) -> None:
    """chatdesk started in a folder someone else wrote (`git diff | chatdesk ask -` in a
    repository): a module there named like one a child imports is never imported by either."""
    folder = tmp_path / "someone-elses-repository"
    markers = tmp_path / "markers"
    markers.mkdir()
    for module in planted:
        package = folder / module
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(PLANTED.format(folder=str(markers)))
    launcher = tmp_path / "bin" / "launcher.py"
    launcher.parent.mkdir()
    launcher.write_text(LAUNCHER)
    environment = {**os.environ, "PYTHONPATH": str(launcher.parent)}
    environment.pop("PYTHONSAFEPATH", None)  # as a shell would start it
    result = subprocess.run(
        [sys.executable, *(part.format(launcher=launcher) for part in command)],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    imported = sorted(marker.name for marker in markers.iterdir())
    assert imported == [], f"started as {started_as}, imported from the working directory"
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "[2]", "True"], result.stderr


def test_a_program_started_later_gets_the_environment_as_it_was() -> None:
    """What keeps the working directory off a child's path is for the child alone: a Python
    tool chatdesk runs later still finds the modules beside its script."""
    before = dict(os.environ)
    child = Child("test-echo", echo_or_hang)
    try:
        child.wait_ready()
        assert dict(os.environ) == before
    finally:
        child.stop()


def test_a_child_started_from_a_thread_that_has_ended_still_answers() -> None:
    """Children are started from many threads (the token counter's, a caller's own); on Linux
    the kernel's parent-death signal would follow that thread, not chatdesk."""
    started: list[Child] = []

    def start() -> None:
        child = Child("test-echo", echo_or_hang)
        child.wait_ready()  # past the moment the child asks to die with its parent
        started.append(child)

    thread = threading.Thread(target=start)
    thread.start()
    thread.join()
    (child,) = started
    try:
        _wait_until_gone(thread)
        assert child.ask((1, "still here"), 10) == ("STILL HERE",)
    finally:
        child.stop()


def _wait_until_gone(thread: threading.Thread) -> None:
    """Until the system thread under `thread` has ended too (`join` returns just before)."""
    deadline = time.monotonic() + 10
    while thread.native_id in {each.id for each in psutil.Process().threads()}:
        assert time.monotonic() < deadline, "the thread did not end"


@pytest.mark.skipif(sys.platform == "win32", reason="stands a shell script in for the app")
def test_a_frozen_chatdesk_starts_its_own_executable_as_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desktop build has no Python to run: the child is the app itself, started with the
    flag its entry point (packaging/chatdesk_main.py) turns into the child's loop."""
    _frozen(tmp_path, monkeypatch)
    child = Child("test-echo", echo_or_hang)
    try:
        assert child.ask((1, "frozen"), 30) == ("FROZEN",)
    finally:
        child.stop()


def _frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """This process as the desktop build: a shell script stands in for its executable."""
    app = tmp_path / "chatdesk"
    app.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" "{ROOT / "packaging" / "chatdesk_main.py"}" "$@"\n'
    )
    app.chmod(0o755)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(app))


@shell_keys.linux_only
@pytest.mark.usefixtures("keys_in_the_shell")
def test_the_child_a_frozen_chatdesk_starts_holds_none_of_the_users_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _frozen(tmp_path, monkeypatch)
    child = Child("test-echo", echo_or_hang)
    try:
        assert child.ask((1, "keys"), 30) == ("KEYS",)
        shell_keys.assert_no_key_and_the_rest_kept(shell_keys.environment_of(child.pid))
    finally:
        child.stop()


@pytest.mark.usefixtures("keys_in_the_shell")
def test_the_real_interpreter_started_for_a_windows_venv_holds_none_of_the_users_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A venv's python.exe is a launcher: the child is the interpreter it would run, told by
    one variable which venv it serves, and given no key either."""
    base = str(ROOT / "base" / "python.exe")
    with monkeypatch.context() as windows:
        windows.setattr(sys, "platform", "win32")
        windows.setattr(sys, "_base_executable", base)
        command, environment = children._command("test-echo", children._target(echo_or_hang))
    assert command[:2] == [base, "-I"]
    assert environment["__PYVENV_LAUNCHER__"] == sys.executable
    assert not shell_keys.KEYS.keys() & environment.keys()
    assert {name: environment.get(name) for name in shell_keys.KEPT} == shell_keys.KEPT
