"""`chatdesk speak`: text, or a message of a chat, read aloud as the window reads an answer
(the words, not the markup), played or written to a WAV file; `--voices` lists the voices."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatdesk.cli.output import note, print_json
from chatdesk.cli.running import sync
from chatdesk.core.errors import ChatdeskError, InvalidRequest
from chatdesk.core.i18n import tr

if TYPE_CHECKING:
    from chatdesk.app import Core
    from chatdesk.core.voice.reading import ReadingEvent


def add_commands(commands: Any) -> None:
    speak = commands.add_parser(
        "speak", help=tr("read text or a message aloud, or write it to a WAV file")
    )
    speak.add_argument("text", nargs="?", help=tr("the text (Markdown); '-' reads it from stdin"))
    speak.add_argument("--message", metavar="ID", help=tr("read this message of a chat"))
    speak.add_argument(
        "-o", "--output", metavar="FILE.wav", help=tr("write a WAV file instead of playing")
    )
    speak.add_argument("--voice", metavar="V", help=tr("the voice (default: [voice] tts_voice)"))
    speak.add_argument("--voices", action="store_true", help=tr("list the voices and stop"))
    speak.add_argument("--json", action="store_true", help=tr("with --voices: print JSON"))
    speak.set_defaults(handler=sync(_speak))


async def _speak(core: Core, args: argparse.Namespace) -> int:
    speaking = core.speaking
    if args.voices:
        return await _list_voices(core, args)
    text = await _text(core, args)
    if args.output:
        audio = await speaking.render(text, args.voice)
        target = Path(args.output)
        try:
            await asyncio.to_thread(target.write_bytes, audio.wav())
        except OSError as error:
            raise ChatdeskError(
                tr("Could not write {file}: {reason}", file=target, reason=error.strerror)
            ) from None
        note(
            tr(
                "Wrote {seconds} seconds of speech to {file}.",
                seconds=f"{audio.seconds:.1f}",
                file=target,
            )
        )
        return 0
    return await _play(core, text, args.voice)


async def _text(core: Core, args: argparse.Namespace) -> str:
    if args.message and args.text:
        raise InvalidRequest(tr("Give either a text or --message, not both."))
    if args.message:
        try:
            message_id = uuid.UUID(args.message)
        except ValueError:
            raise InvalidRequest(
                tr(
                    "{id} is not a message id (chatdesk threads show --json lists them).",
                    id=args.message,
                )
            ) from None
        return (await core.service.get_message(message_id)).content
    if args.text is None:
        raise InvalidRequest(tr("Give the text to read, or --message ID, or --voices."))
    return sys.stdin.read() if args.text == "-" else str(args.text)


async def _play(core: Core, text: str, voice: str | None) -> int:
    from chatdesk.core.voice.reading import ReadingFailed

    failures: list[ReadingFailed] = []

    def follow(event: ReadingEvent) -> None:
        if isinstance(event, ReadingFailed):
            failures.append(event)

    said = core.speaking.sentences(text)
    if not said:
        raise InvalidRequest(tr("There is nothing to read aloud: the text has no words."))
    reader = core.speaking.reader(follow, voice=voice)
    reader.start(said)
    await reader.wait()
    if failures:
        raise failures[0].error
    return 0


async def _list_voices(core: Core, args: argparse.Namespace) -> int:
    voices = await core.speaking.voices()
    if args.json:
        print_json([{"id": v.id, "name": v.name, "language": v.language} for v in voices])
        return 0
    for voice in voices:
        language = f"  ({voice.language})" if voice.language not in ("", voice.id) else ""
        print(f"{voice.id:<24} {voice.name}{language}")
    return 0
