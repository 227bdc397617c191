"""The conversation's text size as a screen reader reads it: chatdesk's real window in a
default X11 session (Xvfb, no desktop's settings), read from outside through the accessibility
bus (AT-SPI2) with its screen reader's switch on, as Orca reads it (tests/ui/atspi_read.py,
decision 0098). The thread was asked from the command line, answered by the built-in mock
model; the window opens it. What is read must be the conversation's own text (the question,
the answer's words, formatted) and the composer's, at the size a bare Qt program is given in
the same session: the platform's, which the controls keep. The conversation reads at 11 pt or
more (about 15 px at 96 dpi), larger than the controls. The rest of the suite runs offscreen,
where Qt has no accessibility bus."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.desktop_parts import skip_module_without

if sys.platform != "linux":
    pytest.skip("AT-SPI is Linux's accessibility bus", allow_module_level=True)
skip_module_without(("Xvfb", "dbus-daemon"))

from tests.ui.atspi_read import (  # noqa: E402  (jeepney: Linux only)
    COMPOSER,
    HANG,
    Shown,
    accessible_desktop,
    asked,
    read_conversation,
    window,
)

QUESTION = "What is a paragraph?"
READING_POINTS = 11  # about 15 px at 96 dpi (11.25 pt), which Qt gives in whole points
PROBE = "Does this read at the platform's size?"
# The size Qt gives a program in this session: its font's, in whole points as Qt's bridge
# reports sizes.
PLATFORM_SIZE = (
    "from PySide6.QtWidgets import QApplication\nprint(QApplication([]).font().pointSize())"
)


class ReadsSmall(AssertionError):
    """The conversation's text reads smaller than the reading size, or no larger than the
    controls'."""


def _sizes(shown: Shown) -> str:
    return "; ".join(f"{points} pt: {said[:40]!r}" for points, said in shown.sized())


def _platform_points(env: dict[str, str]) -> int:
    done = subprocess.run(
        [sys.executable, "-c", PLATFORM_SIZE],
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG,
        check=True,
    )
    return int(done.stdout)


@pytest.mark.slow("a real X server, session and accessibility buses and chatdesk's window")
def test_the_conversation_reads_at_11_points_or_more_through_at_spi(tmp_path: Path) -> None:
    thread, answer = asked(QUESTION, dict(os.environ))
    log = tmp_path / "window.log"
    with accessible_desktop(tmp_path) as (env, reader), window(env, thread, log):

        def said() -> str:
            return log.read_text("utf-8", "replace")[-4000:]

        app = reader.until(lambda: reader.application("chatdesk"), "chatdesk on the bus", said)
        shown = reader.until(
            lambda: read_conversation(reader, app, QUESTION, answer),
            "the question and its answer shown, the answer formatted, and the composer",
            said,
        )
        reader.type_in(shown.composer, PROBE)
        typed = reader.text(shown.composer)
        composer = Shown("text", COMPOSER, typed, reader.runs(shown.composer))
        platform = _platform_points(env)

    read = {"question": shown.question, "answer": shown.answer, "composer": composer}
    report = "\n".join(f"{what}: {_sizes(text)}" for what, text in read.items())
    print(f"read through AT-SPI, the platform's size {platform} pt:\n{report}")
    # What was read is the conversation's text (found by its words) and the words typed into
    # the composer, each run of it with a size
    assert typed == PROBE
    sizes = {what: {points for points, _ in text.sized()} for what, text in read.items()}
    assert all(found and None not in found for found in sizes.values()), report
    # The controls keep the platform's size
    assert sizes["composer"] == {platform}, report

    least = min(sizes["question"] | sizes["answer"])
    if least < READING_POINTS or least <= platform:
        raise ReadsSmall(
            f"the conversation reads at {least} pt at its smallest: {READING_POINTS} pt or more "
            f"wanted, and more than the controls' {platform} pt (Qt's bridge gives a font sized "
            f"in pixels as -1 pt)\n{report}"
        )
