"""What a file to import is, and its threads one at a time.

Recognised: a chatdesk archive (zip with `manifest.json`), a chatdesk thread (`.json`), a
ChatGPT data export (the zip as downloaded, with `conversations.json` or the newer
`conversations-000.json`, `-001` … parts, at its top or in one folder), or ChatGPT's JSON on
its own (the array, `{"conversations": [...]}`, or a single conversation). A ChatGPT export
is read as a stream (jsonstream.py); everything else one thread at a time.

`entries()` runs on a worker thread. It yields threads ready to write and problems (a
conversation that cannot be imported and why); it never raises for one bad entry.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol

from chatdesk.core.attach.model import Read
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.store.records import BadRecord
from chatdesk.core.transfer import chatgpt, native
from chatdesk.core.transfer.archive import MANIFEST, read_manifest
from chatdesk.core.transfer.chatgpt import Assets, Malformed
from chatdesk.core.transfer.jsonstream import ArrayReader, Damaged, NotAnArray
from chatdesk.core.transfer.tree import BrokenTree
from chatdesk.core.transfer.writing import ImportedThread, Row
from chatdesk.core.trust.files import open_regular

_PARTS = re.compile(r"conversations(?:-\d+)?\.json")
_ASSET = re.compile(r"(file[-_][A-Za-z0-9]+)")
_PEEK = 64 * 1024
# What a bad entry can raise while it is read; anything else is a bug and propagates.
ENTRY_ERRORS = (Malformed, BadRecord, BrokenTree, KeyError, TypeError, ValueError, RecursionError)


@dataclass(frozen=True)
class Problem:
    where: str
    reason: str


@dataclass(frozen=True)
class Projects:
    """Projects to store before any thread (an archive keeps projects without threads too)."""

    rows: list[Row]


@dataclass(frozen=True)
class Remembered:
    """The memories an export was written with (only when asked for), as a memories file
    lists them: kept once the threads are (memory/service.py `import_entries`)."""

    entries: list[Any]


Entry = ImportedThread | Problem | Projects | Remembered


class Source(Protocol):
    kind: str  # "chatgpt" | "chatdesk"
    total: int  # bytes to read, for progress

    def position(self) -> int: ...

    def entries(self) -> Iterator[Entry]: ...

    def close(self) -> None: ...


# An image of a ChatGPT export read into what chatdesk keeps (None: it could not be read).
ImageReader = Callable[[str, bytes], Read | None]
MAX_IMAGE_BYTES = 50 * 1024 * 1024  # an export's image file larger than this stays a placeholder


def open_source(path: Path, images: ImageReader | None = None) -> Source:
    """The export at `path`; `images` keeps the images a ChatGPT export holds (without it,
    they stay placeholders naming the file)."""
    try:
        with open_regular(path):  # a FIFO or a device is refused at once, not read forever
            pass
        if zipfile.is_zipfile(path):
            return _zip_source(path, images)
        return _json_source(path)
    except OSError as error:
        raise InvalidRequest(
            tr("cannot read {path}: {reason}", path=path, reason=error.strerror or error)
        ) from None


def _zip_source(path: Path, images: ImageReader | None) -> Source:
    archive = zipfile.ZipFile(path)
    try:
        names = archive.namelist()
        if MANIFEST in names:
            return _NativeArchive(archive)
        parts = _conversation_files(names)
        if not parts:
            raise InvalidRequest(
                tr(
                    "{name} is neither a chatdesk archive nor a ChatGPT export (it has "
                    "no conversations.json)",
                    name=path.name,
                )
            )
        members = [
            (name, _zip_opener(archive, name), archive.getinfo(name).file_size) for name in parts
        ]
        return _ChatGPTStream(members, _assets(archive, names, images), archive.close)
    except BaseException:
        archive.close()
        raise


def _json_source(path: Path) -> Source:
    with open(path, "rb") as handle:
        head = handle.read(_PEEK).decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    size = path.stat().st_size

    def opener() -> IO[bytes]:
        return path.open("rb")

    if head.startswith("[") or re.match(r'\{\s*"conversations"\s*:', head):
        return _ChatGPTStream([(path.name, opener, size)], Assets(), lambda: None)
    if not head.startswith("{"):
        raise InvalidRequest(
            tr("{name} is not a chatdesk or ChatGPT export (not JSON)", name=path.name)
        )
    try:
        with open(path, encoding="utf-8-sig") as text:
            document = json.load(text)
    except (ValueError, RecursionError) as error:
        raise InvalidRequest(
            tr("{name} is not valid JSON: {error}", name=path.name, error=error)
        ) from None
    if native.is_thread_document(document):
        return _Single("chatdesk", document, size, native.read_thread, native.memories_in)
    if isinstance(document, dict) and "mapping" in document:
        return _Single("chatgpt", document, size, chatgpt.convert)
    raise InvalidRequest(
        tr("{name} is not a chatdesk thread or a ChatGPT conversation", name=path.name)
    )


def _conversation_files(names: list[str]) -> list[str]:
    """The conversation files of a ChatGPT export: the shallowest folder that has any."""
    found = [n for n in names if _PARTS.fullmatch(PurePosixPath(n).name)]
    if not found:
        return []
    depth = min(n.count("/") for n in found)
    shallow = sorted(n for n in found if n.count("/") == depth)
    whole = [n for n in shallow if PurePosixPath(n).name == "conversations.json"]
    return whole or shallow  # the whole file when there is one, else its numbered parts


def _assets(archive: zipfile.ZipFile, names: list[str], images: ImageReader | None) -> Assets:
    files: dict[str, str] = {}
    paths: dict[str, str] = {}
    for name in names:
        base = PurePosixPath(name).name
        match = _ASSET.match(base)
        if match is not None and not name.endswith("/"):
            files.setdefault(match.group(1), base)
            paths.setdefault(match.group(1), name)
    if images is None:
        return Assets(files)

    def image(asset: str) -> Read | None:
        """The export's file for `asset`, read up to MAX_IMAGE_BYTES (counted as unpacked)
        and made safe by the reading child."""
        try:
            with archive.open(paths[asset]) as member:
                data = member.read(MAX_IMAGE_BYTES + 1)
        except (KeyError, OSError, zipfile.BadZipFile, ValueError, EOFError):
            return None
        if not data or len(data) > MAX_IMAGE_BYTES:
            return None
        return images(files[asset], data)

    return Assets(files, image)


def _zip_opener(archive: zipfile.ZipFile, name: str) -> Callable[[], IO[bytes]]:
    return lambda: archive.open(name)


class _ChatGPTStream:
    kind = "chatgpt"

    def __init__(
        self,
        members: list[tuple[str, Callable[[], IO[bytes]], int]],
        assets: Assets,
        close: Callable[[], None],
    ) -> None:
        self._members = members
        self._assets = assets
        self._close = close
        self.total = sum(size for _, _, size in members)
        self._done = 0
        self._open: tuple[IO[bytes], ArrayReader, int] | None = None

    def position(self) -> int:
        """Bytes of the conversations handed out so far (near enough: it counts characters
        still buffered as bytes)."""
        if self._open is None:
            return self._done
        binary, reader, size = self._open
        read = size if binary.closed else binary.tell()
        return self._done + max(0, min(size, read - reader.pending))

    def entries(self) -> Iterator[Entry]:
        for name, opener, size in self._members:
            where = f"{name}, " if len(self._members) > 1 else ""
            with opener() as binary:
                text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace")
                reader = ArrayReader(text)
                self._open = (binary, reader, size)
                yield from self._conversations(reader, where, name)
            self._open = None
            self._done += size

    def _conversations(self, reader: ArrayReader, where: str, name: str) -> Iterator[Entry]:
        try:
            for element in reader:
                try:
                    yield chatgpt.convert(element.value, self._assets)
                except ENTRY_ERRORS as error:
                    number = tr("conversation {number}", number=element.index + 1)
                    label = f"{where}{number}{_title(element.value)}"
                    yield Problem(label, _reason(error))
        except NotAnArray:
            yield Problem(name, tr("it is not a list of ChatGPT conversations"))
        except Damaged as damage:
            where = where + tr("conversation {number}", number=damage.index + 1)
            said = tr("{reason}; the conversations after it were not read", reason=damage.reason)
            yield Problem(where, said)

    def close(self) -> None:
        self._close()


class _NativeArchive:
    kind = "chatdesk"

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive
        self._manifest = read_manifest(archive)
        sizes = {info.filename: info.file_size for info in archive.infolist()}
        self.total = sum(sizes.get(name, 0) for name in self._manifest.files)
        self._sizes = sizes
        self._done = 0

    def position(self) -> int:
        return self._done

    def entries(self) -> Iterator[Entry]:
        yield Projects(self._manifest.projects)
        if self._manifest.memories:
            yield Remembered(self._manifest.memories)
        for name in self._manifest.files:
            try:
                with self._archive.open(name) as handle:
                    yield native.read_thread(json.load(handle))
            except (*ENTRY_ERRORS, KeyError, zipfile.BadZipFile) as error:
                yield Problem(name, _reason(error))
            self._done += self._sizes.get(name, 0)

    def close(self) -> None:
        self._archive.close()


class _Single:
    """A file that holds one thread, already read."""

    def __init__(
        self,
        kind: str,
        document: Any,
        size: int,
        convert: Callable[[Any], ImportedThread],
        remembered: Callable[[Any], list[Any]] | None = None,
    ) -> None:
        self.kind = kind
        self.total = size
        self._document = document
        self._convert = convert
        self._remembered = remembered  # the memories it holds (a chatdesk thread's)
        self._done = 0

    def position(self) -> int:
        return self._done

    def entries(self) -> Iterator[Entry]:
        try:
            yield self._convert(self._document)
        except ENTRY_ERRORS as error:
            label = _title(self._document).strip(" ()") or tr("the thread")
            yield Problem(label, _reason(error))
        try:
            memories = self._remembered(self._document) if self._remembered else []
        except BadRecord as error:
            yield Problem(tr("the memories"), _reason(error))
        else:
            if memories:
                yield Remembered(memories)
        self._done = self.total

    def close(self) -> None:
        pass


def _title(value: Any) -> str:
    title = value.get("title") if isinstance(value, dict) else None
    if isinstance(title, str) and title.strip():
        return f" ({' '.join(title.split())[:80]!r})"
    return ""


def _reason(error: BaseException) -> str:
    if isinstance(error, RecursionError):
        return tr("it is nested too deeply")
    if isinstance(error, KeyError):
        return tr("it lacks {key}", key=error)
    return str(error) or type(error).__name__
