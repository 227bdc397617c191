"""chatdesk's colours: one set of named roles per look (light, dark, high contrast).

Widgets and style sheets name a role, never a colour, so every look has every colour and a
change of look re-colours everything. Plain data: the contrast of every pair the window draws
(`PAIRS`) is computed from it by tests/ui/test_contrast.py against WCAG 2.2 AA.
"""

from __future__ import annotations

from typing import Final, Literal

Look = Literal["light", "dark", "contrast"]
LOOKS: Final[tuple[Look, ...]] = ("light", "dark", "contrast")

# role: what it colours
ROLES: Final[dict[str, str]] = {
    "window": "the frame around the conversation: sidebar, header, composer, dialogs",
    "surface": "the conversation and fields: where text is read and typed",
    "surface_alt": "cards, code blocks, tool calls, reasoning, alternate rows",
    "raised": "buttons",
    "hover": "a button or row under the mouse",
    "pressed": "a button held down or switched on",
    "text": "text",
    "text_quiet": "secondary text: figures under a message, hints, placeholders; icons at rest",
    "text_disabled": "text of a control that cannot be used now",
    "border": "lines that separate: dividers, card edges (decoration)",
    "border_strong": "the edge that shows where a control is: fields, buttons",
    "accent": "the main action, the selection, switched-on controls",
    "on_accent": "text and icons on the accent",
    "accent_tint": "the ground of a switched-on pill (Compare on, tools on)",
    "on_accent_tint": "words and icons on the accent tint: the composer's chips of what is on",
    "pill": "the ground of the composer's pills at rest: never the box's own",
    "focus": "the keyboard focus ring",
    "link": "links",
    "link_visited": "links followed",
    "bubble": "the user's messages",
    "on_bubble": "text in the user's messages",
    "danger": "failures and deleting",
    "warning": "what needs attention: stopped answers, waiting tool calls",
    "success": "done: copied, connected, a context with room",
    "tooltip": "tooltips",
    "on_tooltip": "text in tooltips",
    "temporary": "the edge that marks a temporary chat (its banner, the header's switch)",
    "temporary_tint": "the ground of the temporary chat's banner and of the switch when on",
    "find": "a find bar's match in the text",
    "on_find": "the text of a match",
    "code": "the ground of a code block in a formatted message",
    "code_head": "a code block's head: its language and Copy",
    "code_inline": "the ground of code within a line of text",
    "on_code": "code text the highlighting style leaves uncoloured",
    "rule": "a formatted message's table rules (decoration)",
    "table_head": "the ground of a table's header row in a formatted message",
    "quote_bar": "the bar beside a quote in a formatted message",
}

_LIGHT: Final = {
    "window": "#f3f4f6",
    "surface": "#ffffff",
    "surface_alt": "#f5f6f8",
    "raised": "#fbfbfc",
    "hover": "#e8eaee",
    "pressed": "#d9dce2",
    "text": "#1d1f23",
    "text_quiet": "#5c6270",
    "text_disabled": "#7d828c",
    "border": "#dcdfe4",
    "border_strong": "#7e848f",
    "accent": "#2f62c8",
    "on_accent": "#ffffff",
    "accent_tint": "#e2eafb",
    "on_accent_tint": "#1f4fa8",
    "pill": "#f3f4f6",
    "focus": "#2f62c8",
    "link": "#1f58b8",
    "link_visited": "#6a3fb5",
    "bubble": "#e9effb",
    "on_bubble": "#1d1f23",
    "danger": "#c0322c",
    "warning": "#8f5b00",
    "success": "#1e7a45",
    "tooltip": "#ffffff",
    "on_tooltip": "#1d1f23",
    "temporary": "#7b61ff",
    "temporary_tint": "#e0dcf7",
    "find": "#ffff00",
    "on_find": "#000000",
    "code": "#f8f9fa",
    "code_head": "#e9ebef",
    "code_inline": "#eeeff1",
    "on_code": "#1e1e1e",
    "rule": "#c4c4c4",
    "table_head": "#eceef2",
    "quote_bar": "#7e848f",
}

_DARK: Final = {
    "window": "#25272b",
    "surface": "#1c1d20",
    "surface_alt": "#26282c",
    "raised": "#34373c",
    "hover": "#3b3e44",
    "pressed": "#4a4e55",
    "text": "#e7e8ea",
    "text_quiet": "#aab0b9",
    "text_disabled": "#868b95",
    "border": "#393c42",
    "border_strong": "#7c818b",
    "accent": "#3a6ed6",
    "on_accent": "#ffffff",
    "accent_tint": "#1b2540",
    "on_accent_tint": "#9dbcff",
    "pill": "#25272b",
    "focus": "#6f9cf0",
    "link": "#8ab4ff",
    "link_visited": "#c2a8ff",
    "bubble": "#27334a",
    "on_bubble": "#e7e8ea",
    "danger": "#ff7b72",
    "warning": "#e3b341",
    "success": "#56d38a",
    "tooltip": "#34373c",
    "on_tooltip": "#e7e8ea",
    "temporary": "#7b61ff",
    "temporary_tint": "#33304d",
    "find": "#ffff00",
    "on_find": "#000000",
    "code": "#16181b",
    "code_head": "#26282c",
    "code_inline": "#2f3235",
    "on_code": "#e6edf3",
    "rule": "#54575d",
    "table_head": "#2c2f34",
    "quote_bar": "#7e848f",
}

_CONTRAST: Final = {
    "window": "#000000",
    "surface": "#000000",
    "surface_alt": "#121212",
    "raised": "#000000",
    "hover": "#1f3a5c",
    "pressed": "#2b4f7a",
    "text": "#ffffff",
    "text_quiet": "#e6e6e6",
    "text_disabled": "#a6a6a6",
    "border": "#ffffff",
    "border_strong": "#ffffff",
    "accent": "#ffd60a",
    "on_accent": "#000000",
    "accent_tint": "#332b00",
    "on_accent_tint": "#ffd60a",
    "pill": "#262626",
    "focus": "#ffd60a",
    "link": "#7fd8ff",
    "link_visited": "#e0b3ff",
    "bubble": "#0b2342",
    "on_bubble": "#ffffff",
    "danger": "#ff8c8c",
    "warning": "#ffd60a",
    "success": "#7dff9b",
    "tooltip": "#000000",
    "on_tooltip": "#ffffff",
    "temporary": "#b8a6ff",
    "temporary_tint": "#1e1440",
    "find": "#ffff00",
    "on_find": "#000000",
    "code": "#121212",
    "code_head": "#262626",
    "code_inline": "#262626",
    "on_code": "#ffffff",
    "rule": "#ffffff",
    "table_head": "#262626",
    "quote_bar": "#ffffff",
}

_COLOURS: Final[dict[Look, dict[str, str]]] = {
    "light": _LIGHT,
    "dark": _DARK,
    "contrast": _CONTRAST,
}

# What the window draws on what, and the contrast WCAG 2.2 AA asks of it: 4.5 for text, 3 for
# large text and the parts of a control one needs to see (icons, field edges, the focus ring).
TEXT, PART = 4.5, 3.0
PAIRS: Final[tuple[tuple[str, str, float], ...]] = (
    *(
        (fore, back, TEXT)
        for fore in ("text", "text_quiet", "link", "link_visited", "danger", "warning", "success")
        for back in ("window", "surface", "surface_alt")
    ),
    ("text", "raised", TEXT),
    ("text", "hover", TEXT),
    ("text", "pressed", TEXT),
    ("text_quiet", "raised", TEXT),
    ("text_quiet", "hover", TEXT),
    ("on_accent", "accent", TEXT),
    ("text", "accent_tint", TEXT),
    ("text", "pill", TEXT),  # a pill's words and icon, its edge, the focus ring on it
    ("text_quiet", "pill", TEXT),
    ("border_strong", "pill", PART),
    ("focus", "pill", PART),
    ("text_quiet", "accent_tint", TEXT),
    ("on_accent_tint", "accent_tint", TEXT),  # a chip's words, its icon and its ✕
    ("accent", "accent_tint", PART),
    ("focus", "accent_tint", PART),
    ("on_bubble", "bubble", TEXT),
    ("link", "bubble", TEXT),
    ("text_quiet", "bubble", TEXT),
    ("on_tooltip", "tooltip", TEXT),
    ("text", "temporary_tint", TEXT),
    ("text", "bubble", TEXT),  # a formula in the user's message is drawn in the text colour
    ("on_code", "code", TEXT),
    ("text_quiet", "code_head", TEXT),
    ("link", "code_head", TEXT),
    ("text", "code_inline", TEXT),
    ("text", "table_head", TEXT),
    ("link", "table_head", TEXT),
    ("link", "code_inline", TEXT),  # a link's words in code within a line
    ("quote_bar", "surface", PART),  # the one mark of a quote
    ("quote_bar", "bubble", PART),
    ("on_find", "find", TEXT),
    ("temporary", "window", PART),
    ("text_disabled", "window", PART),  # WCAG asks nothing of disabled controls: legible anyway
    ("text_disabled", "raised", PART),
    *(
        (part, back, PART)
        for part in ("border_strong", "focus", "accent")
        for back in ("window", "surface", "surface_alt")
    ),
    ("focus", "raised", PART),
    ("focus", "bubble", PART),
    ("focus", "pressed", PART),  # the chat list's chosen row, focused
    ("text_quiet", "pressed", PART),  # an icon at rest on it (a pinned chat's pin)
)


def colours(look: Look) -> dict[str, str]:
    """Every role's colour in `look`, as "#rrggbb"."""
    return dict(_COLOURS[look])


# The Pygments style of a look's code blocks: every colour it gives a token reads on the
# look's `code` (tests/ui/test_contrast.py).
CODE_STYLES: Final[dict[Look, str]] = {
    "light": "default",
    "dark": "github-dark",
    "contrast": "github-dark",
}


# Marks: the colour of a thing rather than of the look, the same in every look (a disc drawn
# in it with a letter on top, which picks the letter's colour to read on it).
MARK_DEFAULT: Final = "#607d8b"  # an assistant without a colour of its own
MARK_PROMPT: Final = "#78909c"  # a saved prompt in the slash menu
ON_LIGHT_MARK: Final = "#1e1e1e"
ON_DARK_MARK: Final = "#ffffff"


def _luminance(colour: str) -> float:
    """WCAG 2.2's relative luminance of "#rrggbb"."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def letter_on(mark: str) -> str:
    """The colour of a letter on a disc of `mark` ("#rrggbb"): of ON_LIGHT_MARK and ON_DARK_MARK,
    the one of the higher contrast with it (a colour's lightness misjudges the saturated ones:
    white on OpenAI's green reads at 3.3:1, the dark letter at 4.9:1)."""
    ground = _luminance(mark) + 0.05
    on_light = ground / (_luminance(ON_LIGHT_MARK) + 0.05)
    on_dark = (_luminance(ON_DARK_MARK) + 0.05) / ground
    return ON_LIGHT_MARK if on_light > on_dark else ON_DARK_MARK


# The mark of a provider on the "Connect a model" page: its initial on a disc of its colour
# (no logos are shipped); a provider not named here takes MARK_DEFAULT.
PROVIDER_MARKS: Final = {
    "openai": "#10a37f",
    "anthropic": "#c96442",
    "gemini": "#4285f4",
    "deepseek": "#4d6bfe",
    "mistral": "#fa520f",
    "groq": "#f55036",
    "openrouter": "#6467f2",
    "xai": "#767676",
    "azure": "#0078d4",
    "together": "#0f6fff",
    "ollama": "#5d5d5d",
    "lmstudio": "#6e56cf",
}
