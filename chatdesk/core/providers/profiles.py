"""Where an OpenAI-compatible provider lives and how to talk to it.

A `ProviderProfile` is plain data: the base URL, the key, the model to start with and what
the model costs. Presets cover the usual servers; `profile_from_env` reads the variables the
openai tools themselves honour, so a key already set up for them works here too.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.i18n import mark, tr
from chatdesk.core.logs import register_secret
from chatdesk.core.providers.base import UsageReport
from chatdesk.core.secrets import is_local_host

# "mock" is the built-in offline provider and cannot be taken by a profile.
RESERVED_NAMES = frozenset({"mock"})
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


@dataclass(frozen=True)
class ProviderProfile:
    name: str
    base_url: str
    api_key: str = dataclasses.field(default="", repr=False)  # never shown, never logged
    default_model: str = ""
    context_window: int = 0  # tokens; 0: the model's own, from chatdesk's table of models
    input_price_per_million: float | None = None  # in USD per million tokens, when known
    output_price_per_million: float | None = None
    cached_input_price_per_million: float | None = None  # None: cached input costs full price
    requests_per_minute: int = 0  # client-side limit; 0 for none
    models: tuple[str, ...] = ()  # typed in by the user, for servers that do not list theirs
    images: str = ""  # its models take images: "yes", "no", or "" (chatdesk's table says)
    # The largest image its server takes: pixels on the long side, and MB (0: as attached,
    # within the `attachments` settings). An image past either is made smaller when sent.
    image_max_side: int = 0
    image_max_mb: float = 0.0
    monthly_cap_usd: float = 0.0  # most its answers may cost in a calendar month (0: no cap)

    def __post_init__(self) -> None:
        if not NAME_PATTERN.fullmatch(self.name):
            raise ChatdeskError(
                tr(
                    "A provider name must be 1 to 40 letters, digits, '-', '_' or '.', "
                    "starting with a letter or digit; {name} is not.",
                    name=repr(self.name),
                )
            )
        self._check_figures()
        self._check_base_url()

    def _check_figures(self) -> None:
        """Images, limits and prices within their bounds."""
        if self.images not in ("", "yes", "no"):
            raise ChatdeskError(
                tr(
                    "Whether the models of provider {name} take images is 'yes', 'no' or "
                    "empty (chatdesk's table of models says); {images} is none of them.",
                    name=repr(self.name),
                    images=repr(self.images),
                )
            )
        if self.image_max_side and not 64 <= self.image_max_side <= 16_384:
            raise ChatdeskError(
                tr(
                    "The largest image side of provider {name} is 64 to 16,384 pixels, or "
                    "0 for as attached; {side} is not.",
                    name=repr(self.name),
                    side=self.image_max_side,
                )
            )
        for said, value in (
            (
                mark("The context window of provider {name} cannot be negative."),
                self.context_window,
            ),
            (
                mark("The requests per minute of provider {name} cannot be negative."),
                self.requests_per_minute,
            ),
            (
                mark("The largest image size of provider {name} cannot be negative."),
                self.image_max_mb,
            ),
            (mark("The monthly cap of provider {name} cannot be negative."), self.monthly_cap_usd),
        ):
            if value < 0:
                raise ChatdeskError(tr(said, name=repr(self.name)))
        prices = (
            self.input_price_per_million,
            self.output_price_per_million,
            self.cached_input_price_per_million,
        )
        if any(price is not None and not 0 <= price < 1e6 for price in prices):
            raise ChatdeskError(
                tr(
                    "The prices of provider {name} must be 0 or more, and under "
                    "1,000,000 USD per million tokens.",
                    name=repr(self.name),
                )
            )

    def _check_base_url(self) -> None:
        """An http(s) URL naming a host, encrypted beyond this computer, without credentials."""
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ChatdeskError(
                tr(
                    "The base URL of provider {name} must start with http:// or https:// "
                    "and name a host.",
                    name=repr(self.name),
                )
            )
        if parts.scheme == "http" and not is_local_host(parts.hostname):
            # The key and every message would cross the internet unencrypted.
            raise ChatdeskError(
                tr(
                    "Provider {name}: plain http:// is only allowed to this computer or the "
                    "local network; use https:// for {host}.",
                    name=repr(self.name),
                    host=parts.hostname,
                )
            )
        if parts.username or parts.password:
            # Credentials in the URL would end up in logs and error messages.
            raise ChatdeskError(
                tr(
                    "The base URL of provider {name} must not contain a user name or "
                    "password; put the key in the API key field.",
                    name=repr(self.name),
                )
            )

    @property
    def host(self) -> str:
        """Host and port, for messages: never the path or query, which may hold secrets."""
        return urlsplit(self.base_url).netloc

    @property
    def plain_http(self) -> bool:
        """True when requests go unencrypted (allowed only to local hosts): warn the user."""
        return urlsplit(self.base_url).scheme == "http"

    @property
    def has_prices(self) -> bool:
        return self.input_price_per_million is not None or self.output_price_per_million is not None

    def with_key(self, api_key: str) -> ProviderProfile:
        return dataclasses.replace(self, api_key=api_key)

    def cost(self, usage: UsageReport) -> float | None:
        """What `usage` cost in USD at this profile's prices; None without prices."""
        if not self.has_prices:
            return None
        prompt = usage.prompt_tokens or 0
        cached = min(usage.cached_tokens or 0, prompt)
        input_price = self.input_price_per_million or 0.0
        cached_price = self.cached_input_price_per_million
        cached_price = input_price if cached_price is None else cached_price
        total = (
            (prompt - cached) * input_price
            + cached * cached_price
            + (usage.completion_tokens or 0) * (self.output_price_per_million or 0.0)
        )  # reasoning tokens are billed inside completion tokens
        return total / 1_000_000


PRESETS: dict[str, ProviderProfile] = {
    profile.name: profile
    for profile in (
        ProviderProfile(
            "openai",
            "https://api.openai.com/v1",
            default_model="gpt-4o-mini",
            input_price_per_million=0.15,
            output_price_per_million=0.60,
            cached_input_price_per_million=0.075,
        ),
        # Local servers, on their usual ports; they take any key (or none).
        ProviderProfile("ollama", "http://localhost:11434/v1"),
        ProviderProfile("lmstudio", "http://localhost:1234/v1"),
        ProviderProfile("vllm", "http://localhost:8000/v1"),
        ProviderProfile("llamacpp", "http://localhost:8080/v1"),
        ProviderProfile("openrouter", "https://openrouter.ai/api/v1"),
    )
}


def profile_from_env(environ: Mapping[str, str]) -> ProviderProfile | None:
    """The "openai" profile from OPENAI_API_KEY (and OPENAI_BASE_URL if set), else None."""
    key = environ.get("OPENAI_API_KEY", "").strip()
    if not key:
        return None
    register_secret(key)  # from now on the log never shows it
    base_url = environ.get("OPENAI_BASE_URL", "").strip()
    profile = PRESETS["openai"].with_key(key)
    if base_url:
        # Another server: OpenAI's model and prices may not apply, the key does.
        profile = dataclasses.replace(
            profile,
            base_url=base_url,
            input_price_per_million=None,
            output_price_per_million=None,
            cached_input_price_per_million=None,
        )
    return profile
