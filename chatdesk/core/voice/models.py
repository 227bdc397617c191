"""The local engine's Whisper models on this computer: listed, downloaded when the user asks,
removed.

A model is a folder in CTranslate2's form (`model.bin`, `config.json`, the tokenizer and the
vocabulary), as faster-whisper loads it. Downloads come from the model hub (or the mirror named
by `CHATDESK_MODEL_HUB`): the hub's file list gives each file's size and checksum (SHA-256 for
the large files, the git blob hash for the small ones), every file is checked against it, and a
broken download resumes where it stopped (an HTTP Range request on the `.part` file kept).
Nothing is downloaded unless asked; `[voice] stt_model` may also name a folder the user holds.
"""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import json
import os
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chatdesk.core.i18n import mark, tr
from chatdesk.core.voice.audio import VoiceError

HUB = "https://huggingface.co"
HUB_VARIABLE = "CHATDESK_MODEL_HUB"
DEFAULT_MODEL = "base"
_READY = "chatdesk-model.json"  # written last: a folder without it is an unfinished download
_CHUNK = 1 << 16
_TIMEOUT = 30.0

Progress = Callable[[int, int], None]  # bytes so far, bytes in all


@dataclass(frozen=True)
class KnownModel:
    name: str
    repository: str
    megabytes: int  # about, as the hub has it; the exact size comes with the download
    note: str


KNOWN = {
    model.name: model
    for model in (
        KnownModel("tiny", "Systran/faster-whisper-tiny", 75, mark("fastest, least accurate")),
        KnownModel("tiny.en", "Systran/faster-whisper-tiny.en", 75, mark("English only")),
        KnownModel("base", "Systran/faster-whisper-base", 145, mark("a good first choice")),
        KnownModel("base.en", "Systran/faster-whisper-base.en", 145, mark("English only")),
        KnownModel("small", "Systran/faster-whisper-small", 484, mark("more accurate, slower")),
        KnownModel("small.en", "Systran/faster-whisper-small.en", 484, mark("English only")),
    )
}


@dataclass(frozen=True)
class HubFile:
    path: str
    size: int
    sha256: str | None  # large files
    git_sha1: str | None  # small files: the git blob hash


@dataclass(frozen=True)
class LocalModel:
    name: str
    path: Path
    size: int  # bytes on disk


def is_model_folder(path: Path) -> bool:
    return (path / "model.bin").is_file() and (path / "config.json").is_file()


class ModelStore:
    """The models folder (`models` under chatdesk's data folder, `voice-models`)."""

    def __init__(self, root: Path, hub: str | None = None) -> None:
        self.root = root
        self.hub = (hub or os.environ.get(HUB_VARIABLE) or HUB).rstrip("/")

    def installed(self) -> list[LocalModel]:
        if not self.root.is_dir():
            return []
        found = []
        for folder in sorted(self.root.iterdir()):
            if (folder / _READY).is_file() and is_model_folder(folder):
                size = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
                found.append(LocalModel(folder.name, folder, size))
        return found

    def resolve(self, setting: str) -> Path:
        """The folder of the model `setting` names: a downloaded model's name, or a folder."""
        name = setting or DEFAULT_MODEL
        if any(sep in name for sep in ("/", "\\", "~")):
            folder = Path(name).expanduser()
            if is_model_folder(folder):
                return folder
            raise VoiceError(
                tr(
                    "{folder} holds no Whisper model in CTranslate2's form (model.bin and "
                    "config.json). Point [voice] stt_model at such a folder, or at a model's "
                    "name.",
                    folder=str(folder),
                )
            )
        folder = self.root / name
        if (folder / _READY).is_file() and is_model_folder(folder):
            return folder
        known = KNOWN.get(name)
        size = tr(" (about {n} MB)", n=known.megabytes) if known else ""
        raise VoiceError(
            tr(
                "The local speech model {name} is not on this computer. Download it{size} with "
                "`chatdesk voice models --download {name}`, or choose a provider that "
                "transcribes in Preferences ▸ Voice.",
                name=name,
                size=size,
            )
        )

    def remove(self, name: str) -> None:
        folder = self.root / name
        if name in ("", ".", "..") or not folder.is_dir() or folder.parent != self.root:
            raise VoiceError(tr("There is no downloaded model named {name}.", name=name))
        shutil.rmtree(folder)

    async def files(self, name: str) -> list[HubFile]:
        """What downloading `name` fetches, with sizes and checksums, as the hub lists them."""
        known = _known(name)
        url = f"{self.hub}/api/models/{known.repository}/tree/main"
        return await asyncio.to_thread(_listing, url)

    async def download(self, name: str, files: list[HubFile], progress: Progress) -> Path:
        """Fetch `files` of `name` into its folder, resuming what an earlier try left, each
        checked; `progress` is called on the event loop. Cancelling stops between chunks."""
        known = _known(name)
        folder = self.root / name
        loop = asyncio.get_running_loop()
        stop = threading.Event()

        def report(done: int, total: int) -> None:
            loop.call_soon_threadsafe(progress, done, total)

        base = f"{self.hub}/{known.repository}/resolve/main"
        try:
            await asyncio.to_thread(_fetch_all, base, folder, files, report, stop)
        except asyncio.CancelledError:
            stop.set()
            raise
        return folder


def _known(name: str) -> KnownModel:
    known = KNOWN.get(name)
    if known is None:
        raise VoiceError(
            tr("There is no model named {name}; known: {known}.", name=name, known=", ".join(KNOWN))
        )
    return known


def _open(request: urllib.request.Request | str) -> object:
    try:
        return urllib.request.urlopen(request, timeout=_TIMEOUT)
    except urllib.error.HTTPError as error:
        raise VoiceError(
            tr("The model hub refused the download (HTTP {status}).", status=error.code)
        ) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise VoiceError(
            tr(
                "Could not reach the model hub: {reason}. Check the connection and try again.",
                reason=reason,
            )
        ) from None


def _listing(url: str) -> list[HubFile]:
    with _open(url) as reply:  # type: ignore[attr-defined]
        entries = json.loads(reply.read())
    files = []
    for entry in entries if isinstance(entries, list) else ():
        path = entry.get("path", "")
        if entry.get("type") != "file" or path.startswith(".") or path.endswith(".md"):
            continue
        lfs = entry.get("lfs") or {}
        files.append(
            HubFile(path, int(entry["size"]), lfs.get("oid"), None if lfs else entry.get("oid"))
        )
    if not any(f.path == "model.bin" for f in files):
        raise VoiceError(tr("The model hub lists no model.bin for this model."))
    return files


def _fetch_all(
    base: str, folder: Path, files: list[HubFile], report: Progress, stop: threading.Event
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    total = sum(f.size for f in files)
    done = 0
    for file in files:
        target = folder / file.path
        if not (target.is_file() and _matches(target, file)):
            _fetch(f"{base}/{file.path}", target, file, _offset(report, done, total), stop)
        done += file.size
        report(done, total)
    (folder / _READY).write_text(json.dumps({"files": [f.path for f in files]}), "utf-8")


def _offset(report: Progress, before: int, total: int) -> Progress:
    def step(have: int, size: int) -> None:
        report(before + have, total)

    return step


def _fetch(url: str, target: Path, file: HubFile, report: Progress, stop: threading.Event) -> None:
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.is_file() else 0
    if have > file.size:
        part.unlink()
        have = 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    with _open(request) as reply, part.open("ab" if have else "wb") as out:  # type: ignore[attr-defined]
        if have and reply.status != 206:  # the server sent it all again
            out.truncate(0)
            have = 0
        try:
            while chunk := reply.read(_CHUNK):
                if stop.is_set():
                    raise InterruptedError
                out.write(chunk)
                have += len(chunk)
                report(have, file.size)
        except (http.client.HTTPException, OSError):
            raise _broke_off(file) from None
    if have < file.size:  # the connection closed early
        raise _broke_off(file)
    if not _matches(part, file):
        part.unlink()
        raise VoiceError(
            tr(
                "{file} arrived damaged (its checksum does not match); download it again.",
                file=file.path,
            )
        )
    part.replace(target)


def _broke_off(file: HubFile) -> VoiceError:
    return VoiceError(
        tr(
            "The download of {file} broke off. Run it again: it goes on from where it stopped.",
            file=file.path,
        )
    )


def _matches(path: Path, file: HubFile) -> bool:
    if path.stat().st_size != file.size:
        return False
    if file.sha256:
        digest = hashlib.sha256()
    elif file.git_sha1:
        digest = hashlib.sha1(f"blob {file.size}\0".encode(), usedforsecurity=False)
    else:
        return False  # nothing to check it against: never taken as whole
    with path.open("rb") as data:
        while chunk := data.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest() == (file.sha256 or file.git_sha1)
