"""How a server is given the API key. OpenAI and nearly every compatible server read it as
`Authorization: Bearer <key>`; two catalogued services read it elsewhere:

- Anthropic's API reads `x-api-key` with an `anthropic-version`; its model list refuses a
  Bearer key.
- Azure OpenAI reads `api-key` (a Bearer token there is a Microsoft Entra token, not a key).

A profile is taken for one of them when the catalogue connected it (its name is the entry's id)
or when its address is the service's own, so a gateway the user put in front keeps the name's
way and a profile of another name at another address keeps Bearer.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from chatdesk.core.providers.profiles import ProviderProfile

KeyStyle = Literal["bearer", "anthropic", "azure"]

ANTHROPIC_VERSION = "2023-06-01"  # the API version its model list and messages are read in
_AZURE_HOSTS = (".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com")


def key_style(profile: ProviderProfile) -> KeyStyle:
    """Which header carries `profile`'s key."""
    host = (urlsplit(profile.base_url).hostname or "").lower()
    if profile.name == "anthropic" or host == "api.anthropic.com":
        return "anthropic"
    if profile.name == "azure" or host.endswith(_AZURE_HOSTS):
        return "azure"
    return "bearer"


def key_headers(profile: ProviderProfile, key: str) -> dict[str, str]:
    """The headers that carry `key` to `profile`'s server instead of Bearer ({} for Bearer)."""
    style = key_style(profile)
    if style == "anthropic":
        return {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION}
    if style == "azure":
        return {"api-key": key}
    return {}
