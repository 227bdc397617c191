"""Where an OpenAI-compatible provider lives and how to talk to it.

A `ProviderProfile` is plain data: the base URL, the key, the model to start with and what
the model costs. Presets cover the usual servers; `profile_from_env` reads the variables the
openai tools themselves honour, so a key already set up for them works here too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from chatdesk.core.errors import ChatdeskError
from chatdesk.core.logs import register_secret

DEFAULT_CONTEXT_WINDOW = 8_192


@dataclass(frozen=True)
class ProviderProfile:
    name: str
    base_url: str
    api_key: str = dataclasses.field(default="", repr=False)  # never shown, never logged
    default_model: str = ""
    context_window: int = DEFAULT_CONTEXT_WINDOW
    input_price_per_million: float | None = None  # in USD per million tokens, when known
    output_price_per_million: float | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ChatdeskError(
                f"The base URL of provider {self.name!r} must start with http:// or https:// "
                "and name a host."
            )
        if parts.username or parts.password:
            # Credentials in the URL would end up in logs and error messages.
            raise ChatdeskError(
                f"The base URL of provider {self.name!r} must not contain a user name or "
                "password; put the key in the API key field."
            )

    @property
    def host(self) -> str:
        """Host and port, for messages: never the path or query, which may hold secrets."""
        return urlsplit(self.base_url).netloc

    def with_key(self, api_key: str) -> ProviderProfile:
        return dataclasses.replace(self, api_key=api_key)


PRESETS: dict[str, ProviderProfile] = {
    profile.name: profile
    for profile in (
        ProviderProfile(
            "openai",
            "https://api.openai.com/v1",
            default_model="gpt-4o-mini",
            context_window=128_000,
            input_price_per_million=0.15,
            output_price_per_million=0.60,
        ),
        # Local servers ignore the key but the protocol wants one; these are their usual ports.
        ProviderProfile("ollama", "http://localhost:11434/v1", api_key="ollama"),
        ProviderProfile("lmstudio", "http://localhost:1234/v1", api_key="lm-studio"),
        ProviderProfile("vllm", "http://localhost:8000/v1"),
        ProviderProfile("llamacpp", "http://localhost:8080/v1"),
        ProviderProfile("openrouter", "https://openrouter.ai/api/v1", context_window=128_000),
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
        )
    return profile
