"""Linux desktop integration: the .desktop entry, the AppStream metainfo and the icons pass the
standard validators, agree on one application id, and install for one user and uninstall again.

The validators (desktop-file-utils, appstream) are skipped when missing on a developer's
machine; in CI (CI=true) a missing validator fails, and `.ci/run` installs them first.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from configparser import ConfigParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.chatdesk.Chatdesk"
LINUX = ROOT / "resources" / "linux"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
HICOLOR = ROOT / "resources" / "icons" / "hicolor"
INSTALL = ROOT / "packaging" / "install-desktop.sh"


def validator(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is missing in CI: .ci/run installs Debian's {package}")
        pytest.skip(f"{name} not installed (Debian: apt-get install {package})")
    return path


def desktop_file_validate(path: Path) -> None:
    done = subprocess.run(
        [validator("desktop-file-validate", "desktop-file-utils"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    # It prints nothing for a valid file; hints are advice, errors and warnings are not.
    problems = [line for line in done.stdout.splitlines() if "error:" in line or "warning:" in line]
    assert done.returncode == 0, done.stdout + done.stderr
    assert problems == []


def test_desktop_entry_is_valid() -> None:
    desktop_file_validate(DESKTOP)


def test_metainfo_is_valid() -> None:
    done = subprocess.run(
        [validator("appstreamcli", "appstream"), "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    issues = [line for line in done.stdout.splitlines() if line[:2] in ("E:", "W:")]
    assert issues == []


def test_one_application_id_everywhere() -> None:
    entry = ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(DESKTOP, encoding="utf-8")
    component = ET.parse(METAINFO).getroot()
    assert entry["Desktop Entry"]["Icon"] == APP_ID
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable") == DESKTOP.name
    command, *arguments = entry["Desktop Entry"]["Exec"].split()
    assert component.findtext("provides/binary") == command
    # chatdesk: links open in the running chatdesk (chatdesk/core/trust/app_links.py)
    assert arguments == ["--open", "%u"]
    assert "x-scheme-handler/chatdesk" in entry["Desktop Entry"]["MimeType"].split(";")
    application = (ROOT / "chatdesk" / "ui" / "application.py").read_text(encoding="utf-8")
    assert f'setDesktopFileName("{APP_ID}")' in application


def test_metainfo_names_the_current_release() -> None:
    import chatdesk

    releases = ET.parse(METAINFO).getroot().findall("releases/release")
    assert releases, "no <release> in the metainfo"
    assert releases[0].get("version") == chatdesk.__version__


def test_icons_come_in_the_usual_sizes() -> None:
    sizes = {}
    for png in HICOLOR.glob(f"*/apps/{APP_ID}.png"):
        header = png.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n", png
        width, height = struct.unpack(">II", header[16:24])
        sizes[png.parent.parent.name] = (width, height)
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        assert sizes.get(f"{size}x{size}") == (size, size)
    assert all(folder == f"{w}x{h}" for folder, (w, h) in sizes.items())
    assert (ROOT / "resources" / "icons" / "chatdesk.svg").is_file()  # the scalable one


def test_per_user_install_and_uninstall(tmp_path: Path) -> None:
    command = tmp_path / "apps" / "chat desk" / "chatdesk"  # a space: Exec must quote it
    command.parent.mkdir(parents=True)
    command.write_text("#!/bin/sh\n")
    command.chmod(0o755)
    data = tmp_path / "share"
    env = {**os.environ, "XDG_DATA_HOME": str(data), "HOME": str(tmp_path)}

    def install(*args: str) -> None:
        done = subprocess.run(
            ["sh", str(INSTALL), *args], env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr

    install(str(command))
    entry = data / "applications" / f"{APP_ID}.desktop"
    assert f'Exec="{command}" --open %u' in entry.read_text(encoding="utf-8").splitlines()
    desktop_file_validate(entry)
    assert (data / "metainfo" / f"{APP_ID}.metainfo.xml").read_bytes() == METAINFO.read_bytes()
    assert (data / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg").is_file()
    assert (data / "icons/hicolor/256x256/apps" / f"{APP_ID}.png").is_file()

    install("--uninstall")
    left = list(data.rglob(f"{APP_ID}*"))
    assert left == []
