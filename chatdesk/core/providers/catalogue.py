"""The providers a new user can connect in one step: hosted services and local servers.

Each entry knows its server's base URL, the page where a key is made (shown as text; nothing
opens it but the user), and a short list of models to offer when its `/models` cannot be read
(some servers need headers the OpenAI protocol does not send to list them). Azure OpenAI has
no one address: it is built from the user's resource name, and its model is a deployment.
Every entry becomes an ordinary `ProviderProfile` (decision 0036).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import tr
from chatdesk.core.providers.profiles import ProviderProfile

AZURE = "azure"
# An Azure resource's name: what comes before .openai.azure.com (letters, digits, hyphens).
_AZURE_RESOURCE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?")
_AZURE_DEPLOYMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class CatalogueEntry:
    id: str  # the profile's name once connected
    name: str  # the provider's own name, shown as it is
    base_url: str  # "" for Azure: built from the resource's name
    key_page: str  # where a key is made
    fallback_models: tuple[str, ...]  # offered when its /models cannot be read
    local: bool = False  # a server on this computer: no key

    @property
    def initial(self) -> str:
        """The letter of its mark (no logos are shipped)."""
        return self.name[:1].upper()

    @property
    def needs_resource(self) -> bool:
        """Azure OpenAI: its address is the user's resource, its model a deployment."""
        return self.id == AZURE

    def profile(self, *, resource: str = "", deployment: str = "") -> ProviderProfile:
        """The profile this entry connects (without a key). Azure needs `resource` and
        `deployment`; its models are the deployment's."""
        if not self.needs_resource:
            model = self.fallback_models[0] if self.fallback_models else ""
            return ProviderProfile(self.id, self.base_url, default_model=model)
        return azure_profile(resource, deployment)


def azure_profile(resource: str, deployment: str) -> ProviderProfile:
    """An Azure OpenAI resource through its OpenAI-compatible v1 API; `resource` is the name
    before .openai.azure.com (a whole address is accepted too), `deployment` the model's."""
    resource = _resource_name(resource)
    deployment = deployment.strip()
    if not _AZURE_RESOURCE.fullmatch(resource):
        raise InvalidRequest(
            tr(
                "Type the Azure resource's name: the part before .openai.azure.com in its "
                "endpoint (letters, digits and hyphens)."
            )
        )
    if not _AZURE_DEPLOYMENT.fullmatch(deployment):
        raise InvalidRequest(
            tr("Type the name of a deployment of this resource (Azure AI Foundry ▸ Deployments).")
        )
    return dataclasses.replace(
        ProviderProfile(AZURE, f"https://{resource}.openai.azure.com/openai/v1"),
        default_model=deployment,
        models=(deployment,),
    )


def _resource_name(typed: str) -> str:
    """The resource's name out of what was typed: a name, a host or a whole endpoint."""
    text = typed.strip().lower()
    text = re.sub(r"^https?://", "", text).split("/", 1)[0]
    return text.removesuffix(".openai.azure.com").removesuffix(".cognitiveservices.azure.com")


HOSTED = (
    CatalogueEntry(
        "openai",
        "OpenAI",
        "https://api.openai.com/v1",
        "https://platform.openai.com/api-keys",
        ("gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "o4-mini"),
    ),
    CatalogueEntry(
        "anthropic",
        "Anthropic",
        "https://api.anthropic.com/v1",
        "https://console.anthropic.com/settings/keys",
        ("claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"),
    ),
    CatalogueEntry(
        "gemini",
        "Google Gemini",
        "https://generativelanguage.googleapis.com/v1beta/openai",
        "https://aistudio.google.com/apikey",
        ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite"),
    ),
    CatalogueEntry(
        "deepseek",
        "DeepSeek",
        "https://api.deepseek.com/v1",
        "https://platform.deepseek.com/api_keys",
        ("deepseek-chat", "deepseek-reasoner"),
    ),
    CatalogueEntry(
        "mistral",
        "Mistral",
        "https://api.mistral.ai/v1",
        "https://console.mistral.ai/api-keys",
        ("mistral-small-latest", "mistral-large-latest", "codestral-latest"),
    ),
    CatalogueEntry(
        "groq",
        "Groq",
        "https://api.groq.com/openai/v1",
        "https://console.groq.com/keys",
        ("llama-3.3-70b-versatile", "llama-3.1-8b-instant"),
    ),
    CatalogueEntry(
        "openrouter",
        "OpenRouter",
        "https://openrouter.ai/api/v1",
        "https://openrouter.ai/keys",
        ("openai/gpt-4o-mini", "anthropic/claude-sonnet-4.5", "google/gemini-2.5-flash"),
    ),
    CatalogueEntry(
        "xai",
        "xAI",
        "https://api.x.ai/v1",
        "https://console.x.ai",
        ("grok-4", "grok-3-mini"),
    ),
    CatalogueEntry(
        AZURE,
        "Azure OpenAI",
        "",
        "https://portal.azure.com",
        (),
    ),
    CatalogueEntry(
        "together",
        "Together AI",
        "https://api.together.xyz/v1",
        "https://api.together.ai/settings/api-keys",
        ("meta-llama/Llama-3.3-70B-Instruct-Turbo", "Qwen/Qwen2.5-72B-Instruct-Turbo"),
    ),
)

LOCAL = (
    CatalogueEntry("ollama", "Ollama", "http://127.0.0.1:11434/v1", "", (), local=True),
    CatalogueEntry("lmstudio", "LM Studio", "http://127.0.0.1:1234/v1", "", (), local=True),
)

CATALOGUE = {entry.id: entry for entry in (*HOSTED, *LOCAL)}


def models_to_offer(entry: CatalogueEntry, listed: tuple[str, ...]) -> tuple[str, ...]:
    """What the server listed, or, when it listed none, the entry's own short list."""
    return listed or entry.fallback_models
