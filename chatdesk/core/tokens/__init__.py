"""Token counting: tiktoken with the model's own encoding, or an estimate, never a download.

Which encoding (`models.py`): o200k_base for gpt-4o, gpt-4.1, gpt-4.5, gpt-5, the o-series and
chatgpt-4o; cl100k_base for gpt-4, gpt-3.5-turbo and the embedding models; router prefixes
("openai/gpt-4o"), server tags ("llama3.1:8b") and date suffixes are ignored. Any other model
(llama, qwen, mistral … on another server) is counted with o200k_base as an approximation of
its own tokenizer, and its counts are marked `estimated`.

Chat requests follow the convention OpenAI documents (the "How to count tokens with tiktoken"
cookbook recipe, checked there against the `prompt_tokens` the API reports for text messages):

    prompt = 3                        # the reply's priming: <|start|>assistant<|message|>
           + Σ over messages (3       # <|start|>, <|message|>, <|end|> around each one
                              + tokens(role)
                              + tokens(content)
                              + (1 + tokens(name) if the message has a name))

Images, tool definitions and a provider's hidden system text are not part of it.

Where encodings come from (`files.py`), in order: `TIKTOKEN_CACHE_DIR`, the copies shipped in
`chatdesk/resources/tiktoken/`, chatdesk's user cache folder. Each file's sha256 is checked and
tiktoken is never asked to fetch one. Loading takes ~0.3–0.5 s, so it happens only when asked
(`TokenCounter.load`, in a worker thread) and never at import; until then, or when no copy
exists, counts come from the estimator (`estimate.py`) and are marked `estimated`, which the UI
shows as ≈.

Where tiktoken runs: in a child process (`process.py`), started by the first load, so that
building an encoding (which holds the GIL for ~110–150 ms) never stalls the window and its
~75 MB stay out of the window's process (decision 0014). If the child cannot start or dies,
counts are estimates until a later load starts another. `Encodings` runs tiktoken in the
calling process instead, for tests and benchmarks.
"""

from __future__ import annotations

from chatdesk.core.tokens.counter import (
    REPLY_PRIMING,
    TOKENS_PER_MESSAGE,
    TOKENS_PER_NAME,
    Counted,
    MessageLike,
    TokenCount,
    TokenCounter,
    Tokenizers,
)
from chatdesk.core.tokens.estimate import estimate_tokens
from chatdesk.core.tokens.loader import Encodings
from chatdesk.core.tokens.models import CL100K, O200K, ModelEncoding, encoding_for_model
from chatdesk.core.tokens.process import CountingProcess

__all__ = [
    "CL100K",
    "O200K",
    "REPLY_PRIMING",
    "TOKENS_PER_MESSAGE",
    "TOKENS_PER_NAME",
    "Counted",
    "CountingProcess",
    "Encodings",
    "MessageLike",
    "ModelEncoding",
    "TokenCount",
    "TokenCounter",
    "Tokenizers",
    "encoding_for_model",
    "estimate_tokens",
]
