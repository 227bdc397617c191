"""A page's views are built without MessageView's constructor and its ids without UUID's
(chatdesk/core/chat/repository/rows.py): what they make must behave exactly as what the
constructors make."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import uuid

import pytest

from chatdesk.core.chat.repository.rows import message_fields, message_views_of, stored_uuid
from chatdesk.core.ids import new_id
from chatdesk.core.views import MessageView

THREAD = new_id()


def _row(message: uuid.UUID, parent: uuid.UUID | None, depth: int, **figures: object) -> tuple:
    """A row of `message_select` as SQLite stores it."""
    usage = [figures.get(name) for name in ("prompt", "completion", "cached", "reasoning")]
    return (
        message.hex,
        THREAD.hex,
        None if parent is None else parent.hex,
        depth,
        "assistant" if depth % 2 else "user",
        "complete",
        f"text {depth}",
        "mock",
        "mock-1",
        *usage,
        figures.get("cost"),
        0,
        120,
        30,
        None,
        None,
        "2026-11-22 12:00:00.000000",
        "2026-11-22 12:00:01.500000",
        None,
        None,
        None,
        figures.get("memories"),
        "thinking" if depth % 2 else None,
        1,
        1,
        0,
    )


def _page() -> list[tuple]:
    ids = [new_id() for _ in range(4)]
    parents = [None, *ids[:-1]]
    return [
        _row(m, p, depth, prompt=10, completion=5, cost=0.25, memories="[3, 12]")
        if depth == 1
        else _row(m, p, depth)
        for depth, (m, p) in enumerate(zip(ids, parents, strict=True))
    ]


def _constructed(rows: list[tuple]) -> list[MessageView]:
    return [MessageView(**message_fields(row, lambda v: uuid.UUID(hex=v))) for row in rows]


def test_a_fast_view_is_frozen_and_equal_to_the_constructors() -> None:
    rows = _page()
    fast, made = message_views_of(rows), _constructed(rows)

    assert fast == made
    assert [hash(v) for v in fast] == [hash(v) for v in made]
    assert {*fast} == {*made}
    for view, other in zip(fast, made, strict=True):
        assert type(view) is MessageView
        assert vars(view) == vars(other)
        assert repr(view) == repr(other)
        assert dataclasses.replace(view) == view
        assert pickle.loads(pickle.dumps(view)) == other
        assert copy.deepcopy(view) == other
        for field in dataclasses.fields(MessageView):
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(view, field.name, None)
            with pytest.raises(dataclasses.FrozenInstanceError):
                delattr(view, field.name)
        assert vars(view) == vars(other)  # nothing changed by the attempts


def test_a_fast_views_ids_are_real_uuids() -> None:
    rows = _page()
    fast, made = message_views_of(rows), _constructed(rows)

    for view, other in zip(fast, made, strict=True):
        for mine, theirs in ((view.id, other.id), (view.parent_id, other.parent_id)):
            if theirs is None:
                assert mine is None
                continue
            assert type(mine) is uuid.UUID
            assert mine == theirs
            assert hash(mine) == hash(theirs)
            assert (str(mine), repr(mine), mine.hex, mine.int, mine.bytes) == (
                str(theirs),
                repr(theirs),
                theirs.hex,
                theirs.int,
                theirs.bytes,
            )
            assert (mine.version, mine.variant, mine.is_safe) == (
                theirs.version,
                theirs.variant,
                theirs.is_safe,
            )
            assert pickle.loads(pickle.dumps(mine)) == theirs
            assert copy.copy(mine) == theirs
            with pytest.raises(TypeError):
                mine.int = 0  # type: ignore[misc]
    ordered = sorted(view.id for view in reversed(fast))
    assert ordered == sorted(view.id for view in made)
    assert fast[0].id < fast[1].id <= fast[1].id  # ids made later sort later (version 7)
    assert not fast[1].id > made[1].id
    assert fast[0].thread_id is fast[1].thread_id  # converted once a page


@pytest.mark.parametrize(
    "damaged",
    ["-" + "f" * 31, "+" + "f" * 31, " " + "f" * 31, "z" * 32, "f" * 31, "f" * 33, ""],
)
def test_an_id_not_as_stored_is_refused_or_read_as_uuid_reads_it(damaged: str) -> None:
    try:
        expected: uuid.UUID | None = uuid.UUID(hex=damaged)
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(ValueError, match=r"hexadecimal|invalid literal|badly formed"):
            stored_uuid(damaged)
    else:
        assert stored_uuid(damaged) == expected
