"""Reading attached files: each kind's text or pixels, and every hostile or broken file
refused with its reason. The readers are the reading child's; most tests call them directly,
the ones about bounds and crashes go through the child itself."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.core.attach.model import Limits, Unreadable
from chatdesk.core.attach.reading import read
from chatdesk.core.attach.worker import Reader, ReadFailed
from tests.core import attachment_files as files
from tests.core import shell_keys
from tests.core.shell_keys import keys_in_the_shell  # noqa: F401

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning:odf"), pytest.mark.processes]


def _pixels(data: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as picture:
        return picture.size


def test_a_photo_is_turned_upright_scaled_and_stripped_of_its_exif() -> None:
    from PIL import Image

    original = files.photo(4000, 3000, orientation=6)  # taken on its side
    assert b"Camera Maker" in original
    result = read("holiday.jpg", original, Limits())
    assert (result.kind, result.mime) == ("image", "image/jpeg")
    assert (result.width, result.height) == (1536, 2048)  # upright: taller than wide
    assert result.image is not None
    assert result.thumbnail is not None
    assert _pixels(result.image) == (1536, 2048)
    assert max(_pixels(result.thumbnail)) == Limits().thumb_side
    with Image.open(io.BytesIO(result.image)) as kept:
        assert not kept.getexif()  # no orientation, camera or GPS left
        # Turned a quarter clockwise: the ground (the bottom of the shot) is now on the left.
        assert kept.getpixel((kept.width - 10, 10))[0] > 150  # the red sky
        assert kept.getpixel((10, kept.height // 2))[0] < 60  # the dark ground
    assert b"Camera Maker" not in result.image
    assert b"Exif" not in result.image
    assert "4000×3000" in result.note


def test_an_image_with_transparency_stays_a_png_and_a_big_one_is_made_to_fit() -> None:
    result = read("logo.png", files.transparent_png(), Limits())
    assert result.mime == "image/png"
    assert (result.width, result.height) == (300, 300)
    small = read("photo.jpg", files.photo(3000, 2000, gps=False), Limits(image_max_bytes=20_000))
    assert small.image is not None
    assert len(small.image) <= 20_000


def test_the_type_comes_from_the_content_not_the_name(tmp_path: Path) -> None:
    assert read("report.pdf", files.photo(64, 64), Limits()).kind == "image"  # a lying name
    polyglot = files.photo(64, 64) + files.zip_bomb_docx(1)  # an image with a zip after it
    result = read("both.docx", polyglot, Limits())
    assert result.kind == "image"
    assert result.image is not None
    assert b"PK\x03\x04" not in result.image  # only the pixels are kept


def test_a_pdf_is_read_page_by_page_with_markers() -> None:
    result = read("plan.pdf", files.pdf(["First page words", "Second page words"]), Limits())
    assert (result.kind, result.pages, result.note) == ("document", 2, "")
    assert "--- Page 1 ---\nFirst page words" in result.text
    assert "--- Page 2 ---\nSecond page words" in result.text


def test_a_long_pdf_goes_in_part_and_says_what_was_left_out() -> None:
    pages = ["\n".join(f"Line {line} of page {n}" for line in range(12)) for n in range(1, 11)]
    result = read("long.pdf", files.pdf(pages), Limits(max_text_chars=600))
    assert result.pages == 10
    assert "--- Page 1 ---" in result.text
    assert "--- Page 10 ---" not in result.text
    assert len(result.text) <= 600
    assert "left out" in result.note
    assert "–10" in result.note


def test_a_scanned_pdf_says_it_has_no_text() -> None:
    result = read("scan.pdf", files.scanned_pdf(2), Limits())
    assert result.pages == 2
    assert result.note == "a scan: no page has a text layer"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (files.encrypted_pdf(), "encrypted"),
        (b"%PDF-1.7\n" + b"\x00garbage" * 100, "damaged"),
        (files.bomb_png(), "megapixels"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "damaged"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "none of the kinds"),
        (files.entity_docx(), "not valid XML"),
    ],
    ids=["empty", "encrypted-pdf", "corrupt-pdf", "bomb", "broken-png", "program", "entities"],
)
def test_a_bad_file_is_refused_with_its_reason(data: bytes, reason: str) -> None:
    with pytest.raises(Unreadable, match=reason):
        read("file", data, Limits())


def test_a_zip_bomb_stops_at_the_cap_not_at_its_size() -> None:
    bomb = files.zip_bomb_docx(80)
    assert len(bomb) < 1_000_000
    with pytest.raises(Unreadable, match="unpacks to more than 8 MB"):
        read("bomb.docx", bomb, Limits(max_part_bytes=8 << 20))


def test_office_and_opendocument_files_keep_their_structure(tmp_path: Path) -> None:
    words = read("plan.docx", files.docx(tmp_path / "a.docx").read_bytes(), Limits())
    assert words.kind == "document"
    assert words.mime.endswith("wordprocessingml.document")
    assert "# Quarterly plan" in words.text
    assert "## Risks" in words.text
    assert "Region | Growth\nNorth | 12%" in words.text
    sheets = read("sales.xlsx", files.xlsx(tmp_path / "b.xlsx").read_bytes(), Limits())
    assert sheets.pages == 2
    assert "--- Sheet: Sales ---\nMonth | Units\nJanuary | 120" in sheets.text
    assert "--- Sheet: Costs ---\nRent | 900.5" in sheets.text
    slides = read("deck.pptx", files.pptx(tmp_path / "c.pptx").read_bytes(), Limits())
    assert slides.pages == 2
    assert "--- Slide 1 ---\nWelcome\nAgenda for today" in slides.text
    assert "--- Slide 2 ---\nResults" in slides.text
    text = read("minutes.odt", files.odt(tmp_path / "d.odt").read_bytes(), Limits())
    assert text.mime == "application/vnd.oasis.opendocument.text"
    assert "# Minutes\n\nPresent: Ada and Grace, on time." in text.text


def test_text_in_another_encoding_is_read_and_says_it_was_a_guess() -> None:
    said = "Съешь же ещё этих мягких французских булок, да выпей чаю. "
    result = read("notes.txt", (said * 20).encode("cp1251"), Limits())
    assert result.text.startswith(said)
    assert "a guess" in result.note
    assert read("utf16.txt", "Grüße".encode("utf-16"), Limits()).text == "Grüße"


def test_a_saved_web_page_is_decoded_as_a_browser_decodes_it() -> None:
    french = "Le café crème est prêt, à côté de l’église."
    undeclared = f"<html><body><p>{french}</p></body></html>".encode("cp1252")
    page = read("menu.html", undeclared, Limits())
    assert french in page.text
    assert page.note == "decoded as windows-1252 (a guess)"
    japanese = "① 東京都は新しい橋の建設を決定しました。"
    declared = f'<html><head><meta charset="x-sjis"></head><body><p>{japanese}</p></body></html>'
    page = read("news.htm", declared.encode("cp932"), Limits())
    assert japanese in page.text
    assert page.note == ""


def test_a_web_page_keeps_text_and_links_and_drops_scripts() -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>T</title><script>alert(1)</script></head><body>"
        b"<h1>News</h1><p>Read <a href='https://example.org/a'>this</a> now.</p>"
        b"<img src='http://tracker.example/pixel.gif'><style>p{}</style></body></html>"
    )
    result = read("page.html", page, Limits())
    assert result.kind == "document"
    assert "# News" in result.text
    assert "Read this (https://example.org/a) now." in result.text
    assert "alert" not in result.text
    assert "tracker" not in result.text


@pytest.fixture
def reader() -> Iterator[Reader]:
    made = Reader()
    yield made
    made.close()


@pytest.mark.asyncio
async def test_the_child_reads_and_a_file_over_its_time_bound_is_given_up(
    reader: Reader,
) -> None:
    big = files.photo(6000, 4000, gps=False)
    with pytest.raises(ReadFailed, match="longer than"):
        await reader.read("huge.jpg", big, Limits(), bound=0.05)
    first = reader.pid
    result = await reader.read("small.png", files.transparent_png(), Limits(), bound=30)
    assert result.width == 300
    assert reader.pid != first


@shell_keys.linux_only
@pytest.mark.asyncio
@pytest.mark.usefixtures("keys_in_the_shell")
async def test_the_child_reading_an_attached_pdf_holds_none_of_the_users_keys(
    reader: Reader,
) -> None:
    result = await reader.read("report.pdf", files.pdf(["Quarterly figures"]), Limits(), bound=30)
    assert "Quarterly figures" in result.text
    shell_keys.assert_no_key_and_the_rest_kept(shell_keys.environment_of(reader.pid))


@pytest.mark.asyncio
async def test_a_child_that_died_is_replaced_for_the_next_file(reader: Reader) -> None:
    import psutil

    await reader.read("first.png", files.transparent_png(), Limits(), bound=30)
    assert reader.pid is not None
    child = psutil.Process(reader.pid)
    child.kill()
    child.wait(timeout=10)
    result = await reader.read("again.png", files.transparent_png(), Limits(), bound=30)
    assert result.kind == "image"
    assert reader.pid not in (None, child.pid)


def test_a_scans_pages_are_drawn_as_images_when_asked() -> None:
    from PIL import Image

    limits = Limits(render_pages=2, image_max_side=512)
    result = read("scan.pdf", files.scanned_pdf(3), limits)
    assert result.note == "a scan: no page has a text layer"
    assert [(p.kind, p.mime, p.height) for p in result.page_images] == [
        ("image", "image/jpeg", 512),
        ("image", "image/jpeg", 512),
    ]
    first = result.page_images[0]
    assert first.image is not None
    assert first.thumbnail is not None
    with Image.open(io.BytesIO(first.image)) as drawn:
        assert drawn.size == (first.width, 512)
        assert abs(drawn.width / 512 - 8.27 / 11.69) < 0.01  # an A4 page, upright
    assert read("scan.pdf", files.scanned_pdf(3), Limits()).page_images == ()  # not asked


def test_a_photo_only_turned_upright_is_not_said_to_be_scaled() -> None:
    result = read("small.jpg", files.photo(800, 600, orientation=6), Limits())
    assert (result.width, result.height) == (600, 800)
    assert result.note == ""
