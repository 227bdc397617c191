"""`chatdesk web read` of a page that declares no encoding, run as a user runs it against a
real server on 127.0.0.1: the page is read in the default of the user's language, as a
browser reads it (windows-1252 for English, Shift_JIS for Japanese, GBK for Chinese,
windows-1256 for Arabic), and the note on stderr says the encoding was a guess."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.web.test_page_encodings import CHINESE, FRENCH, JAPANESE, page
from tests.core.web.web_server import FakeWeb
from tests.e2e.cli import chatdesk

ARABIC = "صوّت المجلس يوم الثلاثاء على بناء جسر جديد فوق النهر."


@pytest.fixture
def web(chatdesk_home: Path) -> Iterator[FakeWeb]:
    server = FakeWeb().start()
    yield server
    server.close()


@pytest.mark.parametrize(
    ("language", "words", "codec", "encoding"),
    [
        ("en", FRENCH, "cp1252", "windows-1252"),
        ("ja", JAPANESE, "cp932", "Shift_JIS"),
        ("zh_CN", CHINESE, "gbk", "GBK"),
        ("ar", ARABIC, "cp1256", "windows-1256"),
    ],
    ids=["en", "ja", "zh_CN", "ar"],
)
def test_a_page_that_declares_nothing_is_read_in_the_default_of_the_users_language(
    web: FakeWeb, language: str, words: str, codec: str, encoding: str
) -> None:
    url = web.route("/page", body=page(words, codec), headers={"Content-Type": "text/html"})
    env = {"CHATDESK_WEB_ALLOW_PRIVATE": web.allow, "CHATDESK_UI_LANGUAGE": language}

    shown = chatdesk("web", "read", url, env=env)

    assert shown.returncode == 0, shown.stderr
    assert words in shown.stdout
    assert encoding in shown.stderr
