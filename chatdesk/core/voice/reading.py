"""Reading aloud: sentences rendered and played as they come, the next one rendered while the
current one plays, all stopped at once by Stop.

`ReadAloud.start(sentences)` takes any sentences, a list or an async stream of them; `stepped`
makes a finished answer's sentences such a stream, worked out a step at a time off the loop as
they are read, so a long answer neither holds the loop nor waits to be read whole; a
`GrowingAnswer` is such a stream for an answer still being written (`grew(text_so_far)` at
each piece that arrives, `ended(text)` at the end), so reading begins with its first complete
sentence. Everything runs on the event loop that started it, and every `ReadingEvent` is
handed to `on_event` there, for a window to follow.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable
from dataclasses import dataclass

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.voice.playback import Output
from chatdesk.core.voice.sound import Sound
from chatdesk.core.voice.speakable import Speakable, sentence_steps
from chatdesk.core.voice.speech_protocol import Speech

log = logging.getLogger("chatdesk.voice")


@dataclass(frozen=True)
class ReadingStarted:
    """Reading began (nothing is heard yet)."""


@dataclass(frozen=True)
class SentenceStarted:
    """The sentence `index` (from 0), `text`, is being heard now."""

    index: int
    text: str


@dataclass(frozen=True)
class ReadingFinished:
    """Reading ended: every sentence was heard, or (`stopped`) Stop ended it."""

    stopped: bool


@dataclass(frozen=True)
class ReadingFailed:
    """Reading ended on a failure the user can act on (no voice, no sound device …)."""

    error: ChatdeskError


ReadingEvent = ReadingStarted | SentenceStarted | ReadingFinished | ReadingFailed
Sentences = Iterable[str] | AsyncIterable[str]


class ReadAloud:
    """One reading at a time: starting another stops the one before."""

    def __init__(
        self, speech: Speech, output: Output, on_event: Callable[[ReadingEvent], None]
    ) -> None:
        self.speech = speech
        self.output = output
        self._on_event = on_event
        self._task: asyncio.Task[None] | None = None

    @property
    def reading(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, sentences: Sentences) -> None:
        """Read `sentences` aloud, in order, from now."""
        self.stop()
        self._task = asyncio.get_running_loop().create_task(self._read(sentences))

    def stop(self) -> None:
        """Silence at once: the sound playing is cut, nothing more is rendered."""
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def wait(self) -> None:
        """Until the current reading has ended, however it ends."""
        if self._task is not None:
            await asyncio.wait([self._task])

    async def _read(self, sentences: Sentences) -> None:
        self._on_event(ReadingStarted())
        ready: asyncio.Queue[tuple[str, Sound] | Exception | None] = asyncio.Queue(1)
        renderer = asyncio.get_running_loop().create_task(self._render(sentences, ready))
        try:
            index = 0
            while (item := await ready.get()) is not None:
                if isinstance(item, Exception):
                    raise item  # a ChatdeskError ends the reading; anything else is a bug
                text, audio = item
                self._on_event(SentenceStarted(index, text))
                await self.output.play(audio)
                index += 1
        except asyncio.CancelledError:
            self._on_event(ReadingFinished(stopped=True))
            raise
        except ChatdeskError as error:
            log.info("reading aloud failed: %s", type(error).__name__)
            self._on_event(ReadingFailed(error))
        else:
            self._on_event(ReadingFinished(stopped=False))
        finally:
            renderer.cancel()
            await asyncio.wait([renderer])

    async def _render(
        self, sentences: Sentences, ready: asyncio.Queue[tuple[str, Sound] | Exception | None]
    ) -> None:
        """Each sentence rendered while the one before plays: the queue holds one ahead. A
        failure goes to the player, which ends the reading with it."""
        try:
            async for text in _each(sentences):
                await ready.put((text, await self.speech.render(text)))
        except Exception as error:
            await ready.put(error)
            return
        await ready.put(None)


async def _each(sentences: Sentences) -> AsyncIterator[str]:
    if isinstance(sentences, AsyncIterable):
        async for text in sentences:
            yield text
    else:
        for text in sentences:
            yield text


async def stepped(text: str, *, read_code: bool = False) -> AsyncIterator[str]:
    """A finished answer's sentences (`sentences(text)`), only as far as they are read, worked
    out a step of bounded size at a time on a worker thread. The loop runs meanwhile: between
    steps, and within one (a block longer than a step is one step) whenever it asks for the
    interpreter, which Python hands over every few ms (`sys.getswitchinterval()`)."""
    steps = sentence_steps(text, read_code=read_code)
    while (done := await asyncio.to_thread(next, steps, None)) is not None:
        for sentence in done:
            yield sentence


class GrowingAnswer:
    """An answer's sentences while it is being written: `grew(text)` with the whole text so far
    each time it grows, `ended(text)` once with the whole answer; iterated (once), it yields
    each sentence as soon as it is complete."""

    def __init__(self, *, read_code: bool = False) -> None:
        self._reader = Speakable(read_code=read_code)
        self._sentences: asyncio.Queue[str | None] = asyncio.Queue()
        self._ended = False

    def grew(self, text: str) -> None:
        if not self._ended:
            for sentence in self._reader.feed(text):
                self._sentences.put_nowait(sentence)

    def ended(self, text: str) -> None:
        if not self._ended:
            self._ended = True
            for sentence in self._reader.finish(text):
                self._sentences.put_nowait(sentence)
            self._sentences.put_nowait(None)

    async def __aiter__(self) -> AsyncIterator[str]:
        while (sentence := await self._sentences.get()) is not None:
            yield sentence
