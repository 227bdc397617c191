"""The suite's stages, and what takes long in them.

The first stage: the core's tests that start no process (and, being the core's, no
Qt). `.ci/run` runs them alone before everything else, so a change that breaks the core fails in
a minute or two rather than at the end of the whole run.

A module of `tests/core` whose tests start a process (a child of chatdesk's, a server, a
program) says so with `pytestmark = pytest.mark.processes`; every other test there is marked
`first`. An audit hook sees each process started in this interpreter, and a test marked `first`
that starts one fails, naming the program, so the first stage stays what it says it is.

A test that takes more than `LONG` seconds says why with `@pytest.mark.slow("the reason")`;
the run's summary names each one that took longer and does not, to be made faster or to say
why. It is a list to read, not a failure: on a busy machine anything can take longer. The
slow tests run first."""

from __future__ import annotations

import platform
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CORE = Path(__file__).resolve().parent / "core"
LONG = 10.0  # seconds: setup, call and teardown together

# Audit events raised by every way a Python program starts another: subprocess (and asyncio's
# and anyio's processes, built on it), the os module's spawns and forks, and os.system.
_STARTS = {"subprocess.Popen", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "os.system"}
_started: list[str] = []
_took: dict[str, float] = {}  # a test's seconds, where it did not say why it is slow


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event in _STARTS:
        _started.append(f"{event} {args[:2]!r}"[:300])


def pytest_configure(config: pytest.Config) -> None:
    # The standard library asks `uname -p` once per interpreter, for whichever caller first
    # wants the processor's name (the openai SDK's headers): asked here, it is no test's.
    platform.processor()
    sys.addaudithook(_audit)  # once per interpreter: a pytest-xdist worker is one


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(CORE) and item.get_closest_marker("processes") is None:
            item.add_marker(pytest.mark.first)
    # The slow ones first: pytest-xdist hands tests out in this order, so the longest start
    # while every worker is still busy, and the run does not end waiting on one of them.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup() -> None:
    del _started[:]  # before the test's fixtures, which may start what it needs


@pytest.fixture(autouse=True)
def _first_stage_starts_no_process(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if _started and request.node.get_closest_marker("first") is not None:
        pytest.fail(
            "this test starts a process, so it cannot run in the first stage; mark its "
            "module with `pytestmark = pytest.mark.processes` (tests/stages.py). Started: "
            + "; ".join(_started[:3]),
            pytrace=False,
        )


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "slow" not in report.keywords:
        _took[report.nodeid] = _took.get(report.nodeid, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter: Any) -> None:
    long = sorted(((took, test) for test, took in _took.items() if took > LONG), reverse=True)
    if not long:
        return
    terminalreporter.section(f"over {LONG:.0f} s and not marked slow with a reason")
    for took, test in long:
        terminalreporter.write_line(f"{took:6.1f} s  {test}")
