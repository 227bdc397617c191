"""What the profile form holds, checked field by field before anything is saved.

`ProviderProfile`'s constructor is the authority on what a profile may be (name, base URL,
plain http only to local hosts, prices); its sentences are shown as they are, next to the
field they are about. Checks it cannot make (empty fields, a name already taken, a price that
is not a number) are added here.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Collection
from dataclasses import dataclass, field

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import mark, tr
from chatdesk.core.providers.profiles import NAME_PATTERN, RESERVED_NAMES, ProviderProfile


class Field(enum.StrEnum):
    NAME = "name"
    URL = "base_url"
    PRICES = "prices"
    OTHER = "other"


@dataclass(frozen=True)
class ProfileInput:
    """The form's fields as typed."""

    name: str
    base_url: str
    default_model: str = ""
    models: str = ""  # comma-separated or one per line
    context_window: int = 0  # the model's own
    images: str = ""  # "yes" | "no" | "" (chatdesk's table of models says)
    image_max_side: int = 0  # as attached
    image_max_mb: float = 0.0
    input_price: str = ""  # "" for not set
    cached_input_price: str = ""
    output_price: str = ""
    requests_per_minute: int = 0
    monthly_cap_usd: float = 0.0  # no cap


@dataclass(frozen=True)
class Checked:
    profile: ProviderProfile | None  # None when a problem stops it
    problems: dict[Field, str] = field(default_factory=dict)


def split_models(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for part in text.replace("\n", ",").split(","):
        name = part.strip()
        if name and name not in found:
            found.append(name)
    return tuple(found)


def check_profile(typed: ProfileInput, taken: Collection[str]) -> Checked:
    """The profile the form describes, or the problems to show; `taken`: other profiles'
    names."""
    name, url = typed.name.strip(), typed.base_url.strip()
    problems = _name_and_url_problems(name, url, taken)
    prices = _prices(typed, problems)
    if problems:
        return Checked(None, problems)
    try:
        profile = ProviderProfile(
            name,
            url,
            default_model=typed.default_model.strip(),
            context_window=typed.context_window,
            images=typed.images,
            image_max_side=typed.image_max_side,
            image_max_mb=typed.image_max_mb,
            monthly_cap_usd=typed.monthly_cap_usd,
            requests_per_minute=typed.requests_per_minute,
            models=split_models(typed.models),
        )
    except ChatdeskError as error:
        return Checked(None, {Field.OTHER: str(error)})
    try:
        return Checked(_priced(profile, prices))
    except ChatdeskError as error:
        return Checked(None, {Field.PRICES: str(error)})


def _name_and_url_problems(name: str, url: str, taken: Collection[str]) -> dict[Field, str]:
    problems = {}
    name_problem = _name_problem(name, taken)
    if name_problem:
        problems[Field.NAME] = name_problem
    if not url:
        problems[Field.URL] = tr(
            "Enter the server's base URL, e.g. {example}.", example="http://localhost:11434/v1"
        )
    elif NAME_PATTERN.fullmatch(name):  # the constructor's sentences about a URL name it
        try:
            ProviderProfile(name, url)
        except ChatdeskError as error:
            problems[Field.URL] = str(error)
    return problems


def _name_problem(name: str, taken: Collection[str]) -> str:
    if not name:
        return tr("Enter a name for this provider, e.g. “{example}”.", example="ollama")
    if name in RESERVED_NAMES:
        return tr("{name} is the built-in offline provider; pick another name.", name=repr(name))
    if name in taken:
        return tr("A provider named {name} exists already; pick another name.", name=repr(name))
    if not NAME_PATTERN.fullmatch(name):
        try:
            ProviderProfile(name, "https://example.com")  # a stand-in URL: only the name counts
        except ChatdeskError as error:
            return str(error)
    return ""


_PRICE_FIELDS = (
    (
        "input_price_per_million",
        "input_price",
        mark("The input price must be a number of US dollars such as 0.15, or empty when unknown."),
    ),
    (
        "cached_input_price_per_million",
        "cached_input_price",
        mark(
            "The cached input price must be a number of US dollars such as 0.15, "
            "or empty when unknown."
        ),
    ),
    (
        "output_price_per_million",
        "output_price",
        mark(
            "The output price must be a number of US dollars such as 0.15, or empty when unknown."
        ),
    ),
)


def _priced(profile: ProviderProfile, prices: dict[str, float | None]) -> ProviderProfile:
    """`profile` at `prices`; `ProviderProfile.__post_init__` checks them again."""
    return dataclasses.replace(
        profile,
        input_price_per_million=prices["input_price_per_million"],
        cached_input_price_per_million=prices["cached_input_price_per_million"],
        output_price_per_million=prices["output_price_per_million"],
    )


def _prices(typed: ProfileInput, problems: dict[Field, str]) -> dict[str, float | None]:
    prices: dict[str, float | None] = {}
    for key, attribute, not_a_number in _PRICE_FIELDS:
        text = str(getattr(typed, attribute)).strip().removeprefix("$").strip()
        if not text:
            prices[key] = None
            continue
        try:
            prices[key] = float(text)
        except ValueError:
            problems.setdefault(Field.PRICES, tr(not_a_number))
    return prices
