"""Screenshots of signing in to a remote tool server: Preferences ▸ Tools with a remote server
not signed in, waiting for the browser (the address shown), and signed in as someone; the
server form with its client ID and secret. Light and dark. Run alone:

    .venv/bin/python -m tests.ui.screens_signin [OUTPUT_DIR]
"""

from __future__ import annotations

import base64
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from chatdesk.core.assembly import tools_in
from chatdesk.core.config import Settings
from chatdesk.core.tools.servers import ServerConfig, Transport
from chatdesk.core.tools.service import Tools
from chatdesk.ui.preferences import PreferencesDialog
from chatdesk.ui.runner import Runner
from chatdesk.ui.theme import apply_theme
from tests.core.oauth_server import PRE_ID, Browser, remote_server
from tests.ui.preference_pages import select_row
from tests.ui.screens import _grab_dialog, _until, run_alone
from tests.ui.test_preferences import show_tab


async def signin_screens(app: QApplication, out: Path) -> None:
    import keyring

    from tests.keyrings import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())  # never the real keyring of whoever runs this
    claims = base64.urlsafe_b64encode(json.dumps({"email": "ada@example.org"}).encode())
    with tempfile.TemporaryDirectory() as home, remote_server() as remote:
        remote.authority.id_token = f"e30.{claims.decode().rstrip('=')}.sig"
        settings = Settings()
        tools = tools_in(lambda: settings, Path(home), log_dir=Path(home) / "logs")
        await tools.add_server(ServerConfig("docs", Transport.HTTP, url=remote.url))
        await tools.add_server(ServerConfig("calendar", Transport.HTTP, url=remote.url))
        runner = Runner()
        try:
            for theme in ("light", "dark"):
                apply_theme(app, theme)
                await _shoot(tools, runner, out, theme)
        finally:
            await runner.aclose()
            await tools.aclose()


async def _shoot(tools: Tools, runner: Runner, out: Path, theme: str) -> None:
    await tools.signin.logout("docs")
    dialog = PreferencesDialog(Settings(), runner=runner, tools=tools)
    dialog.resize(820, 620)
    show_tab(dialog, "Tools")
    page = dialog.tools
    row = page.signin
    select_row(page.list, "docs")
    await _until(lambda: row.button.isEnabled())
    await _grab_dialog(dialog, out / f"signin-not-signed-in-{theme}.png", runner)
    tools.signin._browser = lambda address: None  # a browser the user has not finished in
    row.button.click()
    await _until(lambda: row.address.isVisible())
    dialog.grab().save(str(out / f"signin-waiting-{theme}.png"))
    row.button.click()  # Cancel
    await _until(lambda: row.button.isEnabled() and not row.address.isVisible())
    tools.signin._browser = Browser()
    row.button.click()
    await _until(lambda: row.line.text().startswith("Signed in"), 30)
    await _grab_dialog(dialog, out / f"signin-signed-in-{theme}.png", runner)
    page.open_edit()
    form = page.server_form
    assert form is not None
    form.client_id.setText(PRE_ID)
    form.client_secret.setText("a-secret")
    await _grab_dialog(form, out / f"signin-form-{theme}.png")
    form.reject()
    dialog.close()


if __name__ == "__main__":
    sys.exit(run_alone(signin_screens))
