"""A suggestion of the new chat taken (chatdesk/ui/conversation/suggestion.py, decision
0096): the assistant it is an example of answers the new chat; a whole question is sent at
once, in a chat of its own, as Open WebUI and LibreChat send theirs, and what the composer
held stays the new chat's draft; the start of a question goes to the composer, with what was
typed where the user's words go ("Translate into French: " and then the text), as one edit
that Ctrl+Z takes back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QTextCursor

from chatdesk.ui.composer import Composer
from chatdesk.ui.conversation.suggestion import Suggestion, whole, words_place

if TYPE_CHECKING:
    from chatdesk.ui.window.assistant_choice import AssistantChoice
    from chatdesk.ui.window.sending import Sending


def take(
    suggestion: Suggestion, composer: Composer, assistants: AssistantChoice, sending: Sending
) -> None:
    prompt = suggestion.prompt
    if whole(prompt):
        if suggestion.assistant:
            assistants.choose(suggestion.assistant, shown=False)  # the chat made says it
        sending.send_alone(prompt, refused=assistants.show)
    else:
        if suggestion.assistant:
            assistants.choose(suggestion.assistant)
        _finish_in(composer, prompt)
    composer.focus_editor()


def _finish_in(composer: Composer, prompt: str) -> None:
    """`prompt` in the composer, what it held where the user's words go, the cursor after."""
    editor = composer.editor
    typed = editor.toPlainText()
    place = words_place(prompt)
    before, after = prompt[:place], prompt[place:]
    if not (typed.startswith(before) and typed.endswith(after)):  # not taken already
        typed = before + typed + after
        cursor = editor.textCursor()
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(typed)
        cursor.endEditBlock()
    cursor = editor.textCursor()
    cursor.setPosition(_units(typed[: len(typed) - len(after)]))
    editor.setTextCursor(cursor)


def _units(text: str) -> int:
    """`text`'s length as Qt counts a document's positions (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2
