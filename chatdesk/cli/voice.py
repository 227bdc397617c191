"""`chatdesk transcribe FILE`, `chatdesk voice models`, `chatdesk voice install` and what
`ask --voice-in FILE` hears.

Where the audio goes is said on stderr before it goes: "on this computer" for the local engine,
or the provider's name.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from chatdesk.app import Core
from chatdesk.cli.extras import install_extra
from chatdesk.cli.output import note, print_json, warn
from chatdesk.cli.running import sync
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import number, tr

if TYPE_CHECKING:  # voice is imported when a voice command runs, not by every command
    from chatdesk.core.voice.models import LocalModel
    from chatdesk.core.voice.transcribe import Transcript


def add_commands(commands: Any) -> None:
    transcribe = commands.add_parser(
        "transcribe",
        help=tr("turn the speech in an audio file (WAV, MP3, M4A, OGG, FLAC, WebM) into text"),
    )
    transcribe.add_argument("file", help=tr("the audio file"))
    transcribe.add_argument(
        "--provider",
        metavar="P",
        help=tr("'local', or the provider profile that transcribes (default: [voice] settings)"),
    )
    transcribe.add_argument("--model", metavar="M", help=tr("the transcription model"))
    transcribe.add_argument(
        "--language", metavar="CODE", help=tr("the speech's language (e.g. en); default: detected")
    )
    transcribe.add_argument("--json", action="store_true", help=tr("print one JSON object"))
    transcribe.set_defaults(handler=sync(_transcribe))

    voice = commands.add_parser(
        "voice", help=tr("voice: the local speech models and what runs them")
    )
    voice_commands = voice.add_subparsers(dest="voice_command", metavar="COMMAND", required=True)
    models = voice_commands.add_parser("models", help=tr("list, download or remove local models"))
    which = models.add_mutually_exclusive_group()
    which.add_argument("--download", metavar="NAME", help=tr("download a model"))
    which.add_argument("--remove", metavar="NAME", help=tr("remove a downloaded model"))
    models.add_argument("--json", action="store_true", help=tr("print one JSON object"))
    models.set_defaults(handler=sync(_models))
    install = voice_commands.add_parser(
        "install",
        help=tr("install what speech to text on this computer or audio files need (with pip)"),
    )
    install.add_argument(  # the names are the service's to check: voice is not imported here
        "runtime",
        nargs="?",
        help=tr(
            "local-speech (speech to text on this computer; the default) or audio-files (MP3, "
            "M4A, OGG, FLAC and WebM files)"
        ),
    )
    install.set_defaults(handler=sync(_install))


def add_ask_argument(ask: argparse.ArgumentParser) -> None:
    ask.add_argument(
        "--voice-in",
        metavar="FILE",
        help=tr("the message is the speech in this audio file, transcribed as [voice] says"),
    )


async def transcribed(
    core: Core, file: str, provider: str | None, model: str | None, language: str | None
) -> Transcript:
    """The text of `file`, with where it went said on stderr first and notes after."""
    engine = core.voice.engine(provider, model)
    note(tr("Transcribing {file} ({where})…", file=file, where=engine.where))
    transcript = await core.voice.transcribe_file(
        file, provider=provider, model=model, language=language
    )
    for text in transcript.notes:
        warn(text)
    return transcript


async def spoken_message(core: Core, args: argparse.Namespace) -> str:
    """`ask --voice-in FILE`: the message heard in the file, as the settings transcribe it."""
    text = (await transcribed(core, args.voice_in, None, None, None)).text
    if not args.json:
        note(tr("Heard: {text}", text=text))
    return text


async def _transcribe(core: Core, args: argparse.Namespace) -> int:
    transcript = await transcribed(core, args.file, args.provider, args.model, args.language)
    if args.json:
        print_json(
            {
                "text": transcript.text,
                "engine": transcript.engine,
                "model": transcript.model,
                "audio_seconds": round(transcript.audio_seconds, 3),
                "seconds": round(transcript.seconds, 3),
                "notes": list(transcript.notes),
            }
        )
    else:
        print(transcript.text)
    return 0


async def _models(core: Core, args: argparse.Namespace) -> int:
    store = core.voice.models
    if args.download:
        files = await store.files(args.download)
        total = sum(file.size for file in files)
        note(tr("Downloading {name} ({size} MB)…", name=args.download, size=_mb(total)))
        shown = [-1]

        def progress(done: int, whole: int) -> None:
            percent = done * 100 // max(whole, 1)
            if percent != shown[0] and sys.stderr.isatty():
                shown[0] = percent
                print(f"\r{percent:3d} %", end="", file=sys.stderr, flush=True)

        folder = await store.download(args.download, files, progress)
        if sys.stderr.isatty():
            print(file=sys.stderr)
        note(tr("{name} is ready, checked, in {folder}.", name=args.download, folder=str(folder)))
        _say_missing_engine(core)
        return 0
    if args.remove:
        store.remove(args.remove)
        note(tr("{name} was removed.", name=args.remove))
        return 0
    _say_missing_engine(core)
    return _list(store.installed(), args.json)


async def _install(core: Core, args: argparse.Namespace) -> int:
    """Install a runtime of voice with pip, as `chatdesk install NAME` does."""
    from chatdesk.core.extras import LOCAL_SPEECH

    return await install_extra(core, args.runtime or LOCAL_SPEECH)


def _say_missing_engine(core: Core) -> None:
    """A note when the models are there but the engine that runs them is not."""
    from chatdesk.core.extras import LOCAL_SPEECH

    state = core.extras.state(LOCAL_SPEECH)
    if not state.present:
        note(
            tr(
                "Speech to text on this computer is not installed: `chatdesk voice install` "
                "({offer})",
                offer=state.offer(),
            )
        )


def _list(installed: list[LocalModel], as_json: bool) -> int:
    from chatdesk.core.voice.models import KNOWN

    have = {model.name: model for model in installed}
    if as_json:
        print_json(
            [
                {
                    "name": name,
                    "downloaded": name in have,
                    "bytes": have[name].size if name in have else None,
                    "about_mb": known.megabytes,
                }
                for name, known in KNOWN.items()
            ]
        )
        return 0
    for name, known in KNOWN.items():
        if name in have:
            state = tr("downloaded, {size} MB", size=_mb(have[name].size))
        else:
            state = tr("about {size} MB, not downloaded", size=known.megabytes)
        print(f"{name:<10} {state} · {tr(known.note)}")
    return 0


def _mb(size: int) -> str:
    return number(size / 1_000_000)


def check_voice_in(args: argparse.Namespace) -> None:
    """`ask` takes its text or `--voice-in`, not both."""
    if args.voice_in and args.text not in (None, ""):
        raise InvalidRequest(tr("Give the message as text or as --voice-in FILE, not both."))
    if not args.voice_in and args.text is None:
        raise InvalidRequest(tr("Give the message as text (or '-' for stdin), or --voice-in FILE."))
