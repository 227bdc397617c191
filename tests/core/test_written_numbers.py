"""Numbers and sizes a person types, read as their language writes them: "1,5 GB" is one and a
half gigabytes to a German user, not fifteen (chatdesk/core/i18n.py `read_number`,
chatdesk/core/units.py `parse_size`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chatdesk.core import i18n
from chatdesk.core.units import parse_size

GB = 1024**3


@pytest.fixture
def speaking() -> Iterator[None]:
    yield
    i18n.set_language(i18n.SOURCE)


@pytest.mark.parametrize(
    ("code", "written", "value"),
    [
        ("en", "1.5", 1.5),
        ("en", "1,500", 1500),
        ("en", "1,234,567.25", 1_234_567.25),
        ("en", "2048", 2048),
        ("de", "1,5", 1.5),
        ("de", "1.500", 1500),
        ("de", "1.234.567,25", 1_234_567.25),
        ("de", "1.5", 1.5),
        ("fr", "1,5", 1.5),
        ("fr", "12\u202f345,6", 12_345.6),
        ("fr", "12 345", 12_345),
        ("es", "2,5", 2.5),
        ("ja", "1,500", 1500),
        ("ar", "١٫٥", 1.5),
        ("ar", "١٢٬٣٤٥", 12_345),
        ("ar", "1.5", 1.5),
    ],
)
def test_a_number_is_read_as_the_language_writes_it(
    code: str, written: str, value: float, speaking: None
) -> None:
    i18n.set_language(code)
    assert i18n.read_number(written) == value
    assert i18n.read_number(i18n.number(value, 2)) == value  # what it writes, it reads


@pytest.mark.parametrize("written", ["", "1.2.3,4,5", "1,,5", "one", "1e5", "-", "1,5,"])
def test_what_is_not_a_number_is_refused(written: str, speaking: None) -> None:
    i18n.set_language("de")
    with pytest.raises(ValueError, match="not a number"):
        i18n.read_number(written)


def test_a_size_in_german_is_read_with_its_decimal_comma(speaking: None) -> None:
    assert parse_size("2.5 GB") == int(2.5 * GB)
    i18n.set_language("de")
    assert parse_size("1,5 GB") == int(1.5 * GB)  # not 15 GB
    assert parse_size("1.5GiB") == int(1.5 * GB)
    assert parse_size("2.048 MB") == 2048 * 1024**2
    with pytest.raises(ValueError, match="'viel GB'"):  # said in German
        parse_size("viel GB")
    with pytest.raises(ValueError, match="'5 PB'"):
        parse_size("5 PB")
