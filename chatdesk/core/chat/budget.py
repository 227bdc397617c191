"""How many tokens a thread's next request may use: the model's context window, less the room
kept for the answer.

The window comes from, in order: the thread's own setting, the provider (a profile's
`context_window`; 0 there means "look the model up"), the table of known models below, and
`DEFAULT_CONTEXT_WINDOW`. A profile wins over the table because a local server's real window is
what it was started with (Ollama runs llama3.1, a 128k model, with a few thousand tokens unless
told otherwise), which only its user knows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from chatdesk.core.chat.repository.rows import project_of
from chatdesk.core.config import GeneralSettings, Settings
from chatdesk.core.errors import InvalidRequest
from chatdesk.core.i18n import number, tr
from chatdesk.core.providers.base import Providers
from chatdesk.core.store.models import Assistant, Project, Thread
from chatdesk.core.tokens.models import base_model_name

DEFAULT_CONTEXT_WINDOW = 8_192  # tokens, for a model nobody describes
MIN_THREAD_WINDOW = 256
MAX_THREAD_WINDOW = 10_000_000

# Context windows as their makers publish them (model cards, OpenAI's model pages), first match
# wins, so a longer name comes before its prefix. Only families whose window is settled; a
# model missing here gets the profile's or the default's.
_KNOWN_WINDOWS: tuple[tuple[str, int], ...] = (
    ("gpt-4.1", 1_047_576),
    ("gpt-5", 400_000),
    ("gpt-4.5", 128_000),
    ("gpt-4o", 128_000),
    ("chatgpt-4o", 128_000),
    ("gpt-4-turbo", 128_000),
    ("gpt-4-32k", 32_768),
    ("gpt-4", 8_192),
    ("gpt-3.5-turbo", 16_385),
    ("o1-mini", 128_000),
    ("o1", 200_000),
    ("o3", 200_000),
    ("o4", 200_000),
    ("llama3.1", 131_072),
    ("llama3.2", 131_072),
    ("llama3.3", 131_072),
    ("llama3", 8_192),
    ("qwen2.5", 32_768),
    ("mistral", 32_768),
)
_END = r"(?:$|[-._ ])"
_TABLE = tuple((re.compile(re.escape(name) + _END), size) for name, size in _KNOWN_WINDOWS)


def known_window(model: str) -> int | None:
    """The published context window of `model` ("openai/gpt-4o-mini", "llama3.1:8b" …)."""
    base = base_model_name(model).replace("llama-3", "llama3")
    for pattern, size in _TABLE:
        if pattern.match(base):
            return size
    return None


@dataclass(frozen=True)
class Budget:
    window: int  # the model's context window
    reserve: int  # kept free for the answer

    @property
    def tokens(self) -> int:
        """What the request itself may use."""
        return self.window - self.reserve


def answer_reserve(settings: Settings, window: int, longest: int | None = None) -> int:
    """The answer's room: the longest answer asked for (`longest`, or the setting's), or the
    reserve setting; at most half the window, so a long answer limit on a small model still
    leaves room to ask."""
    wanted = longest or settings.general.max_output_tokens or settings.chat.answer_reserve_tokens
    return min(wanted, window // 2)


@dataclass(frozen=True)
class ThreadSetup:
    """Who answers in a thread and with what: resolved from thread → its assistant → project →
    settings."""

    provider: str
    model: str
    system_prompt: str
    budget: Budget
    agent: str | None = None  # the name of the thread's assistant
    temperature: float | None = None  # None: the model's own
    max_output_tokens: int | None = None  # None: the model's own


def thread_setup(
    session: Session,
    thread: Thread,
    settings: Settings,
    providers: Providers,
    *,
    provider: str | None = None,
    model: str | None = None,
) -> ThreadSetup:
    """The thread's provider, model, system prompt and budget; `provider`/`model` replace the
    thread's (an answer already written by another model, a summary model)."""
    project = project_of(session, thread)
    # the assistant who answers (None: none, or one since deleted)
    assistant = session.get(Assistant, thread.assistant_id) if thread.assistant_id else None
    general = settings.general
    chosen_provider = provider or _provider(thread, assistant, project, general)
    chosen_model = model or _model(thread, assistant, project, general, chosen_provider, providers)
    prompt = (
        thread.system_prompt
        or (assistant and assistant.system_prompt)
        or (project and project.system_prompt)
        or general.system_prompt
    )
    window = _window(providers, chosen_provider, chosen_model, thread.context_window)
    answer_tokens = (assistant and assistant.max_output_tokens) or general.max_output_tokens
    budget = Budget(window, answer_reserve(settings, window, answer_tokens))
    return ThreadSetup(
        chosen_provider,
        chosen_model,
        prompt,
        budget,
        agent=assistant.name if assistant else None,
        temperature=_temperature(assistant, general),
        max_output_tokens=answer_tokens or None,
    )


def _provider(
    thread: Thread, assistant: Assistant | None, project: Project | None, general: GeneralSettings
) -> str:
    """The thread's provider, else its assistant's, its project's default, the setting's."""
    return (
        thread.provider
        or (assistant and assistant.provider)
        or (project and project.default_provider)
        or general.default_provider
    )


def _model(
    thread: Thread,
    assistant: Assistant | None,
    project: Project | None,
    general: GeneralSettings,
    provider: str,
    providers: Providers,
) -> str:
    """The thread's model, else its assistant's, its project's default, the model `provider`'s
    profile starts with (when it is not the default provider), the setting's."""
    # An assistant's model goes with its provider: a chat moved to another provider does not
    # ask that one for it.
    assistant_model = None
    if assistant is not None and (assistant.provider or provider) == provider:
        assistant_model = assistant.model
    return (
        thread.model
        or assistant_model
        or (project and project.default_model)
        or (provider != general.default_provider and _profile_model(providers, provider))
        or general.default_model
    )


def _temperature(assistant: Assistant | None, general: GeneralSettings) -> float | None:
    """The assistant's temperature, else the setting's (negative: None, the model's own)."""
    if assistant is not None and assistant.temperature is not None:
        return assistant.temperature
    return general.temperature if general.temperature >= 0 else None


def _profile_model(providers: Providers, provider: str) -> str:
    """The model a provider's profile starts with ("" when it names none): a thread sent to
    another provider than the default one, with no model chosen, uses it."""
    profile = getattr(providers.get(provider), "profile", None) if provider in providers else None
    return str(getattr(profile, "default_model", "") or "")


def _window(providers: Providers, provider: str, model: str, override: int | None) -> int:
    return override or context_window_of(providers, provider, model)


def context_window_of(providers: Providers, provider: str, model: str) -> int:
    """`model`'s context window on `provider`: the provider's word, the table's, or the
    default."""
    if provider in providers:
        size = getattr(providers.get(provider), "context_window", None)
        if callable(size) and (found := size(model)):
            return int(found)
    return known_window(model) or DEFAULT_CONTEXT_WINDOW


def check_thread_window(tokens: int | None) -> None:
    if tokens is not None and not MIN_THREAD_WINDOW <= tokens <= MAX_THREAD_WINDOW:
        raise InvalidRequest(
            tr(
                "a context window must be between {least} and {most} tokens",
                least=number(MIN_THREAD_WINDOW),
                most=number(MAX_THREAD_WINDOW),
            )
        )


def background_choice(
    settings: Settings, providers: Providers, provider: str, model: str
) -> tuple[str, str]:
    """Who writes summaries and titles: `chat.summary_model` ("provider/model"; the model may
    hold slashes, "openrouter/openai/gpt-4o") when it names a configured provider, else the
    thread's own provider and model."""
    chosen, _, chosen_model = settings.chat.summary_model.strip().partition("/")
    if chosen and chosen_model and chosen in providers:
        return chosen, chosen_model
    return provider, model
