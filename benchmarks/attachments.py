"""Attachments: a big photo pasted, a long PDF read, a thread full of images opened.

- Paste: a 24-megapixel photo (6000×4000) pasted into the composer of a shown window (a real
  core), until its chip shows (target < 100 ms) and until it is ready to send: scaled and
  encoded off the GUI thread, read in the reading child, stored (target < 1 s); the loop's
  stalls meanwhile (target < 16 ms at the 99th percentile, a frame). Baseline, same run: the
  same photo decoded, turned, scaled and encoded with bare Pillow in this process (what a
  client doing it inline would make the user wait).
- PDF: a 300-page PDF with a text layer (matplotlib writes it) read by the reading child, in
  pages per second, against bare pypdfium2 reading the same bytes in this process.
- A thread of 200 messages each holding an image, opened in the window until its page is shown
  and the visible thumbnails are painted, against the same thread without images (target:
  within 1.5× of it, flat in the count of images); the window process's memory with it open
  (target: ≤ 50 MB over the thread without images).
"""

from __future__ import annotations

import asyncio
import io
import os
import time
import uuid
from pathlib import Path

import psutil
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter

from benchmarks.common import (
    INFO,
    Target,
    percentile,
    ratio_target,
    report,
    running_core,
    spread,
)
from benchmarks.window import StallMeter, run_qt, shown_window, thread_shown, until
from chatdesk.app import Core
from chatdesk.core.attach.worker import Reader
from chatdesk.ui.main_window import MainWindow

CHIP = Target("< 100 ms", 100.0)
READY = Target("< 1 s", 1000.0)
STALL = Target("< 16 ms", 16.0)
MB = 1024 * 1024


def run(workdir: Path, quick: bool) -> None:
    run_qt(lambda: _measure(workdir, quick))


async def _measure(workdir: Path, quick: bool) -> None:
    async with running_core(workdir / "home") as core:
        await _pdf(30 if quick else 300)
        images = 40 if quick else 200
        with_images, plain = await _seed(core, images)
        async with shown_window(core) as window:
            await until(lambda: not window.sidebar.model.loading)
            await _paste(window, 2 if quick else 5)
            await _open(window, with_images, plain, images)


# -- paste ---------------------------------------------------------------------------------------


def _photo() -> QImage:
    image = QImage(6000, 4000, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    gradient = QLinearGradient(QPointF(0, 0), QPointF(6000, 4000))
    gradient.setColorAt(0, QColor(30, 90, 200))
    gradient.setColorAt(1, QColor(230, 140, 60))
    painter.fillRect(image.rect(), gradient)
    painter.setBrush(QColor(250, 220, 90))
    for n in range(40):
        painter.drawEllipse(QPointF(150 * n, 100 * n), 120, 120)
    painter.end()
    return image


async def _paste(window: MainWindow, runs: int) -> None:
    photo = _photo()
    encoded = _jpeg(photo)
    composer = window.composer
    chips, ready, stalls = [], [], []
    for _ in range(runs):
        composer.set_draft("", [])
        await asyncio.sleep(0.05)
        meter = StallMeter()
        meter.start()
        start = time.perf_counter()
        composer.image_pasted.emit(photo)
        shown = await until(lambda: any(c.isVisible() for c in composer._strip.chips))
        done = await until(lambda: len(composer.attachments()) == 1)
        await asyncio.sleep(0.05)
        stalls += meter.stop()
        chips.append((shown - start) * 1000)
        ready.append((done - start) * 1000)
    bare = [_bare_pillow(encoded) for _ in range(runs)]
    print(f"      ({runs} pastes of a 6000×4000 photo; baseline: bare Pillow in this process)")
    report("paste → chip shown, p50", percentile(chips, 50), None, "ms", CHIP)
    report(
        "paste → ready to send, p50",
        percentile(ready, 50),
        percentile(bare, 50),
        "ms",
        READY,
        bare="bare Pillow",
    )
    report("loop stall while pasting, p99", percentile(stalls, 99), None, "ms", STALL)
    report("loop stall while pasting, max", max(stalls), None, "ms", INFO)
    composer.set_draft("", [])


def _jpeg(image: QImage) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImageWriter

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"jpeg"))
    writer.setQuality(92)
    writer.write(image)
    return bytes(buffer.data().data())


def _bare_pillow(data: bytes) -> float:
    from PIL import Image, ImageOps

    start = time.perf_counter()
    picture = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    picture = picture.convert("RGB")
    picture.thumbnail((2048, 2048))
    picture.save(io.BytesIO(), "JPEG", quality=85)
    return (time.perf_counter() - start) * 1000


# -- PDF -----------------------------------------------------------------------------------------


async def _pdf(pages: int) -> None:
    from chatdesk.core.attach.worker import Reader
    from tests.core.attachment_files import pdf

    lines = "\n".join(f"Line {n}: the quarterly figures, region by region." for n in range(40))
    data = pdf([f"Page {page}\n{lines}" for page in range(pages)])
    reader = Reader()
    try:
        warm = await _timed_read(reader, pdf(["warm up"]))  # the child starts
        took = min([await _timed_read(reader, data) for _ in range(2)])
    finally:
        reader.close()
    bare = min(_bare_pdfium(data) for _ in range(2))
    print(f"      (a {pages}-page PDF of {len(data) / MB:.1f} MB; first read {warm:.0f} ms)")
    print(f"      ({pages / took * 1000:.0f} pages/s in the child, {pages / bare * 1000:.0f} bare)")
    report(
        f"PDF of {pages} pages read in the child",
        took,
        bare,
        "ms",
        ratio_target(1.5, "bare pypdfium2", guarded=False),
        bare="bare pypdfium2",
    )


async def _timed_read(reader: Reader, data: bytes) -> float:
    from chatdesk.core.attach.model import Limits

    start = time.perf_counter()
    result = await reader.read("file.pdf", data, Limits(max_text_chars=50_000_000), 300.0)
    assert result.pages > 0
    return (time.perf_counter() - start) * 1000


def _bare_pdfium(data: bytes) -> float:
    import pypdfium2 as pdfium

    start = time.perf_counter()
    document = pdfium.PdfDocument(data)
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        textpage.get_text_bounded()
        textpage.close()
        page.close()
    document.close()
    return (time.perf_counter() - start) * 1000


# -- a thread of images --------------------------------------------------------------------------


async def _seed(core: Core, count: int) -> tuple[uuid.UUID, uuid.UUID]:
    from tests.core.attachment_files import photo

    service = core.service
    with_images = await service.create_thread(title="images")
    plain = await service.create_thread(title="no images")
    for n in range(count):
        colour = ((n * 37) % 256, (n * 91) % 256, (n * 53) % 256)
        image = await service.attacher.attach_bytes(
            f"photo {n}.jpg", photo(800, 600, colour, gps=False)
        )
        for thread_id, attached in ((with_images.id, [image]), (plain.id, [])):
            turn = await service.send(thread_id, f"What is in photo {n}?", attachments=attached)
            await service.wait_for_answer(turn.answer.id)
    return with_images.id, plain.id


async def _open(window: MainWindow, images: uuid.UUID, plain: uuid.UUID, count: int) -> None:
    process = psutil.Process(os.getpid())
    times: dict[uuid.UUID, list[float]] = {images: [], plain: []}
    rss: dict[uuid.UUID, float] = {}
    for _ in range(3):
        for thread_id in (plain, images):
            window.show_thread(plain if thread_id == images else images)
            await asyncio.sleep(0.1)
            start = time.perf_counter()
            window.show_thread(thread_id)
            await until(lambda t=thread_id: thread_shown(window, t) and _thumbnails_in(window))
            times[thread_id].append((time.perf_counter() - start) * 1000)
            await asyncio.sleep(0.2)
            # The first open of each: the thread without images, then the thumbnails decoded
            # and kept for the one with them (the cache does not shrink on later opens).
            rss.setdefault(thread_id, process.memory_info().rss / MB)
    print(f"      (a thread of {count} messages with an image each, and without; 3 opens each)")
    report(
        "open, images shown, p50",
        percentile(times[images], 50),
        percentile(times[plain], 50),
        "ms",
        ratio_target(1.5, "no images"),
        bare="no images",
        noise=spread(times[plain], 50),
    )
    report(
        "RSS with it open, over no images",
        rss[images] - rss[plain],
        None,
        "MB",
        Target("≤ 50 MB", 50.0),
    )


def _thumbnails_in(window: MainWindow) -> bool:
    """Every image of the messages on screen has its thumbnail."""
    view = window.view
    top, bottom = (
        view.verticalScrollBar().value(),
        view.verticalScrollBar().value() + view.viewport().height(),
    )
    for widget in view.widgets:
        if widget.y() < bottom and widget.y() + widget.height() > top:
            for button in widget.attachments.buttons if widget.attachments else ():
                if button.objectName() == "attachmentImage" and button.icon().isNull():
                    return False
    return True
