"""What the profile form accepts, checked without a window."""

from __future__ import annotations

import pytest

from chatdesk.ui.settings.profile_check import Field, ProfileInput, check_profile, split_models


def test_a_complete_form_makes_a_profile() -> None:
    typed = ProfileInput(
        " gpu-box ",
        " http://192.168.1.20:8000/v1 ",
        default_model="qwen2.5",
        models="a, b\nc,, a",
        context_window=32_768,
        input_price="$0.15",
        cached_input_price="",
        output_price="0.6",
        requests_per_minute=30,
    )
    checked = check_profile(typed, taken=("other",))
    assert checked.problems == {}
    profile = checked.profile
    assert profile is not None
    assert (profile.name, profile.base_url) == ("gpu-box", "http://192.168.1.20:8000/v1")
    assert profile.models == ("a", "b", "c")
    assert (profile.input_price_per_million, profile.output_price_per_million) == (0.15, 0.6)
    assert profile.cached_input_price_per_million is None  # empty: not known
    assert profile.plain_http


def test_name_and_address_problems_are_reported_together() -> None:
    checked = check_profile(ProfileInput("", ""), taken=())
    assert checked.profile is None
    assert set(checked.problems) == {Field.NAME, Field.URL}


@pytest.mark.parametrize(
    ("name", "url", "field", "expected"),
    [
        ("bad name", "https://example.com/v1", Field.NAME, "A provider name must be"),
        ("mock", "https://example.com/v1", Field.NAME, "built-in offline provider"),
        ("taken", "https://example.com/v1", Field.NAME, "exists already"),
        ("ok", "example.com/v1", Field.URL, "must start with http://"),
        ("ok", "http://8.8.8.8/v1", Field.URL, "use https:// for 8.8.8.8"),
    ],
)
def test_problems_name_their_field(name: str, url: str, field: Field, expected: str) -> None:
    checked = check_profile(ProfileInput(name, url), taken=("taken",))
    assert checked.profile is None
    assert expected in checked.problems[field]


@pytest.mark.parametrize(("price", "expected"), [("-0.5", "0 or more"), ("free", "a number")])
def test_prices_must_be_amounts(price: str, expected: str) -> None:
    checked = check_profile(ProfileInput("ok", "https://x.example/v1", output_price=price), ())
    assert expected in checked.problems[Field.PRICES]


def test_models_are_split_on_commas_and_lines() -> None:
    assert split_models(" x ,\ny\n\n,x") == ("x", "y")
