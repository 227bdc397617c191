"""The thread list kept for the next start (chatdesk/ui/sidebar/snapshot.py, its file kept by
chatdesk/core/kept_file.py): what is written is read back as it was, the usual view only, and
any file that is not one chatdesk wrote whole is ignored rather than shown."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from chatdesk.core.kept_file import THREAD_LIST, THREAD_LIST_MAX_BYTES, KeptFile
from chatdesk.ui.sidebar import snapshot
from chatdesk.ui.sidebar.roles import GroupKind
from chatdesk.ui.sidebar.snapshot import GroupRow, ThreadRow

KEPT = [
    GroupRow(GroupKind.PINNED, "Pinned", True, (ThreadRow("Plans", pinned=True),)),
    GroupRow(GroupKind.PROJECTS, "Projects", False),
    GroupRow(GroupKind.PROJECT, "Work", False),
    GroupRow(
        GroupKind.DATE,
        "Today",
        True,
        (ThreadRow("Ünïcode ✓", at=1_750_000_000.5), ThreadRow("Ours", team="R&D")),
    ),
]


def _kept(path: Path) -> KeptFile:
    return KeptFile(path, THREAD_LIST_MAX_BYTES)


def _save(path: Path, groups: list[GroupRow] | None) -> None:
    asyncio.run(_kept(path).write(snapshot.encoded(groups)))


def _load(path: Path) -> list[GroupRow] | None:
    return snapshot.decoded(_kept(path).read())


def test_what_is_kept_is_read_back_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "run" / THREAD_LIST
    _save(path, KEPT)
    assert _load(path) == KEPT
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600  # titles are the user's own


def test_nothing_kept_removes_the_file(tmp_path: Path) -> None:
    path = tmp_path / THREAD_LIST
    _save(path, KEPT)
    _save(path, None)
    assert not path.exists()
    assert _load(path) is None


def _group(**changes: object) -> dict[str, object]:
    group: dict[str, object] = {"kind": "date", "title": "Today", "open": True, "threads": []}
    group.update(changes)
    return group


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe not text",
        b"[]",
        b'{"version": 2, "groups": [',
        json.dumps({"version": 1, "groups": []}).encode(),  # an older chatdesk's
        json.dumps({"version": 3, "groups": []}).encode(),
        json.dumps({"version": 2, "groups": {}}).encode(),
        json.dumps({"version": 2, "groups": [_group(kind="folder")]}).encode(),
        json.dumps({"version": 2, "groups": [_group(title=7)]}).encode(),
        json.dumps({"version": 2, "groups": [_group(open="yes")]}).encode(),
        json.dumps({"version": 2, "groups": [_group(threads=[{"title": "x"}])]}).encode(),
        json.dumps(
            {"version": 2, "groups": [_group(threads=[{"title": "x", "pinned": 0}])]}
        ).encode(),
        json.dumps(
            {"version": 2, "groups": [_group(threads=[{"title": "x", "pinned": False, "team": 1}])]}
        ).encode(),
        json.dumps(
            {"version": 2, "groups": [_group(threads=[{"title": "t", "pinned": False}] * 100)]}
        ).encode(),
        *(
            json.dumps(
                {
                    "version": 2,
                    "groups": [_group(threads=[{"title": "t", "pinned": False, "at": at}])],
                }
            ).encode()
            for at in ("yesterday", True, -1, 1e300)
        ),
        b'{"version": 2, "groups": [{"kind": "date", "title": "Today", "open": true, "threads": '
        b'[{"title": "t", "pinned": false, "at": NaN}]}]}',
        b" " * (THREAD_LIST_MAX_BYTES + 1),
    ],
)
def test_a_file_chatdesk_did_not_write_whole_is_ignored(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / THREAD_LIST
    path.write_bytes(content)
    assert _load(path) is None


def test_long_titles_are_cut(tmp_path: Path) -> None:
    path = tmp_path / THREAD_LIST
    data = {"version": 2, "groups": [_group(title="T" * 10_000)]}
    path.write_text(json.dumps(data))
    [group] = _load(path) or []
    assert group.title == "T" * snapshot.MAX_TITLE


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs are POSIX")
def test_a_fifo_in_its_place_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / THREAD_LIST
    os.mkfifo(path)
    assert _load(path) is None  # and did not wait for a writer


def test_the_kept_rows_are_drawn_as_the_live_list_draws_them(qtbot: QtBot) -> None:
    from chatdesk.ui.sidebar.placeholder import SidebarPlaceholder
    from chatdesk.ui.sidebar.roles import AGE_ROLE, GROUP_KIND_ROLE, PINNED_ROLE, TEAM_ROLE

    placeholder = SidebarPlaceholder()
    qtbot.addWidget(placeholder)
    placeholder.resize(270, 600)
    placeholder.show_kept(KEPT)
    placeholder.show()
    qtbot.waitUntil(lambda: placeholder.tree is not None)
    tree = placeholder.tree
    assert tree is not None
    model = tree.model()
    groups = [model.index(row, 0) for row in range(model.rowCount())]
    assert [g.data() for g in groups] == ["Pinned", "Projects", "Work", "Today"]
    assert [g.data(GROUP_KIND_ROLE) for g in groups] == [
        GroupKind.PINNED,
        GroupKind.PROJECTS,
        GroupKind.PROJECT,
        GroupKind.DATE,
    ]
    assert [tree.isExpanded(g) for g in groups] == [True, False, False, True]
    today = [model.index(row, 0, groups[3]) for row in range(model.rowCount(groups[3]))]
    assert [(t.data(), t.data(PINNED_ROLE), t.data(TEAM_ROLE)) for t in today] == [
        ("Ünïcode ✓", False, None),
        ("Ours", False, "R&D"),
    ]
    assert today[0].data(AGE_ROLE)  # its age at the row's end, from when it was last active
    assert today[1].data(AGE_ROLE) is None  # kept by a run that did not know
    button = tree.heading_button  # New project, at the Projects heading's end: not yet
    assert button is not None
    qtbot.waitUntil(button.isVisible)
    assert tree.visualRect(groups[1]).contains(button.geometry())
    assert not button.isEnabled()
    assert tree.focusPolicy() == tree.focusPolicy().NoFocus  # keys stay in the composer
    assert not placeholder.status.isVisible()
    first = tree.visualRect(groups[0])
    assert first.height() > 0  # laid out and drawn by the delegate
