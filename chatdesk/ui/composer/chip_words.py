"""What each chip of the composer says (`chips.py`): its words, its tooltip (what is on, and
what it does), its icon and the spoken name of its ✕, from the composer's choices
(`choices.py`). None: nothing of that kind is on, and no chip shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatdesk.core.i18n import ntr, tr
from chatdesk.ui.composer.chips import ChipSpec
from chatdesk.ui.composer.web_switch import RESEARCH, WEB, research_tip, web_tip

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

    from chatdesk.ui.composer.memory_switch import MemorySwitch
    from chatdesk.ui.composer.web_switch import WebSwitch

Entries = list[tuple[str, str]]  # (key, label)


def _on(entries: Entries, on: set[str] | list[str]) -> list[str]:
    """The labels of the entries on, in their order."""
    return [label for key, label in entries if key in on]


def assistant(assistants: list[tuple[str, str, QIcon]], key: str) -> ChipSpec | None:
    found = next(((name, badge) for k, name, badge in assistants if k == key and key), None)
    if found is None:
        return None
    name, badge = found
    return ChipSpec(
        "assistant",
        name,
        tr("{name} answers in this chat: click to choose another assistant", name=name),
        badge if not badge.isNull() else "assistant",
        # translators: the spoken name of the ✕ on the chip of the assistant who answers
        tr("Answer without {name}", name=name),
        choices=True,
    )


def tools(servers: Entries, on: set[str]) -> ChipSpec | None:
    named = _on(servers, on)
    if not named:
        return None
    return ChipSpec(
        "tools",
        # translators: the Tools button, with how many tool servers are on
        ntr("Tools · {n}", "Tools · {n}", len(named)),
        tr("Tool servers on for this chat: {names}", names=", ".join(named)),
        "tools",
        tr("Switch the tool servers off for this chat"),
        choices=True,
    )


def web(switch: WebSwitch | None) -> list[ChipSpec]:
    """Web's chip while it is on, and Research's beside it while that is on too."""
    if switch is None or not switch.on:
        return []
    shown = [ChipSpec("web", tr(WEB), web_tip(), "web", tr("Switch Web off"))]
    if switch.researching:
        shown.append(
            ChipSpec("research", tr(RESEARCH), research_tip(), "search", tr("Switch Research off"))
        )
    return shown


def knowledge(bases: Entries, on: set[str]) -> ChipSpec | None:
    named = _on(bases, on)
    if not named:
        return None
    # translators: the Knowledge button, with how many knowledge bases are on
    words = named[0] if len(named) == 1 else ntr("Knowledge · {n}", "Knowledge · {n}", len(named))
    return ChipSpec(
        "knowledge",
        words,
        tr("Answers come from your knowledge bases: {names}", names=", ".join(named)),
        "knowledge",
        tr("Stop answering from knowledge bases in this chat"),
        choices=True,
    )


def compare(models: Entries, chosen: list[str], on: bool) -> ChipSpec | None:
    if not on:
        return None
    count = len(chosen)
    # translators: the Compare button, with how many models the next message goes to
    words = ntr("Compare · {n}", "Compare · {n}", count) if count else tr("Compare")
    said = ntr(
        "On: the next message goes to {n} model",
        "On: the next message goes to {n} models",
        count,
    )
    labels = _on(models, chosen)
    return ChipSpec(
        "compare",
        words,
        f"{said}: {', '.join(labels)}" if labels else said,
        "compare",
        tr("Switch Compare off"),
        choices=True,
    )


def memory(switch: MemorySwitch | None) -> ChipSpec | None:
    """ "Memory off" while the user switched it off for this chat (when memory is off for more
    than this chat, that is not its choice: no chip)."""
    if switch is None or not switch.offered or switch.on or switch.fixed:
        return None
    return ChipSpec(
        "memory",
        # translators: a chip in the composer: memory is switched off for this chat
        tr("Memory off"),
        switch.tip,
        "pin",
        tr("Switch memory back on for this chat"),
    )
