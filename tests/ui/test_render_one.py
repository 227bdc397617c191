"""`python -m chatdesk.ui.render_one`: one message through the window's whole rendering path,
run as a separate program the way a check of hostile output runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _render_one(
    tmp_path: Path, payload: str, *args: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path / "rendered.html"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CHATDESK_RENDER_HTML_OUT": str(out)}
    done = subprocess.run(
        [sys.executable, "-m", "chatdesk.ui.render_one", *args],
        input=payload,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    return done, out


def test_a_hostile_message_is_rendered_and_timed(tmp_path: Path) -> None:
    markdown = (
        "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "A formula $x^2$, a NUL \u0000 and a lone surrogate \ud800 here.\n\n"
        "```python\nprint('hi')\n```\n\n"
        "![remote](https://example.com/a.png) [file](file:///etc/passwd)\n"
    )
    # json.dumps escapes the NUL and the surrogate: json.loads gives them back as they were.
    done, out = _render_one(
        tmp_path, json.dumps({"id": "m1", "markdown": markdown}), "--width", "600"
    )
    assert done.returncode == 0, done.stderr
    timing = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(timing["render_s"], float)
    assert timing["render_s"] > 0
    html = out.read_text(encoding="utf-8", errors="surrogatepass")
    assert "<table" in html
    assert 'src="math:' in html  # the formula drawn by the math library
    assert "print" in html
    assert "\x00" not in html
    assert 'href="file:' not in html  # shown, never a link
    assert 'src="https:' not in html  # a remote image waits for "Load images"
    assert "Load images" in html


def test_a_message_too_big_to_format_is_shown_plain(tmp_path: Path) -> None:
    done, out = _render_one(tmp_path, json.dumps({"id": "big", "markdown": "x" * 300_000}))
    assert done.returncode == 0, done.stderr
    assert "too long to format" in out.read_text(encoding="utf-8")


def test_input_that_is_not_a_message_is_refused(tmp_path: Path) -> None:
    done, out = _render_one(tmp_path, "[1, 2]")
    assert done.returncode == 2
    assert '"markdown"' in done.stderr
    assert not out.exists()
