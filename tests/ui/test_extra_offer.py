"""Preferences ▸ Voice offers the local engine's runtime when it is chosen and missing, with
real widgets offscreen and a real pip installing into a fresh venv from a folder of tiny
wheels: what it costs, Install with pip's lines under a busy bar, what went wrong, and, in the
desktop build, what to do instead."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.app import Core
from chatdesk.core.extras import Extras
from chatdesk.core.render.worker import RenderWorker
from chatdesk.core.settings_outside import VoiceSettings
from chatdesk.ui.conversation.formatter import Formatter
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.runner import Runner
from chatdesk.ui.settings.voice_page import LOCAL, VoicePage
from chatdesk.ui.window.formulas_offer import FormulasOffer
from tests.core.voice.runtime_parts import Venv, cut_off_pip_settings, fresh_venv, wheel

ROOT = Path(__file__).resolve().parents[2]
SERVERS = [("groq", "https://api.groq.com/openai/v1")]


@pytest.fixture(scope="session")  # not made again each time a worker comes back to the module
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    return fresh_venv(tmp_path_factory.mktemp("venv") / "venv")


@pytest.fixture(autouse=True)
def _pip_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    cut_off_pip_settings(monkeypatch)


def _page(qtbot: QtBot, runner: Runner, runtimes: Extras) -> VoicePage:
    page = VoicePage(VoiceSettings(stt_provider="groq"), SERVERS)
    qtbot.addWidget(page)
    page.offer_runtime(runner, lambda: runtimes)
    return page


def _choose(page: VoicePage, value: str) -> None:
    page.stt.setCurrentIndex(page.stt.findData(value))  # as picking it from the list does


def _runtimes(venv: Venv, wheels: Path) -> Extras:
    return Extras(
        python=str(venv.python),
        paths=[str(venv.site)],
        pip_options=["--no-index", "--find-links", str(wheels)],
    )


@pytest.mark.slow("makes a venv with pip (ensurepip) and installs into it with pip")
def test_choosing_the_local_engine_offers_its_runtime_and_installs_it(
    qtbot: QtBot, runner: Runner, venv: Venv, tmp_path: Path
) -> None:
    wheels = tmp_path / "wheels"
    wheel(wheels, "faster-whisper", "1.99.0", "faster_whisper")
    wheel(wheels, "av", "19.0.0", "av")
    page = _page(qtbot, runner, _runtimes(venv, wheels))
    offer = page.stt_offer
    assert offer.isHidden()  # a provider transcribes: nothing to offer

    _choose(page, LOCAL)
    qtbot.waitUntil(lambda: not offer.isHidden())
    assert offer.offer.text() == (
        "Speech to text on this computer needs a download of about 115 MB (370 MB on disk), once."
    )
    assert not offer.install.isHidden()
    assert offer.progress.isHidden()

    with qtbot.waitSignal(offer.installed):
        qtbot.mouseClick(offer.install, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not offer.progress.isHidden())
        assert not offer.install.isEnabled()
    qtbot.waitUntil(lambda: offer.progress.isHidden())
    assert offer.result.text() == "Installed: speech to text on this computer is ready."
    assert offer.install.isHidden()
    assert (venv.site / "faster_whisper" / "__init__.py").exists()

    _choose(page, "groq")
    assert offer.isHidden()
    _choose(page, LOCAL)  # installed now: nothing more to offer
    qtbot.waitUntil(lambda: offer.isHidden())


def test_a_failed_install_says_what_went_wrong_and_can_be_tried_again(
    qtbot: QtBot, runner: Runner, tmp_path: Path
) -> None:
    bare = fresh_venv(tmp_path / "bare", with_pip=False)
    page = _page(qtbot, runner, _runtimes(bare, tmp_path))
    offer = page.stt_offer
    _choose(page, LOCAL)
    qtbot.waitUntil(lambda: not offer.isHidden())

    qtbot.mouseClick(offer.install, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(offer.result.text()))
    assert "has no pip to install with" in offer.result.text()
    assert offer.progress.isHidden()
    assert offer.install.isEnabled()  # another try is one click away
    assert not offer.isHidden()


def test_the_desktop_build_says_what_to_do_instead_with_no_button(
    qtbot: QtBot, runner: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    page = _page(qtbot, runner, Extras(paths=[str(tmp_path)]))
    offer = page.stt_offer
    _choose(page, LOCAL)
    qtbot.waitUntil(lambda: not offer.isHidden())
    assert offer.offer.text().startswith(
        "This desktop build of chatdesk cannot add it (115 MB to download)."
    )
    assert "pip install 'chatdesk[local-speech]'" in offer.offer.text()
    assert offer.install.isHidden()


def _with_chatdesks_metadata(venv: Venv) -> None:
    """chatdesk's metadata in `venv`, naming the formulas extra as pyproject.toml does: the
    extra's requirements are read from the environment installed into."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = ["Metadata-Version: 2.1", "Name: chatdesk", "Version: 0.1.0"]
    lines += ["Provides-Extra: formulas"]
    lines += [
        f"Requires-Dist: {line}; extra == 'formulas'"
        for line in project["optional-dependencies"]["formulas"]
    ]
    info = venv.site / "chatdesk-0.1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _column(
    qtbot: QtBot, runner: Runner, extras: Extras, holder: QWidget
) -> tuple[FormulasOffer, list[int]]:
    """The offer atop `holder`'s column of messages."""
    qtbot.addWidget(holder)
    column = QVBoxLayout(holder)
    column.addWidget(QLabel("the messages", holder))
    formatter = Formatter(RenderWorker(), runner, holder)
    redrawn: list[int] = []
    offer = FormulasOffer(column, formatter, lambda: redrawn.append(1), runner, lambda: extras)
    holder.show()
    return offer, redrawn


def test_formulas_shown_as_source_bring_the_offer_once_a_run(
    qtbot: QtBot, runner: Runner, tmp_path: Path
) -> None:
    holder = QWidget()
    offer, _ = _column(qtbot, runner, Extras(paths=[str(tmp_path)]), holder)  # no matplotlib
    assert offer.isHidden()  # nothing to say before a formula could not be drawn

    offer._formatter.formulas_missing.emit()  # as the formatter does for such a message
    qtbot.waitUntil(offer.isVisible)
    assert offer.offer.text() == (
        "Drawing TeX formulas needs a download of about 16 MB (74 MB on disk), once."
    )
    assert offer.install.isVisible()
    qtbot.mouseClick(offer.dismiss, Qt.MouseButton.LeftButton)
    assert offer.isHidden()
    offer._formatter.formulas_missing.emit()  # the next such message: said once a run
    qtbot.waitUntil(lambda: not runner.busy)  # no look at the extra was started
    assert offer.isHidden()


@pytest.mark.slow("makes a venv with pip (ensurepip) and installs into it with pip")
def test_install_from_the_offer_fetches_formulas_and_formats_the_messages_again(
    qtbot: QtBot, runner: Runner, venv: Venv, tmp_path: Path
) -> None:
    _with_chatdesks_metadata(venv)
    wheels = tmp_path / "wheels"
    wheel(wheels, "matplotlib", "3.11.0", "matplotlib")
    holder = QWidget()
    offer, redrawn = _column(qtbot, runner, _runtimes(venv, wheels), holder)
    offer._formatter.formulas_missing.emit()
    qtbot.waitUntil(offer.isVisible)

    with qtbot.waitSignal(offer.installed, timeout=60_000):
        qtbot.mouseClick(offer.install, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: offer.progress.isHidden())
    assert offer.result.text() == "Installed: formulas are drawn from now on."
    assert redrawn == [1]  # the messages are formatted again, with their formulas drawn
    assert (venv.site / "matplotlib" / "__init__.py").exists()
    assert offer.dismiss.text() == "Close"


@pytest.mark.skipif(sys.platform == "win32", reason="pip is stood in for by a shell script")
def test_pips_english_line_starts_on_the_right_in_a_right_to_left_window(
    qtbot: QtBot, runner: Runner, qapp: QApplication, tmp_path: Path
) -> None:
    """Qt aligns a label by its text's direction: pip's English line would sit at the far left
    of an Arabic page, away from the bar it tells of."""
    pip = tmp_path / "python"  # says what it collects, then waits as on a slow network
    pip.write_text('#!/bin/sh\necho "Collecting av<20,>=14"\nexec sleep 60\n', encoding="utf-8")
    pip.chmod(0o755)
    qapp.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    try:
        page = _page(qtbot, runner, Extras(python=str(pip), paths=[str(tmp_path)]))
    finally:
        qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    page.resize(700, 500)
    page.show()
    offer = page.stt_offer
    _choose(page, LOCAL)
    qtbot.waitUntil(lambda: not offer.isHidden())
    qtbot.mouseClick(offer.install, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: offer.line.text() == "Collecting av<20,>=14")

    line = offer.line.grab().toImage()
    ground = line.pixel(0, 0)
    inked = [
        x for x in range(line.width()) for y in range(line.height()) if line.pixel(x, y) != ground
    ]
    assert line.width() > 300  # as wide as the field, far wider than its words
    assert min(inked) > line.width() // 2
    qtbot.mouseClick(offer.cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not offer.installing)


def test_the_window_makes_the_offer_with_its_first_formula_not_drawn(
    attached_window: tuple[MainWindow, Core], qtbot: QtBot
) -> None:
    """Most runs never show it: the window makes it then, atop the column of messages."""
    window, _ = attached_window
    assert window.findChild(FormulasOffer) is None
    window.formatter.formulas_missing.emit()  # as the formatter does for such a message
    offer = window.findChild(FormulasOffer, "formulasOffer")
    assert offer is not None
    assert window.panes.column.indexOf(offer) == 0
    window.formatter.formulas_missing.emit()  # the next: the same offer, not another
    assert window.findChildren(FormulasOffer) == [offer]
    qtbot.waitUntil(lambda: not window.runner.busy)  # its look at the extra has ended
