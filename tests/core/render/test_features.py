"""What a user sees in a formatted answer: each markdown feature the models use."""

from __future__ import annotations

import re

import pytest

from chatdesk.core.render import RenderOptions, render_markdown, render_plain
from chatdesk.core.render.document_colours import DOCUMENT
from chatdesk.core.render.model import ReadingType
from chatdesk.core.render.palette import Palette
from tests.core.render.html_checks import assert_safe, hrefs, read, visible_text
from tests.core.render.looks import NIGHT


def tags_of(html: str) -> list[str]:
    return [tag for tag, _ in read(html).tags]


def _cells(html: str) -> list[tuple[str, dict[str, str | None]]]:
    return [(tag, attrs) for tag, attrs in read(html).tags if tag in ("th", "td")]


def test_table_has_a_shaded_header_and_rules_but_no_grid() -> None:
    text = "| Name | Cost |\n|:--|--:|\n| tea | 4 |\n| cake | 12 |\n| pie | 7 |\n"
    rendered = render_markdown(f"Prices:\n\n{text}\nThat is all.")
    table = next(attrs for tag, attrs in read(rendered.html).tags if tag == "table")
    assert (table["border"], table["cellspacing"]) == ("0", "0")  # no grid around every cell
    room = ReadingType().block
    assert f"margin-top: {room}px; margin-bottom: {room}px" in (table["style"] or "")
    cells = _cells(rendered.html)
    grounds = [attrs.get("bgcolor") for _, attrs in cells]
    head = DOCUMENT.table_head
    assert grounds == [head, head, *[None] * 6]  # the header row shaded, rows 1, 2, 3 not
    down, across = ReadingType().cell
    assert all(f"padding: {down}px {across}px" in (attrs["style"] or "") for _, attrs in cells)
    header_rule = f"border-bottom: 2px solid {DOCUMENT.border}"  # a firmer rule under it
    rule = f"border-bottom: 1px solid {DOCUMENT.border}"
    assert all(header_rule in (attrs["style"] or "") for _, attrs in cells[:2])
    assert all(rule in (attrs["style"] or "") for _, attrs in cells[2:])  # under every row
    assert "border-collapse" not in rendered.html  # triples the cost of every paint
    assert [attrs["align"] for _, attrs in cells[:4]] == ["left", "right", "left", "right"]
    assert visible_text(rendered.html) == "Prices:NameCosttea4cake12pie7That is all."


def test_a_tables_shades_are_the_palettes() -> None:
    html = render_markdown("| a |\n|---|\n| 1 |\n| 2 |\n", RenderOptions(palette=NIGHT)).html
    grounds = {attrs.get("bgcolor") for _, attrs in _cells(html)} - {None}
    assert grounds == {NIGHT.table_head}


def _table(rows: int, columns: int) -> str:
    """A markdown table of `rows` body rows; cell text names its row and column."""
    head = "|" + "|".join(f"h{c}" for c in range(columns)) + "|\n"
    rule = "|" + "|".join("---" for _ in range(columns)) + "|\n"
    body = "".join("|" + "|".join(f"r{r}c{c}" for c in range(columns)) + "|\n" for r in range(rows))
    return head + rule + body


def _tables(html: str) -> int:
    return tags_of(html).count("table")


def test_a_table_within_the_bound_is_a_table() -> None:
    rendered = render_markdown(_table(19, 6))  # 20 rows of 6 with the header: 120 cells
    assert _tables(rendered.html) == 1
    assert "r18c5" in visible_text(rendered.html)
    assert rendered.code_blocks == ()


@pytest.mark.parametrize(("rows", "columns"), [(3, 2_000), (1_000, 3), (2, 13)])
def test_a_table_past_the_bound_is_aligned_text_with_every_cell(rows: int, columns: int) -> None:
    # Qt would lay a 3 × 2,000 table out for about a second on the GUI thread.
    rendered = render_markdown("Before\n\n" + _table(rows, columns) + "\nAfter")
    assert _tables(rendered.html) == 0
    assert "<pre" in rendered.html
    text = visible_text(rendered.html)
    assert f"table · {rows:,} rows × {columns:,} columns, shown as text" in text
    for cell in ("h0", f"h{columns - 1}", "r0c0", f"r{rows - 1}c{columns - 1}"):
        assert cell in text
    assert text.index("Before") < text.index("r0c0") < text.index("After")
    assert hrefs(rendered.html) == ["chatdesk:copy-code/0"]
    [copied] = rendered.code_blocks  # Copy gives tab-separated values, header first
    lines = copied.split("\n")
    assert len(lines) == rows + 1
    assert lines[0].split("\t") == [f"h{c}" for c in range(columns)]
    assert lines[-1].split("\t")[-1] == f"r{rows - 1}c{columns - 1}"
    assert_safe(rendered)


def test_the_text_table_keeps_its_columns_aligned() -> None:
    rendered = render_markdown(_table(70, 3).replace("r1c0", "a much longer cell"))
    lines = visible_text(rendered.html).split("Copy", 1)[1].split("\n")
    header = next(line for line in lines if line.startswith("h0"))
    first = next(line for line in lines if line.startswith("r0c0"))
    second = next(line for line in lines if line.startswith("a much longer cell"))
    assert header.index("h1") == first.index("r0c1") == second.index("r1c1")


def test_rows_too_wide_to_align_are_not_padded() -> None:
    rendered = render_markdown(_table(2, 40))  # would wrap on any screen: padding is waste
    lines = visible_text(rendered.html).split("Copy", 1)[1].split("\n")
    assert lines[0] == " | ".join(f"h{c}" for c in range(40))
    assert lines[2] == " | ".join(f"r1c{c}" for c in range(40))


def test_the_cell_budget_is_per_message() -> None:
    two = _table(14, 10) + "\nbetween\n\n" + _table(14, 10)  # 150 cells each
    rendered = render_markdown(two)
    assert _tables(rendered.html) == 1  # the first as a table, the second as text
    assert rendered.html.index("<table") < rendered.html.index("<pre")
    assert "r13c9" in rendered.code_blocks[0]


@pytest.mark.parametrize("indent", ["  ", "    "])
def test_nested_lists_with_two_or_four_space_indents(indent: str) -> None:
    text = f"- fruit\n{indent}- apple\n{indent}{indent}- green\n- veg\n"
    html = render_markdown(text).html
    assert html.count("<ul") == 3
    assert re.search(
        r"<li[^>]*>fruit<ul[^>]*><li[^>]*>apple<ul[^>]*><li[^>]*>green</li></ul>", html
    )


def test_ordered_list_keeps_its_start_number() -> None:
    html = render_markdown("3. third\n4. fourth\n").html
    assert '<ol start="3"' in html


def _bars(html: str, palette: Palette = DOCUMENT) -> int:
    """The quote bars in `html`: narrow cells filled with the palette's bar colour."""
    return sum(
        1
        for tag, attrs in read(html).tags
        if tag == "td" and attrs.get("bgcolor") == palette.quote_bar and attrs.get("width") == "3"
    )


def test_a_quote_has_a_coloured_bar_beside_its_muted_text() -> None:
    html = render_markdown("Said:\n\n> outer\n> > inner\n\nAfter.").html
    assert _bars(html) == 2  # one beside the quote, one beside the quote inside it
    assert f"color: {DOCUMENT.muted}" in html
    assert visible_text(html) == "Said:outerinnerAfter."
    assert _bars(render_markdown("> night").html, NIGHT) == 0
    assert _bars(render_markdown("> night", RenderOptions(palette=NIGHT)).html, NIGHT) == 1


def test_quotes_nested_deep_are_indented_past_two_bars() -> None:
    html = render_markdown(">" * 40 + " deep").html
    assert _bars(html) == 2  # a table in a table in ... would be laid out over and over
    assert html.count("<blockquote") == 38
    assert visible_text(html) == "deep"


def test_task_lists_are_characters_not_inputs() -> None:
    html = render_markdown("- [ ] buy milk\n- [x] pay rent\n").html
    assert "☐ buy milk" in html
    assert "☑ pay rent" in html
    assert "<input" not in html
    assert "list-style-type: none" in html  # a list of tasks only has no bullets


def test_mixed_task_list_keeps_bullets() -> None:
    html = render_markdown("- [x] done\n- plain item\n").html
    assert "☑ done" in html
    assert "list-style-type: none" not in html


def test_strikethrough_emphasis_and_inline_code() -> None:
    html = render_markdown("~~gone~~ *it* **bold** `x < y`").html
    assert "<s>gone</s>" in html
    assert "<i>it</i>" in html
    assert "<b>bold</b>" in html
    assert re.search(r"<code style=\"background-color: #[0-9a-f]{6}\">x &lt; y</code>", html)


def test_headings_are_sized_moderately() -> None:
    html = render_markdown("# One\n\n## Two\n\n#### Four\n").html
    assert '<h1 style="font-size: x-large' in html
    assert '<h2 style="font-size: large' in html
    assert '<h4 style="font-size: medium' in html


def test_raw_html_is_shown_as_text() -> None:
    rendered = render_markdown('Hello <b>there</b>\n\n<div onclick="x()">block</div>\n')
    assert "<b>there</b>" not in rendered.html
    assert "&lt;b&gt;there&lt;/b&gt;" in rendered.html
    assert '<div onclick="x()">block</div>' in visible_text(rendered.html)


# -- code ----------------------------------------------------------------------------------------


def test_fenced_code_has_label_copy_anchor_and_inline_colours() -> None:
    text = "Intro\n\n```python\ndef f(x):\n    return x  # <b>\n```\n\n```js\nlet a = 1;\n```\n"
    rendered = render_markdown(text)
    assert rendered.code_blocks == ("def f(x):\n    return x  # <b>", "let a = 1;")
    assert hrefs(rendered.html) == ["chatdesk:copy-code/0", "chatdesk:copy-code/1"]
    assert re.search('>python\xa0+<a href="chatdesk:copy-code/0"', rendered.html)
    assert re.search('>js\xa0+<a href="chatdesk:copy-code/1"', rendered.html)
    assert re.search(r'<span style="color: #[0-9A-Fa-f]{6}; font-weight: bold">def', rendered.html)
    assert "class=" not in rendered.html
    assert "# &lt;b&gt;" in rendered.html
    assert_safe(rendered)


def test_code_colours_follow_the_palette() -> None:
    text = "Run `ls`:\n\n```python\nimport os\n```"
    document = render_markdown(text).html  # without a window: the document's colours
    night = render_markdown(text, RenderOptions(palette=NIGHT)).html
    for palette, html in ((DOCUMENT, document), (NIGHT, night)):
        assert f'bgcolor="{palette.code_background}"' in html
        assert f'bgcolor="{palette.code_header_background}"' in html
        assert f"color: {palette.code_text}" in html
        assert palette.inline_code_background in html
    assert re.findall(r"color: #\w+", document) != re.findall(r"color: #\w+", night)


def test_a_window_that_draws_codes_grounds_gets_none_of_them() -> None:
    """The window draws code blocks' cards, code chips and the tables' header rows itself
    (rounded, under the chips, chatdesk/ui/conversation/grounds.py): the HTML leaves their
    grounds to it, marking the chips and header cells `transparent`."""
    text = "Run `ls`:\n\n```python\nimport os\n```\n\n| `id` | name |\n|---|---|\n| 1 | a |\n"
    drawn = RenderOptions(reading=ReadingType(grounds_drawn=True))
    html = render_markdown(text, drawn).html
    for colour in (DOCUMENT.code_background, DOCUMENT.code_header_background):
        assert colour not in html
    assert DOCUMENT.inline_code_background not in html
    assert DOCUMENT.table_head not in html
    assert html.count("background-color: transparent") == 2  # `ls` and `id`
    table = [attrs.get("bgcolor") for _, attrs in _cells(html)][-4:]  # after the code's
    assert table == ["transparent"] * 2 + [None] * 2
    assert f"color: {DOCUMENT.code_text}" in html  # the code's own colours stay


def test_the_reading_types_sizes_set_the_answer() -> None:
    reading = ReadingType(
        text_px=20, code_pt=13.5, line_height=160, code_line_height=140, paragraph=15, item=5
    )
    text = "Words `x`.\n\n- one\n- two\n\n```\ncode\n```"
    html = render_markdown(text, RenderOptions(reading=reading)).html
    assert '<p style="margin-top: 0; margin-bottom: 15px; line-height: 160%">' in html
    assert '<li style="margin-bottom: 5px; line-height: 160%">' in html
    assert html.count("font-size: 13.5pt") == 3  # the chip, the code, the code block's head
    assert "line-height: 140%" in html  # the code's lines


# A sample that drives most lexers through many token types: keywords, numbers in several
# notations, strings, atoms, comments, operators, punctuation and names.
_LEXER_SAMPLE = (
    "SELECT 'a', $$b$$, :atom, 0x1F, 1.5e3, 42 FROM t; -- note\n"
    "def f(x): return x + 1  # c\n"
    'c4 d8 e\' \\relative { a4 } <x y="1"/> /* block */ `tick` @dec ?var %pct\n'
)


@pytest.mark.slow("imports each of Pygments' 600 lexers and formats a block with it")
@pytest.mark.parametrize("palette", [DOCUMENT, NIGHT], ids=["document", "night"])
def test_every_installed_lexer_formats_its_block_in_each_palette(palette: Palette) -> None:
    from pygments.lexers import get_all_lexers

    failed: list[str] = []
    for _name, aliases, _files, _mimes in get_all_lexers():
        if not aliases:
            continue
        text = f"Before\n\n```{aliases[0]}\n{_LEXER_SAMPLE}```\n\nAfter"
        try:
            rendered = render_markdown(text, RenderOptions(palette=palette))
        except Exception as error:  # any lexer that breaks the message is reported by name
            failed.append(f"{aliases[0]}: {error!r}")
            continue
        if rendered.plain or "After" not in visible_text(rendered.html):
            failed.append(f"{aliases[0]}: shown as plain text")
    assert failed == []


@pytest.mark.parametrize("palette", [DOCUMENT, NIGHT], ids=["document", "night"])
def test_tokens_missing_from_the_style_take_their_parents_colours(palette: Palette) -> None:
    # PostgreSQL's lexer emits String.Name and LilyPond's emits Token.Pitch, which the
    # styles do not list: they are coloured as their nearest listed parent.
    sql = render_markdown(
        '```postgresql\nSELECT "name" FROM t;\n```', RenderOptions(palette=palette)
    )
    assert not sql.plain
    assert re.search(r'<span style="color: #[0-9A-Fa-f]{6}[^"]*">SELECT', sql.html)
    lilypond = "```lilypond\n\\relative { c4 d e }\n```"
    notes = render_markdown(lilypond, RenderOptions(palette=palette))
    assert not notes.plain
    assert "c4 d e" in visible_text(notes.html).replace("\n", " ")


def test_code_block_numbers_start_at_the_offset() -> None:
    rendered = render_markdown("```\na\n```", RenderOptions(code_block_offset=4))
    assert hrefs(rendered.html) == ["chatdesk:copy-code/4"]


def test_unknown_language_and_indented_code_are_plain_monospace() -> None:
    rendered = render_markdown("```nosuchlanguage\nx = 1\n```\n\n    indented\n")
    assert "<span" not in rendered.html
    assert rendered.html.count("<pre") == 2
    assert re.search(">nosuchlanguage\xa0+<a", rendered.html)
    assert re.search(">code\xa0+<a", rendered.html)  # no language given
    assert rendered.code_blocks == ("x = 1", "indented")


def test_big_code_blocks_are_not_highlighted() -> None:
    big = "x = 1\n" * 6_000  # 36 KB, over the highlighting cap
    long_line = "y = '" + "a" * 2_500 + "'"
    for code in (big, long_line):
        html = render_markdown(f"```python\n{code}\n```").html
        assert "<span" not in html
        assert "chatdesk:copy-code/0" in html


# -- math ----------------------------------------------------------------------------------------


def image_sources(html: str) -> list[str]:
    return [attrs["src"] or "" for tag, attrs in read(html).tags if tag == "img"]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Energy $E = mc^2$ here", 1),
        ("Roots: \\(x^2 - 1\\) and \\[x = \\pm 1\\]", 2),
        ("$$\n\\int_0^1 x\\,dx = \\frac{1}{2}\n$$\n", 1),
        ("\\[\n\\sum_{n=1}^{\\infty} \\frac{1}{n^2}\n\\]\n", 1),
        ("$$\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}$$", 1),
    ],
)
def test_math_becomes_images_named_in_images(text: str, count: int) -> None:
    rendered = render_markdown(text)
    sources = image_sources(rendered.html)
    assert len(sources) == count
    for source in sources:
        assert source.startswith("math:")
        assert rendered.images[source].startswith(b"\x89PNG\r\n\x1a\n")
    assert_safe(rendered)


def test_display_math_is_centred_on_its_own_line() -> None:
    html = render_markdown("Before\n\n$$\na^2 + b^2 = c^2\n$$\n\nAfter").html
    assert re.search(r'<p align="center"[^>]*><img src="math:[0-9a-f]{17,}@1x\.png"', html)


def test_math_colour_follows_the_palette() -> None:
    document = render_markdown("$x$").images
    night = render_markdown("$x$", RenderOptions(palette=NIGHT)).images
    assert document.keys() != night.keys()


@pytest.mark.parametrize(
    "text",
    [
        "It costs $4 and $5 today.",
        "Prices: $4.99, $10, and $1,000.",
        "between $5-$10 per item",
        "I paid $20 and you paid $30.",
        "A lone $ sign",
        "Escaped \\$x\\$ stays text",
    ],
)
def test_currency_stays_text(text: str) -> None:
    rendered = render_markdown(text)
    assert rendered.images == {}
    assert "<img" not in rendered.html
    expected = text.replace("\\$", "$")
    assert visible_text(rendered.html) == expected


def test_formula_mathtext_cannot_draw_is_shown_as_source() -> None:
    rendered = render_markdown("Bad $\\frac{a}{$ and good $b$")
    assert "<code>\\frac{a}{</code>" in rendered.html
    assert len(rendered.images) == 1


# -- images and links ----------------------------------------------------------------------------


def test_remote_image_is_a_placeholder_until_loaded() -> None:
    rendered = render_markdown("![chart](https://img.example.com/c.png?q=secret)")
    assert rendered.remote_images == ("https://img.example.com/c.png?q=secret",)
    assert "<img" not in rendered.html
    assert "[image: chart — from img.example.com]" in visible_text(rendered.html)
    assert hrefs(rendered.html) == ["chatdesk:load-images"]


PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_loaded_remote_image_is_embedded_by_resource_name() -> None:
    url = "https://img.example.com/c.png"
    options = RenderOptions(load_remote_images=True, remote_image_data={url: PNG_1x1})
    rendered = render_markdown(f"![chart]({url})", options)
    (source,) = image_sources(rendered.html)
    assert rendered.images[source] == PNG_1x1
    assert rendered.remote_images == (url,)
    assert_safe(rendered)


def test_loaded_bytes_that_are_not_an_image_are_not_embedded() -> None:
    url = "https://img.example.com/c.png"
    options = RenderOptions(load_remote_images=True, remote_image_data={url: b"<html>"})
    rendered = render_markdown(f"![chart]({url})", options)
    assert rendered.images == {}
    assert "not a supported image" in visible_text(rendered.html)


def test_images_are_not_embedded_unless_loading_was_asked_for() -> None:
    url = "https://img.example.com/c.png"
    rendered = render_markdown(f"![c]({url})", RenderOptions(remote_image_data={url: PNG_1x1}))
    assert rendered.images == {}


@pytest.mark.parametrize(
    "url",
    [
        "/etc/passwd",
        "/dev/zero",
        "file:///etc/passwd",
        "pic.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "javascript:alert(1)",
        "//evil.example/p.png",
    ],
)
def test_local_images_are_text_and_never_requested(url: str) -> None:
    rendered = render_markdown(f"![secret]({url})")
    assert "<img" not in rendered.html
    assert rendered.remote_images == ()
    assert visible_text(rendered.html) == "[image: secret]"


def test_links_open_only_for_web_and_mail() -> None:
    text = "[a](https://a.example) [m](mailto:x@y.example) [f](file:///etc/passwd) [r](notes.md)"
    rendered = render_markdown(text)
    assert hrefs(rendered.html) == ["https://a.example", "mailto:x@y.example"]
    shown = visible_text(rendered.html)
    assert "f (file:///etc/passwd)" in shown
    assert "r (notes.md)" in shown


def test_a_mail_link_reaches_the_document_without_a_file_to_attach() -> None:
    rendered = render_markdown(
        "[mail me](mailto:a@b.example?attach=/home/me/.ssh/id_rsa&subject=x)"
    )
    assert hrefs(rendered.html) == ["mailto:a@b.example?subject=x"]


def test_refused_autolinks_show_just_their_address() -> None:
    rendered = render_markdown("<file:///etc/passwd> and <javascript:alert(1)>")
    assert hrefs(rendered.html) == []
    assert visible_text(rendered.html) == "file:///etc/passwd and javascript:alert(1)"


def test_model_written_action_anchors_do_not_become_links() -> None:
    html = render_markdown("[click](chatdesk:load-images) [copy](chatdesk:copy-code/0)").html
    assert hrefs(html) == []


def test_bidi_overrides_are_removed_from_link_text() -> None:
    html = render_markdown("[\u202egnp.exe](https://a.example)").html
    assert "\u202e" not in html
    assert "gnp.exe" in html


# -- plain ---------------------------------------------------------------------------------------


def test_plain_rendering_escapes_and_keeps_line_breaks() -> None:
    rendered = render_plain("a <b>\r\nc\n\nd\0", "too long to format")
    assert rendered.plain
    assert rendered.reason == "too long to format"
    assert "a &lt;b&gt;<br>c<br><br>d\ufffd" in rendered.html
    assert "Shown as plain text: too long to format." in visible_text(rendered.html)
    assert tags_of(render_plain("x").html) == ["p"]


def test_plain_rendering_shows_a_run_of_blank_lines_as_one() -> None:
    rendered = render_plain("top\n" + " \n" * 50_000 + "bottom", "took too long to format")
    assert "top<br><br>bottom" in rendered.html
    assert rendered.html.count("<br>") == 2


def test_an_answer_of_blank_lines_is_formatted() -> None:
    for blank_lines in (10_000, 50_000):
        rendered = render_markdown("Above\n" + "\n" * blank_lines + "Below")
        assert not rendered.plain
        assert visible_text(rendered.html) == "AboveBelow"
        assert tags_of(rendered.html) == ["p", "p"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("word " * 50_000, "too long to format (250,000 characters)"),
        ("x" * 30_000, "a line is too long to format"),
        ("> " * 60 + "deep", "nested too deeply to format"),
        ("\n".join("  " * depth + "- item" for depth in range(80)), "nested too deeply to format"),
        ("- item\n" * 12_000, "too many lines to format"),
        ("| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 8_000, "too many lines to format"),
    ],
)
def test_pathological_inputs_are_plain_with_a_reason(text: str, reason: str) -> None:
    rendered = render_markdown(text)
    assert rendered.plain
    assert rendered.reason == reason


def test_separator_lines_are_not_mistaken_for_nesting() -> None:
    assert not render_markdown("text\n\n" + "-" * 120 + "\n\n" + "=" * 120).plain


def test_long_fenced_code_is_not_counted_as_structure() -> None:
    rendered = render_markdown("Listing:\n\n```\n" + "print(1)\n" * 12_000 + "```\n\nDone.")
    assert not rendered.plain
    assert rendered.code_blocks[0].count("\n") == 11_999


def test_pictures_are_named_by_their_bytes() -> None:
    """The same picture, the same name (a formula used twice is one resource); different
    pictures, different names, also across the pieces of a streamed message."""
    first = render_markdown("$x^2$ and again $x^2$, then $y^2$")
    names = image_sources(first.html)
    assert len(names) == 3
    assert names[0] == names[1] != names[2]
    assert render_markdown("$x^2$").images.keys() == {names[0]}
