"""The files a knowledge base holds, listed from the files and folders the user added to it, for
the indexer to compare with what it stored (by size and modification time).

A folder is walked with `os.scandir` from an explicit stack, never by recursion, so no depth
of folders reaches Python's recursion limit; each folder's entries are taken in order of their
names, as a recursive walk would, so progress is predictable. The type of an entry comes from
the listing itself where the system gives it (no stat on Linux and macOS for a file that is not
indexed, and none at all on Windows, whose listing carries sizes and times too).

Trees are not trusted: links to files and to folders are followed, but a folder is entered
once only (known by its device and inode, which `os.stat` gives on Windows too), so a link back
up the tree is reported once rather than walked for ever. Nothing is opened, so a pipe or a
device cannot block the walk. An error never stops it: what cannot be listed or read is
reported as `Skipped` with a reason for the user, and a file deleted while the walk runs is
simply left out.

Patterns (`matches`) are globs, matched without regard to case against the path under the
root written with "/" on every system:

- `*` is any run of characters within one name, `?` one character, `[abc]`, `[a-z]` and
  `[!abc]` one character of (or not of) a set.
- A pattern without "/" matches any one name along the path: `node_modules` matches that
  folder wherever it is, `*.md` a file name anywhere.
- A pattern with "/" matches the path from the root (a leading "/" only says so: `/drafts` is
  the top-level `drafts` folder alone), and `**` there is any number of folders:
  `docs/**/*.md`, `**/notes/*.txt`.
- A pattern that matches a folder matches everything in it; a trailing "/" is ignored.
- `\\` is read as "/" so that Windows paths can be typed as they are shown; a literal
  backslash in a name is matched by `?`.
- A leading "!" excludes: in the include list, `*.md, !drafts` is the Markdown files outside
  any `drafts` folder; in the exclude list it changes nothing.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from chatdesk.core.i18n import mark, tr


@dataclass(frozen=True)
class Found:
    """A regular file to index. `path` is absolute as it was reached (through a link, not
    resolved), which is how the indexer stores it; size and time are the file's, a link's
    target's when it was reached through a link."""

    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Skipped:
    """Something the user added, or found under it, that is not indexed, and why (a sentence
    fragment for the user: "it cannot be read (Permission denied)")."""

    path: str
    reason: str


DEFAULT_EXCLUDE: tuple[str, ...] = (
    # version control and tools' own folders: never the user's documents, often huge
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "__pycache__",
    ".venv",
    # files that are half-written or only there while a document is open
    "*.tmp",
    "~$*",  # Microsoft Office's lock file beside an open document (`~$report.docx`)
    ".~lock.*#",  # LibreOffice's
    # what the systems leave in folders and at the top of drives
    ".DS_Store",
    "._*",  # macOS's AppleDouble files on volumes that are not its own
    ".Trashes",
    ".Spotlight-V100",
    ".fseventsd",
    "Thumbs.db",
    "desktop.ini",
    "$RECYCLE.BIN",
    "System Volume Information",  # a drive's root on Windows: exists, can never be listed
)
"""Excluded in every folder, whatever the user's own patterns say."""

INDEXED_SUFFIXES: frozenset[str] = frozenset(
    {
        # prose and markup
        *(".txt", ".md", ".markdown", ".rst", ".org", ".adoc", ".tex", ".html", ".htm"),
        # documents the reading child can extract (PDF, Office Open XML, OpenDocument)
        *(".pdf", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"),
        # data and configuration as text
        *(".csv", ".tsv", ".json", ".log", ".xml", ".yaml", ".yml", ".toml", ".ini"),
        # source code
        *(".py", ".js", ".ts", ".java", ".c", ".h", ".cpp", ".go", ".rs", ".rb", ".sh"),
    }
)
"""The suffixes indexed when the user gave no include pattern: the formats the reading child
extracts text from, and text formats people keep notes, documents and code in. Not the old
binary Office formats (.doc, .xls, .ppt), which are not extracted."""

NOT_FOUND = mark("it does not exist")
BROKEN_LINK = mark("a link to something that does not exist")
LINK_CIRCLE = mark("a link that leads round to itself")
LOOP = mark("a link back into a folder already listed (a loop)")
TWICE = mark("a second way into a folder already listed under another path")
NOT_REGULAR = mark("not a regular file (a pipe, a socket or a device), so it is not read")
BAD_NAME = mark("its name is not valid Unicode, so it cannot be stored: rename it to index it")
BAD_FOLDER_NAME = mark(
    "its name is not valid Unicode, so nothing in it can be stored: rename it to index it"
)

_SEPARATORS = re.compile(r"[,;\r\n]+")


def parse_patterns(text: str) -> tuple[str, ...]:
    """The patterns in what the user typed, in order, each once: split at commas, semicolons
    and line ends, trimmed, empty ones dropped ("*.md, docs/**; !drafts" is three). A comma or
    a semicolon in a name is matched with `?`. The syntax is this module's docstring's."""
    return tuple(dict.fromkeys(p.strip() for p in _SEPARATORS.split(text) if p.strip()))


def matches(relative: str, patterns: Sequence[str]) -> bool:
    """Whether `relative` (a path under a root, "/" or this system's separators) or a folder it
    is in matches one of `patterns`, and none of those written with a leading "!"."""
    path = relative.replace(os.sep, "/")
    if os.altsep:
        path = path.replace(os.altsep, "/")
    names = path.strip("/").split("/")
    wanted = _globs(tuple(p for p in patterns if not _negated(p)))
    unwanted = _globs(tuple(p.strip()[1:] for p in patterns if _negated(p)))
    return _any_level(wanted, names) and not _any_level(unwanted, names)


def relative(root: str, path: str) -> str:
    """`path` as shown under `root`, with "/": `notes/today.md`, or the file's name when the user
    added the file itself, or the whole path when it is not under `root` at all."""
    try:
        shown = os.path.relpath(path, root)
    except ValueError:  # on another drive (Windows)
        return path
    if shown == ".":
        return os.path.basename(path) or path
    if shown == ".." or shown.startswith(".." + os.sep):
        return path
    return shown.replace(os.sep, "/")


def scan(
    root: str | Path,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    *,
    stopped: Callable[[], bool] = lambda: False,
) -> Iterator[Found | Skipped]:
    """The regular files under `root` that `include` (or, without it, `INDEXED_SUFFIXES`)
    takes and neither `exclude` nor `DEFAULT_EXCLUDE` leaves out, and what could not be
    looked at. A file `root` is given alone, whatever the patterns say: the user named it.
    `stopped` is asked before each entry; once it says so, nothing more is given."""
    top = os.path.abspath(os.fspath(root))  # lexically: a link on the way is kept as it is
    if stopped():
        return
    if not _storable(top):
        yield Skipped(_shown(top), tr(BAD_NAME))
        return
    try:
        info = os.stat(top)
    except OSError as error:
        yield _unreachable(top, error) or Skipped(top, tr(NOT_FOUND))
        return
    if stat.S_ISDIR(info.st_mode):
        yield from _Walk(_rules(tuple(include), tuple(exclude)), stopped).run(top, info)
    elif stat.S_ISREG(info.st_mode):
        yield Found(top, info.st_size, info.st_mtime_ns)
    else:
        yield Skipped(top, tr(NOT_REGULAR))


# -- the walk ------------------------------------------------------------------------------------


@dataclass
class _Folder:
    prefix: str  # its path under the root and a "/", or "" for the root
    included: bool  # an include pattern matched it, so everything in it is included
    key: tuple[int, int] | None
    entries: Iterator[os.DirEntry[str]]


@dataclass
class _Walk:
    rules: _Rules
    stopped: Callable[[], bool]
    stack: list[_Folder] = field(default_factory=list)
    visited: set[tuple[int, int]] = field(default_factory=set)
    ancestors: set[tuple[int, int]] = field(default_factory=set)  # the keys on the stack

    def run(self, top: str, info: os.stat_result) -> Iterator[Found | Skipped]:
        failed = self._enter(top, "", False, _key(info))
        if failed:
            yield failed
        while self.stack:
            folder = self.stack[-1]
            entry = next(folder.entries, None)
            if entry is None:
                self.stack.pop()
                if folder.key:
                    self.ancestors.discard(folder.key)
                continue
            if self.stopped():
                return
            item = self._visit(folder, entry)
            if item:
                yield item

    def _visit(self, folder: _Folder, entry: os.DirEntry[str]) -> Found | Skipped | None:
        """What one entry gives, a folder being pushed to be walked next."""
        name = entry.name
        path = folder.prefix + name
        if self.rules.exclude.hit(path, name):
            return None
        try:
            # a link is followed, and so is a Windows junction (a folder to the listing)
            followed = entry.is_symlink() or entry.is_dir(follow_symlinks=False)
            if not followed and not self._wanted(folder, path, name):
                return None  # by far the most common case: no stat at all
            info = os.stat(entry.path) if followed else entry.stat(follow_symlinks=False)
        except OSError as error:
            return _unreachable(entry.path, error)
        if stat.S_ISDIR(info.st_mode):
            return self._folder(folder, entry.path, path, name, info)
        if followed and not self._wanted(folder, path, name):
            return None
        if not stat.S_ISREG(info.st_mode):
            return Skipped(_shown(entry.path), tr(NOT_REGULAR))
        if not _storable(name):
            return Skipped(_shown(entry.path), tr(BAD_NAME))
        return Found(entry.path, info.st_size, info.st_mtime_ns)

    def _folder(
        self, parent: _Folder, full: str, path: str, name: str, info: os.stat_result
    ) -> Skipped | None:
        key = _key(info)
        if key and key in self.visited:
            return Skipped(full, tr(LOOP) if key in self.ancestors else tr(TWICE))
        if not _storable(name):
            return Skipped(_shown(full), tr(BAD_FOLDER_NAME))
        included = parent.included or self.rules.include.hit(path, name)
        return self._enter(full, path + "/", included, key)

    def _enter(
        self, full: str, prefix: str, included: bool, key: tuple[int, int] | None
    ) -> Skipped | None:
        """Lists the folder and pushes it; a folder that cannot be listed (or only in part) is
        reported, one deleted meanwhile is not."""
        entries: list[os.DirEntry[str]] = []
        failed = None
        try:
            with os.scandir(full) as listing:
                for entry in listing:
                    entries.append(entry)
        except (FileNotFoundError, NotADirectoryError):
            pass
        except OSError as error:
            failed = Skipped(full, _cannot_read(error))
        entries.sort(key=_by_name)
        self.stack.append(_Folder(prefix, included, key, iter(entries)))
        if key:
            self.visited.add(key)
            self.ancestors.add(key)
        return failed

    def _wanted(self, folder: _Folder, path: str, name: str) -> bool:
        if self.rules.any_include:
            return folder.included or self.rules.include.hit(path, name)
        dot = name.rfind(".")
        return dot > 0 and name[dot:].lower() in INDEXED_SUFFIXES


def _by_name(entry: os.DirEntry[str]) -> tuple[str, str]:
    return entry.name.casefold(), entry.name  # as a person reads a listing, and still total


def _key(info: os.stat_result) -> tuple[int, int] | None:
    """What a folder is, whatever path it was reached by; None where the file system has no
    inode numbers (they read 0), so such a folder is never taken for another."""
    return (info.st_dev, info.st_ino) if info.st_ino else None


def _unreachable(path: str, error: OSError) -> Skipped | None:
    """Why an entry could not be looked at, or None when it is simply gone."""
    if isinstance(error, FileNotFoundError | NotADirectoryError):
        return Skipped(path, tr(BROKEN_LINK)) if os.path.lexists(path) else None
    if error.errno == errno.ELOOP:
        return Skipped(path, tr(LINK_CIRCLE))
    return Skipped(path, _cannot_read(error))


def _cannot_read(error: OSError) -> str:
    return tr("it cannot be read ({reason})", reason=error.strerror or error)


def _storable(name: str) -> bool:
    """Whether the name is valid Unicode: not so when it was not UTF-8 on Linux (Python keeps
    the bytes as lone surrogates), or holds an unpaired surrogate on Windows. The database
    refuses such text, and so would the window."""
    if name.isascii():
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(path: str) -> str:
    """The path with what is not Unicode in it replaced by "?", to be stored and shown."""
    return path.encode("utf-8", "replace").decode("utf-8")


# -- patterns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Globs:
    """Patterns compiled to two expressions: those that match one name, those that match a
    path from the root."""

    names: re.Pattern[str] | None
    paths: re.Pattern[str] | None

    @property
    def empty(self) -> bool:
        return self.names is None and self.paths is None

    def hit(self, path: str, name: str) -> bool:
        """Whether the entry at `path` (its name is `name`) matches, itself: the folders it is
        in were asked on the way down."""
        return bool(
            (self.names and self.names.fullmatch(name))
            or (self.paths and self.paths.fullmatch(path))
        )


@dataclass(frozen=True)
class _Rules:
    include: _Globs
    exclude: _Globs
    any_include: bool


def _rules(include: tuple[str, ...], exclude: tuple[str, ...]) -> _Rules:
    wanted = _globs(tuple(p for p in include if not _negated(p)))
    unwanted = (
        *DEFAULT_EXCLUDE,
        *(p.strip().removeprefix("!") for p in exclude),
        *(p.strip()[1:] for p in include if _negated(p)),
    )
    return _Rules(wanted, _globs(unwanted), not wanted.empty)


def _negated(pattern: str) -> bool:
    return pattern.strip().startswith("!")


def _any_level(globs: _Globs, names: list[str]) -> bool:
    return any(globs.hit("/".join(names[: i + 1]), name) for i, name in enumerate(names))


_FLAGS = re.IGNORECASE | re.DOTALL  # DOTALL: a name may hold a line break on Linux


@lru_cache(maxsize=64)
def _globs(patterns: tuple[str, ...]) -> _Globs:
    names: list[str] = []
    paths: list[str] = []
    for pattern in patterns:
        text = pattern.strip().replace("\\", "/")
        anchored = "/" in text.rstrip("/")
        segments = [s for s in text.split("/") if s not in ("", ".")]
        if not segments:
            continue
        if anchored:
            paths.append(_path_regex(segments))
        else:
            names.append(_name_regex(segments[0]))
    return _Globs(_either(names), _either(paths))


def _either(regexes: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{r})" for r in regexes), _FLAGS) if regexes else None


def _path_regex(segments: list[str]) -> str:
    """`**` is any number of folders: zero or more whole names with their slashes."""
    out: list[str] = []
    at_boundary = True  # at the start, or just after a "/"
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment != "**":
            out.append(("" if at_boundary else "/") + _name_regex(segment))
            at_boundary = False
        elif last:
            out.append(".*" if at_boundary else "(?:/.*)?")
        else:
            out.append("(?:[^/]+/)*" if at_boundary else "(?:/[^/]+)*/")
            at_boundary = True
    return "".join(out)


def _name_regex(glob: str) -> str:
    """One name's glob as an expression. Written here rather than taken from fnmatch, whose
    `*` would cross a "/" and whose sets can be read as nested sets by `re`."""
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        char = glob[i]
        i += 1
        if char == "*":
            if not out or out[-1] != "[^/]*":
                out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (chars := _char_set(glob, i)):
            out.append(chars[0])
            i = chars[1]
        else:
            out.append(re.escape(char))
    return "".join(out)


def _char_set(glob: str, start: int) -> tuple[str, int] | None:
    """The set opened by the "[" before `start`, as an expression, and where the glob goes on;
    None when it is not a set (no closing "]", or a backwards range), and "[" is itself."""
    end = start + (glob[start : start + 1] in ("!", "^"))
    end += glob[end : end + 1] == "]"  # a "]" first is one of the set
    end = glob.find("]", end)
    if end < 0:
        return None
    body = glob[start:end]
    negated = body[:1] in ("!", "^")
    if negated:
        body = body[1:]
    parts: list[str] = []
    k = 0
    while k < len(body):
        if k + 2 < len(body) and body[k + 1] == "-":
            parts.append(f"{re.escape(body[k])}-{re.escape(body[k + 2])}")
            k += 3
        else:
            parts.append(re.escape(body[k]))
            k += 1
    regex = ("[^/" if negated else "[") + "".join(parts) + "]"
    try:
        re.compile(regex)
    except re.error:
        return None
    return regex, end + 1
