"""Real desktop parts started by the tests: an X server (Xvfb) and a session bus (dbus-daemon)
of a test's own. A missing part fails the test in CI (`.ci/install-debian-parts` installs
each) and skips it elsewhere, with the package to install."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

# No service files: nothing is started on the bus but what the test starts (a session bus
# from the system's configuration would start the machine's own notification server).
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={folder}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def needed(part: str, package: str) -> str:
    """The path of the program (or file) `part`, from Debian's `package`."""
    found = shutil.which(part) or (part if os.access(part, os.X_OK) else None)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{part} is missing (.ci/install-debian-parts installs {package})")
        pytest.skip(f"no {part} on this machine (the {package} package)")
    return found


def skip_module_without(tools: Iterable[str]) -> None:
    """Skip the whole module when one of `tools` is missing, except in CI, where its tests
    run and fail on it."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing and os.environ.get("CI") != "true":
        reason = f"needs {', '.join(missing)} (.ci/install-debian-parts)"
        pytest.skip(reason, allow_module_level=True)


@contextlib.contextmanager
def xvfb(screen: str = "800x600x24") -> Iterator[str]:
    """A real X server of its own, as ":N". Xvfb picks a free display and says it once it
    takes clients (-displayfd), so nothing waits on a guess."""
    server_program = needed("Xvfb", "xvfb")
    read, write = os.pipe()
    server = subprocess.Popen(
        [server_program, "-displayfd", str(write), "-nolisten", "tcp", "-screen", "0", screen],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as said:
        number = said.readline().strip()
    try:
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait()


@contextlib.contextmanager
def openbox(display: str) -> Iterator[None]:
    """The openbox window manager on `display` (":N"), ended after."""
    manager = subprocess.Popen(
        [needed("openbox", "openbox"), "--sm-disable"],
        env={**os.environ, "DISPLAY": display},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        manager.terminate()
        manager.wait()


@contextlib.contextmanager
def session_bus(folder: Path) -> Iterator[str]:
    """A session bus of its own listening in `folder`, without service files; its address."""
    daemon = needed("dbus-daemon", "dbus")
    config = folder / "bus.conf"
    config.write_text(BUS_CONFIG.format(folder=folder), encoding="utf-8")
    process = subprocess.Popen(
        [daemon, f"--config-file={config}", "--nofork", "--print-address"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    try:
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait()
        process.stdout.close()
