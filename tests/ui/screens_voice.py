"""Screenshots of Preferences ▸ Voice offering the local engine's runtime (decision 0074): the
offer with its size and Install, then the install under way (the busy bar, pip's last line,
Cancel). Light and dark (and any language with CHATDESK_UI_LANGUAGE). Run through
tests/ui/screens.py, or alone:

    .venv/bin/python -m tests.ui.screens_voice [OUTPUT_DIR]

The window is given the core as the application gives it; only the core's extras are made
to look at a fresh venv, so that the runtime is missing even where the dev environment has it.
The install is a real pip into that venv, from a local server whose wheels do not come until
the picture is taken; Cancel then stops pip, as it would stop a slow download.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from chatdesk.app import Core
from chatdesk.core.extras import Extras
from chatdesk.ui.application import attach_core
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from tests.core.voice.runtime_parts import fresh_venv, wheel
from tests.ui.screens import _core, _grab_dialog, _until, run_alone


async def voice_screens(app: QApplication, out: Path) -> None:
    with tempfile.TemporaryDirectory() as folder, _pip_settings():
        wheels = Path(folder) / "wheels"
        wheel(wheels, "faster-whisper", "1.99.0", "faster_whisper")
        wheel(wheels, "av", "19.0.0", "av")
        venv = fresh_venv(Path(folder) / "venv")
        core = _core()
        try:
            await core.start()
            for theme in ("light", "dark"):
                apply_theme(app, theme)
                with _slow_wheels(wheels) as (url, release):
                    core.extras = Extras(
                        python=str(venv.python),
                        paths=[str(venv.site)],
                        pip_options=["--no-index", "--find-links", url],
                    )
                    await _shoot(core, out, theme, release)
        finally:
            await core.aclose()


async def _shoot(core: Core, out: Path, theme: str, release: threading.Event) -> None:
    window = MainWindow(settings=core.config.settings)
    window.resize(1100, 700)
    attach_core(window, core)
    window.show()
    window.start()
    try:
        await _until(lambda: not window.sidebar.model.loading)
        window.settings.open_preferences()
        dialog = window.settings.dialog
        assert dialog is not None
        dialog.tabs.setCurrentWidget(dialog.voice)  # named in English in any language
        offer = dialog.voice.stt_offer  # the local engine is the default choice
        await _until(lambda: offer.isVisible() and offer.install.isVisible())
        await _grab_dialog(dialog, out / f"preferences-voice-offer-{theme}.png", window.runner)
        offer.install.click()
        await _until(lambda: offer.line.text().startswith("Collecting"), 60)  # pip's words
        await _grab_dialog(dialog, out / f"preferences-voice-installing-{theme}.png")
        offer.cancel.click()  # pip waits for a wheel: stopped, nothing installed
        await _until(lambda: not offer.installing)
        release.set()
        dialog.close()
    finally:
        window.close()
        await window.aclose()
        window.deleteLater()


@contextlib.contextmanager
def _pip_settings() -> Iterator[None]:
    """pip reads none of this machine's settings (an index, a configuration file)."""
    before = dict(os.environ)
    for name in list(os.environ):
        if name.upper().startswith("PIP_"):
            del os.environ[name]
    os.environ["PIP_CONFIG_FILE"] = os.devnull
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)


@contextlib.contextmanager
def _slow_wheels(folder: Path) -> Iterator[tuple[str, threading.Event]]:
    """A local page of `folder`'s wheels, at the URL given, whose wheels do not come until the
    event is set: pip says what it is collecting, and waits, as on a slow network."""
    release = threading.Event()

    class Wheels(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            names = sorted(path.name for path in folder.glob("*.whl"))
            asked = self.path.strip("/")
            if asked in names:
                release.wait(120)
                kind, data = "application/octet-stream", (folder / asked).read_bytes()
            else:
                links = "".join(f'<a href="{name}">{name}</a>\n' for name in names)
                kind, data = "text/html", links.encode()
            with contextlib.suppress(OSError):  # pip was stopped meanwhile
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Wheels)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", release
    finally:
        release.set()
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    sys.exit(run_alone(voice_screens))
