"""Every file the documentation and the code point a reader at is in the repository.

A clone is all a contributor has: a comment or a note that cites a page outside it (an old design
page, research notes) or a module that has since moved leaves them with nothing to follow.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOP_FOLDERS = ("chatdesk", "docs", "tests", "benchmarks", "packaging", "migrations", "resources")
# A path named in prose or code: a top folder, then path characters. Placeholders (NNNN, *,
# ellipses), paths inside an installed chatdesk and inside the desktop build's folder (also named
# `chatdesk/`: the program and its install script) are not files of the repository.
PATH = re.compile(r"(?<![\w/.-])((?:" + "|".join(TOP_FOLDERS) + r")/[\w./-]*[\w/])")
NOT_FILES = re.compile(
    r"NNNN|\*|…|\.\.\.|^chatdesk/(migrations|resources)\b|^chatdesk/(chatdesk|install-desktop\.sh)$"
)
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
DECISION = re.compile(r"\bdecisions? (\d{4})\b")
OUTSIDE = re.compile(r"DESIGN\.md|DESIGN §|\bresearch/\w+\.md|\bresearch \w+\.md|\.\./shared")


def _sources() -> list[Path]:
    files = [ROOT / name for name in ("README.md", "CONTRIBUTING.md", "CHANGELOG.md")]
    files += sorted((ROOT / "docs").rglob("*.md"))
    for folder in ("chatdesk", "benchmarks", "packaging", "tests", "migrations", ".ci"):
        files += sorted(p for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".md", ""))
    return [
        p for p in files if p.is_file() and "__pycache__" not in p.parts and p != Path(__file__)
    ]


def _exists(name: str) -> bool:
    name = name.rstrip("/.")
    if (ROOT / name).exists():
        return True
    # A module named with its package path, e.g. `chatdesk/core/chat/service` or a symbol after it.
    return (ROOT / f"{name}.py").exists()


def _missing_in(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    missing = [f"outside the repository: {m.group(0)}" for m in OUTSIDE.finditer(text)]
    for match in PATH.finditer(text):
        name = match.group(1)
        if not NOT_FILES.search(name) and not _exists(name):
            missing.append(name)
    if path.suffix == ".md":
        for match in MARKDOWN_LINK.finditer(text):
            target = match.group(1)
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (path.parent / target).exists():
                missing.append(f"link {target}")
    decisions = {p.name[:4] for p in (ROOT / "docs" / "decisions").glob("[0-9]*.md")}
    missing += [f"decision {n}" for n in DECISION.findall(text) if n not in decisions]
    return missing


@pytest.mark.parametrize(
    "path", _sources(), ids=lambda p: str(p.relative_to(ROOT)) if isinstance(p, Path) else p
)
def test_every_reference_is_a_file_in_the_repository(path: Path) -> None:
    assert _missing_in(path) == []


def test_the_check_sees_a_broken_reference(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text(
        "See `chatdesk/core/chat/nowhere.py`, decision 9999, [the map](gone.md) and DESIGN §4.\n"
        "But `chatdesk/core/service.py`, `chatdesk/core/errors` and decision 0001 exist.\n"
    )
    assert _missing_in(note) == [
        "outside the repository: DESIGN §",
        "chatdesk/core/chat/nowhere.py",
        "link gone.md",
        "decision 9999",
    ]
