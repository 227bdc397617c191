"""The settings' schema: every section with its keys' defaults, bounds and descriptions. The two
the window's first frame reads, [general] and [ui], are declared in `settings_start.py`, and
those of what chatdesk reaches beyond its chats (a team's server, the local API, the web, the
desktop, voice) in `settings_outside.py`; how a setting is declared and checked is
`settings_base.py`'s, and loading and saving them `config.py`'s.

Each class has a docstring: without one, `dataclass` makes one from the class's signature
(`inspect.signature`), which the window's start would wait for (decision 0024)."""

from __future__ import annotations

from dataclasses import dataclass, field

from chatdesk.core.settings_base import setting
from chatdesk.core.settings_outside import (
    ApiSettings,
    DesktopSettings,
    SyncSettings,
    VoiceSettings,
    WebSettings,
)
from chatdesk.core.settings_start import GeneralSettings, UiSettings


@dataclass(frozen=True)
class ChatSettings:
    """[chat]: message size, context, retries and summaries."""

    max_message_chars: int = setting(
        2_000_000,
        "Longest message that can be sent, in characters.",
        minimum=1_000,
        maximum=50_000_000,
    )
    context_messages: int = setting(
        10_000,
        "At most this many recent messages of the branch are sent with a new message; "
        "before that, the model's context budget decides (older ones are summarised).",
        minimum=1,
        maximum=10_000,
    )
    stream_idle_timeout: float = setting(
        120.0,
        "Seconds without any data from the provider before an answer is given up as stalled.",
        minimum=1.0,
        maximum=3_600.0,
    )
    max_retries: int = setting(
        2, "Automatic retries before the first token of an answer.", minimum=0, maximum=5
    )
    answer_reserve_tokens: int = setting(
        1_024,
        "Tokens of the context window kept free for the answer when general.max_output_tokens "
        "is 0 (at most half the window).",
        minimum=16,
        maximum=1_000_000,
    )
    summary_threshold: float = setting(
        0.75,
        "Summarise older messages in the background once a thread's history fills this share "
        "of the context budget; 0 turns automatic summaries off.",
        minimum=0.3,
        maximum=0.95,
        unset=0.0,
    )
    summary_model: str = setting(
        "",
        "Model that writes summaries and titles, as provider/model (e.g. 'ollama/llama3.2'); "
        "empty: the thread's own model.",
    )
    auto_titles: bool = setting(
        True, "Name a new thread from its first question and answer, in the background."
    )


@dataclass(frozen=True)
class StorageSettings:
    """[storage]: the database's waits, backups and deleted threads."""

    busy_timeout_ms: int = setting(
        5_000,
        "How long a database operation waits for another chatdesk process, in ms.",
        minimum=100,
        maximum=600_000,
    )
    automatic_backups: bool = setting(
        True, "Back up the database once a day while chatdesk runs (verified, then rotated)."
    )
    daily_backups: int = setting(
        7,
        "Automatic backups kept: the newest of each of this many recent days.",
        minimum=1,
        maximum=90,
    )
    weekly_backups: int = setting(
        4,
        "Older automatic backups kept: the newest of each of this many recent weeks.",
        minimum=0,
        maximum=104,
    )
    pre_migration_backups: int = setting(
        3,
        "Backups made before a schema upgrade that are kept (the newest ones).",
        minimum=1,
        maximum=50,
    )
    deleted_retention_days: int = setting(
        30,
        "Days a deleted thread stays restorable before it is purged for good; "
        "0 keeps deleted threads forever.",
        minimum=1,
        maximum=36_500,
        unset=0,
    )


@dataclass(frozen=True)
class MockSettings:
    """[mock]: the built-in provider that answers offline."""

    tokens_per_second: float = setting(
        40.0,
        "Pace of the offline mock provider; 0 streams as fast as possible.",
        minimum=0.0,
        maximum=100_000.0,
    )
    reasoning: bool = setting(False, "Let the mock provider stream a reasoning section first.")
    fault: str = setting(
        "",
        "Inject a fault: 'error_after:N', 'rate_limit', 'stall_after:N' or 'cut_after:N' "
        "(N tokens), or 'too_long:N' (refuse a request of more than N messages as too long "
        "for the model's context window). Empty for none.",
    )


@dataclass(frozen=True)
class ToolsSettings:
    """[tools]: tool calls made while answering."""

    max_rounds: int = setting(
        10, "Rounds of tool calls an answer may make.", minimum=1, maximum=100
    )
    call_timeout: float = setting(
        60.0, "Seconds a tool call may take.", minimum=1.0, maximum=3600.0
    )
    max_result_chars: int = setting(
        100_000, "Characters of a tool's result sent on (the rest cut).", minimum=1_000
    )
    read_only: str = setting(
        "ask", "Policy of a tool that says it changes nothing.", choices=("ask", "allow")
    )


@dataclass(frozen=True)
class AttachmentSettings:
    """[attachments]: files and images sent with a message."""

    max_file_mb: int = setting(
        50,
        "Largest file that can be attached, in MB (refused before it is read).",
        minimum=1,
        maximum=1_000,
    )
    image_max_side: int = setting(
        2_048,
        "Images are scaled down to this many pixels on their long side before they are stored "
        "and sent.",
        minimum=256,
        maximum=8_192,
    )
    image_max_mb: float = setting(
        4.0,
        "Largest image sent to a model, in MB (re-encoded smaller past it).",
        minimum=0.1,
        maximum=50.0,
    )
    read_timeout: float = setting(
        30.0,
        "Seconds reading one attached file may take before it is given up.",
        minimum=1.0,
        maximum=600.0,
    )
    scan_pages: int = setting(
        20,
        "Pages of a scanned PDF (no text layer) that can be sent to a model as images.",
        minimum=1,
        maximum=200,
    )
    keep_unused_days: int = setting(
        30,
        "Days the bytes of an attachment no message or draft uses any more are kept.",
        minimum=0,
        maximum=3_650,
    )


@dataclass(frozen=True)
class KnowledgeSettings:
    """[knowledge]: knowledge bases answered from."""

    max_file_mb: int = setting(
        32,
        "Largest file a knowledge base indexes, in MB (a larger one is listed as not indexed).",
        minimum=1,
        maximum=1_000,
    )
    read_timeout: float = setting(
        60.0,
        "Seconds reading one file of a knowledge base may take before it is given up.",
        minimum=1.0,
        maximum=600.0,
    )
    context_share: float = setting(
        0.25,
        "Share of a model's context budget that passages from knowledge bases may take.",
        minimum=0.02,
        maximum=0.8,
    )
    passages: int = setting(
        8, "Most passages from knowledge bases sent with a question.", minimum=1, maximum=50
    )
    rescan_seconds: float = setting(
        60.0,
        "How often the folders of knowledge bases are looked at again for changed files while "
        "chatdesk runs (at least 20 times as long as the last look took).",
        minimum=5.0,
        maximum=86_400.0,
    )


@dataclass(frozen=True)
class CapsSettings:
    """[caps]: spending caps and warnings."""

    monthly_usd: float = setting(
        0.0,
        "Most that answers may cost in a calendar month, all providers together, in US dollars "
        "(0: no cap). Past it, a request is refused before it is sent.",
        minimum=0.0,
        maximum=1_000_000.0,
    )
    thread_usd: float = setting(
        0.0,
        "Most that the answers of one chat may cost, in US dollars (0: no cap).",
        minimum=0.0,
        maximum=1_000_000.0,
    )
    warn_at: float = setting(
        0.8,
        "The share of a cap at which chatdesk says it is near (0.8: at 80 %).",
        minimum=0.1,
        maximum=1.0,
    )
    show_cost_over_usd: float = setting(
        0.05,
        "Before a message whose request alone would cost more than this (a long document, a "
        "big context), the composer shows its estimated cost, in US dollars (0: always).",
        minimum=0.0,
        maximum=1_000_000.0,
    )


@dataclass(frozen=True)
class LoggingSettings:
    """[logging]: what the log file records."""

    level: str = setting(
        "INFO", "Log level.", choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    )
    log_message_text: bool = setting(
        False, "Write message text into debug logs (off: only sizes and ids are logged)."
    )


@dataclass(frozen=True)
class MemorySettings:
    """[memory]: what the user asked chatdesk to remember across chats."""

    enabled: bool = setting(
        True,
        "Give the model the memories that matter to each question, and let it propose new ones "
        "(each kept only once the user says so). Off: memories are neither read nor written.",
    )
    budget_tokens: int = setting(
        800,
        "Most tokens the memories given with one question may take.",
        minimum=50,
        maximum=16_000,
    )
    embedding: str = setting(
        "",
        "The embedding model memories are found by besides their words, as 'provider/model' "
        "(a provider that makes embeddings); empty: by their words only.",
    )
    offer_tools: str = setting(
        "asked",
        "When the model is offered remember, forget and update_memory: 'asked' (when the "
        "message speaks of remembering or forgetting), 'always', or 'never'.",
        choices=("asked", "always", "never"),
    )


@dataclass(frozen=True)
class Settings:
    """Every section, as `config.toml` has them."""

    general: GeneralSettings = field(default_factory=GeneralSettings)
    chat: ChatSettings = field(default_factory=ChatSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    mock: MockSettings = field(default_factory=MockSettings)
    tools: ToolsSettings = field(default_factory=ToolsSettings)
    attachments: AttachmentSettings = field(default_factory=AttachmentSettings)
    knowledge: KnowledgeSettings = field(default_factory=KnowledgeSettings)
    caps: CapsSettings = field(default_factory=CapsSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    api: ApiSettings = field(default_factory=ApiSettings)
    web: WebSettings = field(default_factory=WebSettings)
    memory: MemorySettings = field(default_factory=MemorySettings)
    desktop: DesktopSettings = field(default_factory=DesktopSettings)
    voice: VoiceSettings = field(default_factory=VoiceSettings)
