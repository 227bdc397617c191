"""Formatting kept across restarts: a real SQLite file in the cache folder, real renders (code
and a formula drawn by the math library), and what happens when the file is damaged, the folder
cannot be written, or the cache outgrows its bound."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

from chatdesk.core.render import RenderOptions, render_markdown
from chatdesk.core.render.document_colours import DOCUMENT
from chatdesk.core.render.kept import (
    FILE_NAME,
    LIBRARIES,
    KeptKey,
    KeptRenders,
    fingerprint,
    installed,
    lasting,
)
from chatdesk.core.render.model import ReadingType, Rendered
from chatdesk.core.render.palette import Palette
from tests.core.render.looks import NIGHT

ANSWER = "# Plan\n\n```python\nprint('hi')\n```\n\nThe area is $\\pi r^2$.\n"


def key(message_id: uuid.UUID | None = None, text: str = ANSWER, **how: object) -> KeptKey:
    palette = how.get("palette", DOCUMENT)
    assert isinstance(palette, Palette)
    ratio = float(how.get("pixel_ratio", 1.0))  # type: ignore[arg-type]
    reading = how.get("reading", ReadingType())
    assert isinstance(reading, ReadingType)
    return KeptKey(message_id or uuid.uuid4(), f"digest of {text}", palette, ratio, reading)


@pytest.fixture
def rendered() -> Rendered:
    return render_markdown(ANSWER, RenderOptions())


def test_a_render_comes_back_whole_in_a_later_run(tmp_path: Path, rendered: Rendered) -> None:
    assert rendered.images  # the formula, drawn
    assert rendered.code_blocks == ("print('hi')",)
    first = KeptRenders(tmp_path)
    answer = key()
    first.put_many([(answer, rendered)])
    first.close()

    later = KeptRenders(tmp_path)  # another run
    assert later.get_many([answer]) == {answer: rendered}
    assert later.message_ids() == [answer.message_id]
    if sys.platform != "win32":
        assert (tmp_path / FILE_NAME).stat().st_mode & 0o777 == 0o600
    later.close()


def test_the_palette_the_screen_the_size_and_the_text_each_make_another_entry(
    tmp_path: Path, rendered: Rendered
) -> None:
    kept = KeptRenders(tmp_path)
    light = key()
    kept.put_many([(light, rendered)])
    same_message = light.message_id
    others = [
        key(same_message, palette=NIGHT),
        key(same_message, pixel_ratio=2.0),
        key(same_message, reading=ReadingType(text_px=18)),  # a larger text size, a zoom
        key(same_message, reading=ReadingType(grounds_drawn=True)),
        key(same_message, text=ANSWER + " edited"),
        key(),  # another message with the same text
    ]
    assert kept.get_many([light, *others]) == {light: rendered}
    kept.close()


def test_a_changed_renderer_makes_what_was_kept_unreachable(
    tmp_path: Path, rendered: Rendered, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = KeptRenders(tmp_path)
    answer = key()
    kept.put_many([(answer, rendered)])
    kept.close()
    monkeypatch.setattr("chatdesk.core.render.kept.fingerprint", lambda: b"a newer renderer")
    upgraded = KeptRenders(tmp_path)
    assert upgraded.get_many([answer]) == {}
    upgraded.close()


def test_a_library_upgraded_changes_the_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The versions are read as the installer recorded them, as importlib.metadata reads them.
    from importlib import metadata

    for module, project in LIBRARIES:
        assert installed(module, project).endswith(f"-{metadata.version(project)}.dist-info")

    # A library installed in a folder of its own, then upgraded there.
    site = tmp_path / "site"
    (site / "pygments").mkdir(parents=True)
    (site / "pygments" / "__init__.py").write_text("")
    (site / "Pygments-2.0.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "pygments", raising=False)
    before = fingerprint()
    (site / "Pygments-2.0.dist-info").rename(site / "pygments-9.9.dist-info")
    assert installed("pygments", "Pygments") == "pygments-9.9.dist-info"
    assert fingerprint() != before
    assert installed("no_such_library", "no-such-library") == "none"


def test_the_least_recently_used_go_first_past_the_bound(
    tmp_path: Path, rendered: Rendered
) -> None:
    probe = KeptRenders(tmp_path / "probe")
    probe.put_many([(key(), rendered)])
    one = probe._connection.execute("SELECT size FROM rendered").fetchone()[0]  # type: ignore[union-attr]
    probe.close()

    kept = KeptRenders(tmp_path, max_bytes=one * 4 + one // 2)  # room for four
    oldest, read_again, *rest = [key() for _ in range(4)]
    for entry in (oldest, read_again, *rest):
        kept.put_many([(entry, rendered)])
    assert kept.get_many([read_again]) == {read_again: rendered}  # used: now the newest
    newest = key()
    kept.put_many([(newest, rendered)])  # five: past the bound, down to 90 % of it (four)

    still = kept.get_many([oldest, read_again, *rest, newest])
    assert oldest not in still
    assert read_again in still
    assert newest in still
    assert len(still) == 4
    kept.close()


def test_a_deleted_message_is_forgotten(tmp_path: Path, rendered: Rendered) -> None:
    kept = KeptRenders(tmp_path)
    gone, stays = key(), key()
    kept.put_many([(gone, rendered), (key(gone.message_id, palette=NIGHT), rendered)])
    kept.put_many([(stays, rendered)])
    kept.forget([gone.message_id])
    assert kept.message_ids() == [stays.message_id]
    assert kept.get_many([gone, stays]) == {stays: rendered}
    kept.close()


def test_a_damaged_file_is_dropped_and_made_anew(tmp_path: Path, rendered: Rendered) -> None:
    (tmp_path / FILE_NAME).write_bytes(b"not a database at all, " * 400)
    kept = KeptRenders(tmp_path)
    answer = key()
    assert kept.get_many([answer]) == {}  # read as empty, the file set aside
    kept.put_many([(answer, rendered)])
    assert kept.get_many([answer]) == {answer: rendered}
    kept.close()


def test_a_damaged_entry_reads_as_missing(tmp_path: Path, rendered: Rendered) -> None:
    kept = KeptRenders(tmp_path)
    answer, other = key(), key()
    kept.put_many([(answer, rendered), (other, rendered)])
    db = kept._connection
    assert db is not None
    db.execute(
        "UPDATE rendered SET data = ? WHERE message_id = ?", (b"\x78junk", answer.message_id.hex)
    )
    db.commit()
    assert kept.get_many([answer, other]) == {other: rendered}
    kept.close()


def test_a_folder_that_cannot_be_made_leaves_formatting_as_it_was(
    tmp_path: Path, rendered: Rendered
) -> None:
    in_the_way = tmp_path / "cache"
    in_the_way.write_text("a file where the cache folder would go")
    kept = KeptRenders(in_the_way / "chatdesk")
    answer = key()
    kept.put_many([(answer, rendered)])  # no error: nothing is kept this run
    assert kept.get_many([answer]) == {}
    assert kept.message_ids() == []
    kept.close()


def test_only_what_formats_the_same_next_time_is_worth_keeping(rendered: Rendered) -> None:
    assert lasting(rendered)
    too_slow = Rendered("<p>x</p>", {}, (), (), plain=True, reason="took too long to format")
    assert not lasting(too_slow)
    formulas_as_source = Rendered(rendered.html, {}, (), (), plain=False, complete=False)
    assert not lasting(formulas_as_source)


def test_calls_submitted_run_in_order_on_the_caches_thread(
    tmp_path: Path, rendered: Rendered
) -> None:
    kept = KeptRenders(tmp_path)
    answer = key()
    kept.submit(kept.put_many, [(answer, rendered)])
    assert kept.submit(kept.get_many, [answer]).result(timeout=10) == {answer: rendered}
    kept.close()
    assert kept.submit(kept.forget, [answer.message_id]).cancelled()  # closed: nothing runs
    assert KeptRenders(tmp_path).get_many([answer]) == {answer: rendered}


def test_opened_soon_the_file_is_ready_before_the_first_read(tmp_path: Path) -> None:
    """A window opens the cache as the core opens, so a page's first read (which it waits for
    only briefly) does not pay for making the file and the renderer's fingerprint."""
    kept = KeptRenders(tmp_path)
    assert not (tmp_path / FILE_NAME).exists()
    kept.open_soon()
    kept.submit(lambda: None).result()  # what was asked before it is done
    assert (tmp_path / FILE_NAME).exists()
    kept.close()
