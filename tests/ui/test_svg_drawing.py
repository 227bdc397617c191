"""A sanitised SVG still draws what the model drew, in Qt's own SVG renderer (the one the
window will draw it with): the chart's bars, gradients, marker and symbols and the flowchart's
boxes in its style sheet's colours are where they were, with nothing drawn where nothing was,
and Qt has nothing to warn about (a warning fails the test). The originals are not drawn
beside them: Qt cannot read the chart's `url('#glow')` and says so, which the sanitiser
writes as `url(#glow)`."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from chatdesk.core.render.svg import sanitise_svg
from tests.core.render.hostile_corpus import SVG_CLEANED
from tests.core.render.svg_samples import (
    CHART,
    CHART_EMPTY,
    CHART_INKED,
    MERMAID,
    MERMAID_EMPTY,
    MERMAID_INKED,
)


def drawn(document: str, width: int, height: int) -> QImage:
    renderer = QSvgRenderer(QByteArray(document.encode()))
    assert renderer.isValid()
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)  # transparent: any ink shows as alpha
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


@pytest.mark.parametrize(
    ("document", "size", "inked", "empty"),
    [
        (CHART, (200, 200), CHART_INKED, CHART_EMPTY),
        (MERMAID, (200, 120), MERMAID_INKED, MERMAID_EMPTY),
    ],
    ids=["chart", "mermaid"],
)
def test_a_cleaned_picture_draws_where_the_original_does(
    qapp: QApplication,
    document: str,
    size: tuple[int, int],
    inked: list[tuple[int, int]],
    empty: list[tuple[int, int]],
) -> None:
    cleaned = drawn(sanitise_svg(document), *size)
    for x, y in inked:
        assert cleaned.pixelColor(x, y).alpha() > 0, (x, y)
    for x, y in empty:
        assert cleaned.pixelColor(x, y).alpha() == 0, (x, y)


def test_the_flowchart_boxes_take_their_style_sheets_colour(qapp: QApplication) -> None:
    image = drawn(sanitise_svg(MERMAID), 200, 120)
    assert image.pixelColor(15, 50) == QColor(0xEC, 0xEC, 0xFF)


def test_the_chart_bar_is_painted_by_its_gradient(qapp: QApplication) -> None:
    image = drawn(sanitise_svg(CHART), 200, 200)
    top, bottom = image.pixelColor(40, 105), image.pixelColor(40, 175)
    assert top.blue() > top.green()  # the gradient's first stop, blue
    assert bottom.green() > bottom.blue()  # its last, green


@pytest.mark.parametrize(
    "document",
    [c[1] for c in SVG_CLEANED],
    ids=[c[0] for c in SVG_CLEANED],
)
def test_a_cleaned_hostile_picture_draws_its_kept_shape(
    qapp: QApplication, document: str | bytes
) -> None:
    image = drawn(sanitise_svg(document), 100, 100)
    assert image.pixelColor(5, 5) == QColor(0, 0, 0xFF)
