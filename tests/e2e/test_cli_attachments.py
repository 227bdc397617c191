"""`chatdesk ask --attach`, attachments in `threads show --json`, and `chatdesk attachments
list|save`, through the real command."""

from __future__ import annotations

import json
from pathlib import Path

from tests.core import attachment_files as files
from tests.e2e.cli import chatdesk, chatdesk_json


def test_ask_with_files_and_save_them_back(tmp_path: Path) -> None:
    photo = tmp_path / "harbour.jpg"
    photo.write_bytes(files.photo(1600, 1200, (30, 90, 200)))
    report = tmp_path / "report.pdf"
    report.write_bytes(files.pdf(["Revenue grew by a third"]))
    answer = chatdesk_json(
        "ask", "What are these?", "--attach", str(photo), "--attach", str(report)
    )
    assert answer["status"] == "complete"
    assert "**harbour.jpg**: an image, 1600×1200 pixels, mostly blue" in answer["content"]
    assert "**report.pdf**: a PDF, 1 page, beginning “Revenue grew by a third" in answer["content"]

    shown = chatdesk_json("threads", "show", answer["thread_id"])
    attached = shown["messages"][0]["attachments"]
    assert [(a["name"], a["kind"], a["pages"]) for a in attached] == [
        ("harbour.jpg", "image", None),
        ("report.pdf", "document", 1),
    ]
    assert (attached[0]["width"], attached[0]["height"]) == (1600, 1200)

    listed = chatdesk_json("attachments", "list")
    assert {a["name"] for a in listed} == {"harbour.jpg", "report.pdf"}
    checked = chatdesk_json("db", "check")
    assert checked["attachments"] == {"missing": [], "damaged": []}
    target = tmp_path / "copy.pdf"
    saved = chatdesk("attachments", "save", attached[1]["id"], str(target))
    assert saved.returncode == 0, saved.stderr
    assert target.read_bytes() == report.read_bytes()


def test_a_file_that_cannot_be_attached_sends_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    result = chatdesk("ask", "Read this", "--attach", str(empty))
    assert result.returncode == 2
    assert "empty.pdf was not attached: it is empty (0 bytes)" in result.stderr
    assert chatdesk_json("threads", "list") == []


def test_db_check_names_a_missing_file_and_the_message_stays(
    tmp_path: Path, chatdesk_home: Path
) -> None:
    report = tmp_path / "report.pdf"
    report.write_bytes(files.pdf(["Revenue grew by a third"]))
    answer = chatdesk_json("ask", "Read it", "--attach", str(report))
    [attached] = chatdesk_json("threads", "show", answer["thread_id"])["messages"][0]["attachments"]
    sha256 = attached["sha256"]
    (chatdesk_home / "data" / "attachments" / sha256[:2] / sha256).unlink()
    result = chatdesk("db", "check")
    assert result.returncode == 1
    assert "attachments: 1 file(s) missing, 0 damaged; their messages are kept" in result.stdout
    shown = chatdesk_json("threads", "show", answer["thread_id"])
    assert shown["messages"][0]["content"] == "Read it"
    saved = chatdesk("attachments", "save", attached["id"], str(tmp_path / "again.pdf"))
    assert saved.returncode == 1
    assert "report.pdf: the bytes of attachment" in saved.stderr
    assert "are missing; the message itself is kept" in saved.stderr


def test_ask_sends_a_scans_pages_as_images_when_told(tmp_path: Path) -> None:
    scan = tmp_path / "contract.pdf"
    scan.write_bytes(files.scanned_pdf(2))
    report = tmp_path / "report.pdf"
    report.write_bytes(files.pdf(["Revenue grew by a third"]))
    answer = chatdesk_json(
        "ask", "What does it say?", "--attach", str(scan), "--attach", str(report), "--scan-pages"
    )
    assert answer["status"] == "complete"
    shown = chatdesk_json("threads", "show", answer["thread_id"])
    attached = shown["messages"][0]["attachments"]
    assert [(a["name"], a["kind"]) for a in attached] == [
        ("contract.pdf", "document"),
        ("report.pdf", "document"),  # it has text: no pages as images
        ("contract page 1.jpg", "image"),
        ("contract page 2.jpg", "image"),
    ]
    assert "**contract page 2.jpg**: an image, 1449×2048 pixels" in answer["content"]


def test_ask_says_on_stderr_which_document_was_cut_to_fit(tmp_path: Path) -> None:
    lines = "\n".join(["figures and notes on the quarter, line by line"] * 30)
    report = tmp_path / "report.pdf"  # longer than the offline model's 8,192 tokens
    report.write_bytes(files.pdf([f"Page {n} lists item {n}:\n{lines}" for n in range(1, 41)]))
    result = chatdesk("ask", "What does it cover?", "--attach", str(report), "--json")
    assert result.returncode == 0, result.stderr
    [cut] = json.loads(result.stdout)["cuts"]
    assert (cut["name"], cut["unit"], cut["total"]) == ("report.pdf", "page", 40)
    assert 1 < cut["sent"] < 40
    said = f"report.pdf was cut to fit: pages 1–{cut['sent']} of 40 sent"
    assert cut["said"] == said
    assert said in result.stderr.splitlines()
