"""Which models take images. A profile can say so for its models (`ProviderProfile.images`);
otherwise chatdesk's table of vision model families decides, first match wins. A model missing
from the table is taken not to see images: an image is then refused before anything is sent,
with a way to say otherwise in the provider's settings."""

from __future__ import annotations

import re

from chatdesk.core.providers.base import Providers
from chatdesk.core.tokens.models import base_model_name

_END = r"(?:$|[-._: ])"
_NOT = re.compile(r"^(?:o1-mini|o3-mini|gpt-4o-audio|gpt-4o-realtime|gpt-4o-search)" + _END)
_FAMILIES = re.compile(
    r"^(?:gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-4-turbo|gpt-4-vision|o1|o3|o4|"
    r"claude-3|claude-(?:sonnet|opus|haiku)-4|claude-[0-9.]+-(?:sonnet|opus|haiku)|gemini|"
    r"llava|bakllava|llama3\.2-vision|llama-3\.2-\d+b-vision|llama4|llama-4|qwen2-vl|"
    r"qwen2\.5-?vl|qwen3-vl|qwen-vl|gemma3|gemma-3|pixtral|mistral-small3\.1|"
    r"mistral-small-3\.1|mistral-medium|minicpm-v|moondream|granite3\.2-vision|mock)" + _END
)


def takes_images(model: str, said: str = "") -> bool:
    """Whether `model` accepts image content parts; `said` is its profile's "yes" or "no"
    ("" for the table's answer)."""
    if said:
        return said == "yes"
    base = base_model_name(model).replace("_", "-")
    return bool(_FAMILIES.match(base)) and not _NOT.match(base)


def image_limits(provider: object) -> tuple[int, int]:
    """The largest image `provider`'s server takes, as its profile says: pixels on the long
    side and bytes (0: no limit of its own)."""
    profile = getattr(provider, "profile", None)
    side = int(getattr(profile, "image_max_side", 0) or 0)
    megabytes = float(getattr(profile, "image_max_mb", 0) or 0)
    return side, int(megabytes * 1024 * 1024)


def model_takes_images(providers: Providers, provider: str, model: str) -> bool:
    """Whether `model` on `provider` takes images, as its profile or the table says."""
    profile = getattr(providers.get(provider), "profile", None) if provider in providers else None
    return takes_images(model, str(getattr(profile, "images", "") or ""))
