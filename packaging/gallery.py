"""Every screen of chatdesk in the light and the dark theme and in Arabic (laid out right to left),
for docs/screens.md, and the README's three pictures of the window.

    .venv/bin/python packaging/gallery.py

The one command to run after changing anything a user sees: it remakes both.
Runs `tests/ui/screens.py` (every screen, offscreen, on a throwaway chatdesk home, the built-in
mock model answering) once in English and once in Arabic. Keeps each screen's light and dark
picture and its Arabic one in the light theme, reduced to 256 colours (about a
third of the size), in docs/images/screens/ (what was there before is replaced), and writes
docs/screens.md. A screen the scripts make without a caption here, or a caption without its
screen, stops the run with its name: the gallery shows every screen, and only screens.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
PICTURES = ROOT / "docs" / "images" / "screens"
PAGE = ROOT / "docs" / "screens.md"
RIGHT_TO_LEFT = "ar"

SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Connecting a model",
        (
            ("first-run", "First start, nothing found yet: Connect a model, said once"),
            ("connect-found", "First start: a local server found, with its models"),
            ("connect-hosted", "A hosted provider chosen: where to get a key, the key, its models"),
            ("connect-azure", "Azure OpenAI: its resource and deployment"),
            ("connect-none", "No local server found: look again, a hosted provider or the demo"),
        ),
    ),
    (
        "The window",
        (
            ("opening", "Starting: the chats the last run showed, before the database is open"),
            ("empty", "A new chat: a greeting, the message box, each assistant's suggestion"),
            (
                "new-chat-wide",
                "A new chat at 1600×1000: the greeting and the box a little above the middle",
            ),
            ("new-chat-assistant", "A new chat with the Tutor chosen: its badge and examples"),
            (
                "sidebar",
                "The chats by day, each with its age; projects as folders; New chat, Search",
            ),
            ("sidebar-filter", "Typing in the chat list filters it by title"),
            ("thread", "A thread: a table, a checklist, formulas, highlighted code, a quote"),
            (
                "answer-hovered",
                "An answer under the mouse shows its actions and figures; the last always does",
            ),
            ("answer-wide", "An answer with a wide table, display maths, a nested list, quotes"),
            (
                "reading",
                "At 1600×1000: the conversation's reading type, a code card, a table, code chips",
            ),
            ("reading-larger", "Text size 14 pt: the answer and its column grow, the controls not"),
            ("answer-narrow", "At 800×600: the wide table keeps its cells; the answer scrolls"),
            ("answer-narrow-scrolled", "At 800×600: the table scrolled to its last column"),
            ("answer-narrow-end", "A quote's bar on the side its text begins: English, Arabic"),
            (
                "answer-narrow-latest",
                "At 800×600, scrolled up: ↓ Latest under the answers, clear of the table's bar",
            ),
            ("column-wide", "At 1600×1000: the conversation in a centred reading column"),
            ("column-wide-scrolled", "Scrolled up: a short question's bubble fits it; ↓ Latest"),
            ("column-narrow", "At 800×600: the sidebar folded away (its button or Ctrl+B)"),
            ("column-narrow-scrolled", "At 800×600, scrolled up"),
            ("column-minimum", "At the window's smallest size"),
            ("numbers", "Counts, sizes and costs as the user's language writes them"),
            ("find", "Finding words in the thread (Ctrl+F)"),
            ("search", "Searching every chat and message (Ctrl+K)"),
            ("streaming", "An answer as it streams, its reasoning unfolded"),
            ("error", "An answer that broke off: the words kept, the reason and Retry"),
            ("too-long", "A message too long for the model's context, and what to do"),
            ("formulas-offer", "Formulas shown as their source, and the offer to draw them"),
            ("summary", "A long thread's earlier messages summarised (the divider unfolded)"),
            ("summary-edit", "Editing a summary"),
            ("summary-delete", "Deleting a summary"),
            ("gauge-hover", "The context ring's breakdown on hover, a draft filling it past 80 %"),
            ("gauge-open", "The context ring clicked: its breakdown as a card, the thread's cost"),
            ("streaming-table", "A table as it streams: already a table, its rows so far"),
            ("streaming-code", "Code as it streams: already a code block"),
            ("copy-menu", "A message's copy button: as Markdown or as text"),
            ("zoom-150", "The window zoomed to 150 % (View ▸ Zoom in)"),
            ("edit-in-place", "Editing a question in place: a box the size of its text"),
            ("edit-long-1600x1000", "Editing a long question scrolled partly off the top"),
            ("edit-long-800x600", "Editing a long question at 800×600: the editor in sight"),
            ("edit-long-560x420", "Editing a long question at the window's smallest size"),
            ("status-writing", "The status bar while an answer is written: the model, writing"),
        ),
    ),
    (
        "The composer",
        (
            ("composer-row", "The composer's card at rest: +, the model and a round Send"),
            (
                "composer-plus-menu",
                "The + menu: attach, assistant, tools, Web, Research, knowledge, Compare, memory",
            ),
            ("composer-picker", "The model picker: recent models first, then by provider, marked"),
            ("composer-picker-filtered", "The model picker filtered by what is typed"),
            ("composer-compare-menu", "Ticking the models to compare, from Compare's chip"),
            ("composer-compare-on", "Compare on: its chip, and the model chip names the models"),
            (
                "composer-full",
                "Everything on, a chip each with its ✕: the chips on a line of their own",
            ),
            ("composer-narrow", "The same at the window's smallest width: the chips wrap"),
            (
                "composer-stop-focused",
                "A round Stop, reached by the keyboard while an answer streams",
            ),
            ("composer-greyed", "Nothing to send yet"),
            ("composer-drop", "Files dragged over the window"),
            ("slash-menu", "Saved prompts, typed as /"),
            ("slash-values", "A saved prompt's {{variables}} filled in"),
            ("send-cost", "The estimated cost of a large send"),
        ),
    ),
    (
        "Tools",
        (
            ("tool-calls", "An answer's tool calls in every state, the first folded out"),
            ("tool-calls-folded", "The same calls folded"),
            ("tool-approval", "Two calls waiting for the user's approval"),
            ("tool-image", "A tool's picture on its call's card"),
            (
                "tools-left-out",
                "Tool servers an answer went without: why, and Sign in… or Tool settings…",
            ),
            ("tool-server-add", "Adding a tool server"),
            ("tool-server-edit", "A tool server's settings"),
            ("project-tools", "A project's tools"),
        ),
    ),
    (
        "Web and research",
        (
            ("web-switch-off", "The composer's + menu: Web and Research offered, both off"),
            ("web-switch-on", "Web on for the chat: its chip in the row"),
            ("web-offline", "Web on with no network: a line under the text field says so"),
            ("web-offline-narrow", "The same at the window's smallest width"),
            ("web-answer", "An answer that read the web: its search unfolded, each page read"),
            ("web-sources", "Its sources: each page's title, site, address and when it was read"),
            ("web-viewer", "What chatdesk read of a page and gave the model"),
            ("web-failed", "A search the engine refused, and one still running"),
            ("research-switch", "Research on (and Web with it), a question typed"),
            ("research-running", "Research under way: its searches and reads; pages and time used"),
            ("research-report", "Stopped: the report written from the pages read, citing them"),
            ("web-preferences", "Preferences ▸ Web: DuckDuckGo, no key needed"),
            ("web-preferences-searxng", "Your own SearXNG, at its address"),
            ("web-preferences-brave", "Brave Search, its key kept"),
            ("web-preferences-tavily", "Tavily without a key: it says it needs one"),
        ),
    ),
    (
        "Attachments and knowledge",
        (
            ("attachments", "Images and documents attached, and the answer about them"),
            ("image-viewer", "An attached image, full size"),
            ("sources", "An answer from a knowledge base: its citations and sources"),
            ("sources-folded", "The same with its sources folded"),
            ("passage-viewer", "A cited passage, highlighted in its document"),
            ("document-cut", "A document cut to fit: what went of it, said under the answer"),
        ),
    ),
    (
        "Memory",
        (
            ("memory-card", "“Remember that …”: the model proposes a memory to keep or not"),
            ("memory-card-editing", "The proposed memory edited before it is kept"),
            ("memory-card-kept", "The memory kept, and the answer"),
            ("memory-used", "A later answer given a memory: “Used 1 memory” under it"),
            ("memory-used-list", "The memories an answer was given, and Manage memories…"),
            ("memory-remember-this", "Remember this… on a question: its words, and for whom"),
            ("memory-remember-too-long", "Words too long for a memory, refused with the limit"),
            ("memory-switch-on", "The composer's + menu: Memory ticked, on"),
            ("memory-switch-off", "Memory off for this chat: a chip says so, its ✕ turns it on"),
            ("memory-switch-narrow", "The chip at the window's smallest width"),
            ("preferences-memory", "Preferences ▸ Memory: what is kept, for whom, from where"),
            ("preferences-memory-editing", "A memory edited: its empty text refused in place"),
            ("preferences-memory-empty", "Memory before anything is remembered"),
        ),
    ),
    (
        "Assistants, comparing and temporary chats",
        (
            ("assistant-new-chat", "A new chat with an assistant chosen"),
            ("assistant-menu", "The composer's assistant menu, from the chosen assistant's chip"),
            ("assistant-chat", "A chat an assistant answers, its name in the header"),
            ("compare-menu", "Choosing the models to compare"),
            ("compare-streaming", "Three models answering side by side, each with its Stop"),
            ("compare", "Their answers side by side"),
            ("compare-end", "The end of the answers, their figures and Continue with this one"),
            ("compare-wide", "At 1600×1000: three answers, each given up to a column's width"),
            ("compare-smallest", "Compare on for three models at the window's smallest size"),
            ("compare-800x600", "Three answers at 800×600"),
            ("compare-560x420", "Three answers at 560×420: they scroll sideways inside"),
            ("compare-latest-800x600", "Scrolled up at 800×600: ↓ Latest under the answers"),
            ("compare-latest-560x420", "Scrolled up at 560×420: ↓ Latest covers no answer"),
            ("compare-code", "Code in compared answers keeps its lines and scrolls sideways"),
            ("temporary", "A temporary chat in the window: its banner, title and switch"),
            ("temporary-small", "A temporary chat at 800×600"),
            ("temporary-leave", "Leaving it with words in it: keep it, or lose it"),
            ("temporary-kept", "Kept as a normal chat, with what was typed"),
        ),
    ),
    (
        "Preferences",
        (
            ("settings-appearance-default", "Settings: Appearance, each change applied at once"),
            ("settings-appearance-800x600", "Appearance at 800×600"),
            ("settings-chat-default", "Settings: Chat, each change applied at once"),
            ("settings-chat-800x600", "Chat at 800×600"),
            ("settings-providers-default", "Settings: Providers, each change applied at once"),
            ("settings-providers-800x600", "Providers at 800×600"),
            ("settings-data-default", "Settings: Data, each change applied at once"),
            ("settings-data-800x600", "Data at 800×600"),
            ("settings-usage-default", "Settings: Usage, each change applied at once"),
            ("settings-usage-800x600", "Usage at 800×600"),
            ("settings-tools-default", "Settings: Tools, each change applied at once"),
            ("settings-tools-800x600", "Tools at 800×600"),
            ("settings-web-default", "Settings: Web, each change applied at once"),
            ("settings-web-800x600", "Web at 800×600"),
            ("settings-assistants-default", "Settings: Assistants, each change applied at once"),
            ("settings-assistants-800x600", "Assistants at 800×600"),
            ("settings-knowledge-default", "Settings: Knowledge, each change applied at once"),
            ("settings-knowledge-800x600", "Knowledge at 800×600"),
            ("settings-memory-default", "Settings: Memory, what is kept and when"),
            ("settings-memory-800x600", "Memory at 800×600"),
            ("settings-team-default", "Settings: Team, each change applied at once"),
            ("settings-team-800x600", "Team at 800×600"),
            ("settings-api-default", "Settings: Local API, off until switched on"),
            ("settings-api-800x600", "Local API at 800×600"),
            ("settings-voice-default", "Settings: Voice, speech in and out"),
            ("settings-voice-800x600", "Voice at 800×600"),
            ("settings-desktop-default", "Settings: Desktop, the tray, the shortcut, login"),
            ("settings-desktop-800x600", "Desktop at 800×600"),
            ("settings-assistant-undo", "An assistant deleted: Undo, no confirmation"),
            ("settings-bounds-error", "A number out of bounds, named beside its field"),
            ("settings-team-no-keyring", "No keyring here: one line, its details on demand"),
            ("settings-team-no-keyring-details", "The keyring note unfolded"),
            ("preferences-search", "Settings searched: typing “theme” leaves Appearance"),
            ("preferences-appearance", "Appearance: theme, text size, language"),
            ("preferences-appearance-formulas", "Appearance offering to draw formulas"),
            ("preferences-chat", "Chat: the default model, prompt and how answers come"),
            ("preferences-providers", "Providers: the servers and their models"),
            ("preferences-profile-new", "A new provider from a preset"),
            ("preferences-profile-tested", "A provider saved after a successful connection test"),
            ("preferences-profile-problems", "A provider's problems, explained in place"),
            ("preferences-data", "Data: the data folder, backups and retention"),
            ("preferences-usage", "Usage: tokens and cost by month and model"),
            ("preferences-tools-github", "Tools: a server tested, its tools listed"),
            ("preferences-tools-notes", "Tools: an imported server not allowed to start yet"),
            ("preferences-tools-empty", "Tools before any server: what tools are, who decides"),
            ("preferences-assistants", "Assistants: the list with their badges"),
            ("assistant-edit", "A built-in assistant's prompt, tools and examples"),
            ("assistant-refused", "A new assistant refused, with the reason in the form"),
            ("assistant-delete", "An assistant deleted at once, with Undo"),
            ("preferences-knowledge", "Knowledge: a base indexed, a file it could not read"),
            ("preferences-knowledge-indexing", "Knowledge: a base midway through indexing"),
            ("preferences-knowledge-empty", "Knowledge before any base: what it is, Add a folder…"),
            ("preferences-team", "Team: sharing chats through a team server"),
            ("preferences-team-join", "Team: join a team by its address and your login"),
            ("preferences-team-advanced", "Team: an address typed fills the server's own fields"),
            ("preferences-voice-offer", "Voice: speech to text here, its runtime to download"),
            ("preferences-voice-installing", "Voice: the runtime installing, pip's last line"),
        ),
    ),
    (
        "The local API",
        (
            ("local-api-off", "Preferences ▸ Local API, off: no key made yet"),
            ("local-api-running", "Running: its address, the key masked, a snippet to copy"),
            ("local-api-800x600", "Local API at 800×600"),
            ("local-api-lan", "Other computers on the network allowed: the warning"),
            ("local-api-port-in-use", "The port taken by another program, said in place"),
            ("local-api-window", "A chat made through the API, marked; its address in the bar"),
        ),
    ),
    (
        "Chats from outside the window",
        (
            (
                "outside-streaming",
                "An answer another chatdesk process writes in the open chat, live",
            ),
            ("outside-stop", "Stop on it: only the process writing it can stop it"),
            ("outside-ended", "The answer ended"),
        ),
    ),
    (
        "Quick ask",
        (
            ("quick-empty", "The quick window over the main one, empty"),
            ("quick-context", "The copied text offered as context, and a question"),
            ("quick-streaming", "The answer as it streams, formatted as it comes"),
            ("quick-answered", "Answered: Copy answer, or Open in chatdesk"),
        ),
    ),
    (
        "Help",
        (
            ("help-shortcuts", "Help ▸ Keyboard shortcuts, from the menus' own rows"),
            ("help-about", "Help ▸ About chatdesk, with what a bug report needs"),
            ("help-report", "Help ▸ Report a problem: what to include, nothing sent by itself"),
        ),
    ),
)
EXTRA = {
    "thread-high-contrast": "A thread in the high-contrast look",
    "composer-row-high-contrast": "The composer's card in the high-contrast look",
    "column-narrow-high-contrast": "At 800×600 in the high-contrast look: the sidebar folded away",
}


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        english, arabic = Path(folder) / "en", Path(folder) / RIGHT_TO_LEFT
        _screens(english, "en")
        _screens(arabic, RIGHT_TO_LEFT)
        pictures = {
            **{
                f"{_screen(path)}-{_theme(path)}": path
                for path in english.glob("*.png")
                if _theme(path) != "high-contrast" or path.stem in EXTRA
            },
            **{f"{_screen(path)}-ar": path for path in arabic.glob("*-light.png")},
        }
        _check(pictures)
        PICTURES.mkdir(parents=True, exist_ok=True)
        for old in PICTURES.glob("*.png"):
            old.unlink()
        for name, path in sorted(pictures.items()):
            _save_reduced(path, PICTURES / f"{name}.png")
    PAGE.write_text(_page(), encoding="utf-8")
    print(f"{len(pictures)} pictures in {PICTURES.relative_to(ROOT)}; {PAGE.relative_to(ROOT)}")
    _readme_pictures()
    return 0


def _readme_pictures() -> None:
    """The README's window in light, dark and Arabic (packaging/readme_screenshot.py)."""
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    command = [sys.executable, str(ROOT / "packaging" / "readme_screenshot.py")]
    subprocess.run(command, cwd=ROOT, env=environment, check=True)


def _screens(out: Path, language: str) -> None:
    environment = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", CHATDESK_UI_LANGUAGE=language, PYTHONPATH=str(ROOT)
    )
    command = [sys.executable, str(ROOT / "tests" / "ui" / "screens.py"), str(out)]
    subprocess.run(command, cwd=ROOT, env=environment, check=True, stdout=subprocess.DEVNULL)


def _theme(path: Path) -> str:
    return "high-contrast" if path.stem.endswith("-high-contrast") else path.stem.rsplit("-", 1)[1]


def _screen(path: Path) -> str:
    return path.stem.removesuffix(f"-{_theme(path)}")


def _check(pictures: dict[str, Path]) -> None:
    captioned = {screen for _, screens in SECTIONS for screen, _ in screens}
    made = {_screen(Path(name)) for name in pictures if not name.endswith("-high-contrast")}
    if made - captioned:
        raise SystemExit(f"screens without a caption in {__file__}: {sorted(made - captioned)}")
    if captioned - made:
        raise SystemExit(f"captions without a screen: {sorted(captioned - made)}")
    missing = [
        f"{screen}-{look}"
        for screen in captioned
        for look in ("light", "dark", "ar")
        if f"{screen}-{look}" not in pictures
    ]
    if missing:
        raise SystemExit(f"pictures missing: {sorted(missing)}")


def _save_reduced(source: Path, target: Path) -> None:
    with Image.open(source) as image:
        reduced = image.convert("RGB").quantize(
            256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
        reduced.save(target, "PNG", optimize=True)


def _page() -> str:
    lines = [
        "# Every screen",
        "",
        "Each screen in the light theme, with links to it in the dark theme and in Arabic (laid",
        "out from right to left). Made by `packaging/gallery.py` from `tests/ui/screens.py`, on a",
        "throwaway chatdesk home with the built-in mock model answering.",
        "",
    ]
    for section, screens in SECTIONS:
        lines += [f"## {section}", ""]
        for screen, caption in screens:
            lines += [
                f"### {caption}",
                "",
                f"![{caption}](images/screens/{screen}-light.png)",
                "",
                f"[Dark](images/screens/{screen}-dark.png) · "
                f"[Arabic, right to left](images/screens/{screen}-ar.png)",
                "",
            ]
    lines += ["## High contrast", ""]
    for screen, caption in EXTRA.items():
        lines += [f"### {caption}", "", f"![{caption}](images/screens/{screen}.png)", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
