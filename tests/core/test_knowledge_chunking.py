"""Passages of a document for a knowledge base: slices of its text that say where they are."""

from __future__ import annotations

import random
import re
from itertools import pairwise

import pytest

from chatdesk.core.knowledge.chunking import OVERLAP_CHARS, TARGET_CHARS, Chunk, chunks_of

# The parts' lines the extractors write; they are left out of passages.
MARKER = re.compile(r"^--- (?:Page \d+|Sheet: [^\n]*|Slide \d+) ---[ \t]*$", re.MULTILINE)
WORDS = ("the", "report", "shows", "results", "of", "a", "method", "over", "two", "years", "in")


def checked(doc: str, *, target: int = TARGET_CHARS, overlap: int = OVERLAP_CHARS) -> list[Chunk]:
    """The passages, after checking what holds for every document: each is its own slice of
    the text, trimmed, not empty, at most `target` long, in order, and together with the marker
    lines they hold every character that is not whitespace."""
    chunks = list(chunks_of(doc, target=target, overlap=overlap))
    markers = [m.span() for m in MARKER.finditer(doc)]
    for chunk in chunks:
        assert chunk.text == doc[chunk.start : chunk.end]
        assert chunk.text.strip() == chunk.text != ""
        assert len(chunk.text) <= target
        assert not any(start <= chunk.start < end for start, end in markers)
    assert [c.start for c in chunks] == sorted({c.start for c in chunks})
    assert [c.end for c in chunks] == sorted({c.end for c in chunks})
    spans = sorted([(c.start, c.end) for c in chunks] + markers)
    reached = 0
    for start, end in spans:
        assert doc[reached:start].strip() == "", f"left out: {doc[reached:start]!r}"
        reached = max(reached, end)
    assert doc[reached:].strip() == ""
    return chunks


def prose(rng: random.Random, sentences: int) -> str:
    return " ".join(
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 20))).capitalize() + "."
        for _ in range(sentences)
    )


def test_empty_and_whitespace_only_text_gives_nothing() -> None:
    assert checked("") == []
    assert checked(" \n\n\t \n" * 1000) == []


def test_a_short_document_is_one_passage_without_its_surrounding_whitespace() -> None:
    doc = "\n\n  Just one paragraph.  \n"

    assert checked(doc) == [Chunk("Just one paragraph.", 4, 23, "")]


def test_pages_are_passages_of_their_own_located_by_page_and_their_lines_left_out() -> None:
    doc = "--- Page 1 ---\nFirst page.\n\n--- Page 2 ---\n\n\n--- Page 3 ---\nThird page."

    chunks = checked(doc)

    assert [(c.text, c.location) for c in chunks] == [
        ("First page.", "page 1"),
        ("Third page.", "page 3"),
    ]


def test_sheets_and_slides_are_located_by_name_and_number() -> None:
    doc = (
        "--- Sheet: Budget 2024 ---\nItem | Cost\nRent | 1200\n\n"
        "--- Sheet: People ---\nName | Role\n\n"
        "--- Slide 4 ---\nRoadmap\nShip it"
    )

    chunks = checked(doc)

    assert [(c.text, c.location) for c in chunks] == [
        ("Item | Cost\nRent | 1200", "sheet Budget 2024"),
        ("Name | Role", "sheet People"),
        ("Roadmap\nShip it", "slide 4"),
    ]


def test_a_document_of_only_part_lines_gives_nothing() -> None:
    assert checked("--- Page 1 ---\n\n--- Page 2 ---\n\n--- Sheet: Empty ---") == []


def test_a_heading_starts_a_passage_kept_in_its_text_and_names_its_section() -> None:
    doc = "Before any heading.\n\n# Setup\n\nRun it.\n\n## Install\n\npip install chatdesk"

    chunks = checked(doc)

    assert [(c.text, c.location) for c in chunks] == [
        ("Before any heading.", ""),
        ("# Setup\n\nRun it.", "Setup"),
        ("## Install\n\npip install chatdesk", "Setup › Install"),
    ]


def test_a_heading_replaces_its_level_and_drops_the_deeper_ones() -> None:
    doc = "# Guide\nA.\n## Setup\nB.\n### Linux\nC.\n## Usage\nD.\n#### Tips\nE.\n# Appendix\nF."

    locations = [c.location for c in checked(doc)]

    assert locations == [
        "Guide",
        "Guide › Setup",
        "Guide › Setup › Linux",
        "Guide › Usage",
        "Guide › Usage › Tips",
        "Appendix",
    ]


def test_page_headings_go_on_over_a_page_break_but_not_into_a_sheet_or_slide() -> None:
    doc = (
        "--- Page 3 ---\n# Results\nText.\n## Method\nMore.\n\n--- Page 4 ---\nGoes on.\n\n"
        "--- Sheet: Data ---\na | b\n# 1 | 2\n\n--- Slide 1 ---\nHello"
    )

    locations = [c.location for c in checked(doc)]

    assert locations == [
        "page 3 › Results",
        "page 3 › Results › Method",
        "page 4 › Results › Method",
        "sheet Data",
        "sheet Data › 1 | 2",
        "slide 1",
    ]


def test_lines_that_only_look_like_headings_stay_in_their_passage() -> None:
    doc = "# Notes\n#hashtag\n####### seven\n#\n    # indented code\nEnd."

    assert checked(doc) == [Chunk(doc, 0, len(doc), "Notes")]


def test_a_heading_with_nothing_under_it_joins_the_next_one() -> None:
    doc = "# Title\n\n## Introduction\n\nThe text."

    assert checked(doc) == [Chunk(doc, 0, len(doc), "Title › Introduction")]


def test_a_heading_title_is_trimmed_unclosed_and_capped() -> None:
    doc = f"##   Setup   and   use  ##\ntext\n# {'Long ' * 40}\ntext"

    first, second = (c.location for c in checked(doc))

    assert first == "Setup and use"
    assert len(second) <= 80
    assert second.startswith("Long Long")
    assert second.endswith("…")


def test_hash_lines_inside_code_fences_are_not_headings() -> None:
    doc = (
        "# Script\n```bash\n# install it\npip install x\n```\n"
        "~~~\n## still code\n```\nnot a close\n~~~\n"
        "```code``` on a line is inline code, not a fence.\n# Next\nAfter."
    )

    chunks = checked(doc)

    assert [c.location for c in chunks] == ["Script", "Next"]
    assert "# install it" in chunks[0].text
    assert "## still code" in chunks[0].text


def test_a_page_line_ends_an_unclosed_fence() -> None:
    doc = "--- Page 1 ---\n```\n# comment\n--- Page 2 ---\n# Heading\ntext"

    assert [c.location for c in checked(doc)] == ["page 1", "page 2 › Heading"]


def test_short_paragraphs_are_packed_and_passages_end_at_a_paragraph() -> None:
    rng = random.Random(1)
    paragraphs = [prose(rng, 2) for _ in range(40)]
    doc = "\n\n".join(paragraphs)

    chunks = checked(doc)

    assert 1 < len(chunks) < len(paragraphs) / 2
    for chunk in chunks:
        assert chunk.end == len(doc) or doc[chunk.end : chunk.end + 2] == "\n\n"
        assert len(chunk.text) > TARGET_CHARS / 2 or chunk is chunks[-1]


def test_a_short_paragraph_before_a_long_one_is_not_a_passage_on_its_own() -> None:
    doc = "A short opening.\n\n" + prose(random.Random(10), 100)

    first = checked(doc)[0]

    assert first.text.startswith("A short opening.\n\n")
    assert TARGET_CHARS / 2 < len(first.text) <= TARGET_CHARS


def test_a_long_paragraph_is_cut_at_sentence_ends() -> None:
    doc = prose(random.Random(2), 200)

    chunks = checked(doc)

    assert len(chunks) > 5
    assert all(c.text.endswith(".") for c in chunks)


def test_hard_wrapped_prose_is_cut_at_sentence_ends_not_at_its_wraps() -> None:
    flowing = prose(random.Random(11), 150)
    doc = re.sub(r"(.{60,70}?) ", "\\1\n", flowing)  # lines of about 65 characters

    chunks = checked(doc)

    assert doc.count("\n") > 100
    assert all(c.text.endswith(".") for c in chunks)


def test_without_sentences_a_passage_ends_at_a_line_then_at_a_space() -> None:
    rng = random.Random(3)
    lines = "\n".join(" ".join(rng.choice(WORDS) for _ in range(12)) for _ in range(300))
    words = " ".join(rng.choice(WORDS) for _ in range(3000))

    for chunk in checked(lines)[:-1]:
        assert lines[chunk.end] == "\n"
    for chunk in checked(words)[:-1]:
        assert words[chunk.end] == " "


def test_a_sheet_is_cut_between_rows_even_when_cells_hold_sentences() -> None:
    rows = "\n".join(f"Row {n} | Paid. In full. | {n * 3}" for n in range(400))
    doc = f"--- Sheet: Ledger ---\n{rows}"

    chunks = checked(doc)

    assert len(chunks) > 5
    for chunk in chunks:
        assert chunk.text.startswith("Row ")
        assert chunk.end == len(doc) or doc[chunk.end] == "\n"


def test_passages_of_a_section_overlap_from_a_word_start() -> None:
    rng = random.Random(4)
    doc = "--- Page 1 ---\n" + " ".join(rng.choice(WORDS) for _ in range(3_000))  # no sentences

    chunks = checked(doc)

    assert len(chunks) > 10
    for before, after in pairwise(chunks):
        shared = before.end - after.start
        assert OVERLAP_CHARS - 10 <= shared <= OVERLAP_CHARS
        assert doc[after.start - 1] == " "
        assert before.text.endswith(after.text[:shared])


def test_overlap_starts_at_a_sentence_when_one_starts_early_in_it() -> None:
    rng = random.Random(12)
    doc = " ".join(
        " ".join(rng.choice(WORDS) for _ in range(6)).capitalize() + "." for _ in range(300)
    )

    chunks = checked(doc)

    for before, after in pairwise(chunks):
        assert OVERLAP_CHARS / 2 <= before.end - after.start <= OVERLAP_CHARS
        assert doc[after.start - 2 : after.start] == ". "


def test_no_overlap_across_pages_or_headings() -> None:
    rng = random.Random(5)
    doc = (
        f"--- Page 1 ---\n{prose(rng, 60)}\n\n--- Page 2 ---\n{prose(rng, 60)}\n"
        f"# Heading\n{prose(rng, 60)}"
    )

    chunks = checked(doc)

    for before, after in pairwise(chunks):
        if before.location != after.location:
            assert before.end < after.start
    assert {c.location for c in chunks} == {"page 1", "page 2", "page 2 › Heading"}


def test_overlap_is_never_more_than_half_a_passage() -> None:
    doc = prose(random.Random(6), 100)

    chunks = checked(doc, target=300, overlap=10_000)

    for before, after in pairwise(chunks):
        assert before.start + len(before.text) // 2 <= after.start < before.end


def test_no_overlap_when_asked_for_none() -> None:
    doc = prose(random.Random(7), 100)

    chunks = checked(doc, overlap=0)

    for before, after in pairwise(chunks):
        assert before.end < after.start


def test_a_two_megabyte_single_line_is_chunked() -> None:
    log = " ".join(f"GET /item/{n} 200 {n % 97}ms" for n in range(100_000))
    blob = "QUJD" * 500_000  # base64 without a space

    log_chunks = checked(log)
    blob_chunks = checked(blob)

    assert len(log) > 2_000_000
    assert len(log_chunks) > len(log) / TARGET_CHARS
    assert all(len(c.text) == TARGET_CHARS for c in blob_chunks[:-1])
    assert len(blob_chunks) == pytest.approx(len(blob) / (TARGET_CHARS - OVERLAP_CHARS), rel=0.01)


def test_chinese_without_spaces_is_cut_at_its_full_stops_near_the_target() -> None:
    rng = random.Random(8)
    sentences = ["".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(30)) for _ in range(400)]
    doc = "。".join(sentences) + "。"
    unpunctuated = "".join(sentences)

    chunks = checked(doc)
    unpunctuated_chunks = checked(unpunctuated)

    assert all(c.text.endswith("。") for c in chunks)
    assert all(len(c.text) > TARGET_CHARS - 40 for c in chunks[:-1])
    assert all(len(c.text) == TARGET_CHARS for c in unpunctuated_chunks[:-1])


def test_a_long_run_of_blank_lines_is_skipped_not_repeated() -> None:
    rng = random.Random(9)
    doc = prose(rng, 8) + "\n" * 5_000 + prose(rng, 8)

    chunks = checked(doc, target=400, overlap=100)

    for before, after in pairwise(chunks):
        assert after.end > before.end


def test_a_bad_size_is_refused() -> None:
    with pytest.raises(ValueError, match="target"):
        chunks_of("text", target=0)
    with pytest.raises(ValueError, match="overlap"):
        chunks_of("text", overlap=-1)


def random_document(rng: random.Random) -> str:
    pieces = [
        lambda: prose(rng, rng.randint(0, 30)),
        lambda: f"--- Page {rng.randint(1, 99)} ---",
        lambda: f"--- Sheet: {rng.choice(WORDS)} {rng.randint(1, 9)} ---",
        lambda: f"--- Slide {rng.randint(1, 99)} ---",
        lambda: "#" * rng.randint(1, 7) + rng.choice(["", " ", "  "]) + rng.choice(WORDS),
        lambda: rng.choice(["```", "```python", "~~~", "````", "```x```"]),
        lambda: " | ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 8))),
        lambda: "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(1, 900))),
        lambda: rng.choice(["。", "！", ". ", "? ", "!\n"]),
        lambda: "x" * rng.randint(1, 3_000),
        lambda: rng.choice(["\n", "\n\n", "\n\n\n\n", "   ", "\t", " \n \n", "\u3000"]) * 50,
    ]
    return "".join(
        rng.choice(pieces)() + rng.choice(["\n", "\n\n", " ", ""])
        for _ in range(rng.randint(0, 40))
    )


@pytest.mark.parametrize(
    ("target", "overlap"),
    [(TARGET_CHARS, OVERLAP_CHARS), (300, 60), (50, 20), (7, 3), (2, 5), (1, 0)],
)
def test_random_documents_keep_every_promise(target: int, overlap: int) -> None:
    rng = random.Random(target * 1_000 + overlap)
    for _ in range(150 if target > 10 else 25):
        checked(random_document(rng), target=target, overlap=overlap)
