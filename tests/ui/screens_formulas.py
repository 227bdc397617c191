"""Screenshots of formulas without the `formulas` extra (decision 0075): a thread whose answer
shows its formulas as their TeX source, with the offer to draw them above the messages; and
Preferences ▸ Appearance offering the same. Light and dark (and any language with
CHATDESK_UI_LANGUAGE). Run through tests/ui/screens.py, or alone:

    .venv/bin/python -m tests.ui.screens_formulas [OUTPUT_DIR]

The window is given the core as the application gives it. Matplotlib is left out of the import
path the render worker's child is given, as tests/core/render/test_formulas_missing.py leaves
it out: this environment's site-packages as links, matplotlib's held back. The child then finds
no math library, and the core's extras look at that same folder, where it is missing.
"""

from __future__ import annotations

import contextlib
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from chatdesk.app import Core
from chatdesk.core.extras import Extras
from chatdesk.ui.application import attach_core
from chatdesk.ui.main_window import MainWindow
from chatdesk.ui.theme import apply_theme
from chatdesk.ui.window.formulas_offer import FormulasOffer
from tests.ui.screens import (
    _core,
    _formatted,
    _grab_dialog,
    _still,
    _until,
    run_alone,
    seed_answered,
)

MATPLOTLIB = ("matplotlib", "mpl_toolkits", "pylab")
QUESTION = "How do I solve a quadratic equation?"
ANSWER = r"""For $ax^2 + bx + c = 0$ with $a \ne 0$, the roots are

$$x = \frac{-b \pm \sqrt{b^2 - 4ac}}{2a}$$

The discriminant $\Delta = b^2 - 4ac$ tells how many real roots there are: two when
$\Delta > 0$, one when $\Delta = 0$, none when $\Delta < 0$.
"""


async def formulas_screens(app: QApplication, out: Path) -> None:
    with tempfile.TemporaryDirectory() as folder, _without_matplotlib(Path(folder)) as site:
        core = _core()
        try:
            await core.start()
            core.extras = Extras(paths=[str(site)])  # the environment the child imports from
            thread = await core.service.create_thread(title="Quadratic equations")
            seed_answered(core, thread.id, QUESTION, ANSWER)
            for theme in ("light", "dark"):
                apply_theme(app, theme)
                await _shoot(core, thread.id, out, theme)
        finally:
            await core.aclose()


async def _shoot(core: Core, thread_id: Any, out: Path, theme: str) -> None:
    window = MainWindow(settings=core.config.settings)
    window.resize(1280, 860)
    attach_core(window, core)
    window.show()
    window.start()
    try:
        await _until(lambda: not window.sidebar.model.loading)
        window.connecting.close()  # no provider here: not the first start's page, the thread
        window.show_thread(thread_id)
        await _until(lambda: _formatted(window, 2), 30)  # the child's first start
        offer = _offer(window)
        await _until(lambda: offer.isVisible() and offer.install.isVisible())
        await _until(_still(window, window.runner))
        path = out / f"formulas-offer-{theme}.png"
        window.grab().save(str(path))
        print(path)
        window.settings.open_preferences()
        dialog = window.settings.dialog
        assert dialog is not None
        dialog.tabs.setCurrentWidget(dialog.appearance)  # named in English in any language
        shown = dialog.appearance.formulas
        await _until(lambda: shown.isVisible() and shown.install.isVisible())
        await _grab_dialog(
            dialog, out / f"preferences-appearance-formulas-{theme}.png", window.runner
        )
        dialog.close()
    finally:
        window.close()
        await window.aclose()
        window.deleteLater()


def _offer(window: MainWindow) -> FormulasOffer:
    offer = window.findChild(FormulasOffer, "formulasOffer")
    assert offer is not None
    return offer


@contextlib.contextmanager
def _without_matplotlib(folder: Path) -> Iterator[Path]:
    """This process's import path with its site-packages seen through `folder`: links to every
    entry but matplotlib's. A render child started meanwhile is given that path."""
    site = Path(sysconfig.get_paths()["purelib"])
    view = folder / "site-packages"
    view.mkdir()
    for entry in site.iterdir():
        if entry.name.split("-")[0].split(".")[0] not in MATPLOTLIB:
            (view / entry.name).symlink_to(entry)
    before = list(sys.path)
    sys.path[:] = [str(view) if Path(p) == site else p for p in sys.path]
    try:
        yield view
    finally:
        sys.path[:] = before


if __name__ == "__main__":
    sys.exit(run_alone(formulas_screens))
