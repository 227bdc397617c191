"""Formulas without the `formulas` extra (decision 0075): a Python whose import path lacks
matplotlib — this environment's site-packages as links, matplotlib's left out — runs the render
worker, whose child gets that path. Its formulas show as their TeX source and the render says
they are missing; then matplotlib is linked in, as pip would put it there while chatdesk runs,
the worker is told, and the next render draws them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

ROOT = Path(__file__).resolve().parents[3]
MATPLOTLIB = ("matplotlib", "mpl_toolkits", "pylab")

SCRIPT = r"""
import asyncio, importlib.util, json, os, sys
from pathlib import Path
from chatdesk.core.render.worker import RenderWorker

TEXT = "Euler: $e^{i\\pi} + 1 = 0$ and $$\\int_0^1 x\\,dx$$"

async def main():
    worker = RenderWorker(timeout=30.0)
    try:
        before = await worker.render(TEXT)
        hidden = importlib.util.find_spec("matplotlib") is None
        for name in os.environ["CHATDESK_TEST_LINK"].split(os.pathsep):
            (Path(sys.argv[1]) / Path(name).name).symlink_to(name)  # as pip puts it there
        worker.extra_installed("formulas")
        after = await worker.render(TEXT)
    finally:
        await worker.aclose()
    for name, rendered in (("before", before), ("after", after)):
        print(json.dumps({
            "when": name, "html": rendered.html, "images": len(rendered.images),
            "missing": rendered.formulas_missing, "plain": rendered.plain,
            "complete": rendered.complete, "hidden": hidden,
        }))

asyncio.run(main())
"""


@pytest.mark.skipif(sys.platform == "win32", reason="links to the packages need privileges there")
def test_formulas_show_as_source_without_matplotlib_and_are_drawn_once_it_is_there(
    tmp_path: Path,
) -> None:
    view = tmp_path / "site-view"
    view.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    held_back = []
    for entry in site.iterdir():
        if "__editable__" in entry.name or entry.name.startswith("_editable_impl_chatdesk"):
            continue  # chatdesk comes from the checkout, first on the path
        if entry.name.split("-")[0].split(".")[0] in MATPLOTLIB:
            if not entry.name.endswith(".dist-info"):
                held_back.append(str(entry))
            continue
        (view / entry.name).symlink_to(entry)
    assert held_back, "this environment has no matplotlib (the dev extra brings it)"
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(view)]),
        "CHATDESK_TEST_LINK": os.pathsep.join(held_back),
        "MPLCONFIGDIR": os.environ.get("MPLCONFIGDIR", str(tmp_path / "mpl")),
    }
    done = subprocess.run(
        [sys.executable, "-S", "-c", SCRIPT, str(view)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    before, after = (json.loads(line) for line in done.stdout.splitlines()[-2:])
    assert before["hidden"]
    assert not before["plain"], "the message is formatted; only its formulas are not drawn"
    assert before["missing"]
    assert not before["complete"]
    assert before["images"] == 0
    assert "<code>e^{i\\pi} + 1 = 0</code>" in before["html"]  # the text, every character
    assert "\\int_0^1 x\\,dx" in before["html"]
    assert "Euler:" in before["html"]
    assert not after["missing"]
    assert after["complete"]
    assert after["images"] == 2
    assert "<img" in after["html"]
    assert "<code>" not in after["html"]
