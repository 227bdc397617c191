"""HTML's prescan for a <meta> charset and the WHATWG labels, on the bytes of pages written as
sites write them (chatdesk/core/attach/encodings.py; the whole way, through a server and the
reading child: tests/core/web/test_page_encodings.py)."""

from __future__ import annotations

import pytest

from chatdesk.core.attach.encodings import decode_page, encoding, prescan


@pytest.mark.parametrize(
    ("head", "found"),
    [
        (b'<meta charset="Shift_JIS">', "Shift_JIS"),
        (b"<META CHARSET=latin1>", "windows-1252"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "GBK"),
        (b"<meta content='text/html; charset=euc-kr' http-equiv=content-type>", "EUC-KR"),
        (b'<meta content="text/html; charset=gb2312">', None),  # no http-equiv: not a declaration
        (b'<!-- <meta charset="koi8-r"> --><meta charset="iso-8859-2">', "ISO-8859-2"),
        (b'<div title="<meta charset=koi8-r>"><meta charset="cp1251">', "windows-1251"),
        (b'<meta charset="utf-16le">', "UTF-8"),  # ASCII bytes are not UTF-16
        (b'<meta charset="x-user-defined">', "windows-1252"),
        (b'<meta charset="no-such-thing">', None),
        (b"<p>" + b"x" * 1100 + b'<meta charset="koi8-r">', None),  # past the first 1024 bytes
    ],
)
def test_the_prescan_finds_what_a_browser_finds(head: bytes, found: str | None) -> None:
    assert prescan(b"<!doctype html><html><head>" + head + b"</head><body>Hi</body>") == found


def test_labels_are_read_by_the_whatwg_table() -> None:
    assert encoding(" ISO-8859-1 ") == encoding("ascii") == "windows-1252"
    assert encoding("gb2312") == encoding("x-gbk") == "GBK"
    assert encoding("windows-31j") == "Shift_JIS"
    assert encoding("iso-2022-kr") == "replacement"
    assert encoding("utf-7") is None


def test_the_headers_charset_comes_before_the_pages_and_a_wrong_one_gives_way() -> None:
    body = '<meta charset="koi8-r"><p>Привет</p>'.encode("cp1251")
    assert decode_page(body, "windows-1251", html=True, language="en") == (
        '<meta charset="koi8-r"><p>Привет</p>',
        "",
    )
    japanese = '<meta charset="shift_jis"><p>東京</p>'
    assert decode_page(japanese.encode("cp932"), "utf-8", html=True, language="en")[0] == japanese
    assert decode_page(b"\x93quoted\x94", None, html=True, language="ar")[1] == (
        "decoded as windows-1256 (a guess)"
    )
