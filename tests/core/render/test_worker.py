"""The render worker: a real child process, killed when too slow or gone, always replaced."""

from __future__ import annotations

import asyncio
import os
import select
import signal
import sys
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from chatdesk.core.i18n import CHILD_VARIABLE
from chatdesk.core.render import RenderOptions, RenderWorker, render_markdown
from chatdesk.core.render.tentative import closed_tentatively
from tests.core import shell_keys
from tests.core.render.looks import NIGHT
from tests.core.shell_keys import keys_in_the_shell  # noqa: F401

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

ANSWER = "# Plan\n\n- **one**\n- two\n\n```python\nprint('hi')\n```\n"
# ~150 KB of mixed markdown: under every cap, and far slower to render than 0.05 s.
BIG = (
    "## Part\n\nSome *prose* with `code` and a [link](https://example.com).\n\n"
    "```python\n" + "def f(x):\n    return [i * x for i in range(10)]\n" * 25 + "```\n\n"
) * 100


# These read the child's state where only Linux shows it (/proc, pidfd).
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="reads Linux's /proc or pidfd")


@pytest_asyncio.fixture
async def worker() -> AsyncIterator[RenderWorker]:
    started = RenderWorker(timeout=10.0)
    yield started
    await started.aclose()


def wait_for_exit(pid: int) -> None:
    """Block until the process has died, without reaping it (its parent still will)."""
    descriptor = os.pidfd_open(pid)
    try:
        select.select([descriptor], [], [])
    finally:
        os.close(descriptor)


def mapped_files(pid: int | None) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def process_exists(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


async def _gone(worker: RenderWorker, pid: int, within: float) -> bool:
    """Whether the worker's child `pid` is stopped and gone within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if worker.pid is None and not process_exists(pid):
            return True
        await asyncio.sleep(0.05)
    return False


@pytest.mark.asyncio
async def test_renders_like_the_in_process_renderer(worker: RenderWorker) -> None:
    rendered = await worker.render(ANSWER, RenderOptions(palette=NIGHT))  # pickled to it
    assert rendered == render_markdown(ANSWER, RenderOptions(palette=NIGHT))
    assert worker.pid is not None
    assert worker.pid != os.getpid()


@pytest.mark.asyncio
async def test_a_streaming_tail_is_closed_in_the_child(worker: RenderWorker) -> None:
    """The window's thread does none of the closing: the child closes what is open."""
    tail = "| Step | Owner |\n|---|---|\n| Draft | **An"
    rendered = await worker.render(tail, RenderOptions(tentative=True))
    assert rendered == render_markdown(closed_tentatively(tail))
    assert "<table" in rendered.html
    assert "<b>An</b>" in rendered.html
    assert await worker.render(tail) == render_markdown(tail)  # not closed unless asked


@shell_keys.linux_only
@pytest.mark.asyncio
@pytest.mark.usefixtures("keys_in_the_shell")
async def test_the_child_drawing_a_models_answer_holds_none_of_the_users_keys(
    worker: RenderWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CHILD_VARIABLE, "de")  # the language the window speaks
    rendered = await worker.render("```\nprint('hi')\n```")
    shell_keys.assert_no_key_and_the_rest_kept(shell_keys.environment_of(worker.pid))
    assert "Kopieren" in rendered.html


@pytest.mark.asyncio
async def test_math_and_loaded_images_cross_the_process_boundary(worker: RenderWorker) -> None:
    from tests.core.render.test_features import PNG_1x1

    url = "https://img.example.com/a.png"
    options = RenderOptions(load_remote_images=True, remote_image_data={url: PNG_1x1})
    rendered = await worker.render(f"$x^2$ and ![a]({url})", options)
    assert len(rendered.images) == 2
    assert PNG_1x1 in rendered.images.values()


@pytest.mark.asyncio
async def test_too_slow_render_falls_back_to_plain_and_the_worker_recovers(
    worker: RenderWorker,
) -> None:
    await worker.render("warm up")  # the child's start is not part of any render's time
    worker.timeout = 0.05
    rendered = await worker.render(BIG)
    assert rendered.plain
    assert rendered.reason == "took too long to format"
    assert "Shown as plain text: took too long to format." in rendered.html
    assert worker.pid is None  # killed, not left formatting the text nobody waits for
    worker.timeout = 10.0
    assert (await worker.render(ANSWER)) == render_markdown(ANSWER)


@pytest.mark.asyncio
async def test_an_overrun_is_answered_inside_the_bound(
    worker: RenderWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killing the child and answering in plain text are part of the message's time: the child
    gets less than the bound, and the answer does not wait for the killed child to be reaped
    (the benchmark `render` times it)."""
    from chatdesk.core.trust.children import Child

    await worker.render("warm up")
    worker.timeout = 0.4
    asked: list[float] = []
    reaped = threading.Event()  # the killed child's reaping waits for it
    ask, stop = Child.ask, Child.stop

    def timed_ask(child: Child, request: tuple[Any, ...], timeout: float) -> tuple[Any, ...]:
        asked.append(timeout)
        return ask(child, request, timeout)

    def slow_stop(child: Child) -> None:
        reaped.wait()
        stop(child)

    monkeypatch.setattr(Child, "ask", timed_ask)
    monkeypatch.setattr(Child, "stop", slow_stop)
    try:
        rendered = await worker.render(BIG)
    finally:
        reaped.set()
    assert rendered.reason == "took too long to format"
    assert asked
    assert asked[-1] < worker.timeout


@pytest.mark.asyncio
async def test_a_first_formula_does_not_stretch_the_bound_of_its_message(
    worker: RenderWorker,
) -> None:
    """The math library loads on its own clock; the slow message that asked for it still
    gets only its own bound, and formulas after it are drawn."""
    await worker.render("warm up")  # no formula: the math library is not loaded
    worker.timeout = 0.2
    rendered = await worker.render(BIG + "\n\nAnd it costs $x^2$ too.\n")
    assert rendered.reason == "took too long to format"
    worker.timeout = 10.0
    drawn = await worker.render("$x^2$")
    assert len(drawn.images) == 1


@pytest.mark.asyncio
async def test_formulas_show_as_source_while_the_math_library_cannot_load(
    worker: RenderWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chatdesk.core.render import worker as render_worker

    await worker.render("warm up")
    monkeypatch.setattr(render_worker, "FIRST_MATH_TIMEOUT", 0.0)
    rendered = await worker.render("The area is $\\pi r^2$.")
    assert not rendered.plain  # the message is formatted, its formula left as TeX
    assert not rendered.complete  # so it is not kept past this run
    assert rendered.images == {}
    assert "\\pi r^2" in rendered.html
    monkeypatch.setattr(render_worker, "FIRST_MATH_TIMEOUT", 30.0)
    loaded = worker.pid
    again = await worker.render("The area is $\\pi r^2$.")
    assert again.images == {}  # not tried again at once…
    assert not again.plain  # …and the child that replaced the one killed formats at once
    assert worker.pid == loaded  # the same child: no second load was asked of it


@linux_only
@pytest.mark.asyncio
async def test_child_killed_between_calls_is_replaced(worker: RenderWorker) -> None:
    await worker.render("first")
    first_pid = worker.pid
    assert first_pid is not None
    os.kill(first_pid, signal.SIGKILL)
    wait_for_exit(first_pid)
    rendered = await worker.render(ANSWER)
    assert rendered == render_markdown(ANSWER)
    assert worker.pid not in (None, first_pid)


class _KillsTheChild(RenderOptions):
    """Options whose unpickling ends the child process: a crash in the middle of a request."""

    def __reduce__(self) -> tuple[object, tuple[int]]:
        return os._exit, (3,)


@pytest.mark.asyncio
async def test_child_dying_during_a_render_falls_back_and_recovers(worker: RenderWorker) -> None:
    rendered = await worker.render("**doomed**", _KillsTheChild())
    assert rendered.plain
    assert rendered.reason == "could not be formatted"
    assert "**doomed**" in rendered.html
    assert (await worker.render(ANSWER)) == render_markdown(ANSWER)


@pytest.mark.asyncio
async def test_concurrent_renders_each_get_their_own_answer(worker: RenderWorker) -> None:
    texts = [f"item **{number}**" for number in range(20)]
    results = await asyncio.gather(*(worker.render(text) for text in texts))
    assert [result.html for result in results] == [render_markdown(t).html for t in texts]


@pytest.mark.asyncio
async def test_a_cancelled_render_does_not_answer_the_next_one(worker: RenderWorker) -> None:
    await worker.render("warm up")
    cancelled = asyncio.ensure_future(worker.render(BIG))
    await asyncio.sleep(0)  # let it send its request
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert (await worker.render(ANSWER)) == render_markdown(ANSWER)


@pytest.mark.asyncio
async def test_oversized_text_is_refused_without_the_child(worker: RenderWorker) -> None:
    rendered = await worker.render("x" * 300_000)
    assert rendered.plain
    assert rendered.reason == "too long to format (300,000 characters)"
    assert worker.pid is None


@linux_only
@pytest.mark.asyncio
async def test_child_loads_no_qt(worker: RenderWorker) -> None:
    await worker.render("$x$ ```python\nx\n```")
    maps = mapped_files(worker.pid)
    assert "PySide6" not in maps
    assert "libQt6" not in maps


@linux_only
@pytest.mark.asyncio
async def test_closed_worker_ends_its_child() -> None:
    worker = RenderWorker()
    worker.start()
    await worker.render("hello")
    pid = worker.pid
    assert pid is not None
    await worker.aclose()
    assert worker.pid is None
    assert not process_exists(pid)
    await worker.aclose()  # twice is fine


@linux_only
@pytest.mark.asyncio
async def test_an_idle_child_is_stopped_and_started_again_when_needed() -> None:
    worker = RenderWorker(timeout=10.0, idle_stop=0.2)
    assert worker.pid is None  # nothing started before the first message
    try:
        await worker.render("first")
        first = worker.pid
        assert first is not None
        assert await _gone(worker, first, within=10.0)  # stopped after 0.2 s without a message
        again = await worker.render("*again*")
        assert "<i>again</i>" in again.html or "<em>again</em>" in again.html
        assert worker.pid not in (None, first)  # a new child took the message
    finally:
        await worker.aclose()


@linux_only
@pytest.mark.asyncio
async def test_a_child_holding_the_math_library_is_stopped_sooner() -> None:
    worker = RenderWorker(timeout=10.0, idle_stop=30.0, math_idle_stop=0.2)
    try:
        await worker.render("no formula here")
        plain = worker.pid
        assert plain is not None
        assert not await _gone(worker, plain, within=0.6)  # no math library: kept for 30 s
        drawn = await worker.render("Euler: $e^{i\\pi} + 1 = 0$")
        assert drawn.images  # the formula was drawn, so the library is loaded
        assert worker.pid == plain
        assert "matplotlib" in mapped_files(plain)
        assert await _gone(worker, plain, within=10.0)  # held 0.2 s after its last message
        again = await worker.render("$x^2$")
        assert again.images  # a new child loads it again for the next formula
        assert worker.pid not in (None, plain)
    finally:
        await worker.aclose()
