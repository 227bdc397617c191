"""a second start's hand-over: `chatdesk --show` against a running chatdesk (≤ 1.5× bare).

The instance is started once (`python -m chatdesk --tray`, offscreen, on a fresh CHATDESK_HOME)
and waited for until it answers. Then, runs alternating, a fresh process each:

- hand-over: the `chatdesk` command beside this Python (what the desktop and a terminal run),
  `chatdesk --show`: it finds the running chatdesk, hands the request over, waits for the
  acknowledgement and exits (chatdesk/core/handover.py; nothing of Qt is imported);
- bare: `python -c pass` with the same interpreter.

Wall time from `Popen` to the exit, median of 20 runs (quick: 8), and the processes' CPU time
(user + system, from `wait4`), which a busy machine disturbs less; the budget is the wall-time
ratio, the CPU ratio is shown beside it. The script pip writes for the `chatdesk` command
imports `re` before chatdesk's code runs; the same hand-over through `chatdesk.launch.main`
directly (as the desktop build starts it) is shown beside it. One warm-up run of each is not
counted.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import INFO, ratio_target, report
from chatdesk.core import handover

READY_S = 240.0
# chatdesk.launch.main as the desktop build's entry point calls it, without the `import re` of
# the script pip writes for the `chatdesk` command
_ENTRY = "import sys; from chatdesk.launch import main; sys.argv[0] = 'chatdesk'; sys.exit(main())"


def run(workdir: Path, quick: bool) -> None:
    home = workdir / "handover"
    env = {**os.environ, "CHATDESK_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    where = handover.address(env=env)
    instance = subprocess.Popen(
        [sys.executable, "-m", "chatdesk", "--tray"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_listening(where, instance)
        _measure(env, 8 if quick else 20)
    finally:
        instance.terminate()
        instance.wait(timeout=60)


def _wait_until_listening(where: str, instance: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline and instance.poll() is None:
        try:
            handover.send(where, handover.Request("tray"))
            return
        except handover.NoInstance:
            time.sleep(0.05)
    raise RuntimeError("the chatdesk to hand over to did not start")


def _command() -> list[str]:
    script = Path(sys.executable).with_name("chatdesk")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from chatdesk.launch import main; sys.exit(main())"]


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU milliseconds of one process; it must exit with 0."""
    began = time.perf_counter()
    process = subprocess.Popen(argv, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = (time.perf_counter() - began) * 1000
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{argv} exited with {process.returncode}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def _measure(env: dict[str, str], runs: int) -> None:
    show = [*_command(), "--show"]
    entry = [sys.executable, "-c", _ENTRY, "--show"]
    bare = [sys.executable, "-c", "pass"]
    _timed(show, env), _timed(bare, env)  # warm-up
    walls: dict[str, list[float]] = {"show": [], "entry": [], "bare": []}
    cpus: dict[str, list[float]] = {"show": [], "entry": [], "bare": []}
    for _ in range(runs):
        for name, argv in (("show", show), ("entry", entry), ("bare", bare)):
            wall, cpu = _timed(argv, env)
            walls[name].append(wall)
            cpus[name].append(cpu)
    median = statistics.median
    report(
        "hand-over (chatdesk --show), wall p50",
        median(walls["show"]),
        median(walls["bare"]),
        "ms",
        ratio_target(1.5, "bare python"),
        bare="bare python -c pass",
    )
    report(
        "hand-over, CPU time p50",
        median(cpus["show"]),
        median(cpus["bare"]),
        "ms",
        INFO,
        bare="bare python -c pass",
    )
    report(
        "hand-over without pip's wrapper, wall p50",
        median(walls["entry"]),
        median(walls["bare"]),
        "ms",
        INFO,
        bare="bare python -c pass",
    )
    report(
        "hand-over without pip's wrapper, CPU p50",
        median(cpus["entry"]),
        median(cpus["bare"]),
        "ms",
        INFO,
        bare="bare python -c pass",
    )
    print(f"      load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
