"""a second start's hand-over: `chatdesk --show` against a running chatdesk (≤ 1.5× bare).

The instance is started once (`python -m chatdesk --tray`, offscreen, on a fresh CHATDESK_HOME)
and waited for until it answers. Then, runs alternating, a fresh process each:

- hand-over: the `chatdesk` command beside this Python (what the desktop and a terminal run),
  `chatdesk --show`: it finds the running chatdesk, hands the request over, waits for the
  acknowledgement and exits (chatdesk/core/handover.py; nothing of Qt is imported);
- bare: `python -c pass` with the same interpreter.

Wall time from `Popen` to the exit, median of 20 runs (quick: 8), and the processes' CPU time
(user + system, from `wait4`), which a busy machine disturbs less; the budget is the wall-time
ratio, read with the bare runs' noise (`--check`), the CPU ratio is shown beside it. One
warm-up run of each is not counted: it also compiles the modules' bytecode (into the run's own
cache, PYTHONPYCACHEPREFIX), as an installed chatdesk has it (pip compiles a wheel's modules;
uv and an editable install write them on the first start), even where the developer's shell
sets PYTHONDONTWRITEBYTECODE: without it every start compiled chatdesk's modules from source,
~7 ms of CPU here that no user pays.

The `chatdesk` command is a script the installer writes. The one pip before 25.0 writes
imports `re` before chatdesk runs (~10 ms of CPU here, over half a bare start); pip 25.0 and
later and uv write one without it. So two lines beside the budget, informational: the same
hand-over through the script pip 25 writes (made in the run's folder for this Python), and
through `chatdesk.launch.main` called from `-c` (as the desktop build starts it); and a note
when the installed script imports `re`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import INFO, ratio_target, report
from benchmarks.guard import spread
from chatdesk.core import handover

READY_S = 240.0
# chatdesk.launch.main as the desktop build's entry point calls it, without an installer's script
_ENTRY = "import sys; from chatdesk.launch import main; sys.argv[0] = 'chatdesk'; sys.exit(main())"
# the script pip 25.0 and later writes for the `chatdesk` command (uv's imports the same)
_CURRENT_PIP_SCRIPT = """#!{python}
import sys
from chatdesk.launch import main
if __name__ == '__main__':
    sys.argv[0] = sys.argv[0].removesuffix('.exe')
    sys.exit(main())
"""


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
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(workdir / "bytecode")
        _measure(env, workdir, 8 if quick else 20)
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


def _imports_re(argv: list[str]) -> bool:
    """Whether the installed `chatdesk` script imports `re` before chatdesk runs."""
    try:
        text = Path(argv[0]).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(line.strip() == "import re" for line in text.splitlines())


def _current_pip_script(workdir: Path) -> Path:
    script = workdir / "chatdesk-pip25"
    script.write_text(_CURRENT_PIP_SCRIPT.format(python=sys.executable), encoding="utf-8")
    script.chmod(0o700)
    return script


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


def _measure(env: dict[str, str], workdir: Path, runs: int) -> None:
    commands = {
        "show": [*_command(), "--show"],
        "pip25": [str(_current_pip_script(workdir)), "--show"],
        "entry": [sys.executable, "-c", _ENTRY, "--show"],
        "bare": [sys.executable, "-c", "pass"],
    }
    for argv in commands.values():  # warm-up: the page cache, and the bytecode written
        _timed(argv, env)
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            wall, cpu = _timed(argv, env)
            walls[name].append(wall)
            cpus[name].append(cpu)
    _report(walls, cpus)
    if _imports_re(commands["show"]):
        print(
            "      the installed `chatdesk` script imports re before chatdesk runs (pip < 25.0 "
            "writes it so; pip ≥ 25.0 and uv do not: the lines below)"
        )
    print(f"      load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


def _report(walls: dict[str, list[float]], cpus: dict[str, list[float]]) -> None:
    median = statistics.median
    bare, bare_cpu, bare_name = median(walls["bare"]), median(cpus["bare"]), "bare python -c pass"
    report(
        "hand-over (chatdesk --show), wall p50",
        median(walls["show"]),
        bare,
        "ms",
        ratio_target(1.5, "bare python"),
        bare=bare_name,
        noise=spread(walls["bare"], 50),
    )
    report("hand-over, CPU time p50", median(cpus["show"]), bare_cpu, "ms", INFO, bare=bare_name)
    for name, label in (("pip25", "through pip 25's script"), ("entry", "through launch.main")):
        report(
            f"hand-over {label}, wall p50", median(walls[name]), bare, "ms", INFO, bare=bare_name
        )
        report(
            f"hand-over {label}, CPU p50", median(cpus[name]), bare_cpu, "ms", INFO, bare=bare_name
        )
