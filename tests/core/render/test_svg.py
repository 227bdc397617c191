"""The SVG sanitiser (chatdesk/core/render/svg.py): hostile documents come out with nothing that
runs, loads or leaves the picture, or are refused with a reason a user can read; pictures a
model writes keep every shape they draw, the same bytes every time.

That they still draw is tests/ui/test_svg_drawing.py's to show, with Qt's own renderer."""

from __future__ import annotations

import pytest

from chatdesk.core.render.svg import MAX_REFERENCE_DEPTH, SvgRefused, sanitise_svg
from tests.core.render.hostile_corpus import KEPT, SVG_CLEANED, SVG_REFUSED, svg
from tests.core.render.svg_checks import assert_clean_svg, counts, elements
from tests.core.render.svg_samples import CHART, MERMAID

DRAWN = ("rect", "ellipse", "circle", "polyline", "path", "text", "tspan", "use", "stop")


@pytest.mark.parametrize(
    ("document", "kept"), [c[1:] for c in SVG_CLEANED], ids=[c[0] for c in SVG_CLEANED]
)
def test_a_hostile_svg_is_cleaned_and_keeps_its_shapes(document: str | bytes, kept: str) -> None:
    result = sanitise_svg(document)
    assert_clean_svg(result)
    assert kept in result


@pytest.mark.parametrize(
    ("document", "reason"), [c[1:] for c in SVG_REFUSED], ids=[c[0] for c in SVG_REFUSED]
)
def test_a_hostile_svg_is_refused_with_its_reason(document: str | bytes, reason: str) -> None:
    with pytest.raises(SvgRefused) as refused:
        sanitise_svg(document)
    assert reason in refused.value.reason
    assert str(refused.value).startswith("This SVG image cannot be shown: ")


def test_the_corpus_is_large_enough() -> None:
    assert len(SVG_CLEANED) + len(SVG_REFUSED) >= 60


@pytest.mark.parametrize("document", [CHART, MERMAID], ids=["chart", "mermaid"])
def test_a_picture_keeps_everything_it_draws(document: str) -> None:
    result = sanitise_svg(document)
    assert_clean_svg(result)
    before, after = counts(document), counts(result)
    for name in DRAWN:
        assert after[name] == before[name], name
    assert "script" not in after


def test_the_chart_keeps_its_size_paints_clips_and_markers() -> None:
    result = elements(sanitise_svg(CHART))
    root = result[0][1]
    assert (root["width"], root["height"], root["viewBox"]) == ("200", "200", "0 0 200 200")
    shapes = {name: attributes for name, attributes in result}
    assert shapes["rect"]["fill"] == "url(#bar)"
    assert "onclick" not in shapes["rect"]
    assert shapes["ellipse"]["fill"] == "url(#glow)"  # written the way Qt reads it
    assert shapes["circle"]["clip-path"] == "url(#left-half)"
    assert shapes["polyline"]["marker-end"] == "url(#arrow)"
    assert [a["xlink:href"] for name, a in result if name == "use"] == ["#dot", "#dot"]
    assert [a.get("style") for name, a in result if name == "stop"][2:] == [
        "stop-color:#ff7f0e",
        "stop-color:#d62728",
    ]
    assert "Sales by quarter" in sanitise_svg(CHART)


def test_the_flowchart_keeps_its_style_sheet() -> None:
    result = sanitise_svg(MERMAID)
    assert "#mermaid-1 .node rect{fill:#ECECFF;stroke:#9370DB;stroke-width:1px}" in result
    assert "@keyframes dash{to{stroke-dashoffset:0}}" in result
    assert 'marker-end="url(#mermaid-1_flowchart-v2-pointEnd)"' in result
    assert ">A</text>" in result
    assert ">B</text>" in result


@pytest.mark.parametrize("document", [CHART, MERMAID], ids=["chart", "mermaid"])
def test_the_same_picture_gives_the_same_bytes(document: str) -> None:
    once = sanitise_svg(document)
    assert sanitise_svg(document) == once
    assert sanitise_svg(once) == once  # cleaning again changes nothing
    assert sanitise_svg(document.encode()) == once


def test_attribute_order_and_layout_do_not_change_the_result() -> None:
    one = svg('<rect x="1" y="2"   fill="red"/>')
    other = svg('<rect fill="red"\n y="2" x="1" />')
    assert sanitise_svg(one) == sanitise_svg(other)


def test_a_utf16_file_is_read_and_written_as_text() -> None:
    document = '<?xml version="1.0" encoding="UTF-16"?>' + svg("<text>Grüße</text>")
    from_bytes = sanitise_svg(document.encode("utf-16"))
    assert ">Grüße</text>" in from_bytes
    assert "UTF-16" not in from_bytes
    assert sanitise_svg(document.encode("utf-16").decode("utf-16")) == from_bytes


def test_references_to_nothing_or_the_wrong_kind_are_dropped() -> None:
    result = sanitise_svg(
        svg(
            '<linearGradient id="g"/><use href="#missing"/><rect fill="url(#missing)"/>'
            '<circle fill="url(#kept)" r="1"/><rect clip-path="url(#g)" width="2"/>'
            '<textPath href="#g">x</textPath>'
        )
    )
    assert "missing" not in result
    assert '<circle r="1"/>' in result
    assert '<rect width="2"/>' in result
    assert "textPath" not in result


def test_an_id_given_twice_names_its_first_element() -> None:
    result = sanitise_svg(svg('<g id="a"/><g id="a"><circle r="1"/></g><use href="#a"/>'))
    assert '<g id="a"/><g><circle r="1"/></g><use xlink:href="#a"/>' in result


def test_references_are_followed_as_deep_as_allowed_and_no_deeper() -> None:
    def chain(length: int) -> str:
        links = "".join(f'<g id="c{n}"><use href="#c{n - 1}"/></g>' for n in range(1, length))
        top = f'<use href="#c{length - 1}"/>'
        return svg(f'<defs><g id="c0"><path d="M0 0h1"/></g>{links}</defs>{top}')

    assert KEPT in sanitise_svg(chain(MAX_REFERENCE_DEPTH))
    with pytest.raises(SvgRefused):
        sanitise_svg(chain(MAX_REFERENCE_DEPTH + 1))


def test_a_picture_drawing_one_part_many_times_is_kept_below_the_bound() -> None:
    dots = '<use href="#d"/>' * 2_000
    result = sanitise_svg(svg(f'<defs><circle id="d" r="1"/></defs>{dots}'))
    assert result.count("<use ") == 2_000


def test_the_reason_is_in_the_users_words() -> None:
    with pytest.raises(SvgRefused) as refused:
        sanitise_svg("x" * (3 * 1024 * 1024))
    assert str(refused.value) == "This SVG image cannot be shown: it is larger than 2.0 MB."


LOOPS = {"use of itself", "use of its group", "gradient loop"}


@pytest.mark.parametrize(
    "document",
    [c[1] for c in SVG_CLEANED if isinstance(c[1], str) and c[0] not in LOOPS],
    ids=[c[0] for c in SVG_CLEANED if isinstance(c[1], str) and c[0] not in LOOPS],
)
def test_the_check_sees_the_attack_in_the_document_as_written(document: str) -> None:
    with pytest.raises(AssertionError):
        assert_clean_svg(document)


def test_a_loop_of_references_is_cut_where_it_closes() -> None:
    documents = {name: document for name, document, _ in SVG_CLEANED if name in LOOPS}
    assert "#u" not in sanitise_svg(documents["use of itself"])
    assert "<use" not in sanitise_svg(documents["use of its group"])
    assert sanitise_svg(documents["gradient loop"]).count("xlink:href") == 1


def test_an_id_may_start_with_a_digit_as_browsers_take_it() -> None:
    result = sanitise_svg(svg('<g id="1"><circle r="1"/></g><use href="#1"/>'))
    assert '<g id="1"><circle r="1"/></g><use xlink:href="#1"/>' in result
