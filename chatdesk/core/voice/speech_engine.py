"""A speech program (espeak-ng, `say`) run as a child process on a worker thread, fed the text on
its standard input, stopped when it hangs or its sentence is no longer wanted."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Sequence

from chatdesk.core.i18n import tr
from chatdesk.core.voice.speech_protocol import RENDER_TIMEOUT, SpeechFailed


async def run_engine(argv: Sequence[str], text: str, limit: float = RENDER_TIMEOUT) -> bytes:
    """What a speech program writes to its standard output, given `text` on its input. It is
    started and waited on in a thread (any event loop, any system: starting a program can take
    tens of milliseconds on a busy machine, which the loop would stand still for); one that
    hangs past `limit` seconds, or whose reading is cancelled, is killed."""
    engine = os.path.basename(argv[0])
    child = _Child()
    try:
        returncode, out, err = await asyncio.to_thread(child.run, argv, text.encode(), limit)
    except subprocess.TimeoutExpired:
        raise SpeechFailed(
            tr(
                "{engine} did not answer within {seconds} seconds and was stopped.",
                engine=engine,
                seconds=round(limit),
            )
        ) from None
    except BaseException:
        child.kill()  # Stop: the sentence is not wanted any more (the thread reaps it)
        raise
    if returncode != 0:
        said = err.decode(errors="replace").strip()[:300] or tr("no reason given")
        raise SpeechFailed(
            tr(
                "{engine} could not read the text aloud ({reason}).",
                engine=engine,
                reason=said,
            )
        )
    return out


class _Child:
    """A speech program run on a worker thread, which `kill()` ends from any thread: before it
    has started too (it is then ended as soon as it starts, so a Stop never leaves a program
    reading a sentence no longer wanted)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._unwanted = False

    def run(self, argv: Sequence[str], data: bytes, limit: float) -> tuple[int, bytes, bytes]:
        process = _start(argv)
        with self._lock:
            self._process = process
            unwanted = self._unwanted
        if unwanted:
            process.kill()
        try:
            out, err = process.communicate(data, limit)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
        return process.returncode, out, err

    def kill(self) -> None:
        with self._lock:
            self._unwanted = True
            process = self._process
        if process is not None:
            process.kill()


def _start(argv: Sequence[str]) -> subprocess.Popen[bytes]:
    if sys.platform == "win32":
        flags = subprocess.CREATE_NO_WINDOW  # no console window flashing up per sentence
    else:
        flags = 0
    return subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        creationflags=flags,
    )
