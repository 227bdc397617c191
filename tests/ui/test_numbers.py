"""Numbers read as the user's language writes them: the core's own table of each language's
marks (chatdesk/core/i18n.py, `number`) writes what Qt's locale data writes, and an answer's
footer groups its counts and shows its cost that way, English as it always was."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale

from chatdesk.core import i18n
from chatdesk.core.units import format_cost, format_size
from chatdesk.core.views import Usage
from chatdesk.ui.conversation.labels import usage_text
from chatdesk.ui.header import short_count
from tests.ui.test_message_footer import _answer

WHOLE = (0, 7, 999, 1000, 1234, 12_345, 100_000, 1_234_567, 1_234_567_890)
DECIMAL = ((0.5, 1), (1234.5, 1), (1234.5, 2), (98_765.4321, 3), (0.000024, 6))


@pytest.fixture
def speaking() -> Iterator[None]:
    yield
    i18n.set_language(i18n.SOURCE)


@pytest.mark.parametrize("code", list(i18n.LANGUAGES))
def test_numbers_are_written_as_qt_writes_them_in_every_language(code: str, speaking: None) -> None:
    i18n.set_language(code)
    qt = QLocale(code)
    assert [i18n.number(n) for n in WHOLE] == [qt.toString(n) for n in WHOLE]
    assert [i18n.number(x, places) for x, places in DECIMAL] == [
        qt.toString(x, "f", places) for x, places in DECIMAL
    ]


@pytest.mark.parametrize(
    ("code", "count", "cost", "size", "took", "short"),
    [
        ("de", "12.345", "$1.234,50", "1,5 MB", "2,3", "135,8k"),
        ("fr", "12\u202f345", "$1\u202f234,50", "1,5 Mo", "2,3", "135,8 k"),
        # the unit a word of the sentence, not a Latin letter the number's run takes along
        ("ar", "١٢٬٣٤٥", "$١٬٢٣٤٫٥٠", "١٫٥ ميغابايت", "٢٫٣", "١٣٥٫٨ ألف"),
        ("ja", "12,345", "$1,234.50", "1.5 MB", "2.3", "135.8k"),
    ],
)
def test_an_answers_counts_and_cost_are_grouped_the_users_way(
    code: str, count: str, cost: str, size: str, took: str, short: str, speaking: None
) -> None:
    english = usage_text(_answer(Usage(12_345, 80, 1_000, 30, 1234.5)))
    assert "80 tokens out, 12,345 in (1,000 cached), 30 thinking" in english
    assert "$1,234.50" in english
    i18n.set_language(code)
    shown = usage_text(_answer(Usage(12_345, 80, 1_000, 30, 1234.5)))
    assert count in shown
    assert "12,345" not in shown or code == "ja"
    assert cost in shown
    assert took in shown  # how long it took, 2.3 s
    assert short_count(135_800) == short  # the header's
    assert format_cost(1234.5) == cost
    assert format_size(1536 * 1024) == size


@pytest.mark.parametrize(
    ("code", "written"),
    [
        ("en", "42%"),
        ("ja", "42%"),
        ("zh_CN", "42%"),
        ("de", "42\u00a0%"),
        ("es", "42\u00a0%"),
        ("fr", "42\u00a0%"),
        ("ar", "٤٢٪\u061c"),
    ],
)
def test_a_share_is_a_percentage_as_the_language_writes_it(
    code: str, written: str, speaking: None
) -> None:
    """The gauge's tooltip, `chatdesk context`, a cap's warning: "42 %" in French, with Qt's
    own percent sign for the language (Arabic's carries its letter mark)."""
    i18n.set_language(code)
    assert i18n.percent(0.42) == written
    assert i18n.percent(0.42).endswith(QLocale(code).percent())
    sign = written.removeprefix(i18n.number(42))
    assert i18n.percent(0.12345, 1) == i18n.number(12.345, 1) + sign


def test_a_provider_s_state_keeps_its_name_apart_in_arabic(speaking: None) -> None:
    from chatdesk.ui.window.provider_status import said

    assert said("openai", "ready") == "openai: ready"
    i18n.set_language("ar")
    # a Latin name set apart: its colon stays beside the state, not beyond the name's end
    assert said("openai", "جاهز") == "\u2068openai\u2069: جاهز"
