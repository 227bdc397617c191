"""Which tiktoken encoding counts a model's tokens, and whether that count is exact.

OpenAI's chat models use `o200k_base` (gpt-4o, gpt-4.1, gpt-4.5, gpt-5, the o-series,
chatgpt-4o) or `cl100k_base` (gpt-4, gpt-3.5-turbo, the embedding models). Other servers' models
(llama, qwen, mistral … through Ollama, LM Studio, vLLM, OpenRouter) have their own tokenizers,
which chatdesk does not ship: they are counted with `o200k_base`, a modern large vocabulary that
lands near most of them, and every such count is marked as an estimate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

O200K = "o200k_base"
CL100K = "cl100k_base"

# A family name must end where the name ends or at a separator, so "o1" matches "o1-mini" and
# "o1.5" but not "o100"; the date and size suffixes ("-2024-08-06", "-mini") follow a separator.
_END = r"(?:$|[-._ ])"
_O200K_FAMILIES = re.compile(
    r"^(?:o\d|gpt-5|gpt-4\.1|gpt-4\.5|gpt-4o|chatgpt-4o|omni-moderation|codex-mini)" + _END
)
_CL100K_FAMILIES = re.compile(
    r"^(?:gpt-4|gpt-3\.5|gpt-35|text-embedding-3|text-embedding-ada-002|davinci-002|babbage-002)"
    + _END
)


@dataclass(frozen=True)
class ModelEncoding:
    """The encoding to count `model` with; `exact` when it is the model's own tokenizer."""

    encoding: str
    exact: bool


def encoding_for_model(model: str) -> ModelEncoding:
    base = base_model_name(model)
    if _O200K_FAMILIES.match(base):
        return ModelEncoding(O200K, exact=True)
    if _CL100K_FAMILIES.match(base):
        return ModelEncoding(CL100K, exact=True)
    return ModelEncoding(O200K, exact=False)


def base_model_name(model: str) -> str:
    """The model's own name without a router's prefix or a server's tag.

    "openai/gpt-4o" (OpenRouter) → "gpt-4o"; "ft:gpt-4o-mini:acme::abc" (fine-tuned) →
    "gpt-4o-mini"; "llama3.1:8b" (Ollama) → "llama3.1"; "openai/gpt-4o:online" → "gpt-4o".
    """
    name = model.strip().lower().removeprefix("ft:")
    name = name.rsplit("/", 1)[-1]
    return name.split(":", 1)[0]
