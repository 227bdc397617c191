"""The settings' sections of what chatdesk reaches beyond its chats: a team's server ([sync]),
other programs on this computer ([api]), the web ([web]), the desktop ([desktop]) and the
user's voice ([voice]). `settings_schema.py` gathers them with the rest into `Settings`.

Each class has a docstring: without one, `dataclass` makes one from the class's signature
(`inspect.signature`), which the window's start would wait for (decision 0024)."""

from __future__ import annotations

from dataclasses import dataclass

from chatdesk.core.settings_base import setting


@dataclass(frozen=True)
class SyncSettings:
    """[sync]: the team server."""

    host: str = setting(
        "", "Team server (PostgreSQL) host name; empty: team sync is off and nothing connects."
    )
    port: int = setting(5432, "Team server port.", minimum=1, maximum=65_535)
    database: str = setting("chatdesk", "Database on the team server.")
    user: str = setting("", "Your login on the team server (the password is in the keyring).")
    sslmode: str = setting(
        "verify-full",
        "TLS: 'verify-full' checks the server's certificate and name (use it for any remote "
        "server); 'prefer' is for a server on this machine only.",
        choices=("verify-full", "verify-ca", "require", "prefer", "disable"),
    )
    sslrootcert: str = setting(
        "",
        "The team's CA certificate file for verify-full ('system': the system's trusted CAs); "
        "empty: ~/.postgresql/root.crt.",
    )
    poll_seconds: float = setting(
        60.0,
        "Pull every team this often even without a notification from the server.",
        minimum=1.0,
        maximum=3_600.0,
    )


# [api] rate_limit 0: what one key may do a minute from another computer. No client of the
# user's own meets it (an agent's burst is a few hundred); a script hammering the key does.
NETWORK_RATE_LIMIT = 600


@dataclass(frozen=True)
class ApiSettings:
    """[api]: the local API other programs on this computer call (docs/local-api.md)."""

    enabled: bool = setting(
        False, "Serve the local API while the window is open (`chatdesk serve` runs it alone)."
    )
    port: int = setting(4315, "Port the local API listens on.", minimum=1, maximum=65_535)
    lan: bool = setting(
        False,
        "Listen on every network interface, so other machines on the network can call it with "
        "the key; off: this computer only (127.0.0.1).",
    )
    allowed_origins: str = setting(
        "",
        "Web pages allowed to call the API from a browser: a list of origins (e.g. "
        "['http://localhost:3000']), or one text of them separated by spaces; empty: none.",
        separator=" ",
    )
    rate_limit: int = setting(
        0,
        "Requests one key may make per minute, from any client (WebSocket messages that act "
        "included, pings and typing not); 0: none from this computer, 600 from other computers.",
        minimum=1,
        maximum=100_000,
        unset=0,
    )
    max_body_mb: float = setting(
        32.0,
        "Largest request body or WebSocket message, in MB (images in a message count).",
        minimum=0.01,
        maximum=1_024.0,
    )


@dataclass(frozen=True)
class WebSettings:
    """[web]: searching the web and reading its pages for an answer."""

    engine: str = setting(
        "duckduckgo",
        "Search engine: 'duckduckgo' (no key), 'searxng' (your own, at searxng_url), 'brave' or "
        "'tavily' (their keys are in the keyring).",
        choices=("duckduckgo", "searxng", "brave", "tavily"),
    )
    searxng_url: str = setting(
        "", "Address of a SearXNG instance with its JSON API on (e.g. 'http://localhost:8888')."
    )
    results: int = setting(8, "Results one search gives the model.", minimum=1, maximum=50)
    allow_private: str = setting(
        "",
        "Servers on this machine or the local network that searches and page reads may reach: a "
        "list of host:port (a home SearXNG, an intranet wiki), or one text of them separated by "
        "spaces; empty: none.",
        separator=" ",
    )
    timeout_seconds: float = setting(
        20.0, "Longest wait for a search or a page.", minimum=1.0, maximum=300.0
    )
    page_max_mb: float = setting(
        5.0, "Largest page or document read, in MB.", minimum=0.1, maximum=100.0
    )
    page_chars: int = setting(
        20_000,
        "Characters of a page's text given to the model; the rest is cut, and the cut said.",
        minimum=1_000,
        maximum=200_000,
    )
    research_minutes: float = setting(
        5.0,
        "Longest a research run searches and reads before it writes its report.",
        minimum=0.5,
        maximum=60.0,
    )
    research_pages: int = setting(30, "Most pages a research run reads.", minimum=1, maximum=200)
    research_parallel: int = setting(
        3, "Searches or pages a research run asks for at once.", minimum=1, maximum=10
    )
    ask_first: bool = setting(
        False,
        "Ask before each search or page read; otherwise they run while Web is on for the chat "
        "(a rule set for the web's tools in Preferences ▸ Tools wins over this).",
    )


@dataclass(frozen=True)
class DesktopSettings:
    """[desktop]: chatdesk beside the user's other programs: the quick window, the tray."""

    quick_shortcut: str = setting(
        "Ctrl+Alt+Space",
        "Keys that open the quick window from any program (Qt's names, e.g. 'Ctrl+Alt+Space'); "
        "empty: none.",
    )
    quick_chats: str = setting(
        "project",
        "Where the quick window's chats go: 'project' keeps them in the Quick project, "
        "'temporary' keeps nothing.",
        choices=("project", "temporary"),
    )
    tray: bool = setting(True, "Show chatdesk's icon in the system tray while it runs.")
    close_to_tray: bool = setting(
        False, "Closing the window leaves chatdesk running in the tray (Quit ends it)."
    )
    start_at_login: bool = setting(False, "Start chatdesk in the tray when you log in.")
    notify: bool = setting(
        True,
        "Tell you, with a system notification, when an answer finishes or a tool waits for "
        "approval while chatdesk's window is hidden.",
    )


@dataclass(frozen=True)
class VoiceSettings:
    """[voice]: speaking to chatdesk and hearing its answers."""

    stt_provider: str = setting(
        "local",
        "Who turns speech into text: 'local' (on this computer; the audio never leaves it) or "
        "a provider profile's name (the audio is sent to that server).",
    )
    stt_model: str = setting(
        "", "Transcription model: the local model's name, or the provider's; empty: its default."
    )
    tts: str = setting(
        "system",
        "Who reads answers aloud: 'system' (this computer's own voices; nothing is sent) or a "
        "provider profile's name (the text is sent to that server).",
    )
    tts_voice: str = setting("", "Voice that reads answers aloud; empty: the default one.")
    tts_model: str = setting(
        "", "Model that reads answers aloud on a provider's server; empty: tts-1."
    )
    tts_rate: float = setting(
        1.0, "How fast answers are read, 1 being normal.", minimum=0.5, maximum=2.0
    )
    tts_volume: float = setting(
        1.0, "How loud answers are read, from 0 to 1.", minimum=0.0, maximum=1.0
    )
    read_code: bool = setting(
        False, "Read code blocks aloud; off: a code block is only announced (its language)."
    )
    input_device: str = setting("", "Microphone to record from; empty: the system's default.")
    max_seconds: int = setting(300, "Longest recording, in seconds.", minimum=5, maximum=7_200)
    sensitivity: str = setting(
        "medium",
        "How readily a voice conversation takes a pause for the end of what you said.",
        choices=("low", "medium", "high"),
    )
    talk_interrupt: bool = setting(
        False,
        "In a voice conversation, speaking while an answer is read stops it and starts your "
        "next turn. Needs headphones, or a microphone that cancels echo: else the answer's own "
        "sound would interrupt it.",
    )
