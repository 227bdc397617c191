"""Screenshots of "Connect a model", the window's first screen while no provider is set up:
Ollama found on this computer with its models, a hosted provider chosen (its key checked, its
models offered), Azure OpenAI asking for its resource and deployment, and nothing found. Light
and dark. Run through tests/ui/screens.py, or alone:

    .venv/bin/python -m tests.ui.screens_connect [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from chatdesk.core.providers.discovery import find_local_servers
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from tests.core.sse_server import FakeOpenAI
from tests.ports import free_port
from tests.ui.screens import _core, _until, run_alone


async def connect_screens(app: QApplication, out: Path) -> None:
    server = FakeOpenAI(models=("llama3.2:latest", "qwen2.5:7b", "gemma3:4b")).start()
    core = _core(CHATDESK_UI_OFFLINE_DEMO="false")
    try:
        await core.start()
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            await _shoot(core, out, theme, {"ollama": server.port, "lmstudio": free_port()})
    finally:
        await core.aclose()
        server.close()


async def _shoot(core: object, out: Path, theme: str, ports: dict[str, int]) -> None:
    window = MainWindow()
    window.resize(1280, 860)
    window.attach(
        core.service,  # type: ignore[attr-defined]
        profiles=core.profiles,  # type: ignore[attr-defined]
        find_servers=lambda: find_local_servers(ports),
    )
    window.show()
    window.start()
    try:
        window.connecting.offer()  # earlier screens in the same home may have set up providers
        page = window.connecting.page
        assert page is not None
        await _until(lambda: len(page.local.rows) == 1)
        await _grab(window, out / f"connect-found-{theme}.png")
        page.choose("openrouter")
        page.form.key.setText("sk-or-v1-screens-only")
        page.form.offer_models(("openai/gpt-4o-mini", "google/gemini-2.5-flash"), "")
        await _grab(window, out / f"connect-hosted-{theme}.png")
        page.choose("azure")
        await _grab(window, out / f"connect-azure-{theme}.png")
        ports["ollama"] = free_port()
        page.look()
        await _until(lambda: page.local.again.isEnabled() and not page.local.rows)
        await _grab(window, out / f"connect-none-{theme}.png")
    finally:
        window.close()
        await window.aclose()
        window.deleteLater()


async def _grab(window: MainWindow, path: Path) -> None:
    await asyncio.sleep(0.2)  # let the layout settle
    window.grab().save(str(path))
    print(path)


if __name__ == "__main__":
    sys.exit(run_alone(connect_screens))
