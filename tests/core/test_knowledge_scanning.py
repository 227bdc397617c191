"""Listing a knowledge base's files from what the user added, over real trees in tmp_path: the
include and exclude patterns do what their syntax says, and hostile trees (links in a circle,
broken links, folders that cannot be listed, pipes, names that are not Unicode, very deep or
very wide trees, files deleted during the walk) never stop, hang or crash the walk."""

from __future__ import annotations

import inspect
import os
import shutil
import stat
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from chatdesk.core.knowledge.scanning import (
    BAD_FOLDER_NAME,
    BAD_NAME,
    BROKEN_LINK,
    DEFAULT_EXCLUDE,
    INDEXED_SUFFIXES,
    LINK_CIRCLE,
    LOOP,
    NOT_FOUND,
    NOT_REGULAR,
    TWICE,
    Found,
    Skipped,
    matches,
    parse_patterns,
    relative,
    scan,
)

posix_only = pytest.mark.skipif(
    sys.platform == "win32", reason="FIFOs and POSIX permissions are not Windows files"
)
as_root = os.name == "posix" and os.geteuid() == 0


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    root.mkdir()
    return root


def _touch(root: Path, *paths: str) -> None:
    for path in paths:
        file = root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(path)


def _link(target: Path, link: Path) -> None:
    try:
        link.symlink_to(target, target_is_directory=target.is_dir())
    except OSError as error:  # Windows without the right to make links (developer mode)
        pytest.skip(f"this account cannot make symbolic links ({error})")


def _found(root: Path, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> list[str]:
    """The paths found, under `root` with "/"; nothing may be skipped."""
    items = list(scan(root, include, exclude))
    assert [i for i in items if isinstance(i, Skipped)] == []
    return [relative(str(root), i.path) for i in items if isinstance(i, Found)]


def _split(items: Iterator[Found | Skipped]) -> tuple[list[Found], list[Skipped]]:
    listed = list(items)
    found = [i for i in listed if isinstance(i, Found)]
    return found, [i for i in listed if isinstance(i, Skipped)]


# -- patterns ------------------------------------------------------------------------------------


def test_user_input_becomes_patterns() -> None:
    typed = " *.md, papers/** ;!drafts\n\n  Meeting Notes ,, *.md;\r\n"
    assert parse_patterns(typed) == ("*.md", "papers/**", "!drafts", "Meeting Notes")
    assert parse_patterns("  ,; \n") == ()


@pytest.mark.parametrize(
    ("path", "patterns", "expected"),
    [
        ("a/b/readme.md", ["*.md"], True),
        ("a/b/readme.txt", ["*.md"], False),
        ("a/node_modules/b/x.js", ["node_modules"], True),
        ("README.MD", ["*.md"], True),
        ("Drafts/x.md", ["drafts"], True),
        ("papers/x.md", ["papers/**/*.md"], True),
        ("papers/a/b/x.md", ["PAPERS/**/*.MD"], True),
        ("other/papers/x.md", ["papers/**/*.md"], False),
        ("other/papers/x.md", ["**/papers/*.md"], True),
        ("papers/a/b", ["papers/**"], True),
        ("x/drafts/a.md", ["/drafts"], False),
        ("drafts/a.md", ["/drafts/"], True),
        ("drafts/a.md", ["*.md", "!drafts"], False),
        ("notes/a.md", ["*.md", "!drafts"], True),
        ("a1.md", ["a[0-9].md"], True),
        ("ab.md", ["a[!b].md"], False),
        ("a[.md", ["a[.md"], True),  # no closing "]": the "[" is itself
        ("a[z-a].md", ["a[z-a].md"], True),  # a backwards range is no set either
        ("papers/x.md", ["papers\\x.md"], True),  # as a path is shown on Windows
        ("x.md", ["?.md"], True),
        ("xy.md", ["?.md"], False),
    ],
)
def test_globs_match_names_anywhere_and_paths_from_the_root(
    path: str, patterns: list[str], expected: bool
) -> None:
    assert matches(path, patterns) is expected


def test_without_include_patterns_the_indexed_suffixes_are_found(tree: Path) -> None:
    _touch(tree, "a.md", "REPORT.PDF", "b/c.docx", "tool.exe", "data.bin", "Makefile", ".md")
    assert _found(tree) == ["a.md", "b/c.docx", "REPORT.PDF"]
    assert all(s == s.lower() and s.startswith(".") for s in INDEXED_SUFFIXES)


def test_name_patterns_match_anywhere_whatever_the_case(tree: Path) -> None:
    _touch(tree, "a.md", "x/y/B.MD", "x/c.txt", "notes/d.bin", "x/notes/e.bin")
    assert _found(tree, ["*.Md"]) == ["a.md", "x/y/B.MD"]
    # a folder that matches brings everything in it, whatever its suffix
    assert _found(tree, ["NOTES"]) == ["notes/d.bin", "x/notes/e.bin"]


def test_path_patterns_match_from_the_root_with_double_star(tree: Path) -> None:
    _touch(
        tree, "papers/a.md", "papers/x/y/b.md", "papers/n.txt", "other/papers/c.md", "notes/d.txt"
    )
    _touch(tree, "x/notes/e.txt")
    assert _found(tree, ["papers/**/*.md"]) == ["papers/a.md", "papers/x/y/b.md"]
    assert _found(tree, ["**/papers/*.md"]) == ["other/papers/c.md", "papers/a.md"]
    assert _found(tree, ["/notes"]) == ["notes/d.txt"]
    assert _found(tree, exclude=["papers/x"]) == [
        "notes/d.txt",
        "other/papers/c.md",
        "papers/a.md",
        "papers/n.txt",
        "x/notes/e.txt",
    ]


def test_exclude_wins_over_include(tree: Path) -> None:
    _touch(tree, "a.md", "secret.md", "drafts/b.md", "Private/c.md")
    assert _found(tree, ["*.md"], ["SECRET.md", "private"]) == ["a.md", "drafts/b.md"]
    # "!" in the include list excludes, and is harmless in the exclude list
    assert _found(tree, parse_patterns("*.md; !drafts"), ["!private"]) == ["a.md", "secret.md"]


def test_the_default_exclusions_apply_even_to_everything(tree: Path) -> None:
    _touch(tree, "keep.md", ".git/notes.md", "x/node_modules/pkg/readme.md", "~$report.docx")
    _touch(tree, "draft.tmp", ".DS_Store", "Thumbs.db", "__pycache__/m.py", "src/.venv/a.py")
    assert _found(tree, ["*"]) == ["keep.md"]
    assert ".git" in DEFAULT_EXCLUDE


def test_results_come_folder_by_folder_in_name_order(tree: Path) -> None:
    _touch(tree, "d.md", "B.md", "c/x.md", "a.md", "c/a/y.md", "C.txt")
    assert _found(tree) == ["a.md", "B.md", "c/a/y.md", "c/x.md", "C.txt", "d.md"]


def test_an_excluded_folder_is_not_entered(tree: Path) -> None:
    private = tree / "private"
    _touch(tree, "a.md", "private/secret.md")
    # each of these would be reported, were the folder entered
    _link(tree / "nothing", private / "gone.md")
    _link(tree, private / "up")
    if hasattr(os, "mkfifo"):
        os.mkfifo(private / "pipe.md")
    locked = private / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        _, skipped = _split(scan(tree))
        reported = {"gone.md", "up"} | ({"pipe.md"} if hasattr(os, "mkfifo") else set())
        if os.name == "posix" and not as_root:
            reported.add("locked")
        assert {Path(s.path).name for s in skipped} == reported
        assert _found(tree, exclude=["Private"]) == ["a.md"]
    finally:
        locked.chmod(stat.S_IRWXU)


# -- the root ------------------------------------------------------------------------------------


def test_a_file_the_user_named_is_found_whatever_the_patterns(tree: Path) -> None:
    _touch(tree, "program.bin")
    file = tree / "program.bin"
    assert list(scan(file, ["*.md"], ["*.bin"])) == [
        Found(str(file), file.stat().st_size, file.stat().st_mtime_ns)
    ]
    assert list(scan(str(file))) == list(scan(file))


def test_a_root_that_is_not_there_is_one_skipped(tree: Path) -> None:
    missing = tree / "gone"
    _touch(tree, "a.md")
    assert list(scan(missing)) == [Skipped(str(missing), NOT_FOUND)]
    assert list(scan(tree / "a.md" / "b")) == [Skipped(str(tree / "a.md" / "b"), NOT_FOUND)]
    _link(missing, tree / "link")
    assert list(scan(tree / "link")) == [Skipped(str(tree / "link"), BROKEN_LINK)]


def test_a_root_reached_through_a_link_keeps_the_link_in_its_paths(tmp_path: Path) -> None:
    _touch(tmp_path, "real/a.md")
    _link(tmp_path / "real", tmp_path / "alias")
    found, _ = _split(scan(tmp_path / "alias"))
    assert [f.path for f in found] == [str(tmp_path / "alias" / "a.md")]


# -- hostile trees -------------------------------------------------------------------------------


def test_a_link_back_up_the_tree_is_one_skipped_loop(tree: Path) -> None:
    _touch(tree, "top.md", "a/doc.md")
    _link(tree, tree / "a" / "up")
    found, skipped = _split(scan(tree))
    assert [relative(str(tree), f.path) for f in found] == ["a/doc.md", "top.md"]
    assert skipped == [Skipped(str(tree / "a" / "up"), LOOP)]


def test_links_to_files_and_folders_are_followed_and_a_folder_listed_once(
    tmp_path: Path, tree: Path
) -> None:
    _touch(tmp_path, "outside/real.md", "shared/doc.md")
    _link(tmp_path / "outside" / "real.md", tree / "link.md")
    _link(tmp_path / "shared", tree / "one")
    _link(tmp_path / "shared", tree / "two")
    found, skipped = _split(scan(tree))
    real = (tmp_path / "outside" / "real.md").stat()
    assert found == [
        Found(str(tree / "link.md"), real.st_size, real.st_mtime_ns),
        Found(str(tree / "one" / "doc.md"), 13, (tmp_path / "shared/doc.md").stat().st_mtime_ns),
    ]
    assert skipped == [Skipped(str(tree / "two"), TWICE)]


def test_broken_and_circular_links_are_skipped_with_their_reason(tree: Path) -> None:
    _touch(tree, "a.md")
    _link(tree / "nothing", tree / "gone.md")
    _link(tree / "self.md", tree / "self.md")
    found, skipped = _split(scan(tree))
    assert [f.path for f in found] == [str(tree / "a.md")]
    assert skipped == [
        Skipped(str(tree / "gone.md"), BROKEN_LINK),
        Skipped(str(tree / "self.md"), LINK_CIRCLE),
    ]


@posix_only
@pytest.mark.skipif(as_root, reason="root can list any folder, so none is unreadable")
def test_a_folder_that_cannot_be_listed_is_skipped_and_the_walk_goes_on(tree: Path) -> None:
    _touch(tree, "a.md", "locked/b.md", "z.md")
    (tree / "locked").chmod(0)
    try:
        found, skipped = _split(scan(tree))
    finally:
        (tree / "locked").chmod(stat.S_IRWXU)
    assert [relative(str(tree), f.path) for f in found] == ["a.md", "z.md"]
    assert skipped == [Skipped(str(tree / "locked"), "it cannot be read (Permission denied)")]


@posix_only
@pytest.mark.timeout(30)  # opening the pipe would wait for a writer that never comes
def test_a_pipe_is_skipped_without_being_opened(tree: Path) -> None:
    _touch(tree, "a.md")
    os.mkfifo(tree / "pipe.md")
    os.mkfifo(tree / "pipe.bin")  # not indexed anyway: not worth a word
    found, skipped = _split(scan(tree))
    assert [f.path for f in found] == [str(tree / "a.md")]
    assert skipped == [Skipped(str(tree / "pipe.md"), NOT_REGULAR)]
    assert list(scan(tree / "pipe.bin")) == [Skipped(str(tree / "pipe.bin"), NOT_REGULAR)]


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux keeps names that are not UTF-8")
def test_names_that_are_not_unicode_are_skipped_and_shown(tree: Path) -> None:
    _touch(tree, "a.md")
    base = os.fsencode(tree)
    with open(os.path.join(base, b"caf\xe9.md"), "wb"):
        pass
    os.mkdir(os.path.join(base, b"d\xe9j\xe0"))
    with open(os.path.join(base, b"d\xe9j\xe0", b"b.md"), "wb"):
        pass
    found, skipped = _split(scan(tree))
    assert [f.path for f in found] == [str(tree / "a.md")]
    assert skipped == [
        Skipped(str(tree / "caf?.md"), BAD_NAME),
        Skipped(str(tree / "d?j?"), BAD_FOLDER_NAME),
    ]
    assert all(s.path.encode("utf-8") for s in skipped)  # storable and showable


@posix_only
def test_a_file_deleted_during_the_walk_is_left_out(tree: Path) -> None:
    # Windows lists sizes and times with the names, so there the file is still reported
    # (as it was when listed), and the indexer finds it gone when it reads it.
    _touch(tree, "a.md", "b.md", "c/d.md", "e.md")
    walk = scan(tree)
    first = next(walk)  # the root is listed now
    (tree / "b.md").unlink()
    shutil.rmtree(tree / "c")
    assert isinstance(first, Found)
    assert first.path == str(tree / "a.md")
    assert [i.path for i in walk] == [str(tree / "e.md")]


def test_stopping_halts_before_the_next_entry(tree: Path) -> None:
    _touch(tree, *(f"{i:03}.md" for i in range(100)))
    got: list[Found | Skipped] = []
    for item in scan(tree, stopped=lambda: len(got) >= 10):
        got.append(item)
    assert [relative(str(tree), i.path) for i in got] == [f"{i:03}.md" for i in range(10)]
    assert list(scan(tree, stopped=lambda: True)) == []


@pytest.mark.skipif(sys.platform == "win32", reason="Windows paths are limited to 260 characters")
def test_a_tree_deeper_than_the_recursion_limit_is_walked(tree: Path) -> None:
    depth = 400
    folder = str(tree)
    for _ in range(depth):
        folder = os.path.join(folder, "d")
        os.mkdir(folder)
    _touch(Path(folder), "bottom.md")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + 100)  # far less than the depth
    try:
        with pytest.raises(RecursionError):  # the limit bites: a recursive walk would fail
            _descend(depth)
        found, skipped = _split(scan(tree))
    finally:
        sys.setrecursionlimit(limit)
    assert [relative(str(tree), f.path) for f in found] == ["d/" * depth + "bottom.md"]
    assert skipped == []


def _descend(depth: int) -> int:
    return 0 if depth == 0 else 1 + _descend(depth - 1)


def test_twenty_thousand_files_are_all_found(tmp_path: Path, tree: Path) -> None:
    # Hard links to seven files: each is a file of its own to the walk, and making them takes
    # a fraction of the time making 20,000 files does on a busy disk.
    sizes = [tmp_path / f"{size}.bytes" for size in range(7)]
    for size, source in enumerate(sizes):
        source.write_bytes(b"x" * size)
    for folder in range(20):
        os.mkdir(tree / f"f{folder:02}")
        for i in range(1000):
            os.link(sizes[i % 7], tree / f"f{folder:02}" / f"{i:04}.txt")
    found, skipped = _split(scan(tree))
    assert skipped == []
    assert len(found) == 20_000
    assert [f.path for f in found] == sorted(f.path for f in found)
    assert [f.size for f in found[:8]] == [0, 1, 2, 3, 4, 5, 6, 0]


def test_paths_are_shown_under_their_root(tree: Path) -> None:
    root = str(tree)
    assert relative(root, os.path.join(root, "papers", "a.md")) == "papers/a.md"
    assert relative(os.path.join(root, "a.md"), os.path.join(root, "a.md")) == "a.md"
    elsewhere = os.path.join(os.path.dirname(root), "other", "b.md")
    assert relative(root, elsewhere) == elsewhere
